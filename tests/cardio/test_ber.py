"""BER-TLV with the card's quirks (jpki-card.md §2.7)."""

from __future__ import annotations

import pytest

from cardio.ber import parse_all, parse_header, parse_one
from cardio.errors import MalformedResponse


def test_two_byte_private_tags_and_82_lengths() -> None:
    data = bytes.fromhex("FF 40 82 00 04 DF 41 01 07")
    outer = parse_one(data)
    assert outer.tag == 0xFF40
    assert outer.value == bytes.fromhex("DF 41 01 07")
    (inner,) = parse_all(outer.value)
    assert inner.tag == 0xDF41
    assert inner.value == b"\x07"


def test_header_only() -> None:
    assert parse_header(bytes.fromhex("30 82 06 2B")) == (0x30, 0x62B, 4)


@pytest.mark.parametrize(
    "data",
    [
        "",
        "30",
        "30 80",
        "30 85 00 00 00 00 01",
        "FF",
        "FF 90 90 90 01 00",
        "30 82 01",
        "04 05 01 02",
    ],
)
def test_malformed(data: str) -> None:
    with pytest.raises(MalformedResponse):
        parse_one(bytes.fromhex(data))


def test_parse_all_must_fill_the_range() -> None:
    with pytest.raises(MalformedResponse):
        parse_all(bytes.fromhex("01 01 AA 02"))
