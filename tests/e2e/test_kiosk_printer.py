"""Printer failures through the whole kiosk: the private cupsd's capture queue with its fault
backend, the simulated acceptor paying back, the completion report at the simulated center."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from hw_sim.stack import SimFault
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.journal import CloseReason
from kiosk.problems import Problem
from printing.certificates import CertificateKind
from tests.e2e.conftest import KioskUnderTest, LedgerTotals, pdf_pages

pytestmark = [pytest.mark.pcscd, pytest.mark.cupsd]

FEE = 150  # 練馬区 住民票 at the kiosk (hw_sim world)


def settlement(kiosk: KioskUnderTest) -> LedgerTotals:
    return kiosk.totals()


def wait_closed(kiosk: KioskUnderTest, txn_id: str, timeout: float = 30.0) -> CloseReason | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kiosk.driver.pump(0.1)
        with kiosk.journal() as journal:
            closed = journal.summary(txn_id).closed
        if closed is not None:
            return closed
    return None


def to_payment(kiosk: KioskUnderTest, copies: int = 1) -> str:
    driver = kiosk.driver
    driver.to_menu("normal", "1234")
    driver.order(CertificateKind.JUMINHYO, copies=copies)
    driver.confirm()
    state = driver.wait_for(st.Payment, timeout=120)
    assert state.txn is not None
    return state.txn.txn_id


def test_out_of_paper_before_payment_asks_nothing(kiosk: KioskUnderTest) -> None:
    kiosk.faults.set(SimFault.MEDIA_EMPTY)  # the queue reports it at once
    before = settlement(kiosk)
    driver = kiosk.driver
    driver.to_menu("normal", "1234")
    driver.order(CertificateKind.JUMINHYO)
    txn_id = driver.state.txn.txn_id if driver.state.txn else ""
    driver.confirm()
    state = driver.wait_for(st.Fault, timeout=30)
    assert isinstance(state.screen, st.Fault)
    assert state.screen.problem is Problem.PRINTER_OUT_OF_PAPER
    assert "Payment" not in driver.screens_seen
    assert wait_closed(kiosk, txn_id) is CloseReason.CANCELLED
    assert settlement(kiosk).issuances == before.issuances  # the center was never asked


def test_out_of_paper_after_payment_refunds_and_reports_failed(
    kiosk: KioskUnderTest, tmp_path: Path
) -> None:
    before = settlement(kiosk)
    txn_id = to_payment(kiosk)
    driver = kiosk.driver
    driver.insert_money([100])
    # The paper runs out after the front of the certificate: the copy is not whole.
    kiosk.faults.set(SimFault.MEDIA_EMPTY, after_pages=1)
    driver.insert_money([1000])
    state = driver.wait_for(st.Fault, timeout=120)
    assert isinstance(state.screen, st.Fault)
    assert state.screen.problem is Problem.PRINTER_OUT_OF_PAPER
    assert "Refunding" in driver.screens_seen
    txn = state.txn
    assert txn is not None
    assert txn.copies_printed == 0
    assert txn.money.refunded_yen == FEE
    assert txn.money.held_yen == 0
    # Change (950) and the refunded fee (150) are both in the return tray.
    assert kiosk.acceptor.tray_yen == 1100
    # The job was cancelled: nothing can come out later; the half-printed document is kept
    # by the capture backend as ".failed".
    _, handle, outcome = kiosk.jobs_done[0]
    assert not outcome.completed
    assert kiosk.captured(handle.job_id, failed=True).exists()
    # The completion report says failed and refunded; the journal closes as refunded.
    assert wait_closed(kiosk, txn_id) is CloseReason.REFUNDED
    after = settlement(kiosk)
    assert after.refunded_yen - before.refunded_yen == FEE
    assert after.copies_printed == before.copies_printed
    assert after.open_issuances == before.open_issuances


def test_jam_in_the_second_copy_keeps_the_first(kiosk: KioskUnderTest, tmp_path: Path) -> None:
    before = settlement(kiosk)
    txn_id = to_payment(kiosk, copies=2)
    driver = kiosk.driver
    kiosk.faults.set(SimFault.MEDIA_JAM, after_pages=2)  # copy 1 (front + back) comes out
    driver.insert_money([100, 100, 100])
    state = driver.wait_for(st.Fault, timeout=120)
    assert isinstance(state.screen, st.Fault)
    assert state.screen.problem is Problem.PRINTER_JAM
    txn = state.txn
    assert txn is not None
    assert txn.copies_printed == 1
    assert txn.money.refunded_yen == FEE  # the second copy's fee
    assert txn.money.held_yen == FEE  # the first copy's fee is kept
    assert wait_closed(kiosk, txn_id) is CloseReason.REFUNDED
    after = settlement(kiosk)
    assert after.copies_printed - before.copies_printed == 1
    assert after.refunded_yen - before.refunded_yen == FEE
    _, handle, _ = kiosk.jobs_done[0]
    printed = pdf_pages(kiosk.captured(handle.job_id, failed=True), tmp_path / "pages")
    assert len(printed) == 4  # the whole job reached the printer; two sides came out
    driver.send(ev.Finish())
    driver.wait_for(st.Start)
