"""What staff do, as journal records: money owed paid back, cash refills and collections, the
closing of a business day, and taking the kiosk out of service and back.

These are not steps of a resident's transaction: they live in their own tables (schema version
2, kiosk/journal/store.py) and are written with the same ``Journal.write`` — durably, before
the kiosk acts on them. Nothing is ever deleted or updated in place: a paid-back entry is a new
row naming the owed entry; a count that disagrees with the unit's count is recorded with both
figures. Records carry a staff id (the profile's, e.g. ``S001``), amounts, counts and codes:
nothing personal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from kiosk.problems import OwedCode, ServiceStop


@dataclass(frozen=True)
class OwedPaidBack:
    """Staff paid the resident what the kiosk owed on owed entry ``entry`` (OwedEntry.entry):
    the entry closes with who paid, how much and when."""

    entry: int
    staff_id: str
    yen: int


class CashCountKind(StrEnum):
    REFILL = "refill"  # change put into the unit (hoppers, recyclers)
    COLLECTION = "collection"  # money taken out of the cash box


@dataclass(frozen=True)
class CashCounted:
    """One denomination of a refill or collection: the pieces staff counted, and the pieces
    the unit itself counted for the same operation (None: the unit cannot say). A difference
    is recorded as it is, never corrected."""

    count_id: str  # groups the denominations of one refill or collection
    kind: CashCountKind
    staff_id: str
    denomination: int  # yen
    counted: int  # pieces
    unit_count: int | None  # pieces

    @property
    def difference(self) -> int | None:
        """Pieces counted minus pieces the unit counted (None when the unit cannot say)."""
        return None if self.unit_count is None else self.counted - self.unit_count


class ClosingStep(StrEnum):
    """The steps of closing a business day, in order; each is journaled once it is done, so a
    closing that a power cut interrupted resumes after the last one (kiosk/operations)."""

    STARTED = "started"
    CENTER = "center"  # the center's settlement of the day was read (detail: its figures)
    CENTER_MISSING = "center_missing"  # closed without it (the center could not be reached)
    RECONCILED = "reconciled"  # detail: lines, differences, unexplained
    EXPORTED = "exported"  # the CSV beside the journal (detail: its file name)
    PRINTED = "printed"  # the day report printed (detail: the CUPS job id)
    PRINT_FAILED = "print_failed"  # detail: the printer fault; it can be printed again
    DONE = "done"


@dataclass(frozen=True)
class ClosingRecorded:
    """One step of closing ``business_date``."""

    business_date: date
    step: ClosingStep
    staff_id: str
    detail: str = ""


@dataclass(frozen=True)
class ServiceChanged:
    """Staff took the kiosk out of service (``stop`` says why; residents see it) or put it back
    (``stop`` None). The last one holds across restarts."""

    staff_id: str
    stop: ServiceStop | None


# Who paid an owed entry the fee acceptor itself paid late (OwedPaidLate): no staff id is this.
PAID_BY_KIOSK = "(kiosk)"


@dataclass(frozen=True)
class OwedPaidLate:
    """The fee acceptor answered a payout of ``yen`` in full after the kiosk had given up on
    it (the refund watchdog, which recorded it owed by staff, P-413): the machine paid the
    resident after all, so the owed entry of that transaction for that amount closes as paid by
    the kiosk (PAID_BY_KIOSK) — staff must not pay it a second time. With no such entry open
    (the watchdog could not journal it), nothing is written: the audit log has the result."""

    txn_id: str
    yen: int

    @property
    def staff_id(self) -> str:
        return PAID_BY_KIOSK


OperationsRecord = OwedPaidBack | OwedPaidLate | CashCounted | ClosingRecorded | ServiceChanged


@dataclass(frozen=True)
class OwedEntry:
    """Money the kiosk owes a resident (a ``StaffOwed`` step), and whether staff paid it."""

    entry: int  # the journal's number of the entry (stable, printed on the slip)
    txn_id: str  # the reference staff and the resident's slip carry
    at: datetime  # when the kiosk recorded it
    yen: int
    code: OwedCode  # the cause (P-411 change short, P-412 refund short, …)
    paid_at: datetime | None = None
    paid_by: str | None = None
    paid_yen: int = 0

    @property
    def open(self) -> bool:
        return self.paid_at is None


@dataclass(frozen=True)
class ClosingState:
    """What the journal says of closing one business day: the steps done, in order."""

    business_date: date
    steps: tuple[ClosingRecorded, ...]

    def done(self, step: ClosingStep) -> bool:
        return any(record.step is step for record in self.steps)

    @property
    def finished(self) -> bool:
        return self.done(ClosingStep.DONE)

    @property
    def interrupted(self) -> bool:
        """Started and not finished: a power cut or a restart came in between."""
        return bool(self.steps) and not self.finished


__all__ = [
    "PAID_BY_KIOSK",
    "CashCountKind",
    "CashCounted",
    "ClosingRecorded",
    "ClosingState",
    "ClosingStep",
    "OperationsRecord",
    "OwedEntry",
    "OwedPaidBack",
    "OwedPaidLate",
    "ServiceChanged",
]
