"""The characters a kiosk certificate may carry in a name or address (the allowed set).

Choice (docs/simulated-world.md, "Allowed characters"): a character is allowed when the print
font for names, IPAmj明朝 (文字情報基盤 MJ文字, Debian fonts-ipamj-mincho, the font the
documents embed for rare names), has a glyph for it, and it is not in a Private Use Area. The
MJ set covers JIS X 0213 and the 住基ネット統一文字 used by resident registries, so old-style and
rare characters such as 髙, 﨑, 邉 are allowed (髙 is *not* in JIS X 0213, which is why JIS X
0213 alone would be the wrong set). A municipality's own 外字 — registered in its system as a
Private Use Area code — cannot be printed by a kiosk: such a resident is refused
(``characters_not_supported``) and served at the counter, as in the real service.
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


def unsupported_characters(text: str, font_path: Path = NAME_FONT_PATH) -> list[str]:
    """The characters of ``text`` outside the allowed set, in order of appearance."""
    covered = _covered_code_points(font_path)
    return [
        char
        for char in text
        if char not in _ALWAYS_ALLOWED and (is_private_use(char) or ord(char) not in covered)
    ]


def is_printable(text: str, font_path: Path = NAME_FONT_PATH) -> bool:
    """True when every character of ``text`` is in the allowed set."""
    return not unsupported_characters(text, font_path)
