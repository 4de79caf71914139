"""What staff do, in the journal: owed entries closed by paid-back records (never deleted), cash
counts with the unit's own count beside them, the steps of closing a day, the service state —
all in a real SQLite file, refused when they make no sense."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kiosk.journal import (
    PAID_BY_KIOSK,
    CashCounted,
    CashCountKind,
    ClosingRecorded,
    ClosingStep,
    IssuanceReceived,
    Journal,
    JournalError,
    OwedPaidBack,
    OwedPaidLate,
    ServiceChanged,
    StaffOwed,
    TransactionClosed,
    TransactionOpened,
)
from kiosk.journal._operations_store import BUSINESS_DAY
from kiosk.journal.records import CloseReason
from kiosk.problems import OwedCode, ServiceStop

DAY = date(2026, 12, 8)


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    journal = Journal(tmp_path / "journal.sqlite")
    journal.write(TransactionOpened("t1", "issue", "juminhyo", 2, 300))
    journal.write(IssuanceReceived("t1", "iss-1", 2, business_date=DAY))
    journal.write(StaffOwed("t1", 300, OwedCode.REFUND_SHORT))
    journal.write(StaffOwed("t1", 40, OwedCode.CHANGE_SHORT))
    journal.write(TransactionClosed("t1", CloseReason.STAFF))
    return journal


def test_paid_back_closes_the_entry_and_keeps_it(journal: Journal) -> None:
    refund, change = journal.owed_entries()
    assert (refund.yen, refund.code, refund.txn_id) == (300, OwedCode.REFUND_SHORT, "t1")
    assert (change.yen, change.code) == (40, OwedCode.CHANGE_SHORT)
    journal.write(OwedPaidBack(refund.entry, "S001", 300))  # the transaction is closed: fine
    assert [e.entry for e in journal.owed_entries()] == [change.entry]
    every = journal.owed_entries(open_only=False)
    assert len(every) == 2
    assert every[0].paid_by == "S001"
    assert every[0].paid_yen == 300
    assert every[0].paid_at is not None
    assert every[1].open


def test_a_payout_paid_late_closes_its_own_entry_as_paid_by_the_kiosk(tmp_path: Path) -> None:
    """The refund watchdog's entries (one per payout given up), then the acceptor answers the
    700 in full after all: that entry closes, paid by the kiosk; the 300 stays for staff. A
    result no open entry matches (paid twice, another amount, another transaction) writes
    nothing and raises nothing — the flow must not stop for it."""
    journal = Journal(tmp_path / "journal.sqlite")
    journal.write(TransactionOpened("t1", "issue", "juminhyo", 1, 300))
    journal.write(StaffOwed("t1", 700, OwedCode.REFUND_NO_ANSWER))
    journal.write(StaffOwed("t1", 300, OwedCode.REFUND_NO_ANSWER))
    journal.write(StaffOwed("t1", 700, OwedCode.CHANGE_SHORT))  # same amount, another cause
    journal.write(TransactionClosed("t1", CloseReason.STAFF))
    change, refund, short = journal.owed_entries()
    journal.write(OwedPaidLate("t1", 700))  # the transaction is closed: fine
    assert [e.entry for e in journal.owed_entries()] == [refund.entry, short.entry]
    closed = journal.owed_entries(open_only=False)[0]
    assert (closed.entry, closed.paid_by, closed.paid_yen) == (change.entry, PAID_BY_KIOSK, 700)
    assert closed.paid_at is not None
    for stray in (OwedPaidLate("t1", 700), OwedPaidLate("t1", 50), OwedPaidLate("t9", 300)):
        journal.write(stray)
    assert [e.entry for e in journal.owed_entries()] == [refund.entry, short.entry]
    # Staff cannot record paying back what the kiosk paid.
    with pytest.raises(JournalError, match="already paid back"):
        journal.write(OwedPaidBack(change.entry, "S001", 700))


def test_paid_back_refuses_nonsense(journal: Journal) -> None:
    entry = journal.owed_entries()[0]
    with pytest.raises(JournalError, match="not 100"):
        journal.write(OwedPaidBack(entry.entry, "S001", 100))  # not the amount owed
    with pytest.raises(JournalError, match="no owed entry"):
        journal.write(OwedPaidBack(9999, "S001", 300))
    with pytest.raises(JournalError, match="staff id"):
        journal.write(OwedPaidBack(entry.entry, "", 300))
    journal.write(OwedPaidBack(entry.entry, "S001", 300))
    with pytest.raises(JournalError, match="already paid back"):
        journal.write(OwedPaidBack(entry.entry, "S002", 300))  # never twice
    assert journal.owed_entries(open_only=False)[0].paid_by == "S001"


def test_a_count_keeps_both_figures(journal: Journal) -> None:
    journal.write(CashCounted("c1", CashCountKind.REFILL, "S001", 100, 50, 48))
    journal.write(CashCounted("c1", CashCountKind.REFILL, "S001", 10, 100, None))
    counts = journal.cash_counts()
    assert [(c.denomination, c.counted, c.unit_count, c.difference) for c in counts] == [
        (100, 50, 48, 2),
        (10, 100, None, None),
    ]
    with pytest.raises(JournalError, match="already"):
        journal.write(CashCounted("c1", CashCountKind.REFILL, "S001", 100, 49, 48))
    with pytest.raises(JournalError):
        journal.write(CashCounted("c2", CashCountKind.COLLECTION, "S001", 100, -1, 0))


def test_closing_steps_and_service_state(journal: Journal) -> None:
    assert not journal.closing(DAY).steps
    journal.write(ClosingRecorded(DAY, ClosingStep.STARTED, "S001"))
    journal.write(ClosingRecorded(DAY, ClosingStep.CENTER, "S001", "issuances=1"))
    state = journal.closing(DAY)
    assert state.interrupted
    assert state.done(ClosingStep.CENTER)
    assert not state.done(ClosingStep.RECONCILED)
    assert journal.closed_days() == []
    journal.write(ClosingRecorded(DAY, ClosingStep.DONE, "S001"))
    assert journal.closing(DAY).finished
    assert journal.closed_days() == [DAY]
    assert journal.service() is None
    journal.write(ServiceChanged("S001", ServiceStop.PRINTER))
    assert journal.service() == ServiceChanged("S001", ServiceStop.PRINTER)
    journal.write(ServiceChanged("S002", None))
    assert journal.service() == ServiceChanged("S002", None)


def test_the_business_day_of_a_transaction(journal: Journal) -> None:
    assert journal.summary("t1").business_date == DAY
    assert [s.txn_id for s in journal.transactions_of_day(DAY)] == ["t1"]
    journal.write(TransactionOpened("t2", "issue", "juminhyo", 1, 300))  # no issuance yet
    today = journal.summary("t2").business_day  # the JST date it was opened on
    assert "t2" in [s.txn_id for s in journal.transactions_of_day(today)]


@pytest.mark.parametrize(
    ("query", "index"),
    [
        # Every journal write of the resident flow checks its transaction's pending steps: by
        # transaction, never by a scan of all steps of that kind (an index on (step, ...) made
        # SQLite pick it and each write slower as the journal grew).
        ("SELECT COUNT(*) FROM steps WHERE txn_id = ? AND step = ?", "steps_by_txn"),
        # Closing a day reads that day's transactions only.
        (f"SELECT txn_id FROM transactions WHERE {BUSINESS_DAY} = ?", "transactions_by_day"),  # noqa: S608
    ],
)
def test_queries_use_their_index(journal: Journal, query: str, index: str) -> None:
    for n in range(20):  # a few rows, so that the planner has something to weigh
        journal.write(TransactionOpened(f"x{n}", "issue", "juminhyo", 1, 300))
        journal.write(IssuanceReceived(f"x{n}", f"iss-x{n}", 2, business_date=DAY))
    args = ("x1", "issuance")[: query.count("?")]
    plan = journal._db.execute("EXPLAIN QUERY PLAN " + query, args)
    assert index in " ".join(str(row[-1]) for row in plan.fetchall())
