"""The stable reason codes of refusals, in the protocol's terms.

Used in ``ErrorBody.reason`` and ``OfferedCertificate.unavailable_reason``. The codes, who gives
them, what they mean and what the kiosk shows are one table, :data:`kiosk.domain.REASONS`; the
dictionaries here are views of it for the protocol's documentation and the simulated center.
Codes are part of the protocol: never rename one, only add (docs/center-protocol.md, "Reason
codes").
"""

from __future__ import annotations

from kiosk.domain import ReasonOrigin, RefusalReason


def _given_by(origin: ReasonOrigin) -> dict[str, str]:
    return {reason.value: reason.description for reason in RefusalReason if reason.origin is origin}


# Given by the municipality certificate server (hw_sim/municipality/api.py, Refusal.reason).
MUNICIPALITY_REASONS: dict[str, str] = _given_by(ReasonOrigin.MUNICIPALITY)
# Given by the center when it checks the card's answer (docs: "Authentication").
AUTH_REASONS: dict[str, str] = _given_by(ReasonOrigin.AUTHENTICATION)
# Given by the center for requests that do not fit the session or the offer.
CENTER_REASONS: dict[str, str] = _given_by(ReasonOrigin.CENTER)

REASONS: dict[str, str] = {reason.value: reason.description for reason in RefusalReason}

# Refusals that mean "come back at another time" (the kiosk shows the hours).
OUT_OF_HOURS_REASONS: frozenset[str] = frozenset(
    reason.value for reason in RefusalReason if reason.come_back_later
)
