"""A summary of a JPKI certificate for display and logs (no personal data in the
authentication certificate: its subject is ``C=JP, CN=<opaque identifier>``, jpki-card.md §10.2).

The DER comes from the card, so it is untrusted input: every failure to parse it, whichever
exception ``cryptography`` uses for it, is :class:`~cardio.errors.MalformedCertificate`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import rsa

from cardio.errors import MalformedCertificate

__all__ = ["CERTIFICATE_PARSE_ERRORS", "CertificateSummary", "summarize_certificate"]

# What cryptography (≥ 42, its Rust X.509 parser) raises for a certificate it cannot parse, at
# load time or when a field is read (fields are parsed lazily): ValueError for most DER and
# field errors, and four exception types that are *not* ValueError — InvalidVersion (a version
# other than v1/v3), DuplicateExtension, UnsupportedGeneralNameType (in a name extension) and
# UnsupportedAlgorithm (a key or signature algorithm it does not know). TypeError comes from
# key types that do not fit the operation. Checked by tests/cardio/test_certificate_mutations.py
# (every byte of a real certificate mutated).
CERTIFICATE_PARSE_ERRORS: tuple[type[Exception], ...] = (
    ValueError,
    TypeError,
    x509.InvalidVersion,
    x509.DuplicateExtension,
    x509.UnsupportedGeneralNameType,
    UnsupportedAlgorithm,
)


@dataclass(frozen=True)
class CertificateSummary:
    """Subject, issuer, serial and validity (UTC) of a certificate read from the card."""

    subject: str
    issuer: str
    serial: int
    not_before: datetime
    not_after: datetime
    key_bits: int | None

    def serial_hash(self, salt: bytes) -> str:
        """Salted SHA-256 of the serial: the only form of it allowed in logs (architecture.md)."""
        serial_bytes = self.serial.to_bytes((self.serial.bit_length() + 7) // 8 or 1, "big")
        return hashlib.sha256(salt + serial_bytes).hexdigest()[:16]


def load_certificate(der: bytes) -> x509.Certificate:
    """Parse DER; any parse failure becomes :class:`MalformedCertificate`."""
    try:
        return x509.load_der_x509_certificate(der)
    except CERTIFICATE_PARSE_ERRORS as exc:
        raise MalformedCertificate(f"certificate does not parse: {type(exc).__name__}") from None


def summarize_certificate(der: bytes) -> CertificateSummary:
    """Summary of a DER certificate; :class:`MalformedCertificate` if any part of it that the
    summary reads does not parse."""
    cert = load_certificate(der)
    try:
        public_key = cert.public_key()
        bits = public_key.key_size if isinstance(public_key, rsa.RSAPublicKey) else None
        return CertificateSummary(
            subject=cert.subject.rfc4514_string(),
            issuer=cert.issuer.rfc4514_string(),
            serial=cert.serial_number,
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
            key_bits=bits,
        )
    except CERTIFICATE_PARSE_ERRORS as exc:
        detail = type(exc).__name__
        raise MalformedCertificate(f"certificate fields do not parse: {detail}") from None
