"""The languages table (kiosk/languages.py): every row is complete and usable on this machine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import i18n
from kiosk.config import KioskConfig
from kiosk.flow import FlowSettings
from kiosk.languages import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    LANGUAGES_TABLE,
    Language,
    SpeechEngine,
    language,
)
from kiosk.ui.theme import font_family

ROOT = Path(__file__).resolve().parents[2]


def test_codes_are_unique_and_the_default_is_first() -> None:
    assert len(set(LANGUAGES)) == len(LANGUAGES)
    assert LANGUAGES[0] == DEFAULT_LANGUAGE
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        language("fr")


@pytest.mark.parametrize("code", LANGUAGES)
def test_each_row_is_complete(code: str) -> None:
    row = language(code)
    assert (ROOT / "locales" / code / "LC_MESSAGES" / "kiosk.po").is_file()
    assert row.native_name
    assert all("{n}" in form for form in row.yen_forms)
    assert font_family(code) == row.font_family
    assert i18n.language_name(code) == row.native_name
    assert i18n.babel_locale(code)  # Babel knows the locale (formats numbers and dates)
    assert (row.voice.engine is SpeechEngine.OPEN_JTALK) == (code == "ja")


def test_every_font_family_is_installed() -> None:
    installed = subprocess.run(
        ["fc-list", ":", "family"], capture_output=True, text=True, check=True
    ).stdout
    for row in LANGUAGES_TABLE:
        assert row.font_family in installed, row.code


ESPEAK_ROWS = [row for row in LANGUAGES_TABLE if row.voice.engine is SpeechEngine.ESPEAK_NG]


@pytest.mark.parametrize("row", ESPEAK_ROWS, ids=lambda row: row.code)
def test_every_espeak_voice_exists(row: Language) -> None:
    """eSpeak NG loads the voice (it exits 1 on a voice it does not have); the speech tests
    render every language end to end, Japanese with Open JTalk."""
    subprocess.run(["espeak-ng", "-q", "-v", row.voice.name, "x"], check=True, timeout=30)


def test_defaults_offer_every_language() -> None:
    assert FlowSettings(boot_id="x").languages == LANGUAGES
    assert KioskConfig.__dataclass_fields__["languages"].default == LANGUAGES


def test_scripts_i18n_reads_the_codes_from_the_table() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "kiosk.languages"], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == list(LANGUAGES)


def _charset(family: str) -> set[int]:
    """The code points the installed font of ``family`` has (fontconfig's own view)."""
    out = subprocess.run(
        ["fc-match", "-f", "%{family}\n%{charset}", family],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    matched, _, ranges = out.partition("\n")
    assert family in matched.split(","), f"fontconfig substitutes {matched!r} for {family!r}"
    points: set[int] = set()
    for item in ranges.split():
        low, _, high = item.partition("-")
        points.update(range(int(low, 16), int(high or low, 16) + 1))
    return points


@pytest.mark.parametrize("row", LANGUAGES_TABLE, ids=lambda row: row.code)
def test_the_font_has_every_letter_of_the_language(row: Language) -> None:
    """Every character of the catalog's translations, the language's name and its yen forms is
    in the row's font: no screen falls back to another font or shows a missing-glyph box."""
    from babel.messages.pofile import read_po

    with (ROOT / "locales" / row.code / "LC_MESSAGES" / "kiosk.po").open("rb") as stream:
        catalog = read_po(stream, locale=row.code)
    texts = [row.native_name, row.language_word, *row.yen_forms]
    for message in catalog:
        if message.id:
            texts.extend(message.string if isinstance(message.string, tuple) else [message.string])
    used = {ord(char) for text in texts for char in text if char.isprintable()}
    missing = sorted(used - _charset(row.font_family))
    assert not missing, f"{row.font_family} lacks {''.join(map(chr, missing[:20]))!r}"
