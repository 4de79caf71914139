"""Start-up recovery: finish every transaction a crash or power cut left open, exactly once.

The journal (kiosk.journal) records each money and print step before it is acted on, so after a
restart it tells what may have happened. No resident is at the kiosk any more, so nothing is
paid out now: money the kiosk took and may not keep (the fee of copies not known to be printed,
change or refunds not known to be paid) is recorded as owed by staff (``StaffOwed``), who pay it
against the journal and the audit log. In doubt (a print step with no outcome) the resident is
favoured: the copy counts as not printed. A print step with no outcome whose job CUPS may still
hold is settled first from what CUPS says (kiosk/runtime/print_recovery.py): the assembly
keeps those transactions back (``hold``) and the print service settles them after start.

A transaction whose certificate data had arrived (``IssuanceReceived``) and whose completion
was not acknowledged still owes the center its report: :func:`recover_open_transactions`
returns those, and the center service sends them after start
(:meth:`kiosk.runtime.CenterService.send_recovered`) with the transaction's completion key, so a
report that did reach the center before the crash is not counted twice. The transaction closes
once the center acknowledged; if the center cannot be reached it stays open and the next start
tries again (the money is already recorded, so nothing is owed twice).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass

from kiosk.audit import AuditEvent, audit, record
from kiosk.flow import effects as fx
from kiosk.flow.state import PaymentMode
from kiosk.journal import (
    CloseReason,
    ItemSummary,
    Journal,
    JournalError,
    ReportIntent,
    ReportOutcome,
    StaffOwed,
    TransactionClosed,
    TransactionSummary,
    item_key,
)
from kiosk.journal.records import Step
from kiosk.problems import OwedCode
from kiosk.runtime.center.report import IssuanceFacts

log = logging.getLogger(__name__)

# Staff code of money owed after a restart (the problem catalog's OwedCode).
STAFF_CODE_RECOVERED = OwedCode.RECOVERED
# The completion's failure reason for a transaction whose printing a restart interrupted.
RESTART_REASON = fx.RESTART_REASON


@dataclass(frozen=True)
class RecoveredReport:
    """A completion report a restart still owes the center (one per item of a basket)."""

    issuance: IssuanceFacts
    report: fx.ReportCompletion
    close_reason: CloseReason
    journal_txn_id: str = ""  # the journal's transaction ("": the report's own id)
    item: int = 1

    @property
    def txn_id(self) -> str:
        """The report's name towards the center (the item key; its completion key's base)."""
        return self.report.txn_id

    @property
    def journal_id(self) -> str:
        return self.journal_txn_id or self.report.txn_id


def recover_open_transactions(
    journal: Journal,
    kiosk_id: str,
    *,
    hold: Collection[str] = (),
    payment: PaymentMode = PaymentMode.ACCEPTOR,
) -> list[RecoveredReport]:
    """Settle the money of every open transaction but those in ``hold`` and close those that
    owe the center nothing; returns the completion reports still to send (see the module
    docstring). ``payment`` is where this kiosk takes fees (the profile's): the reports name it.

    Raises :class:`JournalError` if the journal cannot be read or written: the kiosk must not
    start taking money on top of a journal it cannot trust.
    """
    pending: list[RecoveredReport] = []
    for summary in journal.open_transactions():
        if summary.txn_id in hold:
            continue
        pending += recover_items(journal, summary, kiosk_id, payment)
    return pending


def recover_transaction(
    journal: Journal,
    summary: TransactionSummary,
    kiosk_id: str,
    payment: PaymentMode = PaymentMode.ACCEPTOR,
) -> RecoveredReport | None:
    """Settle one open transaction: money not accounted for is owed by staff; it is closed, or,
    if the center still waits for its completion report, that report is returned (its intent
    journaled first). A basket's first report only; :func:`recover_items` returns them all."""
    reports = recover_items(journal, summary, kiosk_id, payment)
    return reports[0] if reports else None


def recover_items(
    journal: Journal,
    summary: TransactionSummary,
    kiosk_id: str,
    payment: PaymentMode = PaymentMode.ACCEPTOR,
) -> list[RecoveredReport]:
    """:func:`recover_transaction` for every item: the reports the center still waits for,
    each item's intent journaled first (none: the transaction is closed)."""
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
        summary = journal.summary(summary.txn_id)
    reason = CloseReason.STAFF if summary.staff_owed_yen else CloseReason.RECOVERED
    pending: list[RecoveredReport] = []
    for item, report in _reports(summary, payment):
        if not item.issuance_id or item.report is not None:
            continue  # never issued, or acknowledged by the center before the stop
        journal.write(
            ReportIntent(summary.txn_id, report.outcome.value, report.copies_printed, item.item)
        )
        facts = IssuanceFacts(item.issuance_id, item.fee_per_copy_yen, item.copies)
        journal_txn = "" if item.item == 1 else summary.txn_id  # item 1: the report's own id
        pending.append(RecoveredReport(facts, report, reason, journal_txn, item.item))
    if pending:
        log.warning("open transaction recovered; %d completion reports to send", len(pending))
        return pending
    close_recovered(journal, summary.txn_id, reason, kiosk_id)
    return []


def finish_recovered(
    journal: Journal, recovered: RecoveredReport, acknowledged: bool, kiosk_id: str
) -> None:
    """The center answered (or not) a recovered report: journal it; close when acknowledged
    (a basket: once every item's report is)."""
    txn_id = recovered.journal_id
    journal.write(ReportOutcome(txn_id, acknowledged, recovered.item))
    record(
        audit(
            AuditEvent.REPORT_COMPLETE,
            "success" if acknowledged else "failed",
            txn_id=txn_id,
        ),
        kiosk_id,
    )
    if not acknowledged:
        return
    summary = journal.summary(txn_id)
    if all(item.report is not None for item in summary.basket if item.issuance_id):
        close_recovered(journal, txn_id, recovered.close_reason, kiosk_id)


def close_recovered(journal: Journal, txn_id: str, reason: CloseReason, kiosk_id: str) -> None:
    journal.write(TransactionClosed(txn_id, reason))
    record(audit(AuditEvent.TRANSACTION_END, "recovered", txn_id=txn_id), kiosk_id)


def _reports(
    summary: TransactionSummary, payment: PaymentMode
) -> list[tuple[ItemSummary, fx.ReportCompletion]]:
    """What happened, as far as the journal can tell (doubt favours the resident).

    The flow's report said more (kiosk.flow: the fees refunded and owed, the printer's fault);
    a restart only has the journal's totals, which also count money that was no fee (change;
    stray coins, whose refunds are told apart by their intent's reason and left out). Of the
    fees of the copies not printed, what the acceptor paid back counts as refunded first and
    the rest as owed by staff (recorded as ``StaffOwed`` before this).
    At a counter-payment kiosk (city hall) a transaction with no payment step is paid at the
    counter, as the flow reports it, whether or not printing started (the journal alone cannot
    tell a counter kiosk's from an acceptor kiosk's transaction that printed nothing). Printing
    that started — a copy out, a print in doubt, or a print fault — and did not finish failed.

    Each item of a basket gets its report by these rules, one certificate being a basket of one
    item named by the transaction's id: the one payment is each item's fee once paid in full;
    the fee refunds paid back count, in item order, against each item's copies not printed,
    the rest of those as owed by staff; printing of the visit that started makes every paid
    item not printed in full a failed one.
    """
    in_doubt = {step.item for step in summary.pending if step.step is Step.PRINT}
    started = bool(in_doubt) or any(
        item.copies_printed or item.print_fault for item in summary.basket
    )
    counter = payment is PaymentMode.COUNTER and summary.amount_due_yen == 0
    refund_left = summary.refunded_yen - summary.stray_refunded_yen
    reports: list[tuple[ItemSummary, fx.ReportCompletion]] = []
    for item in summary.basket:
        copies, fee = item.copies, item.fee_per_copy_yen
        printed = min(item.copies_printed, copies)
        paid = counter or summary.paid_in_full or fee == 0
        if paid and printed == copies:
            outcome = fx.Completion.PRINTED
        elif paid and (started or summary.paid_in_full):
            outcome = fx.Completion.FAILED
        else:
            outcome = fx.Completion.CANCELLED
            printed = 0
        failed = outcome is fx.Completion.FAILED
        fault = item.print_fault if failed else None
        interrupted = failed and fault is None
        key = item_key(summary.txn_id, item.item)
        if counter:
            report = fx.ReportCompletion(
                key,
                outcome,
                printed,
                PaymentMode.COUNTER,
                0,
                0,
                0,
                print_fault=fault,
                interrupted=interrupted,
            )
        else:
            amount_paid = fee * copies if summary.paid_in_full else 0
            due_back = amount_paid - fee * printed
            refunded = max(0, min(refund_left, due_back))
            refund_left -= refunded
            report = fx.ReportCompletion(
                txn_id=key,
                outcome=outcome,
                copies_printed=printed,
                payment=PaymentMode.ACCEPTOR,
                amount_paid_yen=amount_paid,
                amount_refunded_yen=refunded,
                refund_pending_yen=due_back - refunded,
                print_fault=fault,
                interrupted=interrupted,
            )
        reports.append((item, report))
    return reports


__all__ = [
    "RESTART_REASON",
    "STAFF_CODE_RECOVERED",
    "RecoveredReport",
    "close_recovered",
    "finish_recovered",
    "recover_items",
    "recover_open_transactions",
    "recover_transaction",
]
