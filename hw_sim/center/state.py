"""The simulated center's state in SQLite (``<state-dir>/center.sqlite3``), surviving restarts.

One connection, used from one thread only (:class:`Store` is wrapped by :class:`AsyncStore`,
which runs every call on a single-thread executor so the event loop never waits on a fsync).
WAL with ``synchronous=FULL`` for what must never be lost (an issuance answer that was sent is
on disk, so a replay after a crash, restart or power loss returns the same certificate, never a
second one); challenges and sessions live in a second, lighter file (``sessions.sqlite3``).

Personal data kept: the card identifier (the auth certificate's CN, opaque) and the resident id
the municipality gave, for the life of a session and in issuance records; no names, no PIN.
Session tokens are stored as SHA-256 hashes.
"""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from hw_sim.center.schema import (
    MIGRATIONS,
    SCHEMA,
    ChallengeRecord,
    CompletionRecord,
    DayItem,
    DayTotals,
    IssuanceRecord,
    Notice,
    SessionRecord,
)

__all__ = [
    "AsyncStore",
    "ChallengeRecord",
    "CompletionRecord",
    "DayItem",
    "DayTotals",
    "IssuanceRecord",
    "Notice",
    "SessionRecord",
    "Store",
    "token_hash",
]

P = ParamSpec("P")
T = TypeVar("T")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _ts(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


class Store:
    """Synchronous access to the center database. Use from one thread only.

    ``durable`` (the default) commits with ``synchronous=FULL``: issuances, idempotency records
    of issuances, completions, registrations and kiosks survive even a power loss. The
    short-lived store of challenges and sessions (``durable=False``) commits with
    ``synchronous=NORMAL``: it survives a crash or restart of the center but may lose the last
    commits on a power loss — a resident then authenticates again — and it does not wait on a
    fsync per commit, which is what bounds authentication throughput.
    """

    def __init__(self, path: Path, *, durable: bool = True) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)
        self._migrate()

    def _migrate(self) -> None:
        """Add the columns a database made by an older center lacks (schema.MIGRATIONS)."""
        for table, column, statement in MIGRATIONS:
            columns = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
            if columns and column not in columns:
                self._db.execute(statement)

    def close(self) -> None:
        self._db.close()

    def _one(self, sql: str, *args: Any) -> Any:
        return self._db.execute(sql, args).fetchone()

    # -- kiosks --------------------------------------------------------------------------------
    def register_kiosk(
        self,
        kiosk_id: str,
        fingerprint: str,
        now: datetime,
        payment_modes: tuple[str, ...] = ("kiosk",),
    ) -> None:
        """Accept the certificate ``fingerprint`` for ``kiosk_id`` (replacing an older one);
        ``payment_modes`` are where the kiosk takes fees (wire.PaymentPlace values)."""
        self._db.execute(
            "INSERT INTO kiosks (kiosk_id, fingerprint, status, created_at, payment_modes)"
            " VALUES (?, ?, 'active', ?, ?)"
            " ON CONFLICT (kiosk_id) DO UPDATE SET fingerprint = excluded.fingerprint,"
            " status = 'active', revoked_at = NULL, payment_modes = excluded.payment_modes",
            (kiosk_id, fingerprint, _ts(now), ",".join(payment_modes)),
        )

    def kiosk_payment_modes(self, kiosk_id: str) -> frozenset[str]:
        """Where ``kiosk_id`` takes fees (empty for an unknown kiosk)."""
        row = self._one("SELECT payment_modes FROM kiosks WHERE kiosk_id = ?", kiosk_id)
        return frozenset(row[0].split(",")) if row else frozenset()

    def revoke_kiosk(self, kiosk_id: str, now: datetime) -> bool:
        cursor = self._db.execute(
            "UPDATE kiosks SET status = 'revoked', revoked_at = ? WHERE kiosk_id = ?",
            (_ts(now), kiosk_id),
        )
        return cursor.rowcount > 0

    def kiosk_for(self, fingerprint: str) -> tuple[str, str] | None:
        """(kiosk id, status) of a client certificate, or None if the center does not know it."""
        row = self._one("SELECT kiosk_id, status FROM kiosks WHERE fingerprint = ?", fingerprint)
        return (row[0], row[1]) if row else None

    def kiosks(self) -> list[tuple[str, str]]:
        return [
            tuple(row)
            for row in self._db.execute("SELECT kiosk_id, status FROM kiosks ORDER BY kiosk_id")
        ]

    # -- challenges and sessions ---------------------------------------------------------------
    def add_challenge(self, record: ChallengeRecord) -> None:
        self._db.execute(
            "INSERT INTO challenges (challenge_id, kiosk_id, purpose, nonce, issued_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                record.challenge_id,
                record.kiosk_id,
                record.purpose,
                record.nonce,
                _ts(record.issued_at),
                _ts(record.expires_at),
            ),
        )

    def take_challenge(self, challenge_id: str, kiosk_id: str) -> ChallengeRecord | None:
        """Consume a challenge of this kiosk (single use); None if unknown, used or foreign."""
        with self._transaction():
            row = self._one(
                "SELECT challenge_id, kiosk_id, purpose, nonce, issued_at, expires_at FROM"
                " challenges"
                " WHERE challenge_id = ? AND kiosk_id = ? AND used = 0",
                challenge_id,
                kiosk_id,
            )
            if row is None:
                return None
            self._db.execute(
                "UPDATE challenges SET used = 1 WHERE challenge_id = ?", (challenge_id,)
            )
        return ChallengeRecord(row[0], row[1], row[2], bytes(row[3]), _dt(row[4]), _dt(row[5]))

    def add_session(self, token: str, record: SessionRecord, now: datetime) -> None:
        self._db.execute(
            "INSERT INTO sessions (token_hash, kiosk_id, purpose, card_identifier,"
            " municipality_code,"
            " municipality_name, resident_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?,"
            " ?, ?, ?)",
            (
                token_hash(token),
                record.kiosk_id,
                record.purpose,
                record.card_identifier,
                record.municipality_code,
                record.municipality_name,
                record.resident_id,
                _ts(now),
                _ts(record.expires_at),
            ),
        )

    def session(self, token: str) -> SessionRecord | None:
        row = self._one(
            "SELECT kiosk_id, purpose, card_identifier, municipality_code, municipality_name,"
            " resident_id, expires_at, ended FROM sessions WHERE token_hash = ?",
            token_hash(token),
        )
        if row is None:
            return None
        return SessionRecord(
            row[0], row[1], row[2], row[3], row[4], row[5], _dt(row[6]), bool(row[7])
        )

    def end_session(self, token: str) -> None:
        self._db.execute("UPDATE sessions SET ended = 1 WHERE token_hash = ?", (token_hash(token),))

    def purge(self, now: datetime, keep_idempotency_since: datetime) -> None:
        """Forget expired challenges and sessions, and idempotency records past retention."""
        with self._transaction():
            self._db.execute("DELETE FROM challenges WHERE expires_at < ?", (_ts(now),))
            self._db.execute("DELETE FROM sessions WHERE expires_at < ? OR ended = 1", (_ts(now),))
            self._db.execute(
                "DELETE FROM idempotency WHERE created_at < ?", (_ts(keep_idempotency_since),)
            )

    # -- idempotency ---------------------------------------------------------------------------
    def stored_answer(self, kiosk_id: str, key: str) -> tuple[str, int, bytes] | None:
        """(request fingerprint, status, body) stored under the key, if any."""
        row = self._one(
            "SELECT fingerprint, status, body FROM idempotency WHERE kiosk_id = ? AND idem_key = ?",
            kiosk_id,
            key,
        )
        return (row[0], row[1], bytes(row[2])) if row else None

    def store_answer(
        self, kiosk_id: str, key: str, fingerprint: str, status: int, body: bytes, now: datetime
    ) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO idempotency (kiosk_id, idem_key, fingerprint, status, body,"
            " created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (kiosk_id, key, fingerprint, status, body, _ts(now)),
        )

    # -- issuances -----------------------------------------------------------------------------
    def next_sequence(self, name: str) -> int:
        with self._transaction():
            self._db.execute(
                "INSERT INTO sequences (name, value) VALUES (?, 1)"
                " ON CONFLICT (name) DO UPDATE SET value = value + 1",
                (name,),
            )
            return int(self._one("SELECT value FROM sequences WHERE name = ?", name)[0])

    def record_issuance(
        self,
        *,
        issuance_id: str,
        kiosk_id: str,
        idem_key: str,
        municipality_code: str,
        kind: str,
        jurisdiction: str,
        copies: int,
        fee_per_copy: int,
        document_number: str,
        issued_at: datetime,
        business_date: date,
        answer_fingerprint: str,
        answer_body: bytes,
    ) -> None:
        """Record an issuance and its answer under the idempotency key in one transaction."""
        with self._transaction():
            self._db.execute(
                "INSERT INTO issuances (issuance_id, kiosk_id, idem_key, municipality_code, kind,"
                " jurisdiction, copies, fee_per_copy, total_fee, document_number, issued_at,"
                " business_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    issuance_id,
                    kiosk_id,
                    idem_key,
                    municipality_code,
                    kind,
                    jurisdiction,
                    copies,
                    fee_per_copy,
                    fee_per_copy * copies,
                    document_number,
                    _ts(issued_at),
                    business_date.isoformat(),
                ),
            )
            self._db.execute(
                "INSERT INTO idempotency (kiosk_id, idem_key, fingerprint, status, body,"
                " created_at)"
                " VALUES (?, ?, ?, 200, ?, ?)",
                (kiosk_id, idem_key, answer_fingerprint, answer_body, _ts(issued_at)),
            )

    def issuance(self, issuance_id: str) -> IssuanceRecord | None:
        row = self._one(
            "SELECT issuance_id, kiosk_id, municipality_code, copies, fee_per_copy, total_fee"
            " FROM issuances WHERE issuance_id = ?",
            issuance_id,
        )
        return IssuanceRecord(*row) if row else None

    def issuance_count(self) -> int:
        return int(self._one("SELECT COUNT(*) FROM issuances")[0])

    def completion(self, issuance_id: str) -> CompletionRecord | None:
        row = self._one(
            "SELECT outcome, recorded_at, report_fingerprint FROM completions WHERE issuance_id"
            " = ?",
            issuance_id,
        )
        return CompletionRecord(row[0], _dt(row[1]), row[2]) if row else None

    def record_completion(
        self,
        issuance_id: str,
        *,
        outcome: str,
        copies_printed: int,
        amount_paid: int,
        amount_refunded: int,
        refund_pending: int,
        failure_reason: str | None,
        completed_at: datetime,
        recorded_at: datetime,
        report_fingerprint: str,
        payment: str = "kiosk",
    ) -> CompletionRecord:
        """Record the completion, or return the one recorded before (first report wins)."""
        self._db.execute(
            "INSERT OR IGNORE INTO completions (issuance_id, outcome, copies_printed, amount_paid,"
            " amount_refunded, refund_pending, failure_reason, completed_at, recorded_at,"
            " report_fingerprint, payment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                issuance_id,
                outcome,
                copies_printed,
                amount_paid,
                amount_refunded,
                refund_pending,
                failure_reason,
                _ts(completed_at),
                _ts(recorded_at),
                report_fingerprint,
                payment,
            ),
        )
        record = self.completion(issuance_id)
        assert record is not None
        return record

    def day_totals(self, kiosk_id: str, business_date: date) -> DayTotals:
        day = business_date.isoformat()
        issuances, copies = self._one(
            "SELECT COUNT(*), COALESCE(SUM(copies), 0) FROM issuances WHERE kiosk_id = ? AND"
            " business_date = ?",
            kiosk_id,
            day,
        )
        open_count = self._one(
            "SELECT COUNT(*) FROM issuances i LEFT JOIN completions c USING (issuance_id)"
            " WHERE i.kiosk_id = ? AND i.business_date = ? AND c.issuance_id IS NULL",
            kiosk_id,
            day,
        )[0]
        refunded, pending = self._one(
            "SELECT COALESCE(SUM(c.amount_refunded), 0), COALESCE(SUM(c.refund_pending), 0)"
            " FROM issuances i JOIN completions c USING (issuance_id)"
            " WHERE i.kiosk_id = ? AND i.business_date = ?",
            kiosk_id,
            day,
        )
        # Kiosk-paid copies and their fees, and copies printed against a counter ticket (the
        # municipality collects their fee; no store fee), per municipality.
        lines = [
            (row[0], int(row[1]), int(row[2]), int(row[3]), int(row[4]))
            for row in self._db.execute(
                "SELECT i.municipality_code,"
                " SUM(CASE WHEN c.payment = 'kiosk' THEN c.copies_printed ELSE 0 END),"
                " SUM(CASE WHEN c.payment = 'kiosk' THEN c.copies_printed * i.fee_per_copy"
                " ELSE 0 END),"
                " SUM(CASE WHEN c.payment = 'counter' THEN c.copies_printed ELSE 0 END),"
                " SUM(CASE WHEN c.payment = 'counter' THEN c.copies_printed * i.fee_per_copy"
                " ELSE 0 END)"
                " FROM issuances i JOIN completions c USING (issuance_id)"
                " WHERE i.kiosk_id = ? AND i.business_date = ? AND c.copies_printed > 0"
                " GROUP BY i.municipality_code ORDER BY i.municipality_code",
                (kiosk_id, day),
            )
        ]
        return DayTotals(
            int(issuances), int(copies), int(open_count), int(refunded), int(pending), lines
        )

    def day_items(self, kiosk_id: str, business_date: date) -> list[DayItem]:
        """Every issuance of the kiosk's business day with its completion, in issuing order."""
        rows = self._db.execute(
            "SELECT i.issuance_id, i.municipality_code, i.kind, i.copies, i.fee_per_copy,"
            " i.issued_at, c.outcome, c.payment, COALESCE(c.copies_printed, 0),"
            " COALESCE(c.amount_paid, 0), COALESCE(c.amount_refunded, 0),"
            " COALESCE(c.refund_pending, 0), c.failure_reason, c.completed_at"
            " FROM issuances i LEFT JOIN completions c USING (issuance_id)"
            " WHERE i.kiosk_id = ? AND i.business_date = ? ORDER BY i.issued_at, i.rowid",
            (kiosk_id, business_date.isoformat()),
        ).fetchall()
        return [
            DayItem(
                issuance_id=row[0],
                municipality_code=row[1],
                kind=row[2],
                copies=int(row[3]),
                fee_per_copy=int(row[4]),
                issued_at=_dt(row[5]),
                outcome=row[6],
                payment=row[7],
                copies_printed=int(row[8]),
                amount_paid=int(row[9]),
                amount_refunded=int(row[10]),
                refund_pending=int(row[11]),
                failure_reason=row[12],
                completed_at=_dt(row[13]) if row[13] else None,
            )
            for row in rows
        ]

    # -- registrations -------------------------------------------------------------------------
    def record_registration(
        self, application_number: str, kiosk_id: str, municipality_code: str, now: datetime
    ) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO registrations (application_number, kiosk_id, municipality_code,"
            " submitted_at) VALUES (?, ?, ?, ?)",
            (application_number, kiosk_id, municipality_code, _ts(now)),
        )

    def registration_municipality(self, application_number: str) -> str | None:
        row = self._one(
            "SELECT municipality_code FROM registrations WHERE application_number = ?",
            application_number,
        )
        return str(row[0]) if row else None

    # -- notices -------------------------------------------------------------------------------
    def add_notice(self, notice: Notice) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO notices (notice_id, scope, municipality_code, starts_at,"
            " ends_at,"
            " message_ja) VALUES (?, ?, ?, ?, ?, ?)",
            (
                notice.notice_id,
                notice.scope,
                notice.municipality_code,
                _ts(notice.starts_at),
                _ts(notice.ends_at),
                notice.message_ja,
            ),
        )

    def remove_notices(self, scope: str, municipality_code: str | None = None) -> None:
        self._db.execute(
            "DELETE FROM notices WHERE scope = ? AND municipality_code IS ?",
            (scope, municipality_code),
        )

    def notices(self, not_ended_at: datetime) -> list[Notice]:
        rows = self._db.execute(
            "SELECT notice_id, scope, municipality_code, starts_at, ends_at, message_ja FROM"
            " notices"
            " WHERE ends_at > ? ORDER BY starts_at, notice_id",
            (_ts(not_ended_at),),
        )
        return [Notice(r[0], r[1], r[2], _dt(r[3]), _dt(r[4]), r[5]) for r in rows]

    # -- JPKI revocations (the validity service's runtime list) ---------------------------------
    def revoke_certificate(self, serial: int, now: datetime, reason: str) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO revocations (serial_hex, revoked_at, reason) VALUES (?, ?, ?)",
            (format(serial, "x"), _ts(now), reason),
        )

    def revocation(self, serial: int) -> tuple[datetime, str] | None:
        row = self._one(
            "SELECT revoked_at, reason FROM revocations WHERE serial_hex = ?", format(serial, "x")
        )
        return (_dt(row[0]), row[1]) if row else None

    # -- settings (business clock) -------------------------------------------------------------
    def setting(self, name: str) -> str | None:
        row = self._one("SELECT value FROM settings WHERE name = ?", name)
        return str(row[0]) if row else None

    def set_setting(self, name: str, value: str | None) -> None:
        if value is None:
            self._db.execute("DELETE FROM settings WHERE name = ?", (name,))
        else:
            self._db.execute(
                "INSERT OR REPLACE INTO settings (name, value) VALUES (?, ?)", (name, value)
            )

    # -- helpers -------------------------------------------------------------------------------
    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")


class AsyncStore:
    """Run :class:`Store` calls on one dedicated thread, awaitable from the event loop."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix=f"db-{store.path.stem}"
        )

    async def call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: fn(*args, **kwargs))

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self.store.close()
