"""Center failures through the whole kiosk: the simulated center process over mutual TLS with
faults, maintenance and its business clock steered through its admin endpoint."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from kiosk.flow import TimeoutSettings, TimerName
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.journal import CloseReason
from kiosk.problems import Problem
from printing.certificates import CertificateKind
from tests.e2e.conftest import KioskUnderTest, MakeKiosk

pytestmark = pytest.mark.pcscd

NERIMA = "131202"  # the normal persona's municipality
LATE_EVENING = datetime.fromisoformat("2026-11-26T23:30:00+09:00")  # after 23:00 closing


def fault_screen(kiosk: KioskUnderTest, timeout: float = 30.0) -> st.Fault:
    state = kiosk.driver.wait_for(st.Fault, timeout=timeout)
    assert isinstance(state.screen, st.Fault)
    return state.screen


def settled(kiosk: KioskUnderTest, txn_id: str, timeout: float = 30.0) -> CloseReason | None:
    """Wait until the journal closed ``txn_id`` (completion reported); its close reason."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kiosk.driver.pump(0.1)
        with kiosk.journal() as journal:
            summary = journal.summary(txn_id)
        if summary.closed is not None:
            return summary.closed
    return None


def open_issuances(kiosk: KioskUnderTest) -> int:
    return kiosk.totals().open_issuances


def test_center_unreachable_at_authentication(kiosk: KioskUnderTest) -> None:
    kiosk.center.fault("drop", path_prefix="/v3/auth/challenges", count=None, when="before")
    driver = kiosk.driver
    driver.to_pin("normal")
    driver.enter_pin("1234")
    assert fault_screen(kiosk).problem is Problem.CENTER_UNREACHABLE
    state = driver.state
    assert state.txn is not None
    driver.send(ev.Finish())
    driver.wait_for(st.ReturnCard)  # the card was powered off and is still on the reader
    driver.take_card()
    driver.wait_for(st.Start)


def test_center_process_down(kiosk: KioskUnderTest) -> None:
    driver = kiosk.driver
    driver.to_pin("normal")
    kiosk.center.stop()
    try:
        driver.enter_pin("1234")
        assert fault_screen(kiosk).problem is Problem.CENTER_UNREACHABLE
    finally:
        kiosk.center.start()


def test_center_slow_but_the_screen_stays_live(kiosk: KioskUnderTest) -> None:
    kiosk.center.fault("slow", path_prefix="/v3/offer", delay_s=2.5, count=1)
    driver = kiosk.driver
    driver.to_pin("normal")
    driver.enter_pin("1234")
    driver.wait_for(st.TakeCard)
    driver.take_card()
    # While the center takes its time, the kiosk still answers the resident at once.
    started = time.monotonic()
    driver.choose_language("en")
    assert time.monotonic() - started < 1.5
    assert isinstance(driver.state.screen, st.TakeCard)
    driver.wait_for(st.CertificateChoice)
    assert driver.state.language == "en"


def test_issuance_5xx_takes_no_money(kiosk: KioskUnderTest) -> None:
    kiosk.center.fault("error", path_prefix="/v3/issuances", status=503, count=None)
    driver = kiosk.driver
    driver.to_menu("normal", "1234")
    driver.order(CertificateKind.JUMINHYO)
    txn_id = driver.state.txn.txn_id if driver.state.txn else ""
    driver.confirm()
    assert fault_screen(kiosk, 60).problem is Problem.CENTER_ERROR
    assert "Payment" not in driver.screens_seen
    assert kiosk.acceptor.tray_yen == 0
    assert settled(kiosk, txn_id) is CloseReason.CANCELLED


def test_center_in_maintenance(kiosk: KioskUnderTest) -> None:
    kiosk.center.admin("POST", "/admin/center-maintenance", {"minutes": 30})
    driver = kiosk.driver
    driver.to_pin("normal")
    driver.enter_pin("1234")
    assert fault_screen(kiosk).problem is Problem.CENTER_MAINTENANCE


def test_municipality_maintenance_starts_before_the_issuance(kiosk: KioskUnderTest) -> None:
    driver = kiosk.driver
    driver.to_menu("normal", "1234")
    driver.order(CertificateKind.JUMINHYO)
    txn_id = driver.state.txn.txn_id if driver.state.txn else ""
    kiosk.center.admin("POST", "/admin/maintenance", {"municipality_code": NERIMA, "minutes": 30})
    try:
        driver.confirm()
        assert fault_screen(kiosk, 60).problem is Problem.MUNICIPALITY_MAINTENANCE
        assert "Payment" not in driver.screens_seen
        assert settled(kiosk, txn_id) is CloseReason.CANCELLED
    finally:
        kiosk.center.admin("DELETE", f"/admin/maintenance/{NERIMA}")


def test_municipality_in_maintenance_greys_out_the_menu(kiosk: KioskUnderTest) -> None:
    kiosk.center.admin("POST", "/admin/maintenance", {"municipality_code": NERIMA, "minutes": 30})
    try:
        driver = kiosk.driver
        driver.to_menu("normal", "1234")
        state = driver.wait_for(st.CertificateChoice)
        offer = state.txn.offer if state.txn else None
        assert offer is not None
        assert {line.unavailable_reason for line in offer.certificates} == {"maintenance"}
        driver.send(ev.ChooseCertificate(CertificateKind.JUMINHYO))
        assert isinstance(driver.state.screen, st.CertificateChoice)  # nothing to choose
    finally:
        kiosk.center.admin("DELETE", f"/admin/maintenance/{NERIMA}")


def test_out_of_hours_at_the_offer(kiosk: KioskUnderTest) -> None:
    kiosk.center.set_clock(LATE_EVENING)
    driver = kiosk.driver
    driver.to_menu("normal", "1234")
    state = driver.wait_for(st.CertificateChoice)
    offer = state.txn.offer if state.txn else None
    assert offer is not None
    assert {line.unavailable_reason for line in offer.certificates} == {"out_of_hours"}


def test_hours_end_between_the_offer_and_the_issuance(kiosk: KioskUnderTest) -> None:
    driver = kiosk.driver
    driver.to_menu("normal", "1234")
    driver.order(CertificateKind.INKAN)
    kiosk.center.set_clock(LATE_EVENING)
    driver.confirm()
    assert fault_screen(kiosk, 60).problem is Problem.OUT_OF_HOURS
    assert kiosk.acceptor.tray_yen == 0


def test_issuance_slower_than_the_watchdog_is_abandoned(make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk(timeouts=TimeoutSettings(overrides=((TimerName.FETCH, 1.0),)))
    before = open_issuances(kiosk)
    kiosk.center.fault("slow", path_prefix="/v3/issuances", delay_s=3.0, count=1)
    driver = kiosk.driver
    driver.to_menu("normal", "1234")
    driver.order(CertificateKind.JUMINHYO)
    txn_id = driver.state.txn.txn_id if driver.state.txn else ""
    driver.confirm()
    assert fault_screen(kiosk, 30).problem is Problem.CENTER_TIMEOUT
    assert "Payment" not in driver.screens_seen
    # The late envelope is dropped, and the issuance the center made anyway is reported
    # cancelled once it arrives: nothing stays open at the center or in the journal.
    assert settled(kiosk, txn_id, timeout=60) is CloseReason.CANCELLED
    assert open_issuances(kiosk) == before
    # The next resident is not held up by the abandoned call.
    driver.send(ev.Finish())
    driver.wait_for(st.Start)
    driver.to_menu("normal", "1234")
