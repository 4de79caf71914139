"""The embedded Mincho fonts and the per-character choice between them.

Text is set in IPAex明朝 (ipaexm.ttf, ~12,000 characters: JIS X 0208 and most of X 0213); a
character it lacks is taken from IPAmj明朝 (ipamjm.ttf, the font of the 文字情報基盤, ~58,000
kanji with their variants, e.g. 𠮷 U+20BB7). A character neither has is a
:class:`MissingGlyphError` raised before anything is drawn. Both fonts are TrueType and embedded
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

from printing.documents.errors import DocumentError, MissingGlyphError

__all__ = [
    "FALLBACK_FONT",
    "TEXT_FONT",
    "FontUnavailableError",
    "font_for",
    "has_glyph",
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
            _install_tounicode_fix()
            faces: list[ttfonts.TTFont] = []
            for name in (TEXT_FONT, FALLBACK_FONT):
                path = font_path(name)
                try:
                    font = ttfonts.TTFont(name, str(path))
                except (OSError, ttfonts.TTFError) as exc:
                    raise FontUnavailableError(f"cannot load {name} from {path}: {exc}") from exc
                _cache_glyph_table(font)
                pdfmetrics.registerFont(font)
                faces.append(font)
            _loaded = _Fonts(
                text=faces[0],
                fallback=faces[1],
                text_cmap=faces[0].face.charToGlyph,
                fallback_cmap=faces[1].face.charToGlyph,
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


def has_glyph(font: str, ch: str) -> bool:
    """Whether ``font`` (TEXT_FONT or FALLBACK_FONT) maps ``ch`` to a glyph."""
    fonts = _fonts()
    cmap = fonts.text_cmap if font == TEXT_FONT else fonts.fallback_cmap
    return ord(ch) in cmap


def require_glyphs(field: str, text: str) -> None:
    """Raise :class:`MissingGlyphError` for the first character of ``text`` no font has."""
    for ch in text:
        if ch not in _NO_GLYPH_NEEDED and font_for(ch) is None:
            raise MissingGlyphError(field, ord(ch))


def runs(text: str) -> Iterator[tuple[str, str]]:
    """Split ``text`` into (font name, substring) runs, each drawable in one font."""
    current: str | None = None
    start = 0
    for i, ch in enumerate(text):
        font = font_for(ch)
        if font is None:
            raise MissingGlyphError("text", ord(ch))
        if font != current:
            if current is not None:
                yield current, text[start:i]
            current, start = font, i
    if current is not None:
        yield current, text[start:]


def string_width(text: str, size: float) -> float:
    """The advance width of ``text`` in points at ``size``, across both fonts."""
    return float(sum(pdfmetrics.stringWidth(part, font, size) for font, part in runs(text)))


def _cache_glyph_table(font: ttfonts.TTFont) -> None:
    """Keep the font's 'glyf' table as one bytes object instead of slicing it anew.

    reportlab's subsetter calls ``get_table('glyf')`` for every subset of every document, and
    each call copies the whole table out of the font file's bytes: ~6 MB for IPAex明朝 and
    ~40 MB for IPAmj明朝, which was most of a render's time. The table never changes, so the
    face keeps one copy (memory: the size of the tables, once per process).
    """
    face = font.face
    original = face.get_table
    cache: dict[str, bytes] = {}

    def get_table(tag: str) -> bytes:
        if tag != "glyf":
            return original(tag)  # type: ignore[no-any-return]
        if tag not in cache:
            cache[tag] = original(tag)
        return cache[tag]

    face.get_table = get_table


_FIX_PROBE = 0x20BB7  # 𠮷: outside the BMP


def _install_tounicode_fix() -> None:
    """Make reportlab write correct ToUnicode entries for characters outside the BMP.

    reportlab (checked with 4.x and 5.1) formats each ToUnicode destination as ``<%04X>``, so
    U+20BB7 becomes ``<20BB7>``, which readers take as U+20BB and a stray digit: the text layer
    (search, copy, pdftotext) then shows 「₻」 for 「𠮷」. ToUnicode destinations are UTF-16BE
    (PDF 32000-1 §9.10.3): a character outside the BMP is a surrogate pair. The fix is applied
    only when the installed reportlab still has the bug.
    """
    original = ttfonts.makeToUnicodeCMap
    if getattr(original, "_konbini_fixed", False):
        return
    if "<%04X>" % _FIX_PROBE not in original("PROBE", [_FIX_PROBE]):  # noqa: UP031 - reportlab's own format
        return

    def make_to_unicode_cmap(fontname: str, subset: list[int]) -> str:
        cmap: str = original(fontname, subset)
        for code, cp in enumerate(subset):
            if cp > 0xFFFF:
                wrong = "<%02X> <%04X>" % (code, cp)  # noqa: UP031 - must match reportlab's text
                right = f"<{code:02X}> <{_utf16be_hex(cp)}>"
                cmap = cmap.replace(wrong + "\n", right + "\n", 1)
        return cmap

    make_to_unicode_cmap._konbini_fixed = True  # type: ignore[attr-defined]
    ttfonts.makeToUnicodeCMap = make_to_unicode_cmap


def _utf16be_hex(cp: int) -> str:
    return chr(cp).encode("utf-16-be").hex().upper()
