"""The center answers malformed kiosk requests with the protocol's error bodies, never a crash
or an HTML page (raw HTTPS with the kiosk's certificate, bypassing the client's checks)."""

from __future__ import annotations

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
        "/v2/auth/challenges",
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
        "/v2/auth/challenges",
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
    status, error = call(http, center, "POST", "/v2/issuances", data=body, headers=headers)
    assert (status, error.code) == (400, wire.ErrorCode.MALFORMED_REQUEST)
    status, error = call(
        http, center, "POST", "/v2/issuances", data=body, headers={**headers, **KEY}
    )
    assert (status, error.code) == (401, wire.ErrorCode.SESSION_INVALID)
    bad = {**headers, **KEY, "Authorization": "Session " + "A" * 43}
    status, error = call(http, center, "POST", "/v2/issuances", data=body, headers=bad)
    assert (status, error.code) == (401, wire.ErrorCode.SESSION_INVALID)
    status, error = call(
        http,
        center,
        "POST",
        "/v2/issuances",
        data=body,
        headers={**headers, "Idempotency-Key": "short"},
    )
    assert (status, error.code) == (400, wire.ErrorCode.MALFORMED_REQUEST)


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/v2/nowhere", 404, wire.ErrorCode.NOT_FOUND),
        ("GET", "/v2/settlements/2026-13-40", 400, wire.ErrorCode.MALFORMED_REQUEST),
        ("GET", "/v2/registrations/%2e%2e%2fetc", 404, wire.ErrorCode.NOT_FOUND),
        ("PUT", "/v2/health", 400, wire.ErrorCode.MALFORMED_REQUEST),
        ("GET", "/v2/offer", 401, wire.ErrorCode.SESSION_INVALID),
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
        f"/v2/issuances/{envelope.issuance_id}/completion",
        data=wire.dumps(report.to_wire()),
        headers={"Content-Type": "application/json", **KEY},
    )
    assert (status, error.code) == (400, wire.ErrorCode.MALFORMED_REQUEST)
    assert "add up" in error.message
