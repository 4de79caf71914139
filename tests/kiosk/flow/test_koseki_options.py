"""戸籍 and 附票 options: whose 個人事項 (a parent asks for a child's), the 附票 of 全部 or 一部
with its persons and 本籍・筆頭者 — each only as the municipality's rules allow (issue 14)."""

from __future__ import annotations

from dataclasses import replace

from kiosk.domain import HouseholdMember, Offer, OfferedCertificate, OptionRules
from kiosk.flow import events as ev
from kiosk.flow import state as st
from printing.certificates import (
    CertificateKind,
    FuhyoOptions,
    Jurisdiction,
    KosekiOptions,
    KosekiScope,
)
from tests.kiosk.flow.conftest import Driver, make_offer

REGISTER = (
    HouseholdMember("p1", "番号　一郎"),
    HouseholdMember("p2", "番号　花子"),
    HouseholdMember("p3", "番号　次郎"),
)
BOTH = (KosekiScope.ALL, KosekiScope.INDIVIDUAL)


def offer(honseki_item: bool = True) -> Offer:
    base = make_offer()
    lines = tuple(
        line for line in base.certificates if line.jurisdiction is not Jurisdiction.HONSEKI
    )
    rules = OptionRules(koseki_scopes=BOTH, persons=REGISTER, self_person_id="p1")
    return replace(
        base,
        certificates=(
            *lines,
            OfferedCertificate(CertificateKind.KOSEKI, Jurisdiction.HONSEKI, 450, 450, rules),
            OfferedCertificate(
                CertificateKind.KOSEKI_FUHYO,
                Jurisdiction.HONSEKI,
                300,
                350,
                replace(rules, honseki=honseki_item),
            ),
        ),
    )


def to_options(driver: Driver, kind: CertificateKind, with_offer: Offer | None = None) -> None:
    driver.to_menu(with_offer or offer())
    driver.send(ev.ChooseJurisdiction(Jurisdiction.HONSEKI), ev.ChooseCertificate(kind))
    assert isinstance(driver.screen, st.OptionChoice)


def test_a_parent_asks_for_a_childs_individual_certificate(driver: Driver) -> None:
    to_options(driver, CertificateKind.KOSEKI)
    assert driver.screen.options == KosekiOptions(KosekiScope.ALL)
    driver.send(ev.ChoosePerson("p3"))  # not 個人事項 yet: nothing to choose
    assert driver.screen.options == KosekiOptions(KosekiScope.ALL)
    driver.send(ev.SetKosekiScope(KosekiScope.INDIVIDUAL))
    assert driver.screen.options == KosekiOptions(KosekiScope.INDIVIDUAL, "p1")  # the resident
    driver.send(ev.ChoosePerson("p9"))  # not in the register: ignored
    driver.send(ev.ChoosePerson("p3"))
    assert driver.screen.options == KosekiOptions(KosekiScope.INDIVIDUAL, "p3")
    driver.send(ev.Next())
    assert driver.state.txn is not None
    assert driver.state.txn.request is not None
    assert driver.state.txn.request.options == KosekiOptions(KosekiScope.INDIVIDUAL, "p3")
    driver.send(ev.Back())
    driver.send(ev.SetKosekiScope(KosekiScope.ALL))  # back to 全部: the person is dropped
    assert driver.screen.options == KosekiOptions(KosekiScope.ALL)


def test_without_a_choice_of_persons_individual_means_the_resident(driver: Driver) -> None:
    plain = make_offer()  # the 本籍地's 戸籍 line lists no persons (a protocol v2 center)
    to_options(driver, CertificateKind.KOSEKI, plain)
    driver.send(ev.SetKosekiScope(KosekiScope.INDIVIDUAL), ev.ChoosePerson("p3"))
    assert driver.screen.options == KosekiOptions(KosekiScope.INDIVIDUAL, None)


def test_the_fuhyo_for_some_persons_with_or_without_honseki(driver: Driver) -> None:
    to_options(driver, CertificateKind.KOSEKI_FUHYO)
    assert driver.screen.options == FuhyoOptions()  # 全部, 本籍・筆頭者 not shown
    driver.send(ev.SetKosekiScope(KosekiScope.INDIVIDUAL))
    assert driver.screen.options == FuhyoOptions(KosekiScope.INDIVIDUAL, ("p1",))
    driver.send(ev.TogglePerson("p3"), ev.TogglePerson("p9"))
    assert driver.screen.options.person_ids == ("p1", "p3")
    driver.send(ev.TogglePerson("p1"), ev.TogglePerson("p3"))
    assert driver.screen.options.person_ids == ()
    driver.send(ev.Next())  # nobody chosen: the order is not complete
    assert isinstance(driver.screen, st.OptionChoice)
    driver.send(ev.TogglePerson("p2"), ev.SetItem(ev.OptionItem.HONSEKI, True), ev.Next())
    assert isinstance(driver.screen, st.CopiesChoice)
    request = driver.state.txn.request  # type: ignore[union-attr]
    assert request is not None
    assert request.options == FuhyoOptions(KosekiScope.INDIVIDUAL, ("p2",), show_honseki=True)


def test_honseki_on_the_fuhyo_only_where_allowed(driver: Driver) -> None:
    to_options(driver, CertificateKind.KOSEKI_FUHYO, offer(honseki_item=False))
    driver.send(ev.SetItem(ev.OptionItem.HONSEKI, True))
    assert driver.screen.options == FuhyoOptions()
