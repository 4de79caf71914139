"""Checking a card's answer to a challenge: the certificate, its chain, validity and
revocation (through the JPKI validity service), and the signature over the challenge.

The order and the reason codes are those of docs/center-protocol.md, "Authentication". A
failure the resident can be told about is an :class:`AuthRefused` with a stable reason; a
validity service that cannot be asked is :class:`ValidityServiceUnavailable` (retryable, not
the resident's fault).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiohttp
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

log = logging.getLogger(__name__)

# The center waits this long for the validity service; the kiosk's read timeout for the session
# call (15 s, docs/center-protocol.md) is longer, so the kiosk gets a typed 503 first.
OCSP_TIMEOUT_S = 5.0
# Clock skew tolerated between the center and the validity service when judging freshness.
OCSP_SKEW = timedelta(minutes=5)
OCSP_NONCE_BYTES = 16  # RFC 8954 recommends 1..32 octets; 16 random bytes cannot be replayed


class AuthRefused(Exception):
    """The card's answer is refused for ``reason`` (a code from kiosk.center.wire.AUTH_REASONS)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class ValidityServiceUnavailable(Exception):
    """The JPKI validity service could not be asked or gave no usable answer."""


@dataclass(frozen=True)
class CheckedCard:
    card_identifier: str  # the auth certificate's CN (識別符号)
    serial: int


# What cryptography raises for a certificate it cannot parse, at load time or when a field is
# read (its Rust parser reads fields lazily): ValueError, and four types that are not
# ValueError — InvalidVersion, DuplicateExtension, UnsupportedGeneralNameType,
# UnsupportedAlgorithm — plus TypeError for keys that do not fit. The same list as
# cardio.certificate.CERTIFICATE_PARSE_ERRORS (hw_sim never imports cardio).
CERTIFICATE_PARSE_ERRORS: tuple[type[Exception], ...] = (
    ValueError,
    TypeError,
    x509.InvalidVersion,
    x509.DuplicateExtension,
    x509.UnsupportedGeneralNameType,
    UnsupportedAlgorithm,
)
_UNUSABLE: tuple[type[Exception], ...] = (*CERTIFICATE_PARSE_ERRORS, x509.ExtensionNotFound)
_NOT_ISSUED_BY: tuple[type[Exception], ...] = (*CERTIFICATE_PARSE_ERRORS, InvalidSignature)
_UNUSABLE_RESPONDER: tuple[type[Exception], ...] = (*_NOT_ISSUED_BY, x509.ExtensionNotFound)


def parse_user_certificate(
    der: bytes, roots: list[x509.Certificate], now: datetime
) -> x509.Certificate:
    """Parse and check a user-authentication certificate up to (not including) revocation.

    Every field the center reads later (subject, serial, validity, key) is read here, so that a
    certificate that does not parse is refused as ``certificate_invalid`` (a 422 the resident is
    told about), never an exception that becomes a 500.
    """
    try:
        cert = x509.load_der_x509_certificate(der)
        public_key = cert.public_key()
        key_usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
        names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        countries = cert.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)
        subject_size = len(cert.subject)
        identifier = str(names[0].value) if len(names) == 1 else ""
        validity = (cert.not_valid_before_utc, cert.not_valid_after_utc)
        cert.serial_number  # noqa: B018 - parsed now: the OCSP request needs it
        cert.issuer  # noqa: B018 - parsed now: the chain check needs it
    except _UNUSABLE as exc:
        raise AuthRefused("certificate_invalid", type(exc).__name__) from None
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise AuthRefused("certificate_invalid", "not an RSA key")
    usage = key_usage.value
    if not key_usage.critical or not usage.digital_signature or usage.key_cert_sign:
        raise AuthRefused("certificate_invalid", "key usage is not digitalSignature")
    if not identifier or [c.value for c in countries] != ["JP"] or subject_size != 2:
        raise AuthRefused("certificate_invalid", "subject is not C=JP, CN=<identifier>")
    issuer = _issuer_of(cert, roots)
    if issuer is None:
        raise AuthRefused("certificate_untrusted")
    if now < validity[0]:
        raise AuthRefused("certificate_not_yet_valid")
    if now > validity[1]:
        raise AuthRefused("certificate_expired")
    return cert


def _issuer_of(cert: x509.Certificate, roots: list[x509.Certificate]) -> x509.Certificate | None:
    # All generations of the JPKI root share one DN (jpki-card.md §10.1): pick by signature.
    for root in roots:
        if root.subject != cert.issuer:
            continue
        try:
            cert.verify_directly_issued_by(root)
        except _NOT_ISSUED_BY:
            continue
        return root
    return None


def verify_challenge_signature(cert: x509.Certificate, message: bytes, signature: bytes) -> None:
    """RSASSA-PKCS1-v1_5 with SHA-256 over the auth message (jpki-card.md §4.3)."""
    public_key = cert.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise AuthRefused("certificate_invalid", "not an RSA key")
    try:
        public_key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        raise AuthRefused("signature_invalid") from None


class ValidityClient:
    """Asks the JPKI validity service (OCSP over HTTP) about one certificate at a time."""

    def __init__(
        self, url: str, roots: list[x509.Certificate], session: aiohttp.ClientSession
    ) -> None:
        self.url = url
        self.roots = roots
        self._session = session

    async def check(self, cert: x509.Certificate, now: datetime | None = None) -> None:
        """Return if the service says ``good``; raise AuthRefused or ValidityServiceUnavailable."""
        issuer = _issuer_of(cert, self.roots)
        if issuer is None:
            raise AuthRefused("certificate_untrusted")
        nonce = secrets.token_bytes(OCSP_NONCE_BYTES)
        request = (
            ocsp.OCSPRequestBuilder()
            .add_certificate(cert, issuer, hashes.SHA256())
            .add_extension(x509.OCSPNonce(nonce), critical=False)
            .build()
        )
        try:
            async with self._session.post(
                self.url,
                data=request.public_bytes(serialization.Encoding.DER),
                headers={"Content-Type": "application/ocsp-request"},
                timeout=aiohttp.ClientTimeout(total=OCSP_TIMEOUT_S),
            ) as answer:
                if answer.status != 200 or answer.content_type != "application/ocsp-response":
                    raise ValidityServiceUnavailable(f"HTTP {answer.status} {answer.content_type}")
                body = await answer.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ValidityServiceUnavailable(type(exc).__name__) from None
        try:
            status = self._judge(body, cert, issuer, nonce, now or datetime.now(UTC))
        except _UNUSABLE as exc:  # a field of the response (or its certificates) does not parse
            raise ValidityServiceUnavailable(f"OCSP response: {type(exc).__name__}") from None
        if status is ocsp.OCSPCertStatus.REVOKED:
            raise AuthRefused("certificate_revoked")
        if status is ocsp.OCSPCertStatus.UNKNOWN:
            raise AuthRefused("certificate_status_unknown")

    def _judge(
        self,
        body: bytes,
        cert: x509.Certificate,
        issuer: x509.Certificate,
        nonce: bytes,
        now: datetime,
    ) -> ocsp.OCSPCertStatus:
        try:
            response = ocsp.load_der_ocsp_response(body)
        except ValueError:
            raise ValidityServiceUnavailable("malformed OCSP response") from None
        if response.response_status is not ocsp.OCSPResponseStatus.SUCCESSFUL:
            raise ValidityServiceUnavailable(f"OCSP status {response.response_status.name}")
        signer = self._signer(response, issuer)
        signer_key = signer.public_key()
        try:
            algorithm = response.signature_hash_algorithm
        except UnsupportedAlgorithm:
            algorithm = None
        if not isinstance(signer_key, rsa.RSAPublicKey) or algorithm is None:
            raise ValidityServiceUnavailable("OCSP response signed with an unexpected algorithm")
        try:
            signer_key.verify(
                response.signature, response.tbs_response_bytes, padding.PKCS1v15(), algorithm
            )
        except (InvalidSignature, ValueError):
            raise ValidityServiceUnavailable("OCSP response signature does not verify") from None
        try:
            echoed = response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
        except x509.ExtensionNotFound:
            echoed = None
        if echoed != nonce:
            raise ValidityServiceUnavailable("OCSP nonce missing or different (replay?)")
        if response.serial_number != cert.serial_number:
            raise ValidityServiceUnavailable("OCSP response is about another certificate")
        this_update = response.this_update_utc
        next_update = response.next_update_utc
        if this_update > now + OCSP_SKEW or (
            next_update is not None and next_update < now - OCSP_SKEW
        ):
            raise ValidityServiceUnavailable("OCSP response is not fresh")
        return response.certificate_status

    def _signer(self, response: ocsp.OCSPResponse, issuer: x509.Certificate) -> x509.Certificate:
        """The CA itself, or a delegated responder it certified for OCSP signing.

        RFC 6960 §4.2.2.2: a delegated responder carries id-kp-OCSPSigning and is issued by the CA.
        """
        if _responder_matches(response, issuer):
            return issuer
        for candidate in response.certificates:
            if not _responder_matches(response, candidate):
                continue
            try:
                candidate.verify_directly_issued_by(issuer)
                eku = candidate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
            except _UNUSABLE_RESPONDER:
                continue
            now = datetime.now(UTC)
            valid = candidate.not_valid_before_utc <= now <= candidate.not_valid_after_utc
            if ExtendedKeyUsageOID.OCSP_SIGNING in eku and valid:
                return candidate
        raise ValidityServiceUnavailable("OCSP response not signed by the CA or its responder")


def _responder_matches(response: ocsp.OCSPResponse, cert: x509.Certificate) -> bool:
    if response.responder_name is not None:
        return response.responder_name == cert.subject
    # RFC 6960 §4.2.1: KeyHash is the SHA-1 of the key (an identifier, not a signature).
    key_hash = hashes.Hash(hashes.SHA1())  # noqa: S303
    public = cert.public_key()
    if not isinstance(public, rsa.RSAPublicKey):
        return False
    key_hash.update(
        public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    )
    return response.responder_key_hash == key_hash.finalize()
