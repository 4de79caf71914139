"""The simulated fee acceptor through the FeeAcceptor interface, with its own thread."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

import pytest

from hw_sim.acceptor import SimulatedAcceptor
from kiosk.payment import (
    AcceptorEvent,
    AcceptorJammed,
    ChangeDispensed,
    Denomination,
    EscrowHeld,
    EscrowReturned,
    FeeAcceptor,
    MoneyInserted,
    MoneyRefunded,
    MoneyRejected,
    RejectReason,
    TrayEmptied,
)


class Events:
    def __init__(self) -> None:
        self.queue: queue.Queue[AcceptorEvent] = queue.Queue()

    def next(self) -> AcceptorEvent:
        return self.queue.get(timeout=5)

    def assert_quiet(self) -> None:
        with pytest.raises(queue.Empty):
            self.queue.get(timeout=0.05)


@pytest.fixture
def acceptor() -> Iterator[SimulatedAcceptor]:
    device = SimulatedAcceptor()
    yield device
    device.close()


@pytest.fixture
def events(acceptor: SimulatedAcceptor) -> Events:
    collected = Events()
    acceptor.set_listener(collected.queue.put)
    return collected


def test_it_is_a_fee_acceptor(acceptor: SimulatedAcceptor) -> None:
    assert isinstance(acceptor, FeeAcceptor)


def test_coins_count_at_once_and_bills_wait_in_the_escrow(
    acceptor: SimulatedAcceptor, events: Events
) -> None:
    acceptor.enable(300)
    acceptor.insert(100)
    assert events.next() == MoneyInserted(Denomination.Y100)
    acceptor.insert(1000)
    assert events.next() == EscrowHeld(Denomination.Y1000)
    assert acceptor.escrow is Denomination.Y1000
    acceptor.accept_escrow()
    assert events.next() == MoneyInserted(Denomination.Y1000)
    assert acceptor.escrow is None


def test_a_returned_escrow_bill_lands_in_the_tray(
    acceptor: SimulatedAcceptor, events: Events
) -> None:
    acceptor.enable(300)
    acceptor.insert(5000)
    assert events.next() == EscrowHeld(Denomination.Y5000)
    acceptor.return_escrow()
    assert events.next() == EscrowReturned(Denomination.Y5000)
    assert acceptor.tray_yen == 5000
    assert acceptor.take_tray() == [Denomination.Y5000]
    assert events.next() == TrayEmptied()


def test_what_it_does_not_take(acceptor: SimulatedAcceptor, events: Events) -> None:
    acceptor.insert(100)
    assert events.next() == MoneyRejected(RejectReason.NOT_ENABLED)
    acceptor.enable(300)
    acceptor.insert_counterfeit()
    assert events.next() == MoneyRejected(RejectReason.UNRECOGNISED)
    acceptor.insert(2000)
    assert events.next() == MoneyRejected(RejectReason.NOT_ACCEPTED)
    acceptor.insert(1000)
    assert events.next() == EscrowHeld(Denomination.Y1000)
    acceptor.insert(1000)  # the escrow is full: the second bill is not drawn in
    assert events.next() == MoneyRejected(RejectReason.NOT_ENABLED)
    acceptor.disable()  # disabling gives the escrow bill back
    assert events.next() == EscrowReturned(Denomination.Y1000)
    assert acceptor.tray_yen == 100 + 2000 + 1000 + 1000


def test_change_comes_from_the_inventory(acceptor: SimulatedAcceptor, events: Events) -> None:
    before = acceptor.inventory
    acceptor.dispense_change(760)
    assert events.next() == ChangeDispensed(760, 760)
    after = acceptor.inventory
    assert before[Denomination.Y500] - after[Denomination.Y500] == 1
    assert acceptor.tray_yen == 760


def test_running_out_of_change_is_reported_short() -> None:
    device = SimulatedAcceptor({Denomination.Y100: 2})
    got: queue.Queue[AcceptorEvent] = queue.Queue()
    device.set_listener(got.put)
    try:
        device.dispense_change(700)
        event = got.get(timeout=5)
        assert isinstance(event, ChangeDispensed)
        assert (event.dispensed_yen, event.short_yen) == (200, 500)
        assert device.inventory == {}
    finally:
        device.close()


def test_inserted_coins_are_recycled_as_change() -> None:
    device = SimulatedAcceptor({})
    got: queue.Queue[AcceptorEvent] = queue.Queue()
    device.set_listener(got.put)
    try:
        device.enable(300)
        for _ in range(3):
            device.insert(100)
        device.insert(1000)
        device.accept_escrow()
        device.disable()
        device.dispense_change(1000)  # the 1000-yen bill is recycled, exactly that comes back
        events = [got.get(timeout=5) for _ in range(6)]
        assert events[-1] == ChangeDispensed(1000, 1000)
        device.refund(300)
        assert got.get(timeout=5) == MoneyRefunded(300, 300)
        assert device.inventory == {}
    finally:
        device.close()


def test_a_jam_stops_taking_and_paying(acceptor: SimulatedAcceptor, events: Events) -> None:
    acceptor.enable(300)
    acceptor.jam()
    assert events.next() == AcceptorJammed()
    acceptor.insert(100)
    assert events.next() == MoneyRejected(RejectReason.NOT_ENABLED)
    acceptor.refund(300)
    assert events.next() == MoneyRefunded(300, 0)
    acceptor.clear_jam()
    acceptor.refund(300)
    assert events.next() == MoneyRefunded(300, 300)


def test_a_jam_mid_payout_pays_part(acceptor: SimulatedAcceptor, events: Events) -> None:
    acceptor.jam_after(2)
    acceptor.dispense_change(760)  # 500 + 100 + 100 + 50 + 10: jams after 500 + 100
    assert events.next() == AcceptorJammed()
    assert events.next() == ChangeDispensed(760, 600)


def test_refund_returns_the_escrow_bill_too(acceptor: SimulatedAcceptor, events: Events) -> None:
    acceptor.enable(300)
    acceptor.insert(100)
    acceptor.insert(1000)
    acceptor.refund(100)
    assert [events.next() for _ in range(4)] == [
        MoneyInserted(Denomination.Y100),
        EscrowHeld(Denomination.Y1000),
        EscrowReturned(Denomination.Y1000),
        MoneyRefunded(100, 100),
    ]


def test_events_arrive_in_order_from_many_threads(acceptor: SimulatedAcceptor) -> None:
    seen: list[AcceptorEvent] = []
    done = threading.Event()

    def listener(event: AcceptorEvent) -> None:
        seen.append(event)
        if len(seen) == 400:
            done.set()

    acceptor.set_listener(listener)
    acceptor.enable(100_000)

    def feed() -> None:
        for _ in range(100):
            acceptor.insert(10)

    threads = [threading.Thread(target=feed) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert done.wait(5)
    assert seen == [MoneyInserted(Denomination.Y10)] * 400


def test_a_failing_listener_does_not_stop_the_device(acceptor: SimulatedAcceptor) -> None:
    got: queue.Queue[AcceptorEvent] = queue.Queue()

    def listener(event: AcceptorEvent) -> None:
        got.put(event)
        raise RuntimeError("listener bug")

    acceptor.set_listener(listener)
    acceptor.enable(100)
    acceptor.insert(10)
    acceptor.insert(50)
    assert got.get(timeout=5) == MoneyInserted(Denomination.Y10)
    assert got.get(timeout=5) == MoneyInserted(Denomination.Y50)


def test_enable_needs_a_positive_amount(acceptor: SimulatedAcceptor) -> None:
    with pytest.raises(ValueError, match="positive"):
        acceptor.enable(0)
