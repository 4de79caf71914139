"""The Qt side of the wiring: events into the UI thread, the window, the application loop.

The runner is Qt-free; :class:`FlowBridge` is the one place where results from worker threads
enter Qt: ``post`` emits a signal from any thread, and a queued connection runs
``runner.dispatch`` on the thread that owns the bridge (the UI thread). The window
(kiosk.ui.KioskWindow) reads the runner as its state source and sends intents to
``runner.dispatch`` on the same thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.runtime import Runner
from kiosk.ui import KioskWindow, ThemeName
from kiosk.ui.window import Announcer

if TYPE_CHECKING:
    from kiosk.app.wiring import Operations
    from kiosk.config import StaffConfig
    from kiosk.ui.staff.console import StaffConsole

log = logging.getLogger(__name__)


class FlowBridge(QObject):
    """Delivers events posted from any thread to ``dispatch`` on the UI thread (the resident
    runner's by default; the staff runner's for staff events)."""

    posted = Signal(object)

    def __init__(self, runner: Runner, dispatch: Callable[[Any], None] | None = None) -> None:
        super().__init__()
        self._dispatch = dispatch or runner.dispatch
        self.posted.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def post(self, event: Any) -> None:
        """Thread-safe (a Qt signal emission)."""
        self.posted.emit(event)

    @Slot(object)
    def _deliver(self, event: Any) -> None:
        self._dispatch(event)


def start_on_qt(runner: Runner) -> FlowBridge:
    """Start the runner with its results delivered on this (the UI) thread."""
    bridge = FlowBridge(runner)
    runner.start(bridge.post)
    return bridge


def start_operations_on_qt(
    operations: Operations,
    window: KioskWindow,
    staff: StaffConfig,
    restart: Callable[[], None],
) -> tuple[FlowBridge, StaffConsole]:
    """Start staff mode, metrics and the device poll with staff events delivered on this
    thread, and put the staff console over ``window`` (its key and gesture from ``staff``).
    ``restart``: what the staff's "restart the kiosk program" does (thread-safe)."""
    from kiosk.config import StaffGesture
    from kiosk.ui.staff.console import StaffConsole

    runner = operations.staff.resident
    bridge = FlowBridge(runner, operations.staff.dispatch)
    operations.restart = restart
    operations.start(bridge.post)
    console = StaffConsole(
        operations.staff,
        operations.staff.dispatch,
        window,
        open_key=staff.open_key,
        corner_taps=staff.open_gesture is StaffGesture.CORNER_TAPS and bool(staff.members),
    )
    return bridge, console


def make_window(
    runner: Runner,
    *,
    theme: ThemeName | str = ThemeName.STANDARD,
    size: tuple[int, int] = (1280, 800),
    keypad_navigation: bool = False,
    announce: Announcer | None = None,
) -> KioskWindow:
    """The kiosk window on the runner (state source and intent sink); the accessibility
    options: keypad navigation, and ``announce`` for audio guidance."""
    return KioskWindow(
        runner,
        runner.dispatch,
        theme=theme,
        size=size,
        keypad_navigation=keypad_navigation,
        announce=announce,
    )


def application(argv: list[str] | None = None) -> QApplication:
    """The process's QApplication (made once)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    return QApplication(argv or ["kiosk"])


def exit_when_start_screen_shows(
    window: KioskWindow, app: QApplication, *, timeout_ms: int, report: Callable[[str], None]
) -> None:
    """Self test: quit with 0 once the window shows the start screen, 1 after ``timeout_ms``."""
    from kiosk.flow.state import Start

    def check() -> None:
        state = window.state
        if state is not None and isinstance(state.screen, Start) and window.isVisible():
            report(f"start screen up (peak RSS {_peak_rss_mb()})")
            app.exit(0)

    poll = QTimer(window)
    poll.timeout.connect(check)
    poll.start(20)

    def give_up() -> None:
        report("start screen did not appear")
        app.exit(1)

    QTimer.singleShot(timeout_ms, give_up)


def _peak_rss_mb() -> str:
    """This process's peak resident memory (Linux VmHWM), for start-up diagnostics."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return f"{int(line.split()[1]) / 1024:.0f} MB"
    except (OSError, ValueError):
        pass
    return "unknown"


def quit_on_signals(app: QApplication, *, asked_before: Callable[[], bool] = bool) -> None:
    """SIGTERM (init, staff) and SIGINT (a developer's Ctrl-C) end the event loop, so the kiosk
    stops its devices and closes its journal instead of dying mid-write. Qt's loop runs in C:
    a short timer lets Python run its signal handlers. ``asked_before()`` true: a stop came
    before the loop ran (a quit() then would be lost), so the loop ends as soon as it starts."""
    import signal

    asked = [False]  # a quit() before exec() is lost: remember the signal too

    def on_signal(*_: object) -> None:
        asked[0] = True
        app.quit()

    def quit_if_asked() -> None:
        if asked[0] or asked_before():
            app.quit()

    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, on_signal)
    wake = QTimer(app)
    wake.timeout.connect(quit_if_asked)
    wake.start(250)
    QTimer.singleShot(0, quit_if_asked)


def show(window: QWidget, *, fullscreen: bool) -> None:
    if fullscreen:
        window.showFullScreen()
    else:
        window.show()


__all__ = [
    "FlowBridge",
    "application",
    "exit_when_start_screen_shows",
    "make_window",
    "quit_on_signals",
    "show",
    "start_on_qt",
    "start_operations_on_qt",
]
