"""The start-up recovery of a basket (several certificates in one visit) from a real journal
file: the money of the items not known to be printed is owed by staff once, each item whose
issuance the center holds gets its own report — which the center's own check accepts — and the
transaction closes once every item's report is acknowledged."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.center import wire
from kiosk.flow import effects as fx
from kiosk.flow.state import PaymentMode
from kiosk.journal import (
    ChangeIntent,
    ChangeOutcome,
    CloseReason,
    IssuanceReceived,
    ItemAdded,
    Journal,
    JournalError,
    MoneyIn,
    PaymentIntent,
    PaymentOutcome,
    PrintIntent,
    PrintOutcome,
    RefundCause,
    RefundIntent,
    RefundOutcome,
    ReportIntent,
    ReportOutcome,
    StaffOwed,
    TransactionOpened,
    item_key,
)
from kiosk.journal.records import Step
from kiosk.problems import OwedCode
from kiosk.runtime.center import completion_report
from kiosk.runtime.print_recovery import (
    InterruptedPrint,
    PrintSettlement,
    interrupted_prints,
    record_settlement,
)
from kiosk.runtime.recovery import (
    finish_recovered,
    recover_open_transactions,
    recover_transaction,
)
from printing.faults import PrinterFault

TXN = "boot-000007"
AT = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


def basket(journal: Journal, *, paid: bool = True) -> None:
    """住民票 ×1 (300) and 印鑑 ×2 (300 each), issued and composed; paid 1000 for 900."""
    journal.write(TransactionOpened(TXN, "issue", "juminhyo", 1, 300))
    journal.write(ItemAdded(TXN, 2, "inkan", 2, 300))
    journal.write(IssuanceReceived(TXN, "ISS-A", 2, None, 1))
    journal.write(IssuanceReceived(TXN, "ISS-B", 2, None, 2))
    journal.write(PaymentIntent(TXN, 900))
    journal.write(MoneyIn(TXN, 1000))
    if paid:
        journal.write(PaymentOutcome(TXN, 1000))
        journal.write(ChangeIntent(TXN, 100))
        journal.write(ChangeOutcome(TXN, 100, 100))


def check(report: fx.ReportCompletion, copies: int, fee: int) -> None:
    body = completion_report(report, AT)
    assert wire.CompletionReport.from_wire(wire.loads(wire.dumps(body.to_wire()))) == body
    assert body.problem(copies, fee) is None, body


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "journal.sqlite")


def test_the_first_item_printed_the_second_in_doubt(journal: Journal) -> None:
    basket(journal)
    journal.write(PrintIntent(TXN, 1, "d1", 1))
    journal.write(PrintOutcome(TXN, 1, None, 1))
    journal.write(PrintIntent(TXN, 2, "d2", 2))  # the kiosk died while it printed
    summary = journal.summary(TXN)
    assert summary.kept_yen == 300
    assert summary.unsettled_yen == 600
    reports = recover_open_transactions(journal, "kiosk-0001")
    assert [(r.txn_id, r.report.outcome, r.report.copies_printed) for r in reports] == [
        (TXN, fx.Completion.PRINTED, 1),
        (item_key(TXN, 2), fx.Completion.FAILED, 0),
    ]
    first, second = reports
    assert (first.report.amount_paid_yen, first.report.refund_pending_yen) == (300, 0)
    assert (second.report.amount_paid_yen, second.report.refund_pending_yen) == (600, 600)
    assert second.report.interrupted  # the restart is the reason
    check(first.report, 1, 300)
    check(second.report, 2, 300)
    assert (first.issuance.issuance_id, second.issuance.issuance_id) == ("ISS-A", "ISS-B")
    summary = journal.summary(TXN)
    assert summary.staff_owed_yen == 600  # item 2's fees, owed once
    assert summary.unsettled_yen == 0
    finish_recovered(journal, second, True, "kiosk-0001")
    assert journal.summary(TXN).closed is None  # item 1's report still to come
    finish_recovered(journal, first, True, "kiosk-0001")
    closed = journal.summary(TXN)
    assert closed.closed is CloseReason.STAFF
    assert [i.report for i in closed.items] == ["printed", "failed"]


def test_a_report_the_center_has_is_not_sent_again(journal: Journal) -> None:
    basket(journal)
    journal.write(PrintIntent(TXN, 1, "d1", 1))
    journal.write(PrintOutcome(TXN, 1, None, 1))
    journal.write(PrintIntent(TXN, 2, "d2", 2))
    journal.write(PrintOutcome(TXN, 2, None, 2))
    journal.write(ReportIntent(TXN, "printed", 1, 1))
    journal.write(ReportIntent(TXN, "printed", 2, 2))
    journal.write(ReportOutcome(TXN, True, 2))  # item 2 acknowledged before the crash
    [again] = recover_open_transactions(journal, "kiosk-0001")
    assert again.txn_id == TXN
    assert again.item == 1
    assert journal.summary(TXN).staff_owed_yen == 0  # all printed: nothing owed
    finish_recovered(journal, again, True, "kiosk-0001")
    assert journal.summary(TXN).closed is CloseReason.RECOVERED


def test_a_jam_in_the_second_item_refunded_in_part(journal: Journal) -> None:
    basket(journal)
    journal.write(PrintIntent(TXN, 1, "d1", 1))
    journal.write(PrintOutcome(TXN, 1, None, 1))
    journal.write(PrintIntent(TXN, 2, "d2", 2))
    journal.write(PrintOutcome(TXN, 1, PrinterFault.JAM, 2))  # one of two copies out
    journal.write(RefundIntent(TXN, 300, RefundCause.CANCELLED))
    journal.write(RefundOutcome(TXN, 300, 200))  # short by 100
    journal.write(StaffOwed(TXN, 100, OwedCode.REFUND_SHORT))
    first, second = recover_open_transactions(journal, "kiosk-0001")
    assert first.report.outcome is fx.Completion.PRINTED
    assert second.report.outcome is fx.Completion.FAILED
    assert second.report.print_fault is PrinterFault.JAM
    assert (second.report.amount_refunded_yen, second.report.refund_pending_yen) == (200, 100)
    check(first.report, 1, 300)
    check(second.report, 2, 300)
    assert journal.summary(TXN).staff_owed_yen == 100  # nothing owed twice


def test_unpaid_basket_is_cancelled_item_by_item(journal: Journal) -> None:
    basket(journal, paid=False)  # 1000 in, the payment never completed
    reports = recover_open_transactions(journal, "kiosk-0001")
    assert [r.report.outcome for r in reports] == [fx.Completion.CANCELLED] * 2
    for report, copies in zip(reports, (1, 2), strict=True):
        assert report.report.amount_paid_yen == 0
        check(report.report, copies, 300)
    assert journal.summary(TXN).staff_owed_yen == 1000


def test_a_counter_kiosk_basket(journal: Journal) -> None:
    journal.write(TransactionOpened(TXN, "issue", "juminhyo", 1, 300))
    journal.write(ItemAdded(TXN, 2, "inkan", 2, 300))
    journal.write(IssuanceReceived(TXN, "ISS-A", 2, None, 1))
    journal.write(IssuanceReceived(TXN, "ISS-B", 2, None, 2))
    journal.write(PrintIntent(TXN, 1, "d1", 1))
    journal.write(PrintOutcome(TXN, 1, None, 1))
    reports = recover_open_transactions(journal, "kiosk-0001", payment=PaymentMode.COUNTER)
    assert [(r.report.outcome, r.report.payment) for r in reports] == [
        (fx.Completion.PRINTED, PaymentMode.COUNTER),
        (fx.Completion.FAILED, PaymentMode.COUNTER),
    ]
    for report, copies in zip(reports, (1, 2), strict=True):
        check(report.report, copies, 300)


def test_the_interrupted_print_is_the_items(journal: Journal) -> None:
    basket(journal)
    journal.write(PrintIntent(TXN, 1, "d1", 1))
    journal.write(PrintOutcome(TXN, 1, None, 1))
    journal.write(PrintIntent(TXN, 2, "d2", 2))
    [found] = interrupted_prints(journal)
    assert found == InterruptedPrint(TXN, "d2", 2, 2, 2)
    record_settlement(journal, found, PrintSettlement(1, PrinterFault.CANCELLED, (7,)))
    summary = journal.summary(TXN)
    assert [i.copies_printed for i in summary.items] == [1, 1]
    assert not [p for p in summary.pending if p.step is Step.PRINT]
    record_settlement(journal, found, PrintSettlement(1, PrinterFault.CANCELLED, (7,)))  # once
    assert journal.summary(TXN).items[1].copies_printed == 1


def test_the_journal_refuses_a_basket_out_of_order(journal: Journal) -> None:
    journal.write(TransactionOpened(TXN, "issue", "juminhyo", 1, 300))
    with pytest.raises(JournalError, match="out of order"):
        journal.write(ItemAdded(TXN, 3, "inkan", 1, 300))
    with pytest.raises(JournalError, match="copies > 0"):
        journal.write(ItemAdded(TXN, 2, "inkan", 0, 300))
    journal.write(ItemAdded(TXN, 2, "inkan", 1, 300))
    with pytest.raises(JournalError, match="no item 3"):
        journal.write(PrintIntent(TXN, 1, "d", 3))
    journal.write(PaymentIntent(TXN, 600))
    with pytest.raises(JournalError, match="after its first step"):
        journal.write(ItemAdded(TXN, 3, "inkan", 1, 300))
    with pytest.raises(JournalError, match="without an intent"):
        journal.write(PrintOutcome(TXN, 1, None, 2))  # item 2 has no print intent


def test_the_second_report_is_sent_after_the_first_was_acknowledged(journal: Journal) -> None:
    basket(journal)
    journal.write(PrintIntent(TXN, 1, "d1", 1))
    journal.write(PrintOutcome(TXN, 1, None, 1))
    journal.write(PrintIntent(TXN, 2, "d2", 2))
    journal.write(PrintOutcome(TXN, 2, None, 2))
    journal.write(ReportIntent(TXN, "printed", 1, 1))
    journal.write(ReportOutcome(TXN, True, 1))  # item 1 acknowledged, item 2 not yet asked
    [again] = recover_open_transactions(journal, "kiosk-0001")
    assert (again.txn_id, again.item) == (item_key(TXN, 2), 2)
    assert journal.summary(TXN).closed is None
    finish_recovered(journal, again, True, "kiosk-0001")
    assert journal.summary(TXN).closed is CloseReason.RECOVERED


def test_a_refund_paid_back_in_part_counts_against_the_items_in_order(journal: Journal) -> None:
    basket(journal)
    journal.write(PrintIntent(TXN, 1, "d1", 1))
    journal.write(PrintOutcome(TXN, 0, PrinterFault.JAM, 1))  # nothing out of either item
    journal.write(RefundIntent(TXN, 900, RefundCause.CANCELLED))
    journal.write(RefundOutcome(TXN, 900, 400))  # short by 500
    journal.write(StaffOwed(TXN, 500, OwedCode.REFUND_SHORT))
    first, second = recover_open_transactions(journal, "kiosk-0001")
    assert [r.report.outcome for r in (first, second)] == [fx.Completion.FAILED] * 2
    # Item 1's 300 paid back in full, item 2 gets the other 100 of the 400 and owes 500.
    assert (first.report.amount_refunded_yen, first.report.refund_pending_yen) == (300, 0)
    assert (second.report.amount_refunded_yen, second.report.refund_pending_yen) == (100, 500)
    check(first.report, 1, 300)
    check(second.report, 2, 300)


def test_a_transaction_with_nothing_to_report_is_closed(journal: Journal) -> None:
    journal.write(TransactionOpened(TXN, "issue", "juminhyo", 1, 300))
    journal.write(ItemAdded(TXN, 2, "inkan", 1, 0))  # a free certificate is an item too
    assert [i.fee_per_copy_yen for i in journal.summary(TXN).items] == [300, 0]
    for copies, fee in ((0, 300), (1, -1)):  # refused by the store's own check, not the table's
        with pytest.raises(JournalError, match=r"^an item needs copies > 0 and a fee >= 0$"):
            journal.write(ItemAdded(TXN, 3, "inkan", copies, fee))
    assert recover_transaction(journal, journal.summary(TXN), "kiosk-0001") is None
    assert journal.summary(TXN).closed is CloseReason.RECOVERED
