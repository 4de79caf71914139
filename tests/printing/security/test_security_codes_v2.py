"""Layout v2's signed code: split over the back's QR boxes and joined again; the online
verification code; signing a page's facts within the capacity; v1 and v2 told apart."""

from __future__ import annotations

import os
from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from printing.security.errors import SignedCodeError
from printing.security.facts import FONT_MINCHO, PageFacts, TextRun
from printing.security.layout import SourceGeometry
from printing.security.qrchunks import HEADER_BYTES, capacity, join, split
from printing.security.signed_code import (
    SignedPayload,
    max_code_bytes,
    sign_payload,
    text_digest,
    verify_signed_code,
)
from printing.security.vcode import ALPHABET, CODE_BITS, grouped, new_code, normalise

KEY = ec.derive_private_key(987654321, ec.SECP256R1())
TRUSTED = {b"doc-1": KEY.public_key()}


def payload(facts: PageFacts | None, text: str = "konbini-certificate-text/1\n") -> SignedPayload:
    return SignedPayload(
        layout_version=2,
        issuer="東京都練馬区長",
        serial="131202-241203-000001-1",
        page_index=0,
        page_count=1,
        issued_on=date(2024, 12, 3),
        text_sha256=text_digest(text),
        text=text,
        source=SourceGeometry((15.0, 15.0, 180.0, 262.0), 94.67, 670, 976),
        page_facts=facts,
    )


def test_parts_join_in_any_order_and_only_whole() -> None:
    code = os.urandom(1500)
    parts = split(code, 2)
    assert len(parts) == 2
    assert all(len(p) <= 911 for p in parts)
    assert join(reversed(parts)) == [code]
    assert join(parts[:1]) == []  # a part missing: no code at all
    other = split(os.urandom(1500), 2)
    assert join([parts[0], other[1]]) == []  # parts of two certificates never join
    corrupt = parts[1][:-1] + bytes([parts[1][-1] ^ 1])
    assert join([parts[0], corrupt]) == []
    assert len(split(b"short", 2)) == 1
    assert join(split(b"short", 2)) == [b"short"]
    assert split(code, 1) == [code]  # v1: the code itself
    with pytest.raises(ValueError, match="codes"):
        split(os.urandom(capacity(2) + 1), 2)
    assert capacity(2) == 2 * (911 - HEADER_BYTES)


def test_verification_codes_are_random_80_bits_and_typed_forgivingly() -> None:
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert CODE_BITS >= 60
    assert len(ALPHABET) ** 16 >= 2**80
    code = next(iter(codes))
    assert set(code) <= set(ALPHABET)
    assert len(code) == 16
    shown = grouped(code)
    assert shown.count("-") == 3
    assert normalise(shown) == code
    assert normalise(f" {shown.lower()} ".replace("-", " ")) == code
    assert normalise("O1IL-0000-0000-0000") == "0111000000000000"
    for bad in ("", "ABC", "U" * 16, "A" * 17, "*" * 16, "A" * 100):
        with pytest.raises(ValueError, match="code"):
            normalise(bad)


def test_a_page_s_facts_are_signed_and_read_back() -> None:
    runs = tuple(
        TextRun(f"members[{i}].birth_date", f"昭和{i}年１月１日生", 50, 100 + 20 * i, 10.5, 0)
        for i in range(40)
    )
    facts = PageFacts(runs)
    code = sign_payload(payload(facts), KEY, b"doc-1")
    assert len(code) <= max_code_bytes(2)
    verified = verify_signed_code(code, TRUSTED)
    assert verified.page_facts is not None
    assert verified.page_facts.fields() == facts.fields()
    assert verified.text is not None  # short: the canonical text fitted too


def test_the_canonical_text_goes_in_only_where_it_fits() -> None:
    long_text = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(3000))  # no deflate gain
    facts = PageFacts((TextRun("name", "山田　太郎", 50, 100, 10.5, FONT_MINCHO),))
    verified = verify_signed_code(sign_payload(payload(facts, long_text), KEY, b"doc-1"), TRUSTED)
    assert verified.text is None
    assert verified.text_sha256 == text_digest(long_text)


def test_v2_needs_facts_and_v1_refuses_them() -> None:
    with pytest.raises(SignedCodeError, match="facts"):
        sign_payload(payload(None), KEY, b"doc-1")
