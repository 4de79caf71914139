"""OpenSC takes the virtual card for a real JPKI card (jpki-card.md §11): through the private
pcscd, with no driver pinned (so every other driver's probe must get 6A 82 first)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from hw_sim.card import CardDock
from hw_sim.pki import JpkiTestPki
from hw_sim.stack import PrivatePcscd
from tests.hw_sim.card.pcsc_helpers import close, connect, wait_absent

pytestmark = [
    pytest.mark.pcscd,
    pytest.mark.skipif(shutil.which("pkcs15-tool") is None, reason="OpenSC not installed"),
]
PKCS11_MODULE = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"


@pytest.fixture
def inserted(pcscd: PrivatePcscd, pki: JpkiTestPki, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The normal persona's card in slot 0; the environment OpenSC's tools need."""
    with CardDock(
        "127.0.0.1", pcscd.port, state_dir=tmp_path / "cards", pki_dir=pki.folder
    ) as dock:
        dock.insert(0, "normal")
        close(connect(0))  # pcscd has seen the card
        env = dict(os.environ, **pcscd.env)
        env.pop("OPENSC_DRIVER", None)
        yield env
    assert wait_absent(0)


def run(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(argv), env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_pkcs15_tool_lists_the_four_certificates(inserted: dict[str, str]) -> None:
    result = run(inserted, "pkcs15-tool", "--list-certificates")
    assert result.returncode == 0, result.stderr
    for label, cert_id in (
        ("User Authentication Certificate]", "01"),
        ("Digital Signature Certificate]", "02"),
        ("User Authentication Certificate CA]", "03"),
        ("Digital Signature Certificate CA]", "04"),
    ):
        assert label in result.stdout
        assert f"ID             : {cert_id}" in result.stdout


def test_pkcs15_tool_reads_the_authentication_certificate(
    inserted: dict[str, str], pki: JpkiTestPki
) -> None:
    result = run(inserted, "pkcs15-tool", "--read-certificate", "01")
    assert result.returncode == 0, result.stderr
    cert = x509.load_pem_x509_certificate(result.stdout.encode())
    assert cert == pki.credentials("normal").auth_cert


def test_pkcs11_tool_signs_with_the_auth_key(
    inserted: dict[str, str], pki: JpkiTestPki, tmp_path: Path
) -> None:
    data = tmp_path / "nonce.bin"
    data.write_bytes(b"center nonce bound to kiosk and time")
    signature = tmp_path / "sig.bin"
    result = run(
        inserted, "pkcs11-tool", "--module", PKCS11_MODULE, "--login", "--pin", "1234",
        "--sign", "--id", "01", "-m", "SHA256-RSA-PKCS",
        "-i", str(data), "-o", str(signature),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    key = pki.credentials("normal").auth_cert.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(signature.read_bytes(), data.read_bytes(), padding.PKCS1v15(), hashes.SHA256())


def test_pkcs11_tool_signs_with_the_signing_key_after_the_password(
    inserted: dict[str, str], pki: JpkiTestPki, tmp_path: Path
) -> None:
    data = tmp_path / "doc.bin"
    data.write_bytes(b"an e-application")
    signature = tmp_path / "sig.bin"
    result = run(
        inserted, "pkcs11-tool", "--module", PKCS11_MODULE, "--slot-index", "1",
        "--login", "--pin", "ABC123", "--sign", "--id", "02", "-m", "SHA256-RSA-PKCS",
        "-i", str(data), "-o", str(signature),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    cert = pki.credentials("normal").sign_cert
    assert cert is not None
    key = cert.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(signature.read_bytes(), data.read_bytes(), padding.PKCS1v15(), hashes.SHA256())


def test_wrong_pin_costs_one_try_as_opensc_reports_it(inserted: dict[str, str]) -> None:
    before = run(inserted, "pkcs15-tool", "--list-pins")
    assert before.stdout.count("Tries left     : 3") == 1
    result = run(
        inserted, "pkcs11-tool", "--module", PKCS11_MODULE, "--login", "--pin", "9999",
        "--sign", "--id", "01", "-m", "SHA256-RSA-PKCS", "-i", "/dev/null",
    )  # fmt: skip
    assert result.returncode != 0
    assert "CKR_PIN_INCORRECT" in result.stderr
    after = run(inserted, "pkcs15-tool", "--list-pins")
    auth_pin = after.stdout.split("PIN [Digital Signature PIN]")[0]
    assert "Tries left     : 2" in auth_pin


def test_the_auth_certificate_der_matches_the_card_ef(
    inserted: dict[str, str], pki: JpkiTestPki
) -> None:
    result = run(inserted, "pkcs15-tool", "--read-certificate", "03")
    assert result.returncode == 0, result.stderr
    ca = x509.load_pem_x509_certificate(result.stdout.encode())
    assert ca.public_bytes(serialization.Encoding.DER) == pki.auth_ca_cert.public_bytes(
        serialization.Encoding.DER
    )
