"""The receipt's text (領収書): one certificate as it always was, a basket line by line."""

from __future__ import annotations

from datetime import UTC, datetime

from kiosk.operations.papers import Receipt, receipt_lines
from printing.certificates import CertificateKind

AT = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


def test_one_certificate() -> None:
    lines = receipt_lines(Receipt("kiosk-0001", "t1", 600, CertificateKind.JUMINHYO, 2, AT))
    texts = [(size, text, after) for size, text, after in lines]
    assert (10, "但し 住民票の写し 2通の", 1) in texts
    assert texts[texts.index((10, "但し 住民票の写し 2通の", 1)) + 1] == (
        10,
        "交付手数料として上記正に領収いたしました。",
        2,
    )
    assert (8, "Fee for 2 × Copy of residence record", 4) in texts


def test_a_basket_lists_each_certificate() -> None:
    receipt = Receipt(
        "kiosk-0001", "t1", 900, CertificateKind.JUMINHYO, 1, AT, ((CertificateKind.INKAN, 2),)
    )
    texts = [text for _size, text, _after in receipt_lines(receipt)]
    start = texts.index("但し 住民票の写し 1通、")
    assert texts[start : start + 5] == [
        "但し 住民票の写し 1通、",
        "印鑑登録証明書 2通の",
        "交付手数料として上記正に領収いたしました。",
        "Fee for 1 × Copy of residence record",
        "2 × Seal registration certificate",
    ]
    assert "900円" in texts
