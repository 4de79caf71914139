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


SISTER = (
    'name = "山田　花子"\nkana = "ヤマダ　ハナコ"\nbirth_date = 1982-09-03\nsex = "2"\nrelationship'
)
SEAL = 'seal = { text = "山田", registered_on = 2015-04-10'
CASES = [
    ('persona = "normal"\nrelationship', 'persona = "nobody"\nrelationship', "member[0].persona"),
    (
        'municipality = "131202"\naddress_since',
        'municipality = "999999"\naddress_since',
        "municipality",
    ),
    ('sex = "2"\nrelationship = "妻"', 'sex = "F"\nrelationship = "妻"', "member[1].sex"),
    (SISTER, SISTER.replace("山田　花子", "山田花子"), "member[1].name"),
    ('register_person = "hiroto"', 'register_person = "nobody"', "member[3].register_person"),
    (SEAL + " }", SEAL + ", size_mm = 30.0 }", "member[0].seal.size_mm"),
    ('formed_by = "婚姻"', 'formed_by = "養子縁組"', "register[0].formed_by"),
]


@pytest.mark.parametrize(("old", "new", "field"), CASES)
def test_malformed_specs_are_named(tmp_path: Path, old: str, new: str, field: str) -> None:
    assert old in TEXT, old
    with pytest.raises(WorldDataError) as caught:
        build(tmp_path, TEXT.replace(old, new, 1))
    expected = field if field.startswith("register") else f"household[0].{field}"
    assert caught.value.field == expected
    assert caught.value.file.endswith("households.toml")


def test_a_persona_in_two_households_is_rejected(tmp_path: Path) -> None:
    text = TEXT.replace(
        'persona = "iphone"\nrelationship = "世帯主"',
        'persona = "android"\nrelationship = "世帯主"',
        1,
    )
    with pytest.raises(WorldDataError, match=r"persona|lives at"):
        build(tmp_path, text)
