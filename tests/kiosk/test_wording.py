"""Wording that residents misread or that reads as a foreign language's calque, pinned per
catalog (issue 14): each test names the slip it guards against. The catalogs' completeness and
placeholders are tests/kiosk/test_i18n.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from kiosk.languages import LANGUAGES
from kiosk.problems import Problem, describe

LOCALES = Path(__file__).resolve().parents[2] / "locales"


def catalog(code: str) -> Catalog:
    with (LOCALES / code / "LC_MESSAGES" / "kiosk.po").open("rb") as stream:
        return read_po(stream, locale=code)


CATALOGS = {code: catalog(code) for code in LANGUAGES}


def translated(code: str, msgid: str) -> str:
    entry = CATALOGS[code].get(msgid)
    assert entry is not None, msgid
    assert isinstance(entry.string, str)
    return entry.string


def texts(code: str) -> list[tuple[str, str]]:
    """(msgid, msgstr) of every entry; plural forms each on their own."""
    found = []
    for entry in CATALOGS[code]:
        if not entry.id:
            continue
        msgid = entry.id if isinstance(entry.id, str) else entry.id[0]
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        found.extend((msgid, text) for text in strings)
    return found


@pytest.mark.parametrize("code", LANGUAGES)
def test_session_expired_is_not_out_of_hours(code: str) -> None:
    """Someone who was merely slow must not read that the service is closed: the session's
    title and message differ from the out-of-hours ones and speak of no service hours."""
    session = describe(Problem.SESSION_EXPIRED)
    hours = describe(Problem.OUT_OF_HOURS)
    assert translated(code, session.title) != translated(code, hours.title)
    hours_words = {"ja": ("受付時間", "時間外"), "ko": ("접수 시간", "시간 외")}.get(code, ())
    for msgid in (session.title, session.message):
        text = translated(code, msgid)
        assert not any(word in text for word in hours_words), (code, text)


def test_japanese_slips() -> None:
    """One word for the card reader (読取機), no 「置いたままです」, full-width brackets, and
    「お住まいの」 only where the municipality is the one the resident lives in: a refusal of a
    本籍地 certificate comes from the municipality of the family register."""
    where_you_live = {
        describe(Problem.MOVED_OUT).message,  # the record closed when the resident moved out
        describe(Problem.MUNICIPALITY_NOT_PARTICIPATING).title,  # J-LIS places the resident
        describe(Problem.MUNICIPALITY_NOT_PARTICIPATING).message,
    }
    for msgid, text in texts("ja"):
        assert "読み取り機" not in text, text
        assert "置いたまま" not in text, text
        assert "(" not in text, text
        assert ")" not in text, text
        if "お住まい" in text:
            assert msgid in where_you_live, text


def test_traditional_chinese_reader() -> None:
    """讀卡機 throughout (讀卡器 is the mainland word, mixed in before)."""
    assert not [text for _msgid, text in texts("zh_Hant") if "讀卡器" in text]
    assert any("讀卡機" in text for _msgid, text in texts("zh_Hant"))


def test_korean() -> None:
    """Korean as a Korean reader expects it: an amount is always "…엔" (final consonant), so
    「을」, never the machine-like 「을(를)」; one term for the 14-digit 照合番号 (대조 번호) that
    is not also the refund's reference (참조 번호); no calque 개청일; Korean punctuation (·, ‘’),
    not the Japanese 「」 and ・."""
    from kiosk.languages import language

    assert all(form.endswith("엔") for form in language("ko").yen_forms)
    check_number = "The 14-digit check number was entered incorrectly"
    for msgid, text in texts("ko"):
        for fallback in ("을(를)", "를(을)", "이(가)", "은(는)", "과(와)", "(으)로"):
            assert fallback not in text, text
        assert "개청" not in text, text
        assert "「" not in text, text
        assert "・" not in text, text
        assert "조합 번호" not in text, text
        assert "조회 번호" not in text, text
        if msgid.startswith(check_number) or "14-digit check number" in msgid:
            assert "대조 번호" in text, text
        if "Reference: {code}" in msgid:
            assert "참조 번호: {code}" in text, text


def test_portuguese() -> None:
    """One word for the PIN (「senha」 was mixed in); 世帯 (a household: família) and 本籍 (the
    registered domicile) are different words — 「domicílio」 named both on one screen; the paper
    is a certidão, the card's electronic certificate a certificado eletrônico."""
    household = ("Everyone in your household", "Some members of your household")
    for msgid, text in texts("pt"):
        assert "senha" not in text.lower(), text
        if "PIN" in msgid:
            assert "PIN" in text, text
        if "household" in msgid:
            assert "domicílio" not in text, text
            assert "família" in text, text
        if "registered domicile" in msgid:
            assert "domicílio registrado" in text, text
        if "certificado" in text:
            assert "eletrônico" in text or "identificação de usuário" in text, text
    assert translated("pt", household[0]) != translated("pt", "Registered domicile (honseki)")


SPAIN_ONLY = (
    "ayuntamiento",  # the municipal office: oficina municipal
    "caducad",  # expired: vencido
    "caducidad",
    "introduzca",  # enter: ingrese
    "introduc",
    "resguardo",  # a ticket: comprobante
    "importe",  # an amount: monto
    "«",  # quotation marks: “ ”
    " ha ",  # the perfect for what just happened: the preterite (se cobró, se envió)
    " han ",
)


def test_spanish_is_latin_american() -> None:
    """Spanish speakers in Japan are mostly Latin American: neutral Latin American Spanish."""
    for _msgid, text in texts("es"):
        lowered = f" {text.lower()} "
        for word in SPAIN_ONLY:
            assert word not in lowered, (word, text)
