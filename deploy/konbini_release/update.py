"""``konbini-kiosk-update``: install a new kiosk release, or go back to the previous one.

    konbini-kiosk-update PACKAGE.deb      install it; switch when its self test passes
    konbini-kiosk-update --rollback       go back to the previous release
    konbini-kiosk-update --activate VER   switch to an installed release (after apt upgrade)
    konbini-kiosk-update --status         releases, what is pending, the history

An update (1) unpacks the package's bundle beside the releases and runs its ``--selftest``
against the profile the service runs, as the kiosk's user — a release that fails it is
refused and nothing on the machine changes; (2) installs the package with dpkg (the site's
edited profiles are kept); (3) marks the release pending and asks the running kiosk to
restart at its next idle moment (SIGHUP: the kiosk waits until no resident is being served
and no money is moving); the release guard switches the ``current`` link while the kiosk is
stopped; (4) waits until the new release reports READY=1. If it fails to twice, the guard
rolls back to the previous release by itself and records why (``--status``).

Exit codes: 0 done (or already current); 1 refused (package, self test, dpkg), nothing
switched; 2 usage; 3 the new release never became ready and was rolled back; 4 still pending
when ``--wait`` ran out (the kiosk was busy): it switches at the next idle moment.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .guard import switch_pending
from .layout import KIOSK_UNIT, KIOSK_USER, Layout, release_name
from .releases import install_from, installed, is_complete, link_target, prune
from .state import StateStore

EXIT_DONE, EXIT_REFUSED, EXIT_USAGE, EXIT_ROLLED_BACK, EXIT_PENDING = 0, 1, 2, 3, 4
PACKAGE = "konbini-kiosk"
PAYLOAD = "./usr/lib/konbini-kiosk/release"
SELFTEST_TIMEOUT_S = 180  # a cold self test takes ≈3 s; a loaded, slow disk much more
DEFAULT_WAIT_S = 1800  # a resident may take a while; the kiosk switches at its next idle moment
POLL_S = 1.0


class UpdateError(Exception):
    """The update is refused; the message says why. Nothing was switched."""


@dataclass(frozen=True)
class PackageInfo:
    name: str
    version: str
    architecture: str


class KioskService:
    """The kiosk's systemd unit, as the updater sees it."""

    def __init__(self, unit: str = KIOSK_UNIT) -> None:
        self.unit = unit

    def running(self) -> bool:
        if not Path("/run/systemd/system").is_dir():
            return False  # not booted with systemd (an image being prepared, a chroot)
        probe = subprocess.run(
            ["systemctl", "is-active", "--quiet", self.unit], check=False, timeout=30
        )
        return probe.returncode == 0

    def restart_when_idle(self) -> None:
        """SIGHUP to the kiosk (kiosk/app/service.py): it exits at its next idle moment."""
        subprocess.run(
            ["systemctl", "kill", "--kill-who=main", "--signal=SIGHUP", self.unit],
            check=True,
            timeout=30,
        )


def package_info(deb: Path) -> PackageInfo:
    try:
        fields = subprocess.run(
            ["dpkg-deb", "--field", str(deb), "Package", "Version", "Architecture"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise UpdateError(f"{deb} is not a readable Debian package: {exc}") from None
    values = dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition(":") for line in fields.splitlines())
    )
    info = PackageInfo(
        values.get("Package", ""), values.get("Version", ""), values.get("Architecture", "")
    )
    if info.name != PACKAGE:
        raise UpdateError(f"{deb} is {info.name or 'no package'}, not {PACKAGE}")
    native = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if native and info.architecture not in (native, "all"):
        raise UpdateError(f"{deb} is for {info.architecture}, this machine is {native}")
    release_name(info.version)  # raises on a version that cannot name a folder
    return info


def unpack_bundle(deb: Path, layout: Layout, version: str) -> Path:
    """The package's bundle, unpacked under ``staging/`` (not yet known to dpkg)."""
    folder = layout.staging / release_name(version)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.chmod(layout.staging, 0o755)  # noqa: S103 - the kiosk's user runs the self test from it
    with subprocess.Popen(
        ["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE
    ) as deb_tar:
        untar = subprocess.run(
            ["tar", "-x", "-f", "-", "-C", str(folder), PAYLOAD],
            stdin=deb_tar.stdout,
            capture_output=True,
            text=True,
            check=False,
        )
    bundle = folder / PAYLOAD
    if deb_tar.returncode != 0 or untar.returncode != 0 or not is_complete(bundle):
        shutil.rmtree(folder, ignore_errors=True)
        raise UpdateError(f"{deb} holds no kiosk bundle ({untar.stderr.strip()[-300:]})")
    return bundle


def selftest(bundle: Path, profile: Path, user: str = KIOSK_USER) -> tuple[bool, str]:
    """The release's own ``--selftest`` against ``profile``, as ``user``, in a clean
    environment (offscreen; caches in a folder of its own, removed afterwards)."""
    scratch = Path(tempfile.mkdtemp(prefix="konbini-selftest-"))
    try:
        shutil.chown(scratch, user, user)
        command = [
            "setpriv",
            f"--reuid={user}",
            f"--regid={user}",
            "--init-groups",
            "--",
            "env",
            "-i",
            "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG=C.UTF-8",
            f"HOME={scratch}",
            f"XDG_CACHE_HOME={scratch}",
            f"XDG_RUNTIME_DIR={scratch}",
            "QT_QPA_PLATFORM=offscreen",
            str(bundle / "kiosk"),
            "--profile",
            str(profile),
            "--selftest",
        ]
        try:
            run = subprocess.run(
                command,
                cwd=scratch,
                capture_output=True,
                text=True,
                timeout=SELFTEST_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return False, f"the self test did not finish in {SELFTEST_TIMEOUT_S} s"
        output = run.stdout + run.stderr
        return run.returncode == 0 and "selftest: passed" in run.stdout, output
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def failed_checks(output: str) -> str:
    lines = [line for line in output.splitlines() if "FAILED" in line or "failed" in line]
    return "; ".join(lines[:4]) or output.strip()[-300:]


class Updater:
    def __init__(
        self,
        layout: Layout,
        service: KioskService,
        *,
        say: Callable[[str], None] = print,
        run_selftest: Callable[[Path, Path], tuple[bool, str]] = selftest,
    ) -> None:
        self.layout = layout
        self.service = service
        self.store = StateStore(layout)
        self.say = say
        self.run_selftest = run_selftest

    def update(self, deb: Path, wait_s: float) -> int:
        info = package_info(deb)
        name = release_name(info.version)
        if link_target(self.layout.current) == name:
            self.say(f"{PACKAGE} {info.version} is already the current release")
            return EXIT_DONE
        bundle = unpack_bundle(deb, self.layout, info.version)
        try:
            self._require_selftest(bundle, name)
            self.say(f"installing {deb.name}")
            dpkg = subprocess.run(
                ["dpkg", "--force-confold", "-i", str(deb)],
                env={**os.environ, "KONBINI_KIOSK_UPDATING": "1"},
                check=False,
            )
            if dpkg.returncode != 0:
                self.store.record(f"update to {name} refused: dpkg -i failed ({dpkg.returncode})")
                raise UpdateError(f"dpkg -i {deb} failed; the running release is unchanged")
        finally:
            shutil.rmtree(self.layout.staging / name, ignore_errors=True)
        if not is_complete(self.layout.release(info.version)):
            install_from(self.layout, self.layout.payload, info.version)
        return self.activate(name, f"update to {info.version}", wait_s)

    def activate_installed(self, version: str, wait_s: float) -> int:
        name = release_name(version)
        release = self.layout.releases / name
        if not is_complete(release):
            raise UpdateError(f"release {name} is not installed (have: {installed(self.layout)})")
        if link_target(self.layout.current) == name:
            self.say(f"release {name} is already current")
            return EXIT_DONE
        self._require_selftest(release, name)
        return self.activate(name, f"activation of {name}", wait_s)

    def rollback(self, wait_s: float) -> int:
        previous = link_target(self.layout.previous)
        if previous is None:
            raise UpdateError("there is no previous release to go back to")
        self._require_selftest(self.layout.releases / previous, previous)
        return self.activate(previous, "rollback by staff", wait_s)

    def activate(self, name: str, reason: str, wait_s: float) -> int:
        """Switch to the installed release ``name`` at the kiosk's next idle moment."""
        running = self.service.running()
        with self.store.locked() as state:
            state.pending = name
            state.pending_reason = reason
            state.rejected.pop(name, None)  # staff chose it again: it may be rolled back again
            if not running:
                switch_pending(self.layout, self.store, state)
        if not running:
            self.say(f"release {name} is current; the kiosk runs it at its next start")
            return EXIT_DONE
        self.store.record(f"{reason}: {name} pending; the kiosk restarts when idle")
        self.service.restart_when_idle()
        if wait_s <= 0:
            self.say(f"release {name} pending: the kiosk switches at its next idle moment")
            return EXIT_DONE
        self.say(f"waiting for the kiosk to be idle and to start {name} (up to {wait_s:.0f} s)")
        return self._wait(name, wait_s)

    def _wait(self, name: str, wait_s: float) -> int:
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            state = self.store.read()
            if name in state.rejected:
                self.say(f"rolled back: {state.rejected[name]}")
                return EXIT_ROLLED_BACK
            if link_target(self.layout.current) == name and state.is_proven(name):
                removed = prune(self.layout, keep=set())
                self.say(f"release {name} is running (start screen shown)")
                if removed:
                    self.say(f"removed old releases: {', '.join(removed)}")
                return EXIT_DONE
            time.sleep(POLL_S)
        if self.store.read().pending == name:
            self.say(f"the kiosk was busy: {name} stays pending and starts at the next idle moment")
        else:
            self.say(f"switched to {name}; it has not reported READY=1 yet (see --status)")
        return EXIT_PENDING

    def status(self) -> int:
        state = self.store.read()
        current = link_target(self.layout.current)
        proven = " (proven)" if current and state.is_proven(current) else ""
        self.say(f"current:  {current or '-'}{proven}")
        self.say(f"previous: {link_target(self.layout.previous) or '-'}")
        self.say(f"pending:  {state.pending or '-'}")
        self.say(f"installed releases: {', '.join(installed(self.layout)) or '-'}")
        for release, why in state.rejected.items():
            self.say(f"rolled back from {release}: {why}")
        if state.last_stop:
            self.say(f"last stop: {state.last_stop}")
        for line in self.store.history_lines():
            self.say(f"  {line}")
        return EXIT_DONE

    def _require_selftest(self, bundle: Path, name: str) -> None:
        profile = self.layout.profile()
        self.say(f"self test of {name} against {profile}")
        passed, output = self.run_selftest(bundle, profile)
        if not passed:
            self.say(output.rstrip())
            self.store.record(f"{name} refused: self test failed: {failed_checks(output)}")
            raise UpdateError(f"the self test of {name} failed; the running release is unchanged")
        self.say("self test passed")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="konbini-kiosk-update", description=__doc__.splitlines()[0])
    what = top.add_mutually_exclusive_group(required=True)
    what.add_argument("package", nargs="?", type=Path, help="the konbini-kiosk .deb to install")
    what.add_argument("--rollback", action="store_true", help="go back to the previous release")
    what.add_argument("--activate", metavar="VERSION", help="switch to an installed release")
    what.add_argument("--status", action="store_true", help="show releases and history")
    top.add_argument(
        "--wait",
        type=float,
        default=DEFAULT_WAIT_S,
        metavar="SECONDS",
        help=f"how long to wait for the switch (default {DEFAULT_WAIT_S})",
    )
    top.add_argument("--no-wait", action="store_true", help="do not wait for the switch")
    return top


def main(argv: list[str] | None = None, layout: Layout | None = None) -> int:
    args = parser().parse_args(argv)
    where = layout or Layout(Path(os.environ.get("KONBINI_KIOSK_ROOT", "/")))
    updater = Updater(where, KioskService())
    if args.status:
        return updater.status()
    if os.geteuid() != 0:
        print("konbini-kiosk-update: run it as root (sudo)", file=sys.stderr)
        return EXIT_USAGE
    wait_s = 0.0 if args.no_wait else args.wait
    try:
        if args.rollback:
            return updater.rollback(wait_s)
        if args.activate:
            return updater.activate_installed(args.activate, wait_s)
        return updater.update(args.package, wait_s)
    except UpdateError as exc:
        print(f"konbini-kiosk-update: {exc}", file=sys.stderr)
        return EXIT_REFUSED


__all__ = ["KioskService", "PackageInfo", "UpdateError", "Updater", "main", "package_info"]
