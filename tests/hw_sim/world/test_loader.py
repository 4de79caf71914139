"""Malformed municipality files are rejected with an error naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from hw_sim.world import WorldDataError, load_municipalities, load_municipality
from hw_sim.world.loader import MUNICIPALITY_DIR

TAX = "tax_years = 5\n\n[certificates.tax_payment]"
HONSEKI = 'kinds = ["koseki", "koseki_fuhyo"]\nregistration'
NERIMA = (MUNICIPALITY_DIR / "131202.toml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str, name: str = "131202.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_file_loads(tmp_path: Path) -> None:
    municipality = load_municipality(write(tmp_path, NERIMA))
    assert municipality.name == "練馬区"
    assert municipality.honseki_service


@pytest.mark.parametrize(
    ("old", "new", "field", "problem"),
    [
        ('code = "131202"', 'code = "131203"', "code", "check digit"),
        ('prefecture = "東京都"', 'prefecture = "大阪府"', "prefecture", "does not match"),
        ("fee = 150\ncounter_fee = 300\nscopes", "fee = 400\ncounter_fee = 300\nscopes",
         "certificates.juminhyo.fee", "above the counter fee"),
        ("fee = 150\ncounter_fee = 300\nscopes", 'fee = "150"\ncounter_fee = 300\nscopes',
         "certificates.juminhyo.fee", "expected an integer"),
        (TAX, TAX.replace("\n\n", '\nhours = ["05:00", "23:00"]\n\n'),
         "certificates.tax_income.hours", "inside 06:30–23:00"),
        ("excludes_under_15 = false", "excludes_under_15 = false\nexclude_under_15 = true",
         "exclude_under_15", "unknown field"),
        ('weekday = "wed"', 'weekday = "wednesday"', "maintenance[0].weekday", "expected one of"),
        ("nth = 2", "nth = 6", "maintenance[0].nth", "1–5"),
        (HONSEKI, HONSEKI.replace("koseki_fuhyo", "tax_income"),
         "honseki_service.kinds[1]", "not a 戸籍/附票 kind"),
        ('[mayor]\ntitle = "練馬区長"', '[mayor]\ntitle = ""', "mayor.title", "must not be empty"),
        ("participates = true", "participates = 1", "participates", "expected true or false"),
    ],
)  # fmt: skip
def test_malformed_fields_are_named(
    tmp_path: Path, old: str, new: str, field: str, problem: str
) -> None:
    assert old in NERIMA, old
    path = write(tmp_path, NERIMA.replace(old, new, 1))
    with pytest.raises(WorldDataError) as caught:
        load_municipality(path)
    assert caught.value.field == field
    assert problem in caught.value.problem
    assert str(path) in str(caught.value)


def test_a_municipality_without_juminhyo_is_rejected(tmp_path: Path) -> None:
    start = NERIMA.index("[certificates.juminhyo]")
    end = NERIMA.index("[certificates.kisai_jiko]")
    path = write(tmp_path, NERIMA[:start] + NERIMA[end:])
    with pytest.raises(
        WorldDataError, match="certificates: a participating municipality offers juminhyo"
    ):
        load_municipality(path)


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, NERIMA + "\n[certificates\n")
    with pytest.raises(WorldDataError, match=r"131202\.toml: not valid TOML"):
        load_municipality(path)


def test_file_name_must_be_the_code(tmp_path: Path) -> None:
    path = write(tmp_path, NERIMA, name="nerima.toml")
    with pytest.raises(WorldDataError, match="does not match the file name"):
        load_municipality(path)


def test_an_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(WorldDataError, match="no municipality files"):
        load_municipalities(tmp_path)


def test_maintenance_window_end_before_start(tmp_path: Path) -> None:
    text = NERIMA.replace('start = "06:30"\nend = "08:00"', 'start = "08:00"\nend = "06:30"', 1)
    with pytest.raises(WorldDataError, match=r"maintenance\[0\]\.end: must be after start"):
        load_municipality(write(tmp_path, text))
