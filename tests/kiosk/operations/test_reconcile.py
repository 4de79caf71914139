"""Reconciling a day transaction by transaction: what matches, what the journal explains,
what nobody can — every difference listed by transaction."""

from __future__ import annotations

from dataclasses import replace

from kiosk.center import wire
from kiosk.operations.reconcile import LineStatus, Note, reconcile
from tests.kiosk.operations.conftest import DAY, FEE, Day


def test_a_day_that_agrees_is_all_matched(day: Day) -> None:
    day.printed("t1")
    day.printed("t2", copies=2)
    result = reconcile(
        DAY,
        day.journal.transactions_of_day(DAY),
        day.journal.owed_entries(open_only=False),
        day.settlement(),
    )
    assert [line.status for line in result.lines] == [LineStatus.MATCHED] * 2
    assert result.differences == ()
    totals = result.totals
    assert (totals.matched, totals.explained, totals.unexplained) == (2, 0, 0)
    assert totals.kiosk_kept_yen == totals.center_fees_yen == 3 * FEE


def test_owed_money_is_explained_open_then_paid_back(day: Day) -> None:
    entry = day.refund_owed("t1")
    result = reconcile(
        DAY, day.journal.transactions_of_day(DAY), day.journal.owed_entries(open_only=False),
        day.settlement(),
    )  # fmt: skip
    (line,) = result.lines
    assert line.status is LineStatus.EXPLAINED
    assert line.notes == (Note.OWED_OPEN,)
    assert result.totals.owed_open_yen == FEE - 100
    from kiosk.journal import OwedPaidBack

    day.journal.write(OwedPaidBack(entry, "1001", FEE - 100))
    result = reconcile(
        DAY, day.journal.transactions_of_day(DAY), day.journal.owed_entries(open_only=False),
        day.settlement(),
    )  # fmt: skip
    (line,) = result.lines
    assert line.notes == (Note.OWED_PAID_BACK,)
    assert result.totals.unexplained == 0
    assert result.totals.owed_open_yen == 0


def test_a_report_on_its_way_is_explained_one_lost_is_not(day: Day) -> None:
    day.unreported("t1")
    result = reconcile(
        DAY, day.journal.transactions_of_day(DAY), day.journal.owed_entries(open_only=False),
        day.settlement(),
    )  # fmt: skip
    assert result.lines[0].notes == (Note.REPORT_PENDING,)
    assert result.lines[0].status is LineStatus.EXPLAINED
    day.printed("t2")
    settlement = day.settlement()
    lost = tuple(
        replace(item, completion=None) if item.issuance_id == "iss-0000-t2" else item
        for item in settlement.items
    )
    result = reconcile(
        DAY, day.journal.transactions_of_day(DAY), day.journal.owed_entries(open_only=False),
        replace(settlement, items=lost),
    )  # fmt: skip
    assert result.lines[1].notes == (Note.REPORT_LOST,)
    assert result.lines[1].status is LineStatus.UNEXPLAINED


def test_a_center_that_disagrees_is_listed_by_transaction(day: Day) -> None:
    day.printed("t1")
    day.printed("t2")
    day.printed("t3")
    settlement = day.settlement()
    items = list(settlement.items)
    # t1: the center counts no copy printed; t2: missing at the center; an issuance the
    # journal never heard of.
    report = items[0].completion
    assert report is not None
    items[0] = replace(
        items[0],
        completion=replace(
            report,
            outcome=wire.CompletionOutcome.FAILED,
            copies_printed=0,
            amount_refunded_yen=FEE,
            failure_reason="jam",
        ),
    )
    del items[1]
    items.append(replace(items[-1], issuance_id="iss-stranger"))
    result = reconcile(
        DAY, day.journal.transactions_of_day(DAY), day.journal.owed_entries(open_only=False),
        replace(settlement, items=tuple(items)),
    )  # fmt: skip
    by_txn = {line.txn_id or line.issuance_id: line for line in result.lines}
    assert Note.COPIES_DIFFER in by_txn["t1"].notes
    assert Note.REFUND_DIFFERS in by_txn["t1"].notes
    assert by_txn["t2"].notes == (Note.NOT_AT_CENTER,)
    assert by_txn["t3"].status is LineStatus.MATCHED
    assert by_txn["iss-stranger"].notes == (Note.NOT_IN_JOURNAL,)
    assert result.totals.unexplained == 3
    assert [line.txn_id or line.issuance_id for line in result.differences] == [
        "t1",
        "t2",
        "iss-stranger",
    ]


def test_without_the_center_every_line_says_so(day: Day) -> None:
    day.printed("t1")
    result = reconcile(
        DAY, day.journal.transactions_of_day(DAY), day.journal.owed_entries(open_only=False), None
    )
    assert result.center_missing
    assert result.lines[0].notes == (Note.CENTER_MISSING,)
    assert result.lines[0].status is LineStatus.EXPLAINED
    assert result.totals.center_fees_yen is None


def test_money_the_journal_cannot_place_is_unexplained(day: Day) -> None:
    from kiosk.journal import MoneyIn, TransactionOpened

    day.journal.write(TransactionOpened("t9", "issue", "juminhyo", 1, FEE))
    day.journal.write(MoneyIn("t9", 100))  # taken in, never returned nor owed
    result = reconcile(
        DAY, day.journal.transactions_of_day(DAY), day.journal.owed_entries(open_only=False),
        day.settlement(),
    )  # fmt: skip
    (line,) = result.lines
    assert Note.UNSETTLED in line.notes
    assert line.status is LineStatus.UNEXPLAINED


def test_a_basket_is_a_line_per_item_and_its_money_is_counted_once(day: Day) -> None:
    """Two certificates in one visit, the second jammed and paid back: each item is its own
    issuance at the center and its own line here, every line matched; the transaction's money
    counts once in the day's totals."""
    from tests.kiosk.operations.conftest import INKAN_FEE

    day.basket_jammed("b1")
    day.printed("t2")
    result = reconcile(
        DAY,
        day.journal.transactions_of_day(DAY),
        day.journal.owed_entries(open_only=False),
        day.settlement(),
    )
    assert [(line.issuance_id, line.status) for line in result.lines] == [
        ("iss-0001-b1", LineStatus.MATCHED),
        ("iss-0002-b1", LineStatus.MATCHED),
        ("iss-0000-t2", LineStatus.MATCHED),
    ]
    kiosk = [line.kiosk for line in result.lines if line.kiosk is not None]
    assert [(k.kind, k.copies, k.copies_printed, k.paid_yen, k.kept_yen) for k in kiosk] == [
        ("juminhyo", 1, 1, FEE, FEE),
        ("inkan", 2, 0, 2 * INKAN_FEE, 0),
        ("juminhyo", 1, 1, FEE, FEE),
    ]
    totals = result.totals
    assert totals.transactions == 2
    assert totals.kiosk_kept_yen == totals.center_fees_yen == 2 * FEE
    assert totals.kiosk_received_yen == 2 * FEE + 2 * INKAN_FEE
    assert totals.kiosk_refunded_yen == 2 * INKAN_FEE
