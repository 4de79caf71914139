"""What every certificate composer shares: the printed facts, labels, dates, the closing.

A composer turns a document into a :class:`Composed`: the :class:`Composition` the engine
draws, and the ordered printed facts (key, text) that ``canonical_text`` serialises. Each fact
is recorded at the moment its text is put into a cell, so the canonical text and the page
cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from printing.documents._engine import MM, Align, Cell, Composition, Overlay, Para, Picture, Row
from printing.documents.common import Issuer
from printing.documents.fonts import require_glyphs
from printing.documents.layout import A4_LAYOUT
from printing.documents.seals import OFFICIAL_SEAL_MM, official_seal_image
from printing.jpdates import (
    format_dual_date,
    format_era_date,
    format_western_date,
    to_fullwidth,
)

CONTENT_WIDTH = A4_LAYOUT.content.width_mm * MM
LABEL_SIZE = 9.5
VALUE_SIZE = 10.5
SMALL_SIZE = 8.0


@dataclass(frozen=True)
class Fact:
    """One printed, certified fact: a stable key (e.g. ``members[1].name``) and its text."""

    key: str
    text: str


@dataclass
class Facts:
    """The ordered facts of one document, recorded as they are put on the page."""

    items: list[Fact] = field(default_factory=list)

    def add(self, key: str, text: str) -> str:
        """Record ``text`` under ``key`` and return it, for use in a cell. The text's glyphs
        are checked here, so a missing glyph is reported with the field that has it."""
        require_glyphs(key, text)
        self.items.append(Fact(key, text))
        return text


@dataclass
class Composed:
    """A composed certificate: what to draw and what it certifies."""

    composition: Composition
    facts: Facts
    certification: str
    issue_date_text: str


def registry(text: str) -> str:
    """Registry text as printed: ASCII letters, digits and spaces in full-width form."""
    return to_fullwidth(text)


def era(d: date) -> str:
    """An era date as certificates print it: 「令和６年１２月３日」."""
    return format_era_date(d)


def birth(d: date, *, foreign: bool = False) -> str:
    """A birth date: era form with 生 for residents of Japanese nationality, Gregorian for
    foreign residents (their registry keeps 西暦)."""
    return f"{format_western_date(d)}生" if foreign else f"{format_era_date(d)}生"


def label(width_mm: float, text: str, size: float = LABEL_SIZE) -> Cell:
    """A label cell, its text spread over the width as form labels are (均等割り付け)."""
    align: Align = "spread" if len(text) <= 5 and width_mm <= 27 else "center"
    return Cell(width_mm * MM, (Para(text, size, align),), pad_x=2.2 * MM)


def value(
    width_mm: float,
    text: str,
    size: float = VALUE_SIZE,
    align: Align = "left",
    border: bool = True,
) -> Cell:
    """A value cell, left aligned, wrapping."""
    return Cell(width_mm * MM, (Para(text, size, align),), border=border)


def text_row(
    text: str, size: float = VALUE_SIZE, align: Align = "left", indent_mm: float = 0
) -> Row:
    """A borderless full-width line of text (wrapped)."""
    cells: list[Cell] = []
    if indent_mm:
        cells.append(Cell(indent_mm * MM, border=False))
    cells.append(Cell(CONTENT_WIDTH - indent_mm * MM, (Para(text, size, align),), border=False))
    return Row(tuple(cells))


def closing_rows(
    facts: Facts,
    issuer: Issuer,
    certification: str,
    issue_date_text: str,
    notes: tuple[str, ...] = (),
) -> list[Row]:
    """Notes, the certification sentence, the issue date, the head's name under the official
    seal (stamped over the end of the name, as on real certificates)."""
    rows: list[Row] = []
    for i, note in enumerate(notes):
        rows.append(text_row(facts.add(f"notes[{i}]", note), SMALL_SIZE + 1))
    rows.append(Row((Cell(CONTENT_WIDTH, border=False),), min_height=3 * MM))
    rows.append(text_row(facts.add("certification", certification), 11.5, indent_mm=6))
    rows.append(Row((Cell(CONTENT_WIDTH, border=False),), min_height=2 * MM))
    rows.append(text_row(facts.add("issued_on", issue_date_text), 11.5, indent_mm=20))
    facts.add("issuer.municipality_code", issuer.municipality_code)
    head_line = facts.add("issuer", issuer.head_line)
    legend = facts.add("issuer.seal", issuer.seal_legend)
    seal_mm = OFFICIAL_SEAL_MM
    seal = Picture(official_seal_image(legend, seal_mm), seal_mm * MM, seal_mm * MM)
    # The seal is stamped over the end of the name: about half a character of overlap.
    text_width = CONTENT_WIDTH - (seal_mm - 4) * MM
    rows.append(
        Row(
            (
                Cell(text_width, (Para(head_line, 13.0, "right"),), border=False),
                Cell(CONTENT_WIDTH - text_width, border=False),
            ),
            min_height=seal_mm * MM + 2 * MM,
            overlays=(Overlay(seal, CONTENT_WIDTH - seal_mm * MM, 1 * MM),),
        )
    )
    return rows


def dual_date(d: date) -> str:
    """The issue date of 住民票, 印鑑 and tax certificates: 「２０２４年（令和６年）１２月３日」."""
    return format_dual_date(d)


def make_composition(
    title: str, header: list[Row], document_number: str, corner_label: str = ""
) -> Composition:
    """An empty composition with its frame; the composer fills ``body`` and ``closing``."""
    return Composition(
        title=title,
        header=header,
        body=[],
        closing=[],
        document_number=document_number,
        corner_label=corner_label,
    )
