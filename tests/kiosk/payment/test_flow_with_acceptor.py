"""The flow against the simulated acceptor on its own thread: money physically in the tray."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from pathlib import Path

import pytest

from hw_sim.acceptor import SimulatedAcceptor
from kiosk.flow import Effect
from kiosk.flow import effects as fx
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.journal import PAID_BY_KIOSK, Journal
from kiosk.payment import AcceptorEvent, Denomination, MoneyRefunded
from kiosk.problems import OwedCode, Problem
from printing.faults import PrinterFault
from tests.kiosk.flow.conftest import Driver


class Till:
    """A tiny runner for the payment effects: the acceptor's events go back into the flow (and
    the journal's writes into a real journal, when it is given one)."""

    def __init__(
        self, driver: Driver, acceptor: SimulatedAcceptor, journal: Journal | None = None
    ) -> None:
        self.driver = driver
        self.acceptor = acceptor
        self.journal = journal
        self.events: queue.Queue[AcceptorEvent] = queue.Queue()
        acceptor.set_listener(self.events.put)

    def run(self, effects: tuple[Effect, ...]) -> None:
        for effect in effects:
            match effect:
                case fx.JournalWrite(record=record) if self.journal is not None:
                    self.journal.write(record)
                case fx.EnableAcceptor(amount_due_yen=due):
                    self.acceptor.enable(due)
                case fx.DisableAcceptor():
                    self.acceptor.disable()
                case fx.AcceptEscrow():
                    self.acceptor.accept_escrow()
                case fx.ReturnEscrow():
                    self.acceptor.return_escrow()
                case fx.DispenseChange(yen=yen):
                    self.acceptor.dispense_change(yen)
                case fx.Refund(yen=yen):
                    self.acceptor.refund(yen)
                case _:
                    pass

    def send(self, event: ev.Event) -> None:
        self.run(self.driver.send(event))

    def settle(self) -> None:
        """Feed acceptor events to the flow until the acceptor is quiet."""
        while True:
            try:
                event = self.events.get(timeout=0.3)
            except queue.Empty:
                return
            self.send(event)


@pytest.fixture
def till() -> Iterator[Till]:
    acceptor = SimulatedAcceptor()
    driver = Driver()
    driver.to_fetching(copies=2)  # 600 yen
    yield Till(driver, acceptor)
    acceptor.close()


def ready(till: Till) -> None:
    till.send(till.driver.issued(600))
    till.send(till.driver.ready())
    assert till.acceptor.enabled


def test_a_bill_and_the_change_in_the_tray(till: Till) -> None:
    ready(till)
    till.acceptor.insert(100)
    till.acceptor.insert(1000)
    till.settle()
    assert isinstance(till.driver.screen, st.Printing)
    assert not till.acceptor.enabled
    assert till.acceptor.tray_yen == 500  # 1100 in, 600 due
    money = till.driver.state.txn.money
    assert money.change_yen == 500
    assert money.change_pending_yen == 0
    till.send(ev.PrintFinished(2))
    till.acceptor.take_tray()
    till.settle()
    assert till.driver.state.txn.change_in_tray is False


def test_out_of_paper_after_payment_gives_the_money_back(till: Till) -> None:
    ready(till)
    for _ in range(6):
        till.acceptor.insert(100)
    till.settle()
    till.send(ev.PrintFailed(PrinterFault.OUT_OF_PAPER, 0))
    till.settle()
    assert till.driver.screen == st.Fault(Problem.PRINTER_OUT_OF_PAPER)
    assert till.acceptor.tray_yen == 600
    assert till.driver.state.txn.money.refunded_yen == 600


def test_a_large_bill_is_taken_and_changed(till: Till) -> None:
    ready(till)
    till.acceptor.insert(500)
    till.acceptor.insert(5000)
    till.settle()  # the 5000 bill is stacked: 500 + 5000 ≥ 600
    assert isinstance(till.driver.screen, st.Printing)
    assert till.acceptor.cashbox == {Denomination.Y5000: 1}
    assert till.acceptor.tray_yen == 4900


def test_cancel_before_paying_in_full(till: Till) -> None:
    ready(till)
    till.acceptor.insert(100)
    till.acceptor.insert(50)
    till.settle()
    till.send(ev.Cancel())
    till.settle()
    assert till.driver.screen == st.Cancelled()
    assert till.acceptor.tray_yen == 150
    assert not till.acceptor.enabled


def test_no_change_left_means_staff_pay_it(till: Till) -> None:
    ready(till)
    till.acceptor.empty_inventory()
    till.acceptor.insert(1000)
    till.settle()
    money = till.driver.state.txn.money
    # The 1000-yen bill itself is recycled, but 400 cannot be made from it.
    assert money.staff_owed_yen == 400
    assert till.driver.state.txn.change_short
    effects = till.driver.history
    staff = [
        e.record
        for _, _, _, fxs in effects
        for e in fxs
        if isinstance(e, fx.JournalWrite) and type(e.record).__name__ == "StaffOwed"
    ]
    assert [(r.yen, r.staff_code) for r in staff] == [(400, "P-411")]


def test_a_jam_with_money_in(till: Till) -> None:
    ready(till)
    till.acceptor.insert(100)
    till.settle()
    till.acceptor.jam()
    till.settle()
    # jammed: nothing came out, so the resident gets the slip (P-412) before the fault
    assert till.driver.screen == st.OwedSlip(
        100, (OwedCode.REFUND_SHORT,), then=st.Fault(Problem.ACCEPTOR_JAMMED)
    )
    assert till.driver.state.txn.money.staff_owed_yen == 100
    assert till.acceptor.tray_yen == 0
    till.driver.send(ev.Finish())  # "I have the slip"
    assert till.driver.screen == st.Fault(Problem.ACCEPTOR_JAMMED)


def test_a_refund_paid_after_the_watchdog_is_not_owed_twice(tmp_path: Path) -> None:
    """The fee's refund is asked after a paper-out and the acceptor pays it, but its answer comes
    only after the refund watchdog gave up and recorded it owed by staff (P-413, with the
    resident's slip): when the answer comes, the journal's owed entry closes as paid by the
    kiosk, so staff do not pay the 600 yen a second time."""
    acceptor = SimulatedAcceptor()
    driver = Driver()
    with Journal(tmp_path / "journal.sqlite") as journal:
        driver.to_fetching(copies=2)
        till = Till(driver, acceptor, journal)
        for *_, effects in driver.history:  # the transaction opened, as a runner writes it
            till.run(tuple(e for e in effects if isinstance(e, fx.JournalWrite)))
        ready(till)
        for _ in range(6):
            acceptor.insert(100)
        till.settle()
        till.send(ev.PrintFailed(PrinterFault.OUT_OF_PAPER, 0))
        late = till.events.get(timeout=5)  # the acceptor paid; its answer is held back …
        assert isinstance(late, MoneyRefunded)
        till.run(driver.fire())  # … past the watchdog
        assert [(e.yen, e.code) for e in journal.owed_entries()] == [
            (600, OwedCode.REFUND_NO_ANSWER)
        ]
        till.send(late)
        assert journal.owed_entries() == []
        (entry,) = journal.owed_entries(open_only=False)
        assert (entry.paid_by, entry.paid_yen) == (PAID_BY_KIOSK, 600)
        assert acceptor.tray_yen == 600
    acceptor.close()


def test_a_coin_too_many_is_not_lost(till: Till) -> None:
    ready(till)
    for piece in (500, 100):
        till.acceptor.insert(piece)
    till.acceptor.insert(Denomination.Y10)  # dropped in as the acceptor is being disabled
    till.settle()
    money = till.driver.state.txn.money
    assert money.held_yen == 600
    assert till.acceptor.tray_yen == 10
