"""The kiosk as a system service (konbini-kiosk.service, docs/deploying.md): the Qt half.

- ``READY=1`` goes to the service manager once the start screen is on the display (the window
  shown and exposed by the compositor), not when the process merely started;
- ``WATCHDOG=1`` comes only from the flow's heartbeat (kiosk.runtime.heartbeat): a probe that
  went through the flow thread (this, the Qt UI thread) and the effect sequencer;
- ``SIGHUP`` asks for a restart at the next idle moment: the kiosk finishes the resident in
  front of it and exits with 0 only when no transaction is open and no payout is running, so
  the service manager starts the release that ``konbini-kiosk-update`` switched to. The check
  runs on the flow thread between steps, so no touch can start a transaction in between;
- the pointer is hidden over the window (``--hide-cursor``): cage hides it only when the seat
  has no pointer device, and many touch panels also present one.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QApplication

from kiosk.app.notify import Notifier
from kiosk.flow import FlowState
from kiosk.flow.state import OutOfService, Start
from kiosk.runtime import Runner
from kiosk.runtime.heartbeat import Heartbeat
from kiosk.ui import KioskWindow

log = logging.getLogger(__name__)

EXIT_RESTART = 0  # a requested restart is a clean exit: Restart=always starts the kiosk again
READY_POLL_MS = 20


def is_idle(state: FlowState) -> bool:
    """No resident is being served and no money is moving: a restart loses nothing."""
    return (
        isinstance(state.screen, Start | OutOfService) and state.txn is None and not state.payouts
    )


def notify_ready_when_shown(
    window: KioskWindow,
    notifier: Notifier,
    *,
    started: float,
    parent: QObject,
    then: Callable[[], None] | None = None,
) -> None:
    """Send ``READY=1`` once the start screen is visible and exposed (mapped by cage), then
    call ``then`` (a restart asked for while starting waits until the service is up)."""
    poll = QTimer(parent)

    def check() -> None:
        state = window.state
        handle = window.windowHandle()
        if state is None or not isinstance(state.screen, Start) or not window.isVisible():
            return
        if handle is None or not handle.isExposed():
            return
        poll.stop()
        age = process_age_s()
        if age is None:
            seconds, since = time.monotonic() - started, "the build began"
        else:
            seconds, since = age, "the process started"
        log.info("start screen shown %.2f s after %s: ready", seconds, since)
        notifier.ready(f"start screen shown ({seconds:.1f} s after {since})")
        if then is not None:
            then()

    poll.timeout.connect(check)
    poll.start(READY_POLL_MS)


def process_age_s() -> float | None:
    """Seconds since this process started (Linux: proc(5) ``stat`` field 22, starttime, in
    clock ticks since boot, against ``/proc/uptime``); None where it cannot be read."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            after_name = stat.read().rsplit(")", 1)[1].split()  # field 3 onwards
        with open("/proc/uptime", encoding="ascii") as uptime:
            up_s = float(uptime.read().split()[0])
        return max(0.0, up_s - int(after_name[19]) / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return None


def start_heartbeat(runner: Runner, notifier: Notifier) -> Heartbeat | None:
    """The flow's heartbeat petting the watchdog (None when the service has no watchdog)."""
    interval = notifier.heartbeat_interval_s
    if interval is None:
        return None
    heartbeat = Heartbeat(runner.probe, interval, notifier.watchdog)
    heartbeat.start()
    log.info("watchdog: the flow's heartbeat pets it every %.1f s", interval)
    return heartbeat


class RestartWhenIdle:
    """SIGHUP → exit at the next idle moment (checked on the flow thread after every step)."""

    def __init__(
        self,
        app: QObject,
        runner: Runner,
        notifier: Notifier | None,
        *,
        exit_with: Callable[[int], None],
    ) -> None:
        self._app = app  # the signal's work is queued on its thread's event loop
        self._exit_with = exit_with  # QApplication.exit in the kiosk
        self._runner = runner
        self._notifier = notifier
        self.requested = False
        self._unsubscribe: Callable[[], None] | None = None

    def install(self) -> None:
        """Take SIGHUP (``systemctl kill -s HUP``, or ``konbini-kiosk-update``)."""
        signal.signal(signal.SIGHUP, lambda *_: self._on_signal())

    def request(self) -> None:
        """On the flow thread: restart now if idle, else as soon as the kiosk is idle."""
        if not self.requested:
            self.requested = True
            log.info("restart requested: waiting for an idle moment (no resident, no payout)")
            if self._notifier is not None:
                self._notifier.status("restart requested: waiting for the resident to finish")
            self._unsubscribe = self._runner.subscribe(self._check)
        self._check()

    def _on_signal(self) -> None:
        # Python runs this between two bytecodes of the UI thread, possibly inside a flow step:
        # the decision is left to the event loop, between steps.
        QTimer.singleShot(0, self._app, self.request)

    def _check(self) -> None:
        if not self.requested or not is_idle(self._runner.current()):
            return
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        log.info("idle: exiting for the requested restart")
        if self._notifier is not None:
            self._notifier.stopping("restarting (requested, kiosk idle)")
        self._exit_with(EXIT_RESTART)


def screen_size(app: QApplication) -> tuple[int, int] | None:
    """The primary screen's size, to build the full-screen window at it from the start: the
    first frame the compositor shows is then already the right one, and the screens are laid
    out once instead of again when the compositor sizes the window."""
    screen = app.primaryScreen()
    if screen is None:
        return None
    size = screen.size()
    if size.width() <= 0 or size.height() <= 0:
        return None
    return size.width(), size.height()


def hide_cursor(app: QApplication) -> None:
    """No pointer over the kiosk window (a touch kiosk; staff use the keyboard or ssh)."""
    app.setOverrideCursor(QCursor(Qt.CursorShape.BlankCursor))


__all__ = [
    "EXIT_RESTART",
    "RestartWhenIdle",
    "hide_cursor",
    "is_idle",
    "notify_ready_when_shown",
    "screen_size",
    "start_heartbeat",
]
