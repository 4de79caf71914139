"""What the journal records: one frozen dataclass per money or print step.

Write-ahead: an ``…Intent`` is written (and synced) before the step is acted on, its
``…Outcome`` after the device reported. A record names the transaction by its id and carries
amounts, counts and codes only — no personal data; a certificate is named at most by a salted
hash of its serial (:func:`serial_digest`).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from kiosk.problems import OwedCode, Problem, problem_for_staff_code, staff_code
from printing.faults import PrinterFault


class Step(StrEnum):
    """The kinds of steps; each intent is matched by the next outcome of the same step."""

    PAYMENT = "payment"  # intent: enable the acceptor for the amount due; outcome: fully paid
    MONEY_IN = "money_in"  # outcome only: a piece was taken in (the device reports, we record)
    CHANGE = "change"
    REFUND = "refund"
    PRINT = "print"
    REPORT = "report"  # the completion report to the center
    STAFF = "staff"  # outcome only: money owed to the resident that staff must pay
    ISSUANCE = "issuance"  # outcome only: the center's id of the issuance (for the report)


class Phase(StrEnum):
    INTENT = "intent"
    OUTCOME = "outcome"


class CloseReason(StrEnum):
    """How a transaction ended."""

    COMPLETED = "completed"  # printed and paid
    CANCELLED = "cancelled"  # before any money or after a full refund
    REFUNDED = "refunded"  # failed after payment, money returned
    STAFF = "staff"  # failed, and staff owe the resident money (see the STAFF steps)
    RECOVERED = "recovered"  # closed by the recovery after a restart


@dataclass(frozen=True)
class TransactionOpened:
    """A transaction that may take money or print starts (written at confirmation)."""

    txn_id: str
    service: str  # "issue" (only issuance takes money today)
    kind: str  # CertificateKind value
    copies: int
    fee_per_copy_yen: int


@dataclass(frozen=True)
class IssuanceReceived:
    """The verified certificate data arrived; ``issuance_id`` is the center's name for it, so a
    restart can still send the completion report (center protocol: /issuances/{id}/completion).
    """

    txn_id: str
    issuance_id: str
    # Printed page sides of one copy (2 per sheet, duplex): after a crash, the recovery counts
    # the whole copies in what CUPS says was printed (kiosk/runtime/print_recovery.py). 0: not
    # recorded (a journal written before it was).
    sides_per_copy: int = 0
    # The center's business day the issuance is booked on (the envelope's, protocol v3): the
    # day it is settled and closed by (None from a center that does not say).
    business_date: date | None = None
    item: int = 1  # the basket item it belongs to (1: the first, or the only one)


@dataclass(frozen=True)
class ItemAdded:
    """A basket's further certificate (item 2, 3, …), written at confirmation right after
    :class:`TransactionOpened`, which names item 1. One payment covers every item; the money
    steps belong to the transaction, the issuance, print and report steps to their item."""

    txn_id: str
    item: int  # 2, 3, … in the order the resident added them
    kind: str  # CertificateKind value
    copies: int
    fee_per_copy_yen: int


def item_key(txn_id: str, item: int) -> str:
    """The name of a basket item towards the center and the print service: the transaction's
    id for item 1 (a one-certificate visit is named as it always was), ``<txn_id>_<n>`` for
    item n (the protocol's idempotency key allows ``[A-Za-z0-9_-]``). Each item is its own
    issuance with its own completion report."""
    return txn_id if item == 1 else f"{txn_id}_{item}"


@dataclass(frozen=True)
class PaymentIntent:
    txn_id: str
    amount_due_yen: int


@dataclass(frozen=True)
class PaymentOutcome:
    """The amount due was reached; ``received_yen`` is everything taken in."""

    txn_id: str
    received_yen: int


@dataclass(frozen=True)
class MoneyIn:
    txn_id: str
    yen: int
    ref: str = ""  # the fee acceptor's name for the credit, when its driver names them


@dataclass(frozen=True)
class ChangeIntent:
    txn_id: str
    yen: int


@dataclass(frozen=True)
class ChangeOutcome:
    txn_id: str
    requested_yen: int
    dispensed_yen: int


class RefundCause(StrEnum):
    """Why money goes back when no problem is the reason."""

    CANCELLED = "cancelled"  # the resident cancelled
    TIMEOUT = "timeout"  # the resident left: no answer to "continue?"
    STRAY = "stray"  # a piece taken in when no payment was open


# A refund is for a problem (its fault screen) or for one of the causes above.
RefundReason = Problem | RefundCause


def refund_reason_code(reason: RefundReason) -> str:
    """How the journal writes a refund's reason: the problem's staff code (what staff look up),
    else the cause's word. Journals written before the type existed hold the same texts."""
    if isinstance(reason, Problem):
        return staff_code(reason)
    return reason.value


def refund_reason_from_code(code: str) -> RefundReason | None:
    """The reason a journal row names; None for a text no version of the kiosk wrote."""
    try:
        return RefundCause(code)
    except ValueError:
        return problem_for_staff_code(code)


@dataclass(frozen=True)
class RefundIntent:
    txn_id: str
    yen: int
    reason: RefundReason


@dataclass(frozen=True)
class RefundOutcome:
    txn_id: str
    requested_yen: int
    refunded_yen: int


@dataclass(frozen=True)
class PrintIntent:
    txn_id: str
    copies: int
    document_digest: str  # serial_digest() of the certificate serial, or "" if unknown
    item: int = 1


@dataclass(frozen=True)
class PrintOutcome:
    txn_id: str
    copies_printed: int
    fault: PrinterFault | None  # None when all copies printed
    item: int = 1


def print_fault_from_code(code: str) -> PrinterFault | None:
    """The fault a print outcome row names ("" when all copies printed; a text this kiosk does
    not know, from a newer version, reads as the generic printer error)."""
    if not code:
        return None
    try:
        return PrinterFault(code)
    except ValueError:
        return PrinterFault.PRINTER_ERROR


@dataclass(frozen=True)
class ReportIntent:
    txn_id: str
    outcome: str  # what is reported: "printed", "refunded", "cancelled", …
    copies_printed: int
    item: int = 1


@dataclass(frozen=True)
class ReportOutcome:
    txn_id: str
    acknowledged: bool
    item: int = 1


@dataclass(frozen=True)
class StaffOwed:
    """Money the kiosk could not pay back: staff pay it (and the journal says why)."""

    txn_id: str
    yen: int
    staff_code: OwedCode


@dataclass(frozen=True)
class TransactionClosed:
    txn_id: str
    reason: CloseReason


JournalRecord = (
    TransactionOpened
    | ItemAdded
    | IssuanceReceived
    | PaymentIntent
    | PaymentOutcome
    | MoneyIn
    | ChangeIntent
    | ChangeOutcome
    | RefundIntent
    | RefundOutcome
    | PrintIntent
    | PrintOutcome
    | ReportIntent
    | ReportOutcome
    | StaffOwed
    | TransactionClosed
)


def serial_digest(serial: str, salt: bytes) -> str:
    """A salted hash naming a certificate in logs and the journal (never the serial itself).

    HMAC-SHA-256 keyed with the kiosk's salt, truncated to 16 hex digits: enough to match a
    journal line with the center's record of the serial, useless to enumerate serials without
    the salt.
    """
    if len(salt) < 16:
        raise ValueError("the salt must be at least 16 bytes")
    return hmac.new(salt, serial.encode("utf-8"), hashlib.sha256).hexdigest()[:16]
