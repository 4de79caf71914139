"""The center answers malformed kiosk requests with the protocol's error bodies, never a crash
or an HTML page (raw HTTPS with the kiosk's certificate, bypassing the client's checks)."""

from __future__ import annotations

import gzip
import socket
import ssl
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from kiosk.center import wire
from tests.hw_sim.center.harness import RunningCenter

KEY = {"Idempotency-Key": "0123456789abcdef0123"}


@pytest.fixture
def http(center: RunningCenter) -> Iterator[requests.Session]:
    config = center.kiosk_config()
    with requests.Session() as session:
        session.trust_env = False
        session.verify = str(config.ca_path)
        session.cert = (str(config.cert_path), str(config.key_path))
        yield session


def call(
    http: requests.Session, center: RunningCenter, method: str, path: str, **kwargs: Any
) -> tuple[int, wire.ErrorBody]:
    answer = http.request(method, center.endpoints["center_url"] + path, timeout=30, **kwargs)
    assert answer.headers["Content-Type"].startswith("application/json")
    return answer.status_code, wire.ErrorBody.from_wire(wire.loads(answer.content))


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b'{"purpose": "issuance", "extra": 1}', "application/json"),
        (b'{"purpose": "shopping"}', "application/json"),
        (b'{"purpose": "issuance", "purpose": "registration"}', "application/json"),
        (b'{"purpose": "issuance"}', "text/plain"),
        (b"\xff\xfe\x00", "application/json"),
    ],
)
def test_malformed_bodies_are_400(
    http: requests.Session, center: RunningCenter, body: bytes, content_type: str
) -> None:
    status, error = call(
        http,
        center,
        "POST",
        "/v3/auth/challenges",
        data=body,
        headers={"Content-Type": content_type},
    )
    assert status == 400
    assert error.code is wire.ErrorCode.MALFORMED_REQUEST
    assert not error.retryable


def test_oversized_body_is_413(http: requests.Session, center: RunningCenter) -> None:
    body = b'{"purpose": "' + b"x" * 70_000 + b'"}'
    status, error = call(
        http,
        center,
        "POST",
        "/v3/auth/challenges",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    assert status == 413
    assert error.code is wire.ErrorCode.TOO_LARGE


def test_issuance_needs_a_key_and_a_session(http: requests.Session, center: RunningCenter) -> None:
    body = wire.dumps(
        {
            "request": {
                "kind": "inkan",
                "jurisdiction": "residence",
                "options": {"type": "none"},
                "copies": 1,
            }
        }
    )
    headers = {"Content-Type": "application/json"}
    status, error = call(http, center, "POST", "/v3/issuances", data=body, headers=headers)
    assert (status, error.code) == (400, wire.ErrorCode.MALFORMED_REQUEST)
    status, error = call(
        http, center, "POST", "/v3/issuances", data=body, headers={**headers, **KEY}
    )
    assert (status, error.code) == (401, wire.ErrorCode.SESSION_INVALID)
    bad = {**headers, **KEY, "Authorization": "Session " + "A" * 43}
    status, error = call(http, center, "POST", "/v3/issuances", data=body, headers=bad)
    assert (status, error.code) == (401, wire.ErrorCode.SESSION_INVALID)
    status, error = call(
        http,
        center,
        "POST",
        "/v3/issuances",
        data=body,
        headers={**headers, "Idempotency-Key": "short"},
    )
    assert (status, error.code) == (400, wire.ErrorCode.MALFORMED_REQUEST)


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/v3/nowhere", 404, wire.ErrorCode.NOT_FOUND),
        ("GET", "/v3/settlements/2026-13-40", 400, wire.ErrorCode.MALFORMED_REQUEST),
        ("GET", "/v3/registrations/%2e%2e%2fetc", 404, wire.ErrorCode.NOT_FOUND),
        ("PUT", "/v3/health", 400, wire.ErrorCode.MALFORMED_REQUEST),
        ("GET", "/v3/offer", 401, wire.ErrorCode.SESSION_INVALID),
    ],
)
def test_wrong_paths_and_methods(
    http: requests.Session,
    center: RunningCenter,
    method: str,
    path: str,
    status: int,
    code: wire.ErrorCode,
) -> None:
    got_status, error = call(http, center, method, path)
    assert (got_status, error.code) == (status, code)


def test_completion_that_does_not_add_up(
    http: requests.Session, center: RunningCenter, center_pki: Any
) -> None:
    from kiosk.center.client import new_idempotency_key
    from printing.certificates import CertificateKind, CertificateRequest, Jurisdiction, NoOptions
    from tests.hw_sim.center.harness import open_session

    with center.client() as client:
        session = open_session(client, center_pki, "normal")
        envelope = client.issue(
            session,
            CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions(), 2),
            new_idempotency_key(),
        ).envelope
    report = wire.CompletionReport(
        wire.CompletionOutcome.FAILED,
        1,
        envelope.total_fee_yen,
        0,
        0,
        "media_jam",
        envelope.issued_at,
    )  # one copy unprinted and nothing refunded or owed: the money does not add up
    status, error = call(
        http,
        center,
        "POST",
        f"/v3/issuances/{envelope.issuance_id}/completion",
        data=wire.dumps(report.to_wire()),
        headers={"Content-Type": "application/json", **KEY},
    )
    assert (status, error.code) == (400, wire.ErrorCode.MALFORMED_REQUEST)
    assert "add up" in error.message


# -- bodies and headers the HTTP layer meets first (issue 16) -----------------------------------
def new_log_lines(center: RunningCenter, since: int) -> str:
    return center.log_path.read_bytes()[since:].decode("utf-8", errors="replace")


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_plain_body_claiming_an_encoding_is_400_without_a_traceback(
    http: requests.Session, center: RunningCenter, encoding: str
) -> None:
    since = center.log_path.stat().st_size
    status, error = call(
        http,
        center,
        "POST",
        "/v2/auth/challenges",
        data=b'{"purpose": "issuance"}',
        headers={"Content-Type": "application/json", "Content-Encoding": encoding},
    )
    assert (status, error.code, error.retryable) == (400, wire.ErrorCode.MALFORMED_REQUEST, False)
    time.sleep(0.2)  # aiohttp drains the rest of the body after the answer
    assert "Traceback" not in new_log_lines(center, since)


def test_an_encoded_body_is_decoded_and_a_bomb_stays_413(
    http: requests.Session, center: RunningCenter
) -> None:
    status = http.post(
        center.endpoints["center_url"] + "/v2/auth/challenges",
        data=gzip.compress(b'{"purpose": "issuance"}'),
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
        timeout=30,
    ).status_code
    assert status == 200  # a real gzip body is fine
    bomb = gzip.compress(b'{"purpose": "' + b" " * (16 * 1024 * 1024) + b'"}')  # 16 KiB → 16 MiB
    assert len(bomb) < 64 * 1024
    status, error = call(
        http,
        center,
        "POST",
        "/v2/auth/challenges",
        data=bomb,
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert (status, error.code) == (413, wire.ErrorCode.TOO_LARGE)


def raw_request(center: RunningCenter, head: bytes, body: bytes = b"") -> tuple[int, bytes, bytes]:
    """One request written byte for byte over mutual TLS (clients refuse to send some of these
    heads); returns (status, headers, body) of the answer."""
    config = center.kiosk_config()
    host, port = center.endpoints["center_url"].removeprefix("https://").rsplit(":", 1)
    context = ssl.create_default_context(cafile=str(config.ca_path))
    context.load_cert_chain(config.cert_path, config.key_path)
    with (
        socket.create_connection((host, int(port)), timeout=10) as plain,
        context.wrap_socket(plain, server_hostname=host) as tls,
    ):
        tls.sendall(head + b"Connection: close\r\n\r\n" + body)
        answer = b""
        while chunk := tls.recv(65536):
            answer += chunk
    headers, _, content = answer.partition(b"\r\n\r\n")
    return int(headers.split(b" ", 2)[1]), headers, content


BODY = b'{"purpose": "issuance"}'
POST_HEAD = (
    b"POST /v2/auth/challenges HTTP/1.1\r\nHost: center\r\nContent-Type: application/json\r\n"
    b"Content-Length: " + str(len(BODY)).encode() + b"\r\n"
)


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param(b"X-Padding: " + b"a" * 20_000 + b"\r\n", id="20 KB header"),
        pytest.param(b"X-Nul: a\x00b\r\n", id="NUL in a header"),
        pytest.param(b"Content-Encoding: br\r\n", id="br (no decoder)"),
        pytest.param(b"Content-Encoding: zstd-or-what\r\n", id="unknown encoding"),
        pytest.param(b"Bad Header Name: x\r\n", id="space in a header name"),
    ],
)
def test_what_the_http_parser_refuses_is_answered_in_the_error_format(
    center: RunningCenter, extra: bytes
) -> None:
    since = center.log_path.stat().st_size
    status, headers, content = raw_request(center, POST_HEAD + extra, BODY)
    assert status == 400
    assert b"application/json" in headers.lower()
    error = wire.ErrorBody.from_wire(wire.loads(content))
    assert error.code is wire.ErrorCode.MALFORMED_REQUEST
    assert b"aaaa" not in content
    assert b"\x00" not in content
    assert "Traceback" not in new_log_lines(center, since)


def test_a_malformed_request_line_is_answered_in_the_error_format(center: RunningCenter) -> None:
    status, _headers, content = raw_request(center, b"FETCH\x01 / HTTP/1.1\r\nHost: center\r\n")
    assert status == 400
    assert wire.ErrorBody.from_wire(wire.loads(content)).code is wire.ErrorCode.MALFORMED_REQUEST
