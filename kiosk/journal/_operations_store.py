"""The SQL behind kiosk/journal/operations.py (private to kiosk.journal.store).

Tables of schema version 2: rows are only ever inserted. The callers hold the journal's lock
and run inside its write transaction (``write``) or a read (the queries).

SQL text marked "pragma: no mutate (SQL)" has no quoted value in it: its case mutants are
equivalent and its other ones syntax errors (kiosk/journal/store.py says why). What a mutant of
the text cannot change — a column, a comparison, an order — tests/kiosk/journal/
test_operations_edges.py checks by reading every field back.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import date, datetime

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
from kiosk.problems import OwedCode, ServiceStop

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS owed_paid (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    entry INTEGER NOT NULL UNIQUE REFERENCES steps (seq),
    at TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    yen INTEGER NOT NULL CHECK (yen >= 0)
);
CREATE TABLE IF NOT EXISTS cash_counts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    count_id TEXT NOT NULL,
    at TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('refill', 'collection')),
    denomination INTEGER NOT NULL CHECK (denomination > 0),
    counted INTEGER NOT NULL CHECK (counted >= 0),
    unit_count INTEGER CHECK (unit_count IS NULL OR unit_count >= 0),
    UNIQUE (count_id, denomination)
);
CREATE TABLE IF NOT EXISTS closings (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    business_date TEXT NOT NULL,
    at TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    step TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS closings_by_day ON closings (business_date, seq);
CREATE TABLE IF NOT EXISTS service_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    stop TEXT NOT NULL DEFAULT ''
);
-- Partial: only the owed entries (a few a month). An index on (step, ...) would be picked by the
-- planner for the resident flow's `txn_id = ? AND step = ?` checks over steps_by_txn and make
-- every journal write scan all steps of that kind (benchmarks/operations.py found it).
CREATE INDEX IF NOT EXISTS owed_steps ON steps (seq) WHERE step = 'staff' AND phase = 'outcome';
-- The business day of a transaction (BUSINESS_DAY): closing a day reads its transactions only.
CREATE INDEX IF NOT EXISTS transactions_by_day
    ON transactions (COALESCE(business_date, date(opened_at, '+9 hours')));
-- Transactions by how they ended, for the metrics endpoint (kiosk/operations/journal_figures.py).
CREATE INDEX IF NOT EXISTS transactions_by_reason ON transactions (close_reason);
"""

# A transaction's business day: the center's (its issuance named it), else the JST date it was
# opened on. Queries must spell it exactly so for SQLite to use transactions_by_day.
BUSINESS_DAY = "COALESCE(business_date, date(opened_at, '+9 hours'))"
STAFF_ID_MAX = 32


class OperationError(Exception):
    """A staff record that makes no sense (kiosk.journal.store turns it into JournalError)."""


def write(db: sqlite3.Connection, record: OperationsRecord, now: str) -> None:
    """Insert ``record`` (inside the caller's transaction); raises OperationError."""
    staff_id = record.staff_id
    if not staff_id or len(staff_id) > STAFF_ID_MAX:
        raise OperationError("a staff record needs the staff id")
    match record:
        case OwedPaidBack(entry=entry, yen=yen):
            _paid_back(db, entry, staff_id, yen, now)
        case OwedPaidLate(txn_id=txn_id, yen=yen):
            _paid_late(db, txn_id, yen, now)
        case CashCounted():
            if record.counted < 0 or record.denomination <= 0:
                raise OperationError("a count needs pieces >= 0 of a denomination")
            try:
                db.execute(
                    "INSERT INTO cash_counts (count_id, at, staff_id,"  # pragma: no mutate (SQL)
                    " kind, denomination, counted, unit_count)"  # pragma: no mutate (SQL)
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",  # pragma: no mutate (SQL)
                    (
                        record.count_id,
                        now,
                        staff_id,
                        record.kind.value,
                        record.denomination,
                        record.counted,
                        record.unit_count,
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise OperationError(f"count {record.count_id} already has that piece") from exc
        case ClosingRecorded(business_date=day, step=step, detail=detail):
            db.execute(
                "INSERT INTO closings"  # pragma: no mutate (SQL)
                " (business_date, at, staff_id, step, detail)"  # pragma: no mutate (SQL)
                " VALUES (?, ?, ?, ?, ?)",  # pragma: no mutate (SQL)
                (day.isoformat(), now, staff_id, step.value, detail),
            )
        case ServiceChanged(stop=stop):
            db.execute(
                "INSERT INTO service_changes (at, staff_id, stop)"  # pragma: no mutate (SQL)
                " VALUES (?, ?, ?)",  # pragma: no mutate (SQL)
                (now, staff_id, stop.value if stop is not None else ""),
            )


def _paid_back(db: sqlite3.Connection, entry: int, staff_id: str, yen: int, now: str) -> None:
    row = db.execute(
        "SELECT actual_yen FROM steps WHERE seq = ?"  # pragma: no mutate (SQL)
        " AND step = 'staff'",
        (entry,),
    ).fetchone()
    if row is None:
        raise OperationError(f"no owed entry {entry}")
    if yen != row[0]:
        raise OperationError(f"owed entry {entry} is {row[0]} yen, not {yen}")
    try:
        db.execute(
            "INSERT INTO owed_paid (entry, at, staff_id, yen)"  # pragma: no mutate (SQL)
            " VALUES (?, ?, ?, ?)",  # pragma: no mutate (SQL)
            (entry, now, staff_id, yen),
        )
    except sqlite3.IntegrityError as exc:
        raise OperationError(f"owed entry {entry} was already paid back") from exc


def _paid_late(db: sqlite3.Connection, txn_id: str, yen: int, now: str) -> None:
    """Close the oldest open "never answered" entry of ``txn_id`` for ``yen`` as paid by the
    kiosk (OwedPaidLate); none open: nothing to close (the flow audits the late result)."""
    row = db.execute(
        "SELECT s.seq FROM steps s"  # pragma: no mutate (SQL)
        " LEFT JOIN owed_paid p ON p.entry = s.seq"  # pragma: no mutate (SQL)
        " WHERE s.step = 'staff' AND s.phase = 'outcome'"  # pragma: no mutate (SQL)
        " AND p.entry IS NULL AND s.txn_id = ? AND s.code = ? AND s.actual_yen = ?"
        " ORDER BY s.seq LIMIT 1",  # pragma: no mutate (SQL)
        (txn_id, OwedCode.REFUND_NO_ANSWER.value, yen),
    ).fetchone()
    if row is None:
        log.warning("journal: %s: no open entry of %d yen for a payout paid late", txn_id, yen)
        return
    db.execute(
        "INSERT INTO owed_paid (entry, at, staff_id, yen)"  # pragma: no mutate (SQL)
        " VALUES (?, ?, ?, ?)",  # pragma: no mutate (SQL)
        (int(row[0]), now, PAID_BY_KIOSK, yen),
    )


def owed_entries(db: sqlite3.Connection, *, open_only: bool) -> list[OwedEntry]:
    """Every entry of money the kiosk owes, oldest first (only the unpaid ones if asked)."""
    rows = db.execute(
        "SELECT s.seq, s.txn_id, s.at, s.actual_yen, s.code,"  # pragma: no mutate (SQL)
        " p.at, p.staff_id, p.yen"  # pragma: no mutate (SQL)
        " FROM steps s LEFT JOIN owed_paid p ON p.entry = s.seq"  # pragma: no mutate (SQL)
        # Spelt as owed_steps's WHERE, for SQLite to use that partial index.
        " WHERE s.step = 'staff' AND s.phase = 'outcome'"
        " AND (? = 0 OR p.entry IS NULL) ORDER BY s.seq",  # pragma: no mutate (SQL)
        (int(open_only),),
    ).fetchall()
    return [
        OwedEntry(
            entry=int(seq),
            txn_id=txn_id,
            at=datetime.fromisoformat(at),
            yen=int(yen),
            code=_owed_code(code),
            paid_at=datetime.fromisoformat(paid_at) if paid_at else None,
            paid_by=paid_by,
            paid_yen=int(paid_yen or 0),
        )
        for seq, txn_id, at, yen, code, paid_at, paid_by, paid_yen in rows
    ]


def _owed_code(code: str) -> OwedCode:
    try:
        return OwedCode(code)
    except ValueError:  # a code of a newer kiosk: still owed money, staff look it up
        return OwedCode.RECOVERED


def cash_counts(
    db: sqlite3.Connection, since: datetime | None = None, until: datetime | None = None
) -> list[CashCounted]:
    rows = db.execute(
        "SELECT count_id, kind, staff_id, denomination,"  # pragma: no mutate (SQL)
        " counted, unit_count, at"  # pragma: no mutate (SQL)
        " FROM cash_counts ORDER BY seq"  # pragma: no mutate (SQL)
    ).fetchall()
    return [
        CashCounted(count_id, CashCountKind(kind), staff, int(value), int(counted), unit)
        for count_id, kind, staff, value, counted, unit, at in rows
        if (since is None or datetime.fromisoformat(at) >= since)
        and (until is None or datetime.fromisoformat(at) < until)
    ]


def closing_state(db: sqlite3.Connection, day: date) -> ClosingState:
    rows = db.execute(
        "SELECT step, staff_id, detail FROM closings"  # pragma: no mutate (SQL)
        " WHERE business_date = ? ORDER BY seq",  # pragma: no mutate (SQL)
        (day.isoformat(),),
    ).fetchall()
    return ClosingState(
        day,
        tuple(
            ClosingRecorded(day, ClosingStep(step), staff, detail) for step, staff, detail in rows
        ),
    )


def closed_days(db: sqlite3.Connection) -> list[date]:
    rows = db.execute(
        "SELECT DISTINCT business_date FROM closings"  # pragma: no mutate (SQL)
        " WHERE step = ? ORDER BY business_date",  # pragma: no mutate (SQL)
        (ClosingStep.DONE.value,),
    ).fetchall()
    return [date.fromisoformat(row[0]) for row in rows]


def service_state(db: sqlite3.Connection) -> ServiceChanged | None:
    """The last change of service (None: staff never took the kiosk out of service)."""
    row = db.execute(
        "SELECT staff_id, stop FROM service_changes"  # pragma: no mutate (SQL)
        " ORDER BY seq DESC LIMIT 1"  # pragma: no mutate (SQL)
    ).fetchone()
    if row is None:
        return None
    staff_id, stop = row
    try:
        return ServiceChanged(staff_id, ServiceStop(stop) if stop else None)
    except ValueError:  # a reason of a newer kiosk: still out of service
        return ServiceChanged(staff_id, ServiceStop.MAINTENANCE)
