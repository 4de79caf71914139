"""HTTP transport of the center client: one request with mutual TLS, size limits, strict
status and body checks, typed errors, and retries for idempotent calls.

Used by :class:`kiosk.center.client.CenterClient`; every call there is idempotent (GETs,
DELETE, POSTs with an ``Idempotency-Key``), so :meth:`Transport.request` may retry any of them
after a connection failure, a timeout or a retryable 5xx — never after a 4xx or a malformed
answer.
"""

from __future__ import annotations

import logging
import random
import ssl
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import requests

from kiosk.center import wire
from kiosk.center.errors import (
    CenterError,
    CenterRefused,
    CenterTimeout,
    CenterUnavailable,
    CenterUnreachable,
    IdempotencyConflict,
    KioskNotAuthorised,
    Maintenance,
    NotFound,
    OutOfHours,
    ProtocolViolation,
    SessionExpired,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

# A TLS handshake over the store operator's line takes tens of milliseconds; 3 s tells a dead
# line from a slow one well within the screen's own timeout (docs/center-protocol.md).
CONNECT_TIMEOUT_S = 3.0
BACKOFF_S = (0.5, 1.0, 2.0, 2.0)  # before attempt 2, 3, 4, 5; plus up to 25 % jitter
# Answers other than an issuance envelope are a few kilobytes.
MAX_ANSWER_BYTES = 1024 * 1024
JSON_TYPE = "application/json"
USER_AGENT = "konbini-kiosk-center-client/1"
REFUSED_CERT_ALERTS = (
    "unknown ca",
    "certificate unknown",
    "bad certificate",
    "certificate revoked",
    "certificate required",
    "certificate expired",
    "access denied",
)


@dataclass(frozen=True)
class Call:
    """One protocol call: method, path under /v1, read timeout, attempts, expected status."""

    method: str
    path: str
    read_timeout: float
    attempts: int
    expect: int = 200
    max_bytes: int = MAX_ANSWER_BYTES


# Told of every finished call: (its name, seconds taken with retries, "ok" or the error's
# class name) — the kiosk's metrics (kiosk/operations/metrics.py). Must not block nor raise.
CallObserver = Callable[[str, float, str], None]


def call_name(call: Call) -> str:
    """A call's name for metrics: the protocol's operation, never an id from the path."""
    parts = [part for part in call.path.split("/") if part]
    if not parts:
        return "unknown"
    first, more = parts[0], len(parts) > 1
    if first == "auth":
        if call.method == "DELETE":
            return "session_end"
        return "challenge" if parts[1:2] == ["challenges"] else "session"
    names = {
        "issuances": "completion" if more else "issuance",
        "registrations": "registration_status" if more else "registration",
        "settlements": "settlement",
    }
    return names.get(first, first)


class Transport:
    """A ``requests`` session with the kiosk's client certificate and the pinned center CA."""

    def __init__(
        self,
        base_url: str,
        ca_path: Path,
        cert_path: Path,
        key_path: Path,
        *,
        sleep: Callable[[float], None],
        observe: CallObserver | None = None,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._sleep = sleep
        self._observe = observe
        # Milliseconds per step of the last answered call, from its Server-Timing header.
        self.last_server_timing: dict[str, float] = {}
        self._http = requests.Session()
        self._http.verify = str(ca_path)
        self._http.cert = (str(cert_path), str(key_path))
        # REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE would replace the pinned CA for every request
        # (requests merges the environment's bundle over the session's verify), and proxies
        # from the environment are not the store operator's line.
        self._http.trust_env = False
        self._http.headers.update({"User-Agent": USER_AGENT, "Accept": JSON_TYPE})

    def close(self) -> None:
        self._http.close()

    def request(
        self,
        call: Call,
        *,
        body: wire.JsonValue = None,
        session: wire.SessionGrant | None = None,
        idempotency_key: str | None = None,
    ) -> Answer:
        """Send ``call`` (retried up to ``call.attempts``): checked answer or typed error."""
        started = time.monotonic()
        outcome = "ok"
        try:
            return self._request(call, body, session, idempotency_key)
        except CenterError as exc:
            outcome = type(exc).__name__
            raise
        finally:
            if self._observe is not None:
                try:
                    self._observe(call_name(call), time.monotonic() - started, outcome)
                except Exception:  # metrics must never break a center call
                    log.exception("center call observer failed")

    def _request(
        self,
        call: Call,
        body: wire.JsonValue,
        session: wire.SessionGrant | None,
        idempotency_key: str | None,
    ) -> Answer:
        headers = {"X-Request-Id": uuid.uuid4().hex}
        if session is not None:
            headers["Authorization"] = f"Session {session.session_token}"
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        data = None
        if body is not None:
            headers["Content-Type"] = JSON_TYPE
            data = wire.dumps(body)
        url = f"{self._base}{wire.API_PREFIX}{call.path}"
        last: CenterError | None = None
        for attempt in range(call.attempts):
            if attempt:
                pause = BACKOFF_S[min(attempt - 1, len(BACKOFF_S) - 1)]
                self._sleep(pause * (1 + random.random() / 4))  # noqa: S311 - jitter, not security
            try:
                answer = self._once(call, url, headers, data)
                self.last_server_timing = server_timing(answer.headers.get("Server-Timing", ""))
            except Retryable as exc:
                last = exc.error
                log.info(
                    "center %s %s attempt %d/%d failed: %s",
                    call.method,
                    call.path,
                    attempt + 1,
                    call.attempts,
                    exc.error.staff_code,
                )
                continue
            return answer
        assert last is not None
        raise last

    def _once(self, call: Call, url: str, headers: dict[str, str], data: bytes | None) -> Answer:
        try:
            with self._http.request(
                call.method,
                url,
                data=data,
                headers=headers,
                timeout=(CONNECT_TIMEOUT_S, call.read_timeout),
                stream=True,
                allow_redirects=False,
            ) as response:
                content = read_limited(response, call.max_bytes)
                answer = Answer(
                    response.status_code,
                    response.headers.get("Content-Type", ""),
                    content,
                    dict(response.headers),
                )
        except requests.exceptions.SSLError as exc:
            raise classify_tls(exc) from None
        except requests.exceptions.ConnectTimeout:
            raise Retryable(CenterUnreachable("connect timed out")) from None
        except requests.exceptions.ReadTimeout:
            raise Retryable(CenterTimeout("the center did not answer in time")) from None
        except (
            requests.exceptions.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
        ) as exc:
            if is_refused_certificate(exc):
                raise KioskNotAuthorised("the center refused this kiosk's certificate") from None
            raise Retryable(CenterUnreachable(f"connection failed: {type(exc).__name__}")) from None
        except requests.exceptions.RequestException as exc:
            raise CenterUnreachable(f"request failed: {type(exc).__name__}") from None
        return check_status(answer, call)


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    content: bytes
    headers: dict[str, str]


class Retryable(Exception):
    """A failure after which the call may be tried again (carries the error to raise last)."""

    def __init__(self, error: CenterError) -> None:
        super().__init__(str(error))
        self.error = error


def read_limited(response: requests.Response, limit: int) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ProtocolViolation(f"answer of {declared} bytes is over the limit")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(chunk_size=65536):
        size += len(chunk)
        if size > limit:
            raise ProtocolViolation("answer is over the size limit")
        chunks.append(chunk)
    return b"".join(chunks)


def is_json(answer: Answer) -> bool:
    return answer.content_type.split(";")[0].strip().lower() == JSON_TYPE


def check_status(answer: Answer, call: Call) -> Answer:
    if answer.status == call.expect:
        if call.expect != 204 and not is_json(answer):
            raise ProtocolViolation(f"answer is {answer.content_type or 'untyped'}, not JSON")
        return answer
    if answer.status < 400 or not is_json(answer):
        if answer.status >= 500:  # a proxy's HTML error page: the center is not answering
            raise Retryable(CenterUnavailable(f"HTTP {answer.status} without a protocol body"))
        raise ProtocolViolation(f"unexpected HTTP {answer.status}")
    try:
        error = wire.ErrorBody.from_wire(wire.loads(answer.content))
    except wire.WireFormatError as exc:
        if answer.status >= 500:
            raise Retryable(
                CenterUnavailable(f"HTTP {answer.status} with a malformed body")
            ) from None
        raise ProtocolViolation(f"error body: {exc}") from None
    raise error_for(answer.status, error)


def error_for(status: int, error: wire.ErrorBody) -> Exception:
    """The typed error for a protocol error body (docs/center-protocol.md, "Errors")."""
    code, reason = error.code, error.reason
    if code is wire.ErrorCode.REFUSED and reason is not None:
        if reason == "maintenance":
            return Maintenance(reason, error.message, error.message_ja, until=error.until)
        if reason in wire.OUT_OF_HOURS_REASONS:
            return OutOfHours(reason, error.message, error.message_ja)
        return CenterRefused(reason, error.message, error.message_ja)
    if code is wire.ErrorCode.MAINTENANCE:
        return Maintenance(
            "center_maintenance", error.message, error.message_ja, scope="center", until=error.until
        )
    if code is wire.ErrorCode.SESSION_INVALID:
        return SessionExpired(error.message)
    if code is wire.ErrorCode.KIOSK_NOT_AUTHORISED:
        return KioskNotAuthorised(error.message)
    if code is wire.ErrorCode.NOT_FOUND:
        return NotFound(error.message)
    if code is wire.ErrorCode.CONFLICT:
        return IdempotencyConflict(error.message)
    if code is wire.ErrorCode.MUNICIPALITY_TIMEOUT:
        return Retryable(CenterTimeout(error.message, where="municipality"))
    if status >= 500:
        failure = CenterUnavailable(f"{code.value}: {error.message}")
        return Retryable(failure) if error.retryable else failure
    return ProtocolViolation(
        f"the center says the request was wrong: {code.value}: {error.message}"
    )


def classify_tls(exc: requests.exceptions.SSLError) -> CenterError | Retryable:
    if is_refused_certificate(exc):
        return KioskNotAuthorised("the center refused this kiosk's certificate at TLS level")
    text = str(exc).lower()
    if "certificate verify failed" in text or "hostname" in text:
        # The server is not the pinned center: never retry, never talk to it.
        return CenterUnreachable("the server's certificate does not chain to the pinned center CA")
    return Retryable(CenterUnreachable("TLS handshake failed"))


def is_refused_certificate(exc: BaseException) -> bool:
    joined = " ".join(exception_texts(exc)).lower().replace("_", " ")
    return any(alert in joined for alert in REFUSED_CERT_ALERTS)


def exception_texts(exc: BaseException | None, depth: int = 0) -> list[str]:
    """Messages of an exception, its arguments and its chain (urllib3 wraps TLS alerts deeply)."""
    if exc is None or depth > 8:
        return []
    texts = [str(exc)]
    if isinstance(exc, ssl.SSLError):
        texts.append(str(exc.reason or ""))
    for arg in exc.args:
        if isinstance(arg, BaseException):
            texts += exception_texts(arg, depth + 1)
    return texts + exception_texts(exc.__cause__ or exc.__context__, depth + 1)


def decode(answer: Answer) -> wire.JsonValue:
    try:
        return wire.loads(answer.content)
    except wire.WireFormatError as exc:
        raise ProtocolViolation(f"answer is not strict JSON: {exc}") from None


def parse(parser: Callable[[Any], T], value: wire.JsonValue) -> T:
    try:
        return parser(value)
    except wire.WireFormatError as exc:
        raise ProtocolViolation(f"answer does not have the protocol's shape: {exc}") from None


def server_timing(header: str) -> dict[str, float]:
    timings: dict[str, float] = {}
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "dur" and name:
                try:
                    timings[name] = float(value)
                except ValueError:
                    continue
    return timings
