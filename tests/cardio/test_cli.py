"""The ``cardio`` command line against a virtual card in pcscd (the CLI speaks PC/SC only)."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from cardio.cli import main
from hw_sim.personas import get_persona
from hw_sim.pki import JpkiTestPki
from hw_sim.stack import PrivatePcscd
from tests.cardio.pcsc_cards import READER, PcscCards

pytestmark = pytest.mark.pcscd


@pytest.fixture
def dock(pki: JpkiTestPki, pcscd: PrivatePcscd, tmp_path: Path) -> Iterator[PcscCards]:
    cards = PcscCards(pki, pcscd, tmp_path)
    cards.insert("normal")
    try:
        yield cards
    finally:
        cards.close()


def run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str, stdin: str = ""
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_readers(dock: PcscCards, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    code, out, _ = run(monkeypatch, capsys, "readers")
    assert code == 0
    assert f"{READER}: card, ATR" in out
    assert "Virtual PCD 00 01: empty" in out


def test_status(dock: PcscCards, monkeypatch: pytest.MonkeyPatch, capsys, pki: JpkiTestPki) -> None:
    code, out, _ = run(monkeypatch, capsys, "status")
    assert code == 0
    assert "MY_NUMBER_CARD" in out
    cert = pki.credentials("normal").auth_cert
    assert f"{cert.serial_number:X}" in out
    assert cert.subject.rfc4514_string() in out


def test_tries(dock: PcscCards, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    code, out, _ = run(monkeypatch, capsys, "tries")
    assert code == 0
    assert "3 of 3" in out
    assert "5 of 5" in out


def test_sign_challenge_with_masked_trace(
    dock: PcscCards, monkeypatch: pytest.MonkeyPatch, capsys, pki: JpkiTestPki
) -> None:
    handlers = list(logging.getLogger("cardio").handlers)
    code, out, err = run(
        monkeypatch,
        capsys,
        "--trace",
        "sign",
        "--challenge",
        "c0ffee",
        "--pin-stdin",
        stdin="1234\n",
    )
    assert code == 0
    key = pki.credentials("normal").auth_cert.public_key()
    key.verify(
        bytes.fromhex(out.strip()), bytes.fromhex("c0ffee"), padding.PKCS1v15(), hashes.SHA256()
    )
    assert "00 20 00 80 04 <4 bytes masked>" in err
    assert "31 32 33 34" not in err
    # The trace ends with the call: no handler left on a stream that later closes.
    assert logging.getLogger("cardio").handlers == handlers


def test_sign_file_with_signing_key(
    dock: PcscCards, monkeypatch: pytest.MonkeyPatch, capsys, tmp_path: Path, pki: JpkiTestPki
) -> None:
    document = tmp_path / "doc.txt"
    document.write_bytes(b"contract")
    signature_file = tmp_path / "doc.sig"
    password = get_persona("normal").signing_password
    assert password
    code, _out, _err = run(
        monkeypatch,
        capsys,
        "sign",
        "--file",
        str(document),
        "--key",
        "signing",
        "--out",
        str(signature_file),
        "--pin-stdin",
        stdin=password + "\n",
    )
    assert code == 0
    signing_cert = pki.credentials("normal").sign_cert
    assert isinstance(signing_cert, x509.Certificate)
    signing_cert.public_key().verify(  # type: ignore[union-attr]
        signature_file.read_bytes(), b"contract", padding.PKCS1v15(), hashes.SHA256()
    )


def test_wrong_pin_exit_code_and_message(dock: PcscCards, monkeypatch, capsys) -> None:
    code, _out, err = run(
        monkeypatch, capsys, "sign", "--challenge", "00", "--pin-stdin", stdin="9999\n"
    )
    assert code == 1
    assert "WrongPin" in err
    assert "2 tries left" in err
    assert "9999" not in err


def test_malformed_pin_costs_nothing(dock: PcscCards, monkeypatch, capsys) -> None:
    code, _out, _err = run(
        monkeypatch, capsys, "sign", "--challenge", "00", "--pin-stdin", stdin="12\n"
    )
    assert code == 2
    code, out, _ = run(monkeypatch, capsys, "tries")
    assert "3 of 3" in out


def test_facts(dock: PcscCards, monkeypatch, capsys, pki: JpkiTestPki, tmp_path: Path) -> None:
    persona = get_persona("normal")
    key_file = tmp_path / "issuer.pem"
    key_file.write_bytes(pki.kenmen_issuer_public_pem)
    code, out, _ = run(
        monkeypatch,
        capsys,
        "facts",
        "--pin-stdin",
        "--issuer-key",
        str(key_file),
        stdin=persona.shogo_b + "\n",
    )
    assert code == 0
    assert persona.name in out
    assert persona.address in out
    assert "signature verified" in out


def test_pin_is_not_an_argument() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cardio", "sign", "--challenge", "00", "--pin", "1234"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "unrecognized arguments" in result.stderr


def test_no_service(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = {"PCSCLITE_CSOCK_NAME": str(tmp_path / "nothing.comm"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "cardio", "readers"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 1
    assert "ServiceUnavailable" in result.stderr


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("android", "readable only after the PIN"),
        ("juki-card", "not supported"),
        ("iphone", "IPHONE"),
    ],
)
def test_status_of_other_media(
    pki: JpkiTestPki,
    pcscd: PrivatePcscd,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    persona: str,
    expected: str,
) -> None:
    cards = PcscCards(pki, pcscd, tmp_path)
    try:
        cards.insert(persona)
        code, out, _ = run(monkeypatch, capsys, "status")
    finally:
        cards.close()
    assert code == 0
    assert expected in out
