"""Every refusal reason, with the municipality's message; 支援措置 is never explained."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from hw_sim.municipality import Refusal, UnknownMunicipalityError, World
from hw_sim.municipality.runtime import WorldRuntime
from hw_sim.world.records import WorldData
from kiosk.domain import Offer, RefusalReason
from printing.certificates import (
    CertificateKind,
    CertificateRequest,
    JuminhyoOptions,
    Jurisdiction,
    KosekiOptions,
    NoOptions,
    Scope,
    TaxOptions,
)

from .conftest import card, holder, jst

NOW = jst(2026, 11, 26, 10, 0)  # a Thursday, no window anywhere


def refusal_of(world: World, persona: str) -> Refusal:
    code, resident_id = holder(world, persona)
    result = world.municipality(code).offer(resident_id, NOW)
    assert isinstance(result, Refusal), result
    return result


@pytest.mark.parametrize(
    ("persona", "reason"),
    [
        ("moved-out", RefusalReason.MOVED_OUT),
        ("dv-protected", RefusalReason.SUPPORT_MEASURES),
        ("child-excluded", RefusalReason.UNDER_AGE_EXCLUDED),
        ("gaiji", RefusalReason.CHARACTERS_NOT_SUPPORTED),
    ],
)
def test_resident_refusals(world: World, persona: str, reason: RefusalReason) -> None:
    refusal = refusal_of(world, persona)
    assert refusal.reason is reason
    assert refusal.message_ja


def test_issue_is_refused_for_the_same_reason(world: World) -> None:
    code, resident_id = holder(world, "dv-protected")
    request = CertificateRequest(
        CertificateKind.JUMINHYO, Jurisdiction.RESIDENCE, JuminhyoOptions()
    )
    result = world.municipality(code).issue(resident_id, request, NOW, "T-1")
    assert isinstance(result, Refusal)
    assert result.reason is RefusalReason.SUPPORT_MEASURES


def test_support_measures_message_is_neutral(world: World) -> None:
    message = refusal_of(world, "dv-protected").message_ja
    for word in ("支援", "DV", "ＤＶ", "ストーカー", "暴力", "措置"):
        assert word not in message


def test_the_child_excluded_would_be_served_at_15(world: World) -> None:
    code, resident_id = holder(world, "child-excluded")
    later = jst(2028, 9, 9, 10, 0)  # the 15th birthday
    assert isinstance(world.municipality(code).offer(resident_id, later), Offer)


def test_the_child_in_nerima_is_served(world: World) -> None:
    code, resident_id = holder(world, "child")
    offer = world.municipality(code).offer(resident_id, NOW)
    assert isinstance(offer, Offer)
    inkan = next(c for c in offer.certificates if c.kind is CertificateKind.INKAN)
    assert inkan.unavailable_reason == "no_record"  # no seal registered


def test_moved_out_before_the_day_of_moving(world: World) -> None:
    code, resident_id = holder(world, "moved-out")
    assert isinstance(world.municipality(code).offer(resident_id, jst(2025, 3, 30, 12, 0)), Offer)


def test_unknown_resident_and_resident_of_another_municipality(world: World) -> None:
    code, resident_id = holder(world, "normal")
    assert world.municipality(code).offer("131202-9999", NOW) == Refusal(
        RefusalReason.RESIDENT_NOT_FOUND,
        world.municipality(code).offer("x", NOW).message_ja,  # type: ignore[union-attr]
    )
    other = world.municipality("271004").offer(resident_id, NOW)
    assert isinstance(other, Refusal)
    assert other.reason is RefusalReason.RESIDENT_NOT_FOUND
    assert world.locate_card_holder("NOT-A-CARD") is None
    with pytest.raises(UnknownMunicipalityError):
        world.municipality("000000")


def test_non_participating_municipality(world: World, world_data: WorldData) -> None:
    info = {m.code: m for m in world.municipalities()}
    assert not info["231002"].participates  # 名古屋市
    server = world.municipality("231002")
    assert isinstance(server.offer("231002-0001", NOW), Refusal)
    assert isinstance(server.honseki_offer(card("normal"), NOW), Refusal)


def test_options_not_allowed_are_not_offered(world: World) -> None:
    code, resident_id = holder(world, "foreign")
    server = world.municipality(code)

    def issue(request: CertificateRequest) -> object:
        return server.issue(resident_id, request, NOW, "T-1")

    cases = [
        # 本籍 for a foreign resident (no 本籍)
        CertificateRequest(
            CertificateKind.JUMINHYO, Jurisdiction.RESIDENCE, JuminhyoOptions(show_honseki=True)
        ),
        # household scope for a one-person household
        CertificateRequest(
            CertificateKind.JUMINHYO,
            Jurisdiction.RESIDENCE,
            JuminhyoOptions(scope=Scope.HOUSEHOLD_ALL),
        ),
        # 記載事項 is not on 大阪市's menu
        CertificateRequest(CertificateKind.KISAI_JIKO, Jurisdiction.RESIDENCE, JuminhyoOptions()),
        # a fiscal year without a record, and wrong option types
        CertificateRequest(CertificateKind.TAX_INCOME, Jurisdiction.RESIDENCE, TaxOptions(2019)),
        CertificateRequest(CertificateKind.TAX_INCOME, Jurisdiction.RESIDENCE, NoOptions()),
        CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, KosekiOptions()),
        # too many copies
        CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions(), copies=11),
        CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions(), copies=0),
    ]
    for request in cases:
        result = issue(request)
        assert isinstance(result, Refusal), request
        assert result.reason is RefusalReason.NOT_OFFERED, request


def test_my_number_where_the_municipality_does_not_print_it(
    world: World, world_data: WorldData
) -> None:
    resident = next(
        r for r in world_data.residents_of("192015") if r.age_on(NOW.date()) >= 15
    )  # 甲府市
    request = CertificateRequest(
        CertificateKind.JUMINHYO, Jurisdiction.RESIDENCE, JuminhyoOptions(show_my_number=True)
    )
    result = world.municipality("192015").issue(resident.resident_id, request, NOW, "T-1")
    assert isinstance(result, Refusal)
    assert result.reason is RefusalReason.NOT_OFFERED


def test_no_record(world: World) -> None:
    code, resident_id = holder(world, "android")  # no seal; 本籍 in 長野市
    server = world.municipality(code)
    for request in (
        CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions()),
        CertificateRequest(CertificateKind.KOSEKI, Jurisdiction.RESIDENCE, KosekiOptions()),
    ):
        result = server.issue(resident_id, request, NOW, "T-1")
        assert isinstance(result, Refusal)
        assert result.reason is RefusalReason.NO_RECORD


def test_not_registered_for_honseki_certificates(world: World) -> None:
    result = world.municipality("401307").honseki_offer(card("first-6f00"), NOW)  # 福岡市
    assert isinstance(result, Refusal)
    assert result.reason is RefusalReason.NOT_REGISTERED
    request = CertificateRequest(CertificateKind.KOSEKI, Jurisdiction.HONSEKI, KosekiOptions())
    issued = world.municipality("401307").issue(card("first-6f00"), request, NOW, "T-1")
    assert isinstance(issued, Refusal)
    assert issued.reason is RefusalReason.NOT_REGISTERED


@pytest.mark.parametrize(
    ("now", "reason"),
    [
        (jst(2026, 11, 26, 5, 0), RefusalReason.OUT_OF_HOURS),
        (jst(2026, 12, 30, 10, 0), RefusalReason.YEAR_END_CLOSURE),
        (jst(2026, 11, 11, 7, 0), RefusalReason.MAINTENANCE),  # 練馬区: 2nd Wednesday
    ],
)
def test_time_refusals_on_issue(world: World, now, reason: RefusalReason) -> None:  # type: ignore[no-untyped-def]
    code, resident_id = holder(world, "normal")
    request = CertificateRequest(
        CertificateKind.JUMINHYO, Jurisdiction.RESIDENCE, JuminhyoOptions()
    )
    result = world.municipality(code).issue(resident_id, request, now, "T-1")
    assert isinstance(result, Refusal)
    assert result.reason is reason


def test_a_character_no_font_has_is_refused_before_printing(
    world_data: WorldData, tmp_path: Path
) -> None:
    """A character no embedded font has (U+17000, a Tangut ideograph) is a refusal, never an
    exception or a blank box: in a member's name the offer allows only the applicant's own
    entry; in a text the offer does not check (the 前住所) the renderer's MissingGlyphError
    becomes characters_not_supported."""
    odd = "\U00017000"
    located = World(WorldRuntime.open(tmp_path / "probe", world_data)).locate_card_holder(
        card("normal")
    )
    assert located is not None
    code, resident_id = located
    applicant = world_data.residents[resident_id]
    member = next(
        m
        for m in world_data.members_of(world_data.household_of(applicant))
        if m.resident_id != resident_id
    )
    residents = {
        **world_data.residents,
        member.resident_id: dataclasses.replace(
            member, name=dataclasses.replace(member.name, given=odd + "子")
        ),
        resident_id: dataclasses.replace(applicant, previous_address=f"東京都練馬区{odd}町１番"),
    }
    changed = World(
        WorldRuntime.open(tmp_path / "state", dataclasses.replace(world_data, residents=residents))
    )
    try:
        offer = changed.municipality(code).offer(resident_id, NOW)
        assert isinstance(offer, Offer)
        juminhyo = next(c for c in offer.certificates if c.kind is CertificateKind.JUMINHYO)
        assert juminhyo.rules.scopes == (Scope.SELF,)
        result = changed.municipality(code).issue(
            resident_id,
            CertificateRequest(CertificateKind.JUMINHYO, Jurisdiction.RESIDENCE, JuminhyoOptions()),
            NOW,
            "2026-000043",
        )
        assert isinstance(result, Refusal)
        assert result.reason == RefusalReason.CHARACTERS_NOT_SUPPORTED
    finally:
        changed.close()
