"""Where on the page the certificate is: the contract with the security printing.

Every page of every document is A4 portrait. Everything the renderer draws — text, rules, the
seals, the page number — lies inside :attr:`DocumentLayout.content`; the four margin bands
around it stay blank on the front PDF, for the security layer's serial number, fiducials and
whatever else it adds. The back side's scramble takes the content box (security-printing.md
§7.1: "crop margins").

Coordinates are millimetres with the origin at the **top-left** corner of the page and y
growing downwards, as in a raster of the page; :meth:`Box.to_pixels` converts for a raster at
a given resolution and :meth:`Box.to_pdf_points` for PDF user space (origin bottom-left).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["A4_LAYOUT", "Box", "DocumentLayout", "document_layout"]

MM_PER_INCH = 25.4
POINTS_PER_INCH = 72.0


@dataclass(frozen=True)
class Box:
    """A rectangle on the page, in mm from the top-left corner (y downwards)."""

    left_mm: float
    top_mm: float
    width_mm: float
    height_mm: float

    @property
    def right_mm(self) -> float:
        return self.left_mm + self.width_mm

    @property
    def bottom_mm(self) -> float:
        return self.top_mm + self.height_mm

    def contains(self, other: Box) -> bool:
        """Whether ``other`` lies entirely inside this box."""
        return (
            self.left_mm <= other.left_mm
            and self.top_mm <= other.top_mm
            and other.right_mm <= self.right_mm
            and other.bottom_mm <= self.bottom_mm
        )

    def to_pixels(self, dpi: float) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) pixel bounds in a raster of the page at ``dpi``, widened
        outwards to whole pixels so that nothing inside the box is cut (right/bottom exclusive,
        as PIL's ``crop`` takes them)."""
        scale = dpi / MM_PER_INCH
        return (
            math.floor(self.left_mm * scale),
            math.floor(self.top_mm * scale),
            math.ceil(self.right_mm * scale),
            math.ceil(self.bottom_mm * scale),
        )

    def to_pdf_points(self, page_height_mm: float) -> tuple[float, float, float, float]:
        """(x, y, width, height) in PDF points, origin at the bottom-left of the page."""
        k = POINTS_PER_INCH / MM_PER_INCH
        return (
            self.left_mm * k,
            (page_height_mm - self.bottom_mm) * k,
            self.width_mm * k,
            self.height_mm * k,
        )


@dataclass(frozen=True)
class DocumentLayout:
    """The page and its certificate-content box; the margins are the rest of the page.

    ``printable_inset_mm`` is how close to the paper's edge a kiosk printer can be assumed to
    print (A4 office printers: about 4 mm); marks in the margin bands should stay inside it.
    """

    page_width_mm: float
    page_height_mm: float
    content: Box
    printable_inset_mm: float = 4.0

    @property
    def page(self) -> Box:
        return Box(0.0, 0.0, self.page_width_mm, self.page_height_mm)

    @property
    def top_margin(self) -> Box:
        """The band above the content, full page width."""
        return Box(0.0, 0.0, self.page_width_mm, self.content.top_mm)

    @property
    def bottom_margin(self) -> Box:
        """The band below the content, full page width (the widest margin: for the serial)."""
        return Box(
            0.0,
            self.content.bottom_mm,
            self.page_width_mm,
            self.page_height_mm - self.content.bottom_mm,
        )

    @property
    def left_margin(self) -> Box:
        """The band left of the content, between the top and bottom bands."""
        return Box(0.0, self.content.top_mm, self.content.left_mm, self.content.height_mm)

    @property
    def right_margin(self) -> Box:
        """The band right of the content, between the top and bottom bands."""
        return Box(
            self.content.right_mm,
            self.content.top_mm,
            self.page_width_mm - self.content.right_mm,
            self.content.height_mm,
        )

    @property
    def margins(self) -> tuple[Box, Box, Box, Box]:
        """The free bands: top, bottom, left, right. They tile the page around the content."""
        return (self.top_margin, self.bottom_margin, self.left_margin, self.right_margin)


# A4 portrait (210 × 297 mm). 15 mm free at the top and sides, 20 mm at the bottom for the
# serial line and a row of fiducials.
A4_LAYOUT = DocumentLayout(
    page_width_mm=210.0,
    page_height_mm=297.0,
    content=Box(left_mm=15.0, top_mm=15.0, width_mm=180.0, height_mm=262.0),
)


def document_layout(doc: object | None = None) -> DocumentLayout:
    """The layout of every page of ``doc``. Today every certificate type uses
    :data:`A4_LAYOUT`; callers should still ask per document, so that a type with another
    layout can be added without changing them."""
    return A4_LAYOUT
