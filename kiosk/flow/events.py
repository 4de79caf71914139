"""Everything the flow reacts to: the resident's intents and the results of effects.

A closed union (:data:`Event`) of frozen dataclasses. Intents come from the screens; the other
events come from the runner, which executes effects on the card, the center, the printer and
the fee acceptor (whose own events, :mod:`kiosk.payment.events`, are flow events as they are).
Fields that could carry a secret or personal data are left out of ``repr`` so that logging an
event never leaks them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from kiosk.domain import Offer
from kiosk.flow.staff_events import (  # re-exported: every flow event is in kiosk.flow.events
    OperationsEvent as OperationsEvent,
)
from kiosk.flow.staff_events import OwedSlipPrinted as OwedSlipPrinted
from kiosk.flow.staff_events import ReceiptPrinted as ReceiptPrinted
from kiosk.flow.staff_events import ServiceStopChanged as ServiceStopChanged
from kiosk.flow.staff_events import StaffReleased as StaffReleased
from kiosk.flow.staff_events import StaffRequested as StaffRequested
from kiosk.flow.timeouts import TimerName
from kiosk.payment.events import AcceptorEvent
from printing.certificates import CertificateKind, Jurisdiction, KosekiScope, Scope
from printing.faults import PrinterFault


class Service(StrEnum):
    """What the start screen offers."""

    ISSUE = "issue"  # certificate issuance
    REGISTER = "register"  # 本籍地 usage registration (利用登録申請)
    STATUS = "status"  # registration status check by application number


class OptionItem(StrEnum):
    """Yes/no items of a 住民票 (the My Number has its own intents: it needs a warning)."""

    HEAD_AND_RELATIONSHIP = "head_and_relationship"  # 世帯主・続柄
    HONSEKI = "honseki"  # 本籍・筆頭者
    FOREIGN_ITEMS = "foreign_items"  # 国籍・地域, 在留資格 …


class FormField(StrEnum):
    """The text fields of the usage registration (typed on the on-screen keyboard)."""

    HONSEKI = "honseki"  # 本籍
    HITTOSHA = "hittosha"  # 筆頭者氏名
    PHONE = "phone"  # 連絡先電話番号


# --- intents ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChooseService:
    service: Service


@dataclass(frozen=True)
class OpenLanguageMenu:
    pass


@dataclass(frozen=True)
class CloseLanguageMenu:
    pass


@dataclass(frozen=True)
class ChooseLanguage:
    language: str


@dataclass(frozen=True)
class Agree:
    """The resident accepts the notes (personal data, do not leave the kiosk)."""


@dataclass(frozen=True)
class Next:
    pass


@dataclass(frozen=True)
class Back:
    pass


@dataclass(frozen=True)
class Cancel:
    pass


@dataclass(frozen=True)
class Continue:
    """The answer "yes, I am still here" to the continue prompt (any intent also counts)."""


@dataclass(frozen=True)
class Finish:
    """The resident is done with an informing screen (receipt, fault, done)."""


@dataclass(frozen=True)
class Digit:
    """A keypad digit for the entry on screen (PIN, 照合番号B, application number)."""

    digit: str = field(repr=False)


@dataclass(frozen=True)
class Backspace:
    """訂正: remove the last digit."""


@dataclass(frozen=True)
class ClearEntry:
    """クリア: remove every digit."""


@dataclass(frozen=True)
class Submit:
    """Send the entry on screen (PIN, 照合番号B, application number, registration)."""


@dataclass(frozen=True)
class ChooseJurisdiction:
    jurisdiction: Jurisdiction


@dataclass(frozen=True)
class ChooseCertificate:
    kind: CertificateKind


@dataclass(frozen=True)
class SetScope:
    scope: Scope


@dataclass(frozen=True)
class ToggleMember:
    member_id: str


@dataclass(frozen=True)
class SetItem:
    item: OptionItem
    on: bool


@dataclass(frozen=True)
class RequestMyNumber:
    """Ask for the My Number on the copy (on=True shows the warning first) or drop it."""

    on: bool


@dataclass(frozen=True)
class ConfirmMyNumber:
    """The resident read the warning and confirms the My Number is to be printed."""


@dataclass(frozen=True)
class SetFiscalYear:
    fiscal_year: int


@dataclass(frozen=True)
class SetKosekiScope:
    scope: KosekiScope


@dataclass(frozen=True)
class ChoosePerson:
    """戸籍 個人事項: whose (a person of ``OptionRules.persons``)."""

    person_id: str


@dataclass(frozen=True)
class TogglePerson:
    """附票 of 一部: a person of ``OptionRules.persons`` in or out."""

    person_id: str


@dataclass(frozen=True)
class SetCopies:
    copies: int


@dataclass(frozen=True)
class ConfirmOrder:
    """確定: the order and total on the confirmation screen are accepted."""


@dataclass(frozen=True)
class AddCertificate:
    """「ほかの証明書も取得する」 on the confirmation screen: the order so far stays in the basket
    and the menu opens for another certificate, for the same resident and authentication."""


@dataclass(frozen=True)
class RemoveItem:
    """Remove item ``index`` (0-based, as listed) from the basket on the confirmation screen."""

    index: int


@dataclass(frozen=True)
class ChoosePrefecture:
    prefecture: str


@dataclass(frozen=True)
class ChooseMunicipality:
    code: str


@dataclass(frozen=True)
class EditField:
    """The whole text of a registration field, as the on-screen keyboard holds it."""

    form_field: FormField
    text: str = field(repr=False)


@dataclass(frozen=True)
class EditApplicationNumber:
    """The application number as typed on the keyboard (letters, digits and hyphens)."""

    text: str = field(repr=False)


@dataclass(frozen=True)
class AskReceipt:
    """The resident asks for a receipt (領収書) of a paid issuance, on the done screen."""


Intent = (
    ChooseService
    | OpenLanguageMenu
    | CloseLanguageMenu
    | ChooseLanguage
    | Agree
    | Next
    | Back
    | Cancel
    | Continue
    | Finish
    | Digit
    | Backspace
    | ClearEntry
    | Submit
    | ChooseJurisdiction
    | ChooseCertificate
    | SetScope
    | ToggleMember
    | SetItem
    | RequestMyNumber
    | ConfirmMyNumber
    | SetFiscalYear
    | SetKosekiScope
    | ChoosePerson
    | TogglePerson
    | SetCopies
    | ConfirmOrder
    | AddCertificate
    | RemoveItem
    | ChoosePrefecture
    | ChooseMunicipality
    | EditField
    | EditApplicationNumber
    | AskReceipt
)

# --- card ---------------------------------------------------------------------------------------


class CardFailure(StrEnum):
    """Why the card could not be used (the runner maps cardio's typed errors)."""

    UNREADABLE = "unreadable"  # no answer, transmission error, unknown status: place it again
    NOT_MY_NUMBER_CARD = "not_my_number_card"  # no JPKI application
    NO_CERTIFICATE = "no_certificate"  # no user-authentication certificate on the card
    CERTIFICATE_EXPIRED = "certificate_expired"
    CERTIFICATE_INVALID = "certificate_invalid"  # does not parse, or not valid yet
    READER_FAULT = "reader_fault"  # the reader itself (staff)
    ERROR = "error"  # any other card error


@dataclass(frozen=True)
class CardDetected:
    """A card lies on the reader; reading started."""


@dataclass(frozen=True)
class CardRead:
    """The JPKI application and the user-authentication certificate were read."""


@dataclass(frozen=True)
class CardReadFailed:
    reason: CardFailure


@dataclass(frozen=True)
class CardRemoved:
    """The card left the reader (from the reader monitor, at any time)."""


@dataclass(frozen=True)
class PinTriesRead:
    tries_left: int


@dataclass(frozen=True)
class PinAccepted:
    pass


@dataclass(frozen=True)
class PinRejected:
    tries_left: int


@dataclass(frozen=True)
class PinBlocked:
    pass


@dataclass(frozen=True)
class ChallengeSigned:
    signature: bytes = field(repr=False)


@dataclass(frozen=True)
class CardFailed:
    """A card command failed mid-session (other than removal, which is CardRemoved)."""

    reason: CardFailure


@dataclass(frozen=True)
class CardFacts:
    """The 4 facts from the 券面事項入力補助AP (personal data: never logged)."""

    name: str = field(repr=False)
    address: str = field(repr=False)
    birth_date: date = field(repr=False)
    sex: str = field(repr=False)


@dataclass(frozen=True)
class CardFactsRead:
    facts: CardFacts = field(repr=False)


@dataclass(frozen=True)
class MatchingNumberRejected:
    tries_left: int | None  # None when the card does not say


@dataclass(frozen=True)
class MatchingNumberBlocked:
    pass


CardEvent = (
    CardDetected
    | CardRead
    | CardReadFailed
    | CardRemoved
    | PinTriesRead
    | PinAccepted
    | PinRejected
    | PinBlocked
    | ChallengeSigned
    | CardFailed
    | CardFactsRead
    | MatchingNumberRejected
    | MatchingNumberBlocked
)

# --- center -------------------------------------------------------------------------------------


class CenterCall(StrEnum):
    CHALLENGE = "challenge"
    AUTHENTICATE = "authenticate"
    ISSUE = "issue"
    COMPLETE = "complete"
    MUNICIPALITIES = "municipalities"
    REGISTER = "register"
    STATUS = "status"
    HEALTH = "health"


# CenterFailed(ISSUE, SESSION_EXPIRED)'s reason when the center service did not call: the
# resident's session would end before every item of the basket is issued (Problem
# SESSION_TOO_SHORT, S-210).
SESSION_TOO_SHORT = "session_too_short"


class CenterFailure(StrEnum):
    """The families of center-client errors (kiosk.center.errors), as the flow needs them."""

    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    UNAVAILABLE = "unavailable"
    MAINTENANCE = "maintenance"
    OUT_OF_HOURS = "out_of_hours"  # reason: out_of_hours / weekdays_only / year_end_closure
    REFUSED = "refused"  # reason: a stable reason code
    PROTOCOL = "protocol"  # malformed answer, rejected envelope
    NOT_AUTHORISED = "not_authorised"  # this kiosk's certificate
    SESSION_EXPIRED = "session_expired"
    NOT_FOUND = "not_found"


class RegistrationState(StrEnum):
    """State of a usage registration (center protocol, RegistrationState)."""

    RECEIVED = "received"  # 受付中
    REGISTERED = "registered"  # 登録完了
    INCOMPLETE = "incomplete"  # 不備: the municipality's message says what to do


@dataclass(frozen=True)
class ChallengeReceived:
    """The center's challenge, as the exact bytes the card must sign."""

    message: bytes = field(repr=False)


@dataclass(frozen=True)
class OfferReceived:
    """The center authenticated the resident; the municipality's offer (personal: household)."""

    offer: Offer = field(repr=False)


@dataclass(frozen=True)
class CertificateIssued:
    """The issuance envelope arrived and the center client verified it (kiosk.center.verify).

    The runner holds its copies for the print service (kiosk.runtime.context); the flow asks for
    the print job next (``ComposePrintJob``). ``total_fee_yen`` is the fee the center charges for
    the whole order, checked against the order before anything else.

    ``sides_per_copy`` counts printed page sides (IPP impressions) of one copy: every page of
    the certificate is a sheet printed on both sides (front, and the back side with the
    scramble, code and latent image), so an N-page certificate is 2·N sides per copy. Print
    progress and results (PrintProgress, PrintFinished, PrintFailed) count sides too.
    """

    txn_id: str
    issuance_id: str  # the center's id, journaled so a restart can still report
    total_fee_yen: int
    sides_per_copy: int
    business_date: date | None = None  # the center's business day it is booked on (journaled)


@dataclass(frozen=True)
class CenterFailed:
    call: CenterCall
    failure: CenterFailure
    reason: str = ""  # the stable reason code with REFUSED / OUT_OF_HOURS / MAINTENANCE
    txn_id: str = ""  # with COMPLETE: which transaction's report failed


@dataclass(frozen=True)
class CompletionReported:
    """The center acknowledged the completion report of ``txn_id``."""

    txn_id: str


@dataclass(frozen=True)
class CompletionDeferred:
    """The completion report of ``txn_id`` failed after the client's own retries; the runner
    sends it again later (capped back-off) until the center acknowledges it."""

    txn_id: str
    failure: CenterFailure


@dataclass(frozen=True)
class CenterHealthChanged:
    """What the runner's health checks (and failed calls) say of the center, when it changes.

    ``failure`` None: the center answers and is open. Otherwise the family of the failure
    (unreachable, timeout, unavailable, maintenance, not_authorised, protocol) with the
    center's reason and, in maintenance, until when it is announced to last.
    """

    failure: CenterFailure | None
    reason: str = ""
    until: datetime | None = None


@dataclass(frozen=True)
class HonsekiMunicipality:
    code: str
    name: str
    prefecture: str


@dataclass(frozen=True)
class MunicipalitiesLoaded:
    """The municipalities that take usage registrations (for the 本籍地 choice)."""

    municipalities: tuple[HonsekiMunicipality, ...]


@dataclass(frozen=True)
class RegistrationAccepted:
    application_number: str = field(repr=False)
    municipality_name: str = ""
    message_ja: str = ""  # the municipality's message: days needed, contact


@dataclass(frozen=True)
class StatusReceived:
    state: RegistrationState
    message_ja: str = ""


CenterEvent = (
    ChallengeReceived
    | OfferReceived
    | CertificateIssued
    | CenterFailed
    | CompletionReported
    | CompletionDeferred
    | CenterHealthChanged
    | MunicipalitiesLoaded
    | RegistrationAccepted
    | StatusReceived
)

# --- printer, journal, timers -------------------------------------------------------------------


@dataclass(frozen=True)
class PrinterReady:
    pass


@dataclass(frozen=True)
class PrinterNotReady:
    fault: PrinterFault


@dataclass(frozen=True)
class PrintProgress:
    sides_done: int  # page sides (IPP impressions) printed so far


@dataclass(frozen=True)
class PrintFinished:
    sides: int  # page sides printed


@dataclass(frozen=True)
class PrintFailed:
    fault: PrinterFault
    sides_printed: int  # page sides of the copies that came out complete


@dataclass(frozen=True)
class CertificateReady:
    """The print service composed the issued certificate into its print job
    (kiosk/runtime/printer.py): the fee may be asked for now."""

    txn_id: str
    document_digest: str  # salted hash of the serial (kiosk.journal.serial_digest): the job's name


@dataclass(frozen=True)
class CertificateUnprintable:
    """The print service could not compose the issued certificate into a print job (back-side
    data it cannot lay out, a front it cannot read): nothing is charged."""

    txn_id: str


@dataclass(frozen=True)
class SlipPrinted:
    """The registration's slip (effects.PrintRegistrationSlip) came out of the printer."""


@dataclass(frozen=True)
class SlipFailed:
    """The slip could not be printed (the printer's fault); the number is still on screen."""

    fault: PrinterFault


PrinterEvent = (
    PrinterReady
    | PrinterNotReady
    | CertificateReady
    | CertificateUnprintable
    | PrintProgress
    | PrintFinished
    | PrintFailed
    | SlipPrinted
    | SlipFailed
)


@dataclass(frozen=True)
class JournalFailed:
    """A journal write failed: the step it guarded was not done; the kiosk stops."""

    detail: str


@dataclass(frozen=True)
class TimerFired:
    name: TimerName
    serial: int


@dataclass(frozen=True)
class AcceptorAvailabilityChanged:
    """The runner: whether the fee acceptor can be commanded now (the cash-unit daemon
    connected, docs/payment-bridge.md). Certificate issuance is offered only while it can;
    registration and status take no money."""

    available: bool


Event = (
    Intent
    | CardEvent
    | CenterEvent
    | PrinterEvent
    | AcceptorEvent
    | AcceptorAvailabilityChanged
    | JournalFailed
    | TimerFired
    | OperationsEvent
)
