"""kiosk.center's typed errors → the flow's failure families (a pure function), shared by the
session calls (send.py), the report worker (report.py) and the health monitor (health.py)."""

from __future__ import annotations

from kiosk.center.errors import (
    CenterError,
    CenterRefused,
    CenterTimeout,
    CenterUnavailable,
    CenterUnreachable,
    KioskNotAuthorised,
    Maintenance,
    NotFound,
    OutOfHours,
    ProtocolViolation,
    SessionExpired,
)
from kiosk.flow.events import CenterFailure


def center_failure(exc: CenterError) -> tuple[CenterFailure, str]:
    """kiosk.center's typed errors → the flow's families and reason codes."""
    if isinstance(exc, Maintenance):
        return CenterFailure.MAINTENANCE, "maintenance" if exc.scope != "center" else "center"
    if isinstance(exc, OutOfHours):
        return CenterFailure.OUT_OF_HOURS, exc.reason
    if isinstance(exc, CenterRefused):
        return CenterFailure.REFUSED, exc.reason
    if isinstance(exc, CenterUnreachable):
        return CenterFailure.UNREACHABLE, ""
    if isinstance(exc, CenterTimeout):
        return CenterFailure.TIMEOUT, exc.where
    if isinstance(exc, CenterUnavailable):
        return CenterFailure.UNAVAILABLE, ""
    if isinstance(exc, ProtocolViolation):
        return CenterFailure.PROTOCOL, ""
    if isinstance(exc, KioskNotAuthorised):
        return CenterFailure.NOT_AUTHORISED, ""
    if isinstance(exc, SessionExpired):
        return CenterFailure.SESSION_EXPIRED, ""
    if isinstance(exc, NotFound):
        return CenterFailure.NOT_FOUND, ""
    return CenterFailure.UNAVAILABLE, ""  # IdempotencyConflict and the base class


__all__ = ["center_failure"]
