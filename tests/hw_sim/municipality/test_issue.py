"""Issuing every kind and option: the rendered PDF (pdftotext) holds the resident's data and
only the chosen members and items."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hw_sim.municipality import IssuedDocument, World
from hw_sim.personas import get_persona
from hw_sim.world.records import WorldData
from kiosk.domain import Offer
from printing.certificates import (
    CertificateKind,
    CertificateRequest,
    FuhyoOptions,
    JuminhyoOptions,
    Jurisdiction,
    KosekiOptions,
    KosekiScope,
    NoOptions,
    Scope,
    TaxOptions,
)

from .conftest import holder, jst, pdf_text, squeeze

NOW = jst(2026, 11, 26, 10, 0)


def issue(world: World, persona: str, request: CertificateRequest) -> tuple[IssuedDocument, str]:
    code, resident_id = holder(world, persona)
    result = world.municipality(code).issue(resident_id, request, NOW, "2026-000042")
    assert isinstance(result, IssuedDocument), result
    assert result.pdf.startswith(b"%PDF")
    assert result.kind is request.kind
    assert result.page_count >= 1
    text = pdf_text(result.pdf)
    assert "2026-000042" not in text  # printed once, by the kiosk, with the copy
    return result, text


def members(world: World, world_data: WorldData, persona: str) -> dict[str, str]:
    """display name (no spaces) → member id of the persona's household, from the offer."""
    code, resident_id = holder(world, persona)
    offer = world.municipality(code).offer(resident_id, NOW)
    assert isinstance(offer, Offer)
    return {squeeze(m.display_name): m.member_id for m in offer.household}


def fullwidth(text: str) -> str:
    """ASCII letters and digits as the registry prints them (full-width)."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def juminhyo(**options: object) -> CertificateRequest:
    return CertificateRequest(
        CertificateKind.JUMINHYO,
        Jurisdiction.RESIDENCE,
        JuminhyoOptions(**options),  # type: ignore[arg-type]
    )


def test_juminhyo_self_shows_only_the_applicant(world: World) -> None:
    persona = get_persona("normal")
    document, text = issue(world, "normal", juminhyo())
    assert document.title == "住民票の写し"
    assert squeeze(persona.name) in text
    assert squeeze(persona.address) in text
    assert "花子" not in text
    assert "陽菜" not in text
    assert fullwidth(persona.my_number) not in text
    assert "個人番号" not in text
    assert "豊玉北六丁目" not in text  # 本籍 not asked for


def test_juminhyo_household_with_every_item(world: World) -> None:
    persona = get_persona("normal")
    _, text = issue(
        world,
        "normal",
        juminhyo(
            scope=Scope.HOUSEHOLD_ALL,
            show_head_and_relationship=True,
            show_honseki=True,
            show_my_number=True,
        ),
    )
    for name in ("山田太郎", "山田花子", "山田陽菜", "山田大翔"):
        assert name in text
    assert "東京都練馬区豊玉北六丁目１２番" in text
    assert "世帯主" in text
    assert "妻" in text
    assert fullwidth(persona.my_number) in text


def test_juminhyo_part_of_the_household(world: World, world_data: WorldData) -> None:
    ids = members(world, world_data, "normal")
    chosen = (ids["山田陽菜"], ids["山田太郎"])
    _, text = issue(world, "normal", juminhyo(scope=Scope.HOUSEHOLD_PART, member_ids=chosen))
    assert "山田陽菜" in text
    assert "山田太郎" in text
    assert "山田花子" not in text
    assert "山田大翔" not in text


def test_foreign_resident_items(world: World) -> None:
    _, without = issue(world, "foreign", juminhyo())
    _, with_items = issue(world, "foreign", juminhyo(show_foreign_items=True))
    assert fullwidth("UH48213907AB") not in without
    assert fullwidth("UH48213907AB") in with_items
    assert "アメリカ合衆国" in with_items
    assert "技術・人文知識・国際業務" in with_items
    assert "中長期在留者" in with_items


def test_kisai_jiko(world: World) -> None:
    document, text = issue(
        world,
        "normal",
        CertificateRequest(CertificateKind.KISAI_JIKO, Jurisdiction.RESIDENCE, JuminhyoOptions()),
    )
    assert document.title == "住民票記載事項証明書"
    assert "山田太郎" in text


def test_inkan_with_rare_characters(world: World) -> None:
    document, text = issue(
        world,
        "rare-chars",
        CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions()),
    )
    assert document.title == "印鑑登録証明書"
    assert "髙﨑久美子" in text
    assert "昭和５８年１０月３０日" in text


@pytest.mark.parametrize("kind", [CertificateKind.TAX_INCOME, CertificateKind.TAX_PAYMENT])
def test_tax_certificates(world: World, kind: CertificateKind) -> None:
    document, text = issue(
        world, "normal", CertificateRequest(kind, Jurisdiction.RESIDENCE, TaxOptions(2026))
    )
    assert "令和８年度" in text
    assert "山田太郎" in text
    if kind is CertificateKind.TAX_INCOME:
        assert document.title == "所得・課税証明書"
        assert "給与6,200,000円4,520,000円" in text
        assert "配偶者控除330,000円" in text
    else:
        assert document.title == "納税証明書"
        assert "特別区民税・都民税" in text


def test_koseki_all_and_individual(world: World) -> None:
    all_doc, all_text = issue(
        world,
        "normal",
        CertificateRequest(CertificateKind.KOSEKI, Jurisdiction.RESIDENCE, KosekiOptions()),
    )
    one_doc, one_text = issue(
        world,
        "normal",
        CertificateRequest(
            CertificateKind.KOSEKI, Jurisdiction.RESIDENCE, KosekiOptions(KosekiScope.INDIVIDUAL)
        ),
    )
    assert all_doc.title == "戸籍全部事項証明書"
    assert one_doc.title == "戸籍個人事項証明書"
    assert "東京都練馬区豊玉北六丁目１２番" in all_text
    assert "花子" in all_text
    assert "大翔" in all_text
    assert "大翔" not in one_text
    assert "太郎" in one_text


def test_fuhyo(world: World) -> None:
    document, text = issue(
        world,
        "normal",
        CertificateRequest(CertificateKind.KOSEKI_FUHYO, Jurisdiction.RESIDENCE, NoOptions()),
    )
    assert document.title == "戸籍の附票の写し"
    assert "東京都練馬区桜台１丁目５番３号" in text
    assert "東京都練馬区豊玉北６丁目１２番１号" in text


def test_honseki_persona_gets_the_register_from_shizuoka(world: World) -> None:
    from .conftest import card

    server = world.municipality("221007")
    offer = server.honseki_offer(card("honseki"), NOW)
    assert isinstance(offer, Offer), offer
    assert {c.kind for c in offer.certificates} == {
        CertificateKind.KOSEKI,
        CertificateKind.KOSEKI_FUHYO,
    }
    assert all(c.jurisdiction is Jurisdiction.HONSEKI for c in offer.certificates)
    request = CertificateRequest(CertificateKind.KOSEKI, Jurisdiction.HONSEKI, KosekiOptions())
    result = server.issue(card("honseki"), request, NOW, "2026-000043")
    assert isinstance(result, IssuedDocument), result
    text = pdf_text(result.pdf)
    assert "静岡県静岡市葵区追手町５番" in text
    assert "氏名望月健一" in text
    assert "【名】健一" in text
    assert "【名】彩" in text
    # and the residence offer in 練馬区 points at the 本籍地
    code, resident_id = holder(world, "honseki")
    residence = world.municipality(code).offer(resident_id, NOW)
    assert isinstance(residence, Offer)
    assert residence.honseki_municipality_code == "221007"


def _register_line(world: World, kind: CertificateKind) -> tuple[dict[str, str], str | None, bool]:
    """display name (no spaces) → the offer's person id for the persona's register, the
    resident's own id, and whether the line allows 本籍・筆頭者 (a 附票)."""
    code, resident_id = holder(world, "normal")
    offer = world.municipality(code).offer(resident_id, NOW)
    assert isinstance(offer, Offer)
    (line,) = [c for c in offer.certificates if c.kind is kind]
    persons = {squeeze(p.display_name): p.member_id for p in line.rules.persons}
    return persons, line.rules.self_person_id, line.rules.honseki


def test_koseki_individual_of_another_person(world: World) -> None:
    """A parent asks for a child's 個人事項証明書 (戸籍抄本): the child's entry is certified."""
    persons, own, _ = _register_line(world, CertificateKind.KOSEKI)
    assert persons[squeeze("山田　太郎")] == own
    child = persons[squeeze("山田　大翔")]
    document, text = issue(
        world,
        "normal",
        CertificateRequest(
            CertificateKind.KOSEKI,
            Jurisdiction.RESIDENCE,
            KosekiOptions(KosekiScope.INDIVIDUAL, child),
        ),
    )
    assert document.title == "戸籍個人事項証明書"
    assert "大翔" in text
    # Only the child's entry: the mother's own entry (her birth, her marriage into the
    # register) is not certified, as it is on the 全部事項証明書.
    assert text.count("花子") < issue_all_count(world, "花子")


def issue_all_count(world: World, name: str) -> int:
    _document, text = issue(
        world,
        "normal",
        CertificateRequest(CertificateKind.KOSEKI, Jurisdiction.RESIDENCE, KosekiOptions()),
    )
    return text.count(name)


def test_fuhyo_of_some_persons_with_and_without_honseki(world: World) -> None:
    _persons, own, honseki_allowed = _register_line(world, CertificateKind.KOSEKI_FUHYO)
    assert honseki_allowed  # the 附票's 本籍・筆頭者 may be asked for by default
    request = CertificateRequest(
        CertificateKind.KOSEKI_FUHYO,
        Jurisdiction.RESIDENCE,
        FuhyoOptions(KosekiScope.INDIVIDUAL, (own,) if own else ()),
    )
    _document, without = issue(world, "normal", request)
    assert "本籍" not in without  # not asked for: left out (since 2022)
    assert "東京都練馬区豊玉北六丁目１２番" not in without
    assert "太郎" in without
    assert "大翔" not in without  # only the persons chosen
    shown = replace(request, options=FuhyoOptions(show_honseki=True))
    _document, everyone = issue(world, "normal", shown)
    assert "本籍" in everyone
    assert "東京都練馬区豊玉北六丁目１２番" in everyone
    assert "大翔" in everyone


@pytest.mark.parametrize(
    "options",
    [
        KosekiOptions(KosekiScope.INDIVIDUAL, "p99"),  # not a person of the register
        FuhyoOptions(KosekiScope.INDIVIDUAL, ("p99",)),
        FuhyoOptions(KosekiScope.ALL, ("p1",)),  # persons only for 一部
    ],
)
def test_a_person_the_register_does_not_list_is_refused(world: World, options: object) -> None:
    from hw_sim.municipality import Refusal

    code, resident_id = holder(world, "normal")
    kind = (
        CertificateKind.KOSEKI
        if isinstance(options, KosekiOptions)
        else CertificateKind.KOSEKI_FUHYO
    )
    request = CertificateRequest(kind, Jurisdiction.RESIDENCE, options)  # type: ignore[arg-type]
    result = world.municipality(code).issue(resident_id, request, NOW, "2026-000044")
    assert isinstance(result, Refusal)
