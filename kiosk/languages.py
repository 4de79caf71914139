"""The screen languages: one table, one row per language.

Everything that differs per language is here: the catalog's code, the name shown on the
language button (in that language, style.md: Electrum), how a price is written, the font
family the screens use, and the voice of the audio guidance. ``kiosk.i18n``, the theme, the
speech guide, ``scripts/i18n`` (``python -m kiosk.languages``), the profiles' default and the
gallery all iterate :data:`LANGUAGES`; adding a language is a row here and its catalog
(``locales/<code>/LC_MESSAGES/kiosk.po``).

No imports beyond the standard library: the flow uses the codes.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "Language",
    "SpeechEngine",
    "Voice",
    "language",
]


class SpeechEngine(StrEnum):
    """The offline speech engines of the audio guidance (docs/audio-guidance.md)."""

    OPEN_JTALK = "open_jtalk"  # Japanese: Open JTalk with the "Mei" HTS voice
    ESPEAK_NG = "espeak_ng"  # the others: eSpeak NG's voice named by ``Voice.name``


@dataclass(frozen=True)
class Voice:
    engine: SpeechEngine
    name: str = ""  # the engine's voice (eSpeak NG: `espeak-ng --voices`)


@dataclass(frozen=True)
class Language:
    """One screen language."""

    code: str  # catalog code: locales/<code>/LC_MESSAGES/kiosk.po; Babel locale (zh_Hans …)
    native_name: str  # on the language button, in the language itself
    language_word: str  # "language" in the language: the language menu's heading joins them
    # How a price is written: (plural "one", other) with {n}, the number formatted by Babel.
    # The everyday unit, not CLDR's "JPY"/"JP¥", which residents in Japan do not read as prices.
    yen_forms: tuple[str, str]
    # Noto Sans CJK in the family whose glyph shapes are right for the language (real-stack.md);
    # the Latin-script languages use JP, whose Latin covers them (tests/kiosk/ui/test_theme.py).
    font_family: str
    voice: Voice


# Order: the language menu's (Japanese first, then by the number of residents who read it).
LANGUAGES_TABLE: tuple[Language, ...] = (
    Language(
        "ja",
        "日本語",
        "言語",
        ("{n}円", "{n}円"),
        "Noto Sans CJK JP",
        Voice(SpeechEngine.OPEN_JTALK),
    ),
    Language(
        "en",
        "English",
        "Language",
        ("¥{n}", "¥{n}"),
        "Noto Sans CJK JP",
        Voice(SpeechEngine.ESPEAK_NG, "en"),
    ),
    Language(
        "zh_Hans",
        "中文（简体）",
        "语言",
        ("{n}日元", "{n}日元"),
        "Noto Sans CJK SC",
        # Mandarin: eSpeak NG's "cmn" reads simplified and traditional characters.
        Voice(SpeechEngine.ESPEAK_NG, "cmn"),
    ),
    Language(
        "zh_Hant",
        "中文（繁體）",
        "語言",
        ("{n}日圓", "{n}日圓"),
        "Noto Sans CJK TC",
        # The catalog is Mandarin in traditional characters (Taiwan), not Cantonese ("yue").
        Voice(SpeechEngine.ESPEAK_NG, "cmn"),
    ),
    Language(
        "ko",
        "한국어",
        "언어",
        ("{n}엔", "{n}엔"),
        "Noto Sans CJK KR",
        Voice(SpeechEngine.ESPEAK_NG, "ko"),
    ),
    Language(
        "es",
        "Español",
        "Idioma",
        ("{n} yen", "{n} yenes"),
        "Noto Sans CJK JP",
        Voice(SpeechEngine.ESPEAK_NG, "es"),
    ),
    Language(
        "pt",
        "Português",
        "Idioma",
        ("{n} iene", "{n} ienes"),
        "Noto Sans CJK JP",
        # The catalog is Brazilian ("tela", "digite", "você"), as are most Portuguese-speaking
        # residents of Japan.
        Voice(SpeechEngine.ESPEAK_NG, "pt-br"),
    ),
    Language(
        "vi",
        "Tiếng Việt",
        "Ngôn ngữ",
        ("{n} yên", "{n} yên"),  # no plural form in Vietnamese
        # Noto Sans CJK JP has every precomposed Vietnamese letter (ạ…ỹ, ơ, ư, đ).
        "Noto Sans CJK JP",
        Voice(SpeechEngine.ESPEAK_NG, "vi"),
    ),
)

LANGUAGES: tuple[str, ...] = tuple(row.code for row in LANGUAGES_TABLE)
# The language menu's heading, readable whatever the current language: "Language・言語・…"
# (English first; a word two languages share, once).
MENU_HEADING = "・".join(
    dict.fromkeys(
        [row.language_word for row in LANGUAGES_TABLE if row.code == "en"]
        + [row.language_word for row in LANGUAGES_TABLE]
    )
)
DEFAULT_LANGUAGE = "ja"

_BY_CODE = {row.code: row for row in LANGUAGES_TABLE}


def language(code: str) -> Language:
    """The row of ``code``; raises ValueError for a code not in the table."""
    try:
        return _BY_CODE[code]
    except KeyError:
        raise ValueError(
            f"unknown language {code!r}; expected one of {', '.join(LANGUAGES)}"
        ) from None


if __name__ == "__main__":  # scripts/i18n: the catalogs to update and compile
    sys.stdout.write(" ".join(LANGUAGES) + "\n")
