"""The whole kiosk paying through the cash-unit bridge driver (kiosk.payment.bridge) and the
reference bridge daemon on a real Unix socket, in front of the simulated unit: the store
wiring's payment path, with the rest of the real stack (pcscd + vpcd, center over mTLS, cupsd).
"""

from __future__ import annotations

import pytest

from hw_sim.acceptor_bridge import AcceptorBridgeServer
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.flow.screens import PaperState
from kiosk.journal import CloseReason
from kiosk.problems import OwedCode, Problem
from printing.certificates import CertificateKind
from tests.e2e.conftest import KioskUnderTest, MakeKiosk
from tests.e2e.test_kiosk_printer import FEE, wait_closed

pytestmark = [pytest.mark.pcscd, pytest.mark.cupsd]


def to_payment(kiosk: KioskUnderTest) -> str:
    driver = kiosk.driver
    driver.to_menu("normal", "1234")
    driver.order(CertificateKind.JUMINHYO, copies=1)
    driver.confirm()
    state = driver.wait_for(st.Payment, timeout=120)
    assert state.txn is not None
    return state.txn.txn_id


def test_pay_with_a_bill_through_the_bridge_and_print(make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk(cash_bridge=True)
    assert kiosk.bridge is not None
    txn_id = to_payment(kiosk)
    kiosk.driver.insert_money([1000])  # escrow → accept_escrow over the bridge → stacked
    state = kiosk.driver.wait_for(st.Done, timeout=120)
    assert state.txn is not None
    assert state.txn.copies_printed == 1
    assert state.txn.money.change_yen == 1000 - FEE
    assert kiosk.acceptor.tray_yen == 1000 - FEE  # the daemon's unit paid the change
    commands = [c["command"] for c in kiosk.bridge.commands]
    assert commands[:1] == ["disable"]  # the driver's first word on connecting
    assert "enable" in commands
    assert "accept_escrow" in commands
    assert commands[-1] == "dispense_change"
    kiosk.driver.take_everything()
    kiosk.driver.send(ev.Finish())
    assert wait_closed(kiosk, txn_id) is CloseReason.COMPLETED


def test_the_daemon_lost_mid_payment_stops_and_accounts_for_every_yen(
    make_kiosk: MakeKiosk,
) -> None:
    kiosk = make_kiosk(cash_bridge=True)
    assert kiosk.bridge is not None
    txn_id = to_payment(kiosk)
    kiosk.driver.insert_money([100])
    kiosk.driver.wait_until(
        lambda s: s.txn is not None and s.txn.money.paid_in_yen == 100, "the coin counted"
    )
    kiosk.bridge.drop_client()  # the cash daemon crashes while the resident is paying
    state = kiosk.driver.wait_for(st.Fault, st.OwedSlip, timeout=60)
    if isinstance(state.screen, st.OwedSlip):
        # The refund failed while the daemon was away: the resident's slip of what is owed
        # (issue 10) comes first, then the fault, once they have it.
        assert state.screen.yen == 100
        assert OwedCode.REFUND_SHORT in state.screen.codes
        kiosk.driver.wait_until(
            lambda s: (
                isinstance(s.screen, st.OwedSlip) and s.screen.slip is not PaperState.PRINTING
            ),
            "the slip printed",
        )
        kiosk.driver.send(ev.Finish())
        state = kiosk.driver.wait_for(st.Fault, timeout=60)
    assert isinstance(state.screen, st.Fault)
    assert state.screen.problem is Problem.ACCEPTOR_JAMMED
    txn = state.txn
    assert txn is not None
    assert txn.copies_printed == 0
    assert not kiosk.jobs_done  # nothing was printed for money not fully paid
    # The 100 yen went back, or — the refund failing while the daemon was away — is owed by
    # staff; never lost.
    assert txn.money.refunded_yen + txn.money.staff_owed_yen == 100
    assert kiosk.runner.wait_idle(30)
    with kiosk.journal() as journal:
        summary = journal.summary(txn_id)
    assert summary.received_yen == 100
    assert summary.unsettled_yen == 0
    assert summary.refunded_yen + summary.staff_owed_yen == 100
    kiosk.driver.send(ev.Finish())
    assert wait_closed(kiosk, txn_id) is not None


def test_issuance_is_offered_only_while_the_cash_unit_is_there(make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk(cash_bridge=True)
    assert kiosk.bridge is not None
    driver = kiosk.driver
    socket_path = kiosk.bridge.socket_path
    kiosk.bridge.close()  # the cash daemon stops
    driver.wait_until(lambda s: not s.acceptor_available, "the acceptor reported gone")
    driver.send(ev.ChooseService(ev.Service.ISSUE))
    driver.pump(0.2)
    assert isinstance(driver.state.screen, st.Start)
    assert driver.state.txn is None
    # Registration takes no money: still offered.
    driver.send(ev.ChooseService(ev.Service.REGISTER))
    driver.wait_for(st.Consent)
    driver.send(ev.Cancel())
    driver.wait_for(st.Start)
    # The daemon comes back: the kiosk reconnects and offers issuance again by itself.
    server = AcceptorBridgeServer(kiosk.acceptor, socket_path)
    try:
        driver.wait_until(lambda s: s.acceptor_available, "the acceptor back")
        driver.send(ev.ChooseService(ev.Service.ISSUE))
        driver.wait_for(st.Consent)
    finally:
        driver.send(ev.Cancel())
        server.close()
