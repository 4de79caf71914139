"""Where the resident's parts of this kiosk are: the card reader, the coin and bill slots, the
change and return tray, the printer's output tray (issue 14: texts said 「所定の位置」「返却口」
「排出口」 beside a generic drawing).

The profile's ``[hardware]`` table places each part on the kiosk's front (docs/running.md,
"Hardware layout"); the screens draw that front with the part to use highlighted and name the part
with where it is (kiosk/hardware_names.py), and audio guidance says the same. Pure data: the flow
carries the layout in its settings, as it carries the hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Part(StrEnum):
    """A part of the kiosk the resident uses (the profile's key)."""

    READER = "reader"  # カード読取機
    COIN_SLOT = "coin_slot"  # 硬貨投入口
    BILL_SLOT = "bill_slot"  # 紙幣投入口
    CHANGE_TRAY = "change_tray"  # 釣銭・返却口: change, refunds and refused coins
    PRINTER_TRAY = "printer_tray"  # 排出口: the certificates and slips


class Region(StrEnum):
    """Where on the front a part's centre is, in thirds: what a resident is told."""

    TOP_LEFT = "top_left"
    TOP = "top"
    TOP_RIGHT = "top_right"
    LEFT = "left"
    CENTRE = "centre"
    RIGHT = "right"
    BOTTOM_LEFT = "bottom_left"
    BOTTOM = "bottom"
    BOTTOM_RIGHT = "bottom_right"


_REGIONS = (
    (Region.TOP_LEFT, Region.TOP, Region.TOP_RIGHT),
    (Region.LEFT, Region.CENTRE, Region.RIGHT),
    (Region.BOTTOM_LEFT, Region.BOTTOM, Region.BOTTOM_RIGHT),
)


@dataclass(frozen=True)
class Place:
    """A rectangle on the kiosk's front, as fractions of the front's width and height from its
    top left corner (0..1): ``Place(0.62, 0.52, 0.26, 0.10)``."""

    x: float
    y: float
    width: float
    height: float

    def __post_init__(self) -> None:
        values = (self.x, self.y, self.width, self.height)
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            raise ValueError("a place is four numbers")
        if self.width <= 0 or self.height <= 0:
            raise ValueError("a place has a width and a height")
        if self.x < 0 or self.y < 0 or self.x + self.width > 1 or self.y + self.height > 1:
            raise ValueError("a place lies within the front (0..1)")

    @property
    def region(self) -> Region:
        """The third of the front its centre is in, across and down."""
        column = min(2, int((self.x + self.width / 2) * 3))
        row = min(2, int((self.y + self.height / 2) * 3))
        return _REGIONS[row][column]


@dataclass(frozen=True)
class HardwareLayout:
    """The kiosk's front: the screen and the parts it has (a city-hall kiosk with counter
    payment has no slots)."""

    screen: Place
    parts: tuple[tuple[Part, Place], ...]

    def __post_init__(self) -> None:
        names = [part for part, _place in self.parts]
        if len(set(names)) != len(names):
            raise ValueError("each part is placed once")

    def place(self, part: Part) -> Place | None:
        return next((place for name, place in self.parts if name is part), None)


# A floor-standing store kiosk (a multi-copy machine's layout): the screen at the top, the card
# reader to its lower right, the money slots below the screen, the trays at the bottom.
DEFAULT_LAYOUT = HardwareLayout(
    screen=Place(0.08, 0.04, 0.84, 0.40),
    parts=(
        (Part.READER, Place(0.66, 0.50, 0.26, 0.10)),
        (Part.COIN_SLOT, Place(0.08, 0.50, 0.14, 0.06)),
        (Part.BILL_SLOT, Place(0.28, 0.50, 0.30, 0.06)),
        (Part.CHANGE_TRAY, Place(0.08, 0.66, 0.26, 0.10)),
        (Part.PRINTER_TRAY, Place(0.40, 0.82, 0.52, 0.10)),
    ),
)

__all__ = ["DEFAULT_LAYOUT", "HardwareLayout", "Part", "Place", "Region"]
