"""Malformed household and register specifications are rejected naming file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from hw_sim.world import WorldDataError
from hw_sim.world.builder import HOUSEHOLDS_FILE, build_world

TEXT = HOUSEHOLDS_FILE.read_text(encoding="utf-8")


def build(tmp_path: Path, text: str) -> None:
    path = tmp_path / "households.toml"
    path.write_text(text, encoding="utf-8")
    build_world(households_file=path, generated=False)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('persona = "normal"\nrelationship', 'persona = "nobody"\nrelationship', "household[0].member[0].persona"),
        ('id = "nerima-yamada"\nmunicipality = "131202"\naddress_since', 'id = "nerima-yamada"\nmunicipality = "999999"\naddress_since', "household[0].municipality"),
        ('birth_date = 1982-09-03\nsex = "2"\nrelationship = "妻"', 'birth_date = 1982-09-03\nsex = "F"\nrelationship = "妻"', "household[0].member[1].sex"),
        ('name = "山田　花子"\nkana = "ヤマダ　ハナコ"\nbirth_date = 1982-09-03\nsex = "2"\nrelationship', 'name = "山田花子"\nkana = "ヤマダ　ハナコ"\nbirth_date = 1982-09-03\nsex = "2"\nrelationship', "household[0].member[1].name"),
        ('register_person = "hiroto"', 'register_person = "nobody"', "household[0].member[3].register_person"),
        ('seal = { text = "山田", registered_on = 2015-04-10 }', 'seal = { text = "山田", registered_on = 2015-04-10, size_mm = 30.0 }', "household[0].member[0].seal.size_mm"),
        ('formed_by = "婚姻"', 'formed_by = "養子縁組"', "register[0].formed_by"),
    ],
)  # fmt: skip
def test_malformed_specs_are_named(tmp_path: Path, old: str, new: str, field: str) -> None:
    assert old in TEXT, old
    with pytest.raises(WorldDataError) as caught:
        build(tmp_path, TEXT.replace(old, new, 1))
    assert caught.value.field == field
    assert caught.value.file.endswith("households.toml")


def test_a_persona_in_two_households_is_rejected(tmp_path: Path) -> None:
    text = TEXT.replace(
        'persona = "iphone"\nrelationship = "世帯主"',
        'persona = "android"\nrelationship = "世帯主"',
        1,
    )
    with pytest.raises(WorldDataError, match="persona|lives at"):
        build(tmp_path, text)
