"""What the flow asks the runner to do. A closed union (:data:`Effect`) of frozen dataclasses.

The runner executes the effects of one step in order. ``JournalWrite`` is synchronous and comes
before the step it guards (write-ahead): if it fails the runner skips the rest of that step's
effects and sends ``JournalFailed``. Every other effect answers later with an event (or none:
``ReleaseCard``, ``StartTimer``, ``PlayReminder``, ``WipePersonalData`` and ``Audit`` are fire
and forget). Secrets (PIN, 照合番号B) travel in exactly one effect and are left out of ``repr``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from kiosk.audit import AuditRecord
from kiosk.flow.events import CardFacts
from kiosk.flow.state import PaymentMode, StaffAccess
from kiosk.flow.timeouts import TimerName
from kiosk.journal.operations import OwedPaidLate
from kiosk.journal.records import JournalRecord
from kiosk.problems import OwedCode
from printing.certificates import CertificateKind, CertificateRequest
from printing.faults import PrinterFault

# --- card ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadCard:
    """Wait for a card, select the JPKI application, read the user-authentication certificate.

    → CardDetected, then CardRead or CardReadFailed.
    """


@dataclass(frozen=True)
class ReadPinTries:
    """Ask the card for the tries left without using one (VERIFY with no data) → PinTriesRead."""


@dataclass(frozen=True)
class VerifyPin:
    """VERIFY the user-authentication PIN, once → PinAccepted / PinRejected / PinBlocked."""

    pin: str = field(repr=False)


@dataclass(frozen=True)
class SignChallenge:
    """Sign the center's challenge with the user-authentication key → ChallengeSigned."""

    message: bytes = field(repr=False)


@dataclass(frozen=True)
class ReadCardFacts:
    """Read the 4 facts from the 券面事項入力補助AP with 照合番号B → CardFactsRead /
    MatchingNumberRejected / MatchingNumberBlocked."""

    matching_number: str = field(repr=False)


@dataclass(frozen=True)
class ReleaseCard:
    """Power the card off and forget the session (its PIN state is cleared on the card)."""


# --- center -------------------------------------------------------------------------------------


class AuthPurpose(StrEnum):
    ISSUANCE = "issuance"
    REGISTRATION = "registration"


# The completion's failure reasons when no printer fault says more (center protocol,
# "Completion": a reason code is given exactly when the outcome is not printed).
PRINT_FAILED = "print_failed"
CANCELLED_REASON = "cancelled"
# A restart interrupted printing: the journal has whole copies, the recovery reports this.
RESTART_REASON = "kiosk_restart"


class Completion(StrEnum):
    """What the completion report says (center protocol, CompletionOutcome)."""

    PRINTED = "printed"
    FAILED = "failed"  # paid or partly printed, then a fault: refunded or owed by staff
    CANCELLED = "cancelled"  # nothing printed and nothing kept


@dataclass(frozen=True)
class RequestChallenge:
    purpose: AuthPurpose


@dataclass(frozen=True)
class Authenticate:
    """Send the signed challenge → OfferReceived (issuance and registration alike)."""

    signature: bytes = field(repr=False)


@dataclass(frozen=True)
class IssueCertificate:
    """Ask for the certificate; ``txn_id`` is the idempotency key → CertificateIssued."""

    txn_id: str
    request: CertificateRequest
    # This issuance and the basket's items after it: the center service checks the resident's
    # session lasts for all of them before it calls (else SESSION_EXPIRED, "session_too_short").
    items_left: int = 1


@dataclass(frozen=True)
class ReportCompletion:
    """Tell the center how the issuance ended → CompletionReported; CompletionDeferred while
    the runner keeps retrying it; CenterFailed(COMPLETE) when it gave up (the journal entry
    stays open and the next start reports it).

    Everything the protocol's completion report says (docs/center-protocol.md, "Completion"),
    decided here so that the runner only maps it. The amounts are the fees of this issuance,
    never other money of the session (change, a stray coin, an unfinished payment returned):

    ``amount_refunded_yen + refund_pending_yen == amount_paid_yen − fee × copies_printed``.
    """

    txn_id: str
    outcome: Completion
    copies_printed: int
    payment: PaymentMode  # counter: paid at the city-hall counter, every amount below is 0
    amount_paid_yen: int  # the total fee once the amount due was reached at the kiosk, else 0
    amount_refunded_yen: int  # of the unprinted copies' fees: paid back by the acceptor
    refund_pending_yen: int  # of those fees: the acceptor could not pay back, staff owe it
    print_fault: PrinterFault | None = None  # why printing failed
    interrupted: bool = False  # a restart interrupted printing (the recovery's report)

    @property
    def failure_reason(self) -> str | None:
        """The protocol's ``failure_reason``: None when printed; the printer's fault code when
        printing failed; "kiosk_restart" when a restart interrupted it; else why nothing was
        printed."""
        if self.outcome is Completion.PRINTED:
            return None
        if self.print_fault is not None:
            return self.print_fault.value
        if self.interrupted:
            return RESTART_REASON
        return PRINT_FAILED if self.outcome is Completion.FAILED else CANCELLED_REASON


@dataclass(frozen=True)
class CancelCenterCall:
    """Abandon the center call in flight (its late answer is ignored)."""


@dataclass(frozen=True)
class LoadMunicipalities:
    """→ MunicipalitiesLoaded (those that take usage registrations)."""


@dataclass(frozen=True)
class Registration:
    """A usage registration (利用登録申請) as sent; personal data throughout."""

    honseki_municipality_code: str
    facts: CardFacts = field(repr=False)
    honseki: str = field(repr=False)
    hittosha_name: str = field(repr=False)
    phone: str = field(repr=False)


@dataclass(frozen=True)
class SubmitRegistration:
    """→ RegistrationAccepted."""

    registration: Registration = field(repr=False)


@dataclass(frozen=True)
class CheckStatus:
    """→ StatusReceived (or CenterFailed STATUS NOT_FOUND)."""

    application_number: str = field(repr=False)


# --- payment ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnableAcceptor:
    amount_due_yen: int


@dataclass(frozen=True)
class DisableAcceptor:
    pass


@dataclass(frozen=True)
class AcceptEscrow:
    pass


@dataclass(frozen=True)
class ReturnEscrow:
    pass


@dataclass(frozen=True)
class DispenseChange:
    yen: int


@dataclass(frozen=True)
class Refund:
    yen: int


# --- printer ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckPrinter:
    """→ PrinterReady / PrinterNotReady, before anything is asked of the center."""


@dataclass(frozen=True)
class ComposePrintJob:
    """Compose the issued certificate of ``txn_id`` (every copy, front and back) into its print
    job → CertificateReady / CertificateUnprintable. The print service owns the job from here."""

    txn_id: str


@dataclass(frozen=True)
class PrintCertificate:
    """Print the verified certificate of ``txn_id`` ``copies`` times → PrintProgress…,
    PrintFinished / PrintFailed."""

    txn_id: str
    copies: int


@dataclass(frozen=True)
class PrintCounterTicket:
    """City hall, counter payment: a numbered ticket (受付票) on the receipt printer."""

    txn_id: str
    ticket_number: int
    amount_yen: int


@dataclass(frozen=True)
class PrintRegistrationSlip:
    """A slip with the registration's application number, the date (the runner's) and what to
    do next, in the resident's ``language``, on the certificate printer → SlipPrinted /
    SlipFailed. It carries the number (personal): never logged."""

    application_number: str = field(repr=False)
    municipality_name: str
    message_ja: str = field(repr=False)
    language: str


@dataclass(frozen=True)
class PrintOwedSlip:
    """The resident's proof of money owed: a slip with ``txn_id`` as the reference, the amount,
    the money codes, the time and what to do — on the receipt printer where the profile has
    one, else on A4 → OwedSlipPrinted."""

    txn_id: str
    yen: int
    codes: tuple[OwedCode, ...]


@dataclass(frozen=True)
class PrintReceipt:
    """A receipt (領収書) for the fee of the copies printed → ReceiptPrinted."""

    txn_id: str
    amount_yen: int
    kind: CertificateKind
    copies: int
    # A basket: the other certificates printed (kind, copies), after the first above.
    also: tuple[tuple[CertificateKind, int], ...] = ()


# --- staff ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffAccessChanged:
    """Tell the staff flow whether it waits for the resident or has the kiosk (StaffRequested
    ``request`` answered now, or once the transaction in progress ended)."""

    access: StaffAccess
    request: int = 0


# --- journal, timers, the room ------------------------------------------------------------------


@dataclass(frozen=True)
class JournalWrite:
    record: JournalRecord | OwedPaidLate  # the latter: a payout the watchdog gave up, paid late


@dataclass(frozen=True)
class StartTimer:
    """(Re)start the one screen timer; a later StartTimer or CancelTimer replaces it."""

    name: TimerName
    seconds: float
    serial: int


@dataclass(frozen=True)
class CancelTimer:
    pass


class Reminder(StrEnum):
    CARD = "card"  # take your card
    CERTIFICATES = "certificates"  # take your certificates
    CHANGE = "change"  # take your change
    MONEY = "money"  # take the money returned


@dataclass(frozen=True)
class PlayReminder:
    """A reminder sound (and the screen's animation) for something to take (取り忘れ)."""

    reminder: Reminder


@dataclass(frozen=True)
class WipePersonalData:
    """Drop everything personal the runner holds: card session, offer, PDFs, screens' text."""


@dataclass(frozen=True)
class Audit:
    record: AuditRecord


Effect = (
    ReadCard
    | ReadPinTries
    | VerifyPin
    | SignChallenge
    | ReadCardFacts
    | ReleaseCard
    | RequestChallenge
    | Authenticate
    | IssueCertificate
    | ReportCompletion
    | CancelCenterCall
    | LoadMunicipalities
    | SubmitRegistration
    | CheckStatus
    | EnableAcceptor
    | DisableAcceptor
    | AcceptEscrow
    | ReturnEscrow
    | DispenseChange
    | Refund
    | CheckPrinter
    | ComposePrintJob
    | PrintCertificate
    | PrintCounterTicket
    | PrintRegistrationSlip
    | PrintOwedSlip
    | PrintReceipt
    | StaffAccessChanged
    | JournalWrite
    | StartTimer
    | CancelTimer
    | PlayReminder
    | WipePersonalData
    | Audit
)
