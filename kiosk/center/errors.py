"""Typed errors of the center client.

Every failure of a center call ends as exactly one of these (never a ``requests`` or ``ssl``
exception): the kiosk maps them to a resident message and a staff code (kiosk/problems.py).

- :class:`CenterUnreachable` — no connection (network, refused, TLS handshake, dropped).
- :class:`CenterTimeout` — the center (or, through it, the municipality) did not answer in time.
- :class:`CenterUnavailable` — the center answered 5xx and retries did not help.
- :class:`KioskNotAuthorised` — this kiosk's certificate is unknown or revoked: staff problem.
- :class:`SessionExpired` — the resident's session ended; authenticate again.
- :class:`CenterRefused` — the resident cannot be served; ``reason`` is a stable code
  (kiosk.center.wire.REASONS) the kiosk can explain. Subclasses :class:`Maintenance` and
  :class:`OutOfHours` carry when to come back.
- :class:`ProtocolViolation` — the answer is not what the protocol defines (malformed, wrong
  status, bad envelope signature: :class:`EnvelopeRejected`). Never accepted, never retried.
- :class:`IdempotencyConflict`, :class:`NotFound` — the kiosk asked for something inconsistent.
"""

from __future__ import annotations

from datetime import datetime


class CenterError(Exception):
    """Base of every center-client error. ``staff_code`` is stable, for logs and staff screens."""

    staff_code = "center_error"


class CenterUnreachable(CenterError):
    staff_code = "center_unreachable"


class CenterTimeout(CenterError):
    """No answer in time. ``where`` is ``"center"`` or ``"municipality"`` (the center said so)."""

    staff_code = "center_timeout"

    def __init__(self, message: str, where: str = "center") -> None:
        super().__init__(message)
        self.where = where


class CenterUnavailable(CenterError):
    staff_code = "center_unavailable"


class KioskNotAuthorised(CenterError):
    staff_code = "kiosk_not_authorised"


class SessionExpired(CenterError):
    staff_code = "session_expired"


class CenterRefused(CenterError):
    """The center or municipality refuses to serve the resident.

    ``reason`` is the stable code; ``message_ja`` is the municipality's own text, if it sent
    one (the kiosk shows its own translated text by ``reason`` first).
    """

    staff_code = "refused"

    def __init__(self, reason: str, message: str = "", message_ja: str | None = None) -> None:
        super().__init__(message or reason)
        self.reason = reason
        self.message_ja = message_ja


class Maintenance(CenterRefused):
    """The center (``scope == "center"``) or the municipality is in maintenance."""

    staff_code = "maintenance"

    def __init__(
        self,
        reason: str,
        message: str = "",
        message_ja: str | None = None,
        *,
        scope: str = "municipality",
        until: datetime | None = None,
    ) -> None:
        super().__init__(reason, message, message_ja)
        self.scope = scope
        self.until = until


class OutOfHours(CenterRefused):
    """Outside service hours, weekdays-only outside weekdays, or the year-end closure."""

    staff_code = "out_of_hours"


class ProtocolViolation(CenterError):
    """The center's answer breaks the protocol; the detail names what, never personal data."""

    staff_code = "protocol_violation"


class EnvelopeRejected(ProtocolViolation):
    """The issuance envelope failed its checks (signature, signer, binding to this request)."""

    staff_code = "envelope_rejected"


class IdempotencyConflict(CenterError):
    staff_code = "idempotency_conflict"


class NotFound(CenterError):
    staff_code = "not_found"
