"""``python -m kiosk --profile profiles/<name>.toml``: start a kiosk.

    python -m kiosk --profile profiles/store.toml [--fullscreen]
    python -m kiosk --profile profiles/developer.toml            # window + dev dock
    python -m kiosk --profile profiles/developer.toml --demo var/out/demo [--all-languages]
    python -m kiosk --profile profiles/developer.toml --demo var/out/staff --staff
    python -m kiosk --profile profiles/store.toml --selftest     # checks the install, no device
    python -m kiosk --profile profiles/developer.toml --start-only  # devices up, then exit

Under systemd (konbini-kiosk.service, Type=notify) the kiosk reports READY=1 once its start
screen is shown, pets the watchdog from the flow's heartbeat, and restarts at the next idle
moment on SIGHUP (kiosk/app/service.py).

Exit codes: 0 fine; 1 the demo or the self test failed; 2 the profile is invalid; 3 the kiosk
cannot start with it (a device, a certificate, the journal — the message says which).
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import signal
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from kiosk.app.notify import Notifier, from_environment

EXIT_OK, EXIT_FAILED, EXIT_PROFILE, EXIT_STARTUP = 0, 1, 2, 3
SELFTEST_TIMEOUT_MS = 30_000
log = logging.getLogger("kiosk")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m kiosk", description=__doc__.splitlines()[0])
    top.add_argument("--profile", type=Path, required=True, help="profiles/<name>.toml")
    top.add_argument("--fullscreen", action="store_true", help="kiosk mode (no window frame)")
    top.add_argument(
        "--size", default="1280x800", help="window size, e.g. 1920x1080 (full screen: the screen's)"
    )
    top.add_argument(
        "--hide-cursor", action="store_true", help="no pointer over the window (touch kiosk)"
    )
    mode = top.add_mutually_exclusive_group()
    mode.add_argument(
        "--selftest",
        action="store_true",
        help="check the installation (profile, libraries, fonts, catalogs, window) and exit",
    )
    mode.add_argument(
        "--start-only",
        action="store_true",
        help="start with the devices, show the start screen, exit",
    )
    mode.add_argument(
        "--demo",
        type=Path,
        metavar="DIR",
        help="developer profile: run one scripted transaction offscreen, write screenshots and "
        "the printed PDF to DIR",
    )
    top.add_argument("--all-languages", action="store_true", help="with --demo: every language")
    top.add_argument(
        "--staff",
        action="store_true",
        help="with --demo: a scripted staff session (every staff screen, the day report PDF "
        "and CSV, the metrics scrape) instead of a resident's issuance",
    )
    top.add_argument("--persona", default="normal", help="with --demo: whose card")
    top.add_argument(
        "--center-clock",
        default="",
        help="developer profile: the simulated center's business time (ISO 8601 with offset), "
        "or 'system'; default: 10:00 JST today, or on the next day when some certificate is "
        "closed today (weekend, holiday, year-end, maintenance), so it works at any hour",
    )
    top.add_argument("--var", type=Path, default=None, help="developer profile: runtime folder")
    top.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    _logging(args.verbose)
    if (
        args.selftest
        or args.demo
        or not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from kiosk.config import ConfigError, load_profile

    try:
        config = load_profile(args.profile)
    except ConfigError as exc:
        print(f"kiosk: profile: {exc}", file=sys.stderr)
        return EXIT_PROFILE
    size = _size(args.size)
    if args.selftest:
        from kiosk.app.selftest import run_selftest

        return run_selftest(config, size)
    return _run(args, config, size)


def _run(args: argparse.Namespace, config: object, size: tuple[int, int]) -> int:
    from kiosk.app.profiles import DeveloperOptions, build
    from kiosk.app.wiring import StartupError
    from kiosk.config import KioskConfig, ProfileKind

    assert isinstance(config, KioskConfig)
    notifier = from_environment()  # before any child process can inherit the socket
    if args.demo and config.kind is not ProfileKind.DEVELOPER:
        print("kiosk: --demo needs the developer profile", file=sys.stderr)
        return EXIT_PROFILE
    options = DeveloperOptions(
        var_dir=args.var or DeveloperOptions().var_dir,
        center_clock=_clock(args.center_clock),
        use_system_clock=args.center_clock == "system",
    )
    _audit_log(config.journal_path.parent / "audit.log")
    started = time.monotonic()
    stop = StopRequest()
    log.info("building the %s kiosk", config.kind.value)
    if notifier is not None:
        notifier.status(f"starting ({config.kind.value} profile {args.profile})")
    try:
        kiosk = build(config, options)
    except StartupError as exc:
        print(f"kiosk: cannot start: {exc}", file=sys.stderr)
        if notifier is not None:
            notifier.status(f"cannot start: {exc}")
        return EXIT_STARTUP
    log.info("kiosk built in %.2f s", time.monotonic() - started)
    restart = RestartRequest()
    try:
        if stop.requested:
            log.info("kiosk: stopped while starting")
            return 0
        code = _run_qt(args, kiosk, size, stop, restart, notifier, started)
    finally:
        if notifier is not None:
            notifier.stopping("stopping")
        if kiosk.operations is not None:
            kiosk.operations.stop()
        kiosk.runner.stop()
        kiosk.close()
    if restart.requested:
        if notifier is not None:
            # Under systemd (STOPPING=1 already sent) the unit's Restart=always starts it again:
            # an exec in place would send READY=1 for a unit systemd believes is stopping.
            log.warning("kiosk: exiting for the restart staff asked for (systemd starts it)")
            return code
        restart.exec_again()  # staff asked: the same program, the same options, a clean start
    return code


class StopRequest:
    """SIGTERM or SIGINT from the moment the kiosk starts building: a stop asked for while it is
    still starting (systemd stopping a unit that is coming up, staff at a console) is noted
    and honoured once the build returns, instead of the default action killing the process
    half-built. The event loop's own handlers take over once it runs. SIGHUP (a restart at
    the next idle moment, konbini-kiosk-update) is noted the same way and honoured once the
    start screen is up."""

    def __init__(self) -> None:
        self.requested = False
        self.restart_requested = False
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, self._note)
        signal.signal(signal.SIGHUP, self._note_restart)

    def _note(self, *_: object) -> None:
        self.requested = True

    def _note_restart(self, *_: object) -> None:
        self.restart_requested = True


class RestartRequest:
    """Staff's "restart the kiosk program": the Qt loop ends, everything is stopped and closed
    (the journal too), then the same command runs again in this process (``os.execv``), so the
    init system or the session sees one kiosk that never exited."""

    def __init__(self, argv: list[str] | None = None) -> None:
        self.argv = argv if argv is not None else [sys.executable, *sys.orig_argv[1:]]
        self.requested = False

    def request(self, quit_loop: object) -> None:
        self.requested = True
        log.warning("staff asked for a restart of the kiosk program")
        quit_loop()  # type: ignore[operator]

    def exec_again(self) -> None:
        logging.shutdown()
        os.execv(self.argv[0], self.argv)  # noqa: S606 - this program, its own argv


def _run_qt(
    args: argparse.Namespace,
    kiosk: object,
    size: tuple[int, int],
    stop: StopRequest,
    restart: RestartRequest,
    notifier: Notifier | None = None,
    started: float = 0.0,
) -> int:
    from kiosk.app.profiles import Kiosk
    from kiosk.app.qt import (
        application,
        exit_when_start_screen_shows,
        make_window,
        quit_on_signals,
        show,
        start_on_qt,
        start_operations_on_qt,
    )
    from kiosk.app.service import (
        RestartWhenIdle,
        hide_cursor,
        notify_ready_when_shown,
        screen_size,
        start_heartbeat,
    )
    from kiosk.ui import ThemeName

    assert isinstance(kiosk, Kiosk)
    app = application(["kiosk"])
    if args.hide_cursor:
        hide_cursor(app)
    if args.fullscreen and not args.demo:
        size = screen_size(app) or size
    config = kiosk.config
    theme = ThemeName.HIGH_CONTRAST if config.accessibility.high_contrast else ThemeName.STANDARD
    start_on_qt(kiosk.runner)
    guide = None
    if config.accessibility.audio_guidance:
        from kiosk.speech import SpeechGuide

        guide = SpeechGuide()
        kiosk.closers.append(guide.close)
    window = make_window(
        kiosk.runner,
        theme=theme,
        size=size,
        keypad_navigation=config.accessibility.keypad_navigation,
        announce=guide.say if guide is not None else None,
    )
    console = None
    if kiosk.operations is not None:
        if args.demo:  # any free port: a demo never collides with a kiosk already running
            kiosk.operations.metrics_port = 0

        def restart_now() -> None:  # the staff runner calls it on the UI thread
            restart.request(app.quit)

        _bridge, console = start_operations_on_qt(
            kiosk.operations, window, config.staff, restart_now
        )
    if args.demo and args.staff:
        from kiosk.app.demo_staff import run_staff_demo

        assert console is not None
        return run_staff_demo(kiosk, window, console, app, args.demo)
    if args.demo:
        from kiosk.app.demo_run import run_demo

        return run_demo(kiosk, window, app, args.demo, args.persona, args.all_languages, size)
    show(window, fullscreen=args.fullscreen)
    dock = None
    if kiosk.world is not None:
        from kiosk.app.developer import dev_dock

        dock = dev_dock(kiosk.world)
        dock.show()
    if args.start_only:
        exit_when_start_screen_shows(
            window, app, timeout_ms=SELFTEST_TIMEOUT_MS, report=lambda m: log.info("%s", m)
        )
    quit_on_signals(app, asked_before=lambda: stop.requested)
    # SIGHUP (konbini-kiosk-update): the process exits at the next idle moment and systemd
    # starts it again; staff's restart (above) runs the same program again in this process.
    idle_restart = RestartWhenIdle(app, kiosk.runner, notifier, exit_with=app.exit)
    idle_restart.install()
    heartbeat = None
    if notifier is not None:
        notify_ready_when_shown(
            window,
            notifier,
            started=started,
            parent=app,
            then=idle_restart.request if stop.restart_requested else None,
        )
        heartbeat = start_heartbeat(kiosk.runner, notifier)
    elif stop.restart_requested:
        idle_restart.request()
    code = app.exec()
    if heartbeat is not None:
        heartbeat.stop()
    window.close_source()
    if dock is not None:
        dock.close()
    return int(code)


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise SystemExit(f"kiosk: --size must look like 1280x800, not {text!r}") from None
    return width, height


def _clock(text: str) -> datetime | None:
    if not text or text == "system":
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"kiosk: --center-clock {text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise SystemExit("kiosk: --center-clock needs an offset, e.g. 2026-11-26T10:00+09:00")
    return moment


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _audit_log(path: Path) -> None:
    """The audit trail (kiosk.audit, one JSON line per event) goes to its own file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Watched: logrotate renames the file (deploy/logrotate/konbini-kiosk) and the next
        # line goes to a new one, so no line is lost the way copytruncate can lose them.
        handler: logging.Handler = logging.handlers.WatchedFileHandler(path, encoding="utf-8")
    except OSError as exc:
        log.warning("audit log %s: %s (audit events go to the main log)", path, exc.strerror)
        return
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    audit = logging.getLogger("kiosk.audit")
    audit.addHandler(handler)
    audit.propagate = False


__all__ = ["main", "parser"]
