"""Ideographic variation sequences (IVS): a kanji with a variation selector is drawn with the
exact variant glyph from IPAmj明朝, and the text layer gives back the sequence."""

from __future__ import annotations

import dataclasses
import struct
from collections.abc import Callable

import numpy as np
import pytest
from doc_helpers import PdfText
from PIL import Image

from printing.certificates import JuminhyoOptions, Scope
from printing.documents import (
    JuminhyoCopy,
    MissingGlyphError,
    PersonName,
    SealImpression,
    canonical_text,
    render,
    samples,
)
from printing.documents._ivs import parse_variation_sequences, split_clusters
from printing.documents._text import wrap
from printing.documents.fonts import FALLBACK_FONT, drawable
from printing.documents.seals import _glyph, impression_image

KATSURA_HI = "葛\U000e0102"  # 葛 with ヒ at the bottom (IPAmj: Moji_Joho collection)
KATSURA_HITO = "葛\U000e0104"  # 葛 with 人 at the bottom
Pages = Callable[..., list[Image.Image]]


def _named(family: str) -> JuminhyoCopy:
    household = samples.yamada_household()
    head = dataclasses.replace(household.members[0], name=PersonName(family, "太郎"))
    household = dataclasses.replace(household, members=(head, *household.members[1:]))
    return samples.juminhyo(household, JuminhyoOptions(scope=Scope.SELF))


def test_split_clusters() -> None:
    assert list(split_clusters(f"{KATSURA_HI}城")) == [KATSURA_HI, "城"]
    assert list(split_clusters("神\ufe00社")) == ["神\ufe00", "社"]
    assert list(split_clusters("\U000e0100a")) == ["\U000e0100", "a"]  # a lone selector
    assert list(split_clusters("")) == []


def _cmap14(default: list[tuple[int, int, int]], non_default: list[tuple[int, int, int]]) -> bytes:
    """A cmap table with one format 14 subtable: default (selector, start, extra count) ranges
    and non-default (selector, base, glyph) mappings."""
    selectors = sorted({s for s, _, _ in default} | {s for s, _, _ in non_default})
    header_len = 10 + 11 * len(selectors)
    records, body = b"", b""
    for selector in selectors:
        ranges = [(start, extra) for s, start, extra in default if s == selector]
        maps = [(base, glyph) for s, base, glyph in non_default if s == selector]
        default_off = non_default_off = 0
        if ranges:
            default_off = header_len + len(body)
            body += struct.pack(">L", len(ranges))
            body += b"".join(start.to_bytes(3, "big") + bytes([extra]) for start, extra in ranges)
        if maps:
            non_default_off = header_len + len(body)
            body += struct.pack(">L", len(maps))
            body += b"".join(base.to_bytes(3, "big") + struct.pack(">H", g) for base, g in maps)
        records += selector.to_bytes(3, "big") + struct.pack(">LL", default_off, non_default_off)
    subtable = struct.pack(">HLL", 14, header_len + len(body), len(selectors)) + records + body
    return struct.pack(">HH", 0, 1) + struct.pack(">HHL", 0, 5, 12) + subtable


def test_parse_variation_sequences() -> None:
    table = _cmap14(
        default=[(0xE0100, 0x845B, 1)],  # 葛 and 葜 with VS17: their usual glyphs
        non_default=[(0xE0101, 0x845B, 700), (0xFE00, 0x795E, 42)],
    )
    assert parse_variation_sequences(table) == {
        (0x845B, 0xE0100): None,
        (0x845C, 0xE0100): None,
        (0x845B, 0xE0101): 700,
        (0x795E, 0xFE00): 42,
    }
    assert parse_variation_sequences(struct.pack(">HH", 0, 0)) == {}
    with pytest.raises(ValueError, match="malformed"):
        parse_variation_sequences(table[:-3])


def test_ipamj_sequences_are_drawable() -> None:
    assert drawable(KATSURA_HI) is not None
    assert drawable(KATSURA_HI)[0] == FALLBACK_FONT  # type: ignore[index]
    assert drawable(KATSURA_HI) != drawable(KATSURA_HITO)
    assert drawable("葛\U000e0100") is None  # Adobe-Japan1's sequence: not in IPAmj


def test_variant_text_layer_and_canonical_text(pdf_squashed: PdfText) -> None:
    doc = _named(f"{KATSURA_HI}城")
    assert f"{KATSURA_HI}城太郎" in pdf_squashed(render(doc))
    assert f"name={KATSURA_HI}城　太郎" in canonical_text(doc)  # NFC keeps the selector


def test_two_variants_print_differently_in_one_place(pdf_pages: Pages) -> None:
    hi = np.asarray(pdf_pages(render(_named(f"{KATSURA_HI}城")), dpi=200)[0]).astype(int)
    hito = np.asarray(pdf_pages(render(_named(f"{KATSURA_HITO}城")), dpi=200)[0]).astype(int)
    rows, cols = np.nonzero(np.abs(hi - hito) > 64)
    assert rows.size > 20  # the lower part of 葛 differs ...
    mm = 200 / 25.4
    assert (rows.max() - rows.min()) < 6 * mm  # ... within one character's box
    assert (cols.max() - cols.min()) < 6 * mm


def test_unknown_sequence_is_a_missing_glyph() -> None:
    with pytest.raises(MissingGlyphError) as info:
        render(_named("葛\U000e0100城"))
    assert info.value.code_point == 0xE0100
    assert info.value.field == "members[0].name"


def test_wrap_never_separates_a_selector() -> None:
    text = (KATSURA_HI + "城") * 40
    for width in (30.0, 55.5, 100.0):
        lines = wrap(text, width, 10.0)
        assert "".join(lines) == text
        for line in lines:
            assert not line.startswith("\U000e0102")


def test_seal_with_a_variant() -> None:
    """The seal draws the variant itself (through the shaping engine), not the base kanji."""
    size = 160
    hi = np.asarray(_glyph(KATSURA_HI, size).resize((size, size))) > 128
    hito = np.asarray(_glyph(KATSURA_HITO, size).resize((size, size))) > 128
    overlap = (hi & hito).sum() / (hi | hito).sum()
    assert 0.5 < overlap < 0.98  # the same kanji, a different lower part
    image = impression_image(SealImpression(f"{KATSURA_HI}城"))
    assert (np.asarray(image)[..., 3] > 128).mean() > 0.1
