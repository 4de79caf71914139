"""Cancel at every step, timeouts at every step (with and without money), languages."""

from __future__ import annotations

import typing
from collections.abc import Callable

import pytest

from kiosk.flow import TIMEOUTS, TimerName
from kiosk.flow import effects as fx
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.flow.diff import loggable
from kiosk.flow.timeouts import MAX_CARD_REMINDERS, TimeoutSettings, TimerKind
from kiosk.payment import Denomination, MoneyInserted, MoneyRefunded
from tests.kiosk.flow.conftest import (
    PIN,
    Driver,
    fill_registration,
    journal_records,
    of_type,
    settings,
    to_matching_number,
    to_registration_form,
)

Reach = Callable[[Driver], None]
Step = Reach | ev.Event


def _do(*steps: Step) -> Reach:
    """A way to a screen: shortcuts (callables taking the driver) and events, in order."""

    def reach(d: Driver) -> None:
        for item in steps:
            if callable(item) and not isinstance(item, type):
                item(d)
            else:
                d.send(item)  # type: ignore[arg-type]

    return reach


def _pin(d: Driver) -> None:
    d.type_pin()


def _wrong_pin(d: Driver) -> None:
    d.type_pin("0000")


def _last_try(d: Driver) -> None:
    d.to_pin_entry(tries=1)


def _paid_300(d: Driver) -> None:
    d.to_printing(inserted=(100, 100, 100))


ISSUE = ev.ChooseService(ev.Service.ISSUE)
STATUS = ev.ChooseService(ev.Service.STATUS)
RESIDENCE = ev.ChooseJurisdiction(ev.Jurisdiction.RESIDENCE)
COIN = MoneyInserted(Denomination.Y100)
MATCHING = tuple(ev.Digit(x) for x in "12345678901234")

REACH: dict[str, Reach] = {
    "consent": _do(ISSUE),
    "place_card": _do(ISSUE, ev.Agree()),
    "reading_card": _do(ISSUE, ev.Agree(), ev.CardDetected()),
    "reading_tries": _do(ISSUE, ev.Agree(), ev.CardDetected(), ev.CardRead()),
    "pin_entry": _do(Driver.to_pin_entry, ev.Digit("9")),
    "verifying_pin": _do(Driver.to_pin_entry, _pin),
    "pin_locked": _do(_last_try, _wrong_pin, ev.PinBlocked()),
    "authenticating": _do(Driver.to_pin_entry, _pin, ev.PinAccepted()),
    "take_card": _do(Driver.to_take_card),
    "return_card": _do(Driver.to_take_card, ev.Cancel()),
    "jurisdiction": _do(Driver.to_menu),
    "certificate": _do(Driver.to_menu, RESIDENCE),
    "options": _do(Driver.to_menu, RESIDENCE, ev.ChooseCertificate(ev.CertificateKind.JUMINHYO)),
    "copies": _do(Driver.to_menu, RESIDENCE, ev.ChooseCertificate(ev.CertificateKind.INKAN)),
    "confirmation": _do(Driver.to_confirmation),
    "printer_check": _do(Driver.to_confirmation, ev.ConfirmOrder()),
    "fetching": _do(Driver.to_fetching),
    "payment": _do(Driver.to_payment),
    "payment_with_money": _do(Driver.to_payment, COIN),
    "refunding": _do(Driver.to_payment, COIN, ev.Cancel()),
    "cancelled": _do(Driver.to_payment, COIN, ev.Cancel(), MoneyRefunded(100, 100)),
    "owed_slip": _do(Driver.to_payment, COIN, ev.Cancel(), MoneyRefunded(100, 60)),
    "printing": _do(_paid_300),
    "done": _do(_paid_300, ev.PrintFinished(1)),
    "fault": _do(
        Driver.to_fetching, ev.CenterFailed(ev.CenterCall.ISSUE, ev.CenterFailure.TIMEOUT)
    ),
    "municipality": _do(ev.ChooseService(ev.Service.REGISTER), ev.Agree()),
    "matching_number": _do(to_matching_number),
    "reading_facts": _do(to_matching_number, *MATCHING, ev.Submit()),
    "registration_form": _do(to_registration_form),
    "registration_review": _do(to_registration_form, fill_registration, ev.Next()),
    "submitting": _do(to_registration_form, fill_registration, ev.Next(), ev.Submit()),
    "registration_receipt": _do(
        to_registration_form,
        fill_registration,
        ev.Next(),
        ev.Submit(),
        ev.RegistrationAccepted("R-1", "函館市", ""),
    ),
    "status_entry": _do(STATUS),
    "checking_status": _do(STATUS, ev.EditApplicationNumber("R-12"), ev.Submit()),
    "status_result": _do(
        STATUS,
        ev.EditApplicationNumber("R-12"),
        ev.Submit(),
        ev.StatusReceived(ev.RegistrationState.RECEIVED),
    ),
}

# Where cancel does nothing: a device or the center holds the transaction.
NOT_CANCELLABLE = {"printing", "submitting", "refunding", "return_card", "owed_slip"}


def reached(name: str, driver: Driver | None = None) -> Driver:
    d = driver or Driver()
    REACH[name](d)
    return d


def test_every_screen_is_reached() -> None:
    screens = {type(reached(name).screen) for name in REACH}
    assert screens == set(typing.get_args(st.Screen)) - {st.OutOfService, st.Start}


@pytest.mark.parametrize("name", list(REACH))
def test_cancel_at_every_step(name: str) -> None:
    d = reached(name)
    before = d.state
    effects = d.send(ev.Cancel())
    if name in NOT_CANCELLABLE:
        assert d.state == before
        return
    txn = before.txn
    assert txn is not None
    if txn.refundable_yen:
        assert d.screen == st.Refunding(None)
        assert of_type(effects, fx.Refund) == [fx.Refund(txn.refundable_yen)]
        d.send(MoneyRefunded(txn.refundable_yen, txn.refundable_yen))
        assert d.screen == st.Cancelled()
        d.send(ev.Finish())
    if txn.card is st.CardState.IN_USE:
        assert fx.ReleaseCard() in effects
    assert isinstance(d.screen, st.Start | st.ReturnCard)
    _no_personal_data_left(d)
    if txn.issue_requested:
        reports = [e for _, _, _, fxs in d.history for e in of_type(fxs, fx.ReportCompletion)]
        assert len(reports) == 1


def _no_personal_data_left(d: Driver) -> None:
    assert fx.WipePersonalData() in [e for _, _, _, fxs in d.history[-3:] for e in fxs]
    txn = d.state.txn
    if txn is not None:  # ReturnCard keeps the id and the amounts, nothing personal
        assert txn.offer is None
        assert txn.request is None
        assert txn.registration is None
    assert PIN not in str(d.state)
    assert "番号" not in repr(d.state)


@pytest.mark.parametrize("name", list(REACH))
def test_timeout_at_every_step(name: str) -> None:
    d = reached(name)
    txn = d.state.txn
    assert txn is not None
    if name == "printing":
        assert d.state.timer is None  # waits for the printer; its tracker has the deadline
        return
    if name == "owed_slip":
        assert d.state.timer is None  # the resident's proof stays until "I have the slip"
        return
    timer = d.state.timer
    assert timer is not None
    kind = TIMEOUTS[timer.name].kind
    if kind is TimerKind.IDLE:
        d.fire()
        assert d.state.prompt  # "continue?"
        assert d.state.timer.name is TimerName.CONTINUE_PROMPT
    first = type(d.screen)
    for _ in range(10):
        if d.state.timer is None or not isinstance(d.screen, first):
            break
        d.fire()
    if txn.refundable_yen:
        # Rule 5: money is never abandoned silently.
        assert d.screen == st.Refunding(None)
        d.send(MoneyRefunded(txn.refundable_yen, txn.refundable_yen))
        return
    assert not d.state.prompt
    if name == "return_card":
        # Reminders, then it waits (silently) for the card to be taken: the next resident
        # must not find it, and it must not be read as theirs.
        assert d.screen == st.ReturnCard(MAX_CARD_REMINDERS)
        return
    assert not isinstance(d.screen, first) or isinstance(d.screen, st.Start)


def test_continue_keeps_the_session_and_its_data() -> None:
    d = reached("options")
    before = d.state
    d.fire()
    assert d.state.prompt
    d.send(ev.Continue())
    assert not d.state.prompt
    assert d.state.screen == before.screen
    assert d.state.txn == before.txn
    assert d.state.timer.name is TimerName.OPTIONS


def test_any_touch_answers_the_prompt() -> None:
    d = reached("pin_entry")
    d.fire()
    d.send(ev.Digit("1"))
    assert not d.state.prompt
    assert d.screen.digits == "91"


def test_a_pin_timeout_wipes_the_digits_and_releases_the_card() -> None:
    d = reached("pin_entry")
    effects = list(d.fire()) + list(d.fire())
    assert fx.ReleaseCard() in effects
    assert d.screen == st.ReturnCard()
    assert PIN[0] not in repr(d.state.screen)


def test_payment_timeout_with_money_refunds() -> None:
    d = reached("payment_with_money")
    d.fire()
    effects = d.fire()
    assert of_type(effects, fx.Refund) == [fx.Refund(100)]
    assert jr_reason(effects) == "timeout"


def jr_reason(effects: tuple[fx.Effect, ...]) -> str:
    (intent,) = [r for r in journal_records(effects) if type(r).__name__ == "RefundIntent"]
    return intent.reason


def test_no_time_limits_turn_idle_timers_off(relaxed_driver: Driver) -> None:
    for name in ("consent", "pin_entry", "options", "payment_with_money", "registration_form"):
        d = reached(name, Driver(settings(timeouts=TimeoutSettings(no_time_limits=True))))
        assert d.state.timer is None, name
    # Waiting for devices and reminders still have their timers.
    d = reached("fetching", Driver(settings(timeouts=TimeoutSettings(no_time_limits=True))))
    assert d.state.timer.name is TimerName.FETCH
    d = reached("take_card", Driver(settings(timeouts=TimeoutSettings(no_time_limits=True))))
    assert d.state.timer.name is TimerName.TAKE_CARD


def test_profile_overrides_change_a_timeout() -> None:
    d = reached(
        "consent",
        Driver(settings(timeouts=TimeoutSettings(overrides=((TimerName.CONSENT, 45.0),)))),
    )
    start = [e for _, _, _, fxs in d.history for e in of_type(fxs, fx.StartTimer)]
    assert start[-1].seconds == 45.0


def test_every_timer_is_documented() -> None:
    for name in TimerName:
        entry = TIMEOUTS[name]
        assert entry.reason
        assert entry.seconds is None or entry.seconds > 0


@pytest.mark.parametrize("name", list(REACH))
def test_a_language_change_changes_nothing_else(name: str) -> None:
    d = reached(name)
    before = d.state
    d.send(ev.OpenLanguageMenu())
    assert d.state.language_menu_open
    effects = d.send(ev.ChooseLanguage("pt"))
    assert d.state.language == "pt"
    assert not d.state.language_menu_open
    assert d.state.screen == before.screen
    assert d.state.txn == before.txn
    assert not [e for e in effects if not isinstance(e, fx.StartTimer | fx.Audit)]


def test_an_unknown_language_is_ignored(driver: Driver) -> None:
    driver.send(ev.ChooseLanguage("fr"))
    assert driver.state.language == "ja"


def test_the_start_screen_returns_to_japanese_for_the_next_person(driver: Driver) -> None:
    driver.send(ev.ChooseLanguage("ko"))
    assert driver.state.timer.name is TimerName.START_IDLE
    driver.fire()
    assert driver.state.language == "ja"
    assert driver.state.timer is None


def test_the_next_resident_starts_in_japanese(driver: Driver) -> None:
    driver.send(ev.ChooseLanguage("es"))
    REACH["options"](driver)
    driver.send(ev.Cancel())
    assert driver.state.language == "ja"


def test_a_stale_timer_is_ignored(driver: Driver) -> None:
    REACH["consent"](driver)
    old = driver.state.timer
    driver.send(ev.Agree())
    assert driver.send(ev.TimerFired(old.name, old.serial)) == ()
    assert isinstance(driver.screen, st.PlaceCard)


def test_transitions_log_without_personal_data() -> None:
    d = reached("registration_review")
    text = repr([loggable(s) for s, _, _, _ in d.history])
    text += repr([loggable(e) for _, e, _, fxs in d.history])
    text += repr([loggable(f) for _, _, _, fxs in d.history for f in fxs])
    for secret in (PIN, "番号", "函館市元町", "090-1234", "1990"):
        assert secret not in text
