"""A journal on disk survives an upgrade: rows the earlier kiosk wrote (refund reasons as free
text — staff codes, a hard-coded "P-401", words — and printer faults as strings) still load,
and read back as the typed values the kiosk now writes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kiosk.journal import Journal, RefundCause, RefundIntent, StaffOwed, Step
from kiosk.journal.records import (
    print_fault_from_code,
    refund_reason_code,
    refund_reason_from_code,
)
from kiosk.problems import OwedCode, Problem
from printing.faults import PrinterFault

# The rows exactly as the kiosk before the typed reasons wrote them (kiosk/flow/_money.py,
# machine.py, _base.py of that version): a problem's staff code, "P-401" for a jammed
# acceptor, and the words "timeout", "cancelled", "stray".
OLD_REFUND_TEXTS = {
    "R-502": Problem.PRINTER_JAM,
    "P-401": Problem.ACCEPTOR_JAMMED,
    "S-204": Problem.CENTER_PROTOCOL,
    "timeout": RefundCause.TIMEOUT,
    "cancelled": RefundCause.CANCELLED,
    "stray": RefundCause.STRAY,
}


def _old_journal(path: Path) -> None:
    """Make the file the earlier version made (its schema is this one: version 1)."""
    Journal(path).close()  # the schema
    db = sqlite3.connect(path)
    with db:
        for index, code in enumerate(OLD_REFUND_TEXTS):
            txn = f"old-{index}"
            db.execute(
                "INSERT INTO transactions (txn_id, opened_at, service, kind, copies,"
                " fee_per_copy_yen) VALUES (?, '2024-05-01T01:00:00+00:00', 'issue',"
                " 'juminhyo', 1, 300)",
                (txn,),
            )
            rows = [
                ("payment", "intent", 300, 0, 0, ""),
                ("money_in", "outcome", 0, 300, 0, ""),
                ("payment", "outcome", 0, 300, 0, ""),
                ("print", "intent", 0, 0, 1, "abcd"),
                ("print", "outcome", 0, 0, 0, "jam"),
                ("refund", "intent", 300, 0, 0, code),
            ]
            for step, phase, requested, actual, count, text in rows:
                db.execute(
                    "INSERT INTO steps (txn_id, at, step, phase, requested_yen, actual_yen,"
                    " count, code) VALUES (?, '2024-05-01T01:00:01+00:00', ?, ?, ?, ?, ?, ?)",
                    (txn, step, phase, requested, actual, count, text),
                )
    db.close()


def test_old_rows_load_and_read_as_typed_reasons(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    _old_journal(path)
    with Journal(path) as journal:
        open_ = journal.open_transactions()
        assert len(open_) == len(OLD_REFUND_TEXTS)
        for summary, (text, reason) in zip(open_, OLD_REFUND_TEXTS.items(), strict=True):
            assert summary.received_yen == 300
            assert summary.print_fault is PrinterFault.JAM  # the old string fault, typed
            (pending,) = summary.pending
            assert pending.step is Step.REFUND
            assert refund_reason_from_code(pending.code) == reason
            # What the kiosk writes now is the text it wrote then.
            assert refund_reason_code(reason) == text
        # New rows go into the same file beside the old ones.
        journal.write(RefundIntent("old-0", 100, Problem.PRINTER_JAM))
        journal.write(StaffOwed("old-0", 300, OwedCode.RECOVERED))
        assert journal.summary("old-0").staff_owed_yen == 300


@pytest.mark.parametrize("text", ["", "K-999", "printer_jam", "TIMEOUT"])
def test_a_text_no_version_wrote_is_no_reason(text: str) -> None:
    assert refund_reason_from_code(text) is None


def test_every_problem_and_cause_round_trips() -> None:
    for reason in [*Problem, *RefundCause]:
        assert refund_reason_from_code(refund_reason_code(reason)) == reason


def test_print_fault_texts() -> None:
    assert print_fault_from_code("") is None
    for fault in PrinterFault:
        assert print_fault_from_code(fault.value) is fault
    # A newer kiosk's fault this one does not know: a printer error, never lost.
    assert print_fault_from_code("laser_on_fire") is PrinterFault.PRINTER_ERROR


# The schema exactly as the kiosk of schema version 1 made it (kiosk/journal/store.py before
# issue 10): no business day, no staff tables.
SCHEMA_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE transactions (
    txn_id TEXT PRIMARY KEY,
    opened_at TEXT NOT NULL,
    service TEXT NOT NULL,
    kind TEXT NOT NULL,
    copies INTEGER NOT NULL CHECK (copies > 0),
    fee_per_copy_yen INTEGER NOT NULL CHECK (fee_per_copy_yen >= 0),
    closed_at TEXT,
    close_reason TEXT
);
CREATE TABLE steps (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    txn_id TEXT NOT NULL REFERENCES transactions (txn_id),
    at TEXT NOT NULL,
    step TEXT NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('intent', 'outcome')),
    requested_yen INTEGER NOT NULL DEFAULT 0 CHECK (requested_yen >= 0),
    actual_yen INTEGER NOT NULL DEFAULT 0 CHECK (actual_yen >= 0),
    count INTEGER NOT NULL DEFAULT 0 CHECK (count >= 0),
    code TEXT NOT NULL DEFAULT ''
);
CREATE INDEX steps_by_txn ON steps (txn_id, seq);
CREATE INDEX open_transactions ON transactions (closed_at);
INSERT INTO meta (key, value) VALUES ('schema_version', '1');
"""


def _version_1_journal(path: Path) -> None:
    """A journal the version-1 kiosk wrote: a closed transaction opened at 23:30 JST on
    2026-12-07 (14:30 UTC), with money owed by staff, and one still open."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    with db:
        db.executescript(SCHEMA_V1)
        for txn, closed in (("v1-closed", "2026-12-07T14:40:00+00:00"), ("v1-open", None)):
            db.execute(
                "INSERT INTO transactions (txn_id, opened_at, service, kind, copies,"
                " fee_per_copy_yen, closed_at, close_reason) VALUES (?,"
                " '2026-12-07T14:30:00+00:00', 'issue', 'juminhyo', 1, 300, ?, ?)",
                (txn, closed, "staff" if closed else None),
            )
        rows = [
            ("v1-closed", "issuance", "outcome", 0, 0, 0, "iss-old-1"),
            ("v1-closed", "payment", "intent", 300, 0, 0, ""),
            ("v1-closed", "money_in", "outcome", 0, 300, 0, ""),
            ("v1-closed", "payment", "outcome", 0, 300, 0, ""),
            ("v1-closed", "refund", "intent", 300, 0, 0, "R-501"),
            ("v1-closed", "refund", "outcome", 300, 100, 0, ""),
            ("v1-closed", "staff", "outcome", 0, 200, 0, "P-412"),
        ]
        for txn, step, phase, requested, actual, count, code in rows:
            db.execute(
                "INSERT INTO steps (txn_id, at, step, phase, requested_yen, actual_yen, count,"
                " code) VALUES (?, '2026-12-07T14:31:00+00:00', ?, ?, ?, ?, ?, ?)",
                (txn, step, phase, requested, actual, count, code),
            )
    db.close()


def test_a_version_1_journal_is_upgraded_in_place_and_reads_as_before(tmp_path: Path) -> None:
    from datetime import date

    from kiosk.journal import OwedPaidBack, ServiceChanged
    from kiosk.journal.store import SCHEMA_VERSION

    path = tmp_path / "journal.sqlite"
    _version_1_journal(path)
    with Journal(path) as journal:
        closed = journal.summary("v1-closed")
        assert (closed.received_yen, closed.refunded_yen, closed.staff_owed_yen) == (300, 100, 200)
        assert closed.issuance_id == "iss-old-1"
        assert closed.business_date is None  # the old kiosk never knew the center's day
        assert closed.business_day == date(2026, 12, 7)  # the JST day it was opened on
        assert [s.txn_id for s in journal.transactions_of_day(date(2026, 12, 7))] == [
            "v1-closed",
            "v1-open",
        ]
        assert [t.txn_id for t in journal.open_transactions()] == ["v1-open"]
        # The money the old kiosk recorded as owed is an open entry staff can pay back.
        (entry,) = journal.owed_entries()
        assert (entry.txn_id, entry.yen, entry.code) == ("v1-closed", 200, OwedCode.REFUND_SHORT)
        journal.write(OwedPaidBack(entry.entry, "S001", 200))
        assert journal.owed_entries() == []
        journal.write(ServiceChanged("S001", None))
    db = sqlite3.connect(path)
    assert db.execute("SELECT value FROM meta").fetchone()[0] == str(SCHEMA_VERSION)
    columns = [row[1] for row in db.execute("PRAGMA table_info(transactions)")]
    assert "business_date" in columns
    assert db.execute("SELECT COUNT(*) FROM steps").fetchone()[0] == 7  # nothing rewritten
    db.close()
    with Journal(path) as journal:  # a second open changes nothing
        assert journal.owed_entries(open_only=False)[0].paid_by == "S001"


def test_a_journal_of_a_newer_schema_is_refused(tmp_path: Path) -> None:
    from kiosk.journal import JournalError

    path = tmp_path / "journal.sqlite"
    Journal(path).close()
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE meta SET value = '99' WHERE key IN ('schema_version', 'readable_by')")
    db.close()
    with pytest.raises(JournalError, match="schema version 99"):
        Journal(path)


def test_a_stop_between_two_upgrades_leaves_the_first_one_stamped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each upgrade is its own transaction: a kiosk that dies after the upgrade to 2 committed
    # and before the one to 3 leaves a journal of version 2, stamped 2, which the next start
    # takes from there.
    from kiosk.journal.store import SCHEMA_VERSION

    path = tmp_path / "journal.sqlite"
    _version_1_journal(path)

    def power_cut(self: Journal) -> None:
        raise OSError("power cut")

    with monkeypatch.context() as patch:
        patch.setattr(Journal, "_to_version_3", power_cut)
        with pytest.raises(OSError, match="power cut"):
            Journal(path)
    db = sqlite3.connect(path)
    stamp = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    columns = [row[1] for row in db.execute("PRAGMA table_info(transactions)")]
    db.close()
    assert stamp == "2"
    assert "business_date" in columns  # version 2's change, kept
    with Journal(path) as journal:
        assert journal.summary("v1-closed").staff_owed_yen == 200
    db = sqlite3.connect(path)
    assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(
        SCHEMA_VERSION
    )
    db.close()
