"""The protocol's patterns and enums, and its messages for health, notices, municipalities,
authentication and errors (transactions.py: issuance, completion, settlement, registration).

Each message is a frozen dataclass with ``to_wire()`` (a JSON value) and ``from_wire(value)``
(strict parse, :class:`~kiosk.center.wire.jsonstrict.WireFormatError` on any deviation).
docs/center-protocol.md describes when each is sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from kiosk.center.wire.fields import Fields, b64, format_timestamp
from kiosk.center.wire.jsonstrict import WireFormatError
from kiosk.center.wire.vocabulary import MUNICIPALITY_CODE, REASON_CODE

KIOSK_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", re.ASCII)
TOKEN = re.compile(r"[A-Za-z0-9_-]{22,128}", re.ASCII)
NOTICE_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}", re.ASCII)
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}", re.ASCII)
ISSUANCE_ID = re.compile(r"[A-Za-z0-9_-]{8,64}", re.ASCII)
APPLICATION_NUMBER = re.compile(r"[A-Za-z0-9-]{4,32}", re.ASCII)
PHONE = re.compile(r"[0-9][0-9-]{8,14}", re.ASCII)

NONCE_BYTES = 32  # 256 bits: unguessable, so a signature can never be reused for another nonce
MAX_CERTIFICATE_BYTES = 8192  # a real JPKI auth certificate is ~1.6 kB (jpki-card.md §10.2)
MAX_SIGNATURE_BYTES = 512  # RSA-4096 at most; JPKI uses RSA-2048 (256 bytes)
MAX_MUNICIPALITIES = 2000  # 1,741 municipalities in Japan

# Domain-separation label of the signed challenge: a signature made for this protocol can
# never be mistaken for one over another kind of message (docs/center-protocol.md).
AUTH_MESSAGE_LABEL = b"konbini-center-auth/1"


class AuthPurpose(StrEnum):
    """What the authenticated session may do."""

    ISSUANCE = "issuance"  # offer + issuance
    REGISTRATION = "registration"  # 本籍地 usage registration (利用登録申請)


class HealthState(StrEnum):
    OK = "ok"
    MAINTENANCE = "maintenance"  # the whole center is closed (a notice says until when)


class NoticeScope(StrEnum):
    CENTER = "center"
    MUNICIPALITY = "municipality"


class CompletionOutcome(StrEnum):
    PRINTED = "printed"  # every copy printed and paid
    FAILED = "failed"  # paid (or partly printed) and then a fault: refund made or owed
    CANCELLED = "cancelled"  # nothing printed: the resident cancelled or payment never completed


class PaymentPlace(StrEnum):
    """Where the resident pays the fee of an issuance (protocol v2, CompletionReport.payment)."""

    KIOSK = "kiosk"  # the kiosk's fee acceptor took the fee (store or in-office kiosk)
    COUNTER = "counter"  # city hall: a numbered ticket; the fee is paid at the counter


class RegistrationState(StrEnum):
    RECEIVED = "received"  # 受付中
    REGISTERED = "registered"  # 登録完了
    INCOMPLETE = "incomplete"  # 不備 (the municipality's message says what to do)


class ErrorCode(StrEnum):
    """Category of an error response; see docs/center-protocol.md, "Errors"."""

    MALFORMED_REQUEST = "malformed_request"  # 400
    SESSION_INVALID = "session_invalid"  # 401: unknown, expired or ended session
    KIOSK_NOT_AUTHORISED = "kiosk_not_authorised"  # 403: kiosk certificate unknown or revoked
    NOT_FOUND = "not_found"  # 404
    CONFLICT = "conflict"  # 409: idempotency key reused with another body; second completion
    TOO_LARGE = "too_large"  # 413
    REFUSED = "refused"  # 422: the resident cannot be served; ``reason`` says why
    INTERNAL_ERROR = "internal_error"  # 500
    UNAVAILABLE = "unavailable"  # 503: try again (validity service or municipality down)
    MAINTENANCE = "maintenance"  # 503: center closed for maintenance until ``until``
    MUNICIPALITY_TIMEOUT = "municipality_timeout"  # 504


def auth_message(
    purpose: AuthPurpose, kiosk_id: str, challenge_id: str, nonce: bytes, issued_at: datetime
) -> bytes:
    """The exact bytes the card signs with its user-authentication key.

    Both sides build it from the challenge's fields (never from bytes the center sends), so the
    card is never asked to sign anything but this protocol's challenge for this kiosk.
    """
    fields = [purpose.value, kiosk_id, challenge_id, b64(nonce), format_timestamp(issued_at)]
    return AUTH_MESSAGE_LABEL + b"\n" + "\n".join(fields).encode("ascii")


# -- health, notices, municipalities ---------------------------------------------------------
@dataclass(frozen=True)
class Notice:
    notice_id: str
    scope: NoticeScope
    municipality_code: str | None
    starts_at: datetime
    ends_at: datetime
    message_ja: str

    def to_wire(self) -> dict[str, Any]:
        return {
            "notice_id": self.notice_id,
            "scope": self.scope.value,
            "municipality_code": self.municipality_code,
            "starts_at": format_timestamp(self.starts_at),
            "ends_at": format_timestamp(self.ends_at),
            "message_ja": self.message_ja,
        }

    @classmethod
    def from_wire(cls, value: Any, path: str = "$") -> Notice:
        fields = Fields(value, path)
        notice = cls(
            notice_id=fields.text("notice_id", pattern=NOTICE_ID, max_len=64),
            scope=fields.enum("scope", NoticeScope),
            municipality_code=fields.opt_text(
                "municipality_code", pattern=MUNICIPALITY_CODE, max_len=6
            ),
            starts_at=fields.timestamp("starts_at"),
            ends_at=fields.timestamp("ends_at"),
            message_ja=fields.text("message_ja", max_len=1024),
        )
        fields.done()
        if (notice.scope is NoticeScope.MUNICIPALITY) != (notice.municipality_code is not None):
            raise WireFormatError(
                f"{path}.municipality_code", "given exactly for municipality notices"
            )
        if notice.ends_at <= notice.starts_at:
            raise WireFormatError(f"{path}.ends_at", "must be after starts_at")
        return notice


@dataclass(frozen=True)
class Health:
    state: HealthState
    time: datetime
    protocol_version: int
    maintenance: Notice | None = None

    def to_wire(self) -> dict[str, Any]:
        return {
            "state": self.state.value,
            "time": format_timestamp(self.time),
            "protocol_version": self.protocol_version,
            "maintenance": self.maintenance.to_wire() if self.maintenance else None,
        }

    @classmethod
    def from_wire(cls, value: Any) -> Health:
        fields = Fields(value)
        maintenance = (
            None
            if fields.is_null("maintenance")
            else Notice.from_wire(fields.raw("maintenance"), "$.maintenance")
        )
        health = cls(
            state=fields.enum("state", HealthState),
            time=fields.timestamp("time"),
            protocol_version=fields.integer("protocol_version", min=1, max=1000),
            maintenance=maintenance,
        )
        fields.done()
        if (health.state is HealthState.MAINTENANCE) != (maintenance is not None):
            raise WireFormatError("$.maintenance", "given exactly when the state is maintenance")
        return health


@dataclass(frozen=True)
class NoticeList:
    notices: tuple[Notice, ...]

    def to_wire(self) -> dict[str, Any]:
        return {"notices": [notice.to_wire() for notice in self.notices]}

    @classmethod
    def from_wire(cls, value: Any) -> NoticeList:
        fields = Fields(value)
        result = cls(notices=fields.items("notices", Notice.from_wire, max_len=256))
        fields.done()
        return result


@dataclass(frozen=True)
class Municipality:
    """One municipality of the service (participating or not, for the 本籍地 choice)."""

    code: str
    name: str
    prefecture: str
    kana: str
    participates: bool
    honseki_service: bool  # accepts 本籍地 usage registrations

    def to_wire(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "prefecture": self.prefecture,
            "kana": self.kana,
            "participates": self.participates,
            "honseki_service": self.honseki_service,
        }

    @classmethod
    def from_wire(cls, value: Any, path: str = "$") -> Municipality:
        fields = Fields(value, path)
        result = cls(
            code=fields.text("code", pattern=MUNICIPALITY_CODE, max_len=6),
            name=fields.text("name", min_len=1, max_len=64),
            prefecture=fields.text("prefecture", min_len=1, max_len=16),
            kana=fields.text("kana", max_len=128),
            participates=fields.flag("participates"),
            honseki_service=fields.flag("honseki_service"),
        )
        fields.done()
        return result


@dataclass(frozen=True)
class MunicipalityList:
    municipalities: tuple[Municipality, ...]

    def to_wire(self) -> dict[str, Any]:
        return {"municipalities": [m.to_wire() for m in self.municipalities]}

    @classmethod
    def from_wire(cls, value: Any) -> MunicipalityList:
        fields = Fields(value)
        items = fields.items("municipalities", Municipality.from_wire, max_len=MAX_MUNICIPALITIES)
        fields.done()
        if len({m.code for m in items}) != len(items):
            raise WireFormatError("$.municipalities", "a municipality is listed twice")
        return cls(municipalities=items)


# -- authentication --------------------------------------------------------------------------
@dataclass(frozen=True)
class ChallengeRequest:
    purpose: AuthPurpose

    def to_wire(self) -> dict[str, Any]:
        return {"purpose": self.purpose.value}

    @classmethod
    def from_wire(cls, value: Any) -> ChallengeRequest:
        fields = Fields(value)
        result = cls(purpose=fields.enum("purpose", AuthPurpose))
        fields.done()
        return result


@dataclass(frozen=True)
class Challenge:
    """A nonce bound to one kiosk, one purpose and a time window."""

    challenge_id: str
    kiosk_id: str
    purpose: AuthPurpose
    nonce: bytes
    issued_at: datetime
    expires_at: datetime

    def message(self) -> bytes:
        """What the card signs (see :func:`auth_message`)."""
        return auth_message(
            self.purpose, self.kiosk_id, self.challenge_id, self.nonce, self.issued_at
        )

    def to_wire(self) -> dict[str, Any]:
        return {
            "challenge_id": self.challenge_id,
            "kiosk_id": self.kiosk_id,
            "purpose": self.purpose.value,
            "nonce": b64(self.nonce),
            "issued_at": format_timestamp(self.issued_at),
            "expires_at": format_timestamp(self.expires_at),
        }

    @classmethod
    def from_wire(cls, value: Any) -> Challenge:
        fields = Fields(value)
        result = cls(
            challenge_id=fields.text("challenge_id", pattern=TOKEN, max_len=128),
            kiosk_id=fields.text("kiosk_id", pattern=KIOSK_ID, max_len=64),
            purpose=fields.enum("purpose", AuthPurpose),
            nonce=fields.binary("nonce", min_len=NONCE_BYTES, max_len=NONCE_BYTES),
            issued_at=fields.timestamp("issued_at"),
            expires_at=fields.timestamp("expires_at"),
        )
        fields.done()
        if result.expires_at <= result.issued_at:
            raise WireFormatError("$.expires_at", "must be after issued_at")
        return result


@dataclass(frozen=True)
class ChallengeAnswer:
    """The card's answer: its user-authentication certificate and signature over the challenge."""

    challenge_id: str
    certificate: bytes  # DER
    signature: bytes

    def to_wire(self) -> dict[str, Any]:
        return {
            "challenge_id": self.challenge_id,
            "certificate": b64(self.certificate),
            "signature": b64(self.signature),
        }

    @classmethod
    def from_wire(cls, value: Any) -> ChallengeAnswer:
        fields = Fields(value)
        result = cls(
            challenge_id=fields.text("challenge_id", pattern=TOKEN, max_len=128),
            certificate=fields.binary("certificate", min_len=1, max_len=MAX_CERTIFICATE_BYTES),
            signature=fields.binary("signature", min_len=1, max_len=MAX_SIGNATURE_BYTES),
        )
        fields.done()
        return result


@dataclass(frozen=True)
class SessionGrant:
    """An authenticated resident's session (the token goes in ``Authorization: Session …``)."""

    session_token: str
    purpose: AuthPurpose
    expires_at: datetime
    municipality_code: str  # of residence
    municipality_name: str

    def to_wire(self) -> dict[str, Any]:
        return {
            "session_token": self.session_token,
            "purpose": self.purpose.value,
            "expires_at": format_timestamp(self.expires_at),
            "municipality_code": self.municipality_code,
            "municipality_name": self.municipality_name,
        }

    @classmethod
    def from_wire(cls, value: Any) -> SessionGrant:
        fields = Fields(value)
        result = cls(
            session_token=fields.text("session_token", pattern=TOKEN, max_len=128),
            purpose=fields.enum("purpose", AuthPurpose),
            expires_at=fields.timestamp("expires_at"),
            municipality_code=fields.text(
                "municipality_code", pattern=MUNICIPALITY_CODE, max_len=6
            ),
            municipality_name=fields.text("municipality_name", min_len=1, max_len=64),
        )
        fields.done()
        return result


# -- errors ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ErrorBody:
    """The body of every non-2xx answer: ``{"error": {...}}``."""

    code: ErrorCode
    message: str  # for staff and logs (English, no personal data)
    reason: str | None = None  # with REFUSED (and some others): a stable reason code
    message_ja: str | None = None  # the municipality's or center's own Japanese text, if any
    retryable: bool = False
    until: datetime | None = None  # with MAINTENANCE: when service resumes, if known

    def to_wire(self) -> dict[str, Any]:
        return {
            "error": {
                "code": self.code.value,
                "message": self.message,
                "reason": self.reason,
                "message_ja": self.message_ja,
                "retryable": self.retryable,
                "until": format_timestamp(self.until) if self.until else None,
            }
        }

    @classmethod
    def from_wire(cls, value: Any) -> ErrorBody:
        outer = Fields(value)
        fields = outer.obj("error")
        outer.done()
        result = cls(
            code=fields.enum("code", ErrorCode),
            message=fields.text("message", max_len=1024),
            reason=fields.opt_text("reason", pattern=REASON_CODE, max_len=48),
            message_ja=fields.opt_text("message_ja", max_len=2048),
            retryable=fields.flag("retryable"),
            until=fields.opt_timestamp("until"),
        )
        fields.done()
        if result.code is ErrorCode.REFUSED and result.reason is None:
            raise WireFormatError("$.error.reason", "a refusal always carries a reason")
        return result
