"""The transaction journal: a write-ahead record of every money and print step.

The flow emits :data:`JournalRecord` values as effects; the runner writes each with
:meth:`Journal.write` before acting on it. After a restart, :meth:`Journal.open_transactions`
tells the recovery, per unfinished transaction, what was paid, printed, refunded and reported,
and which steps were intended but have no outcome (:class:`PendingStep`).
"""

from kiosk.journal.records import (
    ChangeIntent,
    ChangeOutcome,
    CloseReason,
    IssuanceReceived,
    JournalRecord,
    MoneyIn,
    PaymentIntent,
    PaymentOutcome,
    PrintIntent,
    PrintOutcome,
    RefundCause,
    RefundIntent,
    RefundOutcome,
    RefundReason,
    ReportIntent,
    ReportOutcome,
    StaffOwed,
    Step,
    TransactionClosed,
    TransactionOpened,
    serial_digest,
)
from kiosk.journal.store import Journal, JournalError, PendingStep, TransactionSummary

__all__ = [
    "ChangeIntent",
    "ChangeOutcome",
    "CloseReason",
    "IssuanceReceived",
    "Journal",
    "JournalError",
    "JournalRecord",
    "MoneyIn",
    "PaymentIntent",
    "PaymentOutcome",
    "PendingStep",
    "PrintIntent",
    "PrintOutcome",
    "RefundCause",
    "RefundIntent",
    "RefundOutcome",
    "RefundReason",
    "ReportIntent",
    "ReportOutcome",
    "StaffOwed",
    "Step",
    "TransactionClosed",
    "TransactionOpened",
    "TransactionSummary",
    "serial_digest",
]
