"""Money and printing failures: refunds, partial prints, jams, short change, counter payment."""

from __future__ import annotations

from kiosk.flow import effects as fx
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.journal import records as jr
from kiosk.payment import (
    AcceptorJammed,
    ChangeDispensed,
    Denomination,
    EscrowHeld,
    EscrowReturned,
    MoneyInserted,
    MoneyRefunded,
    MoneyRejected,
    RejectReason,
)
from kiosk.problems import STAFF_CODE_CHANGE_SHORT, STAFF_CODE_REFUND_SHORT, Problem
from printing.faults import PrinterFault
from tests.kiosk.flow.conftest import Driver, core, journal_records, of_type

KIOSK = st.PaymentMode.ACCEPTOR


def test_out_of_paper_after_payment_refunds_and_reports(driver: Driver) -> None:
    driver.to_printing(copies=1, inserted=(100, 100, 100))
    txn = driver.txn_id
    effects = driver.send(ev.PrintFailed(PrinterFault.OUT_OF_PAPER, 0))
    assert driver.screen == st.Refunding(Problem.PRINTER_OUT_OF_PAPER)
    assert journal_records(effects) == [
        jr.PrintOutcome(txn, 0, PrinterFault.OUT_OF_PAPER),
        jr.RefundIntent(txn, 300, Problem.PRINTER_OUT_OF_PAPER),
    ]
    assert of_type(effects, fx.Refund) == [fx.Refund(300)]
    effects = driver.send(MoneyRefunded(300, 300))
    assert driver.screen == st.Fault(Problem.PRINTER_OUT_OF_PAPER)
    assert journal_records(effects) == [
        jr.RefundOutcome(txn, 300, 300),
        jr.ReportIntent(txn, "failed", 0),
    ]
    assert of_type(effects, fx.ReportCompletion) == [
        fx.ReportCompletion(
            txn, fx.Completion.FAILED, 0, KIOSK, 300, 300, 0, PrinterFault.OUT_OF_PAPER
        )
    ]
    assert fx.PlayReminder(fx.Reminder.MONEY) in effects
    closing = journal_records(driver.send(ev.CompletionReported(txn)))
    assert closing[-1] == jr.TransactionClosed(txn, jr.CloseReason.REFUNDED)
    money = driver.state.txn.money
    assert money.inserted_yen == money.refunded_yen


def test_a_partial_print_refunds_only_the_missing_copies(driver: Driver) -> None:
    driver.to_printing(copies=3, inserted=(500, 500))  # 900 due, 100 change
    driver.send(ChangeDispensed(100, 100))
    effects = driver.send(ev.PrintFailed(PrinterFault.JAM, 1))
    assert of_type(effects, fx.Refund) == [fx.Refund(600)]
    driver.send(MoneyRefunded(600, 600))
    txn = driver.state.txn
    assert txn.copies_printed == 1
    assert txn.money.inserted_yen == txn.money.change_yen + txn.money.refunded_yen + 300
    report = [e for _, _, _, fxs in driver.history for e in of_type(fxs, fx.ReportCompletion)]
    assert report == [
        fx.ReportCompletion(
            driver.txn_id, fx.Completion.FAILED, 1, KIOSK, 900, 600, 0, PrinterFault.JAM
        )
    ]


def test_a_fault_reported_after_every_page_printed_counts_as_printed(driver: Driver) -> None:
    driver.to_printing(copies=1, inserted=(100, 100, 100))
    effects = driver.send(ev.PrintFailed(PrinterFault.TIMEOUT, 1))
    assert driver.screen == st.Done()
    assert of_type(effects, fx.Refund) == []


def test_short_change_is_recorded_for_staff(driver: Driver) -> None:
    driver.to_printing(copies=1, inserted=(1000,))
    txn = driver.txn_id
    effects = driver.send(ChangeDispensed(700, 500))
    assert journal_records(effects) == [
        jr.ChangeOutcome(txn, 700, 500),
        jr.StaffOwed(txn, 200, STAFF_CODE_CHANGE_SHORT),
    ]
    assert driver.state.txn.change_short
    effects = driver.send(ev.PrintFinished(1))
    assert of_type(effects, fx.ReportCompletion) == [
        fx.ReportCompletion(txn, fx.Completion.PRINTED, 1, KIOSK, 300, 0, 0)
    ]  # the change staff owe is no fee: the center is not told of it
    closing = journal_records(driver.send(ev.CompletionReported(txn)))
    assert closing[-1] == jr.TransactionClosed(txn, jr.CloseReason.STAFF)


def test_the_report_waits_for_the_change_result(driver: Driver) -> None:
    driver.to_printing(copies=1, inserted=(1000,))
    effects = driver.send(ev.PrintFinished(1))
    assert driver.screen == st.Done()
    assert of_type(effects, fx.ReportCompletion) == []
    assert core(driver.send(ev.Finish())) == []  # not before the change came out
    effects = driver.send(ChangeDispensed(700, 700))
    assert of_type(effects, fx.ReportCompletion)[0].outcome is fx.Completion.PRINTED
    driver.send(ev.Finish())
    assert driver.screen == st.Start()


def test_a_short_refund_is_owed_by_staff(driver: Driver) -> None:
    driver.to_payment()
    driver.send(MoneyInserted(Denomination.Y100), MoneyInserted(Denomination.Y100))
    txn = driver.txn_id
    driver.send(ev.Cancel())
    assert driver.screen == st.Refunding(None)
    effects = driver.send(MoneyRefunded(200, 50))
    assert jr.StaffOwed(txn, 150, STAFF_CODE_REFUND_SHORT) in journal_records(effects)
    # The resident's proof first: the slip with the money code, until "I have the slip".
    codes = (STAFF_CODE_REFUND_SHORT,)
    assert driver.screen == st.OwedSlip(150, codes, then=st.Cancelled())
    assert fx.PrintOwedSlip(txn, 150, codes) in effects
    assert driver.state.timer is None  # no timer takes it away
    assert driver.send(ev.Cancel()) == ()
    driver.send(ev.OwedSlipPrinted(txn, printed=True))
    assert driver.screen.slip is st.PaperState.PRINTED
    driver.send(ev.Finish())
    assert driver.screen == st.Cancelled()
    assert driver.state.txn.money.staff_owed_yen == 150


def test_a_jam_with_money_in_refunds_what_it_can(driver: Driver) -> None:
    driver.to_payment()
    driver.send(MoneyInserted(Denomination.Y100))
    effects = driver.send(AcceptorJammed())
    assert driver.screen == st.Refunding(Problem.ACCEPTOR_JAMMED)
    assert of_type(effects, fx.Refund) == [fx.Refund(100)]
    assert fx.DisableAcceptor() in effects
    driver.send(MoneyRefunded(100, 0))  # the jammed acceptor cannot pay out
    assert driver.screen.then == st.Fault(Problem.ACCEPTOR_JAMMED)  # after the slip
    assert driver.screen.codes == (STAFF_CODE_REFUND_SHORT,)  # the money code, not P-401
    driver.send(ev.OwedSlipPrinted(driver.txn_id, printed=False), ev.Finish())
    assert driver.screen == st.Fault(Problem.ACCEPTOR_JAMMED)
    assert driver.state.txn.money.staff_owed_yen == 100


def test_a_jam_before_any_money_is_a_plain_fault(driver: Driver) -> None:
    driver.to_payment()
    effects = driver.send(AcceptorJammed())
    assert driver.screen == st.Fault(Problem.ACCEPTOR_JAMMED)
    assert of_type(effects, fx.Refund) == []
    assert of_type(effects, fx.ReportCompletion)[0].outcome is fx.Completion.CANCELLED


def test_refund_without_answer_puts_the_kiosk_out_of_service(driver: Driver) -> None:
    driver.to_payment()
    driver.send(MoneyInserted(Denomination.Y100), ev.Cancel())
    effects = driver.fire()  # the REFUND watchdog
    assert driver.screen == st.OwedSlip(
        100,
        ("P-413",),
        then=st.OutOfService(Problem.ACCEPTOR_FAULT),  # type: ignore[arg-type]
    )
    assert jr.StaffOwed(driver.txn_id, 100, "P-413") in journal_records(effects)
    assert driver.state.timer is None
    driver.send(ev.Finish())
    assert driver.screen == st.OutOfService(Problem.ACCEPTOR_FAULT)
    assert driver.state.timer is None
    assert driver.send(ev.ChooseService(ev.Service.ISSUE)) == ()


def test_escrow_bills_beyond_the_amount_due_go_back(driver: Driver) -> None:
    driver.to_payment()
    assert fx.AcceptEscrow() in driver.send(EscrowHeld(Denomination.Y1000))
    assert fx.ReturnEscrow() in driver.send(EscrowHeld(Denomination.Y5000))  # escrow busy
    driver.send(MoneyInserted(Denomination.Y1000))
    assert isinstance(driver.screen, st.Printing)
    assert fx.ReturnEscrow() in driver.send(EscrowHeld(Denomination.Y1000))  # paid already
    driver.send(EscrowReturned(Denomination.Y1000))
    assert driver.state.txn.money.escrow_yen == 0


def test_a_rejected_piece_is_explained(driver: Driver) -> None:
    driver.to_payment()
    driver.send(MoneyRejected(RejectReason.UNRECOGNISED))
    assert driver.screen == st.Payment(rejected=RejectReason.UNRECOGNISED)


def test_a_coin_that_drops_after_payment_goes_back(driver: Driver) -> None:
    driver.to_printing(inserted=(100, 100, 100))
    txn = driver.txn_id
    effects = driver.send(MoneyInserted(Denomination.Y10))
    assert of_type(effects, fx.Refund) == [fx.Refund(10)]
    assert journal_records(effects) == [jr.MoneyIn(txn, 10), jr.RefundIntent(txn, 10, "stray")]
    driver.send(MoneyRefunded(10, 10), ev.PrintFinished(1))
    money = driver.state.txn.money
    assert money.inserted_yen == 310
    assert money.refunded_yen == 10


def test_money_with_no_transaction_goes_straight_back(driver: Driver) -> None:
    effects = driver.send(MoneyInserted(Denomination.Y100))
    assert of_type(effects, fx.Refund) == [fx.Refund(100)]
    assert driver.screen == st.Start()


def test_counter_payment_prints_a_ticket_and_takes_no_money(counter_driver: Driver) -> None:
    counter_driver.to_fetching(copies=2)
    txn = counter_driver.txn_id
    effects = counter_driver.send(counter_driver.issued(600), counter_driver.ready())
    assert of_type(effects, fx.EnableAcceptor) == []
    assert of_type(effects, fx.PrintCounterTicket) == [fx.PrintCounterTicket(txn, 1, 600)]
    counter_driver.send(ev.PrintFinished(2))
    assert counter_driver.screen == st.Done(ticket_number=1)


def test_a_free_certificate_skips_payment(driver: Driver) -> None:
    from tests.kiosk.flow.conftest import make_offer

    offer = make_offer()
    free = [
        type(line)(line.kind, line.jurisdiction, 0, 0, line.rules)
        if line.kind.value == "inkan"
        else line
        for line in offer.certificates
    ]
    driver.to_take_card()
    driver.send(ev.OfferReceived(type(offer)(**{**offer.__dict__, "certificates": tuple(free)})))
    driver.send(ev.CardRemoved(), ev.ChooseJurisdiction(ev.Jurisdiction.RESIDENCE))
    driver.send(ev.ChooseCertificate(ev.CertificateKind.INKAN), ev.Next(), ev.ConfirmOrder())
    driver.send(ev.PrinterReady())
    effects = driver.send(driver.issued(0), driver.ready())
    assert of_type(effects, fx.EnableAcceptor) == []
    assert isinstance(driver.screen, st.Printing)


def test_the_done_screen_reminds_then_returns_to_start(driver: Driver) -> None:
    driver.to_printing(inserted=(500,))
    driver.send(ChangeDispensed(200, 200), ev.PrintFinished(1))
    sounds: list[fx.Effect] = []
    while isinstance(driver.screen, st.Done):
        effects = driver.fire()
        sounds += of_type(effects, fx.PlayReminder)
    assert fx.PlayReminder(fx.Reminder.CHANGE) in sounds
    assert driver.screen == st.Start()
    audits = [e.record.event.value for e in of_type(effects, fx.Audit)]
    assert "change-left-in-tray" in audits


def test_a_stacked_bill_frees_the_escrow_for_the_next_one(driver: Driver) -> None:
    """Two bills for a 1200-yen order: once the first is stacked the escrow is free again, so
    the second is taken too (it was sent back as if the escrow were still busy)."""
    driver.to_payment(copies=4)
    assert fx.AcceptEscrow() in driver.send(EscrowHeld(Denomination.Y1000))
    assert driver.state.txn.money.escrow_yen == 1000
    driver.send(MoneyInserted(Denomination.Y1000))
    money = driver.state.txn.money
    assert (money.escrow_yen, money.paid_in_yen, money.remaining_yen) == (0, 1000, 200)
    effects = driver.send(EscrowHeld(Denomination.Y1000))
    assert fx.AcceptEscrow() in effects
    assert fx.ReturnEscrow() not in effects
    effects = driver.send(MoneyInserted(Denomination.Y1000))
    assert of_type(effects, fx.DispenseChange) == [fx.DispenseChange(800)]
    assert isinstance(driver.screen, st.Printing)
    assert driver.state.txn.money.escrow_yen == 0


def test_a_late_payout_result_of_money_before_the_session_is_not_counted(
    driver: Driver,
) -> None:
    """A coin dropped at the start screen goes back; its result arrives once the next
    resident's transaction is open: it belongs to no transaction, so the new ledger is
    untouched (counted for the new resident, it made the kiosk hold less than nothing)."""
    effects = driver.send(MoneyInserted(Denomination.Y100))
    assert of_type(effects, fx.Refund) == [fx.Refund(100)]
    driver.to_payment()  # the next resident, before the acceptor answered
    driver.send(MoneyInserted(Denomination.Y100))
    effects = driver.send(MoneyRefunded(100, 100))
    money = driver.state.txn.money
    assert (money.inserted_yen, money.refunded_yen, money.refund_pending_yen) == (100, 0, 0)
    assert money.held_yen == 100
    assert journal_records(effects) == []
    assert [a.record.outcome for a in of_type(effects, fx.Audit)] == ["not_current"]
    assert driver.state.payouts == ()


def test_a_late_short_result_of_money_before_the_session_is_not_owed_by_it(
    driver: Driver,
) -> None:
    driver.send(MoneyInserted(Denomination.Y500))
    driver.to_payment()
    effects = driver.send(MoneyRefunded(500, 200))
    money = driver.state.txn.money
    assert (money.refunded_yen, money.staff_owed_yen) == (0, 0)
    outcomes = [(a.record.event.value, a.record.outcome) for a in of_type(effects, fx.Audit)]
    assert outcomes == [("refund-complete", "not_current"), ("staff-owed", "not_current")]


def test_a_free_certificate_at_the_counter_prints_no_ticket(counter_driver: Driver) -> None:
    from tests.kiosk.flow.conftest import make_offer

    offer = make_offer()
    free = tuple(
        type(line)(line.kind, line.jurisdiction, 0, 0, line.rules)
        if line.kind.value == "inkan"
        else line
        for line in offer.certificates
    )
    counter_driver.to_take_card()
    counter_driver.send(ev.OfferReceived(type(offer)(**{**offer.__dict__, "certificates": free})))
    counter_driver.send(ev.CardRemoved(), ev.ChooseJurisdiction(ev.Jurisdiction.RESIDENCE))
    counter_driver.send(ev.ChooseCertificate(ev.CertificateKind.INKAN), ev.Next())
    counter_driver.send(ev.ConfirmOrder(), ev.PrinterReady())
    txn = counter_driver.txn_id
    effects = counter_driver.send(counter_driver.issued(0), counter_driver.ready("d"))
    assert of_type(effects, fx.PrintCounterTicket) == []
    assert of_type(effects, fx.PrintCertificate) == [fx.PrintCertificate(txn, 1)]
