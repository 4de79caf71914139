"""Hostile cards through the whole kiosk (hw_sim/card/hostile.py, issue 16): a programmable card
on the reader of a store kiosk gets the card problem on the screen — never the 30 s "no
response" watchdog, never a stuck card worker — and the next resident's card works."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from hw_sim.card import CardDock, HostileFault
from hw_sim.pki import JpkiTestPki
from hw_sim.stack import PrinterFaults, PrivateCupsd, PrivatePcscd
from kiosk.flow import state as st
from kiosk.problems import Problem, staff_code
from kiosk.runtime.card import CARD_READ_BUDGET_S
from tests.e2e.conftest import KioskUnderTest
from tests.e2e.kiosk_process import KioskProcess, config_for
from tests.hw_sim.center.harness import RunningCenter

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


@pytest.mark.slow
def test_sigterm_stops_a_kiosk_whose_card_hangs(
    pcscd: PrivatePcscd,
    center: RunningCenter,
    center_pki: JpkiTestPki,
    e2e_cupsd: PrivateCupsd,
    printer_faults: PrinterFaults,
    tmp_path: Path,
) -> None:
    """The attack: a card answering 61 10 forever kept the card worker busy, CardService.stop()
    never returned, SIGTERM could not stop the kiosk and a core spun. Now that card is the card
    problem at once, and SIGTERM while the card worker waits for an answer that takes a minute
    ends the kiosk in seconds."""
    config = config_for(pcscd, center, center_pki, e2e_cupsd, tmp_path)
    kiosk = KioskProcess({**config, "goal": "place_card"}, tmp_path)
    dock = CardDock(
        port=pcscd.vpcd_ports[0], state_dir=tmp_path / "hostile", pki_dir=center_pki.folder
    )
    try:
        kiosk.wait_line("AT PlaceCard", 120)
        dock.insert(0, "normal", fault=HostileFault.ENDLESS_61XX.value)
        assert kiosk.wait_line("SCREEN PlaceCard card_unreadable", 20)
        dock.remove(0)
        dock.insert(0, "normal", delay_s=60.0)  # every answer takes a minute
        time.sleep(4.0)  # the card worker is now inside the first answer
        started = time.monotonic()
        kiosk.proc.send_signal(signal.SIGTERM)
        assert kiosk.proc.wait(timeout=30) == 0
        assert time.monotonic() - started < 8.0  # not the 10 s answer, not forever
    finally:
        kiosk.close()
        dock.close()
