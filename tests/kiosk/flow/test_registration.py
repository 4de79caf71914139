"""Usage registration for 本籍地 certificates, and the status check by application number."""

from __future__ import annotations

from kiosk.flow import effects as fx
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.problems import Problem
from printing.faults import PrinterFault
from tests.kiosk.flow.conftest import (
    FACTS,
    MATCHING_NUMBER,
    MUNICIPALITIES,
    Driver,
    fill_registration,
    of_type,
    to_matching_number,
    to_registration_form,
)


def test_a_registration_from_municipality_to_receipt(driver: Driver) -> None:
    driver.send(ev.ChooseService(ev.Service.REGISTER), ev.Agree())
    assert driver.screen == st.MunicipalityChoice(loading=True)
    driver.send(ev.MunicipalitiesLoaded(MUNICIPALITIES))
    assert driver.screen.prefectures == ("北海道", "東京都")
    driver.send(ev.ChoosePrefecture("東京都"))
    assert [m.code for m in driver.screen.in_prefecture] == ["131016", "131024"]
    driver.send(ev.ChooseMunicipality("012025"))  # not in the chosen prefecture: ignored
    assert isinstance(driver.screen, st.MunicipalityChoice)
    driver.send(ev.Back(), ev.ChoosePrefecture("北海道"))
    effects = driver.send(ev.ChooseMunicipality("012025"))
    assert fx.ReadCard() in effects
    driver.send(ev.CardDetected(), ev.CardRead(), ev.PinTriesRead(3))
    driver.type_pin()
    assert fx.RequestChallenge(fx.AuthPurpose.REGISTRATION) in driver.send(ev.PinAccepted())
    driver.send(ev.ChallengeReceived(b"m"))
    effects = driver.send(ev.ChallengeSigned(b"s"))
    assert fx.ReleaseCard() not in effects  # the card is still needed for 照合番号B
    from tests.kiosk.flow.conftest import make_offer

    driver.send(ev.OfferReceived(make_offer()))
    assert driver.screen == st.MatchingNumberEntry()

    for digit in MATCHING_NUMBER:
        driver.send(ev.Digit(digit))
    assert driver.screen.complete
    effects = driver.send(ev.Submit())
    assert of_type(effects, fx.ReadCardFacts) == [fx.ReadCardFacts(MATCHING_NUMBER)]
    assert MATCHING_NUMBER not in repr(driver.state)
    effects = driver.send(ev.CardFactsRead(FACTS))
    assert driver.screen == st.TakeCard()
    assert fx.ReleaseCard() in effects
    driver.send(ev.CardRemoved())
    assert driver.screen == st.RegistrationForm()

    driver.send(ev.Next())
    assert driver.screen == st.RegistrationForm(
        (ev.FormField.HONSEKI, ev.FormField.HITTOSHA, ev.FormField.PHONE)
    )
    fill_registration(driver)
    assert driver.screen == st.RegistrationForm()
    driver.send(ev.Next())
    assert driver.screen == st.RegistrationReview()
    effects = driver.send(ev.Submit())
    (submitted,) = of_type(effects, fx.SubmitRegistration)
    assert submitted.registration == fx.Registration(
        "012025", FACTS, "北海道函館市元町１番地", "番号　一郎", "090-1234-5678"
    )
    assert "番号" not in repr(effects)
    effects = driver.send(
        ev.RegistrationAccepted("R-2026-0001", "函館市", "登録には5開庁日かかります。")
    )
    assert driver.screen == st.RegistrationReceipt(
        "R-2026-0001", "函館市", "登録には5開庁日かかります。", st.SlipState.PRINTING
    )
    # The number on a printed slip, in the resident's language (issue 14), never in a log.
    assert of_type(effects, fx.PrintRegistrationSlip) == [
        fx.PrintRegistrationSlip("R-2026-0001", "函館市", "登録には5開庁日かかります。", "ja")
    ]
    assert "R-2026-0001" not in repr(effects)
    assert driver.state.txn.registration is None  # what was typed is gone once sent
    driver.send(ev.SlipPrinted())
    assert driver.screen.slip is st.SlipState.PRINTED
    driver.send(ev.SlipFailed(PrinterFault.JAM))  # a late or second answer changes nothing
    assert driver.screen.slip is st.SlipState.PRINTED
    driver.send(ev.Finish())
    assert driver.screen == st.Start()


def test_a_slip_that_cannot_be_printed_asks_to_write_the_number_down(driver: Driver) -> None:
    to_registration_form(driver)
    fill_registration(driver)
    driver.send(ev.Next(), ev.Submit())
    driver.send(ev.RegistrationAccepted("R-2026-0001", "函館市", ""))
    driver.send(ev.SlipFailed(PrinterFault.OUT_OF_PAPER))
    assert driver.screen.slip is st.SlipState.FAILED
    driver.send(ev.SlipPrinted())
    assert driver.screen.slip is st.SlipState.FAILED
    driver.send(ev.SlipPrinted(), ev.Finish())
    assert driver.screen == st.Start()
    driver.send(ev.SlipPrinted())  # after the reset: ignored
    assert driver.screen == st.Start()


def test_a_wrong_matching_number_can_be_entered_again(driver: Driver) -> None:
    to_matching_number(driver)
    for digit in "12345678901234":
        driver.send(ev.Digit(digit))
    driver.send(ev.Submit(), ev.MatchingNumberRejected(2))
    assert driver.screen == st.MatchingNumberEntry(tries_left=2, wrong=True)
    assert driver.screen.digits == ""


def test_a_blocked_matching_number_ends_the_registration(driver: Driver) -> None:
    to_matching_number(driver)
    for digit in "12345678901234":
        driver.send(ev.Digit(digit))
    effects = driver.send(ev.Submit(), ev.MatchingNumberBlocked())
    assert driver.screen == st.Fault(Problem.MATCHING_NUMBER_BLOCKED)
    assert fx.ReleaseCard() in effects


def test_bad_form_input_is_refused(driver: Driver) -> None:
    to_registration_form(driver)
    fill_registration(driver)
    driver.send(ev.EditField(ev.FormField.PHONE, "12"), ev.Next())
    assert driver.screen == st.RegistrationForm((ev.FormField.PHONE,))
    too_long = "あ" * 300
    driver.send(ev.EditField(ev.FormField.HONSEKI, too_long))
    assert driver.state.txn.registration.honseki != too_long


def test_a_refused_registration(driver: Driver) -> None:
    to_registration_form(driver)
    fill_registration(driver)
    driver.send(ev.Next(), ev.Submit())
    driver.send(
        ev.CenterFailed(ev.CenterCall.REGISTER, ev.CenterFailure.REFUSED, "already_registered")
    )
    assert driver.screen == st.Fault(Problem.ALREADY_REGISTERED)


def test_the_status_check_needs_no_card(driver: Driver) -> None:
    driver.send(ev.ChooseService(ev.Service.STATUS))
    assert driver.screen == st.StatusEntry()
    driver.send(ev.EditApplicationNumber("R-2026-0001"))
    effects = driver.send(ev.Submit())
    assert of_type(effects, fx.CheckStatus) == [fx.CheckStatus("R-2026-0001")]
    assert of_type(effects, fx.ReadCard) == []
    driver.send(ev.StatusReceived(ev.RegistrationState.REGISTERED, "登録済みです。"))
    assert driver.screen == st.StatusResult(ev.RegistrationState.REGISTERED, "登録済みです。")


def test_an_unknown_application_number(driver: Driver) -> None:
    driver.send(ev.ChooseService(ev.Service.STATUS))
    driver.send(ev.EditApplicationNumber("R 1"))  # a space is not allowed
    assert driver.screen.application_number == ""
    for digit in "12345":
        driver.send(ev.Digit(digit))
    driver.send(ev.Submit())
    driver.send(ev.CenterFailed(ev.CenterCall.STATUS, ev.CenterFailure.NOT_FOUND))
    assert driver.screen == st.StatusResult(None, application_number="12345")
    # The resident corrects the number instead of starting over (issue 14).
    driver.send(ev.Back())
    assert driver.screen == st.StatusEntry("12345")
    driver.send(ev.Backspace(), ev.Digit("6"))
    effects = driver.send(ev.Submit())
    assert of_type(effects, fx.CheckStatus) == [fx.CheckStatus("12346")]
    driver.send(ev.StatusReceived(ev.RegistrationState.RECEIVED, ""))
    driver.send(ev.Back())  # a status found: nothing to correct, Back does nothing
    assert driver.screen == st.StatusResult(ev.RegistrationState.RECEIVED, "")
