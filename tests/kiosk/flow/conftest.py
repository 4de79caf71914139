"""Helpers for driving the flow with no Qt and no devices: a driver, an offer, shortcuts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import pytest

from kiosk.domain import HouseholdMember, Offer, OfferedCertificate, OptionRules
from kiosk.flow import Effect, Event, FlowSettings, FlowState, initial_state, step
from kiosk.flow import effects as fx
from kiosk.flow import events as ev
from kiosk.flow.state import PaymentMode
from kiosk.flow.timeouts import TimeoutSettings
from printing.certificates import CertificateKind, Jurisdiction, KosekiScope, Scope

PIN = "9137"  # the test card's PIN; chosen so that it appears nowhere else in a state
FACTS = ev.CardFacts("番号　花子", "東京都千代田区一番町１－２", date(1990, 4, 1), "2")
MATCHING_NUMBER = "90040120301234"  # 照合番号B: YYMMDD + YYYY + 4 digits


def make_offer(honseki: bool = True) -> Offer:
    juminhyo_rules = OptionRules(
        scopes=(Scope.SELF, Scope.HOUSEHOLD_ALL, Scope.HOUSEHOLD_PART),
        head_and_relationship=True,
        honseki=True,
        my_number=True,
        foreign_items=False,
        max_copies=5,
    )
    lines = [
        OfferedCertificate(
            CertificateKind.JUMINHYO, Jurisdiction.RESIDENCE, 300, 350, juminhyo_rules
        ),
        OfferedCertificate(CertificateKind.INKAN, Jurisdiction.RESIDENCE, 300, 350),
        OfferedCertificate(
            CertificateKind.TAX_INCOME,
            Jurisdiction.RESIDENCE,
            300,
            350,
            OptionRules(fiscal_years=(2024, 2025)),
        ),
        OfferedCertificate(
            CertificateKind.KOSEKI_FUHYO,
            Jurisdiction.RESIDENCE,
            300,
            350,
            available=False,
            unavailable_reason="weekdays_only",
        ),
    ]
    if honseki:
        lines.append(
            OfferedCertificate(
                CertificateKind.KOSEKI,
                Jurisdiction.HONSEKI,
                450,
                450,
                OptionRules(koseki_scopes=(KosekiScope.ALL, KosekiScope.INDIVIDUAL)),
            )
        )
    return Offer(
        municipality_code="131016",
        municipality_name="千代田区",
        certificates=tuple(lines),
        household=(HouseholdMember("m1", "番号　花子"), HouseholdMember("m2", "番号　太郎")),
        honseki_municipality_code="012025" if honseki else None,
        honseki_municipality_name="函館市" if honseki else None,
    )


MUNICIPALITIES = (
    ev.HonsekiMunicipality("012025", "函館市", "北海道"),
    ev.HonsekiMunicipality("131016", "千代田区", "東京都"),
    ev.HonsekiMunicipality("131024", "中央区", "東京都"),
)


def settings(**changes: Any) -> FlowSettings:
    return FlowSettings(boot_id="boot", **changes)


class Driver:
    """Feeds events to the flow and keeps the state (what the runner will do, without devices)."""

    def __init__(self, flow_settings: FlowSettings | None = None) -> None:
        self.state: FlowState = initial_state(flow_settings or settings())
        self.history: list[tuple[FlowState, Event, FlowState, tuple[Effect, ...]]] = []

    def send(self, *events: Event) -> tuple[Effect, ...]:
        """Send events in order; the effects of the last one."""
        effects: tuple[Effect, ...] = ()
        for event in events:
            before = self.state
            self.state, effects = step(self.state, event)
            self.history.append((before, event, self.state, effects))
        return effects

    def all_effects(self, events: Iterable[Event]) -> list[Effect]:
        out: list[Effect] = []
        for event in events:
            out.extend(self.send(event))
        return out

    def fire(self) -> tuple[Effect, ...]:
        """The running timer fires."""
        timer = self.state.timer
        assert timer is not None, f"no timer on {self.state.screen}"
        return self.send(ev.TimerFired(timer.name, timer.serial))

    @property
    def screen(self) -> Any:
        return self.state.screen

    @property
    def txn_id(self) -> str:
        assert self.state.txn is not None
        return self.state.txn.txn_id

    # --- shortcuts to a screen ------------------------------------------------------------------

    def to_pin_entry(self, tries: int = 3) -> None:
        self.send(
            ev.ChooseService(ev.Service.ISSUE),
            ev.Agree(),
            ev.CardDetected(),
            ev.CardRead(),
            ev.PinTriesRead(tries),
        )

    def type_pin(self, pin: str = PIN) -> tuple[Effect, ...]:
        for digit in pin:
            self.send(ev.Digit(digit))
        return self.send(ev.Submit())

    def to_take_card(self) -> None:
        self.to_pin_entry()
        self.type_pin()
        self.send(
            ev.PinAccepted(), ev.ChallengeReceived(b"challenge"), ev.ChallengeSigned(b"signature")
        )

    def to_menu(self, offer: Offer | None = None) -> None:
        self.to_take_card()
        self.send(ev.OfferReceived(offer or make_offer()), ev.CardRemoved())

    def to_confirmation(
        self, kind: CertificateKind = CertificateKind.JUMINHYO, copies: int = 1
    ) -> None:
        self.to_menu()
        self.send(ev.ChooseJurisdiction(Jurisdiction.RESIDENCE), ev.ChooseCertificate(kind))
        if kind is not CertificateKind.INKAN:
            self.send(ev.Next())
        self.send(ev.SetCopies(copies), ev.Next())

    def to_fetching(self, copies: int = 1) -> None:
        self.to_confirmation(copies=copies)
        self.send(ev.ConfirmOrder(), ev.PrinterReady())

    def issued(
        self, total_fee_yen: int, sides_per_copy: int = 1, issuance_id: str = "ISS-1"
    ) -> ev.CertificateIssued:
        """The center service's answer: the verified envelope arrived."""
        return ev.CertificateIssued(self.txn_id, issuance_id, total_fee_yen, sides_per_copy)

    def ready(self, digest: str = "d1g3st") -> ev.CertificateReady:
        """The print service's answer: the print job is composed."""
        return ev.CertificateReady(self.txn_id, digest)

    def to_payment(self, copies: int = 1) -> None:
        self.to_fetching(copies)
        self.send(self.issued(300 * copies), self.ready())

    def to_printing(self, copies: int = 1, inserted: tuple[int, ...] = (500,)) -> None:
        from kiosk.payment import Denomination, MoneyInserted

        self.to_payment(copies)
        for yen in inserted:
            self.send(MoneyInserted(Denomination(yen)))


def to_matching_number(driver: Driver) -> None:
    driver.send(ev.ChooseService(ev.Service.REGISTER), ev.Agree())
    driver.send(ev.MunicipalitiesLoaded(MUNICIPALITIES), ev.ChoosePrefecture("北海道"))
    driver.send(ev.ChooseMunicipality("012025"), ev.CardDetected(), ev.CardRead())
    driver.send(ev.PinTriesRead(3))
    driver.type_pin()
    driver.send(ev.PinAccepted(), ev.ChallengeReceived(b"m"), ev.ChallengeSigned(b"s"))
    driver.send(ev.OfferReceived(make_offer()))


def to_registration_form(driver: Driver) -> None:
    to_matching_number(driver)
    for digit in MATCHING_NUMBER:
        driver.send(ev.Digit(digit))
    driver.send(ev.Submit(), ev.CardFactsRead(FACTS), ev.CardRemoved())


def fill_registration(driver: Driver) -> None:
    driver.send(
        ev.EditField(ev.FormField.HONSEKI, "北海道函館市元町１番地"),
        ev.EditField(ev.FormField.HITTOSHA, "番号　一郎"),
        ev.EditField(ev.FormField.PHONE, "090-1234-5678"),
    )


def core(effects: Iterable[Effect]) -> list[Effect]:
    """The effects without audit records (those are checked in their own tests)."""
    return [e for e in effects if not isinstance(e, fx.Audit)]


def of_type(effects: Iterable[Effect], kind: type) -> list[Any]:
    return [e for e in effects if isinstance(e, kind)]


def journal_records(effects: Iterable[Effect]) -> list[Any]:
    return [e.record for e in effects if isinstance(e, fx.JournalWrite)]


@pytest.fixture
def driver() -> Driver:
    return Driver()


@pytest.fixture
def counter_driver() -> Driver:
    return Driver(settings(payment=PaymentMode.COUNTER))


@pytest.fixture
def relaxed_driver() -> Driver:
    """City hall accessibility: no time limits."""
    return Driver(settings(timeouts=TimeoutSettings(no_time_limits=True)))
