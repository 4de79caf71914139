"""The kiosk's parts as residents are told of them: the part's name and where it is on this
kiosk (kiosk/hardware.py), translated — 「カード読取機（端末の右側）」, "card reader (right
of the kiosk)". Shown on the screens and said by audio guidance."""

from __future__ import annotations

from kiosk.hardware import HardwareLayout, Part, Region
from kiosk.i18n import N_, _

PART_NAMES: dict[Part, str] = {
    Part.READER: N_("card reader"),
    Part.COIN_SLOT: N_("coin slot"),
    Part.BILL_SLOT: N_("bill slot"),
    Part.CHANGE_TRAY: N_("change and return tray"),
    Part.PRINTER_TRAY: N_("printer output tray"),
}

REGION_NAMES: dict[Region, str] = {
    Region.TOP_LEFT: N_("top left"),
    Region.TOP: N_("top"),
    Region.TOP_RIGHT: N_("top right"),
    Region.LEFT: N_("left"),
    Region.CENTRE: N_("middle"),
    Region.RIGHT: N_("right"),
    Region.BOTTOM_LEFT: N_("bottom left"),
    Region.BOTTOM: N_("bottom"),
    Region.BOTTOM_RIGHT: N_("bottom right"),
}


def part_name(part: Part) -> str:
    """The part's name alone, translated (a label on the diagram)."""
    return _(PART_NAMES[part])


def part_phrase(part: Part, layout: HardwareLayout) -> str:
    """The part and where it is, to use inside a sentence; the name alone when the profile
    does not place it."""
    place = layout.place(part)
    if place is None:
        return part_name(part)
    return _("{part} ({where} of the kiosk)").format(
        part=part_name(part), where=_(REGION_NAMES[place.region])
    )


__all__ = ["PART_NAMES", "REGION_NAMES", "part_name", "part_phrase"]
