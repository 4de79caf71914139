"""The page engine: form rows made of cells, blocks that flow over pages, the page frame.

Each certificate type composes a :class:`Composition` (title, per-page header rows, body blocks,
closing rows); :func:`render_composition` lays it out on A4 pages inside the content box of
:mod:`printing.documents.layout`, repeating the header on every page, numbering the pages
(１／２) and ending the body with 以下余白, then draws it with reportlab. Layout runs first and
completely, so the page count is known before the first page is drawn.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass, field
from typing import Literal

from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from printing.documents._text import draw_aligned, wrap
from printing.documents.errors import LayoutError
from printing.documents.fonts import TEXT_FONT, ensure_registered
from printing.documents.layout import MM_PER_INCH, POINTS_PER_INCH, DocumentLayout
from printing.jpdates import fullwidth_digits

MM = POINTS_PER_INCH / MM_PER_INCH  # points per millimetre

Align = Literal["left", "right", "center", "spread"]

LINE_WIDTH = 0.6  # pt: the rules of the form
LINE_SPACING = 1.35  # line height as a multiple of the font size
CELL_PAD_X = 1.6 * MM
CELL_PAD_Y = 1.0 * MM
BODY_GAP = 2.0 * MM  # between body blocks
FOOTER_HEIGHT = 7.0 * MM  # document number and page x/y, at the bottom of every page
PRODUCER = "konbini-kiosk printing.documents"
# No certificate printed at a kiosk runs this long (a 戸籍 of 40 persons takes about 12 pages);
# more means malformed data, refused instead of a print job that empties the paper tray.
MAX_PAGES = 50
_SUBSET_LOCK = threading.Lock()


@dataclass(frozen=True)
class Para:
    """A paragraph in a cell: wrapped to the cell's width."""

    text: str
    size: float = 10.0
    align: Align = "left"


@dataclass(frozen=True)
class Picture:
    """An image placed in a cell (or over a row) at a fixed size in points."""

    image: Image.Image
    width: float
    height: float


@dataclass(frozen=True)
class Cell:
    """One cell of a row: paragraphs (or a picture), its width in points and its frame."""

    width: float
    paras: tuple[Para, ...] = ()
    picture: Picture | None = None
    border: bool = True
    valign: Literal["top", "middle"] = "middle"
    pad_x: float = CELL_PAD_X
    rows: tuple[Row, ...] = ()  # a nested table filling the cell (its widths sum to ours)


@dataclass(frozen=True)
class Overlay:
    """A picture drawn behind a row's text, at an offset from the row's top-left corner."""

    picture: Picture
    dx: float
    dy: float


@dataclass
class Row:
    """Cells side by side; the row is as tall as its tallest cell (or ``min_height``)."""

    cells: tuple[Cell, ...]
    min_height: float = 0.0
    overlays: tuple[Overlay, ...] = ()
    rule_above: bool = False  # a horizontal rule over the full row width (section start)
    keep_with_next: bool = False  # never the last row of a page when a row of its block follows
    _lines: list[list[list[str]]] = field(default_factory=list, repr=False)
    _height: float | None = field(default=None, repr=False)

    def height(self) -> float:
        if self._height is None:
            self._lines = []
            tallest = 0.0
            for cell in self.cells:
                inner = cell.width - 2 * cell.pad_x
                cell_lines = [wrap(p.text, inner, p.size) for p in cell.paras]
                self._lines.append(cell_lines)
                text_h = sum(
                    len(lines) * p.size * LINE_SPACING
                    for lines, p in zip(cell_lines, cell.paras, strict=True)
                )
                pic_h = cell.picture.height if cell.picture else 0.0
                tallest = max(tallest, max(text_h, pic_h) + 2 * CELL_PAD_Y)
                if cell.rows:
                    tallest = max(tallest, sum(r.height() for r in cell.rows))
            self._height = max(tallest, self.min_height)
        return self._height

    def draw(self, canvas: Canvas, x: float, top: float) -> None:
        """Draw with the row's top-left corner at (x, top) in PDF points (y up)."""
        height = self.height()
        for overlay in self.overlays:
            _draw_picture(
                canvas,
                overlay.picture,
                x + overlay.dx,
                top - overlay.dy - overlay.picture.height,
            )
        if self.rule_above:
            canvas.line(x, top, x + sum(c.width for c in self.cells), top)
        cursor = x
        for cell, cell_lines in zip(self.cells, self._lines, strict=True):
            if cell.rows:
                _draw_nested(canvas, cell.rows, cursor, top, height)
            if cell.border:
                canvas.rect(cursor, top - height, cell.width, height, stroke=1, fill=0)
            content_h = sum(
                len(lines) * p.size * LINE_SPACING
                for lines, p in zip(cell_lines, cell.paras, strict=True)
            )
            if cell.picture is not None:
                pic = cell.picture
                _draw_picture(
                    canvas,
                    pic,
                    cursor + (cell.width - pic.width) / 2,
                    top - (height + pic.height) / 2,
                )
            y = top - CELL_PAD_Y
            if cell.valign == "middle":
                y = top - (height - content_h) / 2
            for lines, para in zip(cell_lines, cell.paras, strict=True):
                for line in lines:
                    leading = para.size * LINE_SPACING
                    baseline = y - leading + (leading - para.size) / 2 + para.size * 0.12
                    draw_aligned(
                        canvas,
                        cursor + cell.pad_x,
                        baseline,
                        cell.width - 2 * cell.pad_x,
                        line,
                        para.size,
                        para.align,
                    )
                    y -= leading
            cursor += cell.width


def _draw_nested(
    canvas: Canvas, rows: tuple[Row, ...], x: float, top: float, height: float
) -> None:
    """A nested table; its last row is stretched to fill the cell's height."""
    nested_h = sum(r.height() for r in rows)
    if nested_h < height:
        rows[-1]._height = rows[-1].height() + height - nested_h
    for row in rows:
        row.draw(canvas, x, top)
        top -= row.height()


def _draw_picture(canvas: Canvas, picture: Picture, x: float, y: float) -> None:
    canvas.drawImage(ImageReader(picture.image), x, y, picture.width, picture.height, mask="auto")


@dataclass
class Block:
    """Rows that belong together (one member, one table). ``keep_together`` moves the block
    to the next page when it does not fit; a block taller than a page is split between rows."""

    rows: list[Row]
    keep_together: bool = True
    gap_before: float = BODY_GAP

    def height(self) -> float:
        return sum(r.height() for r in self.rows)


@dataclass
class Composition:
    """What a certificate type hands to the engine."""

    title: str
    header: list[Row]  # under the title, on every page
    body: list[Block]
    closing: list[Row]  # after 以下余白, on the last page: certification, date, issuer, seal
    document_number: str
    corner_label: str = ""  # printed top-left on every page, e.g. 全部事項証明
    title_size: float = 16.0
    show_title: bool = True  # the computerised 戸籍 has no title line, only the corner label
    header_gap: float = BODY_GAP  # 0 when the header ends in a table's column headings


@dataclass
class _Placed:
    rows: list[tuple[Row, float]] = field(default_factory=list)  # (row, top offset from body top)


def _title_row(comp: Composition, width: float) -> Row:
    if not comp.show_title:
        return Row((Cell(width, border=False),), min_height=6 * MM)
    # Titles are letter-spaced (住　民　票　の　写　し): spread over ~1.7 em per character.
    title_width = min(width, len(comp.title) * comp.title_size * 1.7)
    side = (width - title_width) / 2
    return Row(
        (
            Cell(side, border=False),
            Cell(title_width, (Para(comp.title, comp.title_size, "spread"),), border=False),
            Cell(side, border=False),
        )
    )


def _end_row(width: float) -> Row:
    return Row((Cell(width, (Para("以下余白", 10.0, "right"),), border=False),))


def _paginate(comp: Composition, width: float, body_height: float) -> list[_Placed]:
    pages = [_Placed()]
    used = 0.0

    def new_page() -> None:
        nonlocal used
        if len(pages) >= MAX_PAGES:
            raise LayoutError(f"the certificate would run over {MAX_PAGES} pages")
        pages.append(_Placed())
        used = 0.0

    def place(row: Row) -> None:
        nonlocal used
        if row.height() > body_height:
            raise LayoutError("a row of the certificate is taller than a page")
        pages[-1].rows.append((row, used))
        used += row.height()

    for block in comp.body:
        gap = block.gap_before if pages[-1].rows else 0.0
        height = block.height()
        overflows = used + gap + height > body_height and bool(pages[-1].rows)
        if overflows and block.keep_together and height <= body_height:
            new_page()
            gap = 0.0
        used += gap
        for i, row in enumerate(block.rows):
            need = row.height()
            if row.keep_with_next and i + 1 < len(block.rows):
                need += block.rows[i + 1].height()
            if used + need > body_height and pages[-1].rows:
                new_page()
            place(row)
    end = _end_row(width)
    closing_height = sum(r.height() for r in comp.closing) + BODY_GAP
    if used + end.height() > body_height:
        new_page()
    place(end)
    if used + closing_height > body_height:
        new_page()
    used += BODY_GAP
    for row in comp.closing:
        place(row)
    return pages


def render_composition(comp: Composition, layout: DocumentLayout) -> tuple[bytes, int]:
    """Lay out and draw ``comp``; returns the PDF and its page count. Deterministic: the same
    composition gives the same bytes."""
    ensure_registered()
    page_w = layout.page_width_mm * MM
    page_h = layout.page_height_mm * MM
    x0, y0, width, height = layout.content.to_pdf_points(layout.page_height_mm)
    top = y0 + height
    title = _title_row(comp, width)
    header_height = title.height() + sum(r.height() for r in comp.header) + comp.header_gap
    body_height = height - header_height - FOOTER_HEIGHT
    pages = _paginate(comp, width, body_height)

    buffer = io.BytesIO()
    # invariant=1: fixed creation date and document ID, so equal input gives equal bytes.
    canvas = Canvas(
        buffer,
        pagesize=(page_w, page_h),
        invariant=1,
        initialFontName=TEXT_FONT,  # never the non-embedded Helvetica default
        pageCompression=1,
    )
    canvas.setTitle(comp.title)
    canvas.setAuthor("")
    canvas.setSubject("")
    canvas.setCreator(PRODUCER)
    canvas.setProducer(PRODUCER)
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        canvas.setLineWidth(LINE_WIDTH)
        canvas.setStrokeColorRGB(0, 0, 0)
        canvas.setFillColorRGB(0, 0, 0)
        cursor = top
        title.draw(canvas, x0, cursor)
        if comp.corner_label:
            draw_aligned(canvas, x0, top - 12, width, comp.corner_label, 9.0, "left")
        page_text = f"（{fullwidth_digits(number)}／{fullwidth_digits(total)}）"
        draw_aligned(canvas, x0, top - 12, width, page_text, 9.0, "right")
        cursor -= title.height()
        for row in comp.header:
            row.draw(canvas, x0, cursor)
            cursor -= row.height()
        body_top = cursor - comp.header_gap
        for row, offset in page.rows:
            row.draw(canvas, x0, body_top - offset)
        # No 発行番号 here: the kiosk prints one number per copy, the serial (the document
        # number and the copy), in the bottom margin (printing/security/decorations.py).
        canvas.showPage()
    # Saving subsets the fonts; reportlab's font reader keeps one file cursor per face
    # (seek, then read), shared by every document, so two saves must not interleave.
    with _SUBSET_LOCK:
        canvas.save()
    return buffer.getvalue(), total
