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
    item: int = 1  # the basket item of a print or report step (money steps: 1)


@dataclass(frozen=True)
class ItemSummary:
    """One certificate of the transaction's basket (item 1 is the transaction's own row; a
    one-certificate visit has only it): what was asked, issued, printed and reported."""

    item: int
    kind: str
    copies: int
    fee_per_copy_yen: int
    copies_printed: int = 0
    issuance_id: str | None = None
    sides_per_copy: int = 0
    print_fault: PrinterFault | None = None
    report: str | None = None  # the acknowledged completion report's outcome, if any

    @property
    def printed_fee_yen(self) -> int:
        return self.copies_printed * self.fee_per_copy_yen


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
    # Every certificate of the visit, item 1 first (its fields above are item 1's): a basket
    # has more than one. Empty only for a summary built by hand from the fields above.
    items: tuple[ItemSummary, ...] = ()

    @property
    def basket(self) -> tuple[ItemSummary, ...]:
        """The items, or item 1 made of the fields above when none were given."""
        if self.items:
            return self.items
        return (
            ItemSummary(
                1,
                self.kind,
                self.copies,
                self.fee_per_copy_yen,
                self.copies_printed,
                self.issuance_id,
                self.sides_per_copy,
                self.print_fault,
                self.report,
            ),
        )

    @property
    def total_fee_yen(self) -> int:
        """The fee of every copy of every item (what one payment covers)."""
        return sum(item.fee_per_copy_yen * item.copies for item in self.basket)

    @property
    def business_day(self) -> date:
        """The day the transaction is closed with: the center's business day, else the JST
        date it was opened on (no issuance, or a journal of an older kiosk)."""
        if self.business_date is not None:
            return self.business_date
        return self.opened_at.astimezone(JST).date()

    @property
    def kept_yen(self) -> int:
        """The fee for what was printed (of every item): the only money the kiosk may keep."""
        return min(self.received_yen, sum(item.printed_fee_yen for item in self.basket))

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


__all__ = ["JST", "ItemSummary", "PendingStep", "TransactionSummary"]
