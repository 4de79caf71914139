"""Start-up recovery: close every transaction a crash or power cut left open, exactly once.

The journal (kiosk.journal) records each money and print step before it is acted on, so after
a restart it tells what may have happened. No resident is at the kiosk any more, so nothing is
paid out now: money the kiosk took and may not keep (the fee of copies not known to be printed,
change or refunds not known to be paid) is recorded as owed by staff (``StaffOwed``), who pay
it against the journal and the audit log; then the transaction is closed. In doubt (a print
step with no outcome) the resident is favoured: the copy counts as not printed.

The completion report to the center is not replayed: the journal does not hold the center's
issuance id (docs/notes/integration-issues.md); the center keeps such an issuance without a
completion, which its settlement lists.
"""

from __future__ import annotations

import logging

from kiosk.audit import AuditEvent, audit, record
from kiosk.journal import CloseReason, Journal, JournalError, StaffOwed, TransactionClosed

log = logging.getLogger(__name__)

# Staff code of money owed after a restart (kiosk/errors.py keeps the K- family for the kiosk).
STAFF_CODE_RECOVERED = "K-910"


def recover_open_transactions(journal: Journal, kiosk_id: str) -> int:
    """Close every open transaction (see the module docstring); returns how many.

    Raises :class:`JournalError` if the journal cannot be read or written: the kiosk must not
    start taking money on top of a journal it cannot trust.
    """
    recovered = 0
    for summary in journal.open_transactions():
        owed = summary.unsettled_yen
        if owed < 0:
            raise JournalError(f"transaction {summary.txn_id} pays out more than it took")
        if owed:
            journal.write(StaffOwed(summary.txn_id, owed, STAFF_CODE_RECOVERED))
            record(
                audit(
                    AuditEvent.STAFF_OWED,
                    "recovered",
                    txn_id=summary.txn_id,
                    yen=owed,
                    staff_code=STAFF_CODE_RECOVERED,
                ),
                kiosk_id,
            )
        reason = CloseReason.STAFF if owed else CloseReason.RECOVERED
        journal.write(TransactionClosed(summary.txn_id, reason))
        record(
            audit(
                AuditEvent.TRANSACTION_END,
                "recovered",
                txn_id=summary.txn_id,
                copies=summary.copies_printed,
            ),
            kiosk_id,
        )
        log.warning("recovered open transaction (%d yen owed by staff)", owed)
        recovered += 1
    return recovered


__all__ = ["STAFF_CODE_RECOVERED", "recover_open_transactions"]
