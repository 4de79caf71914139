"""Certificates mutated byte by byte through the three places that parse one (issue 16):

- the card driver (``cardio.summarize_certificate``, the kiosk's card read): a summary or
  ``MalformedCertificate`` — which the kiosk shows as C-105, not the 30 s watchdog;
- the center's check of the card's answer (``POST /v2/auth/sessions``,
  ``hw_sim.center.validity.parse_user_certificate``): a certificate or ``AuthRefused`` — a
  typed 422, never a 500 marked retryable that burns the challenge and three retries;
- the kiosk's check of the envelope signer (``kiosk.center.verify.check_signer``): a key or
  ``EnvelopeRejected``.

Hypothesis mutates real certificates (the persona's authentication certificate, the center's
envelope signer) one to four bytes at a time, a bounded number of examples; the two mutations
the attack found (version byte, duplicate extension) are pinned as explicit examples and also
sent to the real center over mutual TLS.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as hs

import cardio
from hw_sim.center.keys import CenterKeys
from hw_sim.center.validity import AuthRefused, parse_user_certificate
from hw_sim.pki import JpkiTestPki
from kiosk.center import wire
from kiosk.center.client import CenterClient
from kiosk.center.errors import CenterRefused, EnvelopeRejected
from kiosk.center.verify import check_signer
from tests.hw_sim.center.harness import RunningCenter, persona_key

# Mutated serials may be negative: cryptography warns that it will refuse them one day.
pytestmark = pytest.mark.filterwarnings("ignore::cryptography.utils.CryptographyDeprecationWarning")
NOW = datetime.now(UTC)  # the test certificates are made valid from their making, for years
X509_V3 = bytes.fromhex("A003020102")
SKI_OID = bytes.fromhex("0603551D0E")  # subjectKeyIdentifier
AKI_OID = bytes.fromhex("0603551D23")  # authorityKeyIdentifier


def bad_version(der: bytes) -> bytes:
    """``A0 03 02 01 02`` → ``A0 03 02 01 35``: well-formed DER, X.509 "version 54"."""
    at = der.index(X509_V3)
    return der[:at] + bytes.fromhex("A003020135") + der[at + len(X509_V3) :]


def duplicate_extension(der: bytes) -> bytes:
    """The subject key identifier renamed authority key identifier: two AKI extensions."""
    return der.replace(SKI_OID, AKI_OID, 1)


@pytest.fixture(scope="module")
def auth_certificate(center_pki: JpkiTestPki) -> bytes:
    return center_pki.credentials("normal").auth_cert.public_bytes(serialization.Encoding.DER)


@pytest.fixture(scope="module")
def center_keys(center_pki: JpkiTestPki, tmp_path_factory: pytest.TempPathFactory) -> CenterKeys:
    return CenterKeys.load_or_create(tmp_path_factory.mktemp("center-keys"), center_pki)


def refusal_reason(call: Callable[[], object]) -> str | None:
    """None when ``call`` succeeds, the reason of its refusal otherwise; anything else raises."""
    try:
        call()
    except (AuthRefused, CenterRefused) as refusal:
        return refusal.reason
    return None


def mutate(der: bytes, changes: list[tuple[int, int]]) -> bytes:
    data = bytearray(der)
    for position, value in changes:
        data[position % len(data)] = value
    return bytes(data)


MUTATIONS = hs.lists(
    hs.tuples(hs.integers(min_value=0, max_value=4095), hs.integers(min_value=0, max_value=255)),
    min_size=1,
    max_size=4,
)
# Bounded: the three parsers take well under a millisecond per certificate; 400 examples per
# path stay within a few seconds on the 2-core CI machine.
BOUNDED = settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def test_the_pinned_mutations_break_the_parser_with_non_value_errors(
    auth_certificate: bytes,
) -> None:
    # What the attack found: these are not ValueError, so `except ValueError` let them escape.
    with pytest.raises(x509.InvalidVersion):
        x509.load_der_x509_certificate(bad_version(auth_certificate))
    with pytest.raises(x509.DuplicateExtension):
        _ = x509.load_der_x509_certificate(duplicate_extension(auth_certificate)).extensions


@BOUNDED
@given(changes=MUTATIONS)
@example(changes=[])
def test_card_driver_summary(auth_certificate: bytes, changes: list[tuple[int, int]]) -> None:
    for der in (mutate(auth_certificate, changes), bad_version(auth_certificate)):
        with contextlib.suppress(cardio.MalformedCertificate):  # the kiosk's C-105
            cardio.summarize_certificate(der)


@BOUNDED
@given(changes=MUTATIONS)
def test_center_check_of_the_card_certificate(
    auth_certificate: bytes, center_pki: JpkiTestPki, changes: list[tuple[int, int]]
) -> None:
    roots = [center_pki.auth_ca_cert]
    for der in (
        mutate(auth_certificate, changes),
        bad_version(auth_certificate),
        duplicate_extension(auth_certificate),
    ):
        reason = refusal_reason(lambda der=der: parse_user_certificate(der, roots, NOW))
        assert reason is None or reason in wire.AUTH_REASONS


@BOUNDED
@given(changes=MUTATIONS)
def test_kiosk_check_of_the_envelope_signer(
    center_keys: CenterKeys, changes: list[tuple[int, int]]
) -> None:
    signer = center_keys.envelope_cert.public_bytes(serialization.Encoding.DER)
    for der in (mutate(signer, changes), bad_version(signer), duplicate_extension(signer)):
        with contextlib.suppress(EnvelopeRejected):
            check_signer(der, center_keys.ca_cert, NOW)


def test_unmutated_certificates_pass_all_three(
    auth_certificate: bytes, center_pki: JpkiTestPki, center_keys: CenterKeys
) -> None:
    # The properties above would hold for parsers that refuse everything: they do not.
    assert cardio.summarize_certificate(auth_certificate).key_bits == 2048
    parse_user_certificate(auth_certificate, [center_pki.auth_ca_cert], NOW)
    signer = center_keys.envelope_cert.public_bytes(serialization.Encoding.DER)
    check_signer(signer, center_keys.ca_cert, NOW)
    for broken in (bad_version(auth_certificate), duplicate_extension(auth_certificate)):
        with pytest.raises(AuthRefused, match="certificate_invalid"):
            parse_user_certificate(broken, [center_pki.auth_ca_cert], NOW)
    for broken in (bad_version(signer), duplicate_extension(signer)):
        with pytest.raises(EnvelopeRejected):
            check_signer(broken, center_keys.ca_cert, NOW)
    with pytest.raises(cardio.MalformedCertificate):
        cardio.summarize_certificate(bad_version(auth_certificate))


# -- the real center over mutual TLS ------------------------------------------------------------
@pytest.mark.parametrize("broken", [bad_version, duplicate_extension], ids=lambda f: f.__name__)
def test_center_answers_a_broken_card_certificate_with_a_refusal(
    center: RunningCenter, center_pki: JpkiTestPki, broken: object
) -> None:
    key = persona_key(center_pki, "normal")
    assert callable(broken)
    with CenterClient(center.kiosk_config()) as client:
        with pytest.raises(CenterRefused) as refused:  # before: 500 retryable, three retries
            client.authenticate(wire.AuthPurpose.ISSUANCE, broken(key.certificate), key.sign)
        assert refused.value.reason == "certificate_invalid"
        # The kiosk is not penalised: the next resident's card opens a session.
        client.authenticate(wire.AuthPurpose.ISSUANCE, key.certificate, key.sign)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(changes=MUTATIONS)
def test_center_never_answers_a_mutated_certificate_with_a_server_error(
    center: RunningCenter, center_pki: JpkiTestPki, changes: list[tuple[int, int]]
) -> None:
    key = persona_key(center_pki, "normal")
    with CenterClient(center.kiosk_config()) as client:
        certificate = mutate(key.certificate, changes)
        reason = refusal_reason(
            lambda: client.authenticate(wire.AuthPurpose.ISSUANCE, certificate, key.sign)
        )
    assert reason is None or reason in wire.AUTH_REASONS
