"""Recovery arithmetic, table-driven: every way a crash can leave a transaction's money.

Each case writes, into a real SQLite journal, the records the flow writes for one transaction
up to the moment the power went — paid in full or not, with change given, short or unanswered,
0 to n of n copies printed or printing in doubt, the fees of the copies not printed refunded in
full, short, unanswered or not yet asked, a stray coin refunded beside them, or a counter
payment — then runs the start-up recovery and checks, against amounts worked out here from the
case alone:

* what the recovery writes to the journal (the money still owed, as ``StaffOwed`` K-910; the
  completion report's intent; the close once the center acknowledged),
* what it reports to the center (outcome, copies, the amounts — the center's own check too),
* the staff's day report (``python -m kiosk.journal JOURNAL day``): every row and the totals
  add up, nothing unsettled, and what staff owe is what the resident is missing.

A cash unit with a ledger of its own (the direct ID-003 + ccTalk driver, kiosk.payment.cash_unit)
adds what it knows before the recovery runs (kiosk/runtime/cash_recovery.py): what left the
hoppers for a payout the journal left unanswered, and a piece taken in whose ``MoneyIn`` the
kill came before. The table runs those cases through the same reconciliation as the kiosk's
start (kiosk.app.wiring), then the recovery.

The rules (docs/flow.md, kiosk/runtime/recovery.py): a print with no outcome counts as nothing
printed, a payout with no outcome as not paid; the fee counts as paid once the amount due was
reached, never the money received; of the fees of the copies not printed, the fee refunds paid
back are reported as refunded and the rest as pending.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from itertools import product
from pathlib import Path

import pytest

from kiosk.center import wire
from kiosk.flow import effects as fx
from kiosk.flow.state import PaymentMode
from kiosk.journal import (
    ChangeIntent,
    ChangeOutcome,
    CloseReason,
    IssuanceReceived,
    Journal,
    JournalError,
    JournalRecord,
    MoneyIn,
    PaymentIntent,
    PaymentOutcome,
    PrintIntent,
    PrintOutcome,
    RefundCause,
    RefundIntent,
    RefundOutcome,
    StaffOwed,
    TransactionOpened,
)
from kiosk.journal.records import Step
from kiosk.journal.report import main as journal_report
from kiosk.payment import CashRecovery, RecoveredCredit, RecoveredPayout
from kiosk.problems import OwedCode, Problem
from kiosk.runtime.cash_recovery import reconcile_cash
from kiosk.runtime.center.report import completion_report
from kiosk.runtime.recovery import finish_recovered, recover_open_transactions
from kiosk.runtime.runner import payout_ref
from printing.faults import PrinterFault

REPO = Path(__file__).resolve().parents[2]
FEE = 300
STRAY = 10  # a coin that dropped while printing, refunded at once
SHORT = 100  # what a short payout leaves unpaid
OPENED_AT = datetime(2031, 5, 12, 1, 0, tzinfo=UTC)  # 10:00 JST: the journal's clock
DAY = date(2031, 5, 12)
REPORTED_AT = datetime(2031, 5, 12, 10, 5, tzinfo=wire.JST)

NOT_STARTED, IN_DOUBT = "not started", "in doubt"  # printing, besides a number of copies
NONE, FULL, SHORT_PAID, UNANSWERED = "none", "in full", "short", "unanswered"  # payouts


@dataclass(frozen=True)
class Case:
    """One transaction as a crash left it."""

    copies: int
    counter: bool = False
    issued: bool = True  # the certificate data arrived (IssuanceReceived): a report is owed
    fee: int = FEE  # per copy (0: a free certificate, printed with no payment)
    asked: bool = True  # the payment intent was written (else the power went just before)
    inserted: tuple[int, ...] = ()  # pieces taken in on the payment screen
    change: str = NONE  # the change's payout (when the pieces exceed the amount due)
    printing: int | str = NOT_STARTED  # copies printed (a print outcome), or not started/doubt
    refund: str = NONE  # the payout of the money not kept (unfinished payment or unprinted fees)
    stray: bool = False  # a coin dropped while printing, refunded in full
    # The cash unit's own ledger: what left the hoppers for each payout the journal left
    # unanswered (NONE: an acceptor with no ledger, the recovery alone counts it as not paid).
    hoppers: str = NONE
    lost_credit: bool = False  # the last piece is in the cash unit's ledger, not in the journal

    @property
    def mode(self) -> PaymentMode:
        """Where the kiosk takes fees (its profile's payment)."""
        return PaymentMode.COUNTER if self.counter else PaymentMode.ACCEPTOR

    @property
    def due(self) -> int:
        return self.fee * self.copies

    @property
    def paid(self) -> bool:
        asked = not self.counter and self.issued and self.asked and self.fee > 0
        # A lost credit: the kill came in the step of its MoneyIn, before the PaymentOutcome.
        return asked and sum(self.inserted) >= self.due and not self.lost_credit

    @property
    def free(self) -> bool:
        return self.fee == 0 and self.issued

    @property
    def change_due(self) -> int:
        return sum(self.inserted) - self.due if self.paid else 0

    @property
    def printed(self) -> int:
        """Copies known to be printed (a print in doubt counts none: the resident is favoured)."""
        return self.printing if isinstance(self.printing, int) else 0

    @property
    def refund_due(self) -> int:
        """What the flow paid back before the crash, if it got that far: the unfinished payment,
        or the fees of the copies a failed print did not print."""
        if self.counter:
            return 0
        if not self.paid:
            return sum(self.inserted)
        if isinstance(self.printing, int) and self.printing < self.copies:
            return self.fee * (self.copies - self.printing)
        return 0

    @property
    def name(self) -> str:
        parts = [f"{self.copies}c"]
        if self.counter:
            parts.append("counter")
        if not self.issued:
            parts.append("not-issued")
        if self.fee != FEE:
            parts.append(f"fee{self.fee}")
        if not self.asked:
            parts.append("not-asked")
        if self.inserted:
            parts.append("in" + "+".join(map(str, self.inserted)))
        if self.change != NONE:
            parts.append(f"change-{self.change}")
        parts.append(f"print-{self.printing}".replace(" ", "-"))
        if self.refund != NONE:
            parts.append(f"refund-{self.refund}")
        if self.stray:
            parts.append("stray")
        if self.hoppers != NONE:
            parts.append(f"hoppers-{self.hoppers}".replace(" ", "-"))
        if self.lost_credit:
            parts.append("lost-credit")
        return "_".join(parts)

    # --- what the flow wrote --------------------------------------------------------------------

    def records(self, txn: str) -> list[JournalRecord]:
        """The journal the flow leaves, in its order, up to the crash."""
        out: list[JournalRecord] = [
            TransactionOpened(txn, "issue", "juminhyo", self.copies, self.fee)
        ]
        if not self.issued:
            return out
        out.append(IssuanceReceived(txn, f"ISS-{txn}"))
        if not self.counter and self.asked and self.fee:
            out.append(PaymentIntent(txn, self.due))
            if self.lost_credit:  # the power went as the last piece was taken in
                return out + [
                    MoneyIn(txn, yen, piece_ref(txn, n)) for n, yen in enumerate(self.inserted[:-1])
                ]
            out += [MoneyIn(txn, yen, piece_ref(txn, n)) for n, yen in enumerate(self.inserted)]
        if self.paid:
            out.append(PaymentOutcome(txn, sum(self.inserted)))
            if self.change_due:
                out += payout(txn, ChangeIntent(txn, self.change_due), self.change)
        if (self.paid or self.counter or self.free) and self.printing != NOT_STARTED:
            out.append(PrintIntent(txn, self.copies, "d1g3st"))
            if self.stray:
                out += [
                    MoneyIn(txn, STRAY),
                    RefundIntent(txn, STRAY, RefundCause.STRAY),
                    RefundOutcome(txn, STRAY, STRAY),
                ]
            if isinstance(self.printing, int):
                fault = PrinterFault.JAM if self.printing < self.copies else None
                out.append(PrintOutcome(txn, self.printing, fault))
        if self.refund_due and self.refund != NONE:
            reason = Problem.PRINTER_JAM if self.paid else RefundCause.CANCELLED
            out += payout(txn, RefundIntent(txn, self.refund_due, reason), self.refund)
        return out

    def cash(self, txn: str) -> CashRecovery | None:
        """What the cash unit's ledger holds unconfirmed at the next start (None: no ledger)."""
        if self.hoppers == NONE and not self.lost_credit:
            return None
        credits = ()
        if self.lost_credit:
            credits = (RecoveredCredit(piece_ref(txn, len(self.inserted) - 1), self.inserted[-1]),)
        payouts: list[RecoveredPayout] = []
        if self.change == UNANSWERED and self.change_due:
            ref = payout_ref(txn, Step.CHANGE, 1)
            paid = self.hoppers_paid(self.change_due)
            payouts.append(RecoveredPayout(ref, "change", self.change_due, paid))
        if self.refund == UNANSWERED and self.refund_due:
            ref = payout_ref(txn, Step.REFUND, 2 if self.stray else 1)  # after the stray's
            paid = self.hoppers_paid(self.refund_due)
            payouts.append(RecoveredPayout(ref, "refund", self.refund_due, paid))
        return CashRecovery(credits=credits, payouts=tuple(payouts))

    def hoppers_paid(self, amount: int) -> int:
        return amount if self.hoppers == FULL else amount - SHORT

    def reconciled(self, txn: str) -> list[JournalRecord]:
        """What the reconciliation must write from the cash unit's ledger, in its order."""
        cash = self.cash(txn)
        if cash is None:
            return []
        out: list[JournalRecord] = [MoneyIn(txn, c.yen, c.ref) for c in cash.credits]
        for recovered in cash.payouts:
            asked, paid = recovered.requested_yen, recovered.paid_yen
            if recovered.kind == "change":
                out.append(ChangeOutcome(txn, asked, paid))
            else:
                out.append(RefundOutcome(txn, asked, paid))
        return out

    def reconciled_audit(self, txn: str) -> list[dict[str, object]]:
        cash = self.cash(txn)
        if cash is None:
            return []
        lines: list[dict[str, object]] = [
            {"event": "stray-money", "outcome": "recovered", "txn_id": txn, "yen": c.yen,
             "reason": c.ref}
            for c in cash.credits
        ]  # fmt: skip
        for recovered in cash.payouts:
            event = "change-complete" if recovered.kind == "change" else "refund-complete"
            short = recovered.requested_yen - recovered.paid_yen
            lines.append(
                {"event": event, "outcome": "recovered", "txn_id": txn,
                 "yen": recovered.paid_yen, "short_yen": short}
            )  # fmt: skip
        return lines

    # --- what the recovery must find ------------------------------------------------------------

    @property
    def received(self) -> int:
        return sum(self.inserted) + (STRAY if self.stray else 0)

    def paid_back(self, amount: int, how: str) -> int:
        if how == UNANSWERED and self.hoppers != NONE:
            return self.hoppers_paid(amount)  # the cash unit's ledger answers for it
        return {NONE: 0, UNANSWERED: 0, FULL: amount, SHORT_PAID: amount - SHORT}[how]

    @property
    def change_given(self) -> int:
        return self.paid_back(self.change_due, self.change)

    @property
    def fees_refunded(self) -> int:
        return self.paid_back(self.refund_due, self.refund) if self.refund_due else 0

    @property
    def refunded(self) -> int:
        return self.fees_refunded + (STRAY if self.stray else 0)

    @property
    def owed_before(self) -> int:
        """What the flow already recorded as owed by staff (short payouts)."""
        short = [self.change == SHORT_PAID and self.change_due, self.refund == SHORT_PAID]
        return SHORT * sum(1 for s in short if s)

    @property
    def kept(self) -> int:
        return self.fee * self.printed if self.paid else 0

    @property
    def owed_by_recovery(self) -> int:
        """The resident's money neither kept for a printed copy, nor given back, nor owed yet."""
        return self.received - self.kept - self.change_given - self.refunded - self.owed_before

    def expected_report(self, txn: str) -> fx.ReportCompletion | None:
        if not self.issued:
            return None
        started = self.printing != NOT_STARTED
        if self.counter or self.free:
            # Nothing paid at the kiosk (paid at the counter, or a free certificate): printing
            # starts at once and its outcome is the report's.
            if self.printed == self.copies:
                outcome = fx.Completion.PRINTED
            elif started:
                outcome = fx.Completion.FAILED
            else:
                outcome = fx.Completion.CANCELLED
            fault = self._fault(outcome)
            return fx.ReportCompletion(
                txn,
                outcome,
                self.printed,
                PaymentMode.COUNTER if self.counter else PaymentMode.ACCEPTOR,
                0,
                0,
                0,
                print_fault=fault,
                interrupted=outcome is fx.Completion.FAILED and fault is None,
            )
        if not self.paid:
            return fx.ReportCompletion(
                txn, fx.Completion.CANCELLED, 0, PaymentMode.ACCEPTOR, 0, 0, 0
            )
        outcome = fx.Completion.PRINTED if self.printed == self.copies else fx.Completion.FAILED
        unprinted = self.fee * (self.copies - self.printed)
        fault = self._fault(outcome)
        return fx.ReportCompletion(
            txn_id=txn,
            outcome=outcome,
            copies_printed=self.printed,
            payment=PaymentMode.ACCEPTOR,
            amount_paid_yen=self.due,  # the fee, not what was received
            amount_refunded_yen=self.fees_refunded,
            refund_pending_yen=unprinted - self.fees_refunded,
            print_fault=fault,
            interrupted=outcome is fx.Completion.FAILED and fault is None,
        )

    def _fault(self, outcome: fx.Completion) -> PrinterFault | None:
        failed_print = isinstance(self.printing, int) and self.printing < self.copies
        return PrinterFault.JAM if outcome is fx.Completion.FAILED and failed_print else None


def piece_ref(txn: str, number: int) -> str:
    """The cash unit's name for a piece it took in (unique in the journal, as a driver's are)."""
    return f"{txn}/in/{number}"


def payout(txn: str, intent: ChangeIntent | RefundIntent, how: str) -> list[JournalRecord]:
    """A payout's records: its intent, and the outcome the acceptor gave before the crash."""
    asked = intent.yen
    if how == UNANSWERED:
        return [intent]
    paid = asked if how == FULL else asked - SHORT
    outcome: JournalRecord
    if isinstance(intent, ChangeIntent):
        outcome = ChangeOutcome(txn, asked, paid)
        code = OwedCode.CHANGE_SHORT
    else:
        outcome = RefundOutcome(txn, asked, paid)
        code = OwedCode.REFUND_SHORT
    short = [StaffOwed(txn, SHORT, code)] if how == SHORT_PAID else []
    return [intent, outcome, *short]


def every_case() -> list[Case]:
    cases: list[Case] = []
    for copies in (1, 3):
        due = FEE * copies
        cases.append(Case(copies, issued=False))
        cases.append(Case(copies, asked=False))  # the data arrived, the power went at once
        # A free certificate (an acceptor kiosk): printing starts with no payment.
        for printing in (NOT_STARTED, IN_DOUBT, *range(copies + 1)):
            cases.append(Case(copies, fee=0, printing=printing))
        # Counter payment (city hall): no money at the kiosk.
        for printing in (NOT_STARTED, IN_DOUBT, *range(copies + 1)):
            cases.append(Case(copies, counter=True, printing=printing))
        # Not paid in full: nothing inserted, or part of the fee, refunded or not.
        cases.append(Case(copies))
        for refund in (NONE, FULL, SHORT_PAID, UNANSWERED):
            cases.append(Case(copies, inserted=(100, 100), refund=refund))
        # Paid in full: exactly, or with change given, short or unanswered.
        exact = (100,) * (due // 100)
        over = (500,) if due < 500 else (1000,)
        payments = [(exact, NONE)] + [(over, c) for c in (FULL, SHORT_PAID, UNANSWERED)]
        printings = (NOT_STARTED, IN_DOUBT, *range(copies + 1))
        for (inserted, change), printing, stray in product(payments, printings, (False, True)):
            if stray and printing == NOT_STARTED:
                continue  # the coin drops while printing
            partial = isinstance(printing, int) and printing < copies
            for refund in (NONE, FULL, SHORT_PAID, UNANSWERED) if partial else (NONE,):
                cases.append(
                    Case(
                        copies,
                        inserted=inserted,
                        change=change,
                        printing=printing,
                        refund=refund,
                        stray=stray,
                    )
                )
        # A cash unit with its own ledger: what it knows of a payout left unanswered (the
        # hoppers paid it in full or short) and of a piece the journal never got.
        unanswered = [c for c in cases if c.copies == copies and UNANSWERED in (c.change, c.refund)]
        for case, hoppers in product(unanswered, (FULL, SHORT_PAID)):
            cases.append(replace(case, hoppers=hoppers))
        cases.append(Case(copies, inserted=(100, 100), lost_credit=True))  # part of the fee
        cases.append(Case(copies, inserted=exact, lost_credit=True))  # the last piece of it
    return cases


CASES = every_case()


TRANSACTION_END = {"event": "transaction-end", "outcome": "recovered"}


def audit_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    """The audit log's lines (JSON), without the kiosk id every line carries."""
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "kiosk.audit"]
    for line in lines:
        assert line.pop("kiosk") == "kiosk-0001"
    return lines


def written_rows(
    tmp_path: Path, txn: str, before: list[JournalRecord], records: list[JournalRecord]
) -> list[tuple[object, ...]]:
    """The rows ``records`` add after ``before`` in a journal of their own."""
    path = tmp_path / "expected.sqlite"
    with Journal(path, clock=lambda: OPENED_AT) as journal:
        for record in before:
            journal.write(record)
        count = len(journal_rows(path, txn))
        for record in records:
            journal.write(record)
    return journal_rows(path, txn)[count:]


def journal_rows(path: Path, txn: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute(
            "SELECT step, phase, requested_yen, actual_yen, count, code FROM steps"
            " WHERE txn_id = ? ORDER BY seq",
            (txn,),
        ).fetchall()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_recovery_settles_every_case(
    case: Case,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.audit")
    path = tmp_path / "journal.sqlite"
    txn = "t1"
    with Journal(path, clock=lambda: OPENED_AT) as journal:
        for record in case.records(txn):
            journal.write(record)
        before = journal_rows(path, txn)
        cash = case.cash(txn)
        if cash is not None:  # the kiosk's start with a cash unit (kiosk.app.wiring)
            assert reconcile_cash(journal, cash, "kiosk-0001") == [
                *(c.ref for c in cash.credits),
                *(p.ref for p in cash.payouts),
            ]
            reconciled = journal_rows(path, txn)[len(before) :]
            assert reconciled == written_rows(
                tmp_path, txn, case.records(txn), case.reconciled(txn)
            )
            before += reconciled
        [*owed] = recover_open_transactions(journal, "kiosk-0001", payment=case.mode)
        # Staff pay against the journal and the audit log: the same debt in both.
        expected_audit = case.reconciled_audit(txn)
        if case.owed_by_recovery:
            expected_audit.append(
                {
                    "event": "staff-owed",
                    "outcome": "recovered",
                    "txn_id": txn,
                    "yen": case.owed_by_recovery,
                    "staff_code": "K-910",
                }
            )

        # What the recovery wrote: the money still owed, then the report's intent.
        expected_rows: list[tuple[object, ...]] = []
        if case.owed_by_recovery:
            expected_rows.append(("staff", "outcome", 0, case.owed_by_recovery, 0, "K-910"))
        report = case.expected_report(txn)
        if report is not None:
            expected_rows.append(("report", "intent", 0, 0, report.copies_printed, report.outcome))
        assert journal_rows(path, txn)[len(before) :] == expected_rows

        summary = journal.summary(txn)
        assert summary.unsettled_yen == 0
        assert summary.staff_owed_yen == case.owed_before + case.owed_by_recovery
        reason = CloseReason.STAFF if summary.staff_owed_yen else CloseReason.RECOVERED

        # What it reports to the center, and that the center's own check accepts it.
        if report is None:
            assert owed == []
            assert summary.closed is reason
            expected_audit.append(TRANSACTION_END | {"txn_id": txn})
        else:
            [recovered] = owed
            assert recovered.report == report
            assert (recovered.issuance.copies, recovered.issuance.fee_per_copy_yen) == (
                case.copies,
                case.fee,
            )
            body = completion_report(recovered.report, REPORTED_AT)
            assert wire.CompletionReport.from_wire(wire.loads(wire.dumps(body.to_wire()))) == body
            assert body.problem(case.copies, case.fee) is None
            assert summary.closed is None  # until the center acknowledges
            finish_recovered(journal, recovered, False, "kiosk-0001")  # the center is away
            assert journal.summary(txn).closed is None
            [again] = recover_open_transactions(journal, "kiosk-0001", payment=case.mode)
            assert again.report == report  # the next start sends it again, owing nothing twice
            finish_recovered(journal, again, True, "kiosk-0001")
            assert journal.summary(txn).closed is reason
            assert journal.summary(txn).staff_owed_yen == summary.staff_owed_yen
            report_audit = {"event": "report-complete", "txn_id": txn}
            expected_audit += [
                report_audit | {"outcome": "failed"},
                report_audit | {"outcome": "success"},
                TRANSACTION_END | {"txn_id": txn},
            ]
        assert recover_open_transactions(journal, "kiosk-0001", payment=case.mode) == []  # once
    assert audit_lines(caplog) == expected_audit

    # The staff's day report: the row and the totals add up to the yen.
    assert journal_report([str(path), "day", DAY.isoformat(), "--json"]) == 0
    day = json.loads(capsys.readouterr().out)
    [row] = day["transactions"]
    assert row["received_yen"] == case.received
    assert row["kept_yen"] == case.kept
    assert row["change_yen"] == case.change_given
    assert row["refunded_yen"] == case.refunded
    assert row["staff_owed_yen"] == case.owed_before + case.owed_by_recovery
    assert row["unsettled_yen"] == 0
    assert row["printed"] == case.printed
    assert row["state"] == reason.value
    totals = day["totals"]
    assert totals["received_yen"] == sum(
        totals[k] for k in ("kept_yen", "change_yen", "refunded_yen", "staff_owed_yen")
    )


# Cases worked out by hand: the table's model above must agree with plain arithmetic.
@pytest.mark.parametrize(
    ("case", "owed", "reported"),
    [
        # 1 copy, a 500-yen coin, 200 change given, the power went while printing: the fee
        # is owed back (the copy counts as not printed), the center is told 300 paid — not 500.
        (Case(1, inserted=(500,), change=FULL, printing=IN_DOUBT), 300, (300, 0, 300)),
        # The same with the change never answered: the 200 is owed too, the report unchanged.
        (Case(1, inserted=(500,), change=UNANSWERED, printing=IN_DOUBT), 500, (300, 0, 300)),
        # 3 copies for 1000: 100 change, 1 printed, the 600 refund came up 100 short (the flow
        # wrote that debt), a stray 10 refunded beside it: nothing more is owed; of the fees,
        # 500 went back and 100 is pending — the stray coin is no fee.
        (
            Case(3, inserted=(1000,), change=FULL, printing=1, refund=SHORT_PAID, stray=True),
            0,
            (900, 500, 100),
        ),
        # The same with the refund never answered: 600 owed, all of it pending at the center.
        (
            Case(3, inserted=(1000,), change=FULL, printing=1, refund=UNANSWERED, stray=True),
            600,
            (900, 0, 600),
        ),
        # 200 of 300 inserted, the refund of it unanswered: 200 owed, nothing was a fee.
        (Case(1, inserted=(100, 100), refund=UNANSWERED), 200, (0, 0, 0)),
        # Every copy printed, change short by 100 (the flow's debt): nothing more.
        (Case(3, inserted=(1000,), change=SHORT_PAID, printing=3), 0, (900, 0, 0)),
    ],
    ids=[
        "doubt",
        "doubt-change-unanswered",
        "short-fee-refund-stray",
        "no-refund-answer",
        "unfinished",
        "printed-change-short",
    ],
)
def test_worked_cases(
    case: Case, owed: int, reported: tuple[int, int, int], tmp_path: Path
) -> None:
    assert case.owed_by_recovery == owed
    with Journal(tmp_path / "journal.sqlite", clock=lambda: OPENED_AT) as journal:
        for record in case.records("t1"):
            journal.write(record)
        [recovered] = recover_open_transactions(journal, "kiosk-0001")
        assert journal.summary("t1").staff_owed_yen - case.owed_before == owed
    report = recovered.report
    assert (report.amount_paid_yen, report.amount_refunded_yen, report.refund_pending_yen) == (
        reported
    )


def test_the_day_report_over_the_whole_table(tmp_path: Path) -> None:
    """Every case in one journal, recovered in one start, read by the staff's command as a
    separate process: the totals are the sums of the cases."""
    path = tmp_path / "journal.sqlite"
    with Journal(path, clock=lambda: OPENED_AT) as journal:
        for mode in PaymentMode:  # a counter kiosk's journal, then an acceptor kiosk's
            cases = [(n, c) for n, c in enumerate(CASES) if c.mode is mode]
            for number, case in cases:
                for record in case.records(f"t{number}"):
                    journal.write(record)
                cash = case.cash(f"t{number}")
                if cash is not None:  # as the kiosk's start would, before the recovery
                    reconcile_cash(journal, cash, "kiosk-0001")
            for recovered in recover_open_transactions(journal, "kiosk-0001", payment=mode):
                finish_recovered(journal, recovered, True, "kiosk-0001")
            assert journal.open_transactions() == []
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.journal", str(path), "day", DAY.isoformat(), "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    totals = json.loads(result.stdout)["totals"]
    assert totals == {
        "transactions": len(CASES),
        "copies_printed": sum(c.printed for c in CASES),
        "received_yen": sum(c.received for c in CASES),
        "kept_yen": sum(c.kept for c in CASES),
        "change_yen": sum(c.change_given for c in CASES),
        "refunded_yen": sum(c.refunded for c in CASES),
        "staff_owed_yen": sum(c.owed_before + c.owed_by_recovery for c in CASES),
        "unsettled_yen": 0,
    }


def test_a_journal_that_paid_out_more_than_it_took_stops_the_start(tmp_path: Path) -> None:
    """The recovery will not settle on top of a journal it cannot trust: the kiosk does not
    start, and the transaction is left as it was for staff."""
    with Journal(tmp_path / "journal.sqlite", clock=lambda: OPENED_AT) as journal:
        for record in (
            TransactionOpened("t1", "issue", "inkan", 1, FEE),
            PaymentIntent("t1", FEE),
            MoneyIn("t1", FEE),
            RefundIntent("t1", FEE, RefundCause.CANCELLED),
            RefundOutcome("t1", FEE, FEE + 50),  # the acceptor paid 50 too many
        ):
            journal.write(record)
        with pytest.raises(JournalError, match="t1 pays out more than it took"):
            recover_open_transactions(journal, "kiosk-0001")
        assert journal.summary("t1").staff_owed_yen == 0
        assert journal.summary("t1").closed is None


def test_a_transaction_held_back_does_not_stop_the_others(tmp_path: Path) -> None:
    """A print CUPS may still hold is settled later (print_recovery): the transactions after it
    are recovered now all the same."""
    with Journal(tmp_path / "journal.sqlite", clock=lambda: OPENED_AT) as journal:
        for txn in ("held", "next"):
            for record in Case(1, inserted=(100,), refund=UNANSWERED).records(txn):
                journal.write(record)
        [recovered] = recover_open_transactions(journal, "kiosk-0001", hold={"held"})
        assert recovered.txn_id == "next"
        assert journal.summary("held").staff_owed_yen == 0
        assert journal.summary("next").staff_owed_yen == 100


def test_a_print_short_of_copies_with_no_fault_recorded_still_started(tmp_path: Path) -> None:
    """A print outcome row with fewer copies and no fault (an older kiosk wrote no fault code):
    printing started, so a counter kiosk reports it failed with the copy that came out, the
    restart as the reason — not cancelled with none."""
    with Journal(tmp_path / "journal.sqlite", clock=lambda: OPENED_AT) as journal:
        for record in (
            TransactionOpened("t1", "issue", "juminhyo", 3, FEE),
            IssuanceReceived("t1", "ISS-1"),
            PrintIntent("t1", 3, "d1g3st"),
            PrintOutcome("t1", 1, None),
        ):
            journal.write(record)
        [recovered] = recover_open_transactions(journal, "kiosk-0001", payment=PaymentMode.COUNTER)
    assert recovered.report == fx.ReportCompletion(
        "t1", fx.Completion.FAILED, 1, PaymentMode.COUNTER, 0, 0, 0, interrupted=True
    )


def test_a_fault_after_every_copy_came_out_is_not_reported(tmp_path: Path) -> None:
    """Every copy printed, then the printer faulted (a row that names both): the certificate
    was printed; the fault is no part of the report, as in the flow."""
    with Journal(tmp_path / "journal.sqlite", clock=lambda: OPENED_AT) as journal:
        for record in (
            TransactionOpened("t1", "issue", "juminhyo", 3, FEE),
            IssuanceReceived("t1", "ISS-1"),
            PaymentIntent("t1", 3 * FEE),
            MoneyIn("t1", 1000),
            PaymentOutcome("t1", 1000),
            ChangeIntent("t1", 100),
            ChangeOutcome("t1", 100, 100),
            PrintIntent("t1", 3, "d1g3st"),
            PrintOutcome("t1", 3, PrinterFault.JAM),
        ):
            journal.write(record)
        [recovered] = recover_open_transactions(journal, "kiosk-0001")
    assert recovered.report == fx.ReportCompletion(
        "t1", fx.Completion.PRINTED, 3, PaymentMode.ACCEPTOR, 3 * FEE, 0, 0
    )
