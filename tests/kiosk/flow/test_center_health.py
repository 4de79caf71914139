"""The start screen and the center's health: services unavailable (with the problem and its
staff code) while the center is down or in maintenance, back by themselves when it answers."""

from __future__ import annotations

from datetime import datetime

import pytest

from kiosk.flow import effects as fx
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.payment import AcceptorJammed
from kiosk.problems import Problem, staff_code
from tests.kiosk.flow.conftest import Driver, of_type

F = ev.CenterFailure
UNTIL = datetime.fromisoformat("2026-11-26T12:00:00+09:00")


@pytest.mark.parametrize(
    ("failure", "reason", "problem"),
    [
        (F.UNREACHABLE, "", Problem.CENTER_UNREACHABLE),
        (F.TIMEOUT, "", Problem.CENTER_TIMEOUT),
        (F.UNAVAILABLE, "", Problem.CENTER_ERROR),
        (F.MAINTENANCE, "center", Problem.CENTER_MAINTENANCE),
        (F.NOT_AUTHORISED, "", Problem.KIOSK_NOT_AUTHORISED),
        (F.PROTOCOL, "", Problem.CENTER_PROTOCOL),
    ],
)
def test_services_are_unavailable_while_the_center_is_down(
    driver: Driver, failure: ev.CenterFailure, reason: str, problem: Problem
) -> None:
    effects = driver.send(ev.CenterHealthChanged(failure, reason))
    assert driver.state.center == st.CenterStatus(problem)
    assert not driver.state.center.available
    [audit] = of_type(effects, fx.Audit)
    assert audit.record.outcome == problem.value
    assert ("staff_code", staff_code(problem)) in audit.record.details
    for service in ev.Service:
        assert driver.send(ev.ChooseService(service)) == ()
        assert driver.screen == st.Start()
        assert driver.state.txn is None
    driver.send(ev.OpenLanguageMenu(), ev.ChooseLanguage("en"))  # the language still changes
    assert driver.state.language == "en"


def test_maintenance_says_until_when(driver: Driver) -> None:
    driver.send(ev.CenterHealthChanged(F.MAINTENANCE, "center", UNTIL))
    assert driver.state.center == st.CenterStatus(Problem.CENTER_MAINTENANCE, UNTIL)


def test_the_start_screen_recovers_by_itself(driver: Driver) -> None:
    driver.send(ev.CenterHealthChanged(F.UNREACHABLE))
    effects = driver.send(ev.CenterHealthChanged(None))
    assert driver.state.center == st.CenterStatus()
    assert effects == ()
    driver.send(ev.ChooseService(ev.Service.ISSUE))
    assert driver.screen == st.Consent()


def test_the_same_news_twice_changes_nothing(driver: Driver) -> None:
    driver.send(ev.CenterHealthChanged(F.UNREACHABLE))
    before = driver.state
    assert driver.send(ev.CenterHealthChanged(F.UNREACHABLE)) == ()
    assert driver.state == before
    # Another problem is news (and audited).
    effects = driver.send(ev.CenterHealthChanged(F.MAINTENANCE, "center", UNTIL))
    assert len(of_type(effects, fx.Audit)) == 1


def test_a_resident_already_served_is_not_interrupted(driver: Driver) -> None:
    driver.to_menu()
    menu = driver.screen
    assert driver.send(ev.CenterHealthChanged(F.UNREACHABLE)) != ()
    assert driver.screen == menu  # their own calls will tell them if it matters
    driver.send(ev.Cancel())
    assert driver.screen == st.Start()
    assert not driver.state.center.available  # it outlives the session
    assert driver.send(ev.ChooseService(ev.Service.ISSUE)) == ()


def test_nothing_is_known_before_the_first_check(driver: Driver) -> None:
    assert driver.state.center.available
    driver.send(ev.ChooseService(ev.Service.STATUS))
    assert driver.screen == st.StatusEntry()


# --- the fee acceptor's availability (the cash-unit bridge connected or not) ------------------


def test_issuance_waits_for_the_acceptor_but_registration_and_status_do_not(
    driver: Driver,
) -> None:
    effects = driver.send(ev.AcceptorAvailabilityChanged(False))
    assert not driver.state.acceptor_available
    [audit] = of_type(effects, fx.Audit)
    assert audit.record.outcome == Problem.ACCEPTOR_FAULT.value
    assert ("staff_code", staff_code(Problem.ACCEPTOR_FAULT)) in audit.record.details
    assert driver.send(ev.ChooseService(ev.Service.ISSUE)) == ()
    assert driver.screen == st.Start()
    assert driver.state.txn is None
    driver.send(ev.ChooseService(ev.Service.REGISTER))
    assert driver.screen == st.Consent()  # a registration takes no money


def test_issuance_is_offered_again_when_the_acceptor_is_back(driver: Driver) -> None:
    driver.send(ev.AcceptorAvailabilityChanged(False))
    assert driver.send(ev.AcceptorAvailabilityChanged(False)) == ()  # no repeated fault note
    assert driver.send(ev.AcceptorAvailabilityChanged(True)) == ()
    driver.send(ev.ChooseService(ev.Service.ISSUE))
    assert driver.screen == st.Consent()


def test_counter_payment_needs_no_acceptor(counter_driver: Driver) -> None:
    counter_driver.send(ev.AcceptorAvailabilityChanged(False))
    counter_driver.send(ev.ChooseService(ev.Service.ISSUE))
    assert counter_driver.screen == st.Consent()


def test_a_resident_already_paying_is_not_interrupted(driver: Driver) -> None:
    driver.to_payment()
    effects = driver.send(ev.AcceptorAvailabilityChanged(False))
    assert isinstance(driver.screen, st.Payment)
    assert not of_type(effects, fx.DisableAcceptor)
    # A lost acceptor tells the payment itself (a jam): the flow stops and refunds there.
    driver.send(AcceptorJammed())
    assert not isinstance(driver.screen, st.Payment)
