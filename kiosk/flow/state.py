"""The flow's state: which screen is shown and what the transaction holds.

Everything a screen needs to render is here (the snapshot); screens send intents and never
decide. :class:`FlowState` is immutable; :func:`kiosk.flow.step` returns a new one. Fields
holding personal data or secrets are marked ``personal`` in their metadata and left out of
``repr``; :func:`kiosk.flow.describe_change` masks them when transitions are logged, and every
reset drops them (a new state is built from the settings alone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum
from typing import Any

from kiosk.domain import (
    CertificateKind,
    CertificateRequest,
    JuminhyoOptions,
    Jurisdiction,
    KosekiOptions,
    Offer,
    OfferedCertificate,
    TaxOptions,
)
from kiosk.errors import Problem
from kiosk.flow.events import (
    CardFacts,
    FormField,
    HonsekiMunicipality,
    RegistrationState,
    Service,
)
from kiosk.flow.timeouts import TimeoutSettings, TimerName
from kiosk.payment.events import RejectReason

PIN_LENGTH = 4  # JPKI user-authentication PIN: 4 digits (jpki-card.md §3, EF 0018)
MATCHING_NUMBER_LENGTH = 14  # 照合番号B: YYMMDD + expiry year YYYY + 4-digit code (§5.3)
APPLICATION_NUMBER_MAX = 32  # center protocol, APPLICATION_NUMBER: [A-Za-z0-9-]{4,32}
APPLICATION_NUMBER_MIN = 4


# Metadata of a field holding personal data or a secret: masked in logs (and repr=False).
PERSONAL: dict[str, Any] = {"personal": True}


class PaymentMode(StrEnum):
    ACCEPTOR = "acceptor"  # the fee acceptor on the kiosk
    COUNTER = "counter"  # city hall: pay at the counter against a numbered ticket


@dataclass(frozen=True)
class FlowSettings:
    """What the flow needs from the profile; fixed for the kiosk's run."""

    boot_id: str  # unique per start of the kiosk (the runner makes a random one)
    default_language: str = "ja"
    languages: tuple[str, ...] = ("ja", "en", "zh_Hans", "zh_Hant", "ko", "es", "pt")
    services: tuple[Service, ...] = (Service.ISSUE, Service.REGISTER, Service.STATUS)
    payment: PaymentMode = PaymentMode.ACCEPTOR
    timeouts: TimeoutSettings = field(default_factory=TimeoutSettings)
    hours: tuple[time, time] = (time(6, 30), time(23, 0))  # shown on the start screen
    notices: tuple[str, ...] = ()  # the operator's notices for the start screen


class CardState(StrEnum):
    NONE = "none"  # no card yet in this transaction
    PRESENT = "present"  # on the reader, detected, not (yet) read
    IN_USE = "in_use"  # powered, a session is open
    RELEASED = "released"  # powered off, still on the reader
    REMOVED = "removed"  # taken off the reader


@dataclass(frozen=True)
class Money:
    """The money ledger of one transaction, in yen.

    ``held_yen`` is what the kiosk holds of the resident's money right now; at the end of a
    transaction it equals the fee for what was printed (rule 2), everything else having gone
    back as change or refund, or been recorded as owed by staff.
    """

    due_yen: int = 0
    inserted_yen: int = 0  # taken in for good (coins, stacked bills), for any reason
    paid_in_yen: int = 0  # of which inserted on the payment screen, towards the amount due
    escrow_yen: int = 0  # a bill waiting in the escrow (not counted as inserted)
    change_yen: int = 0  # change paid out
    change_pending_yen: int = 0  # change asked for, result not in yet
    refunded_yen: int = 0  # paid back
    refund_pending_yen: int = 0  # refund asked for, result not in yet
    staff_owed_yen: int = 0  # could not be paid out: staff pay it (journal StaffOwed)
    accepting: bool = False  # the acceptor is enabled
    paid: bool = False  # the amount due was reached

    @property
    def held_yen(self) -> int:
        return (
            self.inserted_yen
            - self.change_yen
            - self.change_pending_yen
            - self.refunded_yen
            - self.refund_pending_yen
            - self.staff_owed_yen
        )

    @property
    def pending_yen(self) -> int:
        """Payouts asked for whose results are not in yet."""
        return self.change_pending_yen + self.refund_pending_yen

    @property
    def remaining_yen(self) -> int:
        """Still to insert (the payment screen's "amount due")."""
        return max(0, self.due_yen - self.paid_in_yen)

    @property
    def change_due_yen(self) -> int:
        """Change for what was paid in beyond the amount due (stray pieces go back apart)."""
        return max(0, self.paid_in_yen - self.due_yen)


@dataclass(frozen=True)
class IssuedDocument:
    """The verified certificate data (the runner holds the PDF; the flow only these facts)."""

    total_fee_yen: int
    pages_per_copy: int
    document_digest: str


@dataclass(frozen=True)
class RegistrationDraft:
    municipality_code: str
    municipality_name: str
    facts: CardFacts | None = field(default=None, repr=False, metadata=PERSONAL)
    honseki: str = field(default="", repr=False, metadata=PERSONAL)
    hittosha: str = field(default="", repr=False, metadata=PERSONAL)
    phone: str = field(default="", repr=False, metadata=PERSONAL)

    def text(self, form_field: FormField) -> str:
        return {
            FormField.HONSEKI: self.honseki,
            FormField.HITTOSHA: self.hittosha,
            FormField.PHONE: self.phone,
        }[form_field]


@dataclass(frozen=True)
class Transaction:
    """One resident's session from the service choice to the reset."""

    txn_id: str
    service: Service
    card: CardState = CardState.NONE
    offer: Offer | None = field(default=None, repr=False, metadata=PERSONAL)
    jurisdiction: Jurisdiction | None = None
    request: CertificateRequest | None = None
    fee_per_copy_yen: int = 0
    journal_opened: bool = False
    issue_requested: bool = False
    document: IssuedDocument | None = None
    money: Money = Money()
    copies_printed: int = 0
    reported: bool = False
    change_in_tray: bool = False
    change_short: bool = False
    registration: RegistrationDraft | None = field(default=None, repr=False, metadata=PERSONAL)

    @property
    def kept_yen(self) -> int:
        """The fee for the copies printed: the only money the kiosk may keep."""
        return self.copies_printed * self.fee_per_copy_yen if self.money.paid else 0

    @property
    def refundable_yen(self) -> int:
        """Money held that must go back to the resident (or be recorded as owed by staff)."""
        return self.money.held_yen - self.kept_yen

    @property
    def total_fee_yen(self) -> int:
        """The total of the order as confirmed (fee per copy × copies)."""
        return self.fee_per_copy_yen * (self.request.copies if self.request else 0)

    def offered(self, kind: CertificateKind) -> OfferedCertificate | None:
        """The offer line for ``kind`` in the chosen jurisdiction."""
        if self.offer is None:
            return None
        for line in self.offer.certificates:
            if line.kind is kind and line.jurisdiction is self.jurisdiction:
                return line
        return None


# --- screens ------------------------------------------------------------------------------------


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

    options: JuminhyoOptions | TaxOptions | KosekiOptions
    my_number_warning: bool = False  # the warning is shown and waits for confirmation


@dataclass(frozen=True)
class CopiesChoice:
    copies: int = 1


@dataclass(frozen=True)
class Confirmation:
    """Everything chosen and the total; back and cancel."""


class FetchPhase(StrEnum):
    PRINTER_CHECK = "printer_check"
    ISSUING = "issuing"


@dataclass(frozen=True)
class Fetching:
    """Getting the certificate (cancellable until it arrives)."""

    phase: FetchPhase = FetchPhase.PRINTER_CHECK


@dataclass(frozen=True)
class Payment:
    """Amount due, inserted so far and change come from ``txn.money``."""

    rejected: RejectReason | None = None  # the last piece given back, and why


@dataclass(frozen=True)
class Printing:
    """ "May take over two minutes — do not leave." Pages from the print tracker."""

    pages_done: int = 0
    pages_total: int = 0


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


@dataclass(frozen=True)
class RegistrationReceipt:
    """The application number, how to check the status, the municipality's message."""

    application_number: str = field(repr=False, metadata=PERSONAL)
    municipality_name: str = ""
    message_ja: str = ""


@dataclass(frozen=True)
class StatusEntry:
    application_number: str = field(default="", repr=False, metadata=PERSONAL)

    @property
    def complete(self) -> bool:
        return APPLICATION_NUMBER_MIN <= len(self.application_number) <= APPLICATION_NUMBER_MAX


@dataclass(frozen=True)
class CheckingStatus:
    pass


@dataclass(frozen=True)
class StatusResult:
    state: RegistrationState | None  # None: no application with that number
    message_ja: str = ""


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


@dataclass(frozen=True)
class ActiveTimer:
    name: TimerName
    serial: int


@dataclass(frozen=True)
class PendingReport:
    """A completion report sent and not yet acknowledged, with how the journal closes it."""

    txn_id: str
    close_reason: str  # kiosk.journal.CloseReason value


class PayoutKind(StrEnum):
    CHANGE = "change"
    REFUND = "refund"


@dataclass(frozen=True)
class Payout:
    """A payout asked of the acceptor whose result is not in yet. The acceptor answers its
    commands in order, so results are matched first-in first-out per kind."""

    kind: PayoutKind
    yen: int
    txn_id: str  # "" when no transaction was open (money inserted at the start screen)
    journaled: bool  # its intent is in the journal, so its outcome goes there too


@dataclass(frozen=True)
class FlowState:
    """The whole state of the kiosk's flow (the screens' snapshot)."""

    settings: FlowSettings
    screen: Screen = Start()
    language: str = "ja"
    language_menu_open: bool = False
    prompt: bool = False  # "continue?" is shown over the screen
    txn: Transaction | None = None
    timer: ActiveTimer | None = None
    timer_serial: int = 0
    next_seq: int = 1
    pending_reports: tuple[PendingReport, ...] = ()
    payouts: tuple[Payout, ...] = ()  # survives resets: results may come after the session


def initial_state(settings: FlowSettings) -> FlowState:
    """The state at start-up: the start screen in the default language."""
    return FlowState(settings=settings, language=settings.default_language)
