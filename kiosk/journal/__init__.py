"""The transaction journal: a write-ahead record of every money and print step.

The flow emits :data:`JournalRecord` values as effects; the runner writes each with
:meth:`Journal.write` before acting on it. After a restart, :meth:`Journal.open_transactions`
tells the recovery, per unfinished transaction, what was paid, printed, refunded and reported,
and which steps were intended but have no outcome (:class:`PendingStep`).
"""

from typing import TYPE_CHECKING, Any

from kiosk.journal.operations import (
    PAID_BY_KIOSK,
    CashCounted,
    CashCountKind,
    ClosingRecorded,
    ClosingState,
    ClosingStep,
    OperationsRecord,
    OwedEntry,
    OwedPaidBack,
    OwedPaidLate,
    ServiceChanged,
)
from kiosk.journal.records import (
    ChangeIntent,
    ChangeOutcome,
    CloseReason,
    IssuanceReceived,
    ItemAdded,
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
    item_key,
    serial_digest,
)
from kiosk.journal.summary import ItemSummary, PendingStep, TransactionSummary

if TYPE_CHECKING:
    from kiosk.journal.store import Journal, JournalError

# The store (SQLite) loads when one of its names is first used: the flow writes journal records
# as effects and must not load sqlite3 (docs/architecture.md, the flow's contract).
_STORE_NAMES = frozenset({"Journal", "JournalError"})


def __getattr__(name: str) -> Any:
    if name in _STORE_NAMES:
        from kiosk.journal import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "PAID_BY_KIOSK",
    "CashCountKind",
    "CashCounted",
    "ChangeIntent",
    "ChangeOutcome",
    "CloseReason",
    "ClosingRecorded",
    "ClosingState",
    "ClosingStep",
    "IssuanceReceived",
    "ItemAdded",
    "ItemSummary",
    "Journal",
    "JournalError",
    "JournalRecord",
    "MoneyIn",
    "OperationsRecord",
    "OwedEntry",
    "OwedPaidBack",
    "OwedPaidLate",
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
    "ServiceChanged",
    "StaffOwed",
    "Step",
    "TransactionClosed",
    "TransactionOpened",
    "TransactionSummary",
    "item_key",
    "serial_digest",
]
