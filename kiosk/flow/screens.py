"""The screens of the flow: one frozen dataclass per screen, with the screen's own data.

What a screen shows beyond these fields comes from ``FlowState.txn`` (see docs/flow.md). Fields
holding secrets (typed PIN and 照合番号B digits, the application number) are marked personal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kiosk.flow.events import FormField, HonsekiMunicipality, RegistrationState
from kiosk.payment.events import RejectReason
from kiosk.problems import OwedCode, Problem
from printing.certificates import ChosenOptions

PIN_LENGTH = 4  # JPKI user-authentication PIN: 4 digits (jpki-card.md §3, EF 0018)
MATCHING_NUMBER_LENGTH = 14  # 照合番号B: YYMMDD + expiry year YYYY + 4-digit code (§5.3)
APPLICATION_NUMBER_MAX = 32  # center protocol, APPLICATION_NUMBER: [A-Za-z0-9-]{4,32}
APPLICATION_NUMBER_MIN = 4

APPLICATION_NUMBER_GROUP = 4  # 0120 2526 0415 0007: read, written down and typed in fours


def grouped_application_number(number: str) -> str:
    """An application number as people read it: in groups of four, unless the municipality
    wrote it with its own hyphens (a typed number is shown the same way while it grows)."""
    if "-" in number:
        return number
    size = APPLICATION_NUMBER_GROUP
    return " ".join(number[i : i + size] for i in range(0, len(number), size))


# Metadata of a field holding personal data or a secret: masked in logs (and repr=False).
PERSONAL: dict[str, Any] = {"personal": True}


@dataclass(frozen=True)
class Start:
    """Services, the language button, hours and notices (from the settings)."""


@dataclass(frozen=True)
class Consent:
    """Notes: personal data is used only for this issuance; do not leave the kiosk."""


@dataclass(frozen=True)
class MunicipalityChoice:
    """Usage registration: choose the 本籍地 by prefecture, then municipality."""

    municipalities: tuple[HonsekiMunicipality, ...] = ()
    loading: bool = True
    prefecture: str | None = None

    @property
    def prefectures(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for m in self.municipalities:
            seen.setdefault(m.prefecture, None)
        return tuple(seen)

    @property
    def in_prefecture(self) -> tuple[HonsekiMunicipality, ...]:
        return tuple(m for m in self.municipalities if m.prefecture == self.prefecture)


@dataclass(frozen=True)
class PlaceCard:
    """Place the card (with guidance); ``problem`` explains the last failed read."""

    reading: bool = False
    problem: Problem | None = None


@dataclass(frozen=True)
class PinEntry:
    """The masked keypad. ``tries_left`` is None while the tries are being read."""

    tries_left: int | None = None
    digits: str = field(default="", repr=False, metadata=PERSONAL)
    wrong: bool = False  # the last PIN was wrong

    @property
    def masked(self) -> str:
        return "●" * len(self.digits)

    @property
    def last_try(self) -> bool:
        """Warn: one wrong PIN more locks it."""
        return self.tries_left == 1

    @property
    def complete(self) -> bool:
        return len(self.digits) == PIN_LENGTH


@dataclass(frozen=True)
class VerifyingPin:
    tries_left: int


@dataclass(frozen=True)
class PinLocked:
    """The PIN is blocked: where to reset it (municipal counter, PIN reset service)."""


class AuthPhase(StrEnum):
    CHALLENGE = "challenge"
    SIGNING = "signing"
    CENTER = "center"


@dataclass(frozen=True)
class Authenticating:
    phase: AuthPhase = AuthPhase.CHALLENGE


@dataclass(frozen=True)
class TakeCard:
    """The card is powered off: take it before going on (reminders count up)."""

    reminders: int = 0


@dataclass(frozen=True)
class ReturnCard:
    """After a cancel or reset the card still lies on the reader: take it, then the start."""

    reminders: int = 0


@dataclass(frozen=True)
class JurisdictionChoice:
    """住所地 or 本籍地 (only offered when the 本籍地 registration exists)."""


@dataclass(frozen=True)
class CertificateChoice:
    """The municipality's certificates with fees; unavailable ones show their reason."""


@dataclass(frozen=True)
class OptionChoice:
    """Whose certificate and what it shows, limited by the offer's OptionRules."""

    options: ChosenOptions
    my_number_warning: bool = False  # the warning is shown and waits for confirmation


@dataclass(frozen=True)
class CopiesChoice:
    copies: int = 1


@dataclass(frozen=True)
class Confirmation:
    """Everything chosen and the total; back and cancel."""


class FetchPhase(StrEnum):
    PRINTER_CHECK = "printer_check"
    ISSUING = "issuing"  # the center issues; the envelope is verified
    COMPOSING = "composing"  # the print service composes the print job


@dataclass(frozen=True)
class Fetching:
    """Getting the certificate (cancellable until it arrives)."""

    phase: FetchPhase = FetchPhase.PRINTER_CHECK
    item: int = 1  # a basket: the item being fetched (1-based) of ``items``
    items: int = 1


@dataclass(frozen=True)
class Payment:
    """Amount due, inserted so far and change come from ``txn.money``."""

    rejected: RejectReason | None = None  # the last piece given back, and why


@dataclass(frozen=True)
class Printing:
    """ "May take over two minutes — do not leave." Pages from the print tracker."""

    pages_done: int = 0
    pages_total: int = 0
    item: int = 1  # a basket: the item being printed (1-based) of ``items`` (「2件中1件目」)
    items: int = 1


@dataclass(frozen=True)
class Done:
    """Take the certificates (and change, or the counter ticket); reminders count up."""

    reminders: int = 0
    ticket_number: int | None = None  # counter payment: the number on the ticket


@dataclass(frozen=True)
class Refunding:
    """Money is being paid back; then ``problem``'s fault screen (or Cancelled if None)."""

    problem: Problem | None = None


@dataclass(frozen=True)
class Fault:
    """A refusal or fault: the resident message and staff code of ``problem``; the money
    outcome comes from ``txn.money``. ``detail`` is an unknown reason code, for staff."""

    problem: Problem
    detail: str = ""


@dataclass(frozen=True)
class Cancelled:
    """The resident cancelled after paying something: it was returned (or is owed)."""


class PaperState(StrEnum):
    """A slip or receipt asked of a printer."""

    PRINTING = "printing"
    PRINTED = "printed"
    FAILED = "failed"  # the screen then tells the resident what to note or whom to ask


@dataclass(frozen=True)
class OwedSlip:
    """The kiosk owes the resident money it could not pay out: a slip with the reference, the
    amount, the time and what to do is printed; the screen shows the money codes (P-4xx) and
    stays until the resident touches "I have the slip" (Finish) — no timer takes it away.
    Then ``then``, the screen the transaction ended on, is shown."""

    yen: int
    codes: tuple[OwedCode, ...]
    then: Screen
    slip: PaperState = PaperState.PRINTING


@dataclass(frozen=True)
class OutOfService:
    """The kiosk cannot go on safely (journal failure): staff must restart it."""

    problem: Problem


@dataclass(frozen=True)
class MatchingNumberEntry:
    """照合番号B: 14 digits, masked like the PIN."""

    digits: str = field(default="", repr=False, metadata=PERSONAL)
    tries_left: int | None = None
    wrong: bool = False

    @property
    def complete(self) -> bool:
        return len(self.digits) == MATCHING_NUMBER_LENGTH


@dataclass(frozen=True)
class ReadingFacts:
    pass


@dataclass(frozen=True)
class RegistrationForm:
    """本籍, 筆頭者 and phone (texts live in ``txn.registration``)."""

    invalid: tuple[FormField, ...] = ()  # fields that failed the check on Next


@dataclass(frozen=True)
class RegistrationReview:
    """Everything entered and the 4 facts from the card; send or go back."""


@dataclass(frozen=True)
class Submitting:
    pass


class SlipState(StrEnum):
    """The registration's printed slip (effects.PrintRegistrationSlip)."""

    PRINTING = "printing"
    PRINTED = "printed"
    FAILED = "failed"  # the number is on screen: the resident writes it down


@dataclass(frozen=True)
class RegistrationReceipt:
    """The application number, how to check the status, the municipality's message, and the
    slip that carries them."""

    application_number: str = field(repr=False, metadata=PERSONAL)
    municipality_name: str = ""
    message_ja: str = ""
    slip: SlipState = SlipState.PRINTING


@dataclass(frozen=True)
class StatusEntry:
    application_number: str = field(default="", repr=False, metadata=PERSONAL)

    @property
    def complete(self) -> bool:
        return APPLICATION_NUMBER_MIN <= len(self.application_number) <= APPLICATION_NUMBER_MAX


@dataclass(frozen=True)
class CheckingStatus:
    application_number: str = field(default="", repr=False, metadata=PERSONAL)


@dataclass(frozen=True)
class StatusResult:
    state: RegistrationState | None  # None: no application with that number
    message_ja: str = ""
    # Not found: the number as typed, so that the resident can correct it (Back).
    application_number: str = field(default="", repr=False, metadata=PERSONAL)


Screen = (
    Start
    | Consent
    | MunicipalityChoice
    | PlaceCard
    | PinEntry
    | VerifyingPin
    | PinLocked
    | Authenticating
    | TakeCard
    | ReturnCard
    | JurisdictionChoice
    | CertificateChoice
    | OptionChoice
    | CopiesChoice
    | Confirmation
    | Fetching
    | Payment
    | Printing
    | Done
    | Refunding
    | Fault
    | Cancelled
    | OwedSlip
    | OutOfService
    | MatchingNumberEntry
    | ReadingFacts
    | RegistrationForm
    | RegistrationReview
    | Submitting
    | RegistrationReceipt
    | StatusEntry
    | CheckingStatus
    | StatusResult
)
