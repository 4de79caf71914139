"""The online check end to end: a certificate issued by the real simulated center (real back
sides), the code printed on its front, the center's public verification listener (HTTPS, no
client certificate) answering ``python -m printing.verify --online`` — and a wrong code, a
query past the retention, a flood, a plain TCP client without TLS."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import sys
import urllib.parse
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509

from kiosk.center.client import new_idempotency_key
from kiosk.domain import CertificateKind, CertificateRequest, Jurisdiction, NoOptions
from printing.security import BackSideData
from printing.security.signed_code import parse_signed_code
from printing.security.vcode import grouped, new_code
from printing.verify.online import OnlineError, query, verify_online
from tests.hw_sim.center.harness import BUSINESS_MORNING, REPO, RunningCenter, open_session


@dataclass(frozen=True)
class Issued:
    serial: str
    code: str
    pages: tuple[BackSideData, ...]


@pytest.fixture(scope="module")
def issued(running_center: RunningCenter, center_pki) -> Issued:
    running_center.reset()
    with running_center.client() as client:
        session = open_session(client, center_pki, "normal")
        client.offer(session)
        request = CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions(), 1)
        copy = client.issue(session, request, new_idempotency_key()).envelope.copies[0]
    pages = tuple(BackSideData.from_bytes(page.data) for page in copy.back_sides)
    code = pages[0].verification_code
    assert code is not None
    return Issued(copy.serial, code, pages)


def signer_pem(center: RunningCenter, folder: Path) -> str:
    """The center's document-signing public key as a relying party downloads it."""
    from cryptography.hazmat.primitives import serialization

    cert = x509.load_pem_x509_certificate(
        (Path(center.state_dir) / "keys" / "document-signer.pem").read_bytes()
    )
    path = folder / "signer.pem"
    path.write_bytes(
        cert.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return f"document-1={path}"


def trusted(center: RunningCenter) -> dict[bytes, object]:
    cert = x509.load_pem_x509_certificate(
        (Path(center.state_dir) / "keys" / "document-signer.pem").read_bytes()
    )
    return {b"document-1": cert.public_key()}


def test_the_code_on_the_front_gets_the_signed_pages(center: RunningCenter, issued: Issued) -> None:
    answer = verify_online(
        center.endpoints["verification_url"],
        issued.serial,
        grouped(issued.code),
        trusted(center),  # type: ignore[arg-type]
        ca=Path(center.endpoints["ca_path"]),
    )
    assert answer.serial == issued.serial
    assert [p.page_index for p in answer.pages] == [0]
    page = answer.pages[0]
    assert page.page_facts is not None
    fields = page.page_facts.fields()
    assert fields["birth_date"].endswith("生")  # the printed facts, as signed
    assert page == parse_signed_code(issued.pages[0].signed_code).payload  # what the back has


def test_the_cli_shows_the_signed_fields(
    center: RunningCenter, issued: Issued, tmp_path: Path
) -> None:
    trust = signer_pem(center, tmp_path)
    base = [sys.executable, "-m", "printing.verify", "--url", center.endpoints["verification_url"]]
    base += ["--ca", center.endpoints["ca_path"], "--trust", trust]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*base, *args], capture_output=True, text=True, timeout=60, cwd=REPO)

    found = run("--online", issued.serial, grouped(issued.code).lower(), "--out", str(tmp_path))
    assert found.returncode == 0, found.stdout + found.stderr
    assert "生年月日" in found.stdout
    assert (tmp_path / "signed_page_1.png").stat().st_size > 0
    record = json.loads((tmp_path / "verdict.json").read_text())
    assert record["serial"] == issued.serial
    wrong = run("--online", issued.serial, new_code(), "--json")
    assert wrong.returncode == 1
    assert json.loads(wrong.stdout)["outcome"] == "not_found"
    unusable = run("--online", issued.serial, "not a code")
    assert unusable.returncode == 2


def test_nothing_after_the_retention(center: RunningCenter, issued: Issued) -> None:
    url, ca = center.endpoints["verification_url"], Path(center.endpoints["ca_path"])
    center.set_clock(BUSINESS_MORNING + timedelta(days=88))  # < 3 months: still answered
    assert query(url, issued.serial, issued.code, ca=ca)["serial"] == issued.serial
    center.set_clock(BUSINESS_MORNING + timedelta(days=93))  # 3 months and more
    with pytest.raises(OnlineError) as refused:
        query(url, issued.serial, issued.code, ca=ca)
    assert refused.value.status == 404


def test_a_flood_is_refused_with_retry_after(center: RunningCenter, issued: Issued) -> None:
    url, ca = center.endpoints["verification_url"], Path(center.endpoints["ca_path"])
    statuses = []
    for _ in range(14):
        try:
            query(url, "131202-261126-999999-1", new_code(), ca=ca)
        except OnlineError as exc:
            statuses.append(exc.status)
    assert statuses[:5] == [404] * 5  # then the serial locks, and the client's bucket empties
    assert set(statuses[5:]) == {429}
    context = ssl.create_default_context(cafile=center.endpoints["ca_path"])
    host = urllib.parse.urlsplit(url)
    with (
        socket.create_connection((host.hostname, host.port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=host.hostname) as tls,
    ):
        tls.sendall(
            f"GET /v2/verifications/{issued.serial}?code={issued.code} HTTP/1.1\r\n"
            f"Host: {host.hostname}\r\nConnection: close\r\n\r\n".encode()
        )
        head = tls.recv(4096).decode("latin-1")
    assert head.startswith("HTTP/1.1 429")
    assert "Retry-After:" in head


def test_no_client_certificate_is_asked_and_plain_http_is_refused(
    center: RunningCenter, issued: Issued
) -> None:
    host = urllib.parse.urlsplit(center.endpoints["verification_url"])
    with socket.create_connection((host.hostname, host.port), timeout=5) as raw:
        raw.sendall(b"GET /v2/verifications/x?code=y HTTP/1.1\r\nHost: x\r\n\r\n")
        raw.settimeout(5)
        try:
            reply = raw.recv(100)
        except (ConnectionResetError, TimeoutError):
            reply = b""
    assert not reply.startswith(b"HTTP/1.1 200")


def test_the_issuance_records_its_codes_once(center: RunningCenter, center_pki) -> None:
    """A replayed issuance (same idempotency key) returns the same codes, recorded once."""
    with center.client() as client:
        session = open_session(client, center_pki, "normal")
        client.offer(session)
        request = CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions(), 2)
        key = new_idempotency_key()
        first = client.issue(session, request, key).envelope
        again = client.issue(session, request, key).envelope
    codes = [BackSideData.from_bytes(c.back_sides[0].data).verification_code for c in first.copies]
    assert codes == [
        BackSideData.from_bytes(c.back_sides[0].data).verification_code for c in again.copies
    ]
    assert len(set(codes)) == 2  # one code per copy
    url, ca = center.endpoints["verification_url"], Path(center.endpoints["ca_path"])
    for copy, code in zip(first.copies, codes, strict=True):
        assert code is not None
        assert query(url, copy.serial, code, ca=ca)["serial"] == copy.serial
