"""The kiosk's hardware layout (kiosk/hardware.py) and its place in the profile."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from kiosk.config import ConfigError, load_profile, parse_profile
from kiosk.hardware import DEFAULT_LAYOUT, HardwareLayout, Part, Place, Region

PROFILES = Path(__file__).resolve().parents[2] / "profiles"


@pytest.mark.parametrize(
    ("place", "region"),
    [
        (Place(0.66, 0.50, 0.26, 0.10), Region.RIGHT),
        (Place(0.0, 0.0, 0.1, 0.1), Region.TOP_LEFT),
        (Place(0.40, 0.82, 0.52, 0.10), Region.BOTTOM),
        (Place(0.9, 0.9, 0.1, 0.1), Region.BOTTOM_RIGHT),
        (Place(0.3, 0.3, 0.4, 0.4), Region.CENTRE),
    ],
)
def test_a_place_is_told_by_the_third_of_the_front_it_is_in(place: Place, region: Region) -> None:
    assert place.region is region


@pytest.mark.parametrize("values", [(0.5, 0.5, 0.6, 0.1), (-0.1, 0, 0.1, 0.1), (0, 0, 0, 0.1)])
def test_a_place_lies_within_the_front(values: tuple[float, ...]) -> None:
    with pytest.raises(ValueError, match="place"):
        Place(*values)


def test_a_part_is_placed_once() -> None:
    with pytest.raises(ValueError, match="once"):
        HardwareLayout(DEFAULT_LAYOUT.screen, DEFAULT_LAYOUT.parts[:1] * 2)


def _store(**hardware: Any) -> dict[str, Any]:
    data = tomllib.loads((PROFILES / "store.toml").read_text(encoding="utf-8"))
    data["hardware"] = hardware
    return data


def test_the_profiles_place_their_parts() -> None:
    store = load_profile(PROFILES / "store.toml").hardware
    assert {part for part, _place in store.parts} == set(Part)
    city = load_profile(PROFILES / "cityhall.toml")
    assert city.hardware.place(Part.COIN_SLOT) is None  # counter payment: no money slots
    assert city.flow_settings("b").hardware == city.hardware


@pytest.mark.parametrize(
    ("hardware", "message"),
    [
        ({"reader": [0.1, 0.1, 0.2, 0.1]}, "hardware.printer_tray: missing"),
        ({"printer_tray": [0.1, 0.8, 0.5, 0.1]}, "hardware.reader: missing"),
        (
            {"reader": [0.7, 0.5, 0.4, 0.1], "printer_tray": [0.1, 0.8, 0.5, 0.1]},
            "hardware.reader: a place lies within the front",
        ),
        (
            {"reader": "right", "printer_tray": [0.1, 0.8, 0.5, 0.1]},
            "hardware.reader: must be [x, y, width, height]",
        ),
        (
            {"reader": [0.7, 0.5, 0.2, 0.1], "printer_tray": [0.1, 0.8, 0.5, 0.1], "lamp": 1},
            "hardware.lamp: unknown key",
        ),
        (
            {"reader": [0.7, 0.5, 0.2, 0.1], "printer_tray": [0.1, 0.8, 0.5, 0.1]},
            "hardware.change_tray: missing (the kiosk gives change",
        ),
    ],
)
def test_bad_layouts_name_their_key(hardware: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_profile(_store(**hardware), base=PROFILES)
    assert message in str(raised.value)
