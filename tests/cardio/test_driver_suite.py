"""The driver suite against the virtual card, run twice: in-process and through pcscd + vpcd
(``cards`` fixture). The card is a peer written by another engineer from the same reference;
nothing here knows its internals."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from cardio import (
    CardError,
    CollationNumberA,
    CollationNumberB,
    IntegrityError,
    JpkiSession,
    JukiCardNotSupported,
    KenmenHojoSession,
    KeyRole,
    Medium,
    PinBlocked,
    SecurityStatusNotSatisfied,
    Sex,
    SignatureStatus,
    SigningPassword,
    UserPin,
    WrongPin,
    load_issuer_public_key,
    summarize_certificate,
)
from hw_sim.personas import get_persona
from hw_sim.pki import JpkiTestPki

CHALLENGE = b"center nonce | kiosk 0001 | 2026-11-26T10:00:00Z"


def verify_signature(certificate_der: bytes, signature: bytes, message: bytes) -> None:
    """Check a sha256WithRSAEncryption signature with the certificate's key (raises if bad)."""
    key = x509.load_der_x509_certificate(certificate_der).public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())


def test_kiosk_authentication(cards, pki: JpkiTestPki) -> None:
    with cards.open("normal") as transport:
        session = JpkiSession(transport)
        assert session.read_token_info().medium is Medium.MY_NUMBER_CARD
        certificate = session.read_certificate()
        assert certificate == pki.credentials("normal").auth_cert.public_bytes(Encoding.DER)
        summary = summarize_certificate(certificate)
        assert summary.subject.endswith("C=JP")
        assert summary.key_bits == 2048
        assert session.get_pin_tries() == 3
        with UserPin("1234") as pin:
            session.verify_pin(pin)
        signature = session.sign_sha256(CHALLENGE)
    verify_signature(certificate, signature, CHALLENGE)


def test_auth_ca_certificate_issued_the_auth_certificate(cards) -> None:
    with cards.open("normal") as transport:
        session = JpkiSession(transport)
        certificate = x509.load_der_x509_certificate(session.read_certificate())
        ca = x509.load_der_x509_certificate(session.read_ca_certificate())
    assert certificate.issuer == ca.subject
    certificate.verify_directly_issued_by(ca)


def test_signing_key_behind_the_password(cards) -> None:
    persona = get_persona("normal")
    assert persona.signing_password is not None
    with cards.open("normal") as transport:
        session = JpkiSession(transport)
        with pytest.raises(SecurityStatusNotSatisfied):
            session.read_certificate(KeyRole.SIGNING)
        assert session.get_pin_tries(KeyRole.SIGNING) == 5
        session.verify_signing_password(SigningPassword(persona.signing_password))
        certificate = session.read_certificate(KeyRole.SIGNING)
        signature = session.sign_sha256(b"document", KeyRole.SIGNING)
    verify_signature(certificate, signature, b"document")


def test_wrong_pin_counts_down_and_correct_pin_resets(cards) -> None:
    with cards.open("normal") as transport:
        session = JpkiSession(transport)
        with pytest.raises(WrongPin) as caught:
            session.verify_pin(UserPin("9999"))
        assert caught.value.tries_left == 2
        assert session.get_pin_tries() == 2
        session.verify_pin(UserPin("1234"))
        assert session.get_pin_tries() == 3


def test_sign_without_pin_is_refused(cards) -> None:
    with cards.open("normal") as transport:
        session = JpkiSession(transport)
        with pytest.raises(SecurityStatusNotSatisfied):
            session.sign_sha256(CHALLENGE)


def test_power_off_clears_the_verified_pin(cards) -> None:
    with cards.open("normal") as transport:
        session = JpkiSession(transport)
        session.verify_pin(UserPin("1234"))
        session.sign_sha256(CHALLENGE)
    with cards.open("normal") as transport, pytest.raises(SecurityStatusNotSatisfied):
        JpkiSession(transport).sign_sha256(CHALLENGE)


def test_last_try_blocks_the_pin(cards) -> None:
    with cards.open("one-try-left") as transport:
        session = JpkiSession(transport)
        assert session.get_pin_tries() == 1
        with pytest.raises(PinBlocked) as caught:
            session.verify_pin(UserPin("0000"))
        assert caught.value.by_this_attempt
        assert session.get_pin_tries() == 0
        with pytest.raises(PinBlocked):
            session.verify_pin(UserPin(get_persona("one-try-left").auth_pin))


def test_blocked_card(cards) -> None:
    with cards.open("blocked") as transport:
        session = JpkiSession(transport)
        assert session.get_pin_tries() == 0
        with pytest.raises(PinBlocked):
            session.verify_pin(UserPin(get_persona("blocked").auth_pin))


@pytest.mark.parametrize(
    ("persona", "medium"), [("android", Medium.ANDROID), ("iphone", Medium.IPHONE)]
)
def test_smartphone_tokens_are_reported(cards, persona: str, medium: Medium) -> None:
    with cards.open(persona) as transport:
        assert JpkiSession(transport).read_token_info().medium is medium


def test_juki_card_is_refused(cards) -> None:
    with cards.open("juki-card") as transport, pytest.raises(JukiCardNotSupported):
        JpkiSession(transport).read_token_info()


def test_card_answering_6f00_after_power_up_works(cards) -> None:
    with cards.open("first-6f00") as transport:
        session = JpkiSession(transport)
        assert session.read_token_info().medium is Medium.MY_NUMBER_CARD
        assert session.get_pin_tries() == 3


def test_child_has_no_signing_certificate(cards) -> None:
    with cards.open("child") as transport:
        session = JpkiSession(transport)
        session.read_certificate()
        with pytest.raises(CardError):
            session.read_certificate(KeyRole.SIGNING)


def test_expired_certificate_is_read_as_is(cards) -> None:
    """The driver reports validity; judging it is the center's job."""
    with cards.open("expired") as transport:
        summary = summarize_certificate(JpkiSession(transport).read_certificate())
    assert summary.not_after < datetime.now(UTC)


# -- 券面事項入力補助AP --------------------------------------------------------------------------


@pytest.mark.parametrize("persona_id", ["normal", "foreign", "rare-chars"])
def test_four_facts_with_collation_number_b(cards, pki: JpkiTestPki, persona_id: str) -> None:
    persona = get_persona(persona_id)
    key = load_issuer_public_key(pki.kenmen_issuer_public_pem)
    with cards.open(persona_id) as transport:
        record = KenmenHojoSession(transport).read(
            CollationNumberB(persona.shogo_b), issuer_public_key=key
        )
    assert record.facts is not None
    assert record.facts.name == persona.name
    assert record.facts.address == persona.address
    assert record.facts.birth_date_as_date() == persona.birth_date
    assert record.facts.sex is Sex(persona.sex)
    assert record.my_number is None
    assert record.integrity.signature is SignatureStatus.VERIFIED


def test_pin_gives_facts_and_my_number(cards, pki: JpkiTestPki) -> None:
    persona = get_persona("normal")
    with cards.open("normal") as transport:
        record = KenmenHojoSession(transport).read(UserPin("1234"), include_my_number=True)
    assert record.my_number is not None
    assert record.my_number.digits == persona.my_number
    assert record.integrity.signature is SignatureStatus.NO_KEY_CONFIGURED
    assert record.integrity.my_number_checked


def test_collation_number_a_gives_my_number(cards, pki: JpkiTestPki) -> None:
    persona = get_persona("normal")
    key = load_issuer_public_key(pki.kenmen_issuer_public_pem)
    with cards.open("normal") as transport:
        record = KenmenHojoSession(transport).read(
            CollationNumberA(persona.my_number), issuer_public_key=key
        )
    assert record.my_number is not None
    assert record.facts is None
    assert record.integrity.signature is SignatureStatus.VERIFIED


def test_wrong_collation_number_b(cards) -> None:
    persona = get_persona("normal")
    wrong = persona.shogo_b[:-4] + ("0000" if persona.shogo_b[-4:] != "0000" else "1111")
    with cards.open("normal") as transport:
        session = KenmenHojoSession(transport)
        with pytest.raises(WrongPin):
            session.read(CollationNumberB(wrong))


def test_issuer_key_from_another_pki_fails(cards, tmp_path) -> None:
    other = JpkiTestPki.load_or_create(tmp_path / "other-pki")
    persona = get_persona("normal")
    with cards.open("normal") as transport, pytest.raises(IntegrityError):
        KenmenHojoSession(transport).read(
            CollationNumberB(persona.shogo_b),
            issuer_public_key=load_issuer_public_key(other.kenmen_issuer_public_pem),
        )


def test_digest_of_my_number_ef_matches(cards) -> None:
    """EF 0001's digest covers its 17 physical bytes (jpki-card.md §5.2)."""
    with cards.open("normal") as transport:
        session = KenmenHojoSession(transport)
        session.verify(UserPin("1234"))
        raw = session.read_my_number_ef()
        record = session.read_integrity_record()
    assert hashlib.sha256(raw).digest() == record.my_number_digest


def test_android_token_wants_the_pin_before_the_certificate(cards) -> None:
    """[MYNA] verifies first on the GPSE token (§4.1); the driver reports it as a typed error
    and reads the certificate once the PIN is verified."""
    persona = get_persona("android")
    with cards.open("android") as transport:
        session = JpkiSession(transport)
        assert session.read_token_info().medium is Medium.ANDROID
        with pytest.raises(SecurityStatusNotSatisfied):
            session.read_certificate()
        session.verify_pin(UserPin(persona.auth_pin))
        certificate = session.read_certificate()
        signature = session.sign_sha256(CHALLENGE)
    verify_signature(certificate, signature, CHALLENGE)
