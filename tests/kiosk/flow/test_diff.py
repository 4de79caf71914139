"""Transitions are logged by diffing states, with personal fields masked."""

from __future__ import annotations

from kiosk.flow import describe_change, loggable
from kiosk.flow import effects as fx
from kiosk.flow import events as ev
from tests.kiosk.flow.conftest import PIN, Driver


def test_a_transition_diff_names_what_changed(driver: Driver) -> None:
    before = driver.state
    driver.send(ev.ChooseService(ev.Service.ISSUE))
    change = describe_change(before, driver.state)
    assert change["screen.type"] == ("Start", "Consent")
    assert change["txn.txn_id"] == (None, "boot-000001")
    assert "settings.boot_id" not in change  # unchanged fields are left out


def test_typed_digits_show_only_as_hidden(driver: Driver) -> None:
    driver.to_pin_entry()
    before = driver.state
    driver.send(ev.Digit("9"))
    change = describe_change(before, driver.state)
    assert change["screen.digits"] == ("", "<hidden>")
    assert PIN[0] not in str(loggable(ev.Digit("9")))


def test_secrets_in_effects_are_masked() -> None:
    assert loggable(fx.VerifyPin(PIN)) == {"type": "VerifyPin", "pin": "<hidden>"}
    assert PIN not in repr(fx.VerifyPin(PIN))
    assert loggable(fx.SignChallenge(b"abc")) == {"type": "SignChallenge", "message": "<hidden>"}
    assert loggable(fx.DispenseChange(700)) == {"type": "DispenseChange", "yen": 700}
