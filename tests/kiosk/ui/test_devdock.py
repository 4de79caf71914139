"""The developer dock drives the real simulators: cards through a private pcscd + vpcd, the
simulated fee acceptor, and printer faults on a private cupsd."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from hw_sim.acceptor import SimulatedAcceptor
from hw_sim.card import CardDock
from hw_sim.devdock import DevDock
from hw_sim.stack import (
    PrinterFaults,
    PrivateCupsd,
    PrivatePcscd,
    SimFault,
    private_cupsd_session,
    traversable_tmpdir,
)
from kiosk.payment import AcceptorEvent, Denomination, MoneyInserted, MoneyRejected
from printing.cups import CupsPrinter


def card_present(slot: int) -> bool:
    """Ask pcscd (pyscard, not the dock) whether the slot's reader holds a card."""
    from smartcard.Exceptions import CardConnectionException, NoCardException
    from smartcard.System import readers

    found = readers()
    connection = found[slot].createConnection()
    try:
        connection.connect()
    except (NoCardException, CardConnectionException):
        return False
    connection.disconnect()
    return True


def wait_for(condition: object, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def card_dock(pcscd: PrivatePcscd, tmp_path: Path) -> Iterator[CardDock]:
    dock = CardDock(
        port=pcscd.vpcd_ports[0], state_dir=tmp_path / "cards", pki_dir=tmp_path / "pki"
    )
    yield dock
    dock.close()


@pytest.fixture(scope="module")
def cupsd() -> Iterator[PrivateCupsd]:
    rundir = traversable_tmpdir("kiosk-ui-cupsd-")
    try:
        yield from private_cupsd_session(rundir, cups_pdf=False)
    finally:
        shutil.rmtree(rundir, ignore_errors=True)


def test_cards_in_both_slots(qtbot: QtBot, card_dock: CardDock) -> None:
    dock = DevDock(card_dock=card_dock)
    qtbot.addWidget(dock)
    dock.persona.setCurrentIndex(dock.persona.findData("normal"))
    dock.buttons["insert-1"].click()
    dock.wait_idle()
    assert card_dock.slot_status(1).persona == "normal"
    assert wait_for(lambda: card_present(1))
    assert not card_present(0)
    dock.buttons["insert-0"].click()  # the same card cannot be in two slots: refused
    dock.wait_idle()
    qtbot.waitUntil(lambda: "failed" in dock.status.text())
    dock.buttons["remove-1"].click()
    dock.wait_idle()
    assert card_dock.slot_status(1).persona is None
    assert wait_for(lambda: not card_present(1))


def test_money_and_jam(qtbot: QtBot) -> None:
    acceptor = SimulatedAcceptor()
    events: list[AcceptorEvent] = []
    acceptor.set_listener(events.append)
    dock = DevDock(acceptor=acceptor)
    qtbot.addWidget(dock)
    try:
        acceptor.enable(300)
        dock.buttons["insert-100"].click()
        dock.buttons["jam"].click()
        dock.buttons["insert-10"].click()
        dock.wait_idle()
        assert wait_for(lambda: len(events) >= 3)
        assert events[0] == MoneyInserted(Denomination.Y100)
        assert isinstance(events[2], MoneyRejected)  # jammed: given back
        assert acceptor.tray_yen == 10
        dock.buttons["take-tray"].click()
        dock.buttons["clear-jam"].click()
        dock.wait_idle()
        assert acceptor.tray_yen == 0
        qtbot.waitUntil(lambda: dock.status.text() == "acceptor jam cleared")
    finally:
        acceptor.close()


def test_printer_faults(qtbot: QtBot, cupsd: PrivateCupsd) -> None:
    faults = PrinterFaults(cupsd.rundir)
    faults.clear()
    dock = DevDock(printer=faults)
    qtbot.addWidget(dock)
    adapter = CupsPrinter(cupsd.capture_queue, server=cupsd.address, call_timeout_s=2.0)
    try:
        assert adapter.check_printer().ready
        dock.buttons[f"fault-{SimFault.MEDIA_EMPTY.value}"].click()
        dock.wait_idle()
        assert faults.current().fault is SimFault.MEDIA_EMPTY
        status = adapter.check_printer()
        assert not status.ready
        assert status.fault is not None
        assert "paper" in str(status.fault.value)
        dock.buttons["printer-clear"].click()
        dock.wait_idle()
        assert wait_for(lambda: adapter.check_printer().ready)
        dock.buttons["stop-printer"].click()
        dock.wait_idle()
        assert wait_for(lambda: not adapter.check_printer().ready)
        dock.buttons["printer-clear"].click()
        dock.wait_idle()
        assert wait_for(lambda: adapter.check_printer().ready)
    finally:
        adapter.close()
        faults.clear()


def test_sections_follow_the_simulators_given(qtbot: QtBot) -> None:
    dock = DevDock()
    qtbot.addWidget(dock)
    assert dock.buttons == {}


def test_the_cash_unit_section_drives_the_simulated_cash_unit(qtbot: QtBot) -> None:
    """The dock plays resident and staff on the simulated ID-003 + ccTalk cash unit, which the
    kiosk's real driver reads on its pseudo-terminals."""
    import tempfile

    from hw_sim.cash import CashSimProcess, SimConfig
    from kiosk.payment import EscrowHeld
    from kiosk.payment.cash_unit import CashUnit, CashUnitConfig

    folder = Path(tempfile.mkdtemp(prefix="cash-", dir="/tmp"))
    sim = CashSimProcess(folder / "sim", SimConfig())
    sim.start()
    unit = CashUnit(CashUnitConfig(sim.id003_path, sim.cctalk_path, folder / "ledger.json"))
    events: list[AcceptorEvent] = []
    unit.set_listener(events.append)
    dock = DevDock(cash=sim.control())
    qtbot.addWidget(dock)
    try:
        assert unit.wait_ready(20)
        unit.enable(300)
        dock.buttons["cash-insert-100"].click()
        dock.buttons["cash-insert-1000"].click()
        dock.wait_idle()
        assert wait_for(
            lambda: (
                MoneyInserted(Denomination.Y100)
                in [MoneyInserted(e.denomination) for e in events if isinstance(e, MoneyInserted)]
            ),
            timeout=20,
        )
        assert wait_for(lambda: EscrowHeld(Denomination.Y1000) in events, timeout=20)
        dock.buttons["cash-empty-100"].click()
        dock.buttons["cash-state"].click()
        dock.wait_idle()
        qtbot.waitUntil(lambda: "100×0" in dock.status.text(), timeout=5000)
        dock.buttons["cash-power"].click()
        dock.wait_idle()
        unit.disable()
        assert wait_for(lambda: sim.control().state()["validator"]["bezel"], timeout=20)
        dock.buttons["cash-take"].click()
        dock.wait_idle()
        # the escrowed bill came back after the power cut
        qtbot.waitUntil(lambda: "¥1,000" in dock.status.text(), timeout=5000)
    finally:
        unit.close()
        sim.stop()
        shutil.rmtree(folder, ignore_errors=True)
