"""The signed 2D code on the back: a COSE_Sign1 (RFC 9052) over a CBOR payload, in a QR code.

Framing follows the EU Digital COVID Certificate's choice (security-printing.md §5): COSE_Sign1,
ES256 (ECDSA P-256 / SHA-256, signature as raw r‖s, RFC 9053 §2.1), the key id in the protected
header. The QR carries the tagged COSE bytes in byte mode at error-correction level M.

What is signed (§4 capacity, §7.2): the canonical texts of printing.documents deflate to
440–1 500 B (印鑑登録証明書 … a 4-page 戸籍), a large household to several kB. The payload carries
the key fields and either the canonical text itself (raw deflate, when the whole code still
fits) or its SHA-256. Layout v1 has one QR of at most version 20 (666 B at level M). Layout v2
adds the page's signed facts (``pf``: every printed text run with its position, see
printing.security.facts) and splits the code over up to two QR codes (printing.security.qrchunks,
1 808 B); the canonical text goes in only where it still fits.
"""

from __future__ import annotations

import hashlib
import unicodedata
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from .errors import SignedCodeError, UnknownKeyError
from .facts import PageFacts, decode_facts, fit
from .layout import SUPPORTED_LAYOUT_VERSIONS, SourceGeometry
from .qrchunks import capacity

COSE_SIGN1_TAG = 18  # RFC 9052 §4.2
COSE_HEADER_ALG = 1  # RFC 9052 §3.1
COSE_HEADER_KID = 4
COSE_ALG_ES256 = -7  # RFC 9053 §2.1
ES256_SIGNATURE_BYTES = 64  # raw r ‖ s, 32 bytes each
# Layout v1: the largest QR the back's box holds at 9-device-px modules: version 20 at level M
# (ISO/IEC 18004 table 7: 666 data bytes in byte mode). Layout v2: printing.security.qrchunks.
MAX_QR_VERSION = 20
QR_ERROR_LEVEL = "m"
MAX_CODE_BYTES = 666
FACTS_FROM_VERSION = 2  # the first layout version whose code carries the page's facts


def max_code_bytes(layout_version: int) -> int:
    """The largest signed code a layout version prints."""
    return capacity(layout_version)


_LARGEST_CODE = max(max_code_bytes(v) for v in SUPPORTED_LAYOUT_VERSIONS)
MAX_TEXT_BYTES = 64 * 1024  # inflated canonical text: a guard against deflate bombs
MAX_FIELD_CHARS = 64


def canonical_bytes(text: str) -> bytes:
    """The exact bytes the signature covers for a canonical text: NFC, UTF-8 (§7.2)."""
    return unicodedata.normalize("NFC", text).encode("utf-8")


def text_digest(text: str) -> bytes:
    return hashlib.sha256(canonical_bytes(text)).digest()


@dataclass(frozen=True)
class SignedPayload:
    """What the signed code says about one printed page."""

    layout_version: int
    issuer: str
    serial: str
    page_index: int
    page_count: int
    issued_on: date
    text_sha256: bytes
    text: str | None  # the canonical text, when it fitted in the code
    source: SourceGeometry  # the source raster the scramble holds
    page_facts: PageFacts | None = None  # layout v2: the page's printed text runs


@dataclass(frozen=True)
class SignedCode:
    """A parsed (not yet verified) code: the key id and the payload it claims."""

    key_id: bytes
    payload: SignedPayload
    protected: bytes
    payload_bytes: bytes
    signature: bytes


def _payload_map(
    payload: SignedPayload, *, with_text: bool, facts: bytes | None = None
) -> dict[str, Any]:
    area = [round(v * 100) for v in payload.source.area_mm]
    content: dict[str, Any] = {
        "v": payload.layout_version,
        "iss": payload.issuer,
        "sn": payload.serial,
        "pg": [payload.page_index, payload.page_count],
        "iat": payload.issued_on.isoformat(),
        "src": [
            *area,
            round(payload.source.dpi * 100),
            payload.source.width,
            payload.source.height,
        ],
    }
    if with_text and payload.text is not None:
        # The text itself; its hash is then implied (and recomputed by the verifier).
        deflater = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate, RFC 1951
        content["tx"] = deflater.compress(canonical_bytes(payload.text)) + deflater.flush()
    else:
        content["th"] = payload.text_sha256
    if facts is not None:
        content["pf"] = facts
    return content


# RFC 6979 deterministic nonces: the back is a pure function of its inputs (reproducible prints
# and reference images), and the signature cannot leak the key through a weak RNG.
_SIGNING = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected, b"", payload])  # RFC 9052 §4.4


def _cose(payload_map: dict[str, Any], key: ec.EllipticCurvePrivateKey, key_id: bytes) -> bytes:
    protected = cbor2.dumps({COSE_HEADER_ALG: COSE_ALG_ES256, COSE_HEADER_KID: key_id})
    payload_bytes = cbor2.dumps(payload_map, canonical=True)
    der = key.sign(_sig_structure(protected, payload_bytes), _SIGNING)
    r, s = decode_dss_signature(der)
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload_bytes, signature]))


def sign_payload(payload: SignedPayload, key: ec.EllipticCurvePrivateKey, key_id: bytes) -> bytes:
    """The tagged COSE_Sign1 bytes for the QR code(s).

    Layout v2 signs the page's facts whole when they fit (else without the least important
    runs, ``PageFacts.complete`` False); the canonical text goes in when it still fits, else
    its hash. Raises ``SignedCodeError`` when even that does not fit."""
    limit = max_code_bytes(payload.layout_version)
    facts: bytes | None = None
    if payload.layout_version >= FACTS_FROM_VERSION:
        if payload.page_facts is None:
            raise SignedCodeError(f"layout v{payload.layout_version} signs the page's facts")
        bare = len(_cose(_payload_map(payload, with_text=False, facts=b""), key, key_id))
        # 3 bytes: the byte string's length header grows from 1 to at most 3 (< 64 KiB).
        _, facts = fit(payload.page_facts, limit - bare - 3)
    code = b""
    for with_text in (True, False):
        code = _cose(_payload_map(payload, with_text=with_text, facts=facts), key, key_id)
        if len(code) <= limit:
            return code
    raise SignedCodeError(f"signed code of {len(code)} B exceeds {limit} B")


def _field(mapping: Mapping[Any, Any], key: str, kind: type) -> Any:
    value = mapping.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise SignedCodeError(f"signed payload field {key!r} missing or not {kind.__name__}")
    return value


def _text_field(mapping: Mapping[Any, Any], key: str) -> str:
    value: str = _field(mapping, key, str)
    if not 0 < len(value) <= MAX_FIELD_CHARS or not value.isprintable():
        raise SignedCodeError(f"signed payload field {key!r} is not a short printable text")
    return value


def _parse_payload(payload_bytes: bytes) -> SignedPayload:
    try:
        content = cbor2.loads(payload_bytes)
    except (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError) as exc:
        raise SignedCodeError("signed payload is not CBOR") from exc
    if not isinstance(content, dict):
        raise SignedCodeError("signed payload is not a CBOR map")
    version = _field(content, "v", int)
    if version not in SUPPORTED_LAYOUT_VERSIONS:
        raise SignedCodeError(f"unsupported layout version {version}")
    page = _field(content, "pg", list)
    src = _field(content, "src", list)
    if len(page) != 2 or not all(type(v) is int for v in page):
        raise SignedCodeError("signed payload field 'pg' is not [index, count]")
    if not 0 <= page[0] < page[1] <= 999:
        raise SignedCodeError("signed payload page index out of range")
    if len(src) != 7 or not all(type(v) is int and 0 < v < 100_000 for v in src[2:]):
        raise SignedCodeError("signed payload field 'src' is malformed")
    if not all(type(v) is int and 0 <= v < 100_000 for v in src[:2]):
        raise SignedCodeError("signed payload field 'src' is malformed")
    if ("th" in content) == ("tx" in content):
        raise SignedCodeError("signed payload must carry either the text or its hash")
    try:
        issued_on = date.fromisoformat(_field(content, "iat", str))
    except ValueError as exc:
        raise SignedCodeError("signed payload issue date is malformed") from exc
    text = None
    if "tx" in content:
        text = _inflate_text(_field(content, "tx", bytes))
        digest = hashlib.sha256(canonical_bytes(text)).digest()
    else:
        digest = _field(content, "th", bytes)
        if len(digest) != 32:
            raise SignedCodeError("signed payload text hash is not SHA-256")
    area = (src[0] / 100, src[1] / 100, src[2] / 100, src[3] / 100)
    source = SourceGeometry(area_mm=area, dpi=src[4] / 100, width=src[5], height=src[6])
    page_facts = None
    if version >= FACTS_FROM_VERSION:
        page_facts = decode_facts(_field(content, "pf", bytes))
    elif "pf" in content:
        raise SignedCodeError(f"layout v{version} carries no page facts")
    return SignedPayload(
        layout_version=version,
        issuer=_text_field(content, "iss"),
        serial=_text_field(content, "sn"),
        page_index=page[0],
        page_count=page[1],
        issued_on=issued_on,
        text_sha256=digest,
        text=text,
        source=source,
        page_facts=page_facts,
    )


def _inflate_text(data: bytes) -> str:
    inflater = zlib.decompressobj(-15)
    try:
        raw = inflater.decompress(data, MAX_TEXT_BYTES + 1)
    except zlib.error as exc:
        raise SignedCodeError("signed payload text is not deflated data") from exc
    if len(raw) > MAX_TEXT_BYTES or not inflater.eof:
        raise SignedCodeError("signed payload text is too long or truncated")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SignedCodeError("signed payload text is not UTF-8") from exc


def parse_signed_code(code: bytes) -> SignedCode:
    """Parse a COSE_Sign1 code strictly, without checking its signature."""
    if len(code) > _LARGEST_CODE:
        raise SignedCodeError("signed code is larger than any code the layout prints")
    try:
        item = cbor2.loads(code)
    except (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError) as exc:
        raise SignedCodeError("signed code is not CBOR") from exc
    if not isinstance(item, cbor2.CBORTag) or item.tag != COSE_SIGN1_TAG:
        raise SignedCodeError("signed code is not a tagged COSE_Sign1")
    parts = item.value
    if not isinstance(parts, list | tuple) or len(parts) != 4:
        raise SignedCodeError("COSE_Sign1 must have 4 elements")
    protected, unprotected, payload_bytes, signature = parts
    if not (isinstance(protected, bytes) and isinstance(unprotected, Mapping)):
        raise SignedCodeError("COSE_Sign1 headers are malformed")
    if not (isinstance(payload_bytes, bytes) and isinstance(signature, bytes)):
        raise SignedCodeError("COSE_Sign1 payload or signature is not a byte string")
    try:
        header = cbor2.loads(protected)
    except (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError) as exc:
        raise SignedCodeError("COSE protected header is not CBOR") from exc
    if not isinstance(header, dict) or header.get(COSE_HEADER_ALG) != COSE_ALG_ES256:
        raise SignedCodeError("COSE algorithm is not ES256")
    key_id = header.get(COSE_HEADER_KID)
    if not isinstance(key_id, bytes) or not key_id:
        raise SignedCodeError("COSE protected header has no key id")
    if len(signature) != ES256_SIGNATURE_BYTES:
        raise SignedCodeError("ES256 signature must be 64 bytes")
    return SignedCode(
        key_id=key_id,
        payload=_parse_payload(payload_bytes),
        protected=protected,
        payload_bytes=payload_bytes,
        signature=signature,
    )


def verify_signed_code(
    code: bytes, trusted_keys: Mapping[bytes, ec.EllipticCurvePublicKey]
) -> SignedPayload:
    """Parse and verify a code against the issuers' public keys, by key id.

    Raises ``UnknownKeyError`` for a key id not in ``trusted_keys`` and ``SignedCodeError`` for a
    malformed code or a signature that does not verify.
    """
    parsed = parse_signed_code(code)
    public_key = trusted_keys.get(parsed.key_id)
    if public_key is None:
        raise UnknownKeyError(f"signed code names an untrusted key id {parsed.key_id.hex()}")
    r = int.from_bytes(parsed.signature[:32], "big")
    s = int.from_bytes(parsed.signature[32:], "big")
    try:
        public_key.verify(
            encode_dss_signature(r, s),
            _sig_structure(parsed.protected, parsed.payload_bytes),
            ec.ECDSA(hashes.SHA256()),
        )
    except InvalidSignature as exc:
        raise SignedCodeError("signature of the signed code does not verify") from exc
    return parsed.payload
