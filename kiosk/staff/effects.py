"""What the staff flow asks the staff runtime (kiosk/runtime/staff.py) to do.

Every effect answers later with a result event, except the timers, the audit record and the
kiosk requests, which are fire and forget. The PIN travels in one effect only, out of ``repr``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from kiosk.audit import AuditRecord
from kiosk.journal.operations import CashCountKind
from kiosk.operations.status import CashLevels
from kiosk.payment import Denomination
from kiosk.problems import ServiceStop
from kiosk.staff.state import StaffTimer


@dataclass(frozen=True)
class RequestKiosk:
    """Ask the resident flow for the kiosk (StaffRequested) → AccessChanged with the same
    ``request`` (answers to an earlier request, given up since, are told apart by it)."""

    request: int


@dataclass(frozen=True)
class ReleaseKiosk:
    """The staff session is over, or staff stopped waiting (StaffReleased)."""


@dataclass(frozen=True)
class CheckPin:
    """Check ``pin`` against the salted slow hash of ``staff_id`` → PinChecked. An unknown
    staff number is hashed all the same, so the time taken does not tell it apart."""

    staff_id: str = field(repr=False)
    pin: str = field(repr=False)


@dataclass(frozen=True)
class WatchStaffCard:
    """Tell (``on``) or stop telling which staff member a card on the reader names
    → StaffCardSeen."""

    on: bool


@dataclass(frozen=True)
class ReadStatus:
    """→ StatusRead."""


@dataclass(frozen=True)
class PrintTestPageNow:
    """→ TestPagePrinted."""


@dataclass(frozen=True)
class ApplyService:
    """Journal ServiceChanged (write-ahead), then tell the resident flow → ServiceApplied."""

    staff_id: str
    stop: ServiceStop | None


@dataclass(frozen=True)
class ReadOwed:
    """→ OwedRead."""


@dataclass(frozen=True)
class RecordPaidBack:
    """Journal OwedPaidBack for ``entry`` (its whole amount) → PaidBackRecorded."""

    staff_id: str
    entry: int
    yen: int


@dataclass(frozen=True)
class ReadCash:
    """→ CashRead."""


@dataclass(frozen=True)
class RecordCount:
    """Compare the pieces counted with the unit's own count for the same refill or collection
    (``before``: the unit's count when the count began) and journal both → CountRecorded."""

    staff_id: str
    kind: CashCountKind
    counts: tuple[tuple[Denomination, int], ...]
    before: CashLevels | None


@dataclass(frozen=True)
class ReadDays:
    """The business days staff may close → DaysRead."""


@dataclass(frozen=True)
class RunClosing:
    """Close ``day`` (or resume it where it stopped) → ClosingUpdated, repeatedly.
    ``without_center``: the center's side is marked missing instead of waiting for it."""

    staff_id: str
    day: date
    without_center: bool = False


@dataclass(frozen=True)
class ReprintDayReport:
    """→ ClosingUpdated (printed, or the printer's fault)."""

    staff_id: str
    day: date


@dataclass(frozen=True)
class RestartProgram:
    """Stop the devices cleanly and start the kiosk program again."""

    staff_id: str


@dataclass(frozen=True)
class StartStaffTimer:
    name: StaffTimer
    seconds: float
    serial: int


@dataclass(frozen=True)
class CancelStaffTimer:
    name: StaffTimer


@dataclass(frozen=True)
class StaffAudit:
    record: AuditRecord


StaffEffect = (
    RequestKiosk
    | ReleaseKiosk
    | CheckPin
    | WatchStaffCard
    | ReadStatus
    | PrintTestPageNow
    | ApplyService
    | ReadOwed
    | RecordPaidBack
    | ReadCash
    | RecordCount
    | ReadDays
    | RunClosing
    | ReprintDayReport
    | RestartProgram
    | StartStaffTimer
    | CancelStaffTimer
    | StaffAudit
)
