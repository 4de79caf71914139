"""The client transport's mapping of answers and failures to typed errors (unit level; the
e2e tests drive the same paths against the real center)."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime

import pytest
import requests
import urllib3

from kiosk.center import errors, wire
from kiosk.center.transport import (
    Answer,
    Call,
    Retryable,
    check_status,
    classify_tls,
    is_refused_certificate,
    server_timing,
)

CALL = Call("GET", "/health", 5.0, 3)


def answer(status: int, body: bytes, content_type: str = "application/json") -> Answer:
    return Answer(status, content_type, body, {})


def error_body(code: wire.ErrorCode, **kwargs: object) -> bytes:
    return wire.dumps(wire.ErrorBody(code, "x", **kwargs).to_wire())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (422, error_body(wire.ErrorCode.REFUSED, reason="moved_out"), errors.CenterRefused),
        (422, error_body(wire.ErrorCode.REFUSED, reason="out_of_hours"), errors.OutOfHours),
        (422, error_body(wire.ErrorCode.REFUSED, reason="year_end_closure"), errors.OutOfHours),
        (422, error_body(wire.ErrorCode.REFUSED, reason="maintenance"), errors.Maintenance),
        (503, error_body(wire.ErrorCode.MAINTENANCE), errors.Maintenance),
        (401, error_body(wire.ErrorCode.SESSION_INVALID), errors.SessionExpired),
        (403, error_body(wire.ErrorCode.KIOSK_NOT_AUTHORISED), errors.KioskNotAuthorised),
        (404, error_body(wire.ErrorCode.NOT_FOUND), errors.NotFound),
        (409, error_body(wire.ErrorCode.CONFLICT), errors.IdempotencyConflict),
        (400, error_body(wire.ErrorCode.MALFORMED_REQUEST), errors.ProtocolViolation),
        (503, error_body(wire.ErrorCode.UNAVAILABLE, retryable=False), errors.CenterUnavailable),
        (200, b"<html>", errors.ProtocolViolation),
        (302, b"", errors.ProtocolViolation),
        (418, b"I'm a teapot", errors.ProtocolViolation),
        (422, b'{"error": {"code": "refused"}}', errors.ProtocolViolation),
    ],
)
def test_answers_become_typed_errors(status: int, body: bytes, expected: type[Exception]) -> None:
    content_type = "application/json" if body.startswith(b"{") else "text/html"
    with pytest.raises(expected):
        check_status(answer(status, body, content_type), CALL)


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (502, b"<html>Bad Gateway</html>", "text/html"),
        (500, error_body(wire.ErrorCode.INTERNAL_ERROR, retryable=True), "application/json"),
        (503, b"{broken", "application/json"),
        (504, error_body(wire.ErrorCode.MUNICIPALITY_TIMEOUT, retryable=True), "application/json"),
    ],
)
def test_passing_failures_are_retryable(status: int, body: bytes, content_type: str) -> None:
    with pytest.raises(Retryable) as caught:
        check_status(answer(status, body, content_type), CALL)
    if status == 504:
        assert isinstance(caught.value.error, errors.CenterTimeout)
        assert caught.value.error.where == "municipality"


def test_maintenance_carries_until() -> None:
    until = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
    with pytest.raises(errors.Maintenance) as caught:
        check_status(answer(503, error_body(wire.ErrorCode.MAINTENANCE, until=until)), CALL)
    assert caught.value.scope == "center"
    assert caught.value.until == until


def test_a_good_answer_passes() -> None:
    good = answer(200, b"{}")
    assert check_status(good, CALL) is good
    assert check_status(answer(204, b"", ""), Call("DELETE", "/auth/session", 5.0, 3, expect=204))


def test_server_timing_is_parsed_leniently() -> None:
    header = (
        "municipality;dur=75.3, back_side;dur=294.8, junk, queue;desc=x;dur=oops, envelope;dur=7"
    )
    assert server_timing(header) == {"municipality": 75.3, "back_side": 294.8, "envelope": 7.0}
    assert server_timing("") == {}


def _wrapped(inner: BaseException) -> requests.exceptions.SSLError:
    reason = urllib3.exceptions.SSLError(inner)
    return requests.exceptions.SSLError(urllib3.exceptions.MaxRetryError(None, "/", reason))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "alert",
    [
        "[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca",
        "sslv3 alert bad certificate",
        "tlsv13 alert certificate required",
    ],
)
def test_tls_alerts_about_our_certificate_mean_not_authorised(alert: str) -> None:
    exc = _wrapped(ssl.SSLError(1, alert))
    assert is_refused_certificate(exc)
    assert isinstance(classify_tls(exc), errors.KioskNotAuthorised)


def test_a_server_that_does_not_chain_to_the_pinned_ca_is_not_retried() -> None:
    exc = _wrapped(
        ssl.SSLCertVerificationError(
            1, "certificate verify failed: unable to get local issuer certificate"
        )
    )
    result = classify_tls(exc)
    assert isinstance(result, errors.CenterUnreachable)


def test_other_tls_failures_are_retried() -> None:
    result = classify_tls(_wrapped(ssl.SSLError(1, "EOF occurred in violation of protocol")))
    assert isinstance(result, Retryable)
