"""The cash-unit bridge driver against the reference daemon on a real Unix socket: commands,
events, payouts and every way the daemon can fail while money is in play."""

from __future__ import annotations

import queue
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hw_sim.acceptor import SimulatedAcceptor
from hw_sim.acceptor_bridge import AcceptorBridgeServer
from kiosk.payment import (
    AcceptorError,
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
)
from kiosk.payment.bridge import BridgeAcceptor


@dataclass
class Bench:
    driver: BridgeAcceptor
    server: AcceptorBridgeServer
    unit: SimulatedAcceptor
    events: queue.Queue[AcceptorEvent]

    def next_event(self, timeout: float = 5.0) -> AcceptorEvent:
        return self.events.get(timeout=timeout)

    def no_event(self, within: float = 0.5) -> None:
        with pytest.raises(queue.Empty):
            self.events.get(timeout=within)

    def commands(self) -> list[object]:
        return [c["command"] for c in self.server.commands]


@pytest.fixture
def socket_dir() -> Iterator[Path]:
    # Unix socket paths are limited to 108 bytes: pytest's tmp_path can be longer.
    folder = Path(tempfile.mkdtemp(prefix="bridge-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def bench(socket_dir: Path) -> Iterator[Bench]:
    unit = SimulatedAcceptor()
    server = AcceptorBridgeServer(unit, socket_dir / "acceptor.sock")
    driver = BridgeAcceptor(
        socket_dir / "acceptor.sock",
        # Generous for a loaded test machine; the tests that wait them out take ~5 s.
        ack_timeout_s=2.0,
        payout_timeout_s=3.0,
        reconnect_interval_s=0.1,
    )
    events: queue.Queue[AcceptorEvent] = queue.Queue()
    driver.set_listener(events.put)
    assert driver.wait_connected(5)
    assert server.wait_client()
    yield Bench(driver, server, unit, events)
    driver.close()
    server.close()
    unit.close()


def wait_for(condition: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def enable(bench: Bench, yen: int) -> None:
    """Enable through the driver; the daemon acknowledges before it acts, so wait for the unit."""
    bench.driver.enable(yen)
    wait_for(lambda: bench.unit.enabled)


def test_it_is_a_fee_acceptor(bench: Bench) -> None:
    assert isinstance(bench.driver, FeeAcceptor)
    assert bench.driver.unit == "simulated acceptor"


def test_a_payment_with_a_bill_and_change(bench: Bench) -> None:
    enable(bench, 600)
    bench.unit.insert(100)
    assert bench.next_event() == MoneyInserted(Denomination.Y100)
    bench.unit.insert(1000)
    assert bench.next_event() == EscrowHeld(Denomination.Y1000)
    bench.driver.accept_escrow()
    assert bench.next_event() == MoneyInserted(Denomination.Y1000)
    bench.driver.disable()
    bench.driver.dispense_change(500)
    assert bench.next_event() == ChangeDispensed(500, 500)
    assert bench.unit.tray_yen == 500
    # The disable sent on connecting comes first: the unit takes nothing it was not asked to.
    assert bench.commands() == [
        "disable",
        "enable",
        "accept_escrow",
        "disable",
        "dispense_change",
    ]


def test_rejected_piece_and_returned_escrow(bench: Bench) -> None:
    bench.unit.insert(1000)  # not enabled yet
    assert bench.next_event() == MoneyRejected(RejectReason.NOT_ENABLED)
    enable(bench, 300)
    bench.unit.insert(5000)
    assert bench.next_event() == EscrowHeld(Denomination.Y5000)
    bench.driver.return_escrow()
    assert bench.next_event() == EscrowReturned(Denomination.Y5000)


def test_refund_short_when_the_unit_runs_out(bench: Bench) -> None:
    bench.unit.empty_inventory()
    enable(bench, 300)
    bench.unit.insert(100)
    bench.next_event()
    bench.driver.refund(100)
    assert bench.next_event() == MoneyRefunded(100, 100)  # the coin itself was recycled
    bench.driver.refund(1000)
    assert bench.next_event() == MoneyRefunded(1000, 0)


def test_a_refused_command_is_an_error(bench: Bench) -> None:
    bench.server.nak_commands = "hopper empty"
    with pytest.raises(AcceptorError, match="hopper empty"):
        bench.driver.dispense_change(50)
    bench.no_event()  # the payment service reports the refusal, not the driver


def test_an_unanswered_command_fails_and_is_never_sent_again(bench: Bench) -> None:
    bench.server.ignore_commands = True
    with pytest.raises(AcceptorError, match="no answer"):
        bench.driver.refund(100)
    time.sleep(0.3)
    assert bench.commands().count("refund") == 1
    bench.no_event()


def test_connection_lost_while_taking_money_is_a_jam(bench: Bench) -> None:
    enable(bench, 600)
    bench.unit.insert(1000)
    assert bench.next_event() == EscrowHeld(Denomination.Y1000)
    bench.server.drop_client()
    assert bench.next_event() == AcceptorJammed()
    # The daemon stopped taking money and gave the bill in the escrow back.
    wait_for(lambda: not bench.unit.enabled)
    assert bench.unit.escrow is None
    assert bench.unit.tray_yen == 1000
    # While disconnected, commands fail and disable is harmless.
    bench.driver.disable()
    # The driver comes back by itself and disables the unit first.
    assert bench.server.wait_client()
    wait_for(lambda: bench.driver.connected)
    wait_for(lambda: bench.commands()[-1:] == ["disable"])
    enable(bench, 100)


def test_commands_fail_while_no_daemon_is_there(socket_dir: Path) -> None:
    driver = BridgeAcceptor(socket_dir / "nobody.sock", reconnect_interval_s=0.1)
    try:
        assert not driver.wait_connected(0.3)
        with pytest.raises(AcceptorError, match="not connected"):
            driver.enable(100)
        with pytest.raises(AcceptorError, match="not connected"):
            driver.refund(100)
        driver.disable()  # nothing to stop: no error
    finally:
        driver.close()


def test_a_payout_without_result_counts_as_unpaid_and_a_late_result_is_not_counted(
    bench: Bench,
) -> None:
    bench.server.withhold_results = True
    bench.driver.dispense_change(500)
    assert bench.next_event(timeout=5) == ChangeDispensed(500, 0)  # owed by staff
    payout_id = bench.server.commands[-1]["id"]
    late = (
        f'{{"type":"event","event":"change_dispensed","id":"{payout_id}","requested_yen":500,'
        '"paid_yen":500}\n'
    )
    bench.server.send_raw(late.encode())
    bench.no_event()


def test_connection_lost_during_a_payout_counts_it_as_unpaid(bench: Bench) -> None:
    bench.server.withhold_results = True
    bench.driver.refund(300)
    bench.server.drop_client()
    assert bench.next_event() == MoneyRefunded(300, 0)
    bench.no_event()


def test_a_malformed_line_is_dropped_and_the_connection_kept(bench: Bench) -> None:
    bench.server.send_raw(b'{"type":"event","event":"money_inserted","yen":3}\n')
    bench.server.send_raw(b"\xff\xfe garbage\n")
    bench.server.send_raw(b'{"type":"event","event":"money_inserted","yen":100.0}\n')
    bench.unit.insert(10)  # not enabled: rejected, but delivered after the bad lines
    assert bench.next_event() == MoneyRejected(RejectReason.NOT_ENABLED)
    assert bench.driver.connected


def test_a_line_without_end_drops_the_connection_and_reconnects(bench: Bench) -> None:
    enable(bench, 100)
    bench.server.send_raw(b"x" * 5000)
    assert bench.next_event() == AcceptorJammed()  # it was taking money
    wait_for(lambda: bench.driver.connected)
    enable(bench, 100)


def test_a_daemon_speaking_another_protocol_version_is_not_used(socket_dir: Path) -> None:
    import socket as sockets
    import threading

    path = socket_dir / "v2.sock"
    server = sockets.socket(sockets.AF_UNIX, sockets.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)

    def serve() -> None:
        client, _ = server.accept()
        client.sendall(b'{"type":"hello","protocol":2,"unit":"future"}\n')
        time.sleep(0.5)
        client.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    driver = BridgeAcceptor(path, reconnect_interval_s=5)
    try:
        assert not driver.wait_connected(0.6)
    finally:
        driver.close()
        server.close()


def test_availability_follows_the_connection(socket_dir: Path) -> None:
    path = socket_dir / "acceptor.sock"
    seen: queue.Queue[bool] = queue.Queue()
    driver = BridgeAcceptor(path, reconnect_interval_s=0.1)
    unit = SimulatedAcceptor()
    try:
        driver.set_availability_listener(seen.put)
        assert seen.get(timeout=1) is False  # told at once: no daemon yet
        server = AcceptorBridgeServer(unit, path)
        assert seen.get(timeout=5) is True
        server.close()
        assert seen.get(timeout=5) is False
        server = AcceptorBridgeServer(unit, path)
        assert seen.get(timeout=5) is True
        driver.set_availability_listener(None)
        server.close()
        with pytest.raises(queue.Empty):
            seen.get(timeout=0.5)
    finally:
        driver.close()
        unit.close()


def test_an_event_right_behind_the_hello_is_not_lost(socket_dir: Path) -> None:
    """A coin inserted as the kiosk connects: the daemon's hello and the event may arrive in
    one read; the event must still reach the flow (a lost money_inserted is lost money)."""
    import socket as sockets
    import threading

    path = socket_dir / "eager.sock"
    server = sockets.socket(sockets.AF_UNIX, sockets.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    done = threading.Event()
    listening = threading.Event()

    def serve() -> None:
        client, _ = server.accept()
        listening.wait(5)  # the test's listener is in place before anything is sent
        client.sendall(
            b'{"type":"hello","protocol":1,"unit":"eager"}\n'
            b'{"type":"event","event":"money_inserted","yen":100}\n'
        )
        done.wait(5)
        client.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    events: queue.Queue[AcceptorEvent] = queue.Queue()
    driver = BridgeAcceptor(path, reconnect_interval_s=5)
    driver.set_listener(events.put)
    listening.set()
    try:
        assert driver.wait_connected(5)
        assert events.get(timeout=5) == MoneyInserted(Denomination.Y100)
    finally:
        done.set()
        driver.close()
        server.close()
