"""The city-hall deployment through the whole kiosk: counter payment (the certificate prints at
once, a numbered reception ticket comes out of the receipt queue) and no time limits."""

from __future__ import annotations

import time

import pytest

from kiosk.flow import TimeoutSettings, TimerName
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.flow.state import PaymentMode
from kiosk.journal import CloseReason
from printing.certificates import CertificateKind
from tests.e2e.conftest import KioskUnderTest, MakeKiosk, pdf_text

pytestmark = [pytest.mark.pcscd, pytest.mark.cupsd]


def test_counter_payment_prints_the_certificate_and_a_ticket(make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk(payment=PaymentMode.COUNTER, tickets=True)
    before = kiosk.totals()
    driver = kiosk.driver
    driver.to_menu("normal", "1234")
    driver.order(CertificateKind.INKAN)
    driver.confirm()
    state = driver.wait_for(st.Done, timeout=120)
    assert "Payment" not in driver.screens_seen  # nothing is paid at the kiosk
    assert isinstance(state.screen, st.Done)
    number = state.screen.ticket_number
    assert number is not None
    assert kiosk.acceptor.tray_yen == 0
    # The ticket reaches the receipt queue (here: the capture queue) as its own job.
    capture = kiosk.cupsd.capture_dir()
    deadline = time.monotonic() + 30
    tickets: list[str] = []
    while time.monotonic() < deadline and not tickets:
        driver.pump(0.2)
        for pdf in capture.glob("job-*.pdf"):
            text = pdf_text(pdf)
            if "受付票" in text and f"{number:03d}" in text:
                tickets.append(text)
    assert tickets, "no reception ticket was printed"
    assert "150円" in tickets[0]  # 練馬区 印鑑登録証明書 at the kiosk
    # The center was told: printed, paid at the counter (no money at the kiosk). It settles the
    # copy apart: the municipality collects the fee at its counter, and there is no store fee.
    txn_id = state.txn.txn_id if state.txn else ""
    assert settled(kiosk, txn_id) is CloseReason.COMPLETED
    after = kiosk.totals()
    assert after.counter_copies_printed == before.counter_copies_printed + 1
    assert after.counter_fees_yen == before.counter_fees_yen + 150
    assert after.copies_printed == before.copies_printed
    assert after.store_fee_yen == before.store_fee_yen
    assert after.open_issuances == before.open_issuances
    driver.send(ev.Finish())
    driver.wait_for(st.Start)


def settled(kiosk: KioskUnderTest, txn_id: str, timeout: float = 30.0) -> CloseReason | None:
    """Wait until the journal closed ``txn_id`` (the center acknowledged its report)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kiosk.driver.pump(0.1)
        with kiosk.journal() as journal:
            closed = journal.summary(txn_id).closed
        if closed is not None:
            return closed
    return None


def test_no_time_limits_keeps_the_screen(make_kiosk: MakeKiosk) -> None:
    short = ((TimerName.MENU, 0.2), (TimerName.CONTINUE_PROMPT, 0.2))
    kiosk = make_kiosk(
        payment=PaymentMode.COUNTER,
        timeouts=TimeoutSettings(overrides=short, no_time_limits=True),
    )
    driver = kiosk.driver
    driver.to_menu("normal", "1234")
    driver.pump(1.5)  # seven times the menu's (overridden) idle time
    state = driver.state
    assert isinstance(state.screen, st.CertificateChoice)
    assert not state.prompt
    assert state.timer is None  # idle timers are off; device watchdogs are not
