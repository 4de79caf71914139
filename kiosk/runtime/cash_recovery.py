"""Start-up: settle a fee acceptor's own ledger against the journal, exactly once.

A driver with a ledger of its own (kiosk.payment.RecoverableAcceptor: the direct ID-003 +
ccTalk cash unit) names each credit and payout result, and the kiosk confirms each once the
journal holds it. What it reports unconfirmed at start is what a kill left in between
(docs/cash-hardware.md, "Exactly once"):

- a **credit** the journal has (a ``MoneyIn`` with its name) was journaled before the kill:
  nothing to do; one it does not have is written now, to the transaction that was taking money
  (the open one with a payment intent and no outcome, else the newest open one with a payment
  intent) — the money is in the machine, so the resident is owed it;
- a **payout** the devices settled (from the hopper's own counters) whose journal intent is
  still open gets its outcome written with what really left; one whose intent already has an
  outcome was journaled before the kill;
- a payout the hoppers cannot account for stays open in the journal: the usual recovery counts
  it as not paid (owed by staff), and the driver keeps its note for staff.

Then kiosk.runtime.recovery settles the rest as before (what is unsettled is owed by staff).
Returns the names the acceptor may forget.
"""

from __future__ import annotations

import logging

from kiosk.audit import AuditEvent, audit, record
from kiosk.journal import Journal, TransactionSummary
from kiosk.journal.records import ChangeOutcome, MoneyIn, RefundOutcome, Step
from kiosk.payment import CashRecovery, RecoveredPayout
from kiosk.problems import OwedCode
from kiosk.runtime.runner import payout_ref

log = logging.getLogger(__name__)

# Money found in the machine after a restart with no transaction to give it to is owed like any
# money a restart finds unsettled (the catalog's K-910); the audit log is then its only record.
STAFF_CODE_UNATTRIBUTED = OwedCode.RECOVERED


def reconcile_cash(journal: Journal, cash: CashRecovery, kiosk_id: str) -> list[str]:
    """Write what the acceptor knows and the journal lacks (see the module docstring)."""
    settled: list[str] = []
    for credit in cash.credits:
        if journal.has_outcome_code(Step.MONEY_IN, credit.ref):
            settled.append(credit.ref)
            continue
        txn = _taking_money(journal.open_transactions())
        if txn is None:
            log.error(
                "cash recovery: %d yen (%s) taken in with no open transaction",
                credit.yen,
                credit.ref,
            )
            record(
                audit(
                    AuditEvent.STAFF_OWED,
                    "unattributed",
                    yen=credit.yen,
                    staff_code=STAFF_CODE_UNATTRIBUTED,
                    reason=credit.ref,
                ),
                kiosk_id,
            )
        else:
            journal.write(MoneyIn(txn.txn_id, credit.yen, credit.ref))
            log.warning(
                "cash recovery: %d yen (%s) journaled to %s", credit.yen, credit.ref, txn.txn_id
            )
            record(
                audit(
                    AuditEvent.STRAY_MONEY,
                    "recovered",
                    txn_id=txn.txn_id,
                    yen=credit.yen,
                    reason=credit.ref,
                ),
                kiosk_id,
            )
        settled.append(credit.ref)
    known = {payout.ref: payout for payout in cash.payouts}
    for summary in journal.open_transactions():
        for pending in summary.pending:
            if pending.step not in (Step.CHANGE, Step.REFUND):
                continue
            ref = payout_ref(summary.txn_id, pending.step, pending.ordinal)
            payout = known.get(ref)
            if payout is not None:
                _write_outcome(journal, summary.txn_id, pending.step, payout, kiosk_id)
    settled.extend(known)  # journaled now, or before the kill
    return settled


def _taking_money(open_transactions: list[TransactionSummary]) -> TransactionSummary | None:
    paying = [t for t in open_transactions if t.amount_due_yen and not t.paid_in_full]
    if paying:
        return paying[-1]
    with_payment = [t for t in open_transactions if t.amount_due_yen]
    return with_payment[-1] if with_payment else None


def _write_outcome(
    journal: Journal, txn_id: str, step: Step, payout: RecoveredPayout, kiosk_id: str
) -> None:
    asked, paid = payout.requested_yen, payout.paid_yen
    if step is Step.CHANGE:
        journal.write(ChangeOutcome(txn_id, asked, paid))
        event = AuditEvent.CHANGE_COMPLETE
    else:
        journal.write(RefundOutcome(txn_id, asked, paid))
        event = AuditEvent.REFUND_COMPLETE
    log.warning(
        "cash recovery: %s %s: %d of %d yen left the hoppers", txn_id, step.value, paid, asked
    )
    record(audit(event, "recovered", txn_id=txn_id, yen=paid, short_yen=asked - paid), kiosk_id)


__all__ = ["STAFF_CODE_UNATTRIBUTED", "reconcile_cash"]
