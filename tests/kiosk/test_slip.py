"""The registration's slip (kiosk.runtime.slip): its texts in the resident's language."""

from __future__ import annotations

from datetime import date

from kiosk.flow.effects import PrintRegistrationSlip
from kiosk.runtime.slip import TITLE_JA, slip_pdf, slip_texts
from printing.cups import inspect_document

SLIP = PrintRegistrationSlip("0120252604150007", "函館市", "登録には5開庁日かかります。", "ko")


def test_the_slip_says_number_date_and_what_next_in_the_resident_language() -> None:
    texts = [block.text for block in slip_texts(SLIP, date(2026, 5, 3))]
    assert texts[0] == TITLE_JA  # for the counter staff, on every slip
    assert "0120 2526 0415 0007" in texts  # grouped as on the screen
    assert "신청일: 2026년 5월 3일 신청처: 函館市" in texts
    assert any("‘이용 등록 상황 확인’" in text for text in texts)  # how to check the status
    assert texts[-1] == "登録には5開庁日かかります。"  # the municipality's own message


def test_a_japanese_slip_has_one_title_and_no_message_heading_without_a_message() -> None:
    slip = PrintRegistrationSlip("R-2026-0001", "函館市", "", "ja")
    texts = [block.text for block in slip_texts(slip, date(2026, 5, 3))]
    assert texts.count(TITLE_JA) == 1
    assert "R-2026-0001" in texts  # the municipality's own hyphens are kept
    assert "市区町村からのお知らせ" not in texts
    assert inspect_document(slip_pdf(slip, date(2026, 5, 3))) == 1
