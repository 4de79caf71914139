"""The city-hall deployment through the whole kiosk: counter payment (the certificate prints at
once, a numbered reception ticket comes out of the receipt queue) and no time limits."""

from __future__ import annotations

import time

import pytest

from kiosk.domain import CertificateKind
from kiosk.flow import TimeoutSettings, TimerName
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.flow.state import PaymentMode
from tests.e2e.conftest import MakeKiosk, pdf_text

pytestmark = [pytest.mark.pcscd, pytest.mark.cupsd]


def test_counter_payment_prints_the_certificate_and_a_ticket(make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk(payment=PaymentMode.COUNTER, tickets=True)
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
    driver.send(ev.Finish())
    driver.wait_for(st.Start)


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
