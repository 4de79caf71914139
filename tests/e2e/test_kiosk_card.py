"""Card and PIN failures through the whole kiosk: virtual cards in pcscd + vpcd, the real card
driver on the card worker, the reader monitor, the window."""

from __future__ import annotations

import pytest

from kiosk.flow import TimeoutSettings, TimerName
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.flow.effects import Reminder
from kiosk.flow.state import CardState
from kiosk.problems import Problem
from tests.e2e.conftest import KioskUnderTest, MakeKiosk

pytestmark = pytest.mark.pcscd


def pin_screen(kiosk: KioskUnderTest) -> st.PinEntry:
    state = kiosk.driver.wait_until(
        lambda s: isinstance(s.screen, st.PinEntry) and s.screen.tries_left is not None,
        "the PIN keypad",
    )
    assert isinstance(state.screen, st.PinEntry)
    return state.screen


def test_wrong_pin_then_right_pin(kiosk: KioskUnderTest) -> None:
    driver = kiosk.driver
    driver.to_pin("normal")
    assert pin_screen(kiosk).tries_left == 3
    driver.enter_pin("1111")
    state = driver.wait_until(
        lambda s: isinstance(s.screen, st.PinEntry) and s.screen.wrong, "the wrong-PIN screen"
    )
    assert isinstance(state.screen, st.PinEntry)
    assert state.screen.tries_left == 2
    assert state.screen.digits == ""  # the wrong PIN is not kept
    driver.enter_pin("1234")
    driver.wait_for(st.TakeCard)
    driver.take_card()
    driver.wait_for(st.CertificateChoice)
    # A right PIN resets the counter on the card: the next session sees 3 tries again.
    driver.cancel()
    driver.wait_for(st.Start)
    driver.to_pin("normal")
    assert pin_screen(kiosk).tries_left == 3


def test_last_try_wrong_locks_the_pin(kiosk: KioskUnderTest) -> None:
    driver = kiosk.driver
    driver.to_pin("one-try-left")
    screen = pin_screen(kiosk)
    assert screen.tries_left == 1
    assert screen.last_try  # the keypad warns
    driver.enter_pin("0000")
    state = driver.wait_for(st.PinLocked)
    assert state.txn is not None
    assert state.txn.card is CardState.RELEASED  # powered off right away
    driver.send(ev.Finish())
    driver.wait_for(st.ReturnCard)
    driver.take_card()
    driver.wait_for(st.Start)


def test_blocked_pin_is_told_before_the_keypad(kiosk: KioskUnderTest) -> None:
    driver = kiosk.driver
    driver.to_place_card()
    driver.place_card("blocked")
    state = driver.wait_for(st.PinLocked)
    # The tries were read first (an empty VERIFY): no PIN could be sent to a blocked card.
    assert "VerifyingPin" not in driver.screens_seen
    assert state.txn is not None
    assert state.txn.card is CardState.RELEASED


def test_card_removed_while_it_is_read(kiosk: KioskUnderTest) -> None:
    driver = kiosk.driver
    driver.to_place_card()
    driver.place_card("slow", delay_s=0.4)  # every APDU takes 0.4 s: reading takes seconds
    driver.wait_until(
        lambda s: isinstance(s.screen, st.PlaceCard) and s.screen.reading, "reading the card"
    )
    driver.take_card()
    state = driver.wait_until(
        lambda s: (
            isinstance(s.screen, st.PlaceCard)
            and not s.screen.reading
            and s.screen.problem is not None
        ),
        "the place-card screen with its problem",
    )
    assert isinstance(state.screen, st.PlaceCard)
    assert state.screen.problem in (Problem.CARD_REMOVED, Problem.CARD_UNREADABLE)
    # The kiosk waits for the card again: the same resident places it properly.
    driver.place_card("normal")
    driver.wait_until(
        lambda s: isinstance(s.screen, st.PinEntry) and s.screen.tries_left == 3, "the keypad"
    )


def test_card_removed_during_pin_entry_ends_the_session(kiosk: KioskUnderTest) -> None:
    driver = kiosk.driver
    driver.to_pin("normal")
    driver.take_card()
    state = driver.wait_for(st.Fault)
    assert isinstance(state.screen, st.Fault)
    assert state.screen.problem is Problem.CARD_REMOVED
    driver.send(ev.Finish())
    driver.wait_for(st.Start)


def test_old_juki_card_is_refused(kiosk: KioskUnderTest) -> None:
    driver = kiosk.driver
    driver.to_place_card()
    driver.place_card("juki-card")
    state = driver.wait_until(
        lambda s: isinstance(s.screen, st.PlaceCard) and s.screen.problem is not None,
        "the refusal",
    )
    assert isinstance(state.screen, st.PlaceCard)
    assert state.screen.problem is Problem.NOT_MY_NUMBER_CARD
    assert state.txn is not None
    assert state.txn.card is CardState.RELEASED


def test_expired_certificate_is_refused_at_the_card(kiosk: KioskUnderTest) -> None:
    driver = kiosk.driver
    driver.to_place_card()
    driver.place_card("expired")
    state = driver.wait_until(
        lambda s: isinstance(s.screen, st.PlaceCard) and s.screen.problem is not None,
        "the refusal",
    )
    assert isinstance(state.screen, st.PlaceCard)
    assert state.screen.problem is Problem.CERTIFICATE_EXPIRED


def test_revoked_certificate_is_refused_by_the_center(kiosk: KioskUnderTest) -> None:
    driver = kiosk.driver
    driver.to_pin("revoked")
    driver.enter_pin("1972")
    driver.wait_for(st.TakeCard, st.Fault)
    driver.take_card()
    state = driver.wait_for(st.Fault)
    assert isinstance(state.screen, st.Fault)
    assert state.screen.problem is Problem.CERTIFICATE_INVALID  # the center's OCSP: revoked


def test_card_left_on_the_reader_is_reminded(make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk(timeouts=TimeoutSettings(overrides=((TimerName.TAKE_CARD, 0.2),)))
    driver = kiosk.driver
    driver.to_pin("normal")
    driver.enter_pin("1234")
    driver.wait_for(st.TakeCard)
    # The screen's count is published before the runner plays the step's reminder: wait for
    # both (on a loaded machine the second sound came a moment after the second count).
    driver.wait_until(
        lambda s: (
            isinstance(s.screen, st.TakeCard)
            and s.screen.reminders >= 2
            and kiosk.sound.requested.count(Reminder.CARD) >= 2
        ),
        "two reminders, each with its sound",
    )
    assert kiosk.sound.requested.count(Reminder.CARD) >= 2
    driver.take_card()
    driver.wait_for(st.CertificateChoice)
