"""The kiosk's envelope check: a correctly signed envelope for this request passes; every
tampering, a wrong signer, or an envelope for another request is rejected."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from hw_sim.center.render import es256
from kiosk.center import wire
from kiosk.center.errors import EnvelopeRejected
from kiosk.center.verify import verify_issuance
from printing.certificates import CertificateKind, CertificateRequest, JuminhyoOptions, Jurisdiction

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
REQUEST = CertificateRequest(CertificateKind.JUMINHYO, Jurisdiction.RESIDENCE, JuminhyoOptions(), 2)
KEY = "0123456789abcdef0123456789abcdef"
EKU = x509.ObjectIdentifier(wire.ENVELOPE_SIGNING_EKU)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_ca(key: Any = None) -> tuple[x509.Certificate, Any]:
    key = key or ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("test center CA"))
        .issuer_name(_name("test center CA"))
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def make_signer(
    ca: tuple[x509.Certificate, Any],
    *,
    eku: x509.ObjectIdentifier | None = EKU,
    key: Any = None,
    not_after: datetime = NOW + timedelta(days=30),
    is_ca: bool = False,
) -> tuple[x509.Certificate, Any]:
    key = key or ec.generate_private_key(ec.SECP256R1())
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name("envelope signer"))
        .issuer_name(ca[0].subject)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, is_ca, False, False, False),
            critical=True,
        )
    )
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([eku]), critical=True)
    return builder.sign(ca[1], hashes.SHA256()), key


def envelope(**changes: Any) -> wire.Envelope:
    copies = tuple(
        wire.IssuedCopy(
            copy_index=index,
            serial=f"131202-261126-000001-{index + 1}",
            kind=CertificateKind.JUMINHYO,
            title="住民票の写し",
            page_count=1,
            front_pdf=b"%PDF-1.4 test",
            canonical_text="住民票",
            back_sides=(wire.BackSidePage(0, "test/1", b"back"),),
        )
        for index in range(2)
    )
    fields: dict[str, Any] = {
        "issuance_id": "iss-000000000001",
        "kiosk_id": "kiosk-0001",
        "idempotency_key": KEY,
        "issued_at": NOW,
        "pay_before": NOW + timedelta(minutes=15),
        "municipality_code": "131202",
        "municipality_name": "練馬区",
        "request": REQUEST,
        "fee_yen_per_copy": 200,
        "total_fee_yen": 400,
        "store_fee_per_copy_yen": 115,
        "copies": copies,
        "business_date": NOW.astimezone(wire.JST).date(),
    }
    fields.update(changes)
    return wire.Envelope(**fields)


def signed_value(env: wire.Envelope, signer: tuple[x509.Certificate, Any]) -> dict[str, Any]:
    return wire.signed_issuance_to_wire(
        env,
        key_id="envelope-1",
        signature=es256(signer[1], wire.envelope_signing_input(env)),
        signer_certificate=signer[0].public_bytes(Encoding.DER),
    )


def check(value: dict[str, Any], ca: x509.Certificate, **kwargs: Any) -> wire.Envelope:
    signed = wire.SignedIssuance.from_wire(wire.loads(wire.dumps(value)))
    options: dict[str, Any] = {
        "ca": ca,
        "kiosk_id": "kiosk-0001",
        "idempotency_key": KEY,
        "request": REQUEST,
        "now": NOW,
    }
    options.update(kwargs)
    return verify_issuance(signed, **options)


@pytest.fixture(scope="module")
def ca() -> tuple[x509.Certificate, Any]:
    return make_ca()


@pytest.fixture(scope="module")
def signer(ca: tuple[x509.Certificate, Any]) -> tuple[x509.Certificate, Any]:
    return make_signer(ca)


def test_a_correct_envelope_is_accepted(ca: Any, signer: Any) -> None:
    env = envelope()
    assert check(signed_value(env, signer), ca[0]) == env


@pytest.mark.parametrize(
    "path",
    [
        ("fee_yen_per_copy",),
        ("municipality_code",),
        ("copies", 0, "serial"),
        ("copies", 1, "front_pdf"),
        ("copies", 0, "back_sides", 0, "data"),
        ("copies", 0, "canonical_text"),
        ("issued_at",),
    ],
)
def test_any_tampering_is_rejected(ca: Any, signer: Any, path: tuple[Any, ...]) -> None:
    value = signed_value(envelope(), signer)
    target = value["envelope"]
    for step in path[:-1]:
        target = target[step]
    original = target[path[-1]]
    if isinstance(original, int):
        target[path[-1]] = original + 1
        if path == ("fee_yen_per_copy",):
            value["envelope"]["total_fee_yen"] = (original + 1) * 2
    elif path[-1] in ("front_pdf", "data"):
        raw = bytearray(base64.b64decode(original))
        raw[-1] ^= 1
        target[path[-1]] = base64.b64encode(bytes(raw)).decode()
    elif path[-1] == "issued_at":
        target[path[-1]] = "2026-11-26T09:59:59+09:00"
    else:
        target[path[-1]] = original[:-1] + ("9" if original[-1] != "9" else "8")
    with pytest.raises(EnvelopeRejected, match="signature does not verify"):
        check(value, ca[0])


def test_a_flipped_signature_bit_is_rejected(ca: Any, signer: Any) -> None:
    value = signed_value(envelope(), signer)
    raw = bytearray(base64.b64decode(value["signature"]["value"]))
    raw[5] ^= 0x40
    value["signature"]["value"] = base64.b64encode(bytes(raw)).decode()
    with pytest.raises(EnvelopeRejected):
        check(value, ca[0])


def test_a_signer_from_another_ca_is_rejected(signer: Any) -> None:
    other_ca = make_ca()
    value = signed_value(envelope(), make_signer(other_ca))
    with pytest.raises(EnvelopeRejected, match="pinned center CA"):
        check(value, make_ca()[0])


def test_a_self_signed_signer_with_the_ca_name_is_rejected(ca: Any) -> None:
    impostor_ca = make_ca()  # same subject name, another key
    value = signed_value(envelope(), make_signer(impostor_ca))
    with pytest.raises(EnvelopeRejected, match="does not verify with the pinned"):
        check(value, ca[0])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"eku": ExtendedKeyUsageOID.SERVER_AUTH}, "not an envelope-signing"),
        ({"eku": None}, "lacks"),
        ({"is_ca": True}, "not an envelope-signing"),
        ({"not_after": NOW - timedelta(seconds=1)}, "validity"),
        ({"key": rsa.generate_private_key(65537, 2048)}, "P-256"),
    ],
)
def test_a_signer_not_meant_for_envelopes_is_rejected(
    ca: Any, changes: dict[str, Any], message: str
) -> None:
    bad_signer = make_signer(ca, **changes)
    env = envelope()
    if isinstance(bad_signer[1], rsa.RSAPrivateKey):
        value = signed_value(env, make_signer(ca))
        value["signer_certificate"] = base64.b64encode(
            bad_signer[0].public_bytes(Encoding.DER)
        ).decode()
    else:
        value = signed_value(env, bad_signer)
    with pytest.raises(EnvelopeRejected, match=message):
        check(value, ca[0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kiosk_id": "kiosk-0002"}, "another kiosk"),
        ({"idempotency_key": "f" * 32}, "another idempotency key"),
        (
            {
                "request": CertificateRequest(
                    CertificateKind.JUMINHYO, Jurisdiction.RESIDENCE, JuminhyoOptions(), 1
                )
            },
            "not for the request",
        ),
        ({"now": NOW + timedelta(minutes=15)}, "pay-before"),
    ],
)
def test_an_envelope_for_something_else_is_rejected(
    ca: Any, signer: Any, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(EnvelopeRejected, match=message):
        check(signed_value(envelope(), signer), ca[0], **kwargs)


def test_inconsistent_envelopes_do_not_even_parse(signer: Any) -> None:
    value = signed_value(envelope(), signer)
    value["envelope"]["total_fee_yen"] = 401
    with pytest.raises(wire.WireFormatError, match="fee per copy"):
        wire.SignedIssuance.from_wire(value)
    value = signed_value(envelope(), signer)
    value["envelope"]["copies"] = value["envelope"]["copies"][:1]
    with pytest.raises(wire.WireFormatError, match="copies requested"):
        wire.SignedIssuance.from_wire(value)
    value = signed_value(envelope(), signer)
    value["envelope"]["copies"][0]["front_pdf"] = base64.b64encode(b"<html>").decode()
    with pytest.raises(wire.WireFormatError, match="not a PDF"):
        wire.SignedIssuance.from_wire(value)
