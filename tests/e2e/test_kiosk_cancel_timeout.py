"""Cancel at every step and time out at every step, through the whole kiosk on the real stack.

Whatever the step, the session ends cleanly: back to the start screen (after the card is taken
off the reader when it is still there), money inserted goes back, the card is powered off, the
journal has nothing open, and the center has no issuance left without its completion report.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from kiosk.flow import TimeoutSettings, TimerName
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.flow.effects import Reminder
from printing.certificates import CertificateKind
from tests.e2e.conftest import KioskUnderTest, MakeKiosk

pytestmark = [pytest.mark.pcscd, pytest.mark.cupsd]

PIN = "1234"
SHORT = 0.3  # seconds: the timer under test and the continue prompt


def to_consent(k: KioskUnderTest) -> None:
    k.driver.choose_service(ev.Service.ISSUE)
    k.driver.wait_for(st.Consent)


def to_place_card(k: KioskUnderTest) -> None:
    k.driver.to_place_card()


def to_pin(k: KioskUnderTest) -> None:
    k.driver.to_pin("normal")


def to_take_card(k: KioskUnderTest) -> None:
    k.driver.to_pin("normal")
    k.driver.enter_pin(PIN)
    k.driver.wait_for(st.TakeCard)


def to_certificate(k: KioskUnderTest) -> None:
    k.driver.to_menu("normal", PIN)


def to_options(k: KioskUnderTest) -> None:
    to_certificate(k)
    k.driver.choose_certificate(CertificateKind.JUMINHYO)
    k.driver.wait_for(st.OptionChoice)


def to_copies(k: KioskUnderTest) -> None:
    to_options(k)
    k.driver.nav("next")
    k.driver.wait_for(st.CopiesChoice)


def to_confirmation(k: KioskUnderTest) -> None:
    to_certificate(k)
    k.driver.order(CertificateKind.JUMINHYO)


def to_fetching(k: KioskUnderTest) -> None:
    k.center.fault("slow", path_prefix="/v3/issuances", delay_s=3.0, count=1)
    to_confirmation(k)
    k.driver.confirm()
    k.driver.wait_until(
        lambda s: isinstance(s.screen, st.Fetching) and s.screen.phase is st.FetchPhase.ISSUING,
        "the issuance in flight",
    )


def to_payment(k: KioskUnderTest) -> None:
    to_confirmation(k)
    k.driver.confirm()
    k.driver.wait_for(st.Payment, timeout=120)


def to_payment_with_money(k: KioskUnderTest) -> None:
    to_payment(k)
    k.driver.insert_money([100])
    k.driver.wait_until(
        lambda s: s.txn is not None and s.txn.money.inserted_yen == 100, "100 yen inserted"
    )


def to_done(k: KioskUnderTest) -> None:
    to_payment(k)
    k.driver.insert_money([100, 50])
    k.driver.wait_for(st.Done, timeout=120)


STEPS: dict[str, tuple[Callable[[KioskUnderTest], None], TimerName | None]] = {
    "consent": (to_consent, TimerName.CONSENT),
    "place_card": (to_place_card, TimerName.PLACE_CARD),
    "pin": (to_pin, TimerName.PIN_ENTRY),
    "take_card": (to_take_card, TimerName.TAKE_CARD),
    "certificate": (to_certificate, TimerName.MENU),
    "options": (to_options, TimerName.OPTIONS),
    "copies": (to_copies, TimerName.MENU),
    "confirmation": (to_confirmation, TimerName.CONFIRM),
    "fetching": (to_fetching, TimerName.FETCH),
    "payment": (to_payment, TimerName.PAYMENT),
    "payment_with_money": (to_payment_with_money, TimerName.PAYMENT),
    "done": (to_done, TimerName.DONE_REMINDER),
}


def open_issuances(k: KioskUnderTest) -> int:
    return k.totals().open_issuances


def back_to_start(k: KioskUnderTest) -> int:
    """The session ends: card taken if still there, money back, nothing left open. Returns
    the yen the resident took from the return tray."""
    driver = k.driver
    state = driver.wait_for(st.Start, st.ReturnCard, st.Cancelled, st.Fault, st.Done, timeout=60)
    taken = sum(int(piece) for piece in k.acceptor.take_tray())
    if isinstance(state.screen, st.Cancelled | st.Fault | st.Done):
        driver.send(ev.Finish())
        state = driver.wait_for(st.Start, st.ReturnCard)
    if isinstance(state.screen, st.ReturnCard):
        driver.take_card()
        driver.wait_for(st.Start)
    driver.take_card()  # a no-op when the card was already taken
    deadline = time.monotonic() + 60
    while driver.state.pending_reports and time.monotonic() < deadline:
        driver.pump(0.1)
    assert driver.state.txn is None
    assert driver.state.pending_reports == ()
    # The state changes first; the records of that step are written by the runner's sequencer
    # right after (write-ahead applies to the effects that follow them, not to the screen).
    assert k.runner.wait_idle(30)
    with k.journal() as journal:
        assert journal.open_transactions() == []
    assert k.acceptor.escrow is None
    assert not k.acceptor.enabled
    return taken


@pytest.mark.parametrize("step", list(STEPS))
def test_cancel_at_every_step(kiosk: KioskUnderTest, step: str) -> None:
    before = open_issuances(kiosk)
    go_to, _timer = STEPS[step]
    go_to(kiosk)
    txn = kiosk.driver.state.txn
    assert txn is not None
    kept = txn.money.inserted_yen - txn.money.change_due_yen if step == "done" else 0
    kiosk.driver.cancel()
    taken = back_to_start(kiosk)
    # Every yen put in comes back, except the fee of what was printed.
    assert taken == txn.money.inserted_yen - kept
    if step == "payment_with_money":
        assert "Refunding" in kiosk.driver.screens_seen
    assert open_issuances(kiosk) == before


def test_cancel_returns_the_money_inserted(kiosk: KioskUnderTest) -> None:
    to_payment_with_money(kiosk)
    kiosk.driver.cancel()
    state = kiosk.driver.wait_for(st.Cancelled, timeout=30)
    assert state.txn is not None
    assert state.txn.money.refunded_yen == 100
    assert kiosk.acceptor.tray_yen == 100
    # The reminder is the step's last effect: the sequencer plays it after the step's journal
    # writes, a moment after the screen changed (seconds on a loaded machine).
    kiosk.driver.wait_until(
        lambda _s: Reminder.MONEY in kiosk.sound.requested, "the money reminder", timeout=30
    )


def test_printing_cannot_be_cancelled(kiosk: KioskUnderTest) -> None:
    kiosk.faults.slow(0.6)  # each page takes 0.6 s
    to_payment(kiosk)
    kiosk.driver.insert_money([100, 50])
    kiosk.driver.wait_for(st.Printing, timeout=60)
    assert not kiosk.driver.window.cancel_button.isEnabled()
    kiosk.driver.send(ev.Cancel())  # even if it were sent: the flow waits for the printer
    assert isinstance(kiosk.driver.state.screen, st.Printing)
    state = kiosk.driver.wait_for(st.Done, timeout=60)
    assert state.txn is not None
    assert state.txn.copies_printed == 1


@pytest.mark.parametrize("step", list(STEPS))
def test_timeout_at_every_step(make_kiosk: MakeKiosk, step: str) -> None:
    go_to, timer = STEPS[step]
    assert timer is not None
    overrides = ((timer, SHORT), (TimerName.CONTINUE_PROMPT, SHORT))
    kiosk = make_kiosk(timeouts=TimeoutSettings(overrides=overrides))
    before = open_issuances(kiosk)
    go_to(kiosk)
    driver = kiosk.driver
    if step == "take_card":
        # Reminder sounds, then the session is given up; the card stays on the reader.
        driver.wait_for(st.ReturnCard, timeout=30)
        assert kiosk.sound.requested.count(Reminder.CARD) >= 1
    elif step == "done":
        driver.wait_for(st.Start, timeout=30)
        assert Reminder.CERTIFICATES in kiosk.sound.requested
    elif step == "fetching":
        state = driver.wait_for(st.Fault, timeout=30)
        assert isinstance(state.screen, st.Fault)
    else:
        # "Continue?" first, then the session is abandoned.
        driver.wait_until(lambda s: s.prompt, "the continue prompt", timeout=30)
        assert driver.window.prompt.isVisible()
        driver.wait_until(
            lambda s: (
                not s.prompt
                and isinstance(s.screen, st.Start | st.ReturnCard | st.Refunding | st.Cancelled)
            ),
            "the session abandoned",
            timeout=30,
        )
    inserted = 100 if step == "payment_with_money" else 0
    assert back_to_start(kiosk) == inserted
    assert open_issuances(kiosk) == before


def test_continue_keeps_the_session(make_kiosk: MakeKiosk) -> None:
    overrides = ((TimerName.MENU, SHORT), (TimerName.CONTINUE_PROMPT, 5.0))
    kiosk = make_kiosk(timeouts=TimeoutSettings(overrides=overrides))
    to_certificate(kiosk)
    kiosk.driver.wait_until(lambda s: s.prompt, "the continue prompt", timeout=30)
    kiosk.driver.tap(kiosk.driver.window.prompt.continue_button, "continue")
    state = kiosk.driver.wait_until(lambda s: not s.prompt, "the prompt closed")
    assert isinstance(state.screen, st.CertificateChoice)
    assert state.txn is not None
    assert state.txn.offer is not None
