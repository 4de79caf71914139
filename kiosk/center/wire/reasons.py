"""The stable reason codes of refusals.

Used in ``ErrorBody.reason`` and ``OfferedCertificate.unavailable_reason``.

The kiosk shows its own translated text per code (kiosk/errors.py); the center never relies on
the kiosk showing its ``message_ja``. Codes are part of the protocol: never rename one, only
add (docs/center-protocol.md, "Reason codes").
"""

from __future__ import annotations

# Given by the municipality certificate server (hw_sim/municipality/api.py, Refusal.reason).
MUNICIPALITY_REASONS: dict[str, str] = {
    "moved_out": "the resident has moved out of the municipality (転出)",
    "support_measures": "the record is under protection measures (支援措置); counter only",
    "under_age_excluded": "the municipality does not serve card holders under 15 at kiosks",
    "characters_not_supported": "a name needs characters kiosks cannot print",
    "not_offered": "the municipality does not offer this certificate or option at kiosks",
    "no_record": "there is no record to certify (no seal registered, no tax record …)",
    "not_registered": "no 本籍地 usage registration (利用登録) for this card",
    "out_of_hours": "outside the municipality's service hours",
    "weekdays_only": "this certificate is issued on weekdays only",
    "year_end_closure": "the service is closed for the year end (12/29–1/3)",
    "maintenance": "the municipality's system is in maintenance",
    "resident_not_found": "the municipality has no resident record for this card",
    "already_registered": "利用登録: the card is already registered (or an application is pending)",
    "invalid_application": "利用登録: a required field is missing or malformed",
}

# Given by the center when it checks the card's answer (docs: "Authentication").
AUTH_REASONS: dict[str, str] = {
    "certificate_revoked": "the user-authentication certificate is revoked (JPKI validity service)",
    "certificate_expired": "the user-authentication certificate has expired",
    "certificate_not_yet_valid": "the user-authentication certificate is not valid yet",
    "certificate_untrusted": "the certificate does not chain to the JPKI user-authentication CA",
    "certificate_invalid": "the certificate is malformed or not a user-authentication certificate",
    "certificate_status_unknown": "the JPKI validity service does not know the certificate",
    "signature_invalid": "the card's signature over the challenge does not verify",
    "challenge_expired": "the challenge was answered too late",
    "challenge_unknown": "the challenge is unknown, already used, or for another kiosk",
    "card_holder_unknown": "J-LIS cannot place the card holder in a municipality",
    "municipality_not_participating": "the holder's municipality does not offer kiosk issuance",
}

# Given by the center for requests that do not fit the session or the offer.
CENTER_REASONS: dict[str, str] = {
    "wrong_purpose": "the session was opened for another purpose",
    "honseki_not_offered": "the 本籍地 municipality does not offer this certificate at kiosks",
    "copies_exceeded": "more copies than the municipality allows",
    "registration_service_unavailable": "the chosen 本籍地 does not take usage registrations",
}

REASONS: dict[str, str] = {**MUNICIPALITY_REASONS, **AUTH_REASONS, **CENTER_REASONS}

# Refusals that mean "come back at another time" (the kiosk shows the hours).
OUT_OF_HOURS_REASONS: frozenset[str] = frozenset(
    {"out_of_hours", "weekdays_only", "year_end_closure"}
)
