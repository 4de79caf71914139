"""The signed 2D code: COSE_Sign1 framing round trip, tamper and key rejection, size rule."""

from __future__ import annotations

import hashlib
from datetime import date

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from printing.security import SignedCodeError, UnknownKeyError, verify_signed_code
from printing.security.layout import SourceGeometry
from printing.security.signed_code import (
    COSE_SIGN1_TAG,
    MAX_CODE_BYTES,
    SignedPayload,
    parse_signed_code,
    sign_payload,
    text_digest,
)

KEY = ec.derive_private_key(12345678901234567890, ec.SECP256R1())
TRUSTED = {b"doc-1": KEY.public_key()}
TEXT = "konbini-certificate-text/1\n氏名\t山田　太郎\n住所\t東京都練馬区豊玉北六丁目１２番１号\n"


def payload(text: str = TEXT) -> SignedPayload:
    return SignedPayload(
        layout_version=1,
        issuer="東京都練馬区長",
        serial="131202-241203-000001-1",
        page_index=0,
        page_count=2,
        issued_on=date(2024, 12, 3),
        text_sha256=text_digest(text),
        text=text,
        source=SourceGeometry((15.0, 15.0, 180.0, 262.0), 94.67, 670, 976),
    )


def test_round_trip_verifies_and_returns_every_field() -> None:
    code = sign_payload(payload(), KEY, b"doc-1")
    verified = verify_signed_code(code, TRUSTED)
    assert verified == payload()
    assert verified.text == TEXT
    assert verified.text_sha256 == hashlib.sha256(TEXT.encode()).digest()


def test_framing_is_a_tagged_cose_sign1_with_es256_and_raw_signature() -> None:
    code = sign_payload(payload(), KEY, b"doc-1")
    item = cbor2.loads(code)
    assert item.tag == COSE_SIGN1_TAG
    protected, unprotected, body, signature = item.value
    assert cbor2.loads(protected) == {1: -7, 4: b"doc-1"}  # alg ES256, kid
    assert dict(unprotected) == {}
    assert len(signature) == 64  # r ‖ s, not DER
    assert cbor2.loads(body)["sn"] == "131202-241203-000001-1"


@pytest.mark.parametrize("position", ["payload", "signature", "protected"])
def test_any_flipped_bit_is_rejected(position: str) -> None:
    code = sign_payload(payload(), KEY, b"doc-1")
    protected, unprotected, body, signature = cbor2.loads(code).value
    if position == "payload":
        body = body.replace(b"000001", b"000002")
    elif position == "signature":
        signature = bytes([signature[0] ^ 1]) + signature[1:]
    else:
        protected = cbor2.dumps({1: -7, 4: b"doc-1", 99: 0})
    forged = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, unprotected, body, signature]))
    with pytest.raises(SignedCodeError):
        verify_signed_code(forged, TRUSTED)


def test_unknown_key_id_and_wrong_key_are_told_apart() -> None:
    code = sign_payload(payload(), KEY, b"doc-1")
    with pytest.raises(UnknownKeyError):
        verify_signed_code(code, {b"doc-2": KEY.public_key()})
    other = ec.derive_private_key(42, ec.SECP256R1()).public_key()
    with pytest.raises(SignedCodeError, match="does not verify") as caught:
        verify_signed_code(code, {b"doc-1": other})
    assert not isinstance(caught.value, UnknownKeyError)


def test_long_text_is_signed_by_hash_only() -> None:
    """Capacity rule (security-printing.md §4): a household's text does not fit a v20 QR."""
    long_text = TEXT + "".join(f"備考{i}\t平成{i}年に転入した記録の写しです。\n" for i in range(60))
    code = sign_payload(payload(long_text), KEY, b"doc-1")
    assert len(code) <= MAX_CODE_BYTES
    verified = verify_signed_code(code, TRUSTED)
    assert verified.text is None
    assert verified.text_sha256 == text_digest(long_text)


@pytest.mark.parametrize(
    "code",
    [
        b"",
        b"\xff\xff",
        cbor2.dumps([1, 2, 3, 4]),  # untagged
        cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [b"", {}, b""])),
        cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [cbor2.dumps({1: -35}), {}, b"x", bytes(64)])),
        cbor2.dumps(
            cbor2.CBORTag(COSE_SIGN1_TAG, [cbor2.dumps({1: -7, 4: b"k"}), {}, b"\xa0", bytes(64)])
        ),
        cbor2.dumps(
            cbor2.CBORTag(COSE_SIGN1_TAG, [cbor2.dumps({1: -7, 4: b"k"}), {}, b"x", bytes(63)])
        ),
        b"\x00" * (MAX_CODE_BYTES + 1),
    ],
    ids=["empty", "junk", "untagged", "three", "es384", "empty-map", "short-sig", "huge"],
)
def test_malformed_codes_raise_typed_errors(code: bytes) -> None:
    with pytest.raises(SignedCodeError):
        parse_signed_code(code)


def _raw_deflate(data: bytes) -> bytes:
    import zlib

    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    return deflater.compress(data) + deflater.flush()


def _unsigned_code(content: dict[str, object]) -> bytes:
    protected = cbor2.dumps({1: -7, 4: b"doc-1"})
    return cbor2.dumps(
        cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, cbor2.dumps(content), bytes(64)])
    )


def test_deflate_bomb_and_ambiguous_text_fields_are_rejected() -> None:
    from printing.security.signed_code import _payload_map

    content = _payload_map(payload(), with_text=True)
    content["tx"] = _raw_deflate(b"a" * 200_000)  # ~200 B inflating to 200 kB
    bomb = _unsigned_code(content)
    assert len(bomb) <= MAX_CODE_BYTES
    with pytest.raises(SignedCodeError, match="too long"):
        parse_signed_code(bomb)
    content["tx"] = _raw_deflate("氏名".encode())
    content["th"] = bytes(32)  # text and a (different) hash: which one is signed?
    with pytest.raises(SignedCodeError, match="either"):
        parse_signed_code(_unsigned_code(content))
    del content["th"]
    content["tx"] = b"\x00garbage"
    with pytest.raises(SignedCodeError, match=r"deflated|truncated"):
        parse_signed_code(_unsigned_code(content))


def test_short_certificate_text_rides_in_the_code() -> None:
    """The 印鑑登録証明書's text (575 B) fits; the verifier can compare text, not only images."""
    from printing import documents
    from printing.documents import samples

    text = documents.render_document(samples.inkan()).canonical_text
    code = sign_payload(payload(text), KEY, b"doc-1")
    assert verify_signed_code(code, TRUSTED).text == text
