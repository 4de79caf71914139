"""The JPKI validity service (OCSP responder) and the center's checks of a card's answer.

The responder runs as a real aiohttp HTTP server on loopback; the center's ValidityClient asks
it with real OCSP requests. Responses are also checked with ``openssl ocsp`` as an independent
implementation.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509 import ocsp

from hw_sim.center.keys import CenterKeys
from hw_sim.center.ocsp import OcspResponder, Revocation, ocsp_application
from hw_sim.center.validity import (
    AuthRefused,
    ValidityClient,
    ValidityServiceUnavailable,
    parse_user_certificate,
    verify_challenge_signature,
)
from hw_sim.pki import JpkiTestPki

NOW = datetime.now(UTC)


@pytest.fixture(scope="module")
def keys(center_pki: JpkiTestPki, tmp_path_factory: pytest.TempPathFactory) -> CenterKeys:
    return CenterKeys.load_or_create(tmp_path_factory.mktemp("keys"), center_pki)


def lookup_for(pki: JpkiTestPki) -> Callable[[int], Any]:
    good = pki.credentials("normal").auth_cert.serial_number
    revoked = pki.credentials("revoked").auth_cert.serial_number

    def lookup(serial: int) -> Any:
        if serial == revoked:
            return Revocation(datetime(2026, 4, 1, tzinfo=UTC), x509.ReasonFlags.key_compromise)
        return "good" if serial == good else None

    return lookup


def request_for(
    cert: x509.Certificate, issuer: x509.Certificate, nonce: bytes | None = b"n" * 16
) -> bytes:
    builder = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1())  # noqa: S303
    if nonce is not None:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.build().public_bytes(serialization.Encoding.DER)


@pytest.fixture(scope="module")
def responder(center_pki: JpkiTestPki, keys: CenterKeys) -> OcspResponder:
    return OcspResponder(
        center_pki.auth_ca_cert, keys.ocsp_cert, keys.ocsp_key, lookup_for(center_pki)
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("normal", ocsp.OCSPCertStatus.GOOD),
        ("revoked", ocsp.OCSPCertStatus.REVOKED),
        ("foreign", ocsp.OCSPCertStatus.UNKNOWN),
    ],
)
def test_responder_answers_each_status(
    responder: OcspResponder, center_pki: JpkiTestPki, persona: str, status: Any
) -> None:
    cert = center_pki.credentials(persona).auth_cert
    response = ocsp.load_der_ocsp_response(
        responder.respond(request_for(cert, center_pki.auth_ca_cert))
    )
    assert response.response_status is ocsp.OCSPResponseStatus.SUCCESSFUL
    assert response.certificate_status is status
    assert response.serial_number == cert.serial_number
    assert response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == b"n" * 16
    assert response.next_update_utc is not None
    assert response.this_update_utc < response.next_update_utc
    signer = response.certificates[0]
    signer.public_key().verify(  # type: ignore[union-attr, call-arg]
        response.signature, response.tbs_response_bytes, padding.PKCS1v15(), hashes.SHA256()
    )
    signer.verify_directly_issued_by(center_pki.auth_ca_cert)
    if status is ocsp.OCSPCertStatus.REVOKED:
        assert response.revocation_reason is x509.ReasonFlags.key_compromise


def test_responder_refuses_other_cas_and_garbage(
    responder: OcspResponder, center_pki: JpkiTestPki
) -> None:
    sign_cert = center_pki.credentials("normal").sign_cert
    assert sign_cert is not None
    foreign = ocsp.load_der_ocsp_response(
        responder.respond(request_for(sign_cert, center_pki.sign_ca_cert))
    )
    assert foreign.response_status is ocsp.OCSPResponseStatus.UNAUTHORIZED
    for garbage in (b"", b"\x30\x03\x02\x01\x00", b"not der at all"):
        answer = ocsp.load_der_ocsp_response(responder.respond(garbage))
        assert answer.response_status is ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_openssl_accepts_the_responder(
    responder: OcspResponder, center_pki: JpkiTestPki, tmp_path: Path
) -> None:
    """An independent OCSP implementation verifies the signed response and reads the status."""
    cert = center_pki.credentials("revoked").auth_cert
    (tmp_path / "req.der").write_bytes(request_for(cert, center_pki.auth_ca_cert))
    (tmp_path / "resp.der").write_bytes(responder.respond((tmp_path / "req.der").read_bytes()))
    (tmp_path / "ca.pem").write_bytes(
        center_pki.auth_ca_cert.public_bytes(serialization.Encoding.PEM)
    )
    # -reqin: openssl checks the response against our request (its nonce included).
    result = subprocess.run(
        [
            "openssl",
            "ocsp",
            "-respin",
            str(tmp_path / "resp.der"),
            "-reqin",
            str(tmp_path / "req.der"),
            "-CAfile",
            str(tmp_path / "ca.pem"),
            "-resp_text",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    assert "Response verify OK" in output
    assert "Cert Status: revoked" in output
    assert "Revocation Reason: keyCompromise" in output


# -- the center's client of the service, over real HTTP --------------------------------------
async def _with_service(
    app: web.Application, body: Callable[[str, aiohttp.ClientSession], Any]
) -> Any:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with aiohttp.ClientSession() as http:
            return await body(f"http://127.0.0.1:{port}/ocsp", http)
    finally:
        await runner.cleanup()


def ask(app: web.Application, pki: JpkiTestPki, persona: str) -> None:
    cert = pki.credentials(persona).auth_cert

    async def body(url: str, http: aiohttp.ClientSession) -> None:
        await ValidityClient(url, [pki.auth_ca_cert], http).check(cert)

    asyncio.run(_with_service(app, body))


def test_validity_client_good_revoked_unknown(
    responder: OcspResponder, center_pki: JpkiTestPki
) -> None:
    app = ocsp_application(responder)
    ask(app, center_pki, "normal")
    with pytest.raises(AuthRefused, match="certificate_revoked"):
        ask(ocsp_application(responder), center_pki, "revoked")
    with pytest.raises(AuthRefused, match="certificate_status_unknown"):
        ask(ocsp_application(responder), center_pki, "foreign")


def test_validity_client_refuses_a_replayed_answer(
    responder: OcspResponder, center_pki: JpkiTestPki
) -> None:
    """A response with another nonce (a replay of an old 'good') is not trusted."""
    cert = center_pki.credentials("revoked").auth_cert
    old_good = OcspResponder(
        center_pki.auth_ca_cert, responder.responder_cert, responder.responder_key, lambda s: "good"
    )
    recorded = old_good.respond(
        request_for(cert, center_pki.auth_ca_cert, nonce=b"old-nonce-123456")
    )

    async def replay(request: web.Request) -> web.Response:
        return web.Response(body=recorded, content_type="application/ocsp-response")

    app = web.Application()
    app.router.add_post("/ocsp", replay)
    with pytest.raises(ValidityServiceUnavailable, match="nonce"):
        ask(app, center_pki, "revoked")


def test_validity_client_refuses_a_forged_responder(
    center_pki: JpkiTestPki, keys: CenterKeys, tmp_path: Path
) -> None:
    """A responder whose certificate the JPKI CA never issued cannot say 'good'."""
    impostor_keys = CenterKeys.load_or_create(
        tmp_path / "other", JpkiTestPki.load_or_create(tmp_path / "other-pki")
    )
    forged = OcspResponder(
        center_pki.auth_ca_cert, impostor_keys.ocsp_cert, impostor_keys.ocsp_key, lambda s: "good"
    )
    with pytest.raises(ValidityServiceUnavailable, match="not signed by the CA"):
        ask(ocsp_application(forged), center_pki, "revoked")


@pytest.mark.parametrize("answer", [b"", b"<html>busy</html>"])
def test_validity_client_treats_a_broken_service_as_unavailable(
    center_pki: JpkiTestPki, answer: bytes
) -> None:
    async def broken(request: web.Request) -> web.Response:
        return web.Response(body=answer, content_type="application/ocsp-response")

    app = web.Application()
    app.router.add_post("/ocsp", broken)
    with pytest.raises(ValidityServiceUnavailable):
        ask(app, center_pki, "normal")


def test_validity_client_treats_no_service_as_unavailable(center_pki: JpkiTestPki) -> None:
    async def body() -> None:
        async with aiohttp.ClientSession() as http:
            client = ValidityClient("http://127.0.0.1:9/ocsp", [center_pki.auth_ca_cert], http)
            await client.check(center_pki.credentials("normal").auth_cert)

    with pytest.raises(ValidityServiceUnavailable):
        asyncio.run(body())


# -- the certificate and signature checks ----------------------------------------------------
def test_expired_certificate_is_refused(center_pki: JpkiTestPki) -> None:
    der = center_pki.credentials("expired").auth_cert.public_bytes(serialization.Encoding.DER)
    with pytest.raises(AuthRefused, match="certificate_expired"):
        parse_user_certificate(der, [center_pki.auth_ca_cert], NOW)


def test_certificate_not_yet_valid_is_refused(center_pki: JpkiTestPki) -> None:
    cert = center_pki.credentials("normal").auth_cert
    with pytest.raises(AuthRefused, match="certificate_not_yet_valid"):
        parse_user_certificate(
            cert.public_bytes(serialization.Encoding.DER),
            [center_pki.auth_ca_cert],
            cert.not_valid_before_utc - timedelta(days=1),
        )


def test_signing_certificate_is_not_an_auth_certificate(center_pki: JpkiTestPki) -> None:
    sign_cert = center_pki.credentials("normal").sign_cert
    assert sign_cert is not None
    with pytest.raises(AuthRefused, match="certificate_invalid"):
        parse_user_certificate(
            sign_cert.public_bytes(serialization.Encoding.DER), [center_pki.sign_ca_cert], NOW
        )


def test_untrusted_and_malformed_certificates_are_refused(
    center_pki: JpkiTestPki, tmp_path: Path
) -> None:
    other = JpkiTestPki.load_or_create(tmp_path / "other-pki")
    foreign = other.credentials("normal").auth_cert.public_bytes(serialization.Encoding.DER)
    with pytest.raises(AuthRefused, match="certificate_untrusted"):
        parse_user_certificate(foreign, [center_pki.auth_ca_cert], NOW)
    with pytest.raises(AuthRefused, match="certificate_invalid"):
        parse_user_certificate(b"\x30\x82\x01\x00garbage", [center_pki.auth_ca_cert], NOW)


def test_signature_over_another_message_is_refused(center_pki: JpkiTestPki) -> None:
    credentials = center_pki.credentials("normal")
    signature = credentials.auth_key.sign(b"message", padding.PKCS1v15(), hashes.SHA256())
    verify_challenge_signature(credentials.auth_cert, b"message", signature)
    with pytest.raises(AuthRefused, match="signature_invalid"):
        verify_challenge_signature(credentials.auth_cert, b"another message", signature)
