"""Plain A4 slips the kiosk prints for the resident beside the certificates — the 本籍地 usage
registration's receipt with its application number (issue 14) — in any of the screen's
languages.

The certificates are set with reportlab in embedded TrueType fonts; reportlab cannot embed the
CFF outlines of Noto Sans CJK, the one family that covers every screen language (Japanese,
Chinese, Korean, Vietnamese). A slip is therefore set with Pillow (FreeType reads the
collection) into a 300-dpi greyscale image on an A4 page: a few lines of text, printed once,
never verified. The font is looked up by its family name in the Noto Sans CJK collections of
fonts-noto-cjk (Pillow searches the system font folders); ``KONBINI_FONT_DIR`` (a bundle's own
fonts) is searched first.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

__all__ = ["SlipFontError", "SlipText", "render_slip"]

A4_MM = (210.0, 297.0)
MM_PER_INCH = 25.4
POINTS_PER_INCH = 72.0
DPI = 300  # the printer's resolution (docs/security-printing.md); text stays crisp
MARGIN_MM = 20.0
LINE_SPACING = 1.45  # of the font size: a slip is read once, at arm's length
COLLECTIONS = {False: "NotoSansCJK-Regular.ttc", True: "NotoSansCJK-Bold.ttc"}
FACES_PER_COLLECTION = 8  # JP, KR, SC, TC, HK and the Mono faces
FONT_DIR_ENV = "KONBINI_FONT_DIR"
# A line may break after a space, or between two characters of a script written without spaces.
_NO_SPACE_SCRIPTS = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


class SlipFontError(RuntimeError):
    """The Noto Sans CJK family asked for is not installed (Debian: fonts-noto-cjk)."""


@dataclass(frozen=True)
class SlipText:
    """A paragraph of the slip: wrapped to the page width, in points, bold or not."""

    text: str
    size_pt: float = 11.0
    bold: bool = False
    space_before_mm: float = 2.0


def _px(mm: float) -> int:
    return round(mm / MM_PER_INCH * DPI)


@cache
def _font(family: str, bold: bool, size_px: int) -> ImageFont.FreeTypeFont:
    name = COLLECTIONS[bold]
    folder = os.environ.get(FONT_DIR_ENV)
    candidates = [str(Path(folder) / name)] if folder and (Path(folder) / name).is_file() else []
    candidates.append(name)
    for path in candidates:
        for index in range(FACES_PER_COLLECTION):
            try:
                font = ImageFont.truetype(path, size_px, index=index)
            except OSError:
                break  # no such file, or no more faces in it
            if font.getname()[0] == family:
                return font
    raise SlipFontError(f"font {family!r} not found in {name} (Debian: fonts-noto-cjk)")


def _wrap(text: str, font: ImageFont.FreeTypeFont, width_px: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for char in paragraph:
            candidate = line + char
            if font.getlength(candidate) <= width_px or not line:
                line = candidate
                continue
            cut = _break_at(line)
            lines.append(line[:cut].rstrip())
            line = (line[cut:] + char).lstrip()
        lines.append(line)
    return lines


def _break_at(line: str) -> int:
    """Where to end a full line: after its last space, or before its last character of a script
    written without spaces; else (one long word) at its end."""
    for index in range(len(line) - 1, 0, -1):
        if line[index - 1] == " ":
            return index
        if _NO_SPACE_SCRIPTS.match(line[index]) or _NO_SPACE_SCRIPTS.match(line[index - 1]):
            return index
    return len(line)


def render_slip(blocks: Sequence[SlipText], *, family: str, title: str) -> bytes:
    """One A4 portrait page with ``blocks`` from the top margin down, as a PDF.

    ``family`` is a Noto Sans CJK family (``Noto Sans CJK KR``: the glyph shapes of the
    reader's language); ``title`` goes into the PDF's metadata. Text that does not fit on the
    page is cut at the bottom margin (a slip has a few short paragraphs).
    """
    width_px, height_px = _px(A4_MM[0]), _px(A4_MM[1])
    page = Image.new("L", (width_px, height_px), 255)
    draw = ImageDraw.Draw(page)
    left, line_width = _px(MARGIN_MM), width_px - 2 * _px(MARGIN_MM)
    bottom = height_px - _px(MARGIN_MM)
    y = _px(MARGIN_MM)
    for block in blocks:
        size_px = round(block.size_pt / POINTS_PER_INCH * DPI)
        font = _font(family, block.bold, size_px)
        y += _px(block.space_before_mm)
        for line in _wrap(block.text, font, line_width):
            if y + size_px > bottom:
                break
            draw.text((left, y), line, font=font, fill=0)
            y += round(size_px * LINE_SPACING)
    out = io.BytesIO()
    points = (A4_MM[0] / MM_PER_INCH * POINTS_PER_INCH, A4_MM[1] / MM_PER_INCH * POINTS_PER_INCH)
    pdf = Canvas(out, pagesize=points, invariant=True)
    pdf.setTitle(title)
    pdf.drawImage(ImageReader(page), 0, 0, width=points[0], height=points[1])
    pdf.showPage()
    pdf.save()
    return out.getvalue()
