"""What the journal tells of one transaction, replayed from its steps (kiosk/journal/store.py
makes them). Plain values: no SQLite here, so the pure modules may use the type."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from kiosk.journal.records import CloseReason, Step
from printing.faults import PrinterFault

JST = timezone(timedelta(hours=9), "JST")  # a Japanese kiosk's business day


@dataclass(frozen=True)
class PendingStep:
    """An intent without its outcome: the step may or may not have happened before a crash.

    ``ordinal``: the intent's number among its transaction's intents of that step (1, 2, …),
    which names it to the fee acceptor (kiosk.runtime.runner.payout_ref)."""

    step: Step
    requested_yen: int
    count: int
    code: str
    ordinal: int = field(default=0, compare=False)


@dataclass(frozen=True)
class TransactionSummary:
    """Everything the journal knows about one transaction, replayed from its steps."""

    txn_id: str
    opened_at: datetime
    service: str
    kind: str
    copies: int
    fee_per_copy_yen: int
    amount_due_yen: int  # 0 until a payment intent
    received_yen: int  # money taken in
    paid_in_full: bool
    change_dispensed_yen: int
    refunded_yen: int
    staff_owed_yen: int
    copies_printed: int
    report: str | None  # the last acknowledged completion report, if any
    issuance_id: str | None  # the center's id of the issuance, once the data arrived
    print_fault: PrinterFault | None  # the last print outcome's fault, if it had one
    pending: tuple[PendingStep, ...]
    closed: CloseReason | None
    sides_per_copy: int = 0  # printed page sides per copy, from the issuance (0: unknown)
    # Of refunded_yen, the stray pieces given back (never a fee: the completion report's
    # refunded fees leave them out).
    stray_refunded_yen: int = 0
    # The center's business day of the issuance (IssuanceReceived; None before protocol v3 or
    # before the certificate data arrived).
    business_date: date | None = None

    @property
    def business_day(self) -> date:
        """The day the transaction is closed with: the center's business day, else the JST
        date it was opened on (no issuance, or a journal of an older kiosk)."""
        if self.business_date is not None:
            return self.business_date
        return self.opened_at.astimezone(JST).date()

    @property
    def kept_yen(self) -> int:
        """The fee for what was printed: the only money the kiosk may keep."""
        return min(self.received_yen, self.copies_printed * self.fee_per_copy_yen)

    @property
    def unsettled_yen(self) -> int:
        """Money taken in that is neither kept, nor given back, nor owed by staff yet."""
        return (
            self.received_yen
            - self.kept_yen
            - self.change_dispensed_yen
            - self.refunded_yen
            - self.staff_owed_yen
        )


__all__ = ["JST", "PendingStep", "TransactionSummary"]
