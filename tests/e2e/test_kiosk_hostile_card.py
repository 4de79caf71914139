"""Hostile cards through the whole kiosk (hw_sim/card/hostile.py, issue 16): a programmable card
on the reader of a store kiosk gets the card problem on the screen — never the 30 s "no
response" watchdog, never a stuck card worker — and the next resident's card works."""

from __future__ import annotations

import time

import pytest

from hw_sim.card import HostileFault
from kiosk.flow import state as st
from kiosk.problems import Problem, staff_code
from kiosk.runtime.card import CARD_READ_BUDGET_S
from tests.e2e.conftest import KioskUnderTest

pytestmark = pytest.mark.pcscd

FAULTS = {
    HostileFault.ENDLESS_61XX: Problem.CARD_UNREADABLE,
    HostileFault.ENDLESS_6CXX: Problem.CARD_UNREADABLE,
    HostileFault.WRONG_61XX_LENGTH: Problem.CARD_UNREADABLE,
    HostileFault.LYING_CERTIFICATE_LENGTH: Problem.CARD_UNREADABLE,
    HostileFault.GARBAGE_TOKEN_LABEL: Problem.CARD_UNREADABLE,
    HostileFault.BAD_CERTIFICATE_VERSION: Problem.CERTIFICATE_INVALID,  # C-105, not K-903
    HostileFault.SLOW_ANSWER: Problem.CARD_UNREADABLE,
}


def the_card_problem(kiosk: KioskUnderTest, timeout: float) -> st.PlaceCard:
    state = kiosk.driver.wait_until(
        lambda s: isinstance(s.screen, st.PlaceCard) and s.screen.problem is not None,
        "the card problem",
        timeout=timeout,
    )
    assert isinstance(state.screen, st.PlaceCard)
    return state.screen


@pytest.mark.parametrize("fault", list(FAULTS), ids=lambda f: f.value)
def test_a_hostile_card_shows_the_card_problem(kiosk: KioskUnderTest, fault: HostileFault) -> None:
    driver = kiosk.driver
    driver.to_place_card()
    started = time.monotonic()
    driver.place_card("normal", fault=fault.value)
    # Within the card's read budget and one slow answer more; the flow's watchdog is 30 s.
    screen = the_card_problem(kiosk, timeout=CARD_READ_BUDGET_S + 10.0 + 5.0)
    assert screen.problem is FAULTS[fault]
    assert time.monotonic() - started < 28.0  # before the 30 s watchdog's "no response"
    assert staff_code(screen.problem).startswith("C-")
    # The worker is free: the resident takes the card away and a real card is read at once.
    driver.take_card()
    driver.wait_until(
        lambda s: isinstance(s.screen, st.PlaceCard) and not s.screen.reading, "the card gone"
    )
    driver.place_card("normal")
    driver.wait_until(
        lambda s: isinstance(s.screen, st.PinEntry) and s.screen.tries_left == 3, "the keypad"
    )
