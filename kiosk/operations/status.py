"""What the staff's device status screen and the fleet's metrics show, as plain values.

Read by the staff runtime (kiosk/runtime/staff.py) from the devices, the journal's disk and
what the kiosk last heard: the card reader, the printer (CUPS ``printer-state-reasons`` and
marker levels), the cash unit (levels and faults), the center link, the journal's disk space,
and the last faults with their codes and times. No personal data.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from kiosk.audit import AuditEvent, AuditRecord
from kiosk.payment import CashLevels, ReportsCashLevels
from kiosk.payment.cash_status import CashStatus
from kiosk.problems import Problem, staff_code
from printing.faults import MarkerLevel, PrinterFault, PrinterStatus

# How many faults the status screen lists (the audit log has them all).
LAST_FAULTS = 20
# Below this share of free space the status says the journal's disk is nearly full (the fleet's
# alert rule uses the same figure: monitoring/alerts.yml, KioskJournalDiskNearlyFull).
DISK_LOW_RATIO = 0.10


@dataclass(frozen=True)
class ReaderReport:
    readers: tuple[str, ...]  # the PC/SC readers the kiosk uses
    card_present: bool
    available: bool  # a reader is there and PC/SC answers


@dataclass(frozen=True)
class CenterReport:
    reachable: bool
    code: str | None  # the staff code of what keeps the center from serving (S-2xx)
    until: datetime | None  # the end of a maintenance, when announced


@dataclass(frozen=True)
class DiskReport:
    path: str
    free_bytes: int
    total_bytes: int
    journal_bytes: int

    @property
    def free_ratio(self) -> float:
        return self.free_bytes / self.total_bytes if self.total_bytes else 0.0

    @property
    def low(self) -> bool:
        return self.free_ratio < DISK_LOW_RATIO


@dataclass(frozen=True)
class FaultRecord:
    at: datetime
    code: str  # the staff code (R-501, P-401 …)
    problem: str  # the problem's key (printer_out_of_paper …)


@dataclass(frozen=True)
class PrinterReport:
    ready: bool
    fault: PrinterFault | None
    reasons: tuple[str, ...]  # printer-state-reasons as CUPS reports them
    markers: tuple[MarkerLevel, ...]
    message: str

    @classmethod
    def of(cls, status: PrinterStatus) -> PrinterReport:
        return cls(status.ready, status.fault, status.reasons, status.markers, status.message)


@dataclass(frozen=True)
class DeviceStatus:
    """The staff's device status screen, read at one moment."""

    at: datetime
    reader: ReaderReport
    printer: PrinterReport
    cash: CashLevels | None  # None: counter payment, or a unit that cannot say
    center: CenterReport
    disk: DiskReport
    faults: tuple[FaultRecord, ...]  # newest first
    # The cash unit's devices, for a unit driven directly (validator, coin acceptor, hoppers).
    cash_unit: CashStatus | None = None


def problem_for_key(key: str) -> Problem | None:
    try:
        return Problem(key)
    except ValueError:
        return None


class FaultLog:
    """The last faults the kiosk audited (kiosk.audit observer), newest first; thread-safe.

    Since the kiosk started: the audit log keeps them all, across restarts.
    """

    def __init__(self, clock: Callable[[], datetime], size: int = LAST_FAULTS) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._faults: deque[FaultRecord] = deque(maxlen=size)

    def observe(self, entry: AuditRecord) -> None:
        """An audit record: faults, out-of-service and money owed are remembered."""
        details = dict(entry.details)
        code = str(details.get("staff_code", ""))
        if entry.event is AuditEvent.OUT_OF_SERVICE and not code:
            problem = problem_for_key(entry.outcome)
            code = staff_code(problem) if problem is not None else ""
        elif entry.event not in (AuditEvent.FAULT, AuditEvent.STAFF_OWED) or not code:
            return
        record = FaultRecord(self._clock(), code, entry.outcome)
        with self._lock:
            self._faults.appendleft(record)

    def last(self) -> tuple[FaultRecord, ...]:
        with self._lock:
            return tuple(self._faults)


__all__ = [
    "DISK_LOW_RATIO",
    "CashLevels",
    "CenterReport",
    "DeviceStatus",
    "DiskReport",
    "FaultLog",
    "FaultRecord",
    "PrinterReport",
    "ReaderReport",
    "ReportsCashLevels",
]
