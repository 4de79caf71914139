"""Exactly once between a fee acceptor's own ledger and the journal (one layer at a time; the
whole path with SIGKILL is tests/kiosk/payment/test_cash_kill.py):

- the runner names each payout after its journal intent, hands the name to the acceptor, and
  confirms a credit or payout result only once the step's journal writes are durable (never
  after a failed write);
- the start-up reconciliation (kiosk.runtime.cash_recovery) writes what the acceptor knows and
  the journal lacks — once — and the usual recovery then owes the rest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kiosk.flow import effects as fx
from kiosk.flow import state as st
from kiosk.journal import (
    ChangeIntent,
    ChangeOutcome,
    CloseReason,
    Journal,
    MoneyIn,
    PaymentIntent,
    RefundIntent,
    TransactionOpened,
)
from kiosk.journal.records import RefundCause, Step
from kiosk.payment import (
    CashRecovery,
    ChangeDispensed,
    Denomination,
    MoneyInserted,
    RecoveredCredit,
    RecoveredPayout,
)
from kiosk.problems import Problem
from kiosk.runtime import Runner, recover_open_transactions
from kiosk.runtime.cash_recovery import reconcile_cash
from kiosk.runtime.runner import payout_ref
from tests.kiosk.test_runner import make_runner

KIOSK = "kiosk-0001"


class LedgerPayment:
    """The payment service as the runner sees it, recording refs and confirmations."""

    def __init__(self) -> None:
        self.executed: list[tuple[str, str]] = []
        self.confirmed: list[str] = []

    def start(self, post: Any) -> None:
        pass

    def stop(self) -> None:
        pass

    def execute(self, effect: Any, ref: str = "") -> None:
        self.executed.append((type(effect).__name__, ref))

    def confirm(self, ref: str) -> None:
        self.confirmed.append(ref)


def open_payment(journal: Journal, txn: str = "t-1", due: int = 300) -> None:
    journal.write(TransactionOpened(txn, "issue", "juminhyo", 1, due))
    journal.write(PaymentIntent(txn, due))


@pytest.fixture
def runner(tmp_path: Path) -> tuple[Runner, LedgerPayment, Journal]:
    journal = Journal(tmp_path / "journal.sqlite3")
    runner = make_runner([], journal)
    payment = LedgerPayment()
    runner.services.payment = payment  # type: ignore[assignment]
    runner.start(lambda event: None)
    yield runner, payment, journal
    runner.stop()


def test_payouts_are_named_after_their_journal_intent(runner: Any) -> None:
    run, payment, journal = runner
    open_payment(journal)
    journal.write(MoneyIn("t-1", 1000))
    for _ in range(2):
        run.submit((fx.JournalWrite(RefundIntent("t-1", 100, RefundCause.STRAY)), fx.Refund(100)))
    run.submit((fx.JournalWrite(ChangeIntent("t-1", 700)), fx.DispenseChange(700)))
    run.submit((fx.Refund(50),))  # not journaled: no name
    assert run.wait_idle(5)
    assert payment.executed == [
        ("Refund", "t-1/refund/1"),
        ("Refund", "t-1/refund/2"),
        ("DispenseChange", "t-1/change/1"),
        ("Refund", ""),
    ]
    pending = {(p.step, p.ordinal) for p in journal.summary("t-1").pending}
    assert pending == {(Step.PAYMENT, 1), (Step.REFUND, 1), (Step.REFUND, 2), (Step.CHANGE, 1)}


def test_a_credit_is_confirmed_after_its_journal_write_and_never_after_a_failed_one(
    runner: Any,
) -> None:
    run, payment, journal = runner
    open_payment(journal)
    run.submit((fx.JournalWrite(MoneyIn("t-1", 100, "coin-1")),), confirm="coin-1")
    run.submit((fx.JournalWrite(MoneyIn("unknown", 100, "coin-2")),), confirm="coin-2")
    assert run.wait_idle(5)
    assert payment.confirmed == ["coin-1"]
    assert journal.has_outcome_code(Step.MONEY_IN, "coin-1")
    assert not journal.has_outcome_code(Step.MONEY_IN, "coin-2")


def test_events_nobody_waits_for_are_confirmed_once_their_step_ran(runner: Any) -> None:
    run, payment, _ = runner
    run.dispatch(MoneyInserted(Denomination.Y100, ref="coin-9"))  # stray, no transaction
    run.dispatch(ChangeDispensed(200, 200, ref="x/change/1"))  # a result nobody waits for
    assert run.wait_idle(5)
    assert payment.confirmed == ["coin-9", "x/change/1"]
    assert isinstance(run.state.screen, st.Start)


def test_credits_the_journal_lacks_are_written_once_to_the_paying_transaction(
    tmp_path: Path,
) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    open_payment(journal, "t-1")
    journal.write(MoneyIn("t-1", 100, "coin-1"))  # journaled before the kill
    cash = CashRecovery(credits=(RecoveredCredit("coin-1", 100), RecoveredCredit("bill-2", 1000)))
    assert reconcile_cash(journal, cash, KIOSK) == ["coin-1", "bill-2"]
    assert journal.summary("t-1").received_yen == 1100
    assert reconcile_cash(journal, cash, KIOSK) == ["coin-1", "bill-2"]  # again: no change
    assert journal.summary("t-1").received_yen == 1100
    recover_open_transactions(journal, KIOSK)
    summary = journal.summary("t-1")
    assert summary.closed is CloseReason.STAFF
    assert summary.staff_owed_yen == 1100  # no resident any more: staff give it back


def test_a_payout_the_hoppers_settled_is_journaled_with_what_left(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    open_payment(journal, "t-1", 300)
    journal.write(MoneyIn("t-1", 1000, "bill-1"))
    journal.write(RefundIntent("t-1", 1000, Problem.ACCEPTOR_JAMMED))
    ref = payout_ref("t-1", Step.REFUND, 1)
    cash = CashRecovery(payouts=(RecoveredPayout(ref, "refund", 1000, 600),))
    assert reconcile_cash(journal, cash, KIOSK) == [ref]
    summary = journal.summary("t-1")
    assert summary.refunded_yen == 600
    assert [p.step for p in summary.pending] == [Step.PAYMENT]  # the refund has its outcome
    recover_open_transactions(journal, KIOSK)
    assert journal.summary("t-1").staff_owed_yen == 400  # only what did not leave the hopper


def test_a_payout_journaled_before_the_kill_is_not_written_twice(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    open_payment(journal, "t-1", 300)
    journal.write(MoneyIn("t-1", 1000))
    journal.write(ChangeIntent("t-1", 700))
    journal.write(ChangeOutcome("t-1", 700, 700))
    ref = payout_ref("t-1", Step.CHANGE, 1)
    cash = CashRecovery(payouts=(RecoveredPayout(ref, "change", 700, 700),))
    assert reconcile_cash(journal, cash, KIOSK) == [ref]
    assert journal.summary("t-1").change_dispensed_yen == 700


def test_a_payout_the_hoppers_cannot_tell_stays_open_and_owed(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    open_payment(journal, "t-1", 300)
    journal.write(MoneyIn("t-1", 1000))
    journal.write(ChangeIntent("t-1", 700))
    ref = payout_ref("t-1", Step.CHANGE, 1)
    assert reconcile_cash(journal, CashRecovery(unknown_payouts=(ref,)), KIOSK) == []
    recover_open_transactions(journal, KIOSK)
    summary = journal.summary("t-1")
    assert summary.staff_owed_yen == 1000  # the fee was not kept (nothing printed), change unknown
    assert Step.CHANGE in [p.step for p in summary.pending]  # staff check the hopper


def test_a_credit_with_no_transaction_is_audited_for_staff(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    with caplog.at_level("INFO", logger="kiosk.audit"):
        assert reconcile_cash(journal, CashRecovery(credits=(RecoveredCredit("c-1", 500),)),
                              KIOSK) == ["c-1"]  # fmt: skip
    lines = [r.getMessage() for r in caplog.records if r.name == "kiosk.audit"]
    assert any("unattributed" in line and "K-910" in line and "500" in line for line in lines)
