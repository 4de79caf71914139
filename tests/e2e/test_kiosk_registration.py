"""本籍地 usage registration (利用登録申請) and its status check through the whole kiosk: the
municipality list from the center, card + PIN with the registration purpose, 照合番号B read from
the 券面事項入力補助AP on the same card session, the form, the receipt; then the status."""

from __future__ import annotations

import pytest

from hw_sim.personas import get_persona
from hw_sim.stack import SimFault
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.flow.events import FormField, RegistrationState
from kiosk.flow.state import CardState
from printing.cups import inspect_document
from tests.e2e.conftest import KioskUnderTest

pytestmark = pytest.mark.pcscd

NERIMA = "131202"


def to_matching_number(kiosk: KioskUnderTest, persona: str = "normal") -> None:
    driver = kiosk.driver
    driver.choose_service(ev.Service.REGISTER)
    driver.agree()
    state = driver.wait_until(
        lambda s: isinstance(s.screen, st.MunicipalityChoice) and not s.screen.loading,
        "the municipality list",
    )
    assert isinstance(state.screen, st.MunicipalityChoice)
    assert "東京都" in state.screen.prefectures
    driver.send(ev.ChoosePrefecture("東京都"))
    driver.send(ev.ChooseMunicipality(NERIMA))
    driver.wait_for(st.PlaceCard)
    driver.place_card(persona)
    driver.enter_pin(get_persona(persona).auth_pin)
    driver.wait_for(st.MatchingNumberEntry, timeout=60)


def enter_digits(kiosk: KioskUnderTest, digits: str) -> None:
    keypad = getattr(kiosk.driver.window.view, "keypad", None)
    assert keypad is not None
    for digit in digits:
        kiosk.driver.tap(keypad.keys.get(digit), f"keypad {digit}")
    kiosk.driver.nav("submit")


def test_registration_then_status(kiosk: KioskUnderTest) -> None:
    driver = kiosk.driver
    to_matching_number(kiosk)
    state = driver.state
    assert state.txn is not None
    assert state.txn.card is CardState.IN_USE  # the same card session reads the 4 facts
    enter_digits(kiosk, get_persona("normal").shogo_b)
    state = driver.wait_for(st.TakeCard)
    assert state.txn is not None
    assert state.txn.card is CardState.RELEASED  # powered off after its last use
    driver.take_card()
    driver.wait_for(st.RegistrationForm)
    for form_field, text in (
        (FormField.HONSEKI, "東京都練馬区豊玉北六丁目１２番"),
        (FormField.HITTOSHA, "山田太郎"),
        (FormField.PHONE, "03-0000-1234"),
    ):
        driver.send(ev.EditField(form_field, text))
    driver.nav("next")
    state = driver.wait_for(st.RegistrationReview)
    assert state.txn is not None
    assert state.txn.registration is not None
    assert state.txn.registration.facts is not None
    assert "山田" in state.txn.registration.facts.name  # from the card, not typed
    before = set(kiosk.cupsd.capture_dir().glob("job-*.pdf"))
    driver.nav("submit")
    state = driver.wait_for(st.RegistrationReceipt, timeout=60)
    assert isinstance(state.screen, st.RegistrationReceipt)
    number = state.screen.application_number
    assert number.startswith(NERIMA)
    assert state.screen.message_ja
    # The number also comes out of the printer, on a one-page A4 slip (issue 14).
    state = driver.wait_until(
        lambda s: (
            isinstance(s.screen, st.RegistrationReceipt) and s.screen.slip is st.SlipState.PRINTED
        ),
        "the slip printed",
        timeout=60,
    )
    (slip,) = set(kiosk.cupsd.capture_dir().glob("job-*.pdf")) - before
    assert inspect_document(slip.read_bytes()) == 1
    driver.send(ev.Finish())
    driver.wait_for(st.Start)

    driver.choose_service(ev.Service.STATUS)
    driver.wait_for(st.StatusEntry)
    driver.send(ev.EditApplicationNumber(number))
    driver.nav("submit")
    state = driver.wait_for(st.StatusResult, timeout=30)
    assert isinstance(state.screen, st.StatusResult)
    assert state.screen.state is RegistrationState.RECEIVED  # 受付中 until the office checks


def test_wrong_matching_number_is_asked_again(kiosk: KioskUnderTest) -> None:
    driver = kiosk.driver
    to_matching_number(kiosk)
    right = get_persona("normal").shogo_b
    wrong = right[:-4] + ("0000" if right[-4:] != "0000" else "1111")
    enter_digits(kiosk, wrong)
    state = driver.wait_until(
        lambda s: isinstance(s.screen, st.MatchingNumberEntry) and s.screen.wrong,
        "the number asked again",
    )
    assert isinstance(state.screen, st.MatchingNumberEntry)
    assert state.screen.digits == ""
    enter_digits(kiosk, right)
    driver.wait_for(st.TakeCard)


def test_unknown_application_number(kiosk: KioskUnderTest) -> None:
    driver = kiosk.driver
    driver.choose_service(ev.Service.STATUS)
    driver.wait_for(st.StatusEntry)
    driver.send(ev.EditApplicationNumber("1312022601019999"))
    driver.nav("submit")
    state = driver.wait_for(st.StatusResult, timeout=30)
    assert isinstance(state.screen, st.StatusResult)
    assert state.screen.state is None  # "no application with that number", not a fault


def test_a_slip_the_printer_cannot_print(kiosk: KioskUnderTest) -> None:
    """Out of paper: the receipt says to write the number down; the registration stands.
    (Another card: the one of the test above is registered already.)"""
    driver = kiosk.driver
    to_matching_number(kiosk, "gaiji")
    enter_digits(kiosk, get_persona("gaiji").shogo_b)
    driver.wait_for(st.TakeCard)
    driver.take_card()
    driver.wait_for(st.RegistrationForm)
    for form_field, text in (
        (FormField.HONSEKI, "東京都練馬区豊玉北六丁目１２番"),
        (FormField.HITTOSHA, "山田太郎"),
        (FormField.PHONE, "03-0000-1234"),
    ):
        driver.send(ev.EditField(form_field, text))
    driver.nav("next")
    driver.wait_for(st.RegistrationReview)
    kiosk.faults.set(SimFault.MEDIA_EMPTY)
    driver.nav("submit")
    state = driver.wait_until(
        lambda s: (
            isinstance(s.screen, st.RegistrationReceipt) and s.screen.slip is st.SlipState.FAILED
        ),
        "the slip refused",
        timeout=60,
    )
    assert isinstance(state.screen, st.RegistrationReceipt)
    assert state.screen.application_number.startswith(NERIMA)
