"""A kiosk that stops in the middle of a payment (power cut) and starts again on the same
journal: the money is recorded as owed by staff once, and the completion report the center is
waiting for is sent after the restart — no issuance stays open at the center."""

from __future__ import annotations

import time

import pytest

from kiosk.flow import state as st
from kiosk.journal import CloseReason
from printing.certificates import CertificateKind
from tests.e2e.conftest import KioskUnderTest, MakeKiosk

pytestmark = [pytest.mark.pcscd, pytest.mark.cupsd]


def open_issuances(kiosk: KioskUnderTest) -> int:
    return kiosk.totals().open_issuances


def test_restart_after_a_power_cut_mid_payment(make_kiosk: MakeKiosk) -> None:
    first = make_kiosk()
    before = open_issuances(first)
    driver = first.driver
    driver.to_menu("normal", "1234")
    driver.order(CertificateKind.JUMINHYO)
    driver.confirm()
    state = driver.wait_for(st.Payment, timeout=120)
    assert state.txn is not None
    txn_id = state.txn.txn_id
    driver.insert_money([100])
    driver.wait_until(lambda s: s.txn is not None and s.txn.money.inserted_yen == 100, "100 yen")
    assert open_issuances(first) == before + 1  # the envelope is out, no report yet
    first.runner.stop()  # the power goes: no cancel, no refund, no report

    second = make_kiosk()  # the same journal: the restart
    deadline = time.monotonic() + 60
    closed = None
    while time.monotonic() < deadline and closed is None:
        second.driver.pump(0.2)
        with second.journal() as journal:
            closed = journal.summary(txn_id).closed
    with second.journal() as journal:
        summary = journal.summary(txn_id)
    assert closed is CloseReason.STAFF
    assert summary.staff_owed_yen == 100  # the coin the resident put in, for staff to pay
    assert summary.report == "cancelled"  # reported after the restart, acknowledged
    assert open_issuances(first) == before  # the same days, counted at the same center
    assert isinstance(second.driver.state.screen, st.Start)  # the kiosk serves again
