"""Ideographic variation sequences: reading a font's cmap format 14 and splitting text into
clusters (a base character with its variation selector).

A name in the register may need one exact glyph variant of a kanji (e.g. 葛 with a 匕 or with a
人 at the bottom). Unicode encodes it as the base character followed by a variation selector
(IVS, U+E0100–U+E01EF; the standardized ones U+FE00–U+FE0F); IPAmj明朝 maps 11,000+ such
sequences to their glyphs in its cmap subtable format 14 (OpenType spec, "cmap — Format 14:
Unicode Variation Sequences").
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

__all__ = ["is_variation_selector", "parse_variation_sequences", "split_clusters"]


def is_variation_selector(ch: str) -> bool:
    """U+FE00–U+FE0F (VS1–16) or U+E0100–U+E01EF (VS17–256)."""
    cp = ord(ch)
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def split_clusters(text: str) -> Iterator[str]:
    """The characters of ``text``, each with the variation selectors that follow it."""
    cluster = ""
    for ch in text:
        if cluster and is_variation_selector(ch):
            cluster += ch
            continue
        if cluster:
            yield cluster
        cluster = ch
    if cluster:
        yield cluster


def parse_variation_sequences(cmap_table: bytes) -> dict[tuple[int, int], int | None]:
    """{(base, selector): glyph id} of the font's Unicode Variation Sequences.

    Non-default sequences map to their own glyph id; default ones (the base's usual glyph) map
    to None. Returns {} when the font has no format 14 subtable. Raises ``ValueError`` on a
    truncated table.
    """
    try:
        return _parse(memoryview(cmap_table))
    except (struct.error, IndexError) as exc:
        raise ValueError(f"malformed cmap format 14: {exc}") from exc


def _uint24(data: memoryview, pos: int) -> int:
    return int.from_bytes(data[pos : pos + 3], "big")


def _parse(cmap: memoryview) -> dict[tuple[int, int], int | None]:
    sequences: dict[tuple[int, int], int | None] = {}
    _version, n_tables = struct.unpack_from(">HH", cmap, 0)
    for i in range(n_tables):
        platform, encoding, offset = struct.unpack_from(">HHL", cmap, 4 + 8 * i)
        if (platform, encoding) != (0, 5):  # Unicode, Variation Sequences
            continue
        if struct.unpack_from(">H", cmap, offset)[0] != 14:
            continue
        n_records = struct.unpack_from(">L", cmap, offset + 6)[0]
        for r in range(n_records):
            record = offset + 10 + 11 * r
            selector = _uint24(cmap, record)
            default_off, non_default_off = struct.unpack_from(">LL", cmap, record + 3)
            if default_off:
                ranges = offset + default_off
                for k in range(struct.unpack_from(">L", cmap, ranges)[0]):
                    start = _uint24(cmap, ranges + 4 + 4 * k)
                    for base in range(start, start + cmap[ranges + 7 + 4 * k] + 1):
                        sequences[(base, selector)] = None
            if non_default_off:
                mappings = offset + non_default_off
                for k in range(struct.unpack_from(">L", cmap, mappings)[0]):
                    base = _uint24(cmap, mappings + 4 + 5 * k)
                    glyph = struct.unpack_from(">H", cmap, mappings + 7 + 5 * k)[0]
                    sequences[(base, selector)] = glyph
    return sequences
