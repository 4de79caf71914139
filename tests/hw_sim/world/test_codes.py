"""Local government codes: the check digit rule and every municipality of the world."""

from __future__ import annotations

from pathlib import Path

import pytest

from hw_sim.world import check_digit, is_valid_code, load_municipalities, with_check_digit
from hw_sim.world.codes import PREFECTURES

# Codes published by 総務省 (全国地方公共団体コード), including both special remainders.
KNOWN = {
    "01100": "011002",  # 札幌市
    "13120": "131202",  # 練馬区
    "27100": "271004",  # 大阪市
    "14100": "141003",  # 横浜市
    "28100": "281000",  # 神戸市: remainder 1 → 0
    "09201": "092011",  # 宇都宮市: remainder 0 → 1
    "45201": "452017",  # 宮崎市
    "04100": "041009",  # 仙台市
    "22100": "221007",  # 静岡市
    "47201": "472018",  # 那覇市
}
PERSONA_MUNICIPALITIES = {
    "131202",
    "271004",
    "141003",
    "281000",
    "011002",
    "452017",
    "041009",
    "221007",
}
# The source document's table of participating municipalities, kept in the repository.
PARTICIPANTS = Path(__file__).resolve().parents[3] / "hw_sim/world/data/participants-2019.txt"


@pytest.mark.parametrize(("code5", "code6"), sorted(KNOWN.items()))
def test_check_digit_of_published_codes(code5: str, code6: str) -> None:
    assert with_check_digit(code5) == code6
    assert is_valid_code(code6)


def test_a_wrong_check_digit_is_invalid() -> None:
    for code6 in KNOWN.values():
        wrong = code6[:5] + str((int(code6[5]) + 1) % 10)
        assert not is_valid_code(wrong)
    assert not is_valid_code("13120")
    assert not is_valid_code("１３１２０２")
    with pytest.raises(ValueError, match="5 digits"):
        check_digit("1312")


def test_every_municipality_has_a_valid_code_in_its_prefecture() -> None:
    municipalities = load_municipalities()
    for code, municipality in municipalities.items():
        assert is_valid_code(code), code
        assert PREFECTURES[code[:2]] == municipality.prefecture


def test_world_spans_at_least_twenty_participating_municipalities_in_several_prefectures() -> None:
    municipalities = load_municipalities()
    participating = [m for m in municipalities.values() if m.participates]
    assert len(participating) >= 20
    assert len({m.prefecture for m in participating}) >= 10
    assert {m.code for m in participating} >= PERSONA_MUNICIPALITIES


def test_shares_of_offered_certificates_follow_product_facts() -> None:
    """Everyone offers 住民票 and 印鑑; fewer offer the others (product-facts.md shares)."""
    participating = [m for m in load_municipalities().values() if m.participates]
    total = len(participating)

    def share(kind: str) -> float:
        return sum(1 for m in participating if any(k.value == kind for k in m.certificates)) / total

    assert share("juminhyo") == share("inkan") == 1.0
    assert 0.05 < share("kisai_jiko") < 0.3  # 16 %
    assert 0.55 < share("tax_income") < 0.85  # 70 %
    assert 0.55 < share("koseki") < 0.85  # 70 %
    assert 0.45 < share("koseki_fuhyo") < 0.75  # 62 %
    honseki = sum(1 for m in participating if m.honseki_service) / total
    assert 0.35 < honseki < 0.6  # 48 %


def test_participating_municipalities_are_named_in_the_source_document() -> None:
    text = PARTICIPANTS.read_text(encoding="utf-8")
    # The whole table, from the first prefecture's first city to the last one's.
    assert "札幌市" in text
    assert "那覇市" in text
    for municipality in load_municipalities().values():
        if not municipality.participates:
            continue
        # Tokyo's wards are listed as 全２３区 in the document.
        named = municipality.name in text or (
            municipality.name.endswith("区") and "全２３区" in text
        )
        assert named, municipality.name


def test_fees_are_in_the_usual_ranges() -> None:
    for municipality in load_municipalities().values():
        for kind, config in municipality.certificates.items():
            assert config.fee_yen <= config.counter_fee_yen
            if kind.value == "koseki":
                assert 350 <= config.fee_yen <= 450
            else:
                assert 100 <= config.fee_yen <= 300
