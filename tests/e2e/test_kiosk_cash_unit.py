"""The whole kiosk (card through pcscd + vpcd, center over mTLS, printer on cupsd, the Qt
window) paying through its real ID-003 + ccTalk driver on the simulated cash unit, which runs
in its own process behind two pseudo-terminals: a bill and change from the hoppers, a bill that
jams after the escrow, a hopper that runs empty in the middle of the change (the rest from the
other hopper, or owed by staff)."""

from __future__ import annotations

import pytest

from hw_sim.cash import SimConfig
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.journal import CloseReason
from kiosk.problems import Problem
from printing.certificates import CertificateKind
from tests.e2e.conftest import KioskUnderTest, MakeKiosk
from tests.e2e.test_kiosk_cash_bridge import to_payment
from tests.e2e.test_kiosk_printer import FEE, wait_closed

pytestmark = [pytest.mark.pcscd, pytest.mark.cupsd]


def change_paid(kiosk: KioskUnderTest) -> st.FlowState:
    return kiosk.driver.wait_until(
        lambda s: s.txn is not None and not s.txn.money.pending_yen and s.txn.money.paid,
        "the change paid",
        timeout=60,
    )


def tray_coins(kiosk: KioskUnderTest) -> list[int]:
    return sorted(kiosk.cash_control.state()["coins"]["tray"])


def test_pay_with_a_bill_and_get_change_from_the_hoppers(make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk(cash_unit=SimConfig(hoppers=[(3, 100, 40), (4, 10, 60)]))
    txn_id = to_payment(kiosk)
    kiosk.driver.insert_money([1000])  # escrow → STACK → VEND VALID acknowledged → credited
    state = kiosk.driver.wait_for(st.Done, timeout=120)
    state = change_paid(kiosk)
    assert state.txn is not None
    assert state.txn.copies_printed == 1
    change = 1000 - FEE
    assert state.txn.money.change_yen == change
    assert sum(tray_coins(kiosk)) == change  # what the hoppers paid, coin by coin
    devices = kiosk.cash_control.state()
    assert devices["validator"]["stacker"] == {"1000": 1}
    kiosk.driver.take_everything()
    kiosk.driver.send(ev.Finish())
    assert wait_closed(kiosk, txn_id) is CloseReason.COMPLETED
    with kiosk.journal() as journal:
        summary = journal.summary(txn_id)
    assert summary.received_yen == 1000
    assert summary.change_dispensed_yen == change
    assert summary.staff_owed_yen == 0
    assert kiosk.cash_driver is not None
    status = kiosk.cash_driver.status()
    assert status.bills_in_stacker == 1
    assert status.unconfirmed == ()  # every credit and payout journaled and confirmed


def test_a_bill_that_jams_after_the_escrow_counts_and_stops_the_next_payment(
    make_kiosk: MakeKiosk,
) -> None:
    kiosk = make_kiosk(cash_unit=SimConfig(hoppers=[(3, 100, 40), (4, 10, 60)]))
    txn_id = to_payment(kiosk)
    kiosk.cash_control.jam_validator("stacker", next_bill=True)
    kiosk.driver.insert_money([1000])
    # The bill is inside the machine (jammed on its way to the stacker): it counts as paid, so
    # the certificate is printed and the change given; staff clear the jam.
    kiosk.driver.wait_for(st.Done, timeout=120)
    state = change_paid(kiosk)
    assert state.txn is not None
    assert state.txn.money.change_yen == 1000 - FEE
    assert kiosk.cash_driver is not None
    assert kiosk.cash_driver.status().bill_validator.fault == "jam in stacker"
    kiosk.driver.take_everything()
    kiosk.driver.send(ev.Finish())
    assert wait_closed(kiosk, txn_id) is CloseReason.COMPLETED
    # The next resident reaches payment: the jammed validator stops it, nothing is taken. The
    # payment screen can turn into the fault before the driver looks (a busy machine): the
    # transaction is named at the confirmation and the fault awaited.
    kiosk.driver.wait_for(st.Start)
    kiosk.driver.to_menu("normal", "1234")
    kiosk.driver.order(CertificateKind.JUMINHYO, copies=1)
    assert kiosk.driver.state.txn is not None
    second = kiosk.driver.state.txn.txn_id
    kiosk.driver.confirm()
    state = kiosk.driver.wait_for(st.Fault, timeout=120)
    assert isinstance(state.screen, st.Fault)
    assert state.screen.problem is Problem.ACCEPTOR_JAMMED
    kiosk.driver.send(ev.Finish())
    assert wait_closed(kiosk, second) is not None
    with kiosk.journal() as journal:
        assert journal.summary(second).received_yen == 0


@pytest.mark.parametrize(
    ("hoppers", "paid", "owed"),
    [
        ([(3, 100, 2), (4, 10, 100)], 1000 - FEE, 0),  # the ¥100 hopper empties: ¥10 coins pay
        ([(3, 100, 2), (4, 10, 10)], 300, 1000 - FEE - 300),  # both run out: the rest owed
    ],
)
def test_a_hopper_empty_mid_change(
    make_kiosk: MakeKiosk, hoppers: list[tuple[int, int, int]], paid: int, owed: int
) -> None:
    kiosk = make_kiosk(cash_unit=SimConfig(hoppers=hoppers))
    txn_id = to_payment(kiosk)
    kiosk.driver.insert_money([1000])
    kiosk.driver.wait_for(st.Done, timeout=120)
    state = change_paid(kiosk)
    assert state.txn is not None
    assert state.txn.money.change_yen == paid
    assert state.txn.money.staff_owed_yen == owed
    assert state.txn.change_short is bool(owed)
    assert sum(tray_coins(kiosk)) == paid
    assert kiosk.cash_driver is not None
    faults = {h.address: h.fault for h in kiosk.cash_driver.status().hoppers}
    assert faults[3] == "empty"
    kiosk.driver.take_everything()
    kiosk.driver.send(ev.Finish())
    closed = wait_closed(kiosk, txn_id)
    assert closed is (CloseReason.STAFF if owed else CloseReason.COMPLETED)
    with kiosk.journal() as journal:
        summary = journal.summary(txn_id)
    assert summary.change_dispensed_yen == paid
    assert summary.staff_owed_yen == owed
    assert summary.kept_yen + paid + owed == 1000  # every yen: kept, given back, or owed
