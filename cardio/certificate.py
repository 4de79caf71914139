"""A summary of a JPKI certificate for display and logs (no personal data in the
authentication certificate: its subject is ``C=JP, CN=<opaque identifier>``, jpki-card.md §10.2).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import rsa

from cardio.errors import MalformedResponse

__all__ = ["CertificateSummary", "summarize_certificate"]


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
    """Parse DER; any parse failure becomes :class:`MalformedResponse`."""
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError as exc:
        raise MalformedResponse(f"certificate does not parse: {exc}") from None


def summarize_certificate(der: bytes) -> CertificateSummary:
    """Summary of a DER certificate."""
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
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise MalformedResponse(f"certificate fields do not parse: {exc}") from None
