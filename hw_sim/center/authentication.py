"""Authentication at the simulated center (docs/center-protocol.md, "Authentication"):
challenges bound to the kiosk and the time, the card's answer checked (certificate, chain,
validity, signature, JPKI validity service, J-LIS lookup), and the resident's sessions.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID

from hw_sim.center.http import ApiError, StepTimer, municipal, refused
from hw_sim.center.lgwan import Gateway
from hw_sim.center.state import AsyncStore, ChallengeRecord, SessionRecord
from hw_sim.center.validity import (
    AuthRefused,
    ValidityClient,
    ValidityServiceUnavailable,
    parse_user_certificate,
    verify_challenge_signature,
)
from kiosk.center import wire

log = logging.getLogger(__name__)

# Fetching, signing and answering takes about a second even on a slow card; 120 s absorbs a
# slow card and a retry, and no more.
CHALLENGE_TTL = timedelta(seconds=120)
# Choosing, paying and printing several copies fits in 20 minutes; abandoned sessions die.
SESSION_TTL = timedelta(minutes=20)
# J-LIS's card → resident mapping changes only when a resident moves; a minute is fresh enough.
LOCATE_CACHE_TTL_S = 60.0
# Live sessions kept in memory (a session is read on every call of a transaction).
SESSION_CACHE_SIZE = 10_000


def now_seconds() -> datetime:
    """The system time in UTC, whole seconds (what the protocol's timestamps carry)."""
    return datetime.now(UTC).replace(microsecond=0)


def session_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme != "Session" or not wire.messages.TOKEN.fullmatch(token):
        raise ApiError(wire.ErrorCode.SESSION_INVALID, "Authorization: Session <token> is required")
    return token


class Authenticator:
    """Challenges and sessions. ``municipality(code)`` gives the world's MunicipalityInfo."""

    def __init__(
        self,
        *,
        sessions: AsyncStore,
        gateway: Gateway,
        validity: ValidityClient,
        jpki_roots: list[x509.Certificate],
        municipality: Callable[[str], Any],
    ) -> None:
        self.sessions = sessions
        self.gateway = gateway
        self.validity = validity
        self.jpki_roots = jpki_roots
        self._municipality = municipality
        self._session_cache: dict[str, SessionRecord] = {}
        self._located: dict[str, tuple[float, tuple[str, str] | None]] = {}

    async def create_challenge(self, kiosk_id: str, purpose: wire.AuthPurpose) -> wire.Challenge:
        issued = now_seconds()
        challenge = wire.Challenge(
            challenge_id=secrets.token_urlsafe(24),
            kiosk_id=kiosk_id,
            purpose=purpose,
            nonce=secrets.token_bytes(wire.NONCE_BYTES),
            issued_at=issued,
            expires_at=issued + CHALLENGE_TTL,
        )
        record = ChallengeRecord(
            challenge.challenge_id,
            kiosk_id,
            purpose.value,
            challenge.nonce,
            issued,
            challenge.expires_at,
        )
        await self.sessions.call(self.sessions.store.add_challenge, record)
        return challenge

    async def open_session(
        self, kiosk_id: str, answer: wire.ChallengeAnswer, timer: StepTimer | None = None
    ) -> wire.SessionGrant:
        timer = timer or StepTimer()
        record = await self.sessions.call(
            self.sessions.store.take_challenge, answer.challenge_id, kiosk_id
        )
        timer.lap("challenge")
        if record is None:
            raise refused("challenge_unknown")
        now = datetime.now(UTC)
        if now > record.expires_at:
            raise refused("challenge_expired")
        purpose = wire.AuthPurpose(record.purpose)
        message = wire.auth_message(
            purpose, kiosk_id, record.challenge_id, record.nonce, record.issued_at
        )
        try:
            cert = parse_user_certificate(answer.certificate, self.jpki_roots, now)
            verify_challenge_signature(cert, message, answer.signature)
            timer.lap("verify")
            await self.validity.check(cert, now)
            timer.lap("ocsp")
        except AuthRefused as exc:
            log.info("authentication refused: %s", exc.reason)
            raise refused(exc.reason) from None
        except ValidityServiceUnavailable as exc:
            log.warning("JPKI validity service unavailable: %s", exc)
            raise ApiError(
                wire.ErrorCode.UNAVAILABLE, "the JPKI validity service cannot be reached"
            ) from None
        card_identifier = str(cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)
        located = await self._locate(card_identifier)
        timer.lap("locate")
        if located is None:
            raise refused("card_holder_unknown")
        code, resident_id = located
        info = self._municipality(code)
        if info is None or not info.participates:
            raise refused("municipality_not_participating")
        token = secrets.token_urlsafe(32)
        expires = now_seconds() + SESSION_TTL
        session = SessionRecord(
            kiosk_id, purpose.value, card_identifier, code, info.name, resident_id, expires, False
        )
        await self.sessions.call(self.sessions.store.add_session, token, session, now)
        self._remember_session(token, session)
        timer.lap("store")
        return wire.SessionGrant(token, purpose, expires, code, info.name)

    async def _session_record(self, token: str) -> SessionRecord | None:
        """A session by token: from memory (sessions this process opened or read), else the
        database (sessions from before a restart)."""
        record = self._session_cache.get(token)
        if record is None:
            record = await self.sessions.call(self.sessions.store.session, token)
            if record is not None:
                self._remember_session(token, record)
        return record

    def _remember_session(self, token: str, record: SessionRecord) -> None:
        if len(self._session_cache) >= SESSION_CACHE_SIZE:
            now = datetime.now(UTC)
            for stale in [
                t for t, r in self._session_cache.items() if r.ended or r.expires_at < now
            ]:
                del self._session_cache[stale]
            if len(self._session_cache) >= SESSION_CACHE_SIZE:
                self._session_cache.clear()  # many live sessions: the database still has them
        self._session_cache[token] = record

    async def _locate(self, card_identifier: str) -> tuple[str, str] | None:
        """J-LIS's card → (municipality, resident) mapping, remembered for a minute."""
        cached = self._located.get(card_identifier)
        if cached is not None and time.monotonic() - cached[0] < LOCATE_CACHE_TTL_S:
            return cached[1]
        located: tuple[str, str] | None = await municipal(self.gateway.locate(card_identifier))
        self._located[card_identifier] = (time.monotonic(), located)
        return located

    async def session(
        self, kiosk_id: str, authorization: str | None, purpose: wire.AuthPurpose
    ) -> SessionRecord:
        token = session_token(authorization)
        record = await self._session_record(token)
        if record is None or record.ended or record.kiosk_id != kiosk_id:
            raise ApiError(wire.ErrorCode.SESSION_INVALID, "no such session for this kiosk")
        if datetime.now(UTC) > record.expires_at:
            raise ApiError(wire.ErrorCode.SESSION_INVALID, "the session has expired")
        if record.purpose != purpose.value:
            raise refused("wrong_purpose")
        return record

    async def end_session(self, kiosk_id: str, authorization: str | None) -> None:
        try:
            token = session_token(authorization)
        except ApiError:
            return
        record = await self._session_record(token)
        if record is not None and record.kiosk_id == kiosk_id:
            self._remember_session(token, replace(record, ended=True))
            await self.sessions.call(self.sessions.store.end_session, token)
