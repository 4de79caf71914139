"""The write-ahead rule on every money and paper path, step by step, on a real journal.

The property tests (test_properties.py) check the same rule over random event sequences; here
each path is driven on purpose, so that a path the random walk rarely takes is checked on
every run, and the checker itself is shown to refuse the orders it must refuse.
"""

from __future__ import annotations

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
    Denomination,
    EscrowHeld,
    EscrowReturned,
    MoneyInserted,
    MoneyRefunded,
)
from kiosk.problems import Problem
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


Y500, Y1000 = Denomination.Y500, Denomination.Y1000


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
    assert driver.screen == st.Cancelled()
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
