"""The embedded Mincho fonts and the per-character choice between them.

Text is set in IPAex明朝 (ipaexm.ttf, ~12,000 characters: JIS X 0208 and part of X 0213); a
character it lacks is taken from IPAmj明朝 (ipamjm.ttf, the font of the 文字情報基盤, ~58,000
kanji with their variants, e.g. 𠮷 U+20BB7), and so is every ideographic variation sequence
(a kanji followed by a variation selector, e.g. 葛 U+845B U+E0102) that IPAmj's cmap format 14
maps to a glyph. A character (or sequence) neither has is a :class:`MissingGlyphError` raised
before anything is drawn. Both fonts are TrueType and embedded
as subsets by reportlab; the built-in CID fonts (HeiseiMin-W3) are never used: they are not
embedded (real-stack.md, "PDF").

The font files are looked up at the Debian paths (fonts-ipaexfont-mincho, fonts-ipamj-mincho) or
in the folder named by the environment variable ``KONBINI_FONT_DIR`` (a packaged kiosk or
server bundles them there).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics, ttfonts

from printing.documents._ivs import parse_variation_sequences, split_clusters
from printing.documents.errors import DocumentError, MissingGlyphError

__all__ = [
    "FALLBACK_FONT",
    "TEXT_FONT",
    "FontUnavailableError",
    "drawable",
    "font_for",
    "require_glyphs",
    "runs",
    "string_width",
]

TEXT_FONT = "IPAexMincho"
FALLBACK_FONT = "IPAmjMincho"

_FONT_FILES = {
    TEXT_FONT: ("ipaexm.ttf", Path("/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf")),
    FALLBACK_FONT: ("ipamjm.ttf", Path("/usr/share/fonts/truetype/ipamj/ipamjm.ttf")),
}
FONT_DIR_ENV = "KONBINI_FONT_DIR"

# Characters that are layout, not glyphs: never looked up in a font.
_NO_GLYPH_NEEDED = frozenset("\n")


class FontUnavailableError(DocumentError):
    """A font file is missing or unreadable: the documents cannot be rendered at all."""


@dataclass(frozen=True)
class _Fonts:
    text: ttfonts.TTFont
    fallback: ttfonts.TTFont
    text_cmap: dict[int, int]
    fallback_cmap: dict[int, int]
    variants: dict[str, str]  # base + selector → the private-use character drawing its glyph


_lock = threading.Lock()
_loaded: _Fonts | None = None


def font_path(name: str) -> Path:
    """Where the font ``name`` (TEXT_FONT or FALLBACK_FONT) is read from."""
    file_name, debian_path = _FONT_FILES[name]
    folder = os.environ.get(FONT_DIR_ENV)
    return Path(folder) / file_name if folder else debian_path


def _fonts() -> _Fonts:
    """Load and register both fonts once per process (reportlab's registry is global)."""
    global _loaded
    if _loaded is not None:
        return _loaded
    with _lock:
        if _loaded is None:
            _install_tounicode_map()
            faces: list[ttfonts.TTFont] = []
            for name in (TEXT_FONT, FALLBACK_FONT):
                path = font_path(name)
                try:
                    font = ttfonts.TTFont(name, str(path))
                except (OSError, ttfonts.TTFError) as exc:
                    raise FontUnavailableError(f"cannot load {name} from {path}: {exc}") from exc
                _window_glyph_table(font)
                pdfmetrics.registerFont(font)
                faces.append(font)
            variants = _install_variants(faces[1])
            _loaded = _Fonts(
                text=faces[0],
                fallback=faces[1],
                text_cmap=faces[0].face.charToGlyph,
                fallback_cmap=faces[1].face.charToGlyph,
                variants=variants,
            )
    return _loaded


def ensure_registered() -> None:
    """Register the fonts with reportlab (idempotent); raises FontUnavailableError."""
    _fonts()


def font_for(ch: str) -> str | None:
    """The font that draws ``ch``: TEXT_FONT when it has the glyph, else FALLBACK_FONT when
    that has it, else None."""
    fonts = _fonts()
    cp = ord(ch)
    if cp in fonts.text_cmap:
        return TEXT_FONT
    if cp in fonts.fallback_cmap:
        return FALLBACK_FONT
    return None


def drawable(cluster: str) -> tuple[str, str] | None:
    """(font, text to draw) for one cluster of :func:`split_clusters`, or None when no font
    has it. A variation sequence (base + selector) IPAmj明朝 knows is drawn from IPAmj as the
    private-use character that stands for its glyph (see :func:`_install_variants`)."""
    if len(cluster) == 1:
        font = font_for(cluster)
        return (font, cluster) if font else None
    variant = _fonts().variants.get(cluster)
    return (FALLBACK_FONT, variant) if variant else None


def require_glyphs(field: str, text: str) -> None:
    """Raise :class:`MissingGlyphError` for the first character (or variation sequence) of
    ``text`` no font has; for an unknown sequence the code point is its selector's."""
    for cluster in split_clusters(text):
        if cluster in _NO_GLYPH_NEEDED or drawable(cluster) is not None:
            continue
        missing = cluster[0] if font_for(cluster[0]) is None else cluster[-1]
        raise MissingGlyphError(field, ord(missing))


def runs(text: str) -> Iterator[tuple[str, str]]:
    """Split ``text`` into (font name, string to draw) runs, each drawable in one font."""
    current: str | None = None
    parts: list[str] = []
    for cluster in split_clusters(text):
        found = drawable(cluster)
        if found is None:
            require_glyphs("text", cluster)  # raises with the right code point
            raise MissingGlyphError("text", ord(cluster[0]))  # pragma: no cover - unreachable
        font, draw = found
        if font != current:
            if current is not None:
                yield current, "".join(parts)
            current, parts = font, []
        parts.append(draw)
    if current is not None:
        yield current, "".join(parts)


def string_width(text: str, size: float) -> float:
    """The advance width of ``text`` in points at ``size``, across both fonts."""
    return float(sum(pdfmetrics.stringWidth(part, font, size) for font, part in runs(text)))


class _TableWindow:
    """A font table as a window on the font file's bytes: slicing copies only the slice."""

    def __init__(self, data: bytes, start: int, length: int) -> None:
        self._data = data
        self._start = start
        self._length = length

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: slice) -> bytes:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("a font table window takes contiguous slices only")
        start, stop, _ = index.indices(self._length)
        return self._data[self._start + start : self._start + stop]


def _window_glyph_table(font: ttfonts.TTFont) -> None:
    """Serve the font's 'glyf' table as a window instead of a copy.

    reportlab's subsetter calls ``get_table('glyf')`` for every subset of every document and
    only slices single glyphs out of it; each call copied the whole table out of the font
    file's bytes: ~6 MB for IPAex明朝 and ~40 MB for IPAmj明朝, most of a render's time.
    """
    face = font.face
    original = face.get_table

    def get_table(tag: str) -> bytes | _TableWindow:
        if tag != "glyf":
            return original(tag)  # type: ignore[no-any-return]
        start, length = face.get_table_pos(tag)
        return _TableWindow(face._ttf_data, start, length)

    face.get_table = get_table


# Supplementary Private Use Area-A: IPAmj明朝 maps nothing there, and the data model refuses
# private-use characters in documents, so these codes only ever come from _install_variants.
_VARIANT_BASE = 0xF0000
_VARIANT_SEQUENCES: dict[int, str] = {}  # private-use code → the variation sequence it draws


def _install_variants(font: ttfonts.TTFont) -> dict[str, str]:
    """Give each variation sequence of the font's cmap format 14 a private-use code that maps
    to its glyph, so that reportlab (which maps single code points to glyphs) can draw it.

    The codes are assigned in sorted order of the sequences: the same font gives the same codes
    in every process, so the PDFs stay deterministic. The ToUnicode map gives back the sequence
    (base + selector), so the text layer holds what the register holds.
    """
    face = font.face
    pos, length = face.get_table_pos("cmap")
    try:
        sequences = parse_variation_sequences(face._ttf_data[pos : pos + length])
    except ValueError as exc:
        raise FontUnavailableError(f"{font.fontName}: {exc}") from exc
    variants: dict[str, str] = {}
    for index, ((base, selector), glyph) in enumerate(sorted(sequences.items())):
        glyph_id = glyph if glyph is not None else face.charToGlyph.get(base)
        if glyph_id is None or glyph_id >= len(face.hmetrics):
            continue
        code = _VARIANT_BASE + index
        if code in face.charToGlyph:
            raise FontUnavailableError(f"{font.fontName} maps private-use U+{code:X}")
        face.charToGlyph[code] = glyph_id
        # The advance in reportlab's units: hmtx scaled as reportlab scaled the base's.
        base_glyph = face.charToGlyph.get(base)
        scale = 1000.0 / face.unitsPerEm
        if base_glyph is not None and face.hmetrics[base_glyph][0]:
            scale = face.charWidths[base] / face.hmetrics[base_glyph][0]
        face.charWidths[code] = face.hmetrics[glyph_id][0] * scale
        sequence = chr(base) + chr(selector)
        variants[sequence] = chr(code)
        _VARIANT_SEQUENCES[code] = sequence
    return variants


def _install_tounicode_map() -> None:
    """Replace reportlab's ToUnicode CMap writer with one that writes UTF-16 correctly.

    reportlab (checked with 4.x and 5.1) formats each destination as ``<%04X>``, so U+20BB7
    becomes ``<20BB7>``, which readers take as U+20BB and a stray digit: the text layer
    (search, copy, pdftotext) then shows 「₻」 for 「𠮷」. Destinations are UTF-16BE (PDF
    32000-1 §9.10.3): a character outside the BMP is a surrogate pair, and a variation
    sequence drawn through a private-use code (see :func:`_install_variants`) maps back to the
    whole sequence. The CMap is otherwise the same as reportlab's.
    """
    if getattr(ttfonts.makeToUnicodeCMap, "_konbini", False):
        return

    def make_to_unicode_cmap(fontname: str, subset: list[int]) -> str:
        entries = [
            f"<{code:02X}> <{_utf16be_hex(_VARIANT_SEQUENCES.get(cp, chr(cp)))}>"
            for code, cp in enumerate(subset)
        ]
        return "\n".join(
            [
                "/CIDInit /ProcSet findresource begin",
                "12 dict begin",
                "begincmap",
                "/CIDSystemInfo",
                f"<< /Registry ({fontname})",
                f"/Ordering ({fontname})",
                "/Supplement 0",
                ">> def",
                f"/CMapName /{fontname} def",
                "/CMapType 2 def",
                "1 begincodespacerange",
                f"<00> <{len(subset) - 1:02X}>",
                "endcodespacerange",
                f"{len(subset)} beginbfchar",
                *entries,
                "endbfchar",
                "endcmap",
                "CMapName currentdict /CMap defineresource pop",
                "end",
                "end",
            ]
        )

    make_to_unicode_cmap._konbini = True  # type: ignore[attr-defined]
    ttfonts.makeToUnicodeCMap = make_to_unicode_cmap


def _utf16be_hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()
