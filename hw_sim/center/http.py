"""HTTP plumbing of the simulated center: typed API errors, JSON answers, the kiosk's identity
from its TLS client certificate, idempotency, and the fault middleware.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from hw_sim.center.faults import FaultBoard, FaultRule
from hw_sim.center.keys import certificate_fingerprint
from hw_sim.center.lgwan import MunicipalityTimeout
from hw_sim.center.state import AsyncStore
from hw_sim.pki import build_name
from kiosk.center import wire

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 64 * 1024  # docs/center-protocol.md, "Transport"
JSON_TYPE = "application/json"
# Request body encodings the center decodes (docs/center-protocol.md, "Transport").
BODY_ENCODINGS = frozenset({"identity", "gzip", "deflate"})


class ApiError(Exception):
    """An error answer (docs/center-protocol.md, "Errors")."""

    STATUS: ClassVar[dict[wire.ErrorCode, int]] = {
        wire.ErrorCode.MALFORMED_REQUEST: 400,
        wire.ErrorCode.SESSION_INVALID: 401,
        wire.ErrorCode.KIOSK_NOT_AUTHORISED: 403,
        wire.ErrorCode.NOT_FOUND: 404,
        wire.ErrorCode.CONFLICT: 409,
        wire.ErrorCode.TOO_LARGE: 413,
        wire.ErrorCode.REFUSED: 422,
        wire.ErrorCode.INTERNAL_ERROR: 500,
        wire.ErrorCode.UNAVAILABLE: 503,
        wire.ErrorCode.MAINTENANCE: 503,
        wire.ErrorCode.MUNICIPALITY_TIMEOUT: 504,
    }
    RETRYABLE: ClassVar[frozenset[wire.ErrorCode]] = frozenset(
        {
            wire.ErrorCode.INTERNAL_ERROR,
            wire.ErrorCode.UNAVAILABLE,
            wire.ErrorCode.MUNICIPALITY_TIMEOUT,
        }
    )

    def __init__(
        self,
        code: wire.ErrorCode,
        message: str,
        *,
        reason: str | None = None,
        message_ja: str | None = None,
        until: datetime | None = None,
    ) -> None:
        super().__init__(f"{code.value}: {message}")
        self.body = wire.ErrorBody(
            code=code,
            message=message,
            reason=reason,
            message_ja=message_ja,
            retryable=code in self.RETRYABLE,
            until=until,
        )
        self.status = self.STATUS[code]

    def response(self) -> web.Response:
        return json_response(self.body.to_wire(), status=self.status)


def refused(reason: str, message_ja: str | None = None, message: str = "") -> ApiError:
    return ApiError(
        wire.ErrorCode.REFUSED,
        message or wire.REASONS.get(reason, reason),
        reason=reason,
        message_ja=message_ja,
    )


def json_response(
    value: wire.JsonValue, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        body=wire.dumps(value), status=status, content_type=JSON_TYPE, headers=headers
    )


async def read_json(request: web.Request) -> Any:
    """The request body as strict JSON (400 if it is not).

    A body sent with ``Content-Encoding: gzip`` or ``deflate`` is decoded by aiohttp; one that
    is not what its encoding says is ``400 malformed_request``, and one that decodes to more
    than 64 KiB (a compression bomb) ``413 too_large``.
    """
    if request.content_type != JSON_TYPE:
        raise ApiError(wire.ErrorCode.MALFORMED_REQUEST, "Content-Type must be application/json")
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in BODY_ENCODINGS:
        # aiohttp passes a body with an encoding it does not know through undecoded.
        raise ApiError(
            wire.ErrorCode.MALFORMED_REQUEST, "Content-Encoding must be gzip, deflate or none"
        )
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(wire.ErrorCode.TOO_LARGE, "request body over 64 KiB") from None
    except web.RequestPayloadError:
        raise ApiError(
            wire.ErrorCode.MALFORMED_REQUEST, "the body does not decode as its Content-Encoding"
        ) from None
    try:
        return wire.loads(body)
    except wire.WireFormatError as exc:
        raise ApiError(wire.ErrorCode.MALFORMED_REQUEST, str(exc)) from None


def parse(message: str, parser: Callable[[Any], Any], value: Any) -> Any:
    try:
        return parser(value)
    except wire.WireFormatError as exc:
        raise ApiError(wire.ErrorCode.MALFORMED_REQUEST, f"{message}: {exc}") from None


class StepTimer:
    """Seconds spent per named step of one call, for the Server-Timing header."""

    def __init__(self) -> None:
        self.steps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.steps[name] = self.steps.get(name, 0.0) + now - self._last
        self._last = now

    def header(self) -> tuple[tuple[str, str], ...]:
        value = ", ".join(
            f"{name};dur={seconds * 1000:.1f}" for name, seconds in self.steps.items()
        )
        return (("Server-Timing", value),)


async def municipal(call: Any) -> Any:
    """Await a municipality call; its deadline passing becomes ``504 municipality_timeout``."""
    try:
        return await call
    except MunicipalityTimeout as exc:
        raise ApiError(
            wire.ErrorCode.MUNICIPALITY_TIMEOUT, f"municipality {exc} did not answer in time"
        ) from None


# -- the kiosk -------------------------------------------------------------------------------
def peer_certificate(request: web.Request) -> bytes | None:
    """The DER client certificate of the TLS connection (validated by the handshake)."""
    transport = request.transport
    ssl_object = transport.get_extra_info("ssl_object") if transport else None
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    return bytes(der) if der else None


def kiosk_middleware(kiosk_for: Callable[[str], Awaitable[tuple[str, str] | None]]) -> Any:
    """Name the calling kiosk from its certificate; 403 for unknown or revoked certificates."""

    @web.middleware
    async def middleware(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        der = peer_certificate(request)
        if der is None:
            raise ApiError(wire.ErrorCode.KIOSK_NOT_AUTHORISED, "no client certificate")
        known = await kiosk_for(certificate_fingerprint(der))
        if known is None or known[1] != "active":
            log.warning(
                "refused kiosk certificate %s (%s)",
                certificate_fingerprint(der)[:16],
                "revoked" if known else "unknown",
            )
            raise ApiError(
                wire.ErrorCode.KIOSK_NOT_AUTHORISED, "kiosk certificate unknown or revoked"
            )
        request["kiosk_id"] = known[0]
        return await handler(request)

    return middleware


def error_middleware() -> Any:
    """Every failure becomes a protocol error body; nothing escapes as an HTML page."""

    @web.middleware
    async def middleware(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        try:
            return await handler(request)
        except ApiError as exc:
            return exc.response()
        except web.HTTPRequestEntityTooLarge:
            return ApiError(wire.ErrorCode.TOO_LARGE, "request body over 64 KiB").response()
        except web.HTTPNotFound:
            return ApiError(wire.ErrorCode.NOT_FOUND, "no such resource").response()
        except web.HTTPMethodNotAllowed:
            return ApiError(wire.ErrorCode.MALFORMED_REQUEST, "method not allowed").response()
        except web.RequestPayloadError:
            return ApiError(
                wire.ErrorCode.MALFORMED_REQUEST, "the body does not decode as its Content-Encoding"
            ).response()
        except (asyncio.CancelledError, ConnectionResetError):
            raise
        except Exception:
            log.exception("internal error on %s %s", request.method, request.path)
            return ApiError(wire.ErrorCode.INTERNAL_ERROR, "internal error").response()

    return middleware


class JsonErrorRequestHandler(web.RequestHandler):
    """aiohttp's connection handler, answering even what its HTTP parser refuses — a 20 KB
    header, a NUL byte in a header, an unknown Content-Encoding, a malformed request line —
    with the protocol's JSON error body (docs/center-protocol.md, "Errors") instead of
    aiohttp's plain text, which echoes the offending bytes back. Errors of the handlers
    themselves go through :func:`error_middleware`."""

    __slots__ = ()

    def log_exception(self, *args: Any, **kwargs: Any) -> None:
        """A body that does not decode as its Content-Encoding was answered 400 already; aiohttp
        meets the same error again when it drains the rest of the body after the answer, and
        would log it as an unhandled exception with a traceback."""
        if isinstance(kwargs.get("exc_info"), web.RequestPayloadError):
            log.info("rest of an undecodable request body dropped")
            return
        super().log_exception(*args, **kwargs)

    def handle_error(
        self,
        request: web.BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        """Logged in one line (no traceback, none of the request's bytes); the connection is
        closed after the answer, as aiohttp does."""
        if request.writer.output_size > 0:  # the answer had begun: nothing more can be sent
            raise ConnectionError("the answer was already being sent")
        cause = type(exc).__name__ if exc is not None else "-"
        if status >= 500:
            log.error("HTTP layer error %d: %s", status, cause)
            code = wire.ErrorCode.INTERNAL_ERROR
        else:
            log.info("request refused by the HTTP parser (%d %s)", status, cause)
            code = wire.ErrorCode.TOO_LARGE if status == 413 else wire.ErrorCode.MALFORMED_REQUEST
        response = ApiError(code, "the request is not well-formed HTTP").response()
        response.force_close()
        return response


def json_error_protocols(server: web.Server) -> Callable[[], asyncio.Protocol]:
    """A protocol factory for ``loop.create_server`` serving ``server`` (an app runner's) with
    :class:`JsonErrorRequestHandler` connections; no access log (the center logs its own)."""
    loop = asyncio.get_running_loop()
    return lambda: JsonErrorRequestHandler(server, loop=loop, access_log=None)  # type: ignore[arg-type]


# -- idempotency -----------------------------------------------------------------------------
IDEMPOTENCY_RETENTION = timedelta(days=7)  # docs/center-protocol.md, "Idempotency"
# Paths whose answers live in the light store (authentication), in every protocol version.
LIGHT_PREFIXES = tuple(f"{wire.api_prefix(v)}/auth/" for v in wire.SUPPORTED_VERSIONS)


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    stored: bool = False  # True when the handler already stored it with its own records
    headers: tuple[tuple[str, str], ...] = ()  # e.g. Server-Timing (not stored, not replayed)


class Idempotency:
    """Stores final answers per (kiosk, key); replays them; serialises concurrent repeats."""

    def __init__(self, store: AsyncStore, light_store: AsyncStore | None = None) -> None:
        self._store = store
        # Answers of authentication calls matter for minutes only: kept in the light store.
        self._light = light_store or store
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    @staticmethod
    def key_of(request: web.Request, *, required: bool) -> str | None:
        key = request.headers.get("Idempotency-Key")
        if key is None:
            if required:
                raise ApiError(
                    wire.ErrorCode.MALFORMED_REQUEST, "Idempotency-Key header is required"
                )
            return None
        if not wire.IDEMPOTENCY_KEY.fullmatch(key):
            raise ApiError(
                wire.ErrorCode.MALFORMED_REQUEST, "Idempotency-Key must be 16-64 of A-Za-z0-9_-"
            )
        return key

    @staticmethod
    def fingerprint(request: web.Request, body: Any) -> str:
        digest = hashlib.sha256()
        digest.update(request.method.encode() + b"\n" + request.path.encode() + b"\n")
        digest.update(hashlib.sha256(request.headers.get("Authorization", "").encode()).digest())
        digest.update(wire.canonical(body))
        return digest.hexdigest()

    async def run(
        self,
        request: web.Request,
        key: str | None,
        body: Any,
        compute: Callable[[str], Awaitable[Answer]],
    ) -> web.Response:
        """Answer from the store if this key was answered, else ``compute(fingerprint)``."""
        fingerprint = self.fingerprint(request, body)
        if key is None:
            answer = await self._guarded(compute, fingerprint)
            return _respond(answer)
        kiosk_id = request["kiosk_id"]
        lock = self._locks.get((kiosk_id, key))
        if lock is None:
            lock = asyncio.Lock()
            self._locks[(kiosk_id, key)] = lock
        store = self._light if request.path.startswith(LIGHT_PREFIXES) else self._store
        async with lock:
            stored = await store.call(store.store.stored_answer, kiosk_id, key)
            if stored is not None:
                if stored[0] != fingerprint:
                    raise ApiError(
                        wire.ErrorCode.CONFLICT, "Idempotency-Key reused with another request"
                    )
                return web.Response(
                    body=stored[2],
                    status=stored[1],
                    content_type=JSON_TYPE,
                    headers={"Idempotent-Replayed": "true"},
                )
            answer = await self._guarded(compute, fingerprint)
            if _final(answer.status) and not answer.stored:
                await store.call(
                    store.store.store_answer,
                    kiosk_id,
                    key,
                    fingerprint,
                    answer.status,
                    answer.body,
                    datetime.now(UTC),
                )
            return _respond(answer)

    @staticmethod
    async def _guarded(compute: Callable[[str], Awaitable[Answer]], fingerprint: str) -> Answer:
        try:
            return await compute(fingerprint)
        except ApiError as exc:
            return Answer(exc.status, wire.dumps(exc.body.to_wire()))


def _final(status: int) -> bool:
    """Is this the outcome of the operation itself (stored under its key)? A success or a
    refusal is; a request refused before the operation began (malformed, no session, a
    conflict) or a 5xx is not, so a corrected retry with the same key may still run it."""
    return 200 <= status < 300 or status == 422


def _respond(answer: Answer) -> web.Response:
    return web.Response(
        body=answer.body, status=answer.status, content_type=JSON_TYPE, headers=dict(answer.headers)
    )


# -- faults ----------------------------------------------------------------------------------
def fault_middleware(
    faults: FaultBoard, keys_signer: Callable[[dict[str, Any]], dict[str, Any]]
) -> Any:
    """Apply injected faults (faults.py) to API requests."""

    @web.middleware
    async def middleware(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        method, path = request.method, request.path
        before = faults.take(method, path, ("slow", "error"))
        if before is not None and before.kind == "slow":
            await asyncio.sleep(before.delay_s)
        elif before is not None:
            return _error_answer(before)
        drop = faults.take(method, path, ("drop",))
        if drop is not None and drop.when == "before":
            _drop(request)
            raise ConnectionResetError("fault: dropped before handling")
        response = await handler(request)
        if drop is not None:
            _drop(request)
            raise ConnectionResetError("fault: dropped after handling")
        spoil = faults.take(method, path, ("malformed",))
        if spoil is not None and isinstance(response, web.Response) and response.body is not None:
            return _spoil(response, spoil, keys_signer)
        return response

    return middleware


def _drop(request: web.Request) -> None:
    transport = request.transport
    if transport is not None:
        transport.abort()


def _error_answer(rule: FaultRule) -> web.Response:
    if rule.variant == "html":
        return web.Response(
            status=rule.status,
            text="<html><body><h1>Bad Gateway</h1></body></html>",
            content_type="text/html",
        )
    code = {504: wire.ErrorCode.MUNICIPALITY_TIMEOUT, 503: wire.ErrorCode.UNAVAILABLE}.get(
        rule.status, wire.ErrorCode.INTERNAL_ERROR
    )
    body = wire.ErrorBody(code=code, message="injected fault", retryable=True)
    return json_response(body.to_wire(), status=rule.status)


def _spoil(
    response: web.Response, rule: FaultRule, resign: Callable[[dict[str, Any]], dict[str, Any]]
) -> web.Response:
    raw = bytes(response.body)  # type: ignore[arg-type]
    variant = rule.variant
    if variant == "not_json":
        spoiled = b"<html>Service Temporarily Unavailable</html>"
    elif variant == "truncated":
        spoiled = raw[: max(1, len(raw) // 2)]
    else:
        value = json.loads(raw)
        if variant == "extra_field":
            value["unexpected"] = True
        elif variant == "wrong_type":
            first = sorted(value)[0] if value else "x"
            value[first] = [value.get(first)]
        elif "envelope" in value:
            value = _spoil_envelope(value, variant, resign)
        else:
            value["unexpected"] = True
        spoiled = json.dumps(value, ensure_ascii=False).encode()
    return web.Response(body=spoiled, status=response.status, content_type=JSON_TYPE)


def _spoil_envelope(
    value: dict[str, Any], variant: str, resign: Callable[[dict[str, Any]], dict[str, Any]]
) -> dict[str, Any]:
    if variant == "bad_signature":
        signature = bytearray(base64.b64decode(value["signature"]["value"]))
        signature[10] ^= 0x01
        value["signature"]["value"] = base64.b64encode(bytes(signature)).decode()
    elif variant == "tampered_fee":
        value["envelope"]["fee_yen_per_copy"] += 1
        value["envelope"]["total_fee_yen"] = (
            value["envelope"]["fee_yen_per_copy"] * value["envelope"]["request"]["copies"]
        )
    elif variant == "other_kiosk":
        value["envelope"]["kiosk_id"] = "kiosk-other"
        value = resign(value)  # correctly signed, but for another kiosk
    elif variant == "foreign_signer":
        value = _foreign_sign(value)
    return value


def _foreign_sign(value: dict[str, Any]) -> dict[str, Any]:
    """Sign the envelope with a key and certificate the pinned center CA never certified."""
    from hw_sim.center.render import es256  # the worker module; imported only on this fault path

    key = ec.generate_private_key(ec.SECP256R1())
    name = build_name((NameOID.COMMON_NAME, "not the center"))
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    value["signature"]["value"] = base64.b64encode(
        es256(key, wire.canonical(value["envelope"]))
    ).decode()
    value["signer_certificate"] = base64.b64encode(
        cert.public_bytes(serialization.Encoding.DER)
    ).decode()
    return value
