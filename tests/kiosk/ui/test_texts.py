"""Names as residents read them (kiosk.ui.texts), in several languages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kiosk import i18n
from kiosk.ui.texts import fiscal_year_name, kind_name
from printing.certificates import CertificateKind


@pytest.fixture(autouse=True)
def _japanese_after() -> Iterator[None]:
    yield
    i18n.set_language("ja")


def test_tax_year_by_reiwa_with_the_gregorian_years() -> None:
    """Residents ask by 令和, as the certificate prints it; the Gregorian years stand beside it
    (first in the resident's language, the 令和 line as printed below)."""
    i18n.set_language("ja")
    assert fiscal_year_name(2025) == "令和7年度（令和6年中の所得）\n西暦2025年度（2024年中の所得）"
    assert (
        fiscal_year_name(2019) == "令和元年度（平成30年中の所得）\n西暦2019年度（2018年中の所得）"
    )
    i18n.set_language("en")
    assert fiscal_year_name(2025) == (
        "Fiscal year 2025 (income of 2024)\n令和7年度（令和6年中の所得）"
    )
    i18n.set_language("ko")
    assert fiscal_year_name(2025).split("\n") == [
        "2025년도(2024년 소득)",
        "令和7年度（令和6年中の所得）",
    ]


def test_the_income_certificate_says_non_taxation_too() -> None:
    """The seed's 課税（非課税）証明書: a resident who owes no tax looks for 非課税."""
    i18n.set_language("ja")
    assert kind_name(CertificateKind.TAX_INCOME) == "所得・課税（非課税）証明書"
    i18n.set_language("en")
    assert kind_name(CertificateKind.TAX_INCOME) == (
        "Income and taxation (non-taxation) certificate\n所得・課税（非課税）証明書"
    )


def test_the_start_screen_names_the_tax_certificates_as_the_service_does() -> None:
    from kiosk.flow.events import Service
    from kiosk.ui.texts import SERVICE_HINTS

    i18n.set_language("ja")
    assert "各種税証明書" in i18n._(SERVICE_HINTS[Service.ISSUE])


def test_a_notice_in_the_resident_language_or_marked_japanese_only() -> None:
    from kiosk.domain import NoticeKind, NoticeText
    from kiosk.ui.texts import notice_text

    translated = NoticeText.of(
        NoticeKind.CLOSURE, {"ja": "年末年始は休止します。", "en": "Closed."}
    )
    japanese = NoticeText.japanese("毎月第1水曜日は保守のため停止します。", NoticeKind.MAINTENANCE)
    i18n.set_language("en")
    assert notice_text(translated) == "Closed."
    assert notice_text(japanese) == (
        "About a maintenance stop (Japanese only):\n毎月第1水曜日は保守のため停止します。"
    )
    i18n.set_language("ko")
    assert notice_text(translated) == ("휴무일 안내(일본어만 있음):\n年末年始は休止します。")
    i18n.set_language("ja")
    assert notice_text(japanese) == "毎月第1水曜日は保守のため停止します。"
