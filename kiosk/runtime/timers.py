"""The flow's screen timer: one at a time, firing ``TimerFired(name, serial)``.

The flow names and documents every delay (kiosk/flow/timeouts.py) and ignores a timer whose
serial is stale, so this service only has to start, replace and cancel one countdown. It uses
``threading.Timer`` (no Qt) and a monotonic clock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kiosk.flow import Event, TimerName
from kiosk.flow.events import TimerFired

log = logging.getLogger(__name__)


class Timers:
    """The one screen timer of the flow (StartTimer replaces it, CancelTimer stops it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._post: Callable[[Event], None] | None = None

    def start(self, post: Callable[[Event], None]) -> None:
        self._post = post

    def stop(self) -> None:
        self.cancel_timer()
        self._post = None

    def start_timer(self, name: TimerName, seconds: float, serial: int) -> None:
        """(Re)start the countdown; ``TimerFired(name, serial)`` after ``seconds``."""
        timer = threading.Timer(max(0.0, seconds), self._fire, args=(name, serial))
        timer.daemon = True
        timer.name = f"kiosk-timer-{name.value}"
        with self._lock:
            previous, self._timer = self._timer, timer
        if previous is not None:
            previous.cancel()
        timer.start()

    def cancel_timer(self) -> None:
        with self._lock:
            previous, self._timer = self._timer, None
        if previous is not None:
            previous.cancel()

    def _fire(self, name: TimerName, serial: int) -> None:
        post = self._post
        if post is not None:
            post(TimerFired(name, serial))
