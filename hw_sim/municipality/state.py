"""What changes at runtime, in SQLite in the state folder: 本籍地 usage registrations and
maintenance windows posted with ``World.set_maintenance``. The static world is rebuilt from the
data files on every load; this file is what survives a restart.

No personal data is stored: a registration keeps the card identifier (an opaque certificate
CN), the outcome of the check and the register it was linked to — not the name, address or
phone number of the application.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

STATE_FILE = "world.sqlite3"
SCHEMA_VERSION = 1
# sqlite3 busy timeout: the center may call from several threads at once.
_BUSY_TIMEOUT_S = 10.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS registrations (
    application_number TEXT PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    card_identifier TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    outcome TEXT NOT NULL,
    register_id TEXT,
    person_id TEXT
);
CREATE INDEX IF NOT EXISTS registrations_by_card
    ON registrations (municipality_code, card_identifier);
CREATE TABLE IF NOT EXISTS maintenance (
    id INTEGER PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    start TEXT NOT NULL,
    "end" TEXT NOT NULL
);
"""


class StateError(RuntimeError):
    """The state database is unusable (wrong schema version, not a database)."""


@dataclass(frozen=True)
class RegistrationRow:
    application_number: str
    municipality_code: str
    card_identifier: str
    submitted_at: datetime
    decided_at: datetime  # when the 本籍地's staff finish (the status changes then)
    outcome: str  # a RegistrationState value: 登録完了 or 不備
    register_id: str | None
    person_id: str | None


class WorldState:
    """The SQLite file ``state_dir/world.sqlite3``; one short connection per operation."""

    def __init__(self, state_dir: Path) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self.path = state_dir / STATE_FILE
        self._lock = threading.Lock()  # serialises the read-then-write of number allocation
        try:
            with self._connect() as conn:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(_SCHEMA)
                # OR IGNORE: several processes (the center's render workers) may open the
                # same state at once; the first one writes the version.
                conn.execute(
                    "INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
                )
                row = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
                if row[0] != str(SCHEMA_VERSION):
                    raise StateError(
                        f"{self.path}: schema version {row[0]}, expected {SCHEMA_VERSION}"
                    )
        except sqlite3.DatabaseError as error:
            raise StateError(f"{self.path}: {error}") from error

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S)) as conn, conn:
            yield conn

    # -- maintenance -------------------------------------------------------------------------
    def add_maintenance(self, code: str, start: datetime, end: datetime) -> None:
        with self._connect() as conn:
            conn.execute(
                'INSERT INTO maintenance (municipality_code, start, "end") VALUES (?, ?, ?)',
                (code, start.isoformat(), end.isoformat()),
            )

    def clear_maintenance(self, code: str) -> None:
        with self._connect() as conn:
            conn.execute("DELETE FROM maintenance WHERE municipality_code = ?", (code,))

    def maintenance(self, code: str) -> list[tuple[datetime, datetime]]:
        with self._connect() as conn:
            rows = conn.execute(
                'SELECT start, "end" FROM maintenance WHERE municipality_code = ? ORDER BY id',
                (code,),
            ).fetchall()
        return [(datetime.fromisoformat(start), datetime.fromisoformat(end)) for start, end in rows]

    # -- registrations -----------------------------------------------------------------------
    def add_registration(
        self,
        *,
        code: str,
        prefix: str,
        card_identifier: str,
        submitted_at: datetime,
        decided_at: datetime,
        outcome: str,
        register_id: str | None,
        person_id: str | None,
    ) -> str:
        """Store an application under the next free number ``prefix`` + 4 digits."""
        with self._lock, self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            count = conn.execute(
                "SELECT COUNT(*) FROM registrations WHERE application_number LIKE ?",
                (prefix + "%",),
            ).fetchone()[0]
            # 0001 is kept for registrations present from the start (data/households.toml).
            number = f"{prefix}{count + 2:04d}"
            conn.execute(
                "INSERT INTO registrations VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    number,
                    code,
                    card_identifier,
                    submitted_at.isoformat(),
                    decided_at.isoformat(),
                    outcome,
                    register_id,
                    person_id,
                ),
            )
        return number

    def registration(self, application_number: str) -> RegistrationRow | None:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT * FROM registrations WHERE application_number = ?", (application_number,)
            ).fetchone()
        return _row(row) if row else None

    def registrations_of(self, code: str, card_identifier: str) -> list[RegistrationRow]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT * FROM registrations WHERE municipality_code = ? AND card_identifier = ?"
                " ORDER BY submitted_at",
                (code, card_identifier),
            ).fetchall()
        return [_row(row) for row in rows]


def _row(row: tuple[str, ...]) -> RegistrationRow:
    return RegistrationRow(
        application_number=row[0],
        municipality_code=row[1],
        card_identifier=row[2],
        submitted_at=datetime.fromisoformat(row[3]),
        decided_at=datetime.fromisoformat(row[4]),
        outcome=row[5],
        register_id=row[6],
        person_id=row[7],
    )
