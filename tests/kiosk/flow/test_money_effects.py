"""Every effect of the money steps, in order, audit records included: staff pay and reconcile
against the journal and the audit log, so their details are outputs like any other (mutants of
_money.py and _base.py that changed an audit record or a ledger field survived the other tests).
"""

from __future__ import annotations

from kiosk.audit import AuditEvent, audit
from kiosk.flow import effects as fx
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.flow.timeouts import TimerName
from kiosk.journal import records as jr
from kiosk.journal.operations import OwedPaidLate
from kiosk.payment import (
    AcceptorJammed,
    ChangeDispensed,
    Denomination,
    EscrowHeld,
    MoneyInserted,
    MoneyRefunded,
    MoneyRejected,
    RejectReason,
)
from kiosk.problems import OwedCode, Problem
from printing.faults import PrinterFault
from tests.kiosk.flow.conftest import Driver

TXN = "boot-000001"
KIOSK = st.PaymentMode.ACCEPTOR


def without_timers(effects: tuple[fx.Effect, ...]) -> list[fx.Effect]:
    return [e for e in effects if not isinstance(e, fx.StartTimer | fx.CancelTimer)]


def test_a_cancel_with_money_in(driver: Driver) -> None:
    driver.to_payment()
    driver.send(MoneyInserted(Denomination.Y100))
    effects = driver.send(ev.Cancel())
    assert without_timers(effects) == [
        fx.DisableAcceptor(),
        fx.JournalWrite(jr.RefundIntent(TXN, 100, jr.RefundCause.CANCELLED)),
        fx.Audit(audit(AuditEvent.REFUND_INIT, reason="cancelled", txn_id=TXN, yen=100)),
        fx.Refund(100),
    ]
    money = driver.state.txn.money
    assert (money.accepting, money.refund_pending_yen) == (False, 100)
    assert driver.state.payouts == (st.Payout(st.PayoutKind.REFUND, 100, TXN, True, False),)
    effects = driver.send(MoneyRefunded(100, 100))
    assert driver.screen == st.Cancelled()
    assert driver.state.prompt is False
    assert fx.PlayReminder(fx.Reminder.MONEY) in effects


def test_a_refund_that_paid_nothing_plays_no_money_reminder(driver: Driver) -> None:
    driver.to_payment()
    driver.send(MoneyInserted(Denomination.Y100), ev.Cancel())
    effects = driver.send(MoneyRefunded(100, 0))
    assert fx.PlayReminder(fx.Reminder.MONEY) not in effects
    assert driver.state.txn.money.staff_owed_yen == 100


def test_a_jam_mid_payment(driver: Driver) -> None:
    driver.to_payment()
    driver.send(MoneyInserted(Denomination.Y100))
    effects = driver.send(AcceptorJammed())
    jammed = Problem.ACCEPTOR_JAMMED
    assert without_timers(effects) == [
        fx.Audit(audit(AuditEvent.FAULT, "acceptor_jammed", staff_code="P-401", txn_id=TXN)),
        fx.DisableAcceptor(),
        fx.JournalWrite(jr.RefundIntent(TXN, 100, jammed)),
        fx.Audit(audit(AuditEvent.REFUND_INIT, reason="P-401", txn_id=TXN, yen=100)),
        fx.Refund(100),
    ]
    assert driver.screen == st.Refunding(jammed)


def test_the_payment_completes_with_change(driver: Driver) -> None:
    driver.to_payment(copies=2)
    driver.send(MoneyRejected(RejectReason.UNRECOGNISED), MoneyInserted(Denomination.Y500))
    assert driver.screen == st.Payment()  # the rejected piece's note is gone
    effects = driver.send(MoneyInserted(Denomination.Y500))
    assert without_timers(effects) == [
        fx.JournalWrite(jr.MoneyIn(TXN, 500)),
        fx.DisableAcceptor(),
        fx.JournalWrite(jr.PaymentOutcome(TXN, 1000)),
        fx.Audit(audit(AuditEvent.PAYMENT_COMPLETE, "success", txn_id=TXN, yen=1000)),
        fx.JournalWrite(jr.ChangeIntent(TXN, 400)),
        fx.DispenseChange(400),
        fx.JournalWrite(jr.PrintIntent(TXN, 2, "d1g3st")),
        fx.Audit(audit(AuditEvent.PRINT_INIT, copies=2, txn_id=TXN)),
        fx.PrintCertificate(TXN, 2),
    ]
    money = driver.state.txn.money
    assert (money.paid, money.accepting, money.change_pending_yen) == (True, False, 400)


def test_a_coin_while_a_bill_stacks_keeps_the_bill_in_escrow(driver: Driver) -> None:
    driver.to_payment(copies=4)
    driver.send(EscrowHeld(Denomination.Y1000), MoneyInserted(Denomination.Y100))
    assert driver.state.txn.money.escrow_yen == 1000
    assert without_timers(driver.send(EscrowHeld(Denomination.Y1000))) == [fx.ReturnEscrow()]


def test_the_refund_watchdog_with_fees_and_a_stray_coin(driver: Driver) -> None:
    driver.send(MoneyInserted(Denomination.Y10))  # before the session: another payout
    driver.to_printing(copies=2, inserted=(500, 100))
    driver.send(ev.PrintFailed(PrinterFault.OUT_OF_PAPER, 0))  # 600 of fees go back
    driver.send(MoneyInserted(Denomination.Y50))  # a stray coin while refunding
    effects = driver.fire()  # the acceptor answers neither
    assert without_timers(effects) == [
        # One entry per payout given up, so that a late result closes its own (OwedPaidLate).
        fx.JournalWrite(jr.StaffOwed(TXN, 600, OwedCode.REFUND_NO_ANSWER)),
        fx.JournalWrite(jr.StaffOwed(TXN, 50, OwedCode.REFUND_NO_ANSWER)),
        fx.Audit(
            audit(AuditEvent.STAFF_OWED, "no_answer", staff_code="P-413", txn_id=TXN, yen=650)
        ),
        fx.JournalWrite(jr.ReportIntent(TXN, "failed", 0)),
        fx.ReportCompletion(
            TXN, fx.Completion.FAILED, 0, KIOSK, 600, 0, 600, PrinterFault.OUT_OF_PAPER
        ),
        # The resident's proof of what is owed (issue 10): a slip, then out of service.
        fx.PrintOwedSlip(TXN, 650, (OwedCode.REFUND_NO_ANSWER,)),
        fx.Audit(audit(AuditEvent.STAFF_OWED, "slip", txn_id=TXN, yen=650)),
    ]
    money = driver.state.txn.money
    assert money == st.Money(
        due_yen=600,
        inserted_yen=650,
        paid_in_yen=600,
        staff_owed_yen=650,
        fee_owed_yen=600,  # the fees only: the stray coin is no fee
        paid=True,
        owed_codes=(OwedCode.REFUND_NO_ANSWER,),  # what the slip names
    )
    assert driver.screen == st.OwedSlip(
        650, (OwedCode.REFUND_NO_ANSWER,), st.OutOfService(Problem.ACCEPTOR_FAULT)
    )
    # The payout of the coin from before the session is still awaited; the session's are
    # overdue: a result that still comes closes their entries.
    assert driver.state.payouts == (st.Payout(st.PayoutKind.REFUND, 10, "", False),)
    assert driver.state.overdue == (
        st.Payout(st.PayoutKind.REFUND, 600, TXN, True, True),
        st.Payout(st.PayoutKind.REFUND, 50, TXN, True),
    )


def test_the_refund_watchdog_with_only_a_bill_in_flight(driver: Driver) -> None:
    driver.to_payment(copies=4)
    driver.send(EscrowHeld(Denomination.Y1000), ev.Cancel())
    effects = driver.fire()
    assert without_timers(effects) == [
        fx.Audit(
            audit(AuditEvent.FAULT, "escrow_no_answer", staff_code="P-402", txn_id=TXN, yen=1000)
        ),
        fx.JournalWrite(jr.ReportIntent(TXN, "cancelled", 0)),
        fx.ReportCompletion(TXN, fx.Completion.CANCELLED, 0, KIOSK, 0, 0, 0),
    ]
    assert driver.state.txn.money.escrow_yen == 0
    assert driver.state.txn.money.staff_owed_yen == 0


def test_the_refund_watchdog_before_the_journal_opened(driver: Driver) -> None:
    """A coin dropped on the menu (no journal entry yet), then the resident cancels and the
    acceptor never answers: staff owe it (audited), nothing goes to a journal it is not in."""
    driver.to_menu()
    driver.send(MoneyInserted(Denomination.Y100), ev.Cancel())
    assert isinstance(driver.screen, st.Refunding)
    effects = driver.fire()
    assert not [e for e in effects if isinstance(e, fx.JournalWrite)]
    assert (
        fx.Audit(audit(AuditEvent.STAFF_OWED, "no_answer", staff_code="P-413", txn_id=TXN, yen=100))
        in effects
    )
    assert driver.state.timer is None or driver.state.timer.name is not TimerName.REFUND


def test_a_late_payout_result_is_audited_with_its_amounts(driver: Driver) -> None:
    driver.send(MoneyInserted(Denomination.Y500))
    driver.to_payment()
    effects = driver.send(MoneyRefunded(500, 200))
    assert [e for e in effects if isinstance(e, fx.Audit)] == [
        fx.Audit(audit(AuditEvent.REFUND_COMPLETE, "not_current", yen=200)),
        fx.Audit(audit(AuditEvent.STAFF_OWED, "not_current", short_yen=300)),
    ]


def test_the_counter_ticket_is_the_transactions_sequence_number() -> None:
    """The number after the boot id's last dash, whatever the boot id holds (a profile may set
    one with dashes)."""
    counter = Driver(st.FlowSettings(boot_id="city-hall-2", payment=st.PaymentMode.COUNTER))
    counter.to_fetching(copies=1)
    txn = counter.txn_id
    assert txn == "city-hall-2-000001"
    effects = counter.send(counter.issued(300), counter.ready("d"))
    assert [e for e in effects if isinstance(e, fx.PrintCounterTicket)] == [
        fx.PrintCounterTicket(txn, 1, 300)
    ]


def test_the_refund_watchdog_with_change_still_out(driver: Driver) -> None:
    """Paid 1000 for 300: the change and then the fee's refund are asked, neither answers."""
    driver.to_printing(copies=1, inserted=(1000,))
    driver.send(ev.PrintFailed(PrinterFault.JAM, 0))
    money = driver.state.txn.money
    assert (money.change_pending_yen, money.refund_pending_yen) == (700, 300)
    effects = driver.fire()
    assert [e for e in effects if isinstance(e, fx.JournalWrite)][:2] == [
        fx.JournalWrite(jr.StaffOwed(TXN, 700, OwedCode.REFUND_NO_ANSWER)),
        fx.JournalWrite(jr.StaffOwed(TXN, 300, OwedCode.REFUND_NO_ANSWER)),
    ]
    money = driver.state.txn.money
    assert (money.change_pending_yen, money.refund_pending_yen) == (0, 0)
    assert (money.staff_owed_yen, money.fee_owed_yen, money.held_yen) == (1000, 300, 0)


def test_a_payout_paid_in_full_after_the_watchdog_closes_its_owed_entry(driver: Driver) -> None:
    """The change (700) and the fee's refund (300) were given up and owed by staff; the change
    then comes out after all: its entry closes as paid by the kiosk, the refund's stays owed."""
    driver.to_printing(copies=1, inserted=(1000,))
    driver.send(ev.PrintFailed(PrinterFault.JAM, 0))
    driver.fire()
    effects = driver.send(ChangeDispensed(700, 700))
    assert without_timers(effects) == [
        fx.JournalWrite(OwedPaidLate(TXN, 700)),
        fx.Audit(audit(AuditEvent.CHANGE_COMPLETE, "late", txn_id=TXN, yen=700, short_yen=0)),
    ]
    assert driver.state.overdue == (st.Payout(st.PayoutKind.REFUND, 300, TXN, True, True),)
    effects = driver.send(MoneyRefunded(300, 300))
    assert fx.JournalWrite(OwedPaidLate(TXN, 300)) in effects
    assert driver.state.overdue == ()
    # A third result matches nothing given up: audited as before.
    effects = driver.send(MoneyRefunded(300, 300))
    assert effects == (fx.Audit(audit(AuditEvent.REFUND_COMPLETE, "not_current", yen=300)),)


def test_a_late_payout_paid_short_stays_owed(driver: Driver) -> None:
    """Paid short after the watchdog: nothing closes (staff count the unit, then pay what did
    not come out); both amounts go to the audit log."""
    driver.to_printing(copies=1, inserted=(1000,))
    driver.send(ev.PrintFailed(PrinterFault.JAM, 0))
    driver.fire()
    effects = driver.send(ChangeDispensed(700, 500))
    assert not [e for e in effects if isinstance(e, fx.JournalWrite)]
    assert (
        fx.Audit(
            audit(
                AuditEvent.STAFF_OWED,
                "late_short",
                staff_code="P-413",
                txn_id=TXN,
                yen=500,
                short_yen=200,
            )
        )
        in effects
    )


def test_a_late_result_before_the_journal_opened_is_only_audited(driver: Driver) -> None:
    """The watchdog journaled nothing (no entry yet): the late result closes nothing either."""
    driver.to_menu()
    driver.send(MoneyInserted(Denomination.Y100), ev.Cancel())
    driver.fire()
    effects = driver.send(MoneyRefunded(100, 100))
    assert effects == (
        fx.Audit(audit(AuditEvent.REFUND_COMPLETE, "late", txn_id=TXN, yen=100, short_yen=0)),
    )


def test_a_stray_piece_with_no_transaction_is_audited(driver: Driver) -> None:
    effects = driver.send(MoneyInserted(Denomination.Y50))
    assert effects == (fx.Audit(audit(AuditEvent.STRAY_MONEY, yen=50)), fx.Refund(50))
    assert driver.state.payouts == (st.Payout(st.PayoutKind.REFUND, 50, "", False),)


def test_a_stray_coin_while_a_bill_stacks_leaves_the_bill_awaited(driver: Driver) -> None:
    driver.to_payment(copies=4)
    driver.send(EscrowHeld(Denomination.Y1000), ev.Cancel())
    driver.send(MoneyInserted(Denomination.Y10))  # a coin dropped as the acceptor stopped
    assert driver.state.txn.money.escrow_yen == 1000
    driver.send(MoneyRefunded(10, 10))
    assert isinstance(driver.screen, st.Refunding)  # still waiting for the bill


def test_a_late_result_one_yen_short_is_audited_as_owed(driver: Driver) -> None:
    driver.send(MoneyInserted(Denomination.Y500))
    driver.to_payment()
    effects = driver.send(MoneyRefunded(500, 499))
    assert fx.Audit(audit(AuditEvent.STAFF_OWED, "not_current", short_yen=1)) in effects


def test_a_one_yen_coin_goes_back_on_cancel(driver: Driver) -> None:
    driver.to_payment()
    driver.send(MoneyInserted(Denomination.Y1))
    effects = driver.send(ev.Cancel())
    assert fx.Refund(1) in effects
    assert fx.JournalWrite(jr.RefundIntent(TXN, 1, jr.RefundCause.CANCELLED)) in effects


def test_a_cancel_while_only_a_bill_stacks_pays_nothing_yet(driver: Driver) -> None:
    driver.to_payment(copies=4)
    driver.send(EscrowHeld(Denomination.Y1000))
    effects = driver.send(ev.Cancel())
    assert without_timers(effects) == [fx.DisableAcceptor()]
    assert driver.state.payouts == ()
    assert driver.screen == st.Refunding(None)


def test_the_continue_prompt_goes_once_the_money_goes_back(driver: Driver) -> None:
    driver.to_payment()
    driver.send(MoneyInserted(Denomination.Y100))
    driver.fire()  # idle: "continue?"
    assert driver.state.prompt is True
    driver.fire()  # no answer: the money goes back
    assert (driver.screen, driver.state.prompt) == (st.Refunding(None), False)
    driver.send(MoneyRefunded(100, 100))
    assert (driver.screen, driver.state.prompt) == (st.Cancelled(), False)


def test_refund_results_in_full_and_short(driver: Driver) -> None:
    driver.to_printing(copies=2, inserted=(500, 100))
    driver.send(ev.PrintFailed(PrinterFault.JAM, 1))  # 300 of fees go back
    effects = driver.send(MoneyRefunded(300, 300))
    assert [e for e in effects if isinstance(e, fx.JournalWrite | fx.Audit)][:2] == [
        fx.JournalWrite(jr.RefundOutcome(TXN, 300, 300)),
        fx.Audit(audit(AuditEvent.REFUND_COMPLETE, "success", short_yen=0, txn_id=TXN, yen=300)),
    ]
    other = Driver()
    other.to_printing(copies=2, inserted=(500, 100))
    other.send(ev.PrintFailed(PrinterFault.JAM, 1))
    effects = other.send(MoneyRefunded(300, 120))
    assert [e for e in effects if isinstance(e, fx.JournalWrite | fx.Audit)][:3] == [
        fx.JournalWrite(jr.RefundOutcome(TXN, 300, 120)),
        fx.JournalWrite(jr.StaffOwed(TXN, 180, OwedCode.REFUND_SHORT)),
        fx.Audit(audit(AuditEvent.REFUND_COMPLETE, "short", short_yen=180, txn_id=TXN, yen=120)),
    ]


def test_a_stray_coin_in_a_transaction_is_audited(driver: Driver) -> None:
    driver.to_printing(inserted=(100, 100, 100))
    effects = driver.send(MoneyInserted(Denomination.Y10))
    assert effects == (
        fx.JournalWrite(jr.MoneyIn(TXN, 10)),
        fx.JournalWrite(jr.RefundIntent(TXN, 10, jr.RefundCause.STRAY)),
        fx.Audit(audit(AuditEvent.STRAY_MONEY, txn_id=TXN, yen=10)),
        fx.Refund(10),
    )


def test_change_and_refund_of_the_same_amount_are_told_apart(driver: Driver) -> None:
    """600 paid for a 300 copy: 300 change, then the print fails and the 300 fee goes back —
    two payouts of 300 in flight, each result matched to its own kind."""
    driver.to_printing(copies=1, inserted=(100, 500))
    driver.send(ev.PrintFailed(PrinterFault.JAM, 0))
    assert [(p.kind, p.yen) for p in driver.state.payouts] == [
        (st.PayoutKind.CHANGE, 300),
        (st.PayoutKind.REFUND, 300),
    ]
    driver.send(MoneyRefunded(300, 300))
    money = driver.state.txn.money
    assert (money.change_pending_yen, money.refund_pending_yen) == (300, 0)
    assert money.fee_refunded_yen == 300
    driver.send(ChangeDispensed(300, 300))
    money = driver.state.txn.money
    assert (money.change_pending_yen, money.change_yen, money.held_yen) == (0, 300, 0)
    assert driver.screen == st.Fault(Problem.PRINTER_JAM)


def test_a_change_result_leaves_the_refund_awaited(driver: Driver) -> None:
    driver.to_printing(copies=1, inserted=(100, 500))
    driver.send(ev.PrintFailed(PrinterFault.JAM, 0), ChangeDispensed(300, 300))
    assert [(p.kind, p.yen) for p in driver.state.payouts] == [(st.PayoutKind.REFUND, 300)]
    driver.send(MoneyRefunded(300, 300))
    assert driver.state.txn.money.refunded_yen == 300


def test_a_jam_before_any_money(driver: Driver) -> None:
    driver.to_payment()
    effects = driver.send(AcceptorJammed())
    audits = [e for e in effects if isinstance(e, fx.Audit)]
    assert audits[0] == fx.Audit(
        audit(AuditEvent.FAULT, "acceptor_jammed", reason="", staff_code="P-401")
    )
    assert not [e for e in effects if isinstance(e, fx.Refund)]
    assert driver.screen == st.Fault(Problem.ACCEPTOR_JAMMED)


def test_a_jam_with_one_yen_in_refunds_it(driver: Driver) -> None:
    driver.to_payment()
    driver.send(MoneyInserted(Denomination.Y1))
    assert fx.Refund(1) in driver.send(AcceptorJammed())


def test_the_print_outcome_is_audited(driver: Driver) -> None:
    driver.to_printing(copies=2, inserted=(500, 100))
    effects = driver.send(ev.PrintFinished(2))
    assert effects[:2] == (
        fx.JournalWrite(jr.PrintOutcome(TXN, 2, None)),
        fx.Audit(audit(AuditEvent.PRINT_COMPLETE, "success", copies=2, txn_id=TXN)),
    )
    other = Driver()
    other.to_printing(copies=2, inserted=(500, 100))
    effects = other.send(ev.PrintFailed(PrinterFault.JAM, 1))
    assert effects[:2] == (
        fx.JournalWrite(jr.PrintOutcome(TXN, 1, PrinterFault.JAM)),
        fx.Audit(audit(AuditEvent.PRINT_COMPLETE, "jam", copies=1, txn_id=TXN)),
    )


def test_a_fault_after_the_last_side_counts_every_copy(driver: Driver) -> None:
    driver.to_printing(copies=2, inserted=(500, 100))
    effects = driver.send(ev.PrintFailed(PrinterFault.TIMEOUT, 2))
    assert fx.JournalWrite(jr.PrintOutcome(TXN, 2, None)) in effects
    assert driver.state.txn.copies_printed == 2


def test_pages_are_page_sides(driver: Driver) -> None:
    driver.to_fetching(copies=3)
    driver.send(driver.issued(900, sides_per_copy=2), driver.ready("d"))
    driver.send(MoneyInserted(Denomination.Y1000))
    assert driver.screen == st.Printing(0, 6)


def test_a_counter_print_failure_shows_the_printer_fault() -> None:
    counter = Driver(st.FlowSettings(boot_id="boot", payment=st.PaymentMode.COUNTER))
    counter.to_fetching(copies=1)
    counter.send(counter.issued(300), counter.ready("d"))
    effects = counter.send(ev.PrintFailed(PrinterFault.JAM, 0))
    assert counter.screen == st.Fault(Problem.PRINTER_JAM, "jam")
    reports = [e for e in effects if isinstance(e, fx.ReportCompletion)]
    assert [r.outcome for r in reports] == [fx.Completion.FAILED]


def test_reset_forgets_the_session(driver: Driver) -> None:
    driver.to_payment()
    driver.send(ev.OpenLanguageMenu(), ev.ChooseLanguage("en"), ev.OpenLanguageMenu())
    effects = driver.send(ev.Cancel())
    assert fx.DisableAcceptor() in effects
    assert fx.Audit(audit(AuditEvent.TRANSACTION_END, screen="Payment", txn_id=TXN)) in effects
    assert fx.WipePersonalData() in effects
    state = driver.state
    assert (state.screen, state.txn, state.prompt, state.language_menu_open) == (
        st.Start(),
        None,
        False,
        False,
    )
    assert state.language == "ja"


def test_reset_with_the_card_still_on_the_reader_keeps_a_stub(driver: Driver) -> None:
    driver.to_pin_entry()
    driver.send(ev.Cancel())
    assert driver.screen == st.ReturnCard()
    txn = driver.state.txn
    assert (txn.txn_id, txn.service, txn.card) == (TXN, ev.Service.ISSUE, st.CardState.RELEASED)


def test_change_results_in_full_and_short(driver: Driver) -> None:
    driver.to_printing(copies=1, inserted=(500,))
    effects = driver.send(ChangeDispensed(200, 200))
    assert [e for e in effects if isinstance(e, fx.JournalWrite | fx.Audit)] == [
        fx.JournalWrite(jr.ChangeOutcome(TXN, 200, 200)),
        fx.Audit(audit(AuditEvent.CHANGE_COMPLETE, "success", short_yen=0, txn_id=TXN, yen=200)),
    ]
    assert (driver.state.txn.change_in_tray, driver.state.txn.change_short) == (True, False)
    other = Driver()
    other.to_printing(copies=1, inserted=(500,))
    effects = other.send(ChangeDispensed(200, 0))  # nothing came out
    assert [e for e in effects if isinstance(e, fx.JournalWrite | fx.Audit)] == [
        fx.JournalWrite(jr.ChangeOutcome(TXN, 200, 0)),
        fx.JournalWrite(jr.StaffOwed(TXN, 200, OwedCode.CHANGE_SHORT)),
        fx.Audit(audit(AuditEvent.CHANGE_COMPLETE, "short", short_yen=200, txn_id=TXN, yen=0)),
    ]
    assert (other.state.txn.change_in_tray, other.state.txn.change_short) == (False, True)


def test_one_yen_of_change(driver: Driver) -> None:
    driver.to_printing(copies=1, inserted=(100, 100, 50, 1, 50))  # 301 for 300
    driver.send(ChangeDispensed(1, 1))
    assert driver.state.txn.change_in_tray is True
    assert driver.state.txn.change_short is False


def test_one_yen_of_change_short(driver: Driver) -> None:
    driver.to_printing(copies=1, inserted=(500,))
    driver.send(ChangeDispensed(200, 199))
    assert driver.state.txn.change_short is True


def test_a_late_change_result_is_audited(driver: Driver) -> None:
    driver.to_payment()
    effects = driver.send(ChangeDispensed(200, 150))  # nothing asked in this session
    assert [e for e in effects if isinstance(e, fx.Audit)] == [
        fx.Audit(audit(AuditEvent.REFUND_COMPLETE, "not_current", yen=150)),
        fx.Audit(audit(AuditEvent.STAFF_OWED, "not_current", short_yen=50)),
    ]
    assert driver.state.txn.money.change_yen == 0


def test_a_jam_outside_the_payment_is_audited(driver: Driver) -> None:
    assert driver.send(AcceptorJammed()) == (
        fx.Audit(audit(AuditEvent.FAULT, "acceptor_jammed", staff_code="P-401")),
    )
    assert driver.send(MoneyRejected(RejectReason.UNRECOGNISED)) == ()


def test_the_card_release_is_audited(driver: Driver) -> None:
    driver.to_take_card()  # the signature was the card's last use
    records = [e.record for _, _, _, fxs in driver.history for e in fxs if isinstance(e, fx.Audit)]
    assert audit(AuditEvent.CARD_RELEASED, txn_id=TXN) in records


def test_the_return_card_stub_keeps_the_money_facts(driver: Driver) -> None:
    driver.to_pin_entry()
    driver.send(ev.OpenLanguageMenu(), ev.ChooseLanguage("ko"), ev.Cancel())
    txn = driver.state.txn
    assert (txn.card, txn.fee_per_copy_yen, txn.copies_printed) == (st.CardState.RELEASED, 0, 0)
    assert driver.state.language == "ko"  # the resident who left the card still reads it


def timer_name(driver: Driver) -> TimerName | None:
    return driver.state.timer.name if driver.state.timer else None


def test_a_coin_answers_the_continue_prompt(driver: Driver) -> None:
    """A piece put in is the resident's answer to "continue?": the piece that completes the
    payment must not carry the prompt to the printing screen, where its timer would stand in
    for the printing watchdog."""
    driver.to_payment()
    driver.fire()  # idle: "continue?"
    assert driver.state.prompt is True
    driver.send(MoneyInserted(Denomination.Y100))
    assert driver.state.prompt is False
    assert timer_name(driver) is TimerName.PAYMENT
    driver.fire()
    driver.send(MoneyInserted(Denomination.Y500))
    assert (type(driver.screen), driver.state.prompt) == (st.Printing, False)
    unprompted = Driver()
    unprompted.to_printing(inserted=(100, 500))
    assert timer_name(driver) is timer_name(unprompted) is not TimerName.CONTINUE_PROMPT


def test_a_jam_under_the_continue_prompt_takes_the_prompt_away(driver: Driver) -> None:
    """The acceptor jams while "continue?" is shown: the refund (or, with nothing in, the fault
    screen) replaces the prompt; nobody has to answer it, and its timer, which would abandon
    the session, does not run."""
    driver.to_payment()
    driver.send(MoneyInserted(Denomination.Y100))
    driver.fire()
    assert driver.state.prompt is True
    driver.send(AcceptorJammed())
    assert (driver.screen, driver.state.prompt) == (st.Refunding(Problem.ACCEPTOR_JAMMED), False)
    assert timer_name(driver) is TimerName.REFUND
    empty = Driver()
    empty.to_payment()
    empty.fire()
    empty.send(AcceptorJammed())
    assert (empty.screen, empty.state.prompt) == (st.Fault(Problem.ACCEPTOR_JAMMED), False)
    assert timer_name(empty) is TimerName.FAULT


def test_a_jam_with_one_yen_in_is_audited_once(driver: Driver) -> None:
    driver.to_payment()
    driver.send(MoneyInserted(Denomination.Y1))
    effects = driver.send(AcceptorJammed())
    faults = [e for e in effects if isinstance(e, fx.Audit) and e.record.event is AuditEvent.FAULT]
    assert faults == [
        fx.Audit(
            audit(AuditEvent.FAULT, "acceptor_jammed", staff_code="P-401", txn_id=TXN),
        )
    ]


def test_the_card_s_release_is_audited_with_its_transaction(driver: Driver) -> None:
    """Rule 3 (the card is powered off right after its last use) leaves a trace per session."""
    driver.to_pin_entry()
    effects = driver.send(ev.Cancel())
    assert fx.ReleaseCard() in effects
    assert fx.Audit(audit(AuditEvent.CARD_RELEASED, txn_id=TXN)) in effects


def test_an_issuance_without_the_center_s_id_still_prints(driver: Driver) -> None:
    """The id is journaled when the center gives one; without it there is nothing to journal,
    and the issuance goes on to composing."""
    driver.to_fetching()
    effects = driver.send(driver.issued(300, issuance_id=""))
    assert driver.screen == st.Fetching(st.FetchPhase.COMPOSING)
    assert [e for e in effects if isinstance(e, fx.JournalWrite)] == []
    assert fx.ComposePrintJob(TXN) in effects


def test_a_counter_kiosk_s_print_intent_names_the_composed_job() -> None:
    """With no fee to take here, printing starts at once: its intent must still carry the
    composed job's digest, which the print recovery looks the job up by after a crash."""
    counter = Driver(st.FlowSettings(boot_id="boot", payment=st.PaymentMode.COUNTER))
    counter.to_fetching(copies=1)
    effects = counter.send(counter.issued(300), counter.ready("d1g3st"))
    assert fx.JournalWrite(jr.PrintIntent(TXN, 1, "d1g3st")) in effects


def test_a_one_yen_refund_is_awaited_and_its_result_ends_it(driver: Driver) -> None:
    """The smallest refund is a payout like any other: its result is matched to the
    transaction and finishes the refund (not the watchdog, which would owe it by staff)."""
    driver.to_payment()
    driver.send(MoneyInserted(Denomination.Y1))
    driver.send(AcceptorJammed())
    assert [(p.kind, p.yen) for p in driver.state.payouts] == [(st.PayoutKind.REFUND, 1)]
    driver.send(MoneyRefunded(1, 1))
    assert driver.screen == st.Fault(Problem.ACCEPTOR_JAMMED)
    assert (driver.state.txn.money.refunded_yen, driver.state.txn.money.staff_owed_yen) == (1, 0)


def test_a_stray_coin_is_journaled_with_the_acceptor_s_name_for_it(driver: Driver) -> None:
    """Like a piece of the payment, a stray piece is journaled under the name the cash unit's
    ledger gives it, so that the start-up reconciliation finds it and does not credit it twice
    (kiosk.runtime.cash_recovery)."""
    driver.to_printing(copies=1, inserted=(500,))
    effects = driver.send(MoneyInserted(Denomination.Y10, ref="coin-42"))
    assert fx.JournalWrite(jr.MoneyIn(TXN, 10, "coin-42")) in effects
