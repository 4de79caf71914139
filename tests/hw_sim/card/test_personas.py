"""The persona list: ids and codes as agreed with the world and the center, valid My Numbers,
照合番号B per jpki-card.md §5.3, realistic but synthetic data."""

from __future__ import annotations

from datetime import date

import pytest

from hw_sim.personas import (
    MUNICIPALITIES,
    Medium,
    fifth_birthday_after,
    get_persona,
    is_valid_my_number,
    list_personas,
    my_number_check_digit,
    shogo_b,
)

EXPECTED = {
    "normal": "131202",
    "one-try-left": "271004",
    "blocked": "141003",
    "expired": "281000",
    "revoked": "011002",
    "foreign": "271004",
    "child": "131202",
    "child-excluded": "452017",
    "slow": "041009",
    "first-6f00": "281000",
    "rare-chars": "131202",
    "gaiji": "141003",
    "moved-out": "011002",
    "dv-protected": "271004",
    "honseki": "131202",
    "juki-card": "131202",
    "android": "131202",
    "iphone": "131202",
}
ON = date(2026, 11, 26)  # the ages the brief asks for hold on this day


def test_ids_and_municipalities_are_exactly_the_agreed_ones() -> None:
    assert {p.id: p.municipality_code for p in list_personas()} == EXPECTED
    assert get_persona("honseki").honseki_code == "221007"
    assert MUNICIPALITIES["221007"].name == "静岡県静岡市"


def test_unknown_persona_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="normal"):
        get_persona("nobody")


def test_check_digit_rule_on_a_published_example() -> None:
    assert my_number_check_digit("98320567321") == "4"  # 983205673214, a published example
    assert not is_valid_my_number("983205673210")


def test_every_my_number_is_valid_and_distinct() -> None:
    numbers = [p.my_number for p in list_personas()]
    assert all(is_valid_my_number(n) for n in numbers)
    assert len(set(numbers)) == len(numbers)


def test_shogo_b_matches_the_measured_example() -> None:
    # jpki-card.md §5.3: born 1980-02-17 (昭和55), card expires 2035, code 2285
    assert shogo_b(date(1980, 2, 17), 2035, "2285") == "55021720352285"
    assert get_persona("normal").shogo_b == "55051420354821"
    assert get_persona("child").shogo_b.startswith("260620")  # 平成26
    assert all(len(p.shogo_b) == 14 and p.shogo_b.isdigit() for p in list_personas())


def test_fifth_birthday_after_issuance() -> None:
    assert fifth_birthday_after(date(2025, 10, 27), date(1980, 2, 17)) == date(2030, 2, 17)
    assert fifth_birthday_after(date(2025, 3, 10), date(1975, 11, 3)) == date(2029, 11, 3)
    assert fifth_birthday_after(date(2023, 3, 1), date(2000, 2, 29)) == date(2028, 2, 29)
    assert fifth_birthday_after(date(2020, 3, 1), date(2000, 2, 29)) == date(2025, 2, 28)


def test_names_and_addresses_have_the_card_form() -> None:
    for p in list_personas():
        assert "\u3000" in p.name, p.id
        assert not any(c.isascii() and c.isdigit() for c in p.address), p.id
        assert p.address.startswith(p.municipality.prefecture + p.municipality.city), p.id
        assert len(p.security_code) == 4
        assert p.security_code.isdigit()
        assert len(p.auth_pin) == 4
        assert p.auth_pin.isdigit()
        if p.signing_password is not None:
            assert 6 <= len(p.signing_password) <= 16
            assert p.signing_password.isalnum()
            assert p.signing_password.upper() == p.signing_password
            assert any(c.isdigit() for c in p.signing_password)
            assert any(c.isalpha() for c in p.signing_password)


def test_scenarios() -> None:
    assert get_persona("one-try-left").auth_pin_tries == 1
    assert get_persona("blocked").auth_pin_tries == 0
    assert get_persona("expired").auth_cert_not_after < ON
    assert get_persona("normal").auth_cert_not_after > date(2029, 12, 31)
    assert get_persona("revoked").revoked
    assert get_persona("slow").slow_delay_s == pytest.approx(0.15)
    assert get_persona("first-6f00").first_6f00
    assert get_persona("moved-out").moved_out
    assert get_persona("dv-protected").dv_protected
    assert get_persona("child").age_on(ON) == 12
    assert get_persona("child").signing_password is None
    assert get_persona("child-excluded").age_on(ON) == 13
    assert get_persona("foreign").nationality
    assert get_persona("foreign").name == "SMITH\u3000JOHN"
    assert {get_persona(i).medium for i in ("juki-card", "android", "iphone")} == {
        Medium.JUKI_CARD,
        Medium.ANDROID,
        Medium.IPHONE,
    }


def test_rare_and_gaiji_names() -> None:
    rare = get_persona("rare-chars")
    assert {"髙", "﨑"} <= set(rare.name)
    gaiji = get_persona("gaiji")
    assert gaiji.registered_name is not None
    with pytest.raises(UnicodeEncodeError):
        gaiji.registered_name.encode("cp932")  # outside the JIS-based set
    gaiji.name.encode("cp932")  # the card carries a substitute that is inside it
    assert len(gaiji.name_substitutes) == len(gaiji.name)
    assert gaiji.name_substitutes[0] == "1"
