"""Reconcile a business day: the kiosk's journal against the center's settlement, transaction
by transaction. Pure: journal summaries and owed entries in, lines and totals out.

The key is the issuance id (``IssuanceReceived`` in the journal, ``items`` of the v3
settlement); the day is the center's business day (docs/center-protocol.md, "Settlement").
Each line is **matched** (both sides agree), **explained** (they differ for a reason the
journal shows: a completion report still on its way, a refund the center lists as pending
that staff paid back or still owe), or **unexplained** (a difference nobody can account for:
an issuance only one side knows, copies or amounts that disagree, money the journal cannot
place). Staff see every line that is not matched, with its notes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from kiosk.center import wire
from kiosk.journal.operations import OwedEntry
from kiosk.journal.summary import ItemSummary, TransactionSummary


class LineStatus(StrEnum):
    MATCHED = "matched"
    EXPLAINED = "explained"
    UNEXPLAINED = "unexplained"


class Note(StrEnum):
    """Why a line is not matched (a stable code; the staff screens and the report word it)."""

    # unexplained
    NOT_AT_CENTER = "not_at_center"  # the journal's issuance is not in the center's day
    NOT_IN_JOURNAL = "not_in_journal"  # the center lists an issuance the journal lacks
    REPORT_LOST = "report_lost"  # the kiosk's report was acknowledged; the center has none
    COPIES_DIFFER = "copies_differ"
    PAID_DIFFERS = "paid_differs"
    REFUND_DIFFERS = "refund_differs"
    PAYMENT_PLACE_DIFFERS = "payment_place_differs"
    UNSETTLED = "unsettled"  # money the journal can place nowhere (kept, returned or owed)
    # explained
    REPORT_PENDING = "report_pending"  # the completion report is still being sent
    OWED_PAID_BACK = "owed_paid_back"  # the kiosk owed money; staff paid it back
    OWED_OPEN = "owed_open"  # the kiosk owes money staff have not paid back yet
    CENTER_MISSING = "center_missing"  # closed without the center's settlement

    @property
    def explains(self) -> bool:
        return self in _EXPLAINING


_EXPLAINING = frozenset(
    {Note.REPORT_PENDING, Note.OWED_PAID_BACK, Note.OWED_OPEN, Note.CENTER_MISSING}
)


@dataclass(frozen=True)
class KioskSide:
    """One transaction as the journal tells it (amounts in yen)."""

    txn_id: str
    kind: str
    copies: int
    fee_per_copy_yen: int
    copies_printed: int
    paid_yen: int  # the fee once the amount due was reached (0: never paid at the kiosk)
    kept_yen: int  # fee × copies printed, when paid
    received_yen: int
    change_yen: int
    refunded_yen: int
    owed_yen: int
    paid_back_yen: int
    unsettled_yen: int
    reported: bool  # the completion report was acknowledged by the center
    # A basket's item (each is its own issuance, its own line): the money above is the
    # transaction's, on every line of it, and counted in the day's totals on item 1's only.
    item: int = 1


@dataclass(frozen=True)
class CenterSide:
    """One issuance as the center settled it."""

    issuance_id: str
    municipality_code: str
    copies: int
    fee_per_copy_yen: int
    completion: wire.CompletionReport | None


@dataclass(frozen=True)
class Line:
    issuance_id: str | None
    kiosk: KioskSide | None
    center: CenterSide | None
    status: LineStatus
    notes: tuple[Note, ...]

    @property
    def txn_id(self) -> str:
        return self.kiosk.txn_id if self.kiosk is not None else ""


@dataclass(frozen=True)
class Totals:
    """The day's figures, both sides (center figures None when its settlement is missing)."""

    transactions: int
    kiosk_kept_yen: int
    kiosk_received_yen: int
    kiosk_change_yen: int
    kiosk_refunded_yen: int
    owed_yen: int
    paid_back_yen: int
    owed_open_yen: int
    center_issuances: int | None
    center_fees_yen: int | None  # collected at the kiosk for the municipalities
    center_store_fee_yen: int | None
    center_refund_pending_yen: int | None
    matched: int
    explained: int
    unexplained: int


@dataclass(frozen=True)
class Reconciliation:
    day: date
    center_missing: bool
    lines: tuple[Line, ...]
    totals: Totals

    @property
    def differences(self) -> tuple[Line, ...]:
        """Every line that is not matched, in order (what staff must look at)."""
        return tuple(line for line in self.lines if line.status is not LineStatus.MATCHED)


def kiosk_side(
    summary: TransactionSummary, owed: Sequence[OwedEntry], item: ItemSummary | None = None
) -> KioskSide:
    """The journal's side of one issuance: the transaction's, or one item of its basket."""
    mine = [entry for entry in owed if entry.txn_id == summary.txn_id]
    if item is None:
        item = summary.basket[0]
    paid = item.fee_per_copy_yen * item.copies if summary.paid_in_full else 0
    kept = summary.kept_yen if len(summary.basket) == 1 else item.printed_fee_yen
    return KioskSide(
        txn_id=summary.txn_id,
        kind=item.kind,
        copies=item.copies,
        fee_per_copy_yen=item.fee_per_copy_yen,
        copies_printed=item.copies_printed,
        paid_yen=paid,
        kept_yen=kept if summary.paid_in_full else 0,
        received_yen=summary.received_yen,
        change_yen=summary.change_dispensed_yen,
        refunded_yen=summary.refunded_yen,
        owed_yen=summary.staff_owed_yen,
        paid_back_yen=sum(entry.paid_yen for entry in mine if not entry.open),
        unsettled_yen=summary.unsettled_yen,
        reported=item.report is not None,
        item=item.item,
    )


def reconcile(
    day: date,
    transactions: Iterable[TransactionSummary],
    owed: Sequence[OwedEntry],
    settlement: wire.Settlement | None,
) -> Reconciliation:
    """The day's lines: every journal transaction that took money or got an issuance, and every
    issuance of the center's day; matched by issuance id. ``owed`` are the owed entries (paid
    or not) of the journal; ``settlement`` None: the center could not be reached."""
    items = {item.issuance_id: item for item in settlement.items} if settlement else {}
    owed_by_txn: dict[str, list[OwedEntry]] = {}
    for entry in owed:  # the journal's entries of every day: looked up by transaction below
        owed_by_txn.setdefault(entry.txn_id, []).append(entry)
    lines: list[Line] = []
    seen: set[str] = set()
    for summary in transactions:
        if not summary.issuance_id and not summary.received_yen and not summary.staff_owed_yen:
            continue  # nothing issued, nothing paid: nothing to reconcile
        for basket_item in summary.basket:  # one line per issuance (a basket has several)
            if basket_item.item > 1 and not basket_item.issuance_id:
                continue  # a further item never issued: item 1's line holds the money
            mine = owed_by_txn.get(summary.txn_id, ())
            kiosk = kiosk_side(summary, mine, basket_item)
            item = items.get(basket_item.issuance_id or "")
            if item is not None:
                seen.add(item.issuance_id)
            center = _center_side(item)
            lines.append(_line(basket_item.issuance_id, kiosk, center, settlement is None))
    for issuance_id, item in items.items():
        if issuance_id not in seen:
            lines.append(_line(issuance_id, None, _center_side(item), False))
    return Reconciliation(day, settlement is None, tuple(lines), _totals(lines, settlement))


def _center_side(item: wire.SettlementItem | None) -> CenterSide | None:
    if item is None:
        return None
    return CenterSide(
        item.issuance_id,
        item.municipality_code,
        item.copies,
        item.fee_yen_per_copy,
        item.completion,
    )


def _line(
    issuance_id: str | None, kiosk: KioskSide | None, center: CenterSide | None, missing: bool
) -> Line:
    notes: list[Note] = []
    if kiosk is not None:
        if kiosk.unsettled_yen:
            notes.append(Note.UNSETTLED)
        if kiosk.owed_yen:
            notes.append(
                Note.OWED_OPEN if kiosk.paid_back_yen < kiosk.owed_yen else Note.OWED_PAID_BACK
            )
    if missing:
        notes.append(Note.CENTER_MISSING)
    elif kiosk is None:
        notes.append(Note.NOT_IN_JOURNAL)
    elif issuance_id and center is None:
        notes.append(Note.NOT_AT_CENTER)
    elif center is not None:
        notes += _compare(kiosk, center)
    if not notes:
        status = LineStatus.MATCHED
    elif all(note.explains for note in notes):
        status = LineStatus.EXPLAINED
    else:
        status = LineStatus.UNEXPLAINED
    return Line(issuance_id, kiosk, center, status, tuple(notes))


def _compare(kiosk: KioskSide, center: CenterSide) -> list[Note]:
    report = center.completion
    if report is None:
        return [Note.REPORT_LOST if kiosk.reported else Note.REPORT_PENDING]
    notes: list[Note] = []
    if report.copies_printed != kiosk.copies_printed:
        notes.append(Note.COPIES_DIFFER)
    counter = report.payment is wire.PaymentPlace.COUNTER
    # Printed without a fee paid at the kiosk: a city-hall counter payment (or a free one).
    printed_unpaid = kiosk.paid_yen == 0 and kiosk.fee_per_copy_yen > 0
    if report.copies_printed and counter != printed_unpaid:
        notes.append(Note.PAYMENT_PLACE_DIFFERS)
    if report.amount_paid_yen != kiosk.paid_yen and not counter:
        notes.append(Note.PAID_DIFFERS)
    given_back = report.amount_refunded_yen + report.refund_pending_yen
    if not counter and given_back != kiosk.paid_yen - kiosk.kept_yen:
        notes.append(Note.REFUND_DIFFERS)
    if report.refund_pending_yen > kiosk.owed_yen:  # (a basket: all its items' owed)
        notes.append(Note.REFUND_DIFFERS)  # the center says more is owed than the journal does
    return list(dict.fromkeys(notes))


def _totals(lines: Sequence[Line], settlement: wire.Settlement | None) -> Totals:
    # A transaction's money once, on its first line (a basket has a line per item).
    kiosk = [line.kiosk for line in lines if line.kiosk is not None and line.kiosk.item == 1]
    owed = sum(side.owed_yen for side in kiosk)
    paid_back = sum(side.paid_back_yen for side in kiosk)
    return Totals(
        transactions=len(kiosk),
        kiosk_kept_yen=sum(side.kept_yen for side in kiosk),
        kiosk_received_yen=sum(side.received_yen for side in kiosk),
        kiosk_change_yen=sum(side.change_yen for side in kiosk),
        kiosk_refunded_yen=sum(side.refunded_yen for side in kiosk),
        owed_yen=owed,
        paid_back_yen=paid_back,
        owed_open_yen=owed - paid_back,
        center_issuances=settlement.issuances if settlement else None,
        center_fees_yen=settlement.municipality_fees_yen if settlement else None,
        center_store_fee_yen=settlement.store_fee_yen if settlement else None,
        center_refund_pending_yen=settlement.refund_pending_yen if settlement else None,
        matched=sum(line.status is LineStatus.MATCHED for line in lines),
        explained=sum(line.status is LineStatus.EXPLAINED for line in lines),
        unexplained=sum(line.status is LineStatus.UNEXPLAINED for line in lines),
    )


__all__ = [
    "CenterSide",
    "KioskSide",
    "Line",
    "LineStatus",
    "Note",
    "Reconciliation",
    "Totals",
    "kiosk_side",
    "reconcile",
]
