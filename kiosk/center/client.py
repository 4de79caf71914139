"""The kiosk's client of the issuance center (docs/center-protocol.md).

Built on ``requests`` with mutual TLS: the kiosk's client certificate, and the center CA pinned
(the only trust anchor for the TLS server and for envelope signatures). Every call has a
connect and a read timeout (named constants below), retries only what is idempotent (GETs,
DELETE, and POSTs, which always carry an ``Idempotency-Key``), validates every answer strictly
(kiosk.center.wire) and ends every failure as one typed error (kiosk.center.errors).

One client per kiosk, used from one thread (the kiosk's center worker): ``requests.Session`` is
not thread-safe.
"""

from __future__ import annotations

import logging
import random
import ssl
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import requests
from cryptography import x509
from cryptography.x509.oid import NameOID

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
from kiosk.center.verify import verify_issuance
from kiosk.domain import CertificateRequest, Offer

log = logging.getLogger(__name__)
T = TypeVar("T")

# -- timeouts and retries (docs/center-protocol.md, "Timeouts and retries") -------------------
# A TLS handshake over the store operator's line takes tens of milliseconds; 3 s tells a dead
# line from a slow one well within the screen's own timeout.
CONNECT_TIMEOUT_S = 3.0
# Read timeouts are longer than the center's own deadline for the work behind each call, so a
# typed center error (e.g. 504 municipality_timeout) arrives before the kiosk gives up.
READ_TIMEOUT_QUICK_S = 5.0  # health, notices, municipalities, challenge, status, settlement
READ_TIMEOUT_SESSION_S = 15.0  # the center asks the JPKI validity service (its deadline: 5 s)
READ_TIMEOUT_OFFER_S = 12.0  # the center asks the municipality (its deadline: 8 s)
READ_TIMEOUT_ISSUANCE_S = 60.0  # municipality rendering + back sides (center deadline: 45 s)
READ_TIMEOUT_COMPLETION_S = 10.0
READ_TIMEOUT_REGISTRATION_S = 15.0  # the center asks the 本籍地 (its deadline: 8 s)
ATTEMPTS_DEFAULT = 3
ATTEMPTS_ISSUANCE = 2  # one retry: a resident waits at most ~2 minutes before a clear message
ATTEMPTS_COMPLETION = 5  # completions matter for settlement; the journal replays them anyway
BACKOFF_S = (0.5, 1.0, 2.0, 2.0)  # before attempt 2, 3, 4, 5; plus up to 25 % jitter
# Answer size limits: a signed envelope with 20 copies of a multi-page certificate stays well
# under 64 MiB; anything else is a few kilobytes.
MAX_ANSWER_BYTES = 1024 * 1024
MAX_ENVELOPE_BYTES = 64 * 1024 * 1024

JSON_TYPE = "application/json"
USER_AGENT = "konbini-kiosk-center-client/1"
# TLS alerts that mean "the center does not accept this kiosk's certificate".
_REFUSED_CERT_ALERTS = (
    "unknown ca",
    "certificate unknown",
    "bad certificate",
    "certificate revoked",
    "certificate required",
    "certificate expired",
    "access denied",
)


@dataclass(frozen=True)
class CenterConfig:
    """Where the center is and the kiosk's TLS material (from the kiosk profile)."""

    base_url: str  # e.g. https://center.example:8443 (no trailing /v1)
    ca_path: Path  # the center CA: pinned for TLS and for envelope signatures
    cert_path: Path  # this kiosk's client certificate (CN = kiosk id)
    key_path: Path


@dataclass(frozen=True)
class IssuanceResult:
    """A verified envelope, and what the center said about how it was made."""

    envelope: wire.Envelope
    replayed: bool  # the center answered from its idempotency store (a repeated request)
    server_timing: dict[str, float]  # milliseconds per step, from the Server-Timing header


@dataclass(frozen=True)
class _Call:
    method: str
    path: str
    read_timeout: float
    attempts: int
    expect: int = 200
    max_bytes: int = MAX_ANSWER_BYTES


class CenterClient:
    """Typed calls of the center protocol. See docs/center-protocol.md for the sequence."""

    def __init__(
        self,
        config: CenterConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.config = config
        self._sleep = sleep
        self._clock = clock
        self._base = config.base_url.rstrip("/")
        try:
            self.ca = x509.load_pem_x509_certificate(Path(config.ca_path).read_bytes())
            own = x509.load_pem_x509_certificate(Path(config.cert_path).read_bytes())
        except (OSError, ValueError) as exc:
            raise CenterError(
                f"cannot load the kiosk's TLS material: {type(exc).__name__}"
            ) from None
        names = own.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        kiosk_id = str(names[0].value) if names else ""
        if not wire.KIOSK_ID.fullmatch(kiosk_id):
            raise CenterError("the kiosk certificate's CN is not a kiosk id")
        self.kiosk_id = kiosk_id
        # Milliseconds per step of the last answered call, from its Server-Timing header (for
        # diagnostics and benchmarks/center_load.py; empty when the center sent none).
        self.last_server_timing: dict[str, float] = {}
        self._http = requests.Session()
        self._http.verify = str(config.ca_path)
        self._http.cert = (str(config.cert_path), str(config.key_path))
        self._http.trust_env = False  # no proxies or CA bundles from the environment
        self._http.headers.update({"User-Agent": USER_AGENT, "Accept": JSON_TYPE})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CenterClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- information -------------------------------------------------------------------------
    def health(self) -> wire.Health:
        """The center's state; ``maintenance`` says until when it is closed."""
        value = self._json(_Call("GET", "/health", READ_TIMEOUT_QUICK_S, ATTEMPTS_DEFAULT))
        return _parse(wire.Health.from_wire, value)

    def notices(self) -> wire.NoticeList:
        value = self._json(_Call("GET", "/notices", READ_TIMEOUT_QUICK_S, ATTEMPTS_DEFAULT))
        return _parse(wire.NoticeList.from_wire, value)

    def municipalities(self) -> wire.MunicipalityList:
        value = self._json(_Call("GET", "/municipalities", READ_TIMEOUT_QUICK_S, ATTEMPTS_DEFAULT))
        return _parse(wire.MunicipalityList.from_wire, value)

    # -- authentication ----------------------------------------------------------------------
    def challenge(self, purpose: wire.AuthPurpose) -> wire.Challenge:
        """A challenge for this kiosk; sign ``challenge.message()`` with the card's auth key."""
        body = wire.ChallengeRequest(purpose).to_wire()
        value = self._json(
            _Call("POST", "/auth/challenges", READ_TIMEOUT_QUICK_S, ATTEMPTS_DEFAULT),
            body=body,
            idempotency_key=new_idempotency_key(),
        )
        challenge = _parse(wire.Challenge.from_wire, value)
        if challenge.kiosk_id != self.kiosk_id or challenge.purpose is not purpose:
            raise ProtocolViolation("challenge is not for this kiosk or purpose")
        return challenge

    def open_session(
        self, challenge: wire.Challenge, certificate: bytes, signature: bytes
    ) -> wire.SessionGrant:
        """Send the card's certificate and signature; returns the resident's session."""
        body = wire.ChallengeAnswer(challenge.challenge_id, certificate, signature).to_wire()
        value = self._json(
            _Call("POST", "/auth/sessions", READ_TIMEOUT_SESSION_S, ATTEMPTS_DEFAULT),
            body=body,
            idempotency_key=new_idempotency_key(),
        )
        grant = _parse(wire.SessionGrant.from_wire, value)
        if grant.purpose is not challenge.purpose:
            raise ProtocolViolation("session purpose differs from the challenge")
        return grant

    def authenticate(
        self,
        purpose: wire.AuthPurpose,
        certificate: bytes,
        sign: Callable[[bytes], bytes],
    ) -> wire.SessionGrant:
        """Challenge → ``sign(message)`` (the card, PIN already verified) → session."""
        challenge = self.challenge(purpose)
        return self.open_session(challenge, certificate, sign(challenge.message()))

    def end_session(self, session: wire.SessionGrant) -> None:
        """End the session now (the center forgets the resident's session state)."""
        self._request(
            _Call("DELETE", "/auth/session", READ_TIMEOUT_QUICK_S, ATTEMPTS_DEFAULT, expect=204),
            session=session,
        )

    # -- offer and issuance ------------------------------------------------------------------
    def offer(self, session: wire.SessionGrant) -> Offer:
        value = self._json(
            _Call("GET", "/offer", READ_TIMEOUT_OFFER_S, ATTEMPTS_DEFAULT), session=session
        )
        return _parse(wire.offer_from_wire, value)

    def issue(
        self, session: wire.SessionGrant, request: CertificateRequest, idempotency_key: str
    ) -> IssuanceResult:
        """Issue one certificate kind; returns the envelope only after it was verified.

        Write ``idempotency_key`` to the journal *before* calling, and reuse it after a crash:
        the center then returns the same certificate, never a second one.
        """
        _check_key(idempotency_key)
        response = self._request(
            _Call(
                "POST",
                "/issuances",
                READ_TIMEOUT_ISSUANCE_S,
                ATTEMPTS_ISSUANCE,
                max_bytes=MAX_ENVELOPE_BYTES,
            ),
            body=wire.IssuanceRequest(request).to_wire(),
            session=session,
            idempotency_key=idempotency_key,
        )
        signed = _parse(wire.SignedIssuance.from_wire, _decode(response))
        envelope = verify_issuance(
            signed,
            ca=self.ca,
            kiosk_id=self.kiosk_id,
            idempotency_key=idempotency_key,
            request=request,
            now=self._clock(),
        )
        return IssuanceResult(
            envelope=envelope,
            replayed=response.headers.get("Idempotent-Replayed") == "true",
            server_timing=_server_timing(response.headers.get("Server-Timing", "")),
        )

    def complete(
        self, issuance_id: str, report: wire.CompletionReport, idempotency_key: str
    ) -> wire.CompletionReceipt:
        """Report printed / failed / cancelled (the session is not needed)."""
        _check_key(idempotency_key)
        if not wire.messages.ISSUANCE_ID.fullmatch(issuance_id):
            raise ValueError("not an issuance id")
        value = self._json(
            _Call(
                "POST",
                f"/issuances/{issuance_id}/completion",
                READ_TIMEOUT_COMPLETION_S,
                ATTEMPTS_COMPLETION,
            ),
            body=report.to_wire(),
            idempotency_key=idempotency_key,
        )
        receipt = _parse(wire.CompletionReceipt.from_wire, value)
        if receipt.issuance_id != issuance_id:
            raise ProtocolViolation("completion receipt names another issuance")
        return receipt

    def settlement(self, day: date) -> wire.Settlement:
        value = self._json(
            _Call("GET", f"/settlements/{day.isoformat()}", READ_TIMEOUT_QUICK_S, ATTEMPTS_DEFAULT)
        )
        settlement = _parse(wire.Settlement.from_wire, value)
        if settlement.kiosk_id != self.kiosk_id or settlement.business_date != day:
            raise ProtocolViolation("settlement is for another kiosk or day")
        return settlement

    # -- 本籍地 usage registration ---------------------------------------------------------------
    def register(
        self,
        session: wire.SessionGrant,
        application: wire.RegistrationApplication,
        idempotency_key: str,
    ) -> wire.RegistrationReceipt:
        _check_key(idempotency_key)
        value = self._json(
            _Call("POST", "/registrations", READ_TIMEOUT_REGISTRATION_S, ATTEMPTS_DEFAULT),
            body=application.to_wire(),
            session=session,
            idempotency_key=idempotency_key,
        )
        return _parse(wire.RegistrationReceipt.from_wire, value)

    def registration_status(self, application_number: str) -> wire.RegistrationStatus:
        if not wire.messages.APPLICATION_NUMBER.fullmatch(application_number):
            raise NotFound("not an application number")
        value = self._json(
            _Call(
                "GET",
                f"/registrations/{application_number}",
                READ_TIMEOUT_QUICK_S,
                ATTEMPTS_DEFAULT,
            )
        )
        status = _parse(wire.RegistrationStatus.from_wire, value)
        if status.application_number != application_number:
            raise ProtocolViolation("status is for another application")
        return status

    # -- transport ---------------------------------------------------------------------------
    def _json(
        self,
        call: _Call,
        *,
        body: wire.JsonValue = None,
        session: wire.SessionGrant | None = None,
        idempotency_key: str | None = None,
    ) -> wire.JsonValue:
        return _decode(
            self._request(call, body=body, session=session, idempotency_key=idempotency_key)
        )

    def _request(
        self,
        call: _Call,
        *,
        body: wire.JsonValue = None,
        session: wire.SessionGrant | None = None,
        idempotency_key: str | None = None,
    ) -> _Answer:
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
                self.last_server_timing = _server_timing(answer.headers.get("Server-Timing", ""))
            except _Retryable as exc:
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

    def _once(self, call: _Call, url: str, headers: dict[str, str], data: bytes | None) -> _Answer:
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
                content = _read_limited(response, call.max_bytes)
                answer = _Answer(
                    response.status_code,
                    response.headers.get("Content-Type", ""),
                    content,
                    dict(response.headers),
                )
        except requests.exceptions.SSLError as exc:
            raise _classify_tls(exc) from None
        except requests.exceptions.ConnectTimeout:
            raise _Retryable(CenterUnreachable("connect timed out")) from None
        except requests.exceptions.ReadTimeout:
            raise _Retryable(CenterTimeout("the center did not answer in time")) from None
        except (
            requests.exceptions.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
        ) as exc:
            if _is_refused_certificate(exc):
                raise KioskNotAuthorised("the center refused this kiosk's certificate") from None
            raise _Retryable(
                CenterUnreachable(f"connection failed: {type(exc).__name__}")
            ) from None
        except requests.exceptions.RequestException as exc:
            raise CenterUnreachable(f"request failed: {type(exc).__name__}") from None
        return _check_status(answer, call)


@dataclass(frozen=True)
class _Answer:
    status: int
    content_type: str
    content: bytes
    headers: dict[str, str]


class _Retryable(Exception):
    def __init__(self, error: CenterError) -> None:
        super().__init__(str(error))
        self.error = error


def _read_limited(response: requests.Response, limit: int) -> bytes:
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


def _is_json(answer: _Answer) -> bool:
    return answer.content_type.split(";")[0].strip().lower() == JSON_TYPE


def _check_status(answer: _Answer, call: _Call) -> _Answer:
    if answer.status == call.expect:
        if call.expect != 204 and not _is_json(answer):
            raise ProtocolViolation(f"answer is {answer.content_type or 'untyped'}, not JSON")
        return answer
    if answer.status < 400 or not _is_json(answer):
        if answer.status >= 500:  # a proxy's HTML error page: the center is not answering
            raise _Retryable(CenterUnavailable(f"HTTP {answer.status} without a protocol body"))
        raise ProtocolViolation(f"unexpected HTTP {answer.status}")
    try:
        error = wire.ErrorBody.from_wire(wire.loads(answer.content))
    except wire.WireFormatError as exc:
        if answer.status >= 500:
            raise _Retryable(
                CenterUnavailable(f"HTTP {answer.status} with a malformed body")
            ) from None
        raise ProtocolViolation(f"error body: {exc}") from None
    raise _error_for(answer.status, error)


def _error_for(status: int, error: wire.ErrorBody) -> Exception:
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
        return _Retryable(CenterTimeout(error.message, where="municipality"))
    if status >= 500:
        failure = CenterUnavailable(f"{code.value}: {error.message}")
        return _Retryable(failure) if error.retryable else failure
    return ProtocolViolation(
        f"the center says the request was wrong: {code.value}: {error.message}"
    )


def _classify_tls(exc: requests.exceptions.SSLError) -> CenterError | _Retryable:
    if _is_refused_certificate(exc):
        return KioskNotAuthorised("the center refused this kiosk's certificate at TLS level")
    text = str(exc).lower()
    if "certificate verify failed" in text or "hostname" in text:
        # The server is not the pinned center: never retry, never talk to it.
        return CenterUnreachable("the server's certificate does not chain to the pinned center CA")
    return _Retryable(CenterUnreachable("TLS handshake failed"))


def _is_refused_certificate(exc: BaseException) -> bool:
    joined = " ".join(_exception_texts(exc)).lower().replace("_", " ")
    return any(alert in joined for alert in _REFUSED_CERT_ALERTS)


def _exception_texts(exc: BaseException | None, depth: int = 0) -> list[str]:
    """Messages of an exception, its arguments and its chain (urllib3 wraps TLS alerts deeply)."""
    if exc is None or depth > 8:
        return []
    texts = [str(exc)]
    if isinstance(exc, ssl.SSLError):
        texts.append(str(exc.reason or ""))
    for arg in exc.args:
        if isinstance(arg, BaseException):
            texts += _exception_texts(arg, depth + 1)
    return texts + _exception_texts(exc.__cause__ or exc.__context__, depth + 1)


def _decode(answer: _Answer) -> wire.JsonValue:
    try:
        return wire.loads(answer.content)
    except wire.WireFormatError as exc:
        raise ProtocolViolation(f"answer is not strict JSON: {exc}") from None


def _parse(parser: Callable[[Any], T], value: wire.JsonValue) -> T:
    try:
        return parser(value)
    except wire.WireFormatError as exc:
        raise ProtocolViolation(f"answer does not have the protocol's shape: {exc}") from None


def _server_timing(header: str) -> dict[str, float]:
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


def _check_key(key: str) -> None:
    if not wire.IDEMPOTENCY_KEY.fullmatch(key):
        raise ValueError("an idempotency key is 16-64 of A-Z a-z 0-9 _ -")


def new_idempotency_key() -> str:
    """A fresh idempotency key (UUID4, 32 hex digits)."""
    return uuid.uuid4().hex
