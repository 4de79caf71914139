"""The flow's state: which screen is shown and what the transaction holds.

Everything a screen needs to render is here (the snapshot); screens send intents and never
decide. :class:`FlowState` is immutable; :func:`kiosk.flow.step` returns a new one. Fields
holding personal data or secrets are marked ``personal`` in their metadata and left out of
``repr``; :func:`kiosk.flow.describe_change` masks them when transitions are logged, and every
reset drops them (a new state is built from the settings alone).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, time
from enum import StrEnum

from kiosk.domain import NoticeText, Offer, OfferedCertificate
from kiosk.flow.events import (
    CardFacts,
    FormField,
    Service,
)
from kiosk.flow.screens import (
    APPLICATION_NUMBER_MAX,
    APPLICATION_NUMBER_MIN,
    MATCHING_NUMBER_LENGTH,
    PERSONAL,
    PIN_LENGTH,
    Authenticating,
    AuthPhase,
    Cancelled,
    CertificateChoice,
    CheckingStatus,
    Confirmation,
    Consent,
    CopiesChoice,
    Done,
    Fault,
    Fetching,
    FetchPhase,
    JurisdictionChoice,
    MatchingNumberEntry,
    MunicipalityChoice,
    OptionChoice,
    OutOfService,
    OwedSlip,
    PaperState,
    Payment,
    PinEntry,
    PinLocked,
    PlaceCard,
    Printing,
    ReadingFacts,
    Refunding,
    RegistrationForm,
    RegistrationReceipt,
    RegistrationReview,
    ReturnCard,
    Screen,
    SlipState,
    Start,
    StatusEntry,
    StatusResult,
    Submitting,
    TakeCard,
    VerifyingPin,
    grouped_application_number,
)
from kiosk.flow.timeouts import TimeoutSettings, TimerName
from kiosk.hardware import DEFAULT_LAYOUT, HardwareLayout
from kiosk.journal.records import item_key
from kiosk.languages import DEFAULT_LANGUAGE, LANGUAGES
from kiosk.problems import OwedCode, Problem, ServiceStop
from printing.certificates import CertificateKind, CertificateRequest, Jurisdiction
from printing.faults import PrinterFault


class PaymentMode(StrEnum):
    ACCEPTOR = "acceptor"  # the fee acceptor on the kiosk
    COUNTER = "counter"  # city hall: pay at the counter against a numbered ticket


@dataclass(frozen=True)
class FlowSettings:
    """What the flow needs from the profile; fixed for the kiosk's run."""

    boot_id: str  # unique per start of the kiosk (the runner makes a random one)
    default_language: str = DEFAULT_LANGUAGE
    languages: tuple[str, ...] = LANGUAGES  # kiosk.languages: every language by default
    services: tuple[Service, ...] = (Service.ISSUE, Service.REGISTER, Service.STATUS)
    payment: PaymentMode = PaymentMode.ACCEPTOR
    timeouts: TimeoutSettings = field(default_factory=TimeoutSettings)
    hours: tuple[time, time] = (time(6, 30), time(23, 0))  # shown on the start screen
    notices: tuple[NoticeText, ...] = ()  # the operator's notices for the start screen
    hardware: HardwareLayout = DEFAULT_LAYOUT  # where the screens show the reader, slots, trays
    # Certificates one visit may hold (the basket; the profile's max_certificates_per_visit):
    # 1 offers no "add another certificate".
    basket_limit: int = 5


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
    escrow_yen: int = 0  # a bill asked to be stacked, not reported stacked yet (not inserted)
    change_yen: int = 0  # change paid out
    change_pending_yen: int = 0  # change asked for, result not in yet
    refunded_yen: int = 0  # paid back
    refund_pending_yen: int = 0  # refund asked for, result not in yet
    staff_owed_yen: int = 0  # could not be paid out: staff pay it (journal StaffOwed)
    # Of the refunds, those of the fees of copies not printed (the completion report's
    # amounts): paid back, and owed by staff. Parts of refunded_yen and staff_owed_yen.
    fee_refunded_yen: int = 0
    fee_owed_yen: int = 0
    owed_codes: tuple[OwedCode, ...] = ()  # why staff owe (journal StaffOwed), in order
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
    def in_flight_yen(self) -> int:
        """What the acceptor has still to answer: payouts, and a bill it was asked to stack.
        The transaction waits for these before it reports and ends (write-ahead: the stacked
        bill is journaled and refunded with the transaction, not as a stray piece after it)."""
        return self.pending_yen + self.escrow_yen

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
    """The verified certificate (the print service holds the PDF; the flow only these facts):
    the fee and the sides per copy from the envelope, the digest once the job is composed."""

    total_fee_yen: int
    sides_per_copy: int  # printed page sides of one copy (events.CertificateIssued)
    document_digest: str  # "" until CertificateReady


@dataclass(frozen=True)
class BasketItem:
    """One certificate of the visit: what was chosen, and what became of it."""

    request: CertificateRequest
    fee_per_copy_yen: int
    document: IssuedDocument | None = None
    copies_printed: int = 0
    print_fault: PrinterFault | None = None
    issue_requested: bool = False

    @property
    def total_fee_yen(self) -> int:
        return self.fee_per_copy_yen * self.request.copies

    @property
    def printed_fee_yen(self) -> int:
        return self.fee_per_copy_yen * self.copies_printed


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
    print_fault: PrinterFault | None = None  # why printing failed
    reported: bool = False
    change_in_tray: bool = False
    change_short: bool = False
    registration: RegistrationDraft | None = field(default=None, repr=False, metadata=PERSONAL)
    slip_yen: int = 0  # of the money owed by staff, what a printed slip already covers
    receipt: PaperState | None = None  # the receipt, once asked for
    # The basket: the certificates chosen before the one above (request, fee, document, copies
    # printed, print fault and issue_requested are the last item's), in the order chosen; and
    # the item being fetched or printed (0-based over ``items``). A one-certificate visit has
    # an empty basket and every field as it always was.
    basket: tuple[BasketItem, ...] = ()
    cursor: int = 0

    @property
    def items(self) -> tuple[BasketItem, ...]:
        """Every certificate of the visit, in order (the basket, then the one above)."""
        if self.request is None:
            return self.basket
        last = BasketItem(
            self.request,
            self.fee_per_copy_yen,
            self.document,
            self.copies_printed,
            self.print_fault,
            self.issue_requested,
        )
        return (*self.basket, last)

    @property
    def item_count(self) -> int:
        """How many certificates the visit holds (``len(items)``, without building them)."""
        return len(self.basket) + (self.request is not None)

    def with_item(self, index: int, item: BasketItem) -> Transaction:
        """The transaction with item ``index`` (0-based over ``items``) replaced."""
        if index < len(self.basket):
            basket = (*self.basket[:index], item, *self.basket[index + 1 :])
            return replace(self, basket=basket)
        return replace(
            self,
            request=item.request,
            fee_per_copy_yen=item.fee_per_copy_yen,
            document=item.document,
            copies_printed=item.copies_printed,
            print_fault=item.print_fault,
            issue_requested=item.issue_requested,
        )

    @property
    def current(self) -> BasketItem:
        """The item being fetched or printed."""
        if self.cursor < len(self.basket):
            return self.basket[self.cursor]
        return self.items[self.cursor]  # the last one (a one-certificate visit's only one)

    @property
    def any_issue_requested(self) -> bool:
        """An issuance was asked of the center for some item (so there is a report to send)."""
        return self.issue_requested or any(item.issue_requested for item in self.basket)

    @property
    def kept_yen(self) -> int:
        """The fee for the copies printed: the only money the kiosk may keep."""
        if not self.money.paid:
            return 0
        if not self.basket:
            return self.copies_printed * self.fee_per_copy_yen
        return sum(item.printed_fee_yen for item in self.items)

    @property
    def refundable_yen(self) -> int:
        """Money held that must go back to the resident (or be recorded as owed by staff)."""
        return self.money.held_yen - self.kept_yen

    @property
    def total_fee_yen(self) -> int:
        """The total of the order as confirmed (fee per copy × copies, of every item)."""
        own = self.fee_per_copy_yen * (self.request.copies if self.request else 0)
        return own + sum(item.total_fee_yen for item in self.basket)

    def offered(self, kind: CertificateKind) -> OfferedCertificate | None:
        """The offer line for ``kind`` in the chosen jurisdiction."""
        if self.offer is None:
            return None
        for line in self.offer.certificates:
            if line.kind is kind and line.jurisdiction is self.jurisdiction:
                return line
        return None


@dataclass(frozen=True)
class ActiveTimer:
    name: TimerName
    serial: int


@dataclass(frozen=True)
class PendingReport:
    """A completion report sent and not yet acknowledged, with how the journal closes it."""

    txn_id: str
    close_reason: str  # kiosk.journal.CloseReason value
    item: int = 1  # the basket item it reports (each item is its own issuance)

    @property
    def key(self) -> str:
        """The name the runner answers with (CompletionReported.txn_id): the item key."""
        return item_key(self.txn_id, self.item)


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
    fee: bool = False  # a refund of the fees of copies not printed (the completion report's)


@dataclass(frozen=True)
class CenterStatus:
    """Whether the issuance center can serve residents, as the runner last learned it.

    ``problem`` None: it can (or nothing is known yet: the first check runs at start). Else
    why not (center unreachable, in maintenance, this kiosk not authorised …), and in
    maintenance until when it is announced to last. It outlives sessions.
    """

    problem: Problem | None = None
    until: datetime | None = None

    @property
    def available(self) -> bool:
        return self.problem is None


class StaffAccess(StrEnum):
    """Whether staff use the kiosk (the staff flow, kiosk/staff, asks; this flow grants)."""

    NONE = "none"
    WAITING = "waiting"  # asked while a resident is served: granted when the transaction ends
    OPEN = "open"  # staff screens are up: no resident transaction starts


@dataclass(frozen=True)
class FlowState:
    """The whole state of the kiosk's flow (the screens' snapshot)."""

    settings: FlowSettings
    screen: Screen = field(default_factory=Start)
    language: str = "ja"
    language_menu_open: bool = False
    prompt: bool = False  # "continue?" is shown over the screen
    txn: Transaction | None = None
    timer: ActiveTimer | None = None
    timer_serial: int = 0
    next_seq: int = 1
    pending_reports: tuple[PendingReport, ...] = ()
    payouts: tuple[Payout, ...] = ()  # survives resets: results may come after the session
    # Payouts the refund watchdog gave up on (owed by staff since), oldest first, until the
    # restart that out-of-service screen waits for: a result that still comes closes its owed
    # entry as paid by the kiosk (OwedPaidLate). The acceptor answers in order, so these are
    # matched before ``payouts``.
    overdue: tuple[Payout, ...] = ()
    center: CenterStatus = CenterStatus()  # survives resets: the start screen shows it
    acceptor_available: bool = True  # survives resets: issuance is offered only while True
    staff_access: StaffAccess = StaffAccess.NONE  # survives resets
    staff_request: int = 0  # the staff flow's request staff_access answers
    # Transactions with a basket item whose report the runner gave up: the journal entry
    # stays open for the recovery even when the other items' reports are acknowledged.
    reports_given_up: tuple[str, ...] = ()
    service_stop: ServiceStop | None = None  # staff took the kiosk out of service (why)


def initial_state(settings: FlowSettings) -> FlowState:
    """The state at start-up: the start screen in the default language."""
    return FlowState(settings=settings, language=settings.default_language)


__all__ = [
    "APPLICATION_NUMBER_MAX",
    "APPLICATION_NUMBER_MIN",
    "MATCHING_NUMBER_LENGTH",
    "PERSONAL",
    "PIN_LENGTH",
    "ActiveTimer",
    "AuthPhase",
    "Authenticating",
    "BasketItem",
    "Cancelled",
    "CardState",
    "CenterStatus",
    "CertificateChoice",
    "CheckingStatus",
    "Confirmation",
    "Consent",
    "CopiesChoice",
    "Done",
    "Fault",
    "FetchPhase",
    "Fetching",
    "FlowSettings",
    "FlowState",
    "IssuedDocument",
    "JurisdictionChoice",
    "MatchingNumberEntry",
    "Money",
    "MunicipalityChoice",
    "OptionChoice",
    "OutOfService",
    "OwedSlip",
    "PaperState",
    "Payment",
    "PaymentMode",
    "Payout",
    "PayoutKind",
    "PendingReport",
    "PinEntry",
    "PinLocked",
    "PlaceCard",
    "Printing",
    "ReadingFacts",
    "Refunding",
    "RegistrationDraft",
    "RegistrationForm",
    "RegistrationReceipt",
    "RegistrationReview",
    "ReturnCard",
    "Screen",
    "SlipState",
    "StaffAccess",
    "Start",
    "StatusEntry",
    "StatusResult",
    "Submitting",
    "TakeCard",
    "Transaction",
    "VerifyingPin",
    "grouped_application_number",
    "initial_state",
]
