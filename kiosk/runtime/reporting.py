"""What the center service says, in the protocol's and the flow's terms (pure functions).

- :func:`completion_report`: the flow's ``ReportCompletion`` → the protocol's completion
  report, whose amounts must pass the center's check (docs/center-protocol.md, "Completion");
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


@dataclass(frozen=True)
class IssuanceFacts:
    """What a completion report needs of an issuance (no personal data)."""

    issuance_id: str
    fee_per_copy_yen: int
    copies: int


def completion_report(
    effect: fx.ReportCompletion,
    issued: IssuanceFacts,
    fault: str | None,
    now: datetime,
    paid_at_counter: bool = False,
) -> wire.CompletionReport:
    """The protocol's report from the flow's (docs/center-protocol.md, "Completion").

    The center checks ``refunded + pending = paid − fee × printed`` with ``paid`` either 0 or the
    total. The fee counts as paid for ``printed`` and ``failed`` (the flow reports ``failed``
    only after the amount due was reached) and never for ``cancelled``: money inserted towards
    an unfinished payment was returned and is not a fee. Of the fees of unprinted copies,
    what the acceptor paid back is ``refunded``, the rest is pending for staff.
    """
    outcome = wire.CompletionOutcome(effect.outcome.value)
    total = issued.fee_per_copy_yen * issued.copies
    printed = min(effect.copies_printed, issued.copies)
    if outcome is wire.CompletionOutcome.CANCELLED:
        printed = 0
    paid = total if outcome is not wire.CompletionOutcome.CANCELLED else 0
    if paid_at_counter and outcome is wire.CompletionOutcome.FAILED and printed == 0:
        paid = 0  # city hall: the fee is paid at the counter, nothing was taken here
    due_back = paid - issued.fee_per_copy_yen * printed
    refunded = min(max(0, effect.refunded_yen), due_back)
    reason: str | None = None
    if outcome is wire.CompletionOutcome.FAILED:
        reason = fault or "print_failed"
    elif outcome is wire.CompletionOutcome.CANCELLED:
        reason = "cancelled"
    return wire.CompletionReport(
        outcome=outcome,
        copies_printed=printed,
        amount_paid_yen=paid,
        amount_refunded_yen=refunded,
        refund_pending_yen=due_back - refunded,
        failure_reason=reason,
        completed_at=now,
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


__all__ = ["IssuanceFacts", "center_failure", "completion_report"]
