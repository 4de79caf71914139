"""The project's test PKI for virtual My Number cards (JPKI-TEST).

Two self-signed roots shaped like J-LIS's (jpki-card.md §10.1: ``C=JP, O=JPKI-TEST,
OU=JPKI for user authentication | digital signature, OU=Japan Agency for Local Authority
Information Systems``; critical KeyUsage and BasicConstraints, SAN and CRLDP as DirName, SKI),
per-persona end-entity certificates shaped like the real ones (§10.2, §10.3), and the keys of
the 券面事項入力補助AP (the issuer key that signs EF 0003/0007, the CV root that certifies it, and
per-card AP keys).

Everything is generated once into a folder and loaded from it afterwards
(:meth:`JpkiTestPki.load_or_create`). The roots and issuer keys are made when the folder is
created; a persona's keys and certificates are made the first time they are asked for, under a
file lock, so any number of processes can share one folder. Key files are unencrypted PEM
(mode 0600): this is test material, never to be trusted by a production kiosk.

The helpers :func:`new_rsa_key`, :func:`make_ca` and :func:`issue_certificate` are generic and
are reused for the center's own keys (``hw_sim/center/keys.py``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

from hw_sim.files import locked, write_atomic
from hw_sim.personas import Persona, era_of, get_persona

JST = timezone(timedelta(hours=9), "JST")
RSA_BITS = 2048  # jpki-card.md §4.3 / §10: RSA-2048, e = 65537
RSA_EXPONENT = 65537
JPKI_ARC = "1.2.392.200149"  # J-LIS's OID arc (jpki-card.md §10.3)
# Certificate policies: production auth class30 is …8.5.1.3.30 and signing …8.5.1.1.20; the test
# hierarchy uses …8.5.1.0.20 for signing (jpki-card.md §10.2/§10.3), so …8.5.1.0.30 for auth.
AUTH_POLICY_OID = x509.ObjectIdentifier(f"{JPKI_ARC}.8.5.1.0.30")
SIGN_POLICY_OID = x509.ObjectIdentifier(f"{JPKI_ARC}.8.5.1.0.20")
CPS_URI = "http://www.jpki.go.jp/cps.html"  # jpki-card.md §10.3
TEST_NOTICE = "この証明書は試験用（JPKI-TEST）であり、実在の個人を証明するものではありません。"
# SubjectAltName otherNames of the signing certificate (jpki-card.md §10.3, the real dump's
# numbering: .5 = address).
OID_NAME = x509.ObjectIdentifier(f"{JPKI_ARC}.8.5.5.1")
OID_NAME_SUBSTITUTES = x509.ObjectIdentifier(f"{JPKI_ARC}.8.5.5.2")
OID_SEX = x509.ObjectIdentifier(f"{JPKI_ARC}.8.5.5.3")
OID_BIRTH_DATE = x509.ObjectIdentifier(f"{JPKI_ARC}.8.5.5.4")
OID_ADDRESS = x509.ObjectIdentifier(f"{JPKI_ARC}.8.5.5.5")
OID_ADDRESS_SUBSTITUTES = x509.ObjectIdentifier(f"{JPKI_ARC}.8.5.5.6")
# Root validity: from before every persona's issuance date (2015) to 30 years after the roots
# are made; a folder whose roots end within ROOT_RENEW_BEFORE is made again (so the suite and a
# long-lived var/pki work on any day).
ROOT_NOT_BEFORE = datetime(2015, 1, 1, tzinfo=UTC)
ROOT_LIFETIME = timedelta(days=30 * 365)
ROOT_RENEW_BEFORE = timedelta(days=6 * 365)
# The personas' card dates were written for 2025–2026 (hw_sim/personas.py). On a later (or
# earlier) day a persona keeps what it is for: a certificate that should be valid is valid at
# least this long from the day it is made, an expired one ended this long before.
VALID_AT_LEAST = timedelta(days=5 * 365)  # a JPKI auth certificate lives ~5 years (§10.2)
RENEW_BEFORE = timedelta(days=30)
EXPIRED_SINCE = timedelta(days=30)
_LAYOUT_VERSION = "1"  # bump when the folder layout or certificate shapes change

AUTH_CA_OU = "JPKI for user authentication"
SIGN_CA_OU = "JPKI for digital signature"
JLIS_OU = "Japan Agency for Local Authority Information Systems"


# -- generic helpers ----------------------------------------------------------------------------
def new_rsa_key(bits: int = RSA_BITS) -> rsa.RSAPrivateKey:
    """A fresh RSA key with e = 65537."""
    return rsa.generate_private_key(public_exponent=RSA_EXPONENT, key_size=bits)


def build_name(*pairs: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    """An X.509 name from (OID, value) pairs in order. C is PrintableString (cryptography's
    default for countryName), everything else UTF8String, as on the JPKI roots (§10.1)."""
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in pairs])


def _random_serial() -> int:
    return x509.random_serial_number()


def make_ca(
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    *,
    not_before: datetime,
    not_after: datetime,
    subject_alt_name: x509.Name | None = None,
    crl_distribution_point: x509.Name | None = None,
    path_length: int | None = None,
    serial: int | None = None,
) -> x509.Certificate:
    """A self-signed root CA: critical KeyUsage keyCertSign+cRLSign, critical BasicConstraints
    CA:TRUE, SubjectKeyIdentifier, and optionally SAN and CRLDP as directory names."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(serial if serial is not None else _random_serial())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
    )
    if subject_alt_name is not None:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DirectoryName(subject_alt_name)]), critical=False
        )
    builder = builder.add_extension(
        x509.BasicConstraints(ca=True, path_length=path_length), critical=True
    )
    if crl_distribution_point is not None:
        builder = builder.add_extension(_crldp(crl_distribution_point), critical=False)
    builder = builder.add_extension(
        x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
    )
    return builder.sign(key, hashes.SHA256())


def issue_certificate(
    issuer_cert: x509.Certificate,
    issuer_key: rsa.RSAPrivateKey,
    subject: x509.Name,
    public_key: rsa.RSAPublicKey,
    *,
    not_before: datetime,
    not_after: datetime,
    extensions: Iterable[tuple[x509.ExtensionType, bool]] = (),
    serial: int | None = None,
) -> x509.Certificate:
    """A certificate for ``public_key`` signed by the issuer (sha256WithRSAEncryption), with
    the given (extension, critical) pairs followed by AuthorityKeyIdentifier and
    SubjectKeyIdentifier."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject)
        .public_key(public_key)
        .serial_number(serial if serial is not None else _random_serial())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    builder = builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
        critical=False,
    ).add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _key_usage(
    *,
    digital_signature: bool = False,
    non_repudiation: bool = False,
    key_cert_sign: bool = False,
    crl_sign: bool = False,
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=non_repudiation,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _crldp(name: x509.Name) -> x509.CRLDistributionPoints:
    return x509.CRLDistributionPoints(
        [x509.DistributionPoint([x509.DirectoryName(name)], None, None, None)]
    )


def der_utf8(text: str) -> bytes:
    """DER UTF8String (the value form of the signing certificate's otherNames, §10.3)."""
    raw = text.encode("utf-8")
    return b"\x0c" + _der_length(len(raw)) + raw


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def key_to_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_key_to_pem(key: rsa.RSAPublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_key(path: Path) -> rsa.RSAPrivateKey:
    # Our own files: skip the costly RSA consistency check (≈0.1 s per key) on every load.
    key = serialization.load_pem_private_key(
        path.read_bytes(), password=None, unsafe_skip_rsa_key_validation=True
    )
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path} is not an RSA private key")
    return key


# -- JPKI-TEST names ----------------------------------------------------------------------------
def _ca_name(purpose_ou: str) -> x509.Name:
    return build_name(
        (NameOID.COUNTRY_NAME, "JP"),
        (NameOID.ORGANIZATION_NAME, "JPKI-TEST"),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, purpose_ou),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, JLIS_OU),
    )


def _ca_alt_name(purpose_ja: str) -> x509.Name:
    return build_name(
        (NameOID.COUNTRY_NAME, "JP"),
        (NameOID.ORGANIZATION_NAME, "公的個人認証サービス"),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, purpose_ja),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, "地方公共団体情報システム機構"),
    )


def _issuer_alt_name() -> x509.IssuerAlternativeName:
    # jpki-card.md §10.2: IssuerAltName DirName C=JP, O=公的個人認証サービス (seen on a card).
    return x509.IssuerAlternativeName(
        [
            x509.DirectoryName(
                build_name(
                    (NameOID.COUNTRY_NAME, "JP"),
                    (NameOID.ORGANIZATION_NAME, "公的個人認証サービス"),
                )
            )
        ]
    )


def _ee_crl_name(purpose_ou: str, persona: Persona) -> x509.Name:
    # End-entity CRLDP form is undocumented (jpki-card.md §10.2 "(?)"); we use the CA's
    # directory style (§10.1) with a partition per municipality, as a directory-based CRL would.
    return build_name(
        (NameOID.COUNTRY_NAME, "JP"),
        (NameOID.ORGANIZATION_NAME, "JPKI-TEST"),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, purpose_ou),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, JLIS_OU),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, "CRL Distribution Points"),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, persona.municipality.prefecture_roman),
        (NameOID.COMMON_NAME, f"{persona.municipality_code} CRLDP"),
    )


def _policies(oid: x509.ObjectIdentifier) -> x509.CertificatePolicies:
    notice = x509.UserNotice(None, TEST_NOTICE)
    return x509.CertificatePolicies([x509.PolicyInformation(oid, [CPS_URI, notice])])


def _ee_access(purpose: str) -> x509.AuthorityInformationAccess:
    # AIA of end-entity certificates is undocumented (jpki-card.md §10.2 "(?)"); an OCSP URL
    # and the CA certificate's location under the reserved .invalid domain make the size and
    # shape realistic without pointing anywhere. The simulated center configures its own OCSP.
    return x509.AuthorityInformationAccess(
        [
            x509.AccessDescription(
                AuthorityInformationAccessOID.OCSP,
                x509.UniformResourceIdentifier(f"http://ocsp.jpki-test.invalid/{purpose}"),
            ),
            x509.AccessDescription(
                AuthorityInformationAccessOID.CA_ISSUERS,
                x509.UniformResourceIdentifier(f"http://www.jpki-test.invalid/ca/{purpose}ca.cer"),
            ),
        ]
    )


def _start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), JST).astimezone(UTC)


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), JST).astimezone(UTC)


def auth_identifier(persona: Persona) -> str:
    """The opaque 23-character 識別符号 of the auth certificate's CN (§10.2, e.g.
    ``997794E9AGCIEG13221003A``): stable per persona, no personal data."""
    digest = hashlib.sha256(b"jpki-test-auth-id:" + persona.id.encode()).digest()
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    head = "".join(alphabet[b % 36] for b in digest[:14])
    return f"{head}{persona.municipality_code[:5]}{digest[14] % 1000:03d}A"


def sign_common_name(persona: Persona) -> str:
    """The signing certificate's CN: request time YYYYMMDDhhmmss + sequence + 窓口記号 (§10.3)."""
    digest = hashlib.sha256(b"jpki-test-sign-cn:" + persona.id.encode()).digest()
    requested = datetime.combine(persona.card_issued, time(9, 0), JST) + timedelta(
        seconds=int.from_bytes(digest[:2], "big") % 28800
    )
    return f"{requested:%Y%m%d%H%M%S}{int.from_bytes(digest[2:4], 'big') % 10000:04d}A1"


def signing_birth_date(persona: Persona) -> str:
    """``EYYYYMMDD`` with E the era number (1 明治 … 5 令和), §10.3."""
    era, _ = era_of(persona.birth_date)
    return f"{era}{persona.birth_date:%Y%m%d}"


def signing_sex(persona: Persona) -> str:
    """SAN 性別: ``1`` male, ``2`` female, ``3`` unknown (§10.3); the card's ``9`` maps to 3."""
    return persona.sex if persona.sex in ("1", "2") else "3"


# -- the PKI ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PersonaCredentials:
    """A persona's card keys and certificates.

    ``sign_key``/``sign_cert`` are None for personas without a signing certificate (under 15).
    ``text_ap_key`` is key 0013 of the 券面事項入力補助AP (its public key is in EF 0007),
    ``session_key`` the EF 0006 key, ``common_key`` key 0019 of the 共通カードAP (the last two
    are shared by all cards of one test PKI).
    """

    auth_key: rsa.RSAPrivateKey
    auth_cert: x509.Certificate
    sign_key: rsa.RSAPrivateKey | None
    sign_cert: x509.Certificate | None
    text_ap_key: rsa.RSAPrivateKey
    session_key: rsa.RSAPrivateKey
    common_key: rsa.RSAPrivateKey


class JpkiTestPki:
    """The JPKI-TEST hierarchy kept in one folder.

    Files: ``auth-ca.pem``/``auth-ca.key.pem``, ``sign-ca.pem``/``sign-ca.key.pem`` (roots),
    ``kenmen-issuer.key.pem`` and ``kenmen-issuer.pub.pem`` (signs 券面事項入力補助AP EF 0003; the
    PEM public key is what a driver checks the integrity record with), ``kenmen-cv-root.key.pem``
    (certifies the issuer key in EF 0004), and ``personas/<id>/`` with each persona's keys and
    certificates.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.auth_ca_cert = self._cert("auth-ca.pem")
        self.auth_ca_key = load_key(self.folder / "auth-ca.key.pem")
        self.sign_ca_cert = self._cert("sign-ca.pem")
        self.sign_ca_key = load_key(self.folder / "sign-ca.key.pem")
        self.kenmen_issuer_key = load_key(self.folder / "kenmen-issuer.key.pem")
        self.kenmen_cv_root_key = load_key(self.folder / "kenmen-cv-root.key.pem")
        # Shared by all cards of this PKI to keep generation fast (per-card on real cards; their
        # public halves are either not on the card (0019) or only used for secure messaging).
        self.kenmen_session_key = load_key(self.folder / "kenmen-session.key.pem")
        self.common_ap_key = load_key(self.folder / "common-ap.key.pem")
        self._credentials: dict[str, PersonaCredentials] = {}

    # -- creation ------------------------------------------------------------------------------
    @classmethod
    def load_or_create(cls, folder: Path | str) -> JpkiTestPki:
        """Load the PKI from ``folder``, creating the roots and issuer keys first if the folder
        is new (or was made by an older layout). Safe to call from several processes."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        with locked(folder):
            version = folder / "VERSION"
            if (
                not version.exists()
                or version.read_text().strip() != _LAYOUT_VERSION
                or _roots_ending(folder)
            ):
                _create_roots(folder)
                write_atomic(version, _LAYOUT_VERSION.encode() + b"\n")
        return cls(folder)

    def _cert(self, name: str) -> x509.Certificate:
        return x509.load_pem_x509_certificate((self.folder / name).read_bytes())

    # -- public material -------------------------------------------------------------------------
    @property
    def kenmen_issuer_public_pem(self) -> bytes:
        """PEM SubjectPublicKeyInfo of the key that signs 券面事項入力補助AP EF 0003 and 0007."""
        return (self.folder / "kenmen-issuer.pub.pem").read_bytes()

    @property
    def kenmen_issuer_public_pem_path(self) -> Path:
        return self.folder / "kenmen-issuer.pub.pem"

    def credentials(self, persona: Persona | str) -> PersonaCredentials:
        """The persona's keys and certificates, made on first use and cached in the folder.

        Regenerated when the persona's data changed since they were made (the certificates carry
        the 4 facts and dates)."""
        if isinstance(persona, str):
            persona = get_persona(persona)
        cached = self._credentials.get(persona.id)
        if cached is not None:
            return cached
        pdir = self.folder / "personas" / persona.id
        fingerprint = _persona_fingerprint(persona)
        with locked(self.folder):
            stamp = pdir / "persona.sha256"
            if not stamp.exists() or stamp.read_text().strip() != fingerprint:
                pdir.mkdir(parents=True, exist_ok=True)
                self._issue_persona(persona, pdir)
                write_atomic(stamp, fingerprint.encode() + b"\n")
            creds = self._load_persona(pdir)
            if _outdated(persona, creds.auth_cert, datetime.now(UTC)):
                self._issue_persona(persona, pdir)  # a later day: valid stays valid
                creds = self._load_persona(pdir)
        self._credentials[persona.id] = creds
        return creds

    def _issue_persona(self, persona: Persona, pdir: Path) -> None:
        auth_key = new_rsa_key()
        auth_cert = self._auth_certificate(persona, auth_key.public_key())
        write_atomic(pdir / "auth.key.pem", key_to_pem(auth_key), private=True)
        write_atomic(pdir / "auth.pem", auth_cert.public_bytes(serialization.Encoding.PEM))
        for stale in ("sign.key.pem", "sign.pem"):
            (pdir / stale).unlink(missing_ok=True)
        if persona.has_signing_certificate:
            sign_key = new_rsa_key()
            sign_cert = self._sign_certificate(persona, sign_key.public_key())
            write_atomic(pdir / "sign.key.pem", key_to_pem(sign_key), private=True)
            write_atomic(pdir / "sign.pem", sign_cert.public_bytes(serialization.Encoding.PEM))
        write_atomic(pdir / "text-ap.key.pem", key_to_pem(new_rsa_key()), private=True)

    def _load_persona(self, pdir: Path) -> PersonaCredentials:
        def cert(name: str) -> x509.Certificate:
            return x509.load_pem_x509_certificate((pdir / name).read_bytes())

        has_sign = (pdir / "sign.pem").exists()
        return PersonaCredentials(
            auth_key=load_key(pdir / "auth.key.pem"),
            auth_cert=cert("auth.pem"),
            sign_key=load_key(pdir / "sign.key.pem") if has_sign else None,
            sign_cert=cert("sign.pem") if has_sign else None,
            text_ap_key=load_key(pdir / "text-ap.key.pem"),
            session_key=self.kenmen_session_key,
            common_key=self.common_ap_key,
        )

    def _validity(self, persona: Persona) -> tuple[datetime, datetime]:
        return persona_validity(persona, datetime.now(UTC), self.auth_ca_cert.not_valid_after_utc)

    def _auth_certificate(self, persona: Persona, public_key: rsa.RSAPublicKey) -> x509.Certificate:
        not_before, not_after = self._validity(persona)
        subject = build_name(
            (NameOID.COUNTRY_NAME, "JP"), (NameOID.COMMON_NAME, auth_identifier(persona))
        )
        extensions: list[tuple[x509.ExtensionType, bool]] = [
            (_key_usage(digital_signature=True), True),
            (_policies(AUTH_POLICY_OID), True),
            (_issuer_alt_name(), False),
            (_crldp(_ee_crl_name(AUTH_CA_OU, persona)), False),
            (_ee_access("auth"), False),
        ]
        return issue_certificate(
            self.auth_ca_cert,
            self.auth_ca_key,
            subject,
            public_key,
            not_before=not_before,
            not_after=not_after,
            extensions=extensions,
        )

    def _sign_certificate(self, persona: Persona, public_key: rsa.RSAPublicKey) -> x509.Certificate:
        not_before, not_after = self._validity(persona)
        municipality = persona.municipality
        subject = build_name(
            (NameOID.COUNTRY_NAME, "JP"),
            (NameOID.LOCALITY_NAME, municipality.prefecture_roman),
            (NameOID.LOCALITY_NAME, municipality.city_roman),
            (NameOID.COMMON_NAME, sign_common_name(persona)),
        )
        name_flags = persona.name_substitutes or "0" * len(persona.name)
        san = x509.SubjectAlternativeName(
            [
                x509.OtherName(OID_NAME, der_utf8(persona.name)),
                x509.OtherName(OID_NAME_SUBSTITUTES, der_utf8(name_flags)),
                x509.OtherName(OID_SEX, der_utf8(signing_sex(persona))),
                x509.OtherName(OID_BIRTH_DATE, der_utf8(signing_birth_date(persona))),
                x509.OtherName(OID_ADDRESS, der_utf8(persona.address)),
                x509.OtherName(OID_ADDRESS_SUBSTITUTES, der_utf8("0" * len(persona.address))),
            ]
        )
        extensions: list[tuple[x509.ExtensionType, bool]] = [
            (_key_usage(digital_signature=True, non_repudiation=True), True),
            (_policies(SIGN_POLICY_OID), True),
            (san, False),
            (_issuer_alt_name(), False),
            (_crldp(_ee_crl_name(SIGN_CA_OU, persona)), False),
            (_ee_access("sign"), False),
        ]
        return issue_certificate(
            self.sign_ca_cert,
            self.sign_ca_key,
            subject,
            public_key,
            not_before=not_before,
            not_after=not_after,
            extensions=extensions,
        )


def _persona_fingerprint(persona: Persona) -> str:
    fields = {
        "layout": _LAYOUT_VERSION,
        "id": persona.id,
        "name": persona.name,
        "subst": persona.name_substitutes,
        "address": persona.address,
        "birth": persona.birth_date.isoformat(),
        "sex": persona.sex,
        "municipality": persona.municipality_code,
        "issued": persona.card_issued.isoformat(),
        "expiry": persona.card_expiry.isoformat(),
        "sign": persona.has_signing_certificate,
    }
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def persona_validity(
    persona: Persona, now: datetime, root_not_after: datetime
) -> tuple[datetime, datetime]:
    """The validity of a persona's certificates made at ``now``: the card's own window (card
    issued → the 5th birthday after it, jpki-card.md §10.2) while that window says what the
    persona is for; otherwise moved so that it does — valid personas valid from before ``now``
    for at least :data:`VALID_AT_LEAST`, the ``expired`` persona ended before ``now`` — and
    never beyond the root."""
    not_before = _start_of_day(persona.card_issued)
    not_after = _end_of_day(persona.auth_cert_not_after)
    if persona.cert_expired:
        if not_after >= now - EXPIRED_SINCE:
            not_after = now - EXPIRED_SINCE
            not_before = min(not_before, not_after - VALID_AT_LEAST)
    elif not not_before <= now < not_after - RENEW_BEFORE:
        not_before = min(not_before, now - timedelta(days=1))
        not_after = now + VALID_AT_LEAST
    return max(not_before, ROOT_NOT_BEFORE), min(not_after, root_not_after)


def _outdated(persona: Persona, auth_cert: x509.Certificate, now: datetime) -> bool:
    """True when a cached certificate no longer says what the persona is for on this day."""
    if persona.cert_expired:
        return auth_cert.not_valid_after_utc >= now
    return not (
        auth_cert.not_valid_before_utc <= now < auth_cert.not_valid_after_utc - RENEW_BEFORE
    )


def _roots_ending(folder: Path) -> bool:
    """True when the folder's roots are missing or end too soon to certify new personas."""
    try:
        root = x509.load_pem_x509_certificate((folder / "auth-ca.pem").read_bytes())
    except (OSError, ValueError):
        return True
    return root.not_valid_after_utc - ROOT_RENEW_BEFORE < datetime.now(UTC)


def _create_roots(folder: Path) -> None:
    for prefix, ou, ja in (
        ("auth-ca", AUTH_CA_OU, "公的個人認証サービス利用者証明用"),
        ("sign-ca", SIGN_CA_OU, "公的個人認証サービス署名用"),
    ):
        key = new_rsa_key()
        name = _ca_name(ou)
        cert = make_ca(
            name,
            key,
            not_before=ROOT_NOT_BEFORE,
            not_after=datetime.now(UTC) + ROOT_LIFETIME,
            subject_alt_name=_ca_alt_name(ja),
            crl_distribution_point=name,
            serial=1,
        )
        write_atomic(folder / f"{prefix}.key.pem", key_to_pem(key), private=True)
        write_atomic(folder / f"{prefix}.pem", cert.public_bytes(serialization.Encoding.PEM))
    issuer = new_rsa_key()
    write_atomic(folder / "kenmen-issuer.key.pem", key_to_pem(issuer), private=True)
    write_atomic(folder / "kenmen-issuer.pub.pem", public_key_to_pem(issuer.public_key()))
    for stem in ("kenmen-cv-root", "kenmen-session", "common-ap"):
        write_atomic(folder / f"{stem}.key.pem", key_to_pem(new_rsa_key()), private=True)
    # Persona material made under older roots is stale: drop the stamps so it is reissued.
    personas = folder / "personas"
    if personas.exists():
        for stamp in personas.glob("*/persona.sha256"):
            stamp.unlink()


def certificates_of(creds: PersonaCredentials) -> Sequence[x509.Certificate]:
    """The persona's end-entity certificates (auth first)."""
    return [c for c in (creds.auth_cert, creds.sign_cert) if c is not None]


__all__ = [
    "JST",
    "JpkiTestPki",
    "PersonaCredentials",
    "auth_identifier",
    "build_name",
    "certificates_of",
    "der_utf8",
    "issue_certificate",
    "key_to_pem",
    "load_key",
    "make_ca",
    "new_rsa_key",
    "public_key_to_pem",
]
