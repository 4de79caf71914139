"""本籍地 usage registration: receipt, number, status over office days, outcome, persistence."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from hw_sim.municipality import (
    HonsekiApplication,
    IssuedDocument,
    Refusal,
    RegistrationReceipt,
    RegistrationState,
    World,
)
from hw_sim.municipality.runtime import WorldRuntime
from hw_sim.personas import get_persona
from hw_sim.world.records import WorldData
from kiosk.domain import Offer, RefusalReason
from printing.certificates import CertificateKind, CertificateRequest, Jurisdiction, KosekiOptions

from .conftest import card, jst

FUKUOKA = "401307"  # holds the register of the first-6f00 persona (中村); 2 office days
SUBMITTED = jst(2026, 11, 20, 15, 0)  # Friday


def application(persona_id: str = "first-6f00", **changes: object) -> HonsekiApplication:
    persona = get_persona(persona_id)
    base = HonsekiApplication(
        card_identifier=card(persona_id),
        name=persona.name,
        address=persona.address,
        birth_date=persona.birth_date,
        sex=persona.sex,
        honseki="福岡県福岡市早良区百道浜２丁目３番",  # typed with digits: matches 二丁目
        hittosha_name="中村 浩",  # typed with an ASCII space
        phone="078-000-1234",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_matching_application_is_registered_after_the_office_days(
    world: World, world_data: WorldData
) -> None:
    assert world_data.municipalities[FUKUOKA].honseki_registration_office_days == 2
    server = world.municipality(FUKUOKA)
    receipt = server.register_honseki(application(), SUBMITTED)
    assert isinstance(receipt, RegistrationReceipt), receipt
    assert re.fullmatch(rf"{FUKUOKA}261120\d{{4}}", receipt.application_number)
    assert "開庁日" in receipt.message_ja
    assert "電話" in receipt.message_ja
    assert world.registration_municipality(receipt.application_number) == FUKUOKA
    number = receipt.application_number
    # Fri 20 Nov + 2 office days: Mon 23 is 勤労感謝の日 (2026), so Tue 24 and Wed 25, 09:00
    for now, state in [
        (jst(2026, 11, 20, 15, 1), RegistrationState.RECEIVED),
        (jst(2026, 11, 24, 23, 0), RegistrationState.RECEIVED),
        (jst(2026, 11, 25, 8, 59), RegistrationState.RECEIVED),
        (jst(2026, 11, 25, 9, 0), RegistrationState.REGISTERED),
    ]:
        status = server.registration_status(number, now)
        assert status is not None
        assert status.state is state, now
    # registered: the 本籍地 offer and issuance work for the card
    assert isinstance(server.honseki_offer(card("first-6f00"), jst(2026, 11, 25, 8, 0)), Refusal)
    offer = server.honseki_offer(card("first-6f00"), jst(2026, 11, 26, 12, 0))
    assert isinstance(offer, Offer), offer
    assert [c.kind for c in offer.certificates] == [CertificateKind.KOSEKI]  # 福岡市: 戸籍 only
    request = CertificateRequest(CertificateKind.KOSEKI, Jurisdiction.HONSEKI, KosekiOptions())
    issued = server.issue(card("first-6f00"), request, jst(2026, 11, 26, 12, 0), "2026-000044")
    assert isinstance(issued, IssuedDocument)
    fuhyo = CertificateRequest(CertificateKind.KOSEKI_FUHYO, Jurisdiction.HONSEKI, KosekiOptions())
    refused = server.issue(card("first-6f00"), fuhyo, jst(2026, 11, 26, 12, 0), "2026-000045")
    assert isinstance(refused, Refusal)
    assert refused.reason is RefusalReason.NOT_OFFERED


@pytest.mark.parametrize(
    "change",
    [
        {"hittosha_name": "中村　茂"},
        {"honseki": "福岡県福岡市早良区百道浜三丁目３番"},
        {"birth_date": get_persona("first-6f00").birth_date.replace(day=26)},
        {"address": "兵庫県神戸市中央区加納町６丁目５番１号"},
    ],
)
def test_a_mismatch_is_received_then_deficient(world: World, change: dict[str, object]) -> None:
    server = world.municipality(FUKUOKA)
    receipt = server.register_honseki(application(**change), SUBMITTED)
    assert isinstance(receipt, RegistrationReceipt)
    received = server.registration_status(receipt.application_number, jst(2026, 11, 21, 9, 0))
    decided = server.registration_status(receipt.application_number, jst(2026, 11, 25, 9, 0))
    assert received is not None
    assert received.state is RegistrationState.RECEIVED
    assert decided is not None
    assert decided.state is RegistrationState.DEFICIENT
    assert "問い合わせ" in decided.message_ja
    assert isinstance(server.honseki_offer(card("first-6f00"), jst(2026, 12, 1, 12, 0)), Refusal)
    # after a 不備 the resident may apply again
    again = server.register_honseki(application(), jst(2026, 12, 1, 12, 0))
    assert isinstance(again, RegistrationReceipt)
    assert again.application_number != receipt.application_number


def test_card_name_with_a_substitute_character_does_not_match_the_register(world: World) -> None:
    """The gaiji persona's card says 吉川 where the register has 𠮷川: staff mark it 不備."""
    persona = get_persona("gaiji")
    app = application(
        "gaiji",
        honseki="神奈川県横浜市西区みなとみらい二丁目３番",
        hittosha_name=persona.name,
    )
    server = world.municipality("141003")
    receipt = server.register_honseki(app, SUBMITTED)
    assert isinstance(receipt, RegistrationReceipt)
    status = server.registration_status(receipt.application_number, jst(2026, 12, 10, 9, 0))
    assert status is not None
    assert status.state is RegistrationState.DEFICIENT


@pytest.mark.parametrize(
    "change",
    [
        {"phone": "abc"},
        {"phone": ""},
        {"honseki": "  "},
        {"hittosha_name": ""},
        {"sex": "M"},
        {"name": "x" * 500},
    ],
)
def test_malformed_applications_are_refused(world: World, change: dict[str, object]) -> None:
    result = world.municipality(FUKUOKA).register_honseki(application(**change), SUBMITTED)
    assert isinstance(result, Refusal)
    assert result.reason is RefusalReason.INVALID_APPLICATION


def test_a_second_application_while_pending_or_registered(world: World) -> None:
    server = world.municipality(FUKUOKA)
    assert isinstance(server.register_honseki(application(), SUBMITTED), RegistrationReceipt)
    pending = server.register_honseki(application(), jst(2026, 11, 21, 10, 0))
    done = server.register_honseki(application(), jst(2026, 12, 1, 10, 0))
    for result in (pending, done):
        assert isinstance(result, Refusal)
        assert result.reason is RefusalReason.ALREADY_REGISTERED
    honseki = world.municipality("221007").register_honseki(
        application("honseki", honseki="静岡県静岡市葵区追手町５番", hittosha_name="望月　健一"),
        SUBMITTED,
    )
    assert isinstance(honseki, Refusal)
    assert honseki.reason is RefusalReason.ALREADY_REGISTERED


def test_municipalities_without_the_service(world: World) -> None:
    for code in ("141305", "231002"):  # 川崎市 (no 本籍地 service), 名古屋市 (not participating)
        result = world.municipality(code).register_honseki(application(), SUBMITTED)
        assert isinstance(result, Refusal)
        assert result.reason is RefusalReason.NOT_OFFERED


def test_the_honseki_persona_is_registered_from_the_start(
    world: World, world_data: WorldData
) -> None:
    link = next(
        link for link in world_data.honseki_links if link.card_identifier == card("honseki")
    )
    status = world.municipality("221007").registration_status(
        link.application_number, jst(2025, 1, 1, 0, 0)
    )
    assert status is not None
    assert status.state is RegistrationState.REGISTERED


def test_unknown_and_foreign_application_numbers(world: World) -> None:
    server = world.municipality(FUKUOKA)
    assert server.registration_status("4013072611209999", SUBMITTED) is None
    assert server.registration_status("1312022611200002", SUBMITTED) is None
    assert server.registration_status("", SUBMITTED) is None
    assert world.registration_municipality("12345") is None
    assert world.registration_municipality("9999992611200002") is None


def test_registrations_survive_a_restart(world_data: WorldData, tmp_path: Path) -> None:
    first = World(WorldRuntime.open(tmp_path, world_data))
    receipt = first.municipality(FUKUOKA).register_honseki(application(), SUBMITTED)
    assert isinstance(receipt, RegistrationReceipt)
    first.close()
    second = World(WorldRuntime.open(tmp_path, world_data))
    status = second.municipality(FUKUOKA).registration_status(
        receipt.application_number, jst(2026, 11, 27, 9, 0)
    )
    assert status is not None
    assert status.state is RegistrationState.REGISTERED
    assert isinstance(
        second.municipality(FUKUOKA).honseki_offer(card("first-6f00"), jst(2026, 11, 27, 9, 0)),
        Offer,
    )
    # numbers keep counting after the restart
    other = second.municipality(FUKUOKA).register_honseki(application("android"), SUBMITTED)
    assert isinstance(other, RegistrationReceipt)
    assert other.application_number != receipt.application_number


def test_world_load_builds_and_uses_the_state_folder(tmp_path: Path) -> None:
    world = World.load(tmp_path)
    assert (tmp_path / "world.sqlite3").is_file()
    assert len([m for m in world.municipalities() if m.participates]) >= 20
    assert world.locate_card_holder(card("normal")) is not None
