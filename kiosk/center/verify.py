"""The kiosk's checks of an issuance envelope before any money is taken
(docs/center-protocol.md, "The envelope").

An envelope is accepted only if the center's envelope-signing certificate chains to the pinned
center CA and is meant for envelopes, its ES256 signature verifies over the canonical form, and
the envelope is the answer to exactly this kiosk's request. Anything else raises
:class:`~kiosk.center.errors.EnvelopeRejected`.
"""

from __future__ import annotations

from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from cardio.certificate import CERTIFICATE_PARSE_ERRORS
from kiosk.center import wire
from kiosk.center.errors import EnvelopeRejected
from printing.certificates import CertificateRequest

_EKU = x509.ObjectIdentifier(wire.ENVELOPE_SIGNING_EKU)
# A signer certificate that does not parse, or whose signature does not verify.
_SIGNER_FAILURES: tuple[type[Exception], ...] = (*CERTIFICATE_PARSE_ERRORS, InvalidSignature)


def check_signer(
    signer_der: bytes, ca: x509.Certificate, now: datetime
) -> ec.EllipticCurvePublicKey:
    """The envelope signer's public key, if its certificate is the center's envelope signer.

    The certificate comes from the network: anything in it that does not parse — whichever
    exception cryptography raises for it (cardio.certificate.CERTIFICATE_PARSE_ERRORS) — is
    :class:`EnvelopeRejected`, like any other failed check.
    """
    try:
        return _signer_key(signer_der, ca, now)
    except _SIGNER_FAILURES as exc:
        raise EnvelopeRejected(
            f"signer certificate does not parse or verify: {type(exc).__name__}"
        ) from None


def _signer_key(
    signer_der: bytes, ca: x509.Certificate, now: datetime
) -> ec.EllipticCurvePublicKey:
    signer = x509.load_der_x509_certificate(signer_der)
    if signer.issuer != ca.subject:
        raise EnvelopeRejected("signer certificate is not issued by the pinned center CA")
    try:
        signer.verify_directly_issued_by(ca)
    except _SIGNER_FAILURES:
        raise EnvelopeRejected(
            "signer certificate does not verify with the pinned center CA"
        ) from None
    if not signer.not_valid_before_utc <= now <= signer.not_valid_after_utc:
        raise EnvelopeRejected("signer certificate is outside its validity period")
    try:
        usage = signer.extensions.get_extension_for_class(x509.KeyUsage).value
        purposes = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        constraints = signer.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        raise EnvelopeRejected(
            "signer certificate lacks key usage, EKU or basic constraints"
        ) from None
    if not usage.digital_signature or constraints.ca or _EKU not in purposes:
        raise EnvelopeRejected("signer certificate is not an envelope-signing certificate")
    public_key = signer.public_key()
    if (
        not isinstance(public_key, ec.EllipticCurvePublicKey)
        or public_key.curve.name != "secp256r1"
    ):
        raise EnvelopeRejected("signer key is not ECDSA P-256")
    return public_key


def verify_issuance(
    signed: wire.SignedIssuance,
    *,
    ca: x509.Certificate,
    kiosk_id: str,
    idempotency_key: str,
    request: CertificateRequest,
    now: datetime,
) -> wire.Envelope:
    """Return the envelope if every check passes, else raise EnvelopeRejected naming the check."""
    public_key = check_signer(signed.signer_certificate, ca, now)
    r = int.from_bytes(signed.signature[:32], "big")
    s = int.from_bytes(signed.signature[32:], "big")
    try:
        public_key.verify(
            encode_dss_signature(r, s), signed.signed_bytes, ec.ECDSA(hashes.SHA256())
        )
    except InvalidSignature:
        raise EnvelopeRejected("envelope signature does not verify") from None
    envelope = signed.envelope
    if envelope.kiosk_id != kiosk_id:
        raise EnvelopeRejected("envelope is for another kiosk")
    if envelope.idempotency_key != idempotency_key:
        raise EnvelopeRejected("envelope answers another idempotency key")
    if envelope.request != request:
        raise EnvelopeRejected("envelope is not for the request that was sent")
    if envelope.store_fee_per_copy_yen != wire.STORE_FEE_PER_COPY_YEN:
        raise EnvelopeRejected("envelope has an unexpected store fee")
    if envelope.pay_before <= now:
        raise EnvelopeRejected("envelope is past its pay-before time")
    if envelope.business_date is None:  # protocol v3: the day closing reconciles by
        raise EnvelopeRejected("envelope names no business day")
    return envelope
