"""The JPKI-TEST PKI: roots and end-entity certificates shaped like jpki-card.md §10, made once
per folder and loaded afterwards; the generic helpers for the center's keys."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtensionOID, NameOID

from hw_sim.personas import get_persona, list_personas
from hw_sim.pki import (
    JST,
    OID_ADDRESS,
    OID_BIRTH_DATE,
    OID_NAME,
    OID_NAME_SUBSTITUTES,
    OID_SEX,
    ROOT_LIFETIME,
    JpkiTestPki,
    _outdated,
    build_name,
    issue_certificate,
    make_ca,
    new_rsa_key,
    persona_validity,
)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> JpkiTestPki:
    return JpkiTestPki.load_or_create(tmp_path_factory.mktemp("pki"))


def ext(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> x509.Extension[x509.ExtensionType]:
    return cert.extensions.get_extension_for_oid(oid)


def der_len(cert: x509.Certificate) -> int:
    return len(cert.public_bytes(serialization.Encoding.DER))


@pytest.mark.parametrize(
    ("which", "ou"),
    [("auth", "JPKI for user authentication"), ("sign", "JPKI for digital signature")],
)
def test_roots_are_shaped_like_the_jlis_roots(pki: JpkiTestPki, which: str, ou: str) -> None:
    root = pki.auth_ca_cert if which == "auth" else pki.sign_ca_cert
    assert root.subject == root.issuer
    assert root.subject.rfc4514_string() == (
        f"OU=Japan Agency for Local Authority Information Systems,OU={ou},O=JPKI-TEST,C=JP"
    )
    country = root.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0]
    assert country._type == x509.name._ASN1Type.PrintableString
    ku = ext(root, ExtensionOID.KEY_USAGE)
    assert ku.critical
    assert ku.value.key_cert_sign
    assert ku.value.crl_sign
    assert not ku.value.digital_signature
    bc = ext(root, ExtensionOID.BASIC_CONSTRAINTS)
    assert bc.critical
    assert bc.value.ca
    san = ext(root, ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
    (dirname,) = san.get_values_for_type(x509.DirectoryName)
    assert "公的個人認証サービス" in dirname.rfc4514_string()
    crldp = ext(root, ExtensionOID.CRL_DISTRIBUTION_POINTS).value
    assert crldp[0].full_name == [x509.DirectoryName(root.subject)]
    ext(root, ExtensionOID.SUBJECT_KEY_IDENTIFIER)
    root.verify_directly_issued_by(root)
    key = root.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    assert key.key_size == 2048
    assert key.public_numbers().e == 65537


def test_auth_certificate_shape(pki: JpkiTestPki) -> None:
    cert = pki.credentials("normal").auth_cert
    cert.verify_directly_issued_by(pki.auth_ca_cert)
    assert [a.oid for a in cert.subject] == [NameOID.COUNTRY_NAME, NameOID.COMMON_NAME]
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert len(cn) == 23
    assert str(cn).isalnum()
    assert str(cn).isupper()
    ku = ext(cert, ExtensionOID.KEY_USAGE)
    assert ku.critical
    assert ku.value.digital_signature
    assert not ku.value.content_commitment
    assert not ku.value.key_cert_sign
    ian = ext(cert, ExtensionOID.ISSUER_ALTERNATIVE_NAME).value
    assert "公的個人認証サービス" in ian.get_values_for_type(x509.DirectoryName)[0].rfc4514_string()
    policies = ext(cert, ExtensionOID.CERTIFICATE_POLICIES).value
    assert policies[0].policy_identifier.dotted_string.startswith("1.2.392.200149.8.5.1.")
    aki = ext(cert, ExtensionOID.AUTHORITY_KEY_IDENTIFIER).value
    root_ski = ext(pki.auth_ca_cert, ExtensionOID.SUBJECT_KEY_IDENTIFIER).value
    assert aki.key_identifier == root_ski.digest
    ext(cert, ExtensionOID.SUBJECT_KEY_IDENTIFIER)
    with pytest.raises(x509.ExtensionNotFound):
        ext(cert, ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
    assert cert.signature_hash_algorithm is not None
    assert cert.signature_hash_algorithm.name == "sha256"
    assert 1500 <= der_len(cert) <= 1650  # a real card's is 1574 bytes (§4.2)


def test_auth_validity_ends_on_the_fifth_birthday() -> None:
    """On the days the personas were written for, a certificate has the card's own window."""
    root_end = datetime(2056, 1, 1, tzinfo=UTC)
    on = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
    not_before, not_after = persona_validity(get_persona("normal"), on, root_end)
    assert not_after.astimezone(JST).date() == date(2030, 5, 14)
    assert not_before.astimezone(JST).date() == date(2025, 6, 2)
    _, expired_after = persona_validity(get_persona("expired"), on, root_end)
    assert expired_after.astimezone(JST).date() == date(2022, 7, 7)


DAYS = [
    datetime(year, month, 15, 14, 59, 30, tzinfo=UTC)
    for year in range(2019, 2061, 3)
    for month in (1, 7)
]


@pytest.mark.parametrize("persona", [p.id for p in list_personas()])
def test_a_persona_keeps_what_it_is_for_on_any_day(persona: str) -> None:
    """Valid personas are valid and the expired one is expired whatever the day, inside the
    root's validity (the suite must pass in 2031 as in 2026)."""
    subject = get_persona(persona)
    for now in DAYS:
        root_end = now + ROOT_LIFETIME - timedelta(days=365)
        not_before, not_after = persona_validity(subject, now, root_end)
        assert not_before < not_after <= root_end
        if subject.cert_expired:
            assert not_after < now
        else:
            assert not_before <= now < not_after - timedelta(days=30)


def test_cached_certificates_are_renewed_when_the_day_outgrows_them(pki: JpkiTestPki) -> None:
    now = datetime.now(UTC)
    cert = pki.credentials("normal").auth_cert
    assert cert.not_valid_before_utc <= now < cert.not_valid_after_utc
    assert pki.credentials("expired").auth_cert.not_valid_after_utc < now
    # A folder made years ago: its 'normal' certificate has run out by today.
    stale = issue_certificate(
        pki.auth_ca_cert,
        pki.auth_ca_key,
        cert.subject,
        cert.public_key(),  # type: ignore[arg-type]
        not_before=now - timedelta(days=2000),
        not_after=now - timedelta(days=1),
    )
    assert _outdated(get_persona("normal"), stale, now)
    assert not _outdated(get_persona("normal"), cert, now)
    assert _outdated(get_persona("expired"), cert, now)  # an expired persona's must be expired


def test_signing_certificate_shape(pki: JpkiTestPki) -> None:
    persona = get_persona("normal")
    cert = pki.credentials(persona).sign_cert
    assert cert is not None
    cert.verify_directly_issued_by(pki.sign_ca_cert)
    localities = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.LOCALITY_NAME)]
    assert localities == ["Tokyo-to", "Nerima-ku"]
    cn = str(cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)
    assert cn.startswith("20250602")
    assert len(cn) == 20
    ku = ext(cert, ExtensionOID.KEY_USAGE)
    assert ku.critical
    assert ku.value.digital_signature
    assert ku.value.content_commitment
    san = ext(cert, ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
    values = {o.type_id: o.value for o in san.get_values_for_type(x509.OtherName)}

    def utf8(raw: bytes) -> str:
        assert raw[0] == 0x0C
        return raw[2:].decode() if raw[1] < 0x80 else raw[2 + (raw[1] & 0x7F) :].decode()

    assert utf8(values[OID_NAME]) == persona.name
    assert utf8(values[OID_NAME_SUBSTITUTES]) == "00000"
    assert utf8(values[OID_SEX]) == "1"
    assert utf8(values[OID_BIRTH_DATE]) == "319800514"  # 3 = 昭和
    assert utf8(values[OID_ADDRESS]) == persona.address
    gaiji = pki.credentials("gaiji").sign_cert
    assert gaiji is not None
    flags = {
        o.type_id: o.value
        for o in gaiji.extensions.get_extension_for_class(
            x509.SubjectAlternativeName
        ).value.get_values_for_type(x509.OtherName)
    }[OID_NAME_SUBSTITUTES]
    assert utf8(flags) == "10000"


def test_child_has_no_signing_certificate(pki: JpkiTestPki) -> None:
    creds = pki.credentials("child")
    assert creds.sign_cert is None
    assert creds.sign_key is None


def test_made_once_and_loaded_afterwards(pki: JpkiTestPki) -> None:
    serial = pki.credentials("normal").auth_cert.serial_number
    again = JpkiTestPki.load_or_create(pki.folder)
    assert again.auth_ca_cert == pki.auth_ca_cert
    assert again.credentials("normal").auth_cert.serial_number == serial
    assert (pki.folder / "auth-ca.key.pem").stat().st_mode & 0o077 == 0
    issuer = serialization.load_pem_public_key(pki.kenmen_issuer_public_pem)
    assert isinstance(issuer, rsa.RSAPublicKey)
    assert issuer.public_numbers() == pki.kenmen_issuer_key.public_key().public_numbers()


def test_a_new_layout_version_regenerates(tmp_path: Path) -> None:
    first = JpkiTestPki.load_or_create(tmp_path)
    (tmp_path / "VERSION").write_text("0\n")
    second = JpkiTestPki.load_or_create(tmp_path)
    assert second.auth_ca_cert != first.auth_ca_cert


def test_generic_helpers_make_a_tls_chain() -> None:
    now = datetime.now(UTC)
    ca_key = new_rsa_key()
    ca = make_ca(
        build_name((NameOID.COUNTRY_NAME, "JP"), (NameOID.COMMON_NAME, "Test Center CA")),
        ca_key,
        not_before=now,
        not_after=now + timedelta(days=30),
        path_length=0,
    )
    leaf_key = new_rsa_key()
    leaf = issue_certificate(
        ca,
        ca_key,
        build_name((NameOID.COMMON_NAME, "localhost")),
        leaf_key.public_key(),
        not_before=now,
        not_after=now + timedelta(days=1),
        extensions=[(x509.SubjectAlternativeName([x509.DNSName("localhost")]), False)],
    )
    leaf.verify_directly_issued_by(ca)
    assert leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    assert isinstance(leaf.signature_hash_algorithm, hashes.SHA256)
