"""The catalogs: complete, compilable, placeholders intact; live switching; formatting.

Fails on any msgid in the sources (what scripts/i18n extracts: the files locales/babel.cfg
names, kiosk/**.py and the certificate kinds' names) that a catalog does not translate, on a
fuzzy entry, on a msgstr whose {placeholders} differ from its msgid, and on a catalog that does
not compile.
"""

from __future__ import annotations

import builtins
import io
import string
from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import kiosk.flow
import kiosk.problems
from kiosk import i18n
from kiosk.languages import LANGUAGES

REPO = Path(__file__).resolve().parents[2]
LOCALES = REPO / "locales"


def catalog(code: str) -> Catalog:
    with (LOCALES / code / "LC_MESSAGES" / "kiosk.po").open("rb") as stream:
        return read_po(stream, locale=code)


def source_msgids() -> set[str | tuple[str, ...]]:
    """What scripts/i18n extract finds: _("…"), N_("…"), ngettext(…) in the files that
    locales/babel.cfg maps (the same configuration, read here)."""
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    with (LOCALES / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: set[str | tuple[str, ...]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(REPO), method_map, options_map, keywords=keywords
    ):
        found.add(message)
    return found


def test_the_certificate_kinds_names_are_source_strings() -> None:
    from printing.certificates import CertificateKind

    assert {kind.name_msgid for kind in CertificateKind} <= source_msgids()


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.fixture(scope="module")
def catalogs() -> dict[str, Catalog]:
    return {code: catalog(code) for code in LANGUAGES}


def test_every_source_string_is_in_the_template() -> None:
    with (LOCALES / "kiosk.pot").open("rb") as stream:
        template = read_po(stream)
    missing = source_msgids() - {m.id for m in template if m.id}
    assert not missing, f"run scripts/i18n extract and update: {sorted(map(str, missing))[:5]}"


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_source_string_is_translated(code: str, catalogs: dict[str, Catalog]) -> None:
    entries = {m.id: m for m in catalogs[code] if m.id}
    problems: list[str] = []
    for msgid in sorted(source_msgids(), key=str):
        entry = entries.get(msgid)
        if entry is None:
            problems.append(f"missing: {msgid!r}")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif not all(entry.string) if isinstance(entry.string, tuple) else not entry.string:
            problems.append(f"untranslated: {msgid!r}")
    assert not problems, f"{code}: {len(problems)} problems, e.g. {problems[:5]}"


@pytest.mark.parametrize("code", LANGUAGES)
def test_placeholders_match(code: str, catalogs: dict[str, Catalog]) -> None:
    for entry in catalogs[code]:
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not any(strings):
            continue  # untranslated: reported by test_every_source_string_is_translated
        expected = set().union(*(placeholders(i) for i in ids))
        for text in strings:
            assert placeholders(text) == expected, f"{code}: {entry.id!r} → {text!r}"


def test_the_placeholder_check_catches_a_mismatch() -> None:
    assert placeholders("{amount} paid") != placeholders("{amout} bezahlt")
    assert placeholders("Code: {code}") == placeholders("コード：{code}")


@pytest.mark.parametrize("code", LANGUAGES)
def test_each_catalog_compiles(code: str, catalogs: dict[str, Catalog]) -> None:
    errors = [(m.id, e) for m, e in catalogs[code].check() if e]  # Babel's own checkers
    assert not errors, errors[:3]
    out = io.BytesIO()
    write_mo(out, catalogs[code])
    assert out.getvalue()[:4] in (b"\xde\x12\x04\x95", b"\x95\x04\x12\xde")


def test_the_compiled_catalogs_are_used() -> None:
    i18n.reload_catalogs()
    assert i18n.translate("Please call a staff member.", "ja") == "係員をお呼びください。"
    assert i18n.translate("Please call a staff member.", "ko") == "직원을 불러 주십시오."
    assert i18n.translate("Please call a staff member.", "en") == "Please call a staff member."


def test_underscore_is_never_installed_into_builtins() -> None:
    assert not hasattr(builtins, "_")
    assert kiosk.flow is not None  # importing the kiosk did not install it either


def test_the_language_switches_live_and_notifies() -> None:
    holder = i18n.LanguageHolder()
    heard: list[str] = []
    remove = holder.add_listener(heard.append)
    holder.set("es")
    holder.set("es")  # no change, no call
    holder.set("zh_Hant")
    assert heard == ["es", "zh_Hant"]
    remove()
    holder.set("ja")
    assert heard == ["es", "zh_Hant"]
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        holder.set("fr")


def test_a_broken_listener_does_not_stop_the_others() -> None:
    holder = i18n.LanguageHolder()
    heard: list[str] = []

    def broken(code: str) -> None:
        raise RuntimeError("widget gone")

    holder.add_listener(broken)
    holder.add_listener(heard.append)
    holder.set("ko")
    assert heard == ["ko"]


def test_underscore_follows_the_current_language() -> None:
    title = kiosk.problems.describe(kiosk.problems.Problem.PIN_BLOCKED).title
    try:
        i18n.set_language("ja")
        assert i18n._(title) == "暗証番号がロックされています"
        i18n.set_language("pt")
        assert i18n._(title) == "Seu PIN está bloqueado"
    finally:
        i18n.set_language("ja")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ja", "1,500円"),
        ("en", "¥1,500"),
        ("zh_Hans", "1,500日元"),
        ("zh_Hant", "1,500日圓"),
        ("ko", "1,500엔"),
        ("es", "1.500 yenes"),
        ("pt", "1.500 ienes"),
        ("vi", "1.500 yên"),  # no plural in Vietnamese
    ],
)
def test_yen_per_language(code: str, expected: str) -> None:
    assert i18n.format_yen(1500, code) == expected


def test_one_yen_is_singular_where_the_language_says_so() -> None:
    assert i18n.format_yen(1, "es") == "1 yen"
    assert i18n.format_yen(1, "pt") == "1 iene"
    assert i18n.format_yen(0, "ja") == "0円"


def test_dates_per_language() -> None:
    day = date(2026, 3, 5)
    assert i18n.format_date(day, "ja") == "2026年3月5日"
    assert i18n.format_date(day, "en") == "March 5, 2026"
    assert i18n.format_date(day, "es") == "5 de marzo de 2026"
    assert i18n.format_date(day, "ko") == "2026년 3월 5일"


def test_language_names_in_their_own_language() -> None:
    names = {code: i18n.language_name(code) for code in LANGUAGES}
    assert len(set(names.values())) == len(names)  # every button reads differently
    assert {
        "ja": "日本語",
        "en": "English",
        "zh_Hans": "中文（简体）",
        "zh_Hant": "中文（繁體）",
        "ko": "한국어",
        "es": "Español",
        "pt": "Português",
        "vi": "Tiếng Việt",
    }.items() <= names.items()


def test_every_problem_has_a_translated_title_and_message(catalogs: dict[str, Catalog]) -> None:
    ja = {m.id: m.string for m in catalogs["ja"] if m.id}
    for problem, text in kiosk.problems.CATALOG.items():
        assert ja.get(text.title), problem
        assert ja.get(text.message), problem


def test_n_marks_without_translating() -> None:
    i18n.set_language("ko")
    try:
        assert i18n.N_("Please call a staff member.") == "Please call a staff member."
    finally:
        i18n.set_language("ja")
