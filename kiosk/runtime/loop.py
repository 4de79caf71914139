"""A flow thread without Qt: a queue drained by one thread that calls ``dispatch``.

The Qt application delivers events to the UI thread with a signal; tests of the runner, the
benchmark and any headless use take this loop instead (``runner.start(loop.post)``).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class ThreadLoop(Generic[T]):
    """Calls ``handler(item)`` on its own thread for every :meth:`post`, in order."""

    def __init__(self, handler: Callable[[T], None], name: str = "kiosk-flow") -> None:
        self._handler = handler
        self._queue: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._busy = threading.Condition()
        self._pending = 0
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def post(self, item: T) -> None:
        """Thread-safe: queue ``item`` for the handler."""
        self.call(lambda: self._handler(item))

    def call(self, function: Callable[[], None]) -> None:
        """Thread-safe: run ``function`` on the loop thread, after what is queued."""
        with self._busy:
            self._pending += 1
        self._queue.put(function)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until everything queued so far was handled."""
        with self._busy:
            return self._busy.wait_for(lambda: self._pending == 0, timeout)

    def stop(self, timeout: float = 5.0) -> None:
        self._queue.put(None)
        self._thread.join(timeout)

    @property
    def thread(self) -> threading.Thread:
        return self._thread

    def _run(self) -> None:
        while True:
            function = self._queue.get()
            if function is None:
                return
            try:
                function()
            except Exception:
                log.exception("flow loop handler failed")
            finally:
                with self._busy:
                    self._pending -= 1
                    self._busy.notify_all()
