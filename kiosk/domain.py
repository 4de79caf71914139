"""The shared vocabulary of an offer: what a municipality offers a resident, and why it refuses.
Plain frozen dataclasses, no I/O: used by the flow, the screens, the center client (which
builds them from the wire) and the simulated center (which produces the wire form from them).

The certificate kinds, scopes and options are :mod:`printing.certificates` (one table per
kind). The wire form (JSON) of each
type is defined by the center protocol (docs/center-protocol.md); converters live in
``kiosk/center/``, not here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum

from kiosk.msgids import N_
from kiosk.problems import Problem
from printing.certificates import (
    CertificateKind,
    CertificateOptions,
    CertificateRequest,
    FuhyoOptions,
    JuminhyoOptions,
    Jurisdiction,
    KosekiOptions,
    KosekiScope,
    NoOptions,
    Scope,
    TaxOptions,
)

# Re-exported while other branches still import the certificate vocabulary from here; it lives
# in printing.certificates (printing never imports kiosk). New code imports it from there.
__all__ = [
    "REASONS",
    "CertificateKind",
    "CertificateOptions",
    "CertificateRequest",
    "FuhyoOptions",
    "HouseholdMember",
    "JuminhyoOptions",
    "Jurisdiction",
    "KosekiOptions",
    "KosekiScope",
    "NoOptions",
    "NoticeKind",
    "NoticeText",
    "Offer",
    "OfferedCertificate",
    "OptionRules",
    "ReasonFacts",
    "ReasonOrigin",
    "RefusalReason",
    "Scope",
    "TaxOptions",
    "problem_for_refusal",
    "unavailable_text",
]

UNAVAILABLE_NOW = N_("Not available now")


@dataclass(frozen=True)
class HouseholdMember:
    """A member of the resident's household, offered only where the resident must choose.

    ``member_id`` is opaque (chosen by the municipality, valid for one transaction);
    ``display_name`` is the name as the resident knows it. Nothing else is sent.
    """

    member_id: str
    display_name: str


@dataclass(frozen=True)
class OptionRules:
    """What the municipality allows for one offered certificate."""

    scopes: tuple[Scope, ...] = (Scope.SELF,)
    koseki_scopes: tuple[KosekiScope, ...] = ()
    head_and_relationship: bool = False
    honseki: bool = False
    my_number: bool = False
    foreign_items: bool = False
    fiscal_years: tuple[int, ...] = ()
    max_copies: int = 10
    # 戸籍 and 附票 (v3): the persons of the register the resident may ask for — whose
    # 個人事項, who is on a 附票 of 一部 — and which of them is the resident. Ids are opaque.
    persons: tuple[HouseholdMember, ...] = ()
    self_person_id: str | None = None


class NoticeKind(StrEnum):
    """What a notice for residents is about: a resident who cannot read it is told at least
    that (docs/ui.md, "Notices")."""

    HOURS = "hours"  # service hours (e.g. 戸籍 only on office days, 9:00-17:00)
    CLOSURE = "closure"  # days without service (年末年始, holidays)
    MAINTENANCE = "maintenance"  # a planned stop of the system
    OTHER = "other"


NOTICE_TEXT_MAX = 1024  # characters of one language's text (center protocol, "The offer")


@dataclass(frozen=True)
class NoticeText:
    """A notice for residents (the operator's, in the profile; a municipality's, in its offer):
    its kind and its text per screen language. The Japanese text is always there; the others
    are optional — where one is missing the screen marks the notice 「(Japanese only)」 with a
    translated line saying what it is about."""

    kind: NoticeKind
    texts: tuple[tuple[str, str], ...]  # (language code, text): Japanese first (NoticeText.of)

    def __post_init__(self) -> None:
        codes = [code for code, _text in self.texts]
        if not codes or codes[0] != "ja":
            raise ValueError("a notice has its Japanese text first")
        if len(set(codes)) != len(codes):
            raise ValueError("a notice has one text per language")
        for code, text in self.texts:
            if not text.strip() or len(text) > NOTICE_TEXT_MAX:
                raise ValueError(f"the {code} text of a notice is empty or too long")

    @classmethod
    def of(cls, kind: NoticeKind, texts: Mapping[str, str]) -> NoticeText:
        """From a mapping of language codes to texts (``ja`` required)."""
        if "ja" not in texts:
            raise ValueError("a notice needs its Japanese text (ja)")
        # Japanese first, the others by code: the same notice compares equal however it came
        # (a JSON object's keys have no order).
        others = sorted((code, text) for code, text in texts.items() if code != "ja")
        return cls(kind, (("ja", texts["ja"]), *others))

    @classmethod
    def japanese(cls, text: str, kind: NoticeKind = NoticeKind.OTHER) -> NoticeText:
        return cls(kind, (("ja", text),))

    @property
    def ja(self) -> str:
        return self.texts[0][1]

    def text(self, language: str) -> str | None:
        """The text in ``language``, or None if the notice has none in it."""
        return next((text for code, text in self.texts if code == language), None)


@dataclass(frozen=True)
class OfferedCertificate:
    """One certificate on the municipality's menu for this resident, now.

    ``available`` is False when the kind exists on the menu but cannot be issued right now; the
    reason code (``unavailable_reason``) is one the kiosk can explain, e.g. ``out_of_hours``,
    ``weekdays_only``, ``maintenance``, ``not_registered`` (本籍地 usage registration missing),
    ``no_record`` (no seal registered, no tax record).
    """

    kind: CertificateKind
    jurisdiction: Jurisdiction
    fee_yen: int
    counter_fee_yen: int
    rules: OptionRules = field(default_factory=OptionRules)
    available: bool = True
    unavailable_reason: str | None = None
    hours: tuple[time, time] = (time(6, 30), time(23, 0))


@dataclass(frozen=True)
class Offer:
    """The municipality's offer for one authenticated resident (center protocol: offer)."""

    municipality_code: str  # 6-digit local government code with check digit
    municipality_name: str
    certificates: tuple[OfferedCertificate, ...]
    household: tuple[HouseholdMember, ...] = ()
    honseki_municipality_code: str | None = None
    honseki_municipality_name: str | None = None
    notices: tuple[NoticeText, ...] = ()  # the municipality's, per language (ja always)


class ReasonOrigin(StrEnum):
    """Who gives a reason code (docs/center-protocol.md, "Reason codes")."""

    MUNICIPALITY = "municipality"  # the municipality's certificate server (hw_sim/municipality)
    AUTHENTICATION = "authentication"  # the center, checking the card's answer
    CENTER = "center"  # the center, for a request that does not fit the session or the offer


class RefusalReason(StrEnum):
    """Why a resident, a certificate or an application is refused: the protocol's stable reason
    codes (``ErrorBody.reason``, ``OfferedCertificate.unavailable_reason``). Never rename one,
    only add.

    The kiosk shows its own translated text per code (the code's :attr:`problem`); the
    municipality's Japanese message travels alongside. A refusal for a protected resident
    (支援措置) carries only its code and a neutral message: the kiosk says "please ask at the
    counter" and nothing more. Each code's facts are one row of :data:`REASONS`.
    """

    RESIDENT_NOT_FOUND = "resident_not_found"
    MOVED_OUT = "moved_out"
    SUPPORT_MEASURES = "support_measures"
    UNDER_AGE_EXCLUDED = "under_age_excluded"
    CHARACTERS_NOT_SUPPORTED = "characters_not_supported"
    NOT_OFFERED = "not_offered"
    NO_RECORD = "no_record"
    NOT_REGISTERED = "not_registered"
    OUT_OF_HOURS = "out_of_hours"
    WEEKDAYS_ONLY = "weekdays_only"
    YEAR_END_CLOSURE = "year_end_closure"
    MAINTENANCE = "maintenance"
    ALREADY_REGISTERED = "already_registered"
    INVALID_APPLICATION = "invalid_application"
    CERTIFICATE_REVOKED = "certificate_revoked"
    CERTIFICATE_EXPIRED = "certificate_expired"
    CERTIFICATE_NOT_YET_VALID = "certificate_not_yet_valid"
    CERTIFICATE_UNTRUSTED = "certificate_untrusted"
    CERTIFICATE_INVALID = "certificate_invalid"
    CERTIFICATE_STATUS_UNKNOWN = "certificate_status_unknown"
    SIGNATURE_INVALID = "signature_invalid"
    CHALLENGE_EXPIRED = "challenge_expired"
    CHALLENGE_UNKNOWN = "challenge_unknown"
    CARD_HOLDER_UNKNOWN = "card_holder_unknown"
    MUNICIPALITY_NOT_PARTICIPATING = "municipality_not_participating"
    WRONG_PURPOSE = "wrong_purpose"
    HONSEKI_NOT_OFFERED = "honseki_not_offered"
    COPIES_EXCEEDED = "copies_exceeded"
    REGISTRATION_SERVICE_UNAVAILABLE = "registration_service_unavailable"
    PAYMENT_NOT_REGISTERED = "payment_not_registered"

    @property
    def origin(self) -> ReasonOrigin:
        return REASONS[self].origin

    @property
    def problem(self) -> Problem:
        """What the kiosk tells the resident (and staff) for this code."""
        return REASONS[self].problem

    @property
    def description(self) -> str:
        """What the code means, for the protocol's documentation and the center's logs."""
        return REASONS[self].description

    @property
    def come_back_later(self) -> bool:
        """A time refusal: the kiosk shows the hours (``OutOfHours``)."""
        return REASONS[self].come_back_later

    @property
    def menu_text(self) -> str:
        """The msgid shown on a menu line that is unavailable for this reason."""
        return REASONS[self].menu_text


@dataclass(frozen=True)
class ReasonFacts:
    origin: ReasonOrigin
    problem: Problem
    description: str
    menu_text: str = UNAVAILABLE_NOW  # msgid, for OfferedCertificate.unavailable_reason
    come_back_later: bool = False


_M, _A, _C = ReasonOrigin.MUNICIPALITY, ReasonOrigin.AUTHENTICATION, ReasonOrigin.CENTER
_R = RefusalReason

# The table of reason codes: who gives it, the problem shown, what it means.
REASONS: Mapping[RefusalReason, ReasonFacts] = {
    _R.RESIDENT_NOT_FOUND: ReasonFacts(
        _M, Problem.RESIDENT_NOT_FOUND, "the municipality has no resident record for this card"
    ),
    _R.MOVED_OUT: ReasonFacts(
        _M, Problem.MOVED_OUT, "the resident has moved out of the municipality (転出)"
    ),
    _R.SUPPORT_MEASURES: ReasonFacts(
        _M,
        Problem.SUPPORT_MEASURES,
        "the record is under protection measures (支援措置); counter only",
        N_("Please ask at the counter"),
    ),
    _R.UNDER_AGE_EXCLUDED: ReasonFacts(
        _M,
        Problem.UNDER_AGE_EXCLUDED,
        "the municipality does not serve card holders under 15 at kiosks",
    ),
    _R.CHARACTERS_NOT_SUPPORTED: ReasonFacts(
        _M,
        Problem.CHARACTERS_NOT_SUPPORTED,
        "a name needs characters kiosks cannot print",
        N_("Please ask at the counter"),
    ),
    _R.NOT_OFFERED: ReasonFacts(
        _M,
        Problem.NOT_OFFERED,
        "the municipality does not offer this certificate or option at kiosks",
        N_("Not offered by your municipality"),
    ),
    _R.NO_RECORD: ReasonFacts(
        _M,
        Problem.NO_RECORD,
        "there is no record to certify (no seal registered, no tax record …)",
        N_("No record to certify"),
    ),
    _R.NOT_REGISTERED: ReasonFacts(
        _M,
        Problem.NOT_REGISTERED,
        "no 本籍地 usage registration (利用登録) for this card",
        N_("Needs registration first"),
    ),
    _R.OUT_OF_HOURS: ReasonFacts(
        _M,
        Problem.OUT_OF_HOURS,
        "outside the municipality's service hours",
        N_("Outside service hours"),
        come_back_later=True,
    ),
    _R.WEEKDAYS_ONLY: ReasonFacts(
        _M,
        Problem.WEEKDAYS_ONLY,
        "this certificate is issued on weekdays only",
        N_("Only on weekdays when the office is open"),
        come_back_later=True,
    ),
    _R.YEAR_END_CLOSURE: ReasonFacts(
        _M,
        Problem.YEAR_END_CLOSURE,
        "the service is closed for the year end (12/29–1/3)",
        N_("Not available during the New Year holidays"),
        come_back_later=True,
    ),
    _R.MAINTENANCE: ReasonFacts(
        _M,
        Problem.MUNICIPALITY_MAINTENANCE,
        "the municipality's system is in maintenance",
        N_("Not available during maintenance"),
    ),
    _R.ALREADY_REGISTERED: ReasonFacts(
        _M,
        Problem.ALREADY_REGISTERED,
        "利用登録: the card is already registered (or an application is pending)",
    ),
    _R.INVALID_APPLICATION: ReasonFacts(
        _M, Problem.INVALID_APPLICATION, "利用登録: a required field is missing or malformed"
    ),
    _R.CERTIFICATE_REVOKED: ReasonFacts(
        _A,
        Problem.CERTIFICATE_INVALID,
        "the user-authentication certificate is revoked (JPKI validity service)",
    ),
    _R.CERTIFICATE_EXPIRED: ReasonFacts(
        _A, Problem.CERTIFICATE_EXPIRED, "the user-authentication certificate has expired"
    ),
    _R.CERTIFICATE_NOT_YET_VALID: ReasonFacts(
        _A, Problem.CERTIFICATE_INVALID, "the user-authentication certificate is not valid yet"
    ),
    _R.CERTIFICATE_UNTRUSTED: ReasonFacts(
        _A,
        Problem.CERTIFICATE_INVALID,
        "the certificate does not chain to the JPKI user-authentication CA",
    ),
    _R.CERTIFICATE_INVALID: ReasonFacts(
        _A,
        Problem.CERTIFICATE_INVALID,
        "the certificate is malformed or not a user-authentication certificate",
    ),
    _R.CERTIFICATE_STATUS_UNKNOWN: ReasonFacts(
        _A,
        Problem.CERTIFICATE_INVALID,
        "the JPKI validity service does not know the certificate",
    ),
    _R.SIGNATURE_INVALID: ReasonFacts(
        _A, Problem.CARD_ERROR, "the card's signature over the challenge does not verify"
    ),
    _R.CHALLENGE_EXPIRED: ReasonFacts(
        _A, Problem.SESSION_EXPIRED, "the challenge was answered too late"
    ),
    _R.CHALLENGE_UNKNOWN: ReasonFacts(
        _A,
        Problem.SESSION_EXPIRED,
        "the challenge is unknown, already used, or for another kiosk",
    ),
    _R.CARD_HOLDER_UNKNOWN: ReasonFacts(
        _A,
        Problem.RESIDENT_NOT_FOUND,
        "J-LIS cannot place the card holder in a municipality",
    ),
    _R.MUNICIPALITY_NOT_PARTICIPATING: ReasonFacts(
        _A,
        Problem.MUNICIPALITY_NOT_PARTICIPATING,
        "the holder's municipality does not offer kiosk issuance",
    ),
    _R.WRONG_PURPOSE: ReasonFacts(
        _C, Problem.CENTER_PROTOCOL, "the session was opened for another purpose"
    ),
    _R.HONSEKI_NOT_OFFERED: ReasonFacts(
        _C,
        Problem.NOT_OFFERED,
        "the 本籍地 municipality does not offer this certificate at kiosks",
    ),
    _R.COPIES_EXCEEDED: ReasonFacts(
        _C, Problem.NOT_OFFERED, "more copies than the municipality allows"
    ),
    _R.REGISTRATION_SERVICE_UNAVAILABLE: ReasonFacts(
        _C,
        Problem.NOT_OFFERED,
        "the chosen 本籍地 does not take usage registrations",
    ),
    # Only ever the answer to a completion report (no resident waits for it): a kiosk whose
    # profile says counter payment while the center registered it as a store kiosk, or the
    # other way round — a configuration error for staff.
    _R.PAYMENT_NOT_REGISTERED: ReasonFacts(
        _C,
        Problem.CENTER_PROTOCOL,
        "the kiosk reported a payment place (kiosk / counter) it is not registered for",
    ),
}
if set(REASONS) != set(RefusalReason):  # a code without its row fails every import, at once
    raise RuntimeError(f"kiosk.domain.REASONS misses {set(RefusalReason) - set(REASONS)}")


def problem_for_refusal(code: str) -> Problem:
    """The problem a reason code stands for; a code this kiosk does not know yet (a newer
    center) → :attr:`Problem.REFUSED` ("cannot be issued, ask at the counter")."""
    try:
        return RefusalReason(code).problem
    except ValueError:
        return Problem.REFUSED


def unavailable_text(code: str | None) -> str:
    """The msgid for a menu line unavailable for ``code`` (unknown codes: "Not available now")."""
    try:
        return RefusalReason(code or "").menu_text
    except ValueError:
        return UNAVAILABLE_NOW
