"""The shared vocabulary of an offer: what a municipality offers a resident, and why it refuses.
Plain frozen dataclasses, no I/O: used by the flow, the screens, the center client (which
builds them from the wire) and the simulated center (which produces the wire form from them).

The certificate kinds, scopes and options are :mod:`printing.certificates` (one table per
kind). The wire form (JSON) of each
type is defined by the center protocol (docs/center-protocol.md); converters live in
``kiosk/center/``, not here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum

from printing.certificates import (
    CertificateKind,
    CertificateOptions,
    CertificateRequest,
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
    "CertificateKind",
    "CertificateOptions",
    "CertificateRequest",
    "HouseholdMember",
    "JuminhyoOptions",
    "Jurisdiction",
    "KosekiOptions",
    "KosekiScope",
    "NoOptions",
    "Offer",
    "OfferedCertificate",
    "OptionRules",
    "RefusalReason",
    "Scope",
    "TaxOptions",
]


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
    notices: tuple[str, ...] = ()  # plain Japanese text from the municipality


class RefusalReason(StrEnum):
    """Why a municipality refuses a resident, a certificate or an application (stable codes).

    The kiosk shows its own translated text per code; the municipality's Japanese message travels
    alongside. A refusal for a protected resident (支援措置) carries only its code and a neutral
    message: the kiosk says "please ask at the counter" and nothing more. The same codes are
    used as ``OfferedCertificate.unavailable_reason``. See docs/simulated-world.md.
    """

    RESIDENT_NOT_FOUND = "resident_not_found"  # no such resident (or card) in this municipality
    MOVED_OUT = "moved_out"  # 転出: the record is closed
    SUPPORT_MEASURES = "support_measures"  # DV・ストーカー等支援措置: counter only
    UNDER_AGE_EXCLUDED = "under_age_excluded"  # the municipality excludes residents under 15
    CHARACTERS_NOT_SUPPORTED = "characters_not_supported"  # a registered character cannot print
    NOT_OFFERED = "not_offered"  # kind, option or service not on this municipality's menu
    NO_RECORD = "no_record"  # no seal registered, no tax record for the year, no family register
    NOT_REGISTERED = "not_registered"  # 本籍地 usage registration (利用登録) missing or pending
    OUT_OF_HOURS = "out_of_hours"  # outside the kind's service hours
    WEEKDAYS_ONLY = "weekdays_only"  # the kind is served on 開庁日 only (e.g. 戸籍)
    YEAR_END_CLOSURE = "year_end_closure"  # 12/29–1/3
    MAINTENANCE = "maintenance"  # a posted maintenance window
    ALREADY_REGISTERED = "already_registered"  # 利用登録: the card is registered (or pending)
    INVALID_APPLICATION = "invalid_application"  # 利用登録: a required field is missing/malformed
