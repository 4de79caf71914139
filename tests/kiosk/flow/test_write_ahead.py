"""The write-ahead rule on every money and paper path, step by step, on a real journal.

The property tests (test_properties.py) check the same rule over random event sequences; here
each path is driven on purpose, so that a path the random walk rarely takes is checked on
every run, and the checker itself is shown to refuse the orders it must refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.flow import Effect, Event
from kiosk.flow import effects as fx
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.journal import Journal
from kiosk.journal import records as jr
from kiosk.payment import (
    AcceptorJammed,
    ChangeDispensed,
    Denomination,
    EscrowHeld,
    EscrowReturned,
    MoneyInserted,
    MoneyRefunded,
)
from kiosk.problems import OwedCode, Problem
from printing.faults import PrinterFault
from tests.kiosk.flow.conftest import Driver, journal_records, of_type, settings
from tests.kiosk.flow.write_ahead import check_write_ahead


class JournaledDriver(Driver):
    """A driver that runs every JournalWrite into a real journal and checks each step."""

    def __init__(self, journal: Journal, payment: st.PaymentMode = st.PaymentMode.ACCEPTOR):
        super().__init__(settings(payment=payment))
        self.journal = journal

    def open_steps(self, txn_id: str) -> frozenset[str]:
        return frozenset(p.step.value for p in self.journal.summary(txn_id).pending)

    def send(self, *events: Event) -> tuple[Effect, ...]:
        effects: tuple[Effect, ...] = ()
        for event in events:
            before = self.state
            effects = super().send(event)
            check_write_ahead(before, event, self.state, effects, self.open_steps)
            for record in journal_records(effects):
                self.journal.write(record)
        return effects


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    with Journal(tmp_path / "journal.sqlite") as opened:
        yield opened


Y100, Y500, Y1000 = Denomination.Y100, Denomination.Y500, Denomination.Y1000


def cancel_with_money_in(d: Driver) -> None:
    d.to_payment()
    d.send(MoneyInserted(Y100), ev.Cancel(), MoneyRefunded(100, 100))


def payment_abandoned(d: Driver) -> None:
    d.to_payment()
    d.send(MoneyInserted(Y100))
    d.fire()  # the payment's idle timer: "continue?"
    d.fire()  # no answer: the money goes back
    d.send(MoneyRefunded(100, 100))


def jam_mid_payment(d: Driver) -> None:
    d.to_payment()
    d.send(MoneyInserted(Y100), AcceptorJammed(), MoneyRefunded(100, 40))


def change_then_partial_print(d: Driver) -> None:
    d.to_printing(copies=3, inserted=(500, 500))
    d.send(ChangeDispensed(100, 100), ev.PrintFailed(PrinterFault.JAM, 1))
    d.send(MoneyRefunded(600, 600), ev.CompletionReported(d.txn_id))


def change_short_then_printed(d: Driver) -> None:
    d.to_printing(copies=1, inserted=(1000,))
    d.send(ChangeDispensed(700, 500), ev.PrintFinished(1), ev.CompletionReported(d.txn_id))


def refund_never_answered(d: Driver) -> None:
    d.to_printing(copies=2, inserted=(500, 100))
    d.send(ev.PrintFailed(PrinterFault.OUT_OF_PAPER, 0))
    d.fire()  # the refund watchdog


def stray_coin_while_printing(d: Driver) -> None:
    d.to_printing(inserted=(100, 100, 100))
    d.send(MoneyInserted(Denomination.Y10), MoneyRefunded(10, 10), ev.PrintFinished(1))


def bills_through_the_escrow(d: Driver) -> None:
    d.to_payment(copies=4)  # 1200 due
    d.send(EscrowHeld(Y1000), MoneyInserted(Y1000), EscrowHeld(Y1000), MoneyInserted(Y1000))
    d.send(ChangeDispensed(800, 800), ev.PrintFinished(4), ev.CompletionReported(d.txn_id))


def cancel_while_a_bill_is_stacked(d: Driver) -> None:
    d.to_payment(copies=4)
    d.send(MoneyInserted(Y500), EscrowHeld(Y1000), ev.Cancel())
    d.send(MoneyRefunded(500, 500), MoneyInserted(Y1000), MoneyRefunded(1000, 1000))


def counter_payment(d: Driver) -> None:
    d.to_fetching(copies=2)
    d.send(d.issued(600), d.ready("d"), ev.PrintFinished(2))


def _to_basket_payment(d: Driver) -> None:
    """住民票 ×1 and 印鑑 ×2 (300 yen each), both issued and composed: 900 due."""
    d.to_confirmation()
    d.send(ev.AddCertificate(), ev.ChooseJurisdiction(ev.Jurisdiction.RESIDENCE))
    d.send(ev.ChooseCertificate(ev.CertificateKind.INKAN), ev.SetCopies(2), ev.Next())
    d.send(ev.ConfirmOrder(), ev.PrinterReady())
    second = jr.item_key(d.txn_id, 2)
    d.send(d.issued(300, 2), d.ready("d1"))
    d.send(ev.CertificateIssued(second, "ISS-2", 600, 2), ev.CertificateReady(second, "d2"))


def basket_jam_in_the_second_item(d: Driver) -> None:
    _to_basket_payment(d)
    d.send(MoneyInserted(Y1000), ChangeDispensed(100, 100), ev.PrintFinished(2))
    d.send(ev.PrintFailed(PrinterFault.JAM, 2), MoneyRefunded(300, 300))
    d.send(ev.CompletionReported(d.txn_id), ev.CompletionReported(jr.item_key(d.txn_id, 2)))


def basket_counter_payment(d: Driver) -> None:
    _to_basket_payment(d)
    d.send(ev.PrintFinished(2), ev.PrintFinished(4))


PATHS: list[tuple[Callable[[Driver], None], st.PaymentMode]] = [
    (cancel_with_money_in, st.PaymentMode.ACCEPTOR),
    (payment_abandoned, st.PaymentMode.ACCEPTOR),
    (jam_mid_payment, st.PaymentMode.ACCEPTOR),
    (change_then_partial_print, st.PaymentMode.ACCEPTOR),
    (change_short_then_printed, st.PaymentMode.ACCEPTOR),
    (refund_never_answered, st.PaymentMode.ACCEPTOR),
    (stray_coin_while_printing, st.PaymentMode.ACCEPTOR),
    (bills_through_the_escrow, st.PaymentMode.ACCEPTOR),
    (cancel_while_a_bill_is_stacked, st.PaymentMode.ACCEPTOR),
    (counter_payment, st.PaymentMode.COUNTER),
    (basket_jam_in_the_second_item, st.PaymentMode.ACCEPTOR),
    (basket_counter_payment, st.PaymentMode.COUNTER),
]


@pytest.mark.parametrize(("path", "payment"), PATHS, ids=[p.__name__ for p, _ in PATHS])
def test_every_money_path_writes_ahead(
    journal: Journal, path: Callable[[Driver], None], payment: st.PaymentMode
) -> None:
    driver = JournaledDriver(journal, payment)
    path(driver)  # check_write_ahead runs on every step
    moved = [
        e
        for _, _, _, effects in driver.history
        for e in effects
        if isinstance(e, fx.Refund | fx.DispenseChange | fx.PrintCertificate | fx.AcceptEscrow)
    ]
    assert moved, "the path moved no money and no paper"
    # What the journal holds of the transaction adds up: nothing taken in is unaccounted for.
    summary = journal.summary(driver.state.txn.txn_id if driver.state.txn else "")
    assert summary.unsettled_yen == 0, summary


def test_a_bill_stacked_as_the_resident_cancels_stays_in_the_transaction(
    journal: Journal,
) -> None:
    """The kiosk asked for a bill to be stacked, then the resident cancelled: the transaction
    waits for the acceptor's answer, so the bill is journaled and refunded under it (it was a
    stray piece after the report, refunded with no journal entry, before)."""
    driver = JournaledDriver(journal)
    driver.to_payment(copies=4)
    txn = driver.txn_id
    assert fx.AcceptEscrow() in driver.send(EscrowHeld(Y1000))
    effects = driver.send(ev.Cancel())
    assert driver.screen == st.Refunding(None)
    assert of_type(effects, fx.ReportCompletion) == []  # not before the bill's answer
    effects = driver.send(MoneyInserted(Y1000))  # stacked after all
    assert journal_records(effects) == [
        jr.MoneyIn(txn, 1000),
        jr.RefundIntent(txn, 1000, jr.RefundCause.STRAY),
    ]
    assert driver.state.txn.money.escrow_yen == 0
    effects = driver.send(MoneyRefunded(1000, 600))  # and the refund falls short
    assert jr.StaffOwed(txn, 400, "P-412") in journal_records(effects)
    # The resident's slip of what is owed first (issue 10), then the cancelled screen.
    assert driver.screen == st.OwedSlip(400, (OwedCode.REFUND_SHORT,), st.Cancelled())
    summary = journal.summary(txn)
    assert (summary.received_yen, summary.refunded_yen, summary.staff_owed_yen) == (1000, 600, 400)


def test_a_bill_returned_instead_of_stacked_ends_the_wait(journal: Journal) -> None:
    driver = JournaledDriver(journal)
    driver.to_payment(copies=4)
    driver.send(EscrowHeld(Y1000), ev.Cancel())
    assert driver.screen == st.Refunding(None)
    effects = driver.send(EscrowReturned(Y1000))
    assert driver.screen == st.Cancelled()
    assert of_type(effects, fx.ReportCompletion)[0].outcome is fx.Completion.CANCELLED
    assert journal.summary(driver.txn_id).received_yen == 0


def test_a_bill_never_answered_puts_the_kiosk_out_of_service(journal: Journal) -> None:
    driver = JournaledDriver(journal)
    driver.to_payment(copies=4)
    driver.send(EscrowHeld(Y1000), AcceptorJammed())
    assert driver.screen == st.Refunding(Problem.ACCEPTOR_JAMMED)
    effects = driver.fire()  # the refund watchdog: the acceptor never said
    assert driver.screen == st.OutOfService(Problem.ACCEPTOR_FAULT)
    faults = [a.record for a in of_type(effects, fx.Audit) if a.record.outcome]
    assert ("escrow_no_answer", ("yen", 1000)) in [
        (r.outcome, d) for r in faults for d in r.details
    ]
    assert journal_records(effects) == [jr.ReportIntent(driver.txn_id, "cancelled", 0)]


# --- the checker refuses what it must ------------------------------------------------------------


def test_the_checker_refuses_a_refund_before_its_intent(journal: Journal) -> None:
    driver = JournaledDriver(journal)
    driver.to_payment()
    driver.send(MoneyInserted(Y100))
    before = driver.state
    after, effects = _step(before, ev.Cancel())
    intent = next(e for e in effects if isinstance(e, fx.JournalWrite))
    refund = next(e for e in effects if isinstance(e, fx.Refund))
    swapped = tuple(refund if e is intent else intent if e is refund else e for e in effects)
    check_write_ahead(before, ev.Cancel(), after, effects, driver.open_steps)
    with pytest.raises(AssertionError, match="a refund with no intent"):
        check_write_ahead(before, ev.Cancel(), after, swapped, driver.open_steps)
    without_refund = tuple(e for e in effects if e is not refund)
    with pytest.raises(AssertionError, match="not acted on"):
        check_write_ahead(before, ev.Cancel(), after, without_refund, driver.open_steps)


def test_the_checker_refuses_an_outcome_without_the_answer(journal: Journal) -> None:
    driver = JournaledDriver(journal)
    driver.to_printing(copies=1, inserted=(500,))
    before = driver.state
    txn = driver.txn_id
    lie = (fx.JournalWrite(jr.ChangeOutcome(txn, 200, 200)),)
    with pytest.raises(AssertionError):
        check_write_ahead(before, ev.PrintFinished(1), before, lie, driver.open_steps)
    after, effects = _step(before, ChangeDispensed(200, 200))
    silent = tuple(e for e in effects if not isinstance(e, fx.JournalWrite))
    with pytest.raises(AssertionError):
        check_write_ahead(before, ChangeDispensed(200, 200), after, silent, driver.open_steps)
    wrong = (fx.JournalWrite(jr.ChangeOutcome(txn, 200, 150)), *silent)
    with pytest.raises(AssertionError):
        check_write_ahead(before, ChangeDispensed(200, 200), after, wrong, driver.open_steps)


def test_the_checker_refuses_paper_before_its_intent(journal: Journal) -> None:
    driver = JournaledDriver(journal, st.PaymentMode.COUNTER)
    driver.to_fetching(copies=2)
    driver.send(driver.issued(600))
    before = driver.state
    event = driver.ready("d")
    after, effects = _step(before, event)
    for paper in (fx.PrintCertificate, fx.PrintCounterTicket):
        moved = next(e for e in effects if isinstance(e, paper))
        early = (moved, *(e for e in effects if e is not moved))
        with pytest.raises(AssertionError):
            check_write_ahead(before, event, after, early, driver.open_steps)


def _step(state: st.FlowState, event: Event) -> tuple[st.FlowState, tuple[Effect, ...]]:
    from kiosk.flow import step

    return step(state, event)
