"""The allowed character set (docs/simulated-world.md, "Allowed characters")."""

from __future__ import annotations

from hw_sim.world.charset import in_character_set, is_printable, unsupported_characters


def test_old_style_and_rare_characters_are_allowed() -> None:
    for name in ("髙﨑\u3000久美子", "渡邉\u3000哲也", "齋藤\u3000一", "濵田\u3000凛"):
        assert is_printable(name), name


def test_characters_outside_jis_x_0213_and_cp932_are_not() -> None:
    assert unsupported_characters("𠮷川\u3000直樹") == ["𠮷"]
    assert not in_character_set("𠮷")


def test_private_use_gaiji_are_not_allowed() -> None:
    assert unsupported_characters("山\ue000田") == ["\ue000"]


def test_latin_names_and_fullwidth_addresses_are_allowed() -> None:
    assert is_printable("SMITH\u3000JOHN")
    assert is_printable("大阪府大阪市浪速区難波中２丁目１０番７０１号")
