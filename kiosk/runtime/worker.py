"""One device's worker thread: its operations run in order, and stopping it waits a bounded time.

``concurrent.futures.ThreadPoolExecutor`` workers are not daemon threads: Python joins them at
exit, so a card that never answers, or a job tracked to its deadline, would keep a stopping
kiosk alive (SIGTERM ignored, a core spinning). A :class:`DeviceWorker` is a daemon thread:
:meth:`stop` waits for what is queued at most ``timeout_s``, and a worker still stuck in a
device call after that is abandoned (the process can end; the operating system closes the
device handles with it). Every device call has its own bound besides (cardio's operation
deadline, printing.cups' call timeouts, the print deadline).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

Work = Callable[[], None]


class DeviceWorker:
    """Runs submitted work on one daemon thread, in order; failures are logged, never raised."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._queue: queue.SimpleQueue[Work | None] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, work: Work) -> bool:
        """Queue ``work``; False (and nothing queued) once :meth:`stop` was called."""
        if self._stopping.is_set():
            return False
        self._queue.put(work)
        return True

    def stop(self, timeout_s: float, *, drain: bool = True) -> bool:
        """Let the worker finish what is queued (``drain``) or only what runs, then end.

        Waits at most ``timeout_s``; True when the thread ended in time, False when it is still
        busy in a device call (it is then abandoned: a daemon thread cannot keep the process).
        """
        if not drain:
            self._discard_queued()
        self._stopping.set()
        self._queue.put(None)
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            log.warning("%s still busy after %.1f s: abandoned", self.name, timeout_s)
            return False
        return True

    @property
    def busy(self) -> bool:
        """True while the thread runs (for tests and diagnostics)."""
        return self._thread.is_alive()

    def _discard_queued(self) -> None:
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return

    def _run(self) -> None:
        while True:
            work = self._queue.get()
            if work is None:
                return
            try:
                work()
            except Exception:  # a bug in a service: logged; the flow's watchdogs take over
                log.exception("%s: work failed unexpectedly", self.name)
