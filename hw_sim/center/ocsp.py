"""The JPKI validity service: a real OCSP responder (RFC 6960) over HTTP for the JPKI-TEST
user-authentication certificates.

It stands in for the JPKI center (公的個人認証サービスセンター), which gives revocation status only
to authorised relying parties (jpki-card.md §10.2). Responses are signed by the delegated
responder certificate from hw_sim/center/keys.py (issued by the JPKI-TEST user-authentication
CA, EKU OCSPSigning, id-pkix-ocsp-nocheck), echo the request nonce, and say:

- ``revoked`` for the auth certificates of personas flagged ``revoked`` and for serials revoked
  at run time (the center's ``revocations`` table; admin endpoint);
- ``good`` for the other auth certificates the test PKI issued to personas;
- ``unknown`` for any other serial of this CA; requests about another CA are ``unauthorized``.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiohttp import web
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509 import ocsp

log = logging.getLogger(__name__)

OCSP_REQUEST_TYPE = "application/ocsp-request"
OCSP_RESPONSE_TYPE = "application/ocsp-response"
# How long a response may be relied upon (nextUpdate - thisUpdate). Short, because runtime
# revocations in tests must be seen at once and the center does not cache.
RESPONSE_VALIDITY = timedelta(minutes=10)
MAX_REQUEST_BYTES = 16 * 1024  # a one-certificate request with a nonce is ~120 bytes
# Revocation time of the personas flagged ``revoked`` (fixed, so answers are reproducible).
PERSONA_REVOCATION_TIME = datetime(2026, 4, 1, tzinfo=UTC)

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,  # RFC 6960 requests usually name SHA-1 for the CertID (not a signature)
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


@dataclass(frozen=True)
class Revocation:
    revoked_at: datetime
    reason: x509.ReasonFlags


# serial → "good" / Revocation / None (unknown)
StatusLookup = Callable[[int], "str | Revocation | None"]


def _issuer_hashes(
    issuer: x509.Certificate, algorithm: hashes.HashAlgorithm
) -> tuple[bytes, bytes]:
    """(issuerNameHash, issuerKeyHash) of the CA for ``algorithm`` (RFC 6960 §4.1.1)."""
    name = hashes.Hash(algorithm)
    name.update(issuer.subject.public_bytes())
    key = hashes.Hash(type(algorithm)())
    public = issuer.public_key()
    if not isinstance(public, rsa.RSAPublicKey):
        raise TypeError("the JPKI CAs have RSA keys (jpki-card.md §10.1)")
    key.update(public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1))
    return name.finalize(), key.finalize()


class OcspResponder:
    """Build signed OCSP responses for one CA from a status lookup."""

    def __init__(
        self,
        issuer: x509.Certificate,
        responder_cert: x509.Certificate,
        responder_key: rsa.RSAPrivateKey,
        lookup: StatusLookup,
    ) -> None:
        self.issuer = issuer
        self.responder_cert = responder_cert
        self.responder_key = responder_key
        self.lookup = lookup

    def respond(self, request_der: bytes, now: datetime | None = None) -> bytes:
        """The DER OCSP response to a DER request (malformed → ``malformedRequest``)."""
        now = now or datetime.now(UTC)
        try:
            request = ocsp.load_der_ocsp_request(request_der)
            algorithm_name = request.hash_algorithm.name
            request_nonce = _nonce(request.extensions)
            serial = request.serial_number
            name_hash, key_hash = request.issuer_name_hash, request.issuer_key_hash
        except (ValueError, TypeError, NotImplementedError, UnsupportedAlgorithm):
            return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
        if algorithm_name not in _HASHES:
            return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
        algorithm = _HASHES[algorithm_name]()
        if (name_hash, key_hash) != _issuer_hashes(self.issuer, algorithm):
            return _unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED)
        status = self.lookup(serial)
        revocation_time: datetime | None = None
        reason: x509.ReasonFlags | None = None
        if status == "good":
            cert_status = ocsp.OCSPCertStatus.GOOD
        elif isinstance(status, Revocation):
            cert_status = ocsp.OCSPCertStatus.REVOKED
            revocation_time, reason = status.revoked_at, status.reason
        else:
            cert_status = ocsp.OCSPCertStatus.UNKNOWN
        this_update = now.replace(microsecond=0)
        builder = (
            ocsp.OCSPResponseBuilder()
            .add_response_by_hash(
                issuer_name_hash=name_hash,
                issuer_key_hash=key_hash,
                serial_number=serial,
                algorithm=algorithm,
                cert_status=cert_status,
                this_update=this_update,
                next_update=this_update + RESPONSE_VALIDITY,
                revocation_time=revocation_time,
                revocation_reason=reason,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, self.responder_cert)
            .certificates([self.responder_cert])
        )
        if request_nonce is not None:
            builder = builder.add_extension(x509.OCSPNonce(request_nonce), critical=False)
        response = builder.sign(self.responder_key, hashes.SHA256())
        return response.public_bytes(serialization.Encoding.DER)


def _nonce(extensions: x509.Extensions) -> bytes | None:
    try:
        return extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
    except x509.ExtensionNotFound:
        return None


def _unsuccessful(status: ocsp.OCSPResponseStatus) -> bytes:
    return ocsp.OCSPResponseBuilder.build_unsuccessful(status).public_bytes(
        serialization.Encoding.DER
    )


def ocsp_application(responder: OcspResponder) -> web.Application:
    """The aiohttp application of the validity service: ``POST /ocsp`` and ``GET /ocsp/{b64}``."""

    async def post(request: web.Request) -> web.Response:
        if request.content_type != OCSP_REQUEST_TYPE:
            return web.Response(status=415, text="expected application/ocsp-request")
        if request.content_length is not None and request.content_length > MAX_REQUEST_BYTES:
            return web.Response(status=413)
        body = await request.read()
        return _answer(responder.respond(body))

    async def get(request: web.Request) -> web.Response:
        # RFC 6960 A.1: GET {url}/{url-encoding of base-64 encoding of the DER request}
        try:
            der = base64.b64decode(request.match_info["encoded"], validate=True)
        except (binascii.Error, ValueError):
            return _answer(_unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST))
        return _answer(responder.respond(der))

    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    app.router.add_post("/ocsp", post)
    app.router.add_get("/ocsp/{encoded:.+}", get)
    return app


def _answer(der: bytes) -> web.Response:
    return web.Response(body=der, content_type=OCSP_RESPONSE_TYPE)
