"""What the center service says, in the protocol's and the flow's terms (pure functions).

- :func:`completion_report`: the flow's ``ReportCompletion`` → the protocol's completion
  report (docs/center-protocol.md, "Completion"), field by field;
- :func:`center_failure`: kiosk.center's typed errors → the flow's failure families.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.center import wire
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
from kiosk.flow import effects as fx
from kiosk.flow.events import CenterFailure
from kiosk.flow.state import PaymentMode


@dataclass(frozen=True)
class IssuanceFacts:
    """What a completion report needs of an issuance (no personal data)."""

    issuance_id: str
    fee_per_copy_yen: int
    copies: int


# The flow's payment modes as the protocol names where the fee is paid.
PAYMENT_PLACES = {
    PaymentMode.ACCEPTOR: wire.PaymentPlace.KIOSK,
    PaymentMode.COUNTER: wire.PaymentPlace.COUNTER,
}


def completion_report(effect: fx.ReportCompletion, completed_at: datetime) -> wire.CompletionReport:
    """The protocol's report from the flow's: a field-by-field mapping (the flow decides every
    amount, docs/flow.md; the center checks them against the issuance, wire
    ``CompletionReport.problem``)."""
    return wire.CompletionReport(
        outcome=wire.CompletionOutcome(effect.outcome.value),
        copies_printed=effect.copies_printed,
        amount_paid_yen=effect.amount_paid_yen,
        amount_refunded_yen=effect.amount_refunded_yen,
        refund_pending_yen=effect.refund_pending_yen,
        failure_reason=effect.failure_reason,
        completed_at=completed_at,
        payment=PAYMENT_PLACES[effect.payment],
    )


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


__all__ = ["PAYMENT_PLACES", "IssuanceFacts", "center_failure", "completion_report"]
