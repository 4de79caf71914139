"""The simulated center's own keys and certificates (architecture.md, "Personas and the test PKI").

Kept in one folder (``<state-dir>/keys`` by default), made on first use, reloaded afterwards:

- ``center-ca.pem`` / ``.key.pem`` — the center CA (ECDSA P-256). Kiosks pin this certificate.
- ``server.pem`` / ``.key.pem`` — the HTTPS server (SAN ``localhost``, ``127.0.0.1``, ``::1``).
- ``envelope.pem`` / ``.key.pem`` — signs issuance envelopes (ES256); EKU
  :data:`ENVELOPE_SIGNING_EKU` so no other center certificate can sign an envelope.
- ``document-signer.pem`` / ``.key.pem`` and ``scramble-master.key`` — the back-side keys
  (the ECDSA P-256 key that signs the 2D code, the scramble master key): the center's
  ``printing.security.BackSideKeys``.
- ``ocsp-responder.pem`` / ``.key.pem`` — the JPKI validity service's delegated OCSP responder,
  certified by the JPKI-TEST user-authentication CA of ``hw_sim.pki`` (RSA-2048, EKU
  OCSPSigning, id-pkix-ocsp-nocheck: RFC 6960 §4.2.2.2).
- ``kiosks/<kiosk id>/kiosk.pem`` / ``kiosk.key.pem`` — one TLS client certificate per kiosk
  (``CN=<kiosk id>``, EKU clientAuth). Which kiosks the center *accepts* is center state
  (hw_sim/center/state.py), not this folder.

Test material only: private keys are unencrypted PEM, mode 0600.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from hw_sim.files import locked, write_atomic
from hw_sim.pki import JpkiTestPki, build_name, issue_certificate, make_ca, new_rsa_key
from kiosk.center import wire

# "konbini center envelope signing" (docs/center-protocol.md, "The envelope").
ENVELOPE_SIGNING_EKU = x509.ObjectIdentifier(wire.ENVELOPE_SIGNING_EKU)
CENTER_ORGANISATION = "Konbini Kiosk TEST Issuance Center"
SERVER_NAMES = ("localhost",)
SERVER_ADDRESSES = ("127.0.0.1", "::1")
CA_LIFETIME = timedelta(days=3650)
LEAF_LIFETIME = timedelta(days=730)
RENEW_BEFORE = timedelta(days=30)  # reissue a leaf certificate this long before it expires
SCRAMBLE_KEY_BYTES = 32  # a 256-bit master key (security-printing.md §7)
ENVELOPE_KEY_ID = "envelope-1"
DOCUMENT_KEY_ID = "document-1"


def _ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _pem_key(key: PrivateKeyTypes) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _pem_cert(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def certificate_fingerprint(der: bytes) -> str:
    """SHA-256 of a DER certificate, hex: how the center's kiosk registry names a certificate."""
    return hashlib.sha256(der).hexdigest()


@dataclass(frozen=True)
class KioskCredentials:
    """A kiosk's TLS client credentials as files (what a kiosk profile points at)."""

    kiosk_id: str
    cert_path: Path
    key_path: Path
    ca_path: Path  # the center CA to pin

    @property
    def fingerprint(self) -> str:
        cert = x509.load_pem_x509_certificate(self.cert_path.read_bytes())
        return certificate_fingerprint(cert.public_bytes(serialization.Encoding.DER))


class CenterKeys:
    """The center's keys in ``folder`` (see the module docstring for the files)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.ca_cert = self._cert("center-ca.pem")
        self.ca_key = cast(ec.EllipticCurvePrivateKey, self._key("center-ca.key.pem"))
        self.envelope_cert = self._cert("envelope.pem")
        self.envelope_key = cast(ec.EllipticCurvePrivateKey, self._key("envelope.key.pem"))
        self.envelope_key_id = ENVELOPE_KEY_ID
        self.document_cert = self._cert("document-signer.pem")
        self.document_key = cast(ec.EllipticCurvePrivateKey, self._key("document-signer.key.pem"))
        self.document_key_id = DOCUMENT_KEY_ID
        self.scramble_master_key = (self.folder / "scramble-master.key").read_bytes()
        self.ocsp_cert = self._cert("ocsp-responder.pem")
        self.ocsp_key = cast(rsa.RSAPrivateKey, self._key("ocsp-responder.key.pem"))

    # -- files ---------------------------------------------------------------------------------
    @property
    def ca_path(self) -> Path:
        return self.folder / "center-ca.pem"

    @property
    def server_cert_path(self) -> Path:
        return self.folder / "server.pem"

    @property
    def server_key_path(self) -> Path:
        return self.folder / "server.key.pem"

    def _cert(self, name: str) -> x509.Certificate:
        return x509.load_pem_x509_certificate((self.folder / name).read_bytes())

    def _key(self, name: str) -> PrivateKeyTypes:
        return serialization.load_pem_private_key((self.folder / name).read_bytes(), None)

    # -- creation ------------------------------------------------------------------------------
    @classmethod
    def load_or_create(cls, folder: Path | str, pki: JpkiTestPki) -> CenterKeys:
        """Load the keys, creating what is missing or near expiry. Safe across processes.

        ``pki`` is the JPKI-TEST hierarchy whose user-authentication CA certifies the OCSP
        responder (the same folder the virtual cards use).
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        with locked(folder):
            _ensure_ca(folder)
            ca_cert = x509.load_pem_x509_certificate((folder / "center-ca.pem").read_bytes())
            ca_key = serialization.load_pem_private_key(
                (folder / "center-ca.key.pem").read_bytes(), None
            )
            _ensure_leaf(folder, "server", ca_cert, ca_key, _server_extensions())
            _ensure_leaf(
                folder, "envelope", ca_cert, ca_key, _signer_extensions(ENVELOPE_SIGNING_EKU)
            )
            _ensure_leaf(folder, "document-signer", ca_cert, ca_key, _signer_extensions(None))
            _ensure_ocsp_responder(folder, pki)
            scramble = folder / "scramble-master.key"
            if not scramble.exists():
                write_atomic(scramble, secrets.token_bytes(SCRAMBLE_KEY_BYTES), private=True)
        return cls(folder)

    def kiosk(self, kiosk_id: str) -> KioskCredentials:
        """The credentials of ``kiosk_id``, issued on first use (registration is separate)."""
        kdir = self.folder / "kiosks" / kiosk_id
        with locked(self.folder):
            kdir.mkdir(parents=True, exist_ok=True)
            name = build_name(
                (NameOID.ORGANIZATION_NAME, CENTER_ORGANISATION), (NameOID.COMMON_NAME, kiosk_id)
            )
            _ensure_leaf(
                kdir, "kiosk", self.ca_cert, self.ca_key, _client_extensions(), subject=name
            )
        return KioskCredentials(kiosk_id, kdir / "kiosk.pem", kdir / "kiosk.key.pem", self.ca_path)

    def reissue_kiosk(self, kiosk_id: str) -> KioskCredentials:
        """A new certificate and key for ``kiosk_id`` (the old files are replaced)."""
        kdir = self.folder / "kiosks" / kiosk_id
        for name in ("kiosk.pem", "kiosk.key.pem"):
            (kdir / name).unlink(missing_ok=True)
        return self.kiosk(kiosk_id)


def _name(common_name: str) -> x509.Name:
    return build_name(
        (NameOID.COUNTRY_NAME, "JP"),
        (NameOID.ORGANIZATION_NAME, CENTER_ORGANISATION),
        (NameOID.COMMON_NAME, common_name),
    )


def _ensure_ca(folder: Path) -> None:
    cert_path = folder / "center-ca.pem"
    if cert_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        if cert.not_valid_after_utc - RENEW_BEFORE > datetime.now(UTC):
            return
    key = _ec_key()
    now = datetime.now(UTC)
    cert = make_ca(
        _name("Konbini Kiosk TEST Center CA"),
        cast(Any, key),  # hw_sim.pki's helpers are typed for RSA; they sign with any key
        not_before=now - timedelta(hours=1),
        not_after=now + CA_LIFETIME,
        path_length=0,
    )
    write_atomic(folder / "center-ca.key.pem", _pem_key(key), private=True)
    write_atomic(cert_path, _pem_cert(cert))
    # Everything the old CA certified is stale now.
    for stale in folder.glob("**/*.pem"):
        if stale.name not in ("center-ca.pem", "center-ca.key.pem") and "ocsp" not in stale.name:
            stale.unlink()


def _ensure_leaf(
    folder: Path,
    stem: str,
    issuer_cert: x509.Certificate,
    issuer_key: Any,
    extensions: list[tuple[x509.ExtensionType, bool]],
    *,
    subject: x509.Name | None = None,
) -> None:
    cert_path, key_path = folder / f"{stem}.pem", folder / f"{stem}.key.pem"
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        fresh = cert.not_valid_after_utc - RENEW_BEFORE > datetime.now(UTC)
        if fresh and cert.issuer == issuer_cert.subject:
            return
    key = _ec_key()
    now = datetime.now(UTC)
    cert = issue_certificate(
        issuer_cert,
        issuer_key,
        subject or _name(stem),
        cast(Any, key.public_key()),
        not_before=now - timedelta(hours=1),
        not_after=now + LEAF_LIFETIME,
        extensions=extensions,
    )
    write_atomic(key_path, _pem_key(key), private=True)
    write_atomic(cert_path, _pem_cert(cert))


def _key_usage(*, digital_signature: bool = True, key_agreement: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=key_agreement,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def _server_extensions() -> list[tuple[x509.ExtensionType, bool]]:
    names: list[x509.GeneralName] = [x509.DNSName(name) for name in SERVER_NAMES]
    names += [x509.IPAddress(ipaddress.ip_address(addr)) for addr in SERVER_ADDRESSES]
    return [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (_key_usage(), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
        (x509.SubjectAlternativeName(names), False),
    ]


def _client_extensions() -> list[tuple[x509.ExtensionType, bool]]:
    return [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (_key_usage(), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False),
    ]


def _signer_extensions(eku: x509.ObjectIdentifier | None) -> list[tuple[x509.ExtensionType, bool]]:
    extensions: list[tuple[x509.ExtensionType, bool]] = [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (_key_usage(), True),
    ]
    if eku is not None:
        extensions.append((x509.ExtendedKeyUsage([eku]), True))
    return extensions


def _ensure_ocsp_responder(folder: Path, pki: JpkiTestPki) -> None:
    cert_path, key_path = folder / "ocsp-responder.pem", folder / "ocsp-responder.key.pem"
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        fresh = cert.not_valid_after_utc - RENEW_BEFORE > datetime.now(UTC)
        if fresh and cert.issuer == pki.auth_ca_cert.subject and _signed_by(cert, pki.auth_ca_cert):
            return
    key = new_rsa_key()
    now = datetime.now(UTC)
    subject = build_name(
        (NameOID.COUNTRY_NAME, "JP"),
        (NameOID.ORGANIZATION_NAME, "JPKI-TEST"),
        (NameOID.COMMON_NAME, "JPKI-TEST user authentication OCSP responder"),
    )
    cert = issue_certificate(
        pki.auth_ca_cert,
        pki.auth_ca_key,
        subject,
        key.public_key(),
        not_before=now - timedelta(hours=1),
        not_after=now + timedelta(days=365),
        extensions=[
            (x509.BasicConstraints(ca=False, path_length=None), True),
            (_key_usage(), True),
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), True),
            (x509.OCSPNoCheck(), False),
        ],
    )
    write_atomic(key_path, _pem_key(key), private=True)
    write_atomic(cert_path, _pem_cert(cert))


def _signed_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True
