"""The issuance answer: an envelope of certificate data signed by the center.

Shape (docs/center-protocol.md, "The envelope")::

    {"envelope": {...}, "signature": {"algorithm": "ES256", "key_id": "...", "value": "<b64>"},
     "signer_certificate": "<b64 DER>"}

The signature is ECDSA P-256 with SHA-256 over :func:`~kiosk.center.wire.jsonstrict.canonical`
of the ``envelope`` value, in the JOSE form (``r || s``, 32 bytes each, RFC 7518 §3.4). This
module only parses; the client checks the signature (kiosk/center/verify.py) and the simulated
center makes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from kiosk.center.wire.fields import Fields, b64, format_timestamp
from kiosk.center.wire.jsonstrict import JsonValue, WireFormatError, canonical
from kiosk.center.wire.messages import IDEMPOTENCY_KEY, ISSUANCE_ID, KIOSK_ID
from kiosk.center.wire.versions import PROTOCOL_VERSION
from kiosk.center.wire.vocabulary import (
    MAX_COPIES,
    MAX_FEE_YEN,
    MUNICIPALITY_CODE,
    request_from_wire,
    request_to_wire,
)
from printing.certificates import CertificateKind, CertificateRequest

# Format /1 (protocol v1, v2) has no business day; /2 (v3) names it (docs: "The envelope").
ENVELOPE_FORMAT_V1 = "konbini-center-envelope/1"
ENVELOPE_FORMAT = "konbini-center-envelope/2"
# Extended key usage of the center's envelope-signing certificate ("konbini center envelope
# signing"): an OID under 2.25 (ITU-T X.667, UUID-derived), which needs no registration.
ENVELOPE_SIGNING_EKU = "2.25.329800735698586629295641978511506172918"
SIGNATURE_ALGORITHM = "ES256"
SERIAL = re.compile(r"[A-Za-z0-9-]{4,40}", re.ASCII)
KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,64}", re.ASCII)
BACK_SIDE_FORMAT = re.compile(r"[a-z0-9.+/-]{1,64}", re.ASCII)

MAX_PAGES = 10  # the longest certificate (a large 戸籍全部事項) has a few pages
MAX_FRONT_PDF_BYTES = 8 * 1024 * 1024
MAX_BACK_SIDE_BYTES = 4 * 1024 * 1024
MAX_SIGNER_CERTIFICATE_BYTES = 8192
ES256_SIGNATURE_BYTES = 64


@dataclass(frozen=True)
class BackSidePage:
    """The center's back-side data for one page (opaque to the wire; ``format`` names it)."""

    page_index: int
    format: str
    data: bytes

    def to_wire(self) -> dict[str, Any]:
        return {"page_index": self.page_index, "format": self.format, "data": b64(self.data)}

    @classmethod
    def from_wire(cls, value: Any, path: str = "$") -> BackSidePage:
        fields = Fields(value, path)
        page = cls(
            page_index=fields.integer("page_index", min=0, max=MAX_PAGES - 1),
            format=fields.text("format", pattern=BACK_SIDE_FORMAT, max_len=64),
            data=fields.binary("data", min_len=1, max_len=MAX_BACK_SIDE_BYTES),
        )
        fields.done()
        return page


@dataclass(frozen=True)
class IssuedCopy:
    """One printed copy: its serial, the municipality's front PDF and one back side per page."""

    copy_index: int
    serial: str
    kind: CertificateKind
    title: str
    page_count: int
    front_pdf: bytes
    canonical_text: str  # what the signed 2D code on the back covers (printing.documents)
    back_sides: tuple[BackSidePage, ...]

    def to_wire(self) -> dict[str, Any]:
        return {
            "copy_index": self.copy_index,
            "serial": self.serial,
            "kind": self.kind.value,
            "title": self.title,
            "page_count": self.page_count,
            "front_pdf": b64(self.front_pdf),
            "canonical_text": self.canonical_text,
            "back_sides": [page.to_wire() for page in self.back_sides],
        }

    @classmethod
    def from_wire(cls, value: Any, path: str = "$") -> IssuedCopy:
        fields = Fields(value, path)
        copy = cls(
            copy_index=fields.integer("copy_index", min=0, max=MAX_COPIES - 1),
            serial=fields.text("serial", pattern=SERIAL, max_len=40),
            kind=fields.enum("kind", CertificateKind),
            title=fields.text("title", min_len=1, max_len=128),
            page_count=fields.integer("page_count", min=1, max=MAX_PAGES),
            front_pdf=fields.binary("front_pdf", min_len=5, max_len=MAX_FRONT_PDF_BYTES),
            canonical_text=fields.text("canonical_text", max_len=65536),
            back_sides=fields.items(
                "back_sides", BackSidePage.from_wire, min_len=1, max_len=MAX_PAGES
            ),
        )
        fields.done()
        if not copy.front_pdf.startswith(b"%PDF-"):
            raise WireFormatError(f"{path}.front_pdf", "is not a PDF")
        if [page.page_index for page in copy.back_sides] != list(range(copy.page_count)):
            raise WireFormatError(f"{path}.back_sides", "must be one per page, in page order")
        return copy


@dataclass(frozen=True)
class Envelope:
    """Everything the kiosk needs to take the fee and print, as the center signed it.

    ``business_date`` (format /2, protocol v3) is the center's business day on which the
    issuance is booked and settled (the center's business clock, not the kiosk's date); None
    in a format /1 envelope (protocol v1 and v2).
    """

    issuance_id: str
    kiosk_id: str
    idempotency_key: str
    issued_at: datetime
    pay_before: datetime  # the kiosk takes no money after this instant
    municipality_code: str
    municipality_name: str
    request: CertificateRequest
    fee_yen_per_copy: int
    total_fee_yen: int
    store_fee_per_copy_yen: int
    copies: tuple[IssuedCopy, ...]
    business_date: date | None = None

    def to_wire(self, version: int = PROTOCOL_VERSION) -> dict[str, Any]:
        """The envelope in protocol ``version`` (its request echoes the kiosk's, in the shape
        the kiosk's version has); format /2 when it names the business day (v3)."""
        value: dict[str, Any] = {
            "format": ENVELOPE_FORMAT if self.business_date is not None else ENVELOPE_FORMAT_V1,
            "issuance_id": self.issuance_id,
            "kiosk_id": self.kiosk_id,
            "idempotency_key": self.idempotency_key,
            "issued_at": format_timestamp(self.issued_at),
            "pay_before": format_timestamp(self.pay_before),
            "municipality_code": self.municipality_code,
            "municipality_name": self.municipality_name,
            "request": request_to_wire(self.request, version),
            "fee_yen_per_copy": self.fee_yen_per_copy,
            "total_fee_yen": self.total_fee_yen,
            "store_fee_per_copy_yen": self.store_fee_per_copy_yen,
            "copies": [copy.to_wire() for copy in self.copies],
        }
        if self.business_date is not None:
            value["business_date"] = self.business_date.isoformat()
        return value

    @classmethod
    def from_wire(cls, value: Any, path: str = "$", version: int = PROTOCOL_VERSION) -> Envelope:
        fields = Fields(value, path)
        envelope_format = fields.text("format", max_len=64)
        if envelope_format not in (ENVELOPE_FORMAT, ENVELOPE_FORMAT_V1):
            raise WireFormatError(
                f"{path}.format", f"expected {ENVELOPE_FORMAT} or {ENVELOPE_FORMAT_V1}"
            )
        envelope = cls(
            issuance_id=fields.text("issuance_id", pattern=ISSUANCE_ID, max_len=64),
            kiosk_id=fields.text("kiosk_id", pattern=KIOSK_ID, max_len=64),
            idempotency_key=fields.text("idempotency_key", pattern=IDEMPOTENCY_KEY, max_len=64),
            issued_at=fields.timestamp("issued_at"),
            pay_before=fields.timestamp("pay_before"),
            municipality_code=fields.text(
                "municipality_code", pattern=MUNICIPALITY_CODE, max_len=6
            ),
            municipality_name=fields.text("municipality_name", min_len=1, max_len=64),
            request=request_from_wire(fields.raw("request"), f"{path}.request", version),
            fee_yen_per_copy=fields.integer("fee_yen_per_copy", min=0, max=MAX_FEE_YEN),
            total_fee_yen=fields.integer("total_fee_yen", min=0, max=MAX_FEE_YEN * MAX_COPIES),
            store_fee_per_copy_yen=fields.integer("store_fee_per_copy_yen", min=0, max=10_000),
            copies=fields.items("copies", IssuedCopy.from_wire, min_len=1, max_len=MAX_COPIES),
            business_date=(
                fields.day("business_date") if envelope_format == ENVELOPE_FORMAT else None
            ),
        )
        fields.done()
        envelope._check_consistency(path)
        return envelope

    def _check_consistency(self, path: str) -> None:
        if self.pay_before <= self.issued_at:
            raise WireFormatError(f"{path}.pay_before", "must be after issued_at")
        if self.total_fee_yen != self.fee_yen_per_copy * self.request.copies:
            raise WireFormatError(f"{path}.total_fee_yen", "is not the fee per copy times copies")
        if len(self.copies) != self.request.copies:
            raise WireFormatError(f"{path}.copies", "count differs from the copies requested")
        if [copy.copy_index for copy in self.copies] != list(range(len(self.copies))):
            raise WireFormatError(f"{path}.copies", "must be in copy order")
        if len({copy.serial for copy in self.copies}) != len(self.copies):
            raise WireFormatError(f"{path}.copies", "two copies share a serial")
        if any(copy.kind is not self.request.kind for copy in self.copies):
            raise WireFormatError(f"{path}.copies", "a copy is not the kind requested")


@dataclass(frozen=True)
class SignedIssuance:
    """An envelope as received: parsed, with the exact bytes its signature covers.

    Parsing checks shape only. Use :func:`kiosk.center.verify.verify_issuance` before trusting
    any of it.
    """

    envelope: Envelope
    signed_bytes: bytes  # canonical(envelope JSON value)
    key_id: str
    signature: bytes  # ES256, r || s
    signer_certificate: bytes  # DER

    @classmethod
    def from_wire(cls, value: Any, version: int = PROTOCOL_VERSION) -> SignedIssuance:
        fields = Fields(value)
        envelope_value: JsonValue = fields.raw("envelope")
        signature = fields.obj("signature")
        if signature.text("algorithm", max_len=16) != SIGNATURE_ALGORITHM:
            raise WireFormatError("$.signature.algorithm", f"expected {SIGNATURE_ALGORITHM}")
        result = cls(
            envelope=Envelope.from_wire(envelope_value, "$.envelope", version),
            signed_bytes=canonical(envelope_value),
            key_id=signature.text("key_id", pattern=KEY_ID, max_len=64),
            signature=signature.binary(
                "value", min_len=ES256_SIGNATURE_BYTES, max_len=ES256_SIGNATURE_BYTES
            ),
            signer_certificate=fields.binary(
                "signer_certificate", min_len=1, max_len=MAX_SIGNER_CERTIFICATE_BYTES
            ),
        )
        signature.done()
        fields.done()
        return result


def signed_issuance_to_wire(
    envelope: Envelope,
    *,
    key_id: str,
    signature: bytes,
    signer_certificate: bytes,
    version: int = PROTOCOL_VERSION,
) -> dict[str, Any]:
    """The JSON form of a signed answer (used by the center after signing ``envelope`` in
    protocol ``version``)."""
    return {
        "envelope": envelope.to_wire(version),
        "signature": {"algorithm": SIGNATURE_ALGORITHM, "key_id": key_id, "value": b64(signature)},
        "signer_certificate": b64(signer_certificate),
    }


def envelope_signing_input(envelope: Envelope, version: int = PROTOCOL_VERSION) -> bytes:
    """The bytes the center signs for ``envelope`` answered in protocol ``version``."""
    return canonical(envelope.to_wire(version))
