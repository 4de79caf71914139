"""Card and PIN failures: wrong PIN, blocked PIN, read failures, the card removed mid-way."""

from __future__ import annotations

import pytest

from kiosk.flow import effects as fx
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.flow.timeouts import MAX_CARD_REMINDERS
from kiosk.problems import Problem
from tests.kiosk.flow.conftest import PIN, Driver, core, of_type


def test_tries_are_read_before_the_keypad_and_shown(driver: Driver) -> None:
    driver.send(ev.ChooseService(ev.Service.ISSUE), ev.Agree(), ev.CardDetected(), ev.CardRead())
    assert driver.screen == st.PinEntry(tries_left=None)
    driver.send(ev.Digit("1"))  # no keypad before the tries are known
    assert driver.screen == st.PinEntry(tries_left=None)
    driver.send(ev.PinTriesRead(2))
    assert driver.screen.tries_left == 2
    assert not driver.screen.last_try


def test_keypad_correct_clear_and_only_four_digits(driver: Driver) -> None:
    driver.to_pin_entry()
    driver.send(ev.Digit("1"), ev.Digit("2"), ev.Digit("x"), ev.Digit("12"))
    assert driver.screen.digits == "12"
    driver.send(ev.Backspace())
    assert driver.screen.digits == "1"
    driver.send(ev.ClearEntry())
    assert driver.screen.digits == ""
    driver.send(*(ev.Digit(d) for d in "123456"))
    assert driver.screen.digits == "1234"
    assert driver.screen.complete


def test_submit_needs_four_digits(driver: Driver) -> None:
    driver.to_pin_entry()
    driver.send(ev.Digit("1"), ev.Digit("2"), ev.Digit("3"))
    assert of_type(driver.send(ev.Submit()), fx.VerifyPin) == []
    assert isinstance(driver.screen, st.PinEntry)


def test_a_wrong_pin_shows_the_tries_left_and_warns_at_the_last(driver: Driver) -> None:
    driver.to_pin_entry(tries=3)
    driver.type_pin("0000")
    driver.send(ev.PinRejected(2))
    assert driver.screen == st.PinEntry(tries_left=2, wrong=True)
    assert driver.screen.digits == ""
    driver.type_pin("1111")
    driver.send(ev.PinRejected(1))
    assert driver.screen.last_try


def test_the_pin_is_never_resent(driver: Driver) -> None:
    driver.to_pin_entry()
    effects = driver.type_pin("0000")
    assert of_type(effects, fx.VerifyPin) == [fx.VerifyPin("0000")]
    driver.send(ev.PinRejected(2))
    # Submitting again without typing sends nothing: the old PIN is gone.
    assert of_type(driver.send(ev.Submit()), fx.VerifyPin) == []
    all_verifies = [
        e for _, _, _, effects in driver.history for e in of_type(effects, fx.VerifyPin)
    ]
    assert all_verifies == [fx.VerifyPin("0000")]


def test_the_pin_is_wiped_from_the_state_on_submit(driver: Driver) -> None:
    driver.to_pin_entry()
    driver.type_pin()
    assert PIN not in repr(driver.state)
    assert "digits" not in repr(driver.state)
    assert driver.screen == st.VerifyingPin(3)


@pytest.mark.parametrize(
    "blocking",
    [ev.PinRejected(0), ev.PinBlocked()],
    ids=["last-try-wrong", "blocked"],
)
def test_a_blocked_pin_releases_the_card_and_says_where_to_reset(
    driver: Driver, blocking: ev.Event
) -> None:
    driver.to_pin_entry(tries=1)
    assert driver.screen.last_try
    driver.type_pin("0000")
    effects = driver.send(blocking)
    assert driver.screen == st.PinLocked()
    assert fx.ReleaseCard() in effects
    # Finishing with the card still on the reader asks for it first.
    driver.send(ev.Finish())
    assert driver.screen == st.ReturnCard()
    driver.send(ev.CardRemoved())
    assert driver.screen == st.Start()


def test_a_card_already_blocked_goes_straight_to_the_locked_screen(driver: Driver) -> None:
    driver.send(ev.ChooseService(ev.Service.ISSUE), ev.Agree(), ev.CardDetected(), ev.CardRead())
    effects = driver.send(ev.PinTriesRead(0))
    assert driver.screen == st.PinLocked()
    assert fx.ReleaseCard() in effects
    assert of_type(effects, fx.VerifyPin) == []


@pytest.mark.parametrize(
    ("failure", "problem"),
    [
        (ev.CardFailure.UNREADABLE, Problem.CARD_UNREADABLE),
        (ev.CardFailure.NOT_MY_NUMBER_CARD, Problem.NOT_MY_NUMBER_CARD),
        (ev.CardFailure.NO_CERTIFICATE, Problem.NO_USER_CERTIFICATE),
        (ev.CardFailure.CERTIFICATE_EXPIRED, Problem.CERTIFICATE_EXPIRED),
    ],
)
def test_a_read_failure_explains_and_waits_for_the_card_again(
    driver: Driver, failure: ev.CardFailure, problem: Problem
) -> None:
    driver.send(ev.ChooseService(ev.Service.ISSUE), ev.Agree(), ev.CardDetected())
    effects = driver.send(ev.CardReadFailed(failure))
    assert driver.screen == st.PlaceCard(problem=problem)
    assert core(effects)[0] == fx.ReleaseCard()
    assert of_type(effects, fx.ReadCard) == []  # not before the card is lifted
    effects = driver.send(ev.CardRemoved())
    assert of_type(effects, fx.ReadCard) == [fx.ReadCard()]
    driver.send(ev.CardDetected(), ev.CardRead())
    assert isinstance(driver.screen, st.PinEntry)


def test_a_broken_reader_is_a_fault_for_staff(driver: Driver) -> None:
    driver.send(ev.ChooseService(ev.Service.ISSUE), ev.Agree(), ev.CardDetected())
    driver.send(ev.CardReadFailed(ev.CardFailure.READER_FAULT))
    assert driver.screen == st.Fault(Problem.CARD_READER_FAULT)


def test_the_card_lifted_mid_read(driver: Driver) -> None:
    driver.send(ev.ChooseService(ev.Service.ISSUE), ev.Agree(), ev.CardDetected())
    driver.send(ev.CardRemoved())
    assert driver.screen == st.PlaceCard(problem=Problem.CARD_REMOVED)
    # The interrupted read then ends with a failure: wait for the next card at once.
    effects = driver.send(ev.CardReadFailed(ev.CardFailure.UNREADABLE))
    assert of_type(effects, fx.ReadCard) == [fx.ReadCard()]
    assert of_type(effects, fx.ReleaseCard) == []


def test_a_read_that_completes_after_the_card_was_lifted_is_not_used(driver: Driver) -> None:
    driver.send(ev.ChooseService(ev.Service.ISSUE), ev.Agree(), ev.CardDetected(), ev.CardRemoved())
    effects = driver.send(ev.CardRead())
    assert isinstance(driver.screen, st.PlaceCard)
    assert fx.ReadCard() in effects


@pytest.mark.parametrize("where", ["pin_entry", "verifying", "authenticating"])
def test_the_card_removed_while_in_use_ends_the_session(driver: Driver, where: str) -> None:
    driver.to_pin_entry()
    if where != "pin_entry":
        driver.type_pin()
    if where == "authenticating":
        driver.send(ev.PinAccepted())
    driver.send(ev.CardRemoved())
    assert driver.screen == st.Fault(Problem.CARD_REMOVED)
    assert driver.state.txn.card is st.CardState.REMOVED
    driver.send(ev.Finish())
    assert driver.screen == st.Start()  # nothing to take: straight to the start


def test_a_card_error_while_signing(driver: Driver) -> None:
    driver.to_pin_entry()
    driver.type_pin()
    driver.send(ev.PinAccepted(), ev.ChallengeReceived(b"m"))
    effects = driver.send(ev.CardFailed(ev.CardFailure.ERROR))
    assert driver.screen == st.Fault(Problem.CARD_ERROR)
    assert fx.ReleaseCard() in effects


def test_the_menu_waits_until_the_card_is_taken(driver: Driver) -> None:
    driver.to_take_card()
    driver.send(ev.CardRemoved())
    assert isinstance(driver.screen, st.TakeCard)  # taken, the offer is still on its way
    from tests.kiosk.flow.conftest import make_offer

    driver.send(ev.OfferReceived(make_offer()))
    assert driver.screen == st.JurisdictionChoice()


def test_a_forgotten_card_gets_reminders_then_the_session_ends(driver: Driver) -> None:
    driver.to_take_card()
    sounds = []
    for _ in range(MAX_CARD_REMINDERS - 1):
        sounds += of_type(driver.fire(), fx.PlayReminder)
        assert isinstance(driver.screen, st.TakeCard)
    assert sounds == [fx.PlayReminder(fx.Reminder.CARD)] * (MAX_CARD_REMINDERS - 1)
    effects = driver.fire()
    assert driver.screen == st.ReturnCard()
    assert fx.WipePersonalData() in effects
    assert driver.state.txn.offer is None
    audits = [e.record.event.value for e in of_type(effects, fx.Audit)]
    assert "card-left-behind" in audits
    # ReturnCard keeps reminding, then waits silently until staff take the card.
    for _ in range(MAX_CARD_REMINDERS):
        driver.fire()
    assert driver.state.timer is None
    driver.send(ev.CardRemoved())
    assert driver.screen == st.Start()
