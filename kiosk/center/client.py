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

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import NameOID

from cardio.certificate import CERTIFICATE_PARSE_ERRORS
from kiosk.center import wire
from kiosk.center.errors import CenterError, NotFound, ProtocolViolation
from kiosk.center.transport import (
    CONNECT_TIMEOUT_S,
    MAX_ANSWER_BYTES,
    Call,
    CallObserver,
    Transport,
    decode,
    parse,
    server_timing,
)
from kiosk.center.verify import verify_issuance
from kiosk.domain import Offer
from printing.certificates import CertificateRequest

# The kiosk's TLS files cannot be read, or a certificate in them does not parse.
_TLS_MATERIAL_FAILURES: tuple[type[Exception], ...] = (OSError, *CERTIFICATE_PARSE_ERRORS)

__all__ = [
    "CONNECT_TIMEOUT_S",
    "MAX_ANSWER_BYTES",
    "CenterClient",
    "CenterConfig",
    "IssuanceResult",
    "new_idempotency_key",
    "speaks_this_protocol",
]

# -- timeouts and retries (docs/center-protocol.md, "Timeouts and retries") -------------------
# Connect: CONNECT_TIMEOUT_S (3 s, kiosk.center.transport). Read timeouts are longer than the
# center's own deadline for the work behind each call, so a typed center error (e.g. 504
# municipality_timeout) arrives before the kiosk gives up.
READ_TIMEOUT_QUICK_S = 5.0  # health, notices, municipalities, challenge, status, settlement
READ_TIMEOUT_SESSION_S = 15.0  # the center asks the JPKI validity service (its deadline: 5 s)
READ_TIMEOUT_OFFER_S = 12.0  # the center asks the municipality (its deadline: 8 s)
READ_TIMEOUT_ISSUANCE_S = 60.0  # municipality rendering + back sides (center deadline: 45 s)
READ_TIMEOUT_COMPLETION_S = 10.0
READ_TIMEOUT_REGISTRATION_S = 15.0  # the center asks the 本籍地 (its deadline: 8 s)
ATTEMPTS_DEFAULT = 3
ATTEMPTS_ISSUANCE = 2  # one retry: a resident waits at most ~2 minutes before a clear message
ATTEMPTS_COMPLETION = 5  # completions matter for settlement; the journal replays them anyway
# A signed envelope with 20 copies of a multi-page certificate stays well under 64 MiB.
MAX_ENVELOPE_BYTES = 64 * 1024 * 1024


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


class CenterClient:
    """Typed calls of the center protocol. See docs/center-protocol.md for the sequence."""

    def __init__(
        self,
        config: CenterConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        observe: CallObserver | None = None,
    ) -> None:
        self.config = config
        self._clock = clock
        try:
            self.ca = x509.load_pem_x509_certificate(Path(config.ca_path).read_bytes())
            own = x509.load_pem_x509_certificate(Path(config.cert_path).read_bytes())
            names = own.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
            kiosk_id = str(names[0].value) if names else ""
        except _TLS_MATERIAL_FAILURES as exc:
            raise CenterError(
                f"cannot load the kiosk's TLS material: {type(exc).__name__}"
            ) from None
        if not wire.KIOSK_ID.fullmatch(kiosk_id):
            raise CenterError("the kiosk certificate's CN is not a kiosk id")
        self.kiosk_id = kiosk_id
        self._transport = Transport(
            config.base_url,
            config.ca_path,
            config.cert_path,
            config.key_path,
            sleep=sleep,
            observe=observe,
        )

    @property
    def last_server_timing(self) -> dict[str, float]:
        """Milliseconds per step of the last answered call (its Server-Timing header), for
        diagnostics and benchmarks/center_load.py; empty when the center sent none."""
        return self._transport.last_server_timing

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> CenterClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- information -------------------------------------------------------------------------
    def health(self) -> wire.Health:
        """The center's state; ``maintenance`` says until when it is closed."""
        value = self._json(Call("GET", "/health", READ_TIMEOUT_QUICK_S, ATTEMPTS_DEFAULT))
        return speaks_this_protocol(parse(wire.Health.from_wire, value))

    def notices(self) -> wire.NoticeList:
        value = self._json(Call("GET", "/notices", READ_TIMEOUT_QUICK_S, ATTEMPTS_DEFAULT))
        return parse(wire.NoticeList.from_wire, value)

    def municipalities(self) -> wire.MunicipalityList:
        value = self._json(Call("GET", "/municipalities", READ_TIMEOUT_QUICK_S, ATTEMPTS_DEFAULT))
        return parse(wire.MunicipalityList.from_wire, value)

    # -- authentication ----------------------------------------------------------------------
    def challenge(self, purpose: wire.AuthPurpose) -> wire.Challenge:
        """A challenge for this kiosk; sign ``challenge.message()`` with the card's auth key."""
        body = wire.ChallengeRequest(purpose).to_wire()
        value = self._json(
            Call("POST", "/auth/challenges", READ_TIMEOUT_QUICK_S, ATTEMPTS_DEFAULT),
            body=body,
            idempotency_key=new_idempotency_key(),
        )
        challenge = parse(wire.Challenge.from_wire, value)
        if challenge.kiosk_id != self.kiosk_id or challenge.purpose is not purpose:
            raise ProtocolViolation("challenge is not for this kiosk or purpose")
        return challenge

    def open_session(
        self, challenge: wire.Challenge, certificate: bytes, signature: bytes
    ) -> wire.SessionGrant:
        """Send the card's certificate and signature; returns the resident's session."""
        body = wire.ChallengeAnswer(challenge.challenge_id, certificate, signature).to_wire()
        value = self._json(
            Call("POST", "/auth/sessions", READ_TIMEOUT_SESSION_S, ATTEMPTS_DEFAULT),
            body=body,
            idempotency_key=new_idempotency_key(),
        )
        grant = parse(wire.SessionGrant.from_wire, value)
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
        self._transport.request(
            Call("DELETE", "/auth/session", READ_TIMEOUT_QUICK_S, ATTEMPTS_DEFAULT, expect=204),
            session=session,
        )

    # -- offer and issuance ------------------------------------------------------------------
    def offer(self, session: wire.SessionGrant) -> Offer:
        value = self._json(
            Call("GET", "/offer", READ_TIMEOUT_OFFER_S, ATTEMPTS_DEFAULT), session=session
        )
        return parse(wire.offer_from_wire, value)

    def issue(
        self, session: wire.SessionGrant, request: CertificateRequest, idempotency_key: str
    ) -> IssuanceResult:
        """Issue one certificate kind; returns the envelope only after it was verified.

        Write ``idempotency_key`` to the journal *before* calling, and reuse it after a crash:
        the center then returns the same certificate, never a second one.
        """
        _check_key(idempotency_key)
        response = self._transport.request(
            Call(
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
        signed = parse(wire.SignedIssuance.from_wire, decode(response))
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
            server_timing=server_timing(response.headers.get("Server-Timing", "")),
        )

    def complete(
        self, issuance_id: str, report: wire.CompletionReport, idempotency_key: str
    ) -> wire.CompletionReceipt:
        """Report printed / failed / cancelled (the session is not needed)."""
        _check_key(idempotency_key)
        if not wire.messages.ISSUANCE_ID.fullmatch(issuance_id):
            raise ValueError("not an issuance id")
        value = self._json(
            Call(
                "POST",
                f"/issuances/{issuance_id}/completion",
                READ_TIMEOUT_COMPLETION_S,
                ATTEMPTS_COMPLETION,
            ),
            body=report.to_wire(),
            idempotency_key=idempotency_key,
        )
        receipt = parse(wire.CompletionReceipt.from_wire, value)
        if receipt.issuance_id != issuance_id:
            raise ProtocolViolation("completion receipt names another issuance")
        return receipt

    def settlement(self, day: date) -> wire.Settlement:
        value = self._json(
            Call("GET", f"/settlements/{day.isoformat()}", READ_TIMEOUT_QUICK_S, ATTEMPTS_DEFAULT)
        )
        settlement = parse(wire.Settlement.from_wire, value)
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
            Call("POST", "/registrations", READ_TIMEOUT_REGISTRATION_S, ATTEMPTS_DEFAULT),
            body=application.to_wire(),
            session=session,
            idempotency_key=idempotency_key,
        )
        return parse(wire.RegistrationReceipt.from_wire, value)

    def registration_status(self, application_number: str) -> wire.RegistrationStatus:
        if not wire.messages.APPLICATION_NUMBER.fullmatch(application_number):
            raise NotFound("not an application number")
        value = self._json(
            Call(
                "GET",
                f"/registrations/{application_number}",
                READ_TIMEOUT_QUICK_S,
                ATTEMPTS_DEFAULT,
            )
        )
        status = parse(wire.RegistrationStatus.from_wire, value)
        if status.application_number != application_number:
            raise ProtocolViolation("status is for another application")
        return status

    # -- transport ---------------------------------------------------------------------------
    def _json(
        self,
        call: Call,
        *,
        body: wire.JsonValue = None,
        session: wire.SessionGrant | None = None,
        idempotency_key: str | None = None,
    ) -> wire.JsonValue:
        return decode(
            self._transport.request(
                call, body=body, session=session, idempotency_key=idempotency_key
            )
        )


def speaks_this_protocol(health: wire.Health) -> wire.Health:
    """``health`` if the center answered in this kiosk's protocol version, else
    :class:`ProtocolViolation` (a proxy or a center that serves another version on this path)."""
    if health.protocol_version != wire.PROTOCOL_VERSION:
        raise ProtocolViolation(
            f"the center answers protocol v{health.protocol_version} on {wire.API_PREFIX}, "
            f"this kiosk speaks v{wire.PROTOCOL_VERSION}"
        )
    return health


def _check_key(key: str) -> None:
    if not wire.IDEMPOTENCY_KEY.fullmatch(key):
        raise ValueError("an idempotency key is 16-64 of A-Z a-z 0-9 _ -")


def new_idempotency_key() -> str:
    """A fresh idempotency key (UUID4, 32 hex digits)."""
    return uuid.uuid4().hex
