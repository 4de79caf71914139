"""The characters a kiosk certificate may carry in a name or address (the allowed set).

Choice (docs/simulated-world.md, "Allowed characters"): a character is allowed when

1. it is in JIS X 0213:2004 (the 11,233 characters of the extended JIS kanji set), or in
   Windows-31J (CP932, whose NEC/IBM extension kanji such as 髙 and 﨑 are what most municipal
   systems of the 2010s stored old-style characters as) — Private Use Area codes excluded, and
2. the print font for names, IPAmj明朝 (Debian fonts-ipamj-mincho, the font the documents
   embed for rare names), has a glyph for it.

So 髙 (CP932 only), 﨑 and 邉 (both sets) are allowed; 𠮷 (つちよし, in neither set) and a
municipality's own 外字 (a Private Use Area code in its system) are not. Such a resident is
refused with ``characters_not_supported`` and served at the counter, as in the real service,
where names outside the kiosk character set cannot be issued at a store.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

# Debian fonts-ipamj-mincho (scripts/setup installs it).
NAME_FONT_PATH = Path("/usr/share/fonts/truetype/ipamj/ipamjm.ttf")

_PRIVATE_USE = ((0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD))
_ALWAYS_ALLOWED = frozenset(" \u3000\n")


class FontUnavailableError(RuntimeError):
    """The name font is not installed: the allowed set cannot be known."""


@cache
def _covered_code_points(font_path: Path) -> frozenset[int]:
    # reportlab's TrueType parser is already a dependency (printing); it reads the cmap.
    from reportlab.pdfbase.ttfonts import TTFontFile

    if not font_path.is_file():
        raise FontUnavailableError(
            f"{font_path} is missing: install fonts-ipamj-mincho (scripts/setup)"
        )
    return frozenset(TTFontFile(str(font_path)).charToGlyph)


def is_private_use(char: str) -> bool:
    code_point = ord(char)
    return any(low <= code_point <= high for low, high in _PRIVATE_USE)


def in_character_set(char: str) -> bool:
    """Condition 1: in JIS X 0213:2004 or CP932, and not a Private Use Area code."""
    if char in _ALWAYS_ALLOWED:
        return True
    if is_private_use(char):
        return False
    for codec in ("euc_jis_2004", "cp932"):
        try:
            char.encode(codec)
        except UnicodeEncodeError:
            continue
        return True
    return False


def unsupported_characters(text: str, font_path: Path = NAME_FONT_PATH) -> list[str]:
    """The characters of ``text`` outside the allowed set, in order of appearance."""
    covered = _covered_code_points(font_path)
    return [
        char
        for char in text
        if not in_character_set(char) or (char not in _ALWAYS_ALLOWED and ord(char) not in covered)
    ]


def is_printable(text: str, font_path: Path = NAME_FONT_PATH) -> bool:
    """True when every character of ``text`` is in the allowed set."""
    return not unsupported_characters(text, font_path)
