"""The journal's figures for the metrics endpoint, read at each scrape and kept up to date
incrementally.

Steps are only ever appended (``steps.seq`` is AUTOINCREMENT, nothing is updated or deleted), so
the running sums of money and counts only need the steps written since the last scrape: the
first scrape after a start reads the whole journal once, every later one the last 30 seconds'
steps. Reading everything at every scrape cost 0.7 s of CPU at 100 000 transactions
(benchmarks/operations.py; docs/operations.md, "Speed"). Transactions by how they ended and what
is owed are read whole, from indexes. Every scrape reads one snapshot (a read transaction on a
read-only connection), so the figures never disagree with each other.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

# The fees of copies printed and paid at the kiosk (what the kiosk may keep) changed by the
# steps in (:before, :now]: each touched transaction counts what it keeps now minus what it kept
# before, item by item for a basket (each item's fee: basket_items; item 1's is the
# transaction's). A print outcome may come before its payment's outcome only in a journal
# written by hand, but the sum stays right either way.
_KEPT_CHANGE = """
SELECT COALESCE(SUM(COALESCE(b.fee_per_copy_yen, t.fee_per_copy_yen)
                    * (p.printed_now * p.paid_now - p.printed_before * p.paid_before)), 0)
FROM (SELECT s.txn_id, s.item,
             SUM(s.count) AS printed_now,
             SUM(CASE WHEN s.seq <= :before THEN s.count ELSE 0 END) AS printed_before,
             EXISTS (SELECT 1 FROM steps q WHERE q.txn_id = s.txn_id AND q.step = 'payment'
                     AND q.phase = 'outcome' AND q.seq <= :now) AS paid_now,
             EXISTS (SELECT 1 FROM steps q WHERE q.txn_id = s.txn_id AND q.step = 'payment'
                     AND q.phase = 'outcome' AND q.seq <= :before) AS paid_before
      FROM steps s
      WHERE s.phase = 'outcome' AND s.step = 'print' AND s.seq <= :now
        AND s.txn_id IN (SELECT txn_id FROM steps WHERE seq > :before AND seq <= :now
                         AND phase = 'outcome' AND step IN ('print', 'payment'))
      GROUP BY s.txn_id, s.item) p
JOIN transactions t USING (txn_id)
LEFT JOIN basket_items b ON b.txn_id = p.txn_id AND b.item = p.item
"""


@dataclass(frozen=True)
class JournalFigures:
    """What the journal says at one scrape."""

    outcome_sums: dict[str, tuple[int, int, int]]  # step → (yen, count, rows) of its outcomes
    kept_yen: int
    paid_back_yen: int
    ended: dict[str, int]  # close reason → transactions
    open_transactions: int
    owed_open_entries: int
    owed_open_yen: int
    owed_oldest: datetime | None
    last_closing: datetime | None
    unpaid_at_last_closing_yen: int

    def outcome(self, step: str, index: int) -> int:
        """Yen (0), count (1) or rows (2) of the outcomes of ``step``."""
        return self.outcome_sums.get(step, (0, 0, 0))[index]


@dataclass
class _Running:
    seq: int = 0  # the last step counted
    seq_at: str | None = None  # and when it was written (tells another journal file apart)
    sums: dict[str, list[int]] = field(default_factory=dict)
    kept_yen: int = 0


class JournalReader:
    """Reads a journal's figures on a read-only connection (thread-safe: scrapes may overlap)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._running = _Running()

    def read(self) -> JournalFigures:
        """One consistent reading (sqlite3.Error if the journal cannot be read)."""
        with self._lock:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=2)
            try:
                db.execute("BEGIN")  # one snapshot for every query below
                figures = self._read(db)
                db.execute("COMMIT")
                return figures
            finally:
                db.close()

    def _read(self, db: sqlite3.Connection) -> JournalFigures:
        running = self._advance(db)
        ended: dict[str, int] = {}
        for reason, count in db.execute(
            "SELECT close_reason, COUNT(*) FROM transactions"
            " WHERE close_reason IS NOT NULL GROUP BY close_reason"
        ):
            ended[str(reason)] = int(count)
        owed_entries, owed_yen, oldest = db.execute(
            "SELECT COUNT(*), COALESCE(SUM(s.actual_yen), 0), MIN(s.at) FROM steps s"
            " LEFT JOIN owed_paid p ON p.entry = s.seq WHERE s.step = 'staff'"
            " AND s.phase = 'outcome' AND p.entry IS NULL"
        ).fetchone()
        closed = _one_text(db, "SELECT MAX(at) FROM closings WHERE step = 'done'")
        unpaid = 0
        if closed is not None:  # owed by then and not paid back by then
            unpaid = _one(
                db,
                "SELECT COALESCE(SUM(s.actual_yen), 0) FROM steps s LEFT JOIN owed_paid p"
                " ON p.entry = s.seq WHERE s.step = 'staff' AND s.phase = 'outcome'"
                " AND s.at <= ? AND (p.at IS NULL OR p.at > ?)",
                closed,
                closed,
            )
        return JournalFigures(
            outcome_sums={step: (s[0], s[1], s[2]) for step, s in running.sums.items()},
            kept_yen=running.kept_yen,
            paid_back_yen=_one(db, "SELECT COALESCE(SUM(yen), 0) FROM owed_paid"),
            ended=ended,
            open_transactions=_one(db, "SELECT COUNT(*) FROM transactions WHERE closed_at IS NULL"),
            owed_open_entries=int(owed_entries),
            owed_open_yen=int(owed_yen),
            owed_oldest=datetime.fromisoformat(oldest) if oldest else None,
            last_closing=datetime.fromisoformat(closed) if closed else None,
            unpaid_at_last_closing_yen=unpaid,
        )

    def _advance(self, db: sqlite3.Connection) -> _Running:
        """Add the steps written since the last reading to the running sums."""
        now = _one(db, "SELECT COALESCE(MAX(seq), 0) FROM steps")
        running = self._running
        if running.seq and _one_text(db, "SELECT at FROM steps WHERE seq = ?", running.seq) != (
            running.seq_at
        ):  # another journal file at the same path (restored from a copy): start over
            running = self._running = _Running()
        before = running.seq
        if now == before:
            return running
        for step, actual, count, rows in db.execute(
            "SELECT step, COALESCE(SUM(actual_yen), 0), COALESCE(SUM(count), 0), COUNT(*)"
            " FROM steps WHERE seq > ? AND seq <= ? AND phase = 'outcome' GROUP BY step",
            (before, now),
        ):
            sums = running.sums.setdefault(str(step), [0, 0, 0])
            sums[0] += int(actual)
            sums[1] += int(count)
            sums[2] += int(rows)
        running.kept_yen += _one(db, _KEPT_CHANGE, {"before": before, "now": now})
        running.seq = now
        running.seq_at = _one_text(db, "SELECT at FROM steps WHERE seq = ?", now)
        return running


def _one(db: sqlite3.Connection, sql: str, *args: Any) -> int:
    params = args[0] if len(args) == 1 and isinstance(args[0], dict) else args
    row = db.execute(sql, params).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _one_text(db: sqlite3.Connection, sql: str, *args: Any) -> str | None:
    row = db.execute(sql, args).fetchone()
    return str(row[0]) if row and row[0] is not None else None
