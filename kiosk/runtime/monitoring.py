"""The device poll: every device read at a steady pace for the fleet's metrics.

The resident flow checks the printer before each issuance; a fleet needs to know between
residents too (out of paper for ten minutes is an alert, docs/operations.md). One thread reads
the status (the staff's status screen reads the same) every ``interval_s`` and hands it on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kiosk.operations.status import DeviceStatus

log = logging.getLogger(__name__)

# 30 s: the alert rules' shortest "for" is 5 minutes (center unreachable); a reading every
# 30 s is ten samples inside it, and one CUPS status request per 30 s costs nothing.
POLL_INTERVAL_S = 30.0


class DevicePoller:
    """Calls ``read()`` every ``interval_s`` (first at once) and gives the result to ``sink``."""

    def __init__(
        self,
        read: Callable[[], DeviceStatus],
        sink: Callable[[DeviceStatus], None],
        interval_s: float,
    ) -> None:
        self._read = read
        self._sink = sink
        self._interval = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kiosk-device-poll", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._sink(self._read())
            except Exception:  # a device that fails to answer is a reading, not a crash
                log.exception("device poll failed")
            self._stop.wait(self._interval)


__all__ = ["POLL_INTERVAL_S", "DevicePoller"]
