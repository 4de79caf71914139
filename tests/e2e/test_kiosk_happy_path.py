"""The whole kiosk, end to end, on the real stack: the virtual card through pcscd + vpcd, the
simulated center over mutual TLS, the simulated fee acceptor, a real private cupsd — driven
through the real window. Ends in a printed PDF whose pages are checked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.flow.effects import Reminder
from kiosk.journal import CloseReason
from printing.certificates import CertificateKind
from tests.e2e.conftest import KioskUnderTest, MakeKiosk, pdf_pages, pdf_text

pytestmark = [pytest.mark.pcscd, pytest.mark.cupsd]

NORMAL_PIN = "1234"  # hw_sim.personas: normal (山田 太郎, 練馬区: 住民票 150 yen at the kiosk)


def ink(png: Path) -> float:
    """Share of pixels that are not paper-white."""
    pixels = np.asarray(Image.open(png).convert("L"))
    return float((pixels < 200).mean())


def run_happy_path(kiosk: KioskUnderTest, copies: int = 1) -> st.FlowState:
    driver = kiosk.driver
    driver.to_menu("normal", NORMAL_PIN)
    driver.order(CertificateKind.JUMINHYO, copies=copies)
    driver.confirm()
    state = driver.wait_for(st.Payment, timeout=120)
    assert state.txn is not None
    due = state.txn.money.due_yen
    assert due == 150 * copies
    driver.insert_money([100])
    state = driver.wait_for(st.Payment)
    assert state.txn is not None
    assert state.txn.money.remaining_yen == due - 100
    driver.insert_money([1000])
    return driver.wait_for(st.Done, timeout=120)


def test_issue_pay_print_done(kiosk: KioskUnderTest, tmp_path: Path) -> None:
    before = kiosk.totals()
    state = run_happy_path(kiosk)
    txn = state.txn
    assert txn is not None
    assert txn.copies_printed == 1
    assert txn.money.change_yen == 1100 - 150
    assert kiosk.acceptor.tray_yen == 950  # the change lies in the return tray

    # The printed job: one copy of a one-page 住民票, front and back on one duplex sheet.
    assert len(kiosk.jobs_done) == 1
    _job, handle, outcome = kiosk.jobs_done[0]
    assert outcome.completed
    assert outcome.pages_total == 2
    printed = kiosk.captured(handle.job_id)
    assert printed.exists()
    pages = pdf_pages(printed, tmp_path / "pages")
    assert len(pages) == 2
    front, back = pages
    assert ink(front) > 0.005
    assert ink(back) > 0.005
    text = pdf_text(printed)
    assert "住民票" in text.replace(" ", "").replace("\u3000", "")
    assert "山田" in text

    # Reminders for the certificates and the change, then back to the start.
    assert Reminder.CERTIFICATES in kiosk.sound.requested
    assert Reminder.CHANGE in kiosk.sound.requested
    kiosk.driver.take_everything()
    kiosk.driver.send(ev.Finish())
    kiosk.driver.wait_for(st.Start)

    # The journal closed the transaction as completed, and the center got the report.
    kiosk.driver.wait_until(lambda s: not s.pending_reports, "the completion report")
    assert kiosk.runner.wait_idle(30)  # the closing record follows the state change
    with kiosk.journal() as journal:
        assert journal.open_transactions() == []
        summary = journal.summary(txn.txn_id)
    assert summary.closed is CloseReason.COMPLETED
    assert summary.copies_printed == 1
    assert summary.paid_in_full
    after = kiosk.totals()
    assert after.copies_printed - before.copies_printed == 1
    assert after.open_issuances == before.open_issuances


def test_two_copies_print_as_two_duplex_sheets(kiosk: KioskUnderTest, tmp_path: Path) -> None:
    state = run_happy_path(kiosk, copies=2)
    assert state.txn is not None
    assert state.txn.copies_printed == 2
    _, handle, outcome = kiosk.jobs_done[0]
    assert outcome.completed
    assert outcome.pages_total == 4
    pages = pdf_pages(kiosk.captured(handle.job_id), tmp_path / "pages")
    assert len(pages) == 4
    assert all(ink(page) > 0.005 for page in pages)


def test_screens_are_photographed_and_pin_never_shown(
    make_kiosk: MakeKiosk, tmp_path: Path
) -> None:
    kiosk = make_kiosk(shots=tmp_path / "shots")
    run_happy_path(kiosk)
    seen = kiosk.driver.screens_seen
    for screen in ("Start", "Consent", "PlaceCard", "PinEntry", "TakeCard", "Confirmation"):
        assert screen in seen
    assert seen.index("Payment") < seen.index("Printing") < seen.index("Done")
    assert len(list((tmp_path / "shots").glob("*.png"))) == len(kiosk.driver.shots)


def test_card_is_powered_off_before_the_center_answers(kiosk: KioskUnderTest) -> None:
    kiosk.center.fault("slow", path_prefix="/v3/auth/sessions", delay_s=2.0, count=1)
    driver = kiosk.driver
    driver.to_pin("normal")
    driver.enter_pin(NORMAL_PIN)
    state = driver.wait_for(st.TakeCard)
    assert state.txn is not None
    assert state.txn.offer is None  # the center has not answered yet …
    driver.wait_until(lambda s: not kiosk.dock.slot_status(0).powered, "the card powered off")
    assert kiosk.dock.slot_status(0).persona == "normal"  # … and the card, still on the
    # reader, is already off: the PIN verified on it is gone (architecture rule 3).
    driver.take_card()
    driver.wait_for(st.CertificateChoice)
