"""The journal on real SQLite files: durability settings, replay, crashes between steps."""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys
import textwrap
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.journal import (
    ChangeIntent,
    ChangeOutcome,
    CloseReason,
    IssuanceReceived,
    Journal,
    JournalError,
    MoneyIn,
    PaymentIntent,
    PaymentOutcome,
    PendingStep,
    PrintIntent,
    PrintOutcome,
    RefundCause,
    RefundIntent,
    RefundOutcome,
    ReportIntent,
    ReportOutcome,
    StaffOwed,
    Step,
    TransactionClosed,
    TransactionOpened,
    serial_digest,
)
from kiosk.problems import OwedCode, Problem
from printing.faults import PrinterFault

REPO = Path(__file__).resolve().parents[3]


def opened(txn: str = "t1", copies: int = 2, fee: int = 300) -> TransactionOpened:
    return TransactionOpened(txn, "issue", "juminhyo", copies, fee)


def test_the_database_is_durable(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as journal:
        assert journal._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        # 2 = FULL (https://www.sqlite.org/pragma.html#pragma_synchronous)
        assert journal._db.execute("PRAGMA synchronous").fetchone()[0] == 2


def test_a_completed_transaction_replays(tmp_path: Path) -> None:
    clock = iter(datetime(2026, 1, 5, 9, 0, s, tzinfo=UTC) for s in range(60))
    with Journal(tmp_path / "j.sqlite", clock=lambda: next(clock)) as journal:
        for record in (
            opened(),
            IssuanceReceived("t1", "ISS-2026-0001"),
            PaymentIntent("t1", 600),
            MoneyIn("t1", 500),
            MoneyIn("t1", 1000),
            PaymentOutcome("t1", 1500),
            ChangeIntent("t1", 900),
            ChangeOutcome("t1", 900, 900),
            PrintIntent("t1", 2, serial_digest("JU-0001", b"k" * 16)),
            PrintOutcome("t1", 2, None),
            ReportIntent("t1", "printed", 2),
            ReportOutcome("t1", True),
        ):
            journal.write(record)
        summary = journal.summary("t1")
        assert summary.opened_at == datetime(2026, 1, 5, 9, 0, 0, tzinfo=UTC)
        assert (summary.received_yen, summary.change_dispensed_yen) == (1500, 900)
        assert summary.paid_in_full
        assert summary.copies_printed == 2
        assert summary.kept_yen == 600
        assert summary.unsettled_yen == 0
        assert summary.issuance_id == "ISS-2026-0001"
        assert summary.report == "printed"
        assert summary.pending == ()
        assert [t.txn_id for t in journal.open_transactions()] == ["t1"]
        journal.write(TransactionClosed("t1", CloseReason.COMPLETED))
        assert journal.open_transactions() == []
        assert journal.summary("t1").closed is CloseReason.COMPLETED


def test_it_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "j.sqlite"
    with Journal(path) as journal:
        journal.write(opened())
        journal.write(PaymentIntent("t1", 600))
        journal.write(MoneyIn("t1", 100))
    with Journal(path) as journal:
        (summary,) = journal.open_transactions()
        assert summary.received_yen == 100
        assert not summary.paid_in_full
        assert summary.pending == (PendingStep(Step.PAYMENT, 600, 0, ""),)
        assert summary.unsettled_yen == 100


def test_failed_print_refund_and_staff_debt(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as journal:
        for record in (
            opened(copies=3, fee=200),
            PaymentIntent("t1", 600),
            MoneyIn("t1", 1000),
            PaymentOutcome("t1", 1000),
            ChangeIntent("t1", 400),
            ChangeOutcome("t1", 400, 300),
            StaffOwed("t1", 100, OwedCode.REFUND_SHORT),
            PrintIntent("t1", 3, ""),
            PrintOutcome("t1", 1, PrinterFault.OUT_OF_PAPER),
            RefundIntent("t1", 400, Problem.PRINTER_JAM),
            RefundOutcome("t1", 400, 400),
        ):
            journal.write(record)
        summary = journal.summary("t1")
        assert summary.copies_printed == 1
        assert summary.kept_yen == 200
        assert summary.staff_owed_yen == 100
        assert summary.refunded_yen == 400
        assert summary.unsettled_yen == 0


def test_nonsense_steps_are_refused(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as journal:
        with pytest.raises(JournalError, match="unknown transaction"):
            journal.write(PaymentIntent("nope", 100))
        journal.write(opened())
        with pytest.raises(JournalError, match="already opened"):
            journal.write(opened())
        with pytest.raises(JournalError, match="without an intent"):
            journal.write(RefundOutcome("t1", 100, 100))
        with pytest.raises(JournalError, match="negative"):
            journal.write(MoneyIn("t1", -5))
        with pytest.raises(JournalError, match="copies"):
            journal.write(TransactionOpened("t2", "issue", "inkan", 0, 300))
        journal.write(TransactionClosed("t1", CloseReason.CANCELLED))
        with pytest.raises(JournalError, match="closed"):
            journal.write(PaymentIntent("t1", 100))
        # a refused write leaves nothing behind
        assert journal.summary("t1").received_yen == 0


def test_a_file_that_is_not_a_journal_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "j.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(JournalError, match="cannot open"):
        Journal(bad)


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    Journal(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key IN ('schema_version', 'readable_by')")
    with pytest.raises(JournalError, match="schema version 99"):
        Journal(path)


def test_serial_digest_is_salted_and_short() -> None:
    salt = b"s" * 16
    digest = serial_digest("JU-2026-000123", salt)
    assert len(digest) == 16
    assert "000123" not in digest
    assert digest != serial_digest("JU-2026-000123", b"t" * 16)
    with pytest.raises(ValueError, match="salt"):
        serial_digest("x", b"short")


CRASH_AFTER_INTENT = textwrap.dedent(
    """
    import os, sys
    from kiosk.journal import *
    from printing.faults import PrinterFault
    journal = Journal(sys.argv[1])
    journal.write(TransactionOpened("t1", "issue", "juminhyo", 1, 300))
    journal.write(PaymentIntent("t1", 300))
    journal.write(MoneyIn("t1", 500))
    journal.write(PaymentOutcome("t1", 500))
    journal.write(ChangeIntent("t1", 200))
    journal.write(ChangeOutcome("t1", 200, 200))
    journal.write(PrintIntent("t1", 1, "abcd"))
    if sys.argv[2] == "refund":
        journal.write(PrintOutcome("t1", 0, PrinterFault.JAM))
        journal.write(RefundIntent("t1", 300, RefundCause.CANCELLED))
    # the process dies here, between an intent and its outcome: no close, no flush by Python
    os._exit(0)
    """
)


@pytest.mark.parametrize(
    ("stage", "pending"),
    [
        ("print", (PendingStep(Step.PRINT, 0, 1, "abcd"),)),
        ("refund", (PendingStep(Step.REFUND, 300, 0, "cancelled"),)),
    ],
)
def test_a_crash_between_intent_and_outcome_leaves_the_intent_pending(
    tmp_path: Path, stage: str, pending: tuple[PendingStep, ...]
) -> None:
    path = tmp_path / "j.sqlite"
    subprocess.run(
        [sys.executable, "-c", CRASH_AFTER_INTENT, str(path), stage], check=True, cwd=REPO
    )
    with Journal(path) as journal:
        (summary,) = journal.open_transactions()
        assert summary.pending == pending
        assert summary.received_yen == 500
        assert summary.change_dispensed_yen == 200
        assert summary.refunded_yen == 0
        assert summary.unsettled_yen == 300  # the fee: printed, or owed back — recovery decides
        # the recovery can finish the transaction after the restart
        if stage == "print":
            journal.write(PrintOutcome("t1", 0, PrinterFault.PRINTER_ERROR))
        journal.write(TransactionClosed("t1", CloseReason.RECOVERED))
        assert journal.open_transactions() == []


def test_writes_from_many_threads(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as journal:
        journal.write(opened())
        journal.write(PaymentIntent("t1", 100_000))

        def feed() -> None:
            for _ in range(25):
                journal.write(MoneyIn("t1", 10))

        threads = [threading.Thread(target=feed) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert journal.summary("t1").received_yen == 1000


def test_the_store_loads_on_first_use_and_only_its_names() -> None:
    import kiosk.journal as package

    assert package.Journal is Journal
    with pytest.raises(AttributeError, match=r"module 'kiosk\.journal' has no attribute 'Nope'"):
        _ = package.Nope  # type: ignore[attr-defined]


def test_a_short_salt_is_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match=r"^the salt must be at least 16 bytes$"):
        serial_digest("JU-1", b"x" * 15)


def test_the_digest_names_the_serial() -> None:
    salt = b"s" * 16
    assert serial_digest("JU-2026-000123", salt) != serial_digest("JU-2026-000124", salt)


def test_an_unknown_transaction_is_named(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as journal:
        with pytest.raises(JournalError, match=r"^unknown transaction nope$"):
            journal.summary("nope")
        journal.write(opened())
        assert journal.summary("t1").paid_in_full is False


@dataclass(frozen=True)
class Stranger:
    """Not a journal record, though it names a transaction."""

    txn_id: str


def test_each_record_is_one_exact_row(tmp_path: Path) -> None:
    """The rows on disk are the journal's format: older journals are read back from them
    (test_upgrade.py) and staff tools may read them; every column of every record is pinned."""
    path = tmp_path / "j.sqlite"
    with Journal(path) as journal:
        for record in (
            opened(copies=2, fee=300),
            IssuanceReceived("t1", "ISS-9", 4),
            PaymentIntent("t1", 600),
            MoneyIn("t1", 1000),
            PaymentOutcome("t1", 1000),
            ChangeIntent("t1", 400),
            ChangeOutcome("t1", 400, 350),
            StaffOwed("t1", 50, OwedCode.CHANGE_SHORT),
            PrintIntent("t1", 2, "d1g3st"),
            PrintOutcome("t1", 1, PrinterFault.JAM),
            RefundIntent("t1", 300, Problem.PRINTER_JAM),
            RefundOutcome("t1", 300, 300),
            ReportIntent("t1", "failed", 1),
            ReportOutcome("t1", True),
        ):
            journal.write(record)
        with pytest.raises(JournalError, match=r"^not a step record: Stranger$"):
            journal.write(Stranger("t1"))  # type: ignore[arg-type]
        summary = journal.summary("t1")
        assert (summary.issuance_id, summary.sides_per_copy, summary.report) == (
            "ISS-9",
            4,
            "failed",
        )
        assert summary.staff_owed_yen == 50
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT step, phase, requested_yen, actual_yen, count, code FROM steps ORDER BY seq"
        ).fetchall()
    assert rows == [
        ("issuance", "outcome", 0, 0, 4, "ISS-9"),
        ("payment", "intent", 600, 0, 0, ""),
        ("money_in", "outcome", 0, 1000, 0, ""),
        ("payment", "outcome", 0, 1000, 0, ""),
        ("change", "intent", 400, 0, 0, ""),
        ("change", "outcome", 400, 350, 0, ""),
        ("staff", "outcome", 0, 50, 0, "P-411"),
        ("print", "intent", 0, 0, 2, "d1g3st"),
        ("print", "outcome", 0, 0, 1, "jam"),
        ("refund", "intent", 300, 0, 0, "R-502"),
        ("refund", "outcome", 300, 300, 0, ""),
        ("report", "intent", 0, 0, 1, "failed"),
        ("report", "outcome", 0, 0, 1, ""),
    ]


def test_the_summary_adds_up_repeated_steps(tmp_path: Path) -> None:
    """Steps of one kind add up (a basket's several prints and payouts, refunds of stray coins
    beside the fee's); each field of the summary is replayed."""
    with Journal(tmp_path / "j.sqlite") as journal:
        for record in (
            opened(copies=3, fee=300),
            PaymentIntent("t1", 900),
            MoneyIn("t1", 500),
            MoneyIn("t1", 500),
            PaymentOutcome("t1", 1000),
            ChangeIntent("t1", 50),
            ChangeOutcome("t1", 50, 50),
            ChangeIntent("t1", 50),
            ChangeOutcome("t1", 50, 50),
            PrintIntent("t1", 2, "a"),
            PrintOutcome("t1", 2, None),
            MoneyIn("t1", 10),
            RefundIntent("t1", 10, RefundCause.STRAY),
            RefundOutcome("t1", 10, 10),
            MoneyIn("t1", 5),
            RefundIntent("t1", 5, RefundCause.STRAY),
            RefundOutcome("t1", 5, 5),
            PrintIntent("t1", 1, "b"),
            PrintOutcome("t1", 0, PrinterFault.JAM),
            ReportIntent("t1", "failed", 2),
        ):
            journal.write(record)
        summary = journal.summary("t1")
    assert (summary.service, summary.kind, summary.copies, summary.fee_per_copy_yen) == (
        "issue",
        "juminhyo",
        3,
        300,
    )
    assert (summary.amount_due_yen, summary.received_yen, summary.paid_in_full) == (900, 1015, True)
    assert (summary.change_dispensed_yen, summary.refunded_yen) == (100, 15)
    assert summary.stray_refunded_yen == 15
    assert (summary.copies_printed, summary.print_fault) == (2, PrinterFault.JAM)
    assert (summary.issuance_id, summary.report, summary.sides_per_copy) == (None, None, 0)
    assert summary.pending == (PendingStep(Step.REPORT, 0, 2, "failed"),)
    assert summary.closed is None


def test_intents_are_counted_per_transaction_and_step(tmp_path: Path) -> None:
    """``intent_count`` is the last intent's ordinal: the runner names a payout after it
    (kiosk.runtime.runner.payout_ref), so it must count one transaction's intents of one step,
    outcomes left out."""
    with Journal(tmp_path / "j.sqlite") as journal:
        journal.write(opened("t1"))
        journal.write(opened("t2"))
        assert journal.intent_count("t1", Step.CHANGE) == 0
        for yen in (100, 50):
            journal.write(ChangeIntent("t1", yen))
            journal.write(ChangeOutcome("t1", yen, yen))
        journal.write(ChangeIntent("t2", 10))
        journal.write(RefundIntent("t1", 300, RefundCause.CANCELLED))
        assert journal.intent_count("t1", Step.CHANGE) == 2
        assert journal.intent_count("t2", Step.CHANGE) == 1
        assert journal.intent_count("t1", Step.REFUND) == 1
        assert journal.intent_count("t1", Step.PRINT) == 0
        # the pending refund's ordinal in the replay is the same number
        (pending,) = journal.summary("t1").pending
        assert (pending.step, pending.ordinal) == (Step.REFUND, 1)


def test_an_outcome_code_is_found_in_any_transaction_and_only_in_outcomes(
    tmp_path: Path,
) -> None:
    """The cash reconciliation asks whether an acceptor's credit was journaled before a crash,
    by its name; a code that only an intent carries was not an outcome."""
    with Journal(tmp_path / "j.sqlite") as journal:
        journal.write(opened("t1"))
        journal.write(opened("t2"))
        journal.write(MoneyIn("t2", 100, "coin-7"))
        journal.write(PrintIntent("t1", 1, "d1g3st"))
        assert journal.has_outcome_code(Step.MONEY_IN, "coin-7")
        assert not journal.has_outcome_code(Step.MONEY_IN, "coin-8")
        assert not journal.has_outcome_code(Step.REFUND, "coin-7")
        assert not journal.has_outcome_code(Step.PRINT, "d1g3st")
        journal.write(PrintOutcome("t1", 0, PrinterFault.JAM))
        assert journal.has_outcome_code(Step.PRINT, "jam")


def test_without_a_clock_the_journal_stamps_utc(tmp_path: Path) -> None:
    """The kiosk's journal runs on the system clock: its stamps are aware (UTC), so the staff
    report's day (aware bounds) finds them."""
    before = datetime.now(UTC)
    with Journal(tmp_path / "j.sqlite") as journal:
        journal.write(opened())
        after = datetime.now(UTC)
        opened_at = journal.summary("t1").opened_at
        assert opened_at.utcoffset() == timedelta(0)
        assert before <= opened_at <= after
        found = journal.transactions_opened(before - timedelta(hours=1), after + timedelta(hours=1))
        assert [summary.txn_id for summary in found] == ["t1"]


def test_the_journal_makes_its_directories(tmp_path: Path) -> None:
    """On a kiosk's first boot the state directory may not exist yet, several levels deep."""
    path = tmp_path / "var" / "lib" / "kiosk" / "journal.sqlite"
    with Journal(path) as journal:
        journal.write(opened())
    assert path.is_file()


def test_a_write_waits_for_another_connection_s_lock(tmp_path: Path) -> None:
    """Another process on the file (a backup, the staff tool) can hold the write lock for a
    moment: a step waits for it, up to 10 s, rather than failing and taking the kiosk out of
    service."""
    path = tmp_path / "j.sqlite"
    with Journal(path) as journal:
        assert journal._db.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
        journal.write(opened())
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")
        release = threading.Timer(0.3, lambda: other.execute("COMMIT"))
        release.start()
        try:
            journal.write(PaymentIntent("t1", 600))
        finally:
            release.join()
            other.close()
        assert journal.summary("t1").amount_due_yen == 600


def test_a_journal_that_cannot_be_durable_is_refused(tmp_path: Path) -> None:
    """An in-memory database cannot keep a WAL: the kiosk must not run on it."""
    with pytest.raises(JournalError, match=r"^:memory:: WAL mode refused \(got memory\)$"):
        Journal(":memory:")


def test_a_write_after_close_is_refused_naming_the_record(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite")
    journal.write(opened())
    journal.close()
    with pytest.raises(JournalError, match=r"^cannot record PaymentIntent: .*closed database"):
        journal.write(PaymentIntent("t1", 600))


def test_each_step_is_traced_at_debug_level(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The debug trace has one line per journaled step, naming the record (records carry no
    personal data: amounts, codes and a salted digest)."""
    records = (opened(), PaymentIntent("t1", 600), MoneyIn("t1", 1000, "bill-1"))
    with (
        caplog.at_level(logging.DEBUG, logger="kiosk.journal.store"),
        Journal(tmp_path / "j.sqlite") as journal,
    ):
        for record in records:
            journal.write(record)
    assert [r.getMessage() for r in caplog.records if r.name == "kiosk.journal.store"] == [
        f"journal: {record}" for record in records
    ]


def test_a_refused_record_says_why_and_leaves_nothing(tmp_path: Path) -> None:
    """Every amount and count of a step is checked, with the reason in the error (not SQLite's
    constraint text), and a refused step writes nothing."""
    with Journal(tmp_path / "j.sqlite") as journal:
        reason = r"^a transaction needs copies > 0 and a fee >= 0$"
        with pytest.raises(JournalError, match=reason):
            journal.write(opened(copies=0))
        with pytest.raises(JournalError, match=reason):
            journal.write(opened(fee=-1))
        journal.write(opened())
        for record in (
            PaymentIntent("t1", -600),  # requested
            MoneyIn("t1", -100),  # actual
            PrintIntent("t1", -1, ""),  # count
        ):
            with pytest.raises(JournalError, match=r"^negative amount or count in "):
                journal.write(record)
        summary = journal.summary("t1")
        assert (summary.amount_due_yen, summary.received_yen, summary.pending) == (0, 0, ())


def test_a_print_with_every_copy_out_has_no_fault(tmp_path: Path) -> None:
    """A clean print outcome is stored with an empty code and reads back without a fault (a
    code there would read back as a printer error)."""
    path = tmp_path / "j.sqlite"
    with Journal(path) as journal:
        journal.write(opened())
        journal.write(PrintIntent("t1", 2, "d1g3st"))
        journal.write(PrintOutcome("t1", 2, None))
        summary = journal.summary("t1")
        assert (summary.copies_printed, summary.print_fault) == (2, None)
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT code FROM steps WHERE step = 'print' AND phase = 'outcome'")
        assert row.fetchall() == [("",)]
