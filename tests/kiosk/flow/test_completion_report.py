"""What ``ReportCompletion`` says: the fees paid, refunded and owed by staff for this issuance
(never change, stray coins or an unfinished payment), the printer's fault, the payment place;
and the reports that stay pending while the runner retries them."""

from __future__ import annotations

from kiosk.flow import effects as fx
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.journal import records as jr
from kiosk.payment import ChangeDispensed, Denomination, MoneyInserted, MoneyRefunded
from printing.faults import PrinterFault
from tests.kiosk.flow.conftest import Driver, journal_records, of_type

KIOSK = st.PaymentMode.ACCEPTOR
COUNTER = st.PaymentMode.COUNTER
F = ev.CenterFailure


def reports(driver: Driver) -> list[fx.ReportCompletion]:
    return [e for _, _, _, effects in driver.history for e in of_type(effects, fx.ReportCompletion)]


def adds_up(report: fx.ReportCompletion, fee_per_copy: int = 300) -> bool:
    given_back = report.amount_refunded_yen + report.refund_pending_yen
    return given_back == report.amount_paid_yen - fee_per_copy * report.copies_printed


def test_a_printed_issuance_kept_its_whole_fee(driver: Driver) -> None:
    driver.to_printing(copies=2, inserted=(500, 500))  # 600 due, 400 change
    driver.send(ChangeDispensed(400, 400), ev.PrintFinished(4))
    [report] = reports(driver)
    assert report == fx.ReportCompletion(driver.txn_id, fx.Completion.PRINTED, 2, KIOSK, 600, 0, 0)
    assert report.failure_reason is None
    assert adds_up(report)


def test_a_short_fee_refund_is_pending_for_staff(driver: Driver) -> None:
    driver.to_printing(copies=3, inserted=(500, 500))  # 900 due, 100 change
    driver.send(ChangeDispensed(100, 100), ev.PrintFailed(PrinterFault.JAM, 1))
    driver.send(MoneyRefunded(600, 250))  # the acceptor ran short
    [report] = reports(driver)
    assert (report.amount_paid_yen, report.amount_refunded_yen, report.refund_pending_yen) == (
        900,
        250,
        350,
    )
    assert report.copies_printed == 1
    assert report.failure_reason == "jam"
    assert adds_up(report)


def test_change_and_stray_coins_are_not_fees(driver: Driver) -> None:
    driver.to_printing(copies=1, inserted=(1000,))  # 300 due, 700 change
    txn = driver.txn_id
    driver.send(ChangeDispensed(700, 500))  # 200 change short: owed by staff, not a fee
    driver.send(MoneyInserted(Denomination.Y10))  # a coin dropped late: goes back
    driver.send(MoneyRefunded(10, 0))  # and cannot: owed by staff, not a fee either
    driver.send(ev.PrintFailed(PrinterFault.OUT_OF_PAPER, 0))
    driver.send(MoneyRefunded(300, 300))
    [report] = reports(driver)
    assert report == fx.ReportCompletion(
        txn, fx.Completion.FAILED, 0, KIOSK, 300, 300, 0, PrinterFault.OUT_OF_PAPER
    )
    money = driver.state.txn.money
    assert money.staff_owed_yen == 210  # the ledger still holds all of it
    assert adds_up(report)


def test_an_unfinished_payment_returned_is_no_fee(driver: Driver) -> None:
    driver.to_payment()
    driver.send(MoneyInserted(Denomination.Y100), ev.Cancel(), MoneyRefunded(100, 40))
    [report] = reports(driver)
    assert report == fx.ReportCompletion(driver.txn_id, fx.Completion.CANCELLED, 0, KIOSK, 0, 0, 0)
    assert report.failure_reason == "cancelled"
    assert driver.state.txn.money.staff_owed_yen == 60  # for staff, not the center's business


def test_a_fee_refund_never_answered_is_owed_by_staff(driver: Driver) -> None:
    driver.to_printing(copies=2, inserted=(100,) * 6)
    driver.send(ev.PrintFailed(PrinterFault.DOOR_OPEN, 1))  # one side per copy here: one copy out
    assert isinstance(driver.screen, st.Refunding)
    driver.fire()  # the refund watchdog: the acceptor never answers
    assert isinstance(driver.screen, st.OwedSlip)
    assert isinstance(driver.screen.then, st.OutOfService)
    [report] = reports(driver)
    assert report == fx.ReportCompletion(
        driver.txn_id, fx.Completion.FAILED, 1, KIOSK, 600, 0, 300, "door_open"
    )
    assert adds_up(report)


def test_a_failure_after_some_copies_reports_the_fault(driver: Driver) -> None:
    driver.to_fetching(copies=3)
    driver.send(driver.issued(900, sides_per_copy=2), driver.ready())
    driver.send(*(MoneyInserted(Denomination.Y500) for _ in range(2)))
    driver.send(ChangeDispensed(100, 100))
    driver.send(ev.PrintFailed(PrinterFault.TONER_EMPTY, 3))  # 3 sides: one whole copy
    assert driver.state.txn.copies_printed == 1
    driver.fire()  # no refund answer: owed by staff
    [report] = reports(driver)
    assert report.print_fault == "toner_empty"
    assert (report.copies_printed, report.amount_paid_yen) == (1, 900)
    assert (report.amount_refunded_yen, report.refund_pending_yen) == (0, 600)
    assert adds_up(report)


def test_counter_payment_reports_no_money(counter_driver: Driver) -> None:
    counter_driver.to_fetching(copies=2)
    txn = counter_driver.txn_id
    counter_driver.send(counter_driver.issued(600, 2), counter_driver.ready(), ev.PrintFinished(4))
    [report] = reports(counter_driver)
    assert report == fx.ReportCompletion(txn, fx.Completion.PRINTED, 2, COUNTER, 0, 0, 0)


def test_counter_payment_print_failure(counter_driver: Driver) -> None:
    counter_driver.to_fetching(copies=2)
    txn = counter_driver.txn_id
    counter_driver.send(counter_driver.issued(600, 2), counter_driver.ready())
    counter_driver.send(ev.PrintFailed(PrinterFault.JAM, 2))
    assert isinstance(counter_driver.screen, st.Fault)  # nothing to refund
    [report] = reports(counter_driver)
    assert report == fx.ReportCompletion(
        txn, fx.Completion.FAILED, 1, COUNTER, 0, 0, 0, PrinterFault.JAM
    )


def test_counter_payment_print_failure_waits_for_a_stray_coin_going_back(
    counter_driver: Driver,
) -> None:
    """A coin dropped at a counter kiosk goes back; a print failure meanwhile must not close the
    transaction before the refund's result is journaled (found by the flow's property test)."""
    counter_driver.to_fetching(copies=1)
    txn = counter_driver.txn_id
    counter_driver.send(counter_driver.issued(300), MoneyInserted(Denomination.Y10))
    counter_driver.send(counter_driver.ready(), ev.PrintFailed(PrinterFault.OUT_OF_PAPER, 0))
    assert isinstance(counter_driver.screen, st.Refunding)
    assert reports(counter_driver) == []  # the coin is still on its way back
    effects = counter_driver.send(MoneyRefunded(10, 10))
    assert jr.RefundOutcome(txn, 10, 10) in journal_records(effects)
    [report] = reports(counter_driver)
    assert report == fx.ReportCompletion(
        txn, fx.Completion.FAILED, 0, COUNTER, 0, 0, 0, PrinterFault.OUT_OF_PAPER
    )
    assert isinstance(counter_driver.screen, st.Fault)
    effects = counter_driver.send(ev.CompletionReported(txn))
    assert journal_records(effects)[-1] == jr.TransactionClosed(txn, jr.CloseReason.REFUNDED)


def test_a_deferred_report_stays_pending_and_closes_on_acknowledgement(driver: Driver) -> None:
    driver.to_printing(copies=1, inserted=(100, 100, 100))
    txn = driver.txn_id
    driver.send(ev.PrintFinished(1))
    effects = driver.send(ev.CompletionDeferred(txn, F.UNREACHABLE))
    assert journal_records(effects) == []  # the report intent stays open: nothing is final
    assert [a.record.outcome for a in of_type(effects, fx.Audit)] == ["deferred"]
    assert [p.txn_id for p in driver.state.pending_reports] == [txn]
    # Later residents come and go; the report waits for the center.
    driver.send(ev.Finish())
    driver.to_menu()
    driver.send(ev.Cancel())
    driver.send(ev.CompletionDeferred(txn, F.MAINTENANCE))
    assert [p.txn_id for p in driver.state.pending_reports] == [txn]
    effects = driver.send(ev.CompletionReported(txn))
    assert journal_records(effects) == [
        jr.ReportOutcome(txn, True),
        jr.TransactionClosed(txn, jr.CloseReason.COMPLETED),
    ]
    assert driver.state.pending_reports == ()
    assert driver.send(ev.CompletionReported(txn)) == ()  # once


def test_a_report_the_runner_gave_up_is_left_to_the_next_start(driver: Driver) -> None:
    driver.to_printing(copies=1, inserted=(100, 100, 100))
    txn = driver.txn_id
    driver.send(ev.PrintFinished(1))
    effects = driver.send(ev.CenterFailed(ev.CenterCall.COMPLETE, F.PROTOCOL, "", txn))
    assert journal_records(effects) == [jr.ReportOutcome(txn, False)]  # not closed
    assert driver.state.pending_reports == ()
    assert driver.send(ev.CompletionDeferred(txn, F.UNREACHABLE)) == ()  # no longer ours
