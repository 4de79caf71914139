"""The kiosk's client of the issuance center (docs/center-protocol.md).

Public API: :class:`CenterClient` (one per kiosk, on the kiosk's center worker thread), its
configuration :class:`CenterConfig`, the typed errors in :mod:`kiosk.center.errors`, and the
protocol's data shapes in :mod:`kiosk.center.wire` (shared with the simulated center).
"""

from kiosk.center.errors import (
    CenterError,
    CenterRefused,
    CenterTimeout,
    CenterUnavailable,
    CenterUnreachable,
    EnvelopeRejected,
    IdempotencyConflict,
    KioskNotAuthorised,
    Maintenance,
    NotFound,
    OutOfHours,
    ProtocolViolation,
    SessionExpired,
)

__all__ = [
    "CenterError",
    "CenterRefused",
    "CenterTimeout",
    "CenterUnavailable",
    "CenterUnreachable",
    "EnvelopeRejected",
    "IdempotencyConflict",
    "KioskNotAuthorised",
    "Maintenance",
    "NotFound",
    "OutOfHours",
    "ProtocolViolation",
    "SessionExpired",
]
