"""The journal on disk: SQLite in WAL mode with synchronous=FULL, one row per step.

``write`` returns only after the row is durable (a committed transaction with a full fsync of
the WAL, SQLite "PRAGMA synchronous"), so a runner that writes an intent before acting on it
can always learn after a crash what it may have done. ``open_transactions`` summarises every
transaction that was not closed, for the recovery at start-up.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from kiosk.journal import _operations_store
from kiosk.journal.operations import (
    CashCounted,
    ClosingRecorded,
    ClosingState,
    OperationsRecord,
    OwedEntry,
    OwedPaidBack,
    OwedPaidLate,
    ServiceChanged,
)
from kiosk.journal.records import (
    ChangeIntent,
    ChangeOutcome,
    CloseReason,
    IssuanceReceived,
    ItemAdded,
    JournalRecord,
    MoneyIn,
    PaymentIntent,
    PaymentOutcome,
    Phase,
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
    print_fault_from_code,
    refund_reason_code,
)
from kiosk.journal.schema import READABLE_BY, SCHEMA_VERSION, refusal
from kiosk.journal.summary import ItemSummary, PendingStep, TransactionSummary

log = logging.getLogger(__name__)

# Mutation testing (scripts/mutation): a line marked "pragma: no mutate (SQL)" holds SQL text with
# no quoted value in it. SQLite reads keywords and names in any case, so mutmut's upper- and
# lower-case copies of it are equivalent mutants, and its other string mutants (XX…XX) are syntax
# errors that every test reaching the line fails on. SQL with a quoted value ('intent') stays
# mutated: that value's case matters.


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS transactions (
    txn_id TEXT PRIMARY KEY,
    opened_at TEXT NOT NULL,
    service TEXT NOT NULL,
    kind TEXT NOT NULL,
    copies INTEGER NOT NULL CHECK (copies > 0),
    fee_per_copy_yen INTEGER NOT NULL CHECK (fee_per_copy_yen >= 0),
    closed_at TEXT,
    close_reason TEXT
);
CREATE TABLE IF NOT EXISTS steps (
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
CREATE INDEX IF NOT EXISTS steps_by_txn ON steps (txn_id, seq);
CREATE INDEX IF NOT EXISTS open_transactions ON transactions (closed_at);
"""
# Version 2 adds the center's business day of a transaction (transactions.business_date) and
# what staff do (kiosk/journal/operations.py): a version 1 journal gets both when it is opened.
# Version 3 adds the basket (several certificates in one visit): the items after the first
# (basket_items; item 1 is the transaction's own row) and the item a step belongs to
# (steps.item, 1 for every row an older kiosk wrote and for the money steps).
_BASKET_SCHEMA = """
ALTER TABLE steps ADD COLUMN item INTEGER NOT NULL DEFAULT 1 CHECK (item >= 1);
CREATE TABLE IF NOT EXISTS basket_items (
    txn_id TEXT NOT NULL REFERENCES transactions (txn_id),
    item INTEGER NOT NULL CHECK (item >= 2),
    kind TEXT NOT NULL,
    copies INTEGER NOT NULL CHECK (copies > 0),
    fee_per_copy_yen INTEGER NOT NULL CHECK (fee_per_copy_yen >= 0),
    PRIMARY KEY (txn_id, item)
)
"""


class JournalError(Exception):
    """The journal cannot record a step (disk, corruption, or a step that makes no sense).

    The kiosk must not act on a step it could not record: it goes out of service.
    """


_OUTCOME_ONLY = frozenset({Step.MONEY_IN, Step.STAFF, Step.ISSUANCE})

# record type → (step, phase, requested_yen, actual_yen, count, code)
_Row = tuple[Step, Phase, int, int, int, str]


def _item_of(record: JournalRecord) -> int:
    """The basket item a step belongs to (the money steps: 1)."""
    match record:
        case IssuanceReceived(item=item) | PrintIntent(item=item) | PrintOutcome(item=item):
            return item
        case ReportIntent(item=item) | ReportOutcome(item=item):
            return item
        case _:
            return 1


def _row(record: JournalRecord) -> _Row:
    match record:
        case PaymentIntent(amount_due_yen=due):
            return (Step.PAYMENT, Phase.INTENT, due, 0, 0, "")
        case PaymentOutcome(received_yen=received):
            return (Step.PAYMENT, Phase.OUTCOME, 0, received, 0, "")
        case MoneyIn(yen=yen, ref=ref):
            return (Step.MONEY_IN, Phase.OUTCOME, 0, yen, 0, ref)
        case ChangeIntent(yen=yen):
            return (Step.CHANGE, Phase.INTENT, yen, 0, 0, "")
        case ChangeOutcome(requested_yen=requested, dispensed_yen=dispensed):
            return (Step.CHANGE, Phase.OUTCOME, requested, dispensed, 0, "")
        case RefundIntent(yen=yen, reason=reason):
            return (Step.REFUND, Phase.INTENT, yen, 0, 0, refund_reason_code(reason))
        case RefundOutcome(requested_yen=requested, refunded_yen=refunded):
            return (Step.REFUND, Phase.OUTCOME, requested, refunded, 0, "")
        case PrintIntent(copies=copies, document_digest=digest):
            return (Step.PRINT, Phase.INTENT, 0, 0, copies, digest)
        case PrintOutcome(copies_printed=printed, fault=fault):
            return (Step.PRINT, Phase.OUTCOME, 0, 0, printed, fault.value if fault else "")
        case ReportIntent(outcome=outcome, copies_printed=printed):
            return (Step.REPORT, Phase.INTENT, 0, 0, printed, outcome)
        case ReportOutcome(acknowledged=acknowledged):
            return (Step.REPORT, Phase.OUTCOME, 0, 0, int(acknowledged), "")
        case StaffOwed(yen=yen, staff_code=code):
            return (Step.STAFF, Phase.OUTCOME, 0, yen, 0, code.value)
        case IssuanceReceived(issuance_id=issuance_id, sides_per_copy=sides):
            return (Step.ISSUANCE, Phase.OUTCOME, 0, 0, sides, issuance_id)
        case _:
            raise JournalError(f"not a step record: {type(record).__name__}")


@contextlib.contextmanager
def _read_errors(path: Path) -> Iterator[None]:
    """A read of the staff's views that fails is a JournalError (the staff screens say so)."""
    try:
        yield
    except sqlite3.Error as exc:
        raise JournalError(f"{path}: cannot read the journal: {exc}") from exc


class Journal:
    """The write-ahead journal of one kiosk (thread-safe; one writer process)."""

    def __init__(self, path: Path | str, *, clock: Callable[[], datetime] | None = None) -> None:
        self.path = Path(path)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=10
            )
            wal_row = self._db.execute("PRAGMA journal_mode=WAL")  # pragma: no mutate (SQL)
            mode = wal_row.fetchone()[0]
            if str(mode).lower() != "wal":
                raise JournalError(f"{self.path}: WAL mode refused (got {mode})")
            self._db.execute("PRAGMA synchronous=FULL")  # pragma: no mutate (SQL)
            self._db.execute("PRAGMA foreign_keys=ON")  # pragma: no mutate (SQL)
            self._db.executescript(_SCHEMA)
            self._check_version()
        except sqlite3.Error as exc:
            raise JournalError(f"{self.path}: cannot open the journal: {exc}") from exc

    def _check_version(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        version = row[0] if row is not None else None
        if version is None:  # a new file: version 1's tables were just made, then upgraded
            self._db.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '1')")
            version = "1"
        if version == "1":
            self._upgrade(self._to_version_2, 2, announce=row is not None)
            version = "2"
        if version == "2":
            self._upgrade(self._to_version_3, 3, announce=row is not None)
        elif version != str(SCHEMA_VERSION):
            self._check_newer(version)
            return
        # Which releases may read this journal (kiosk/journal/schema.py): a journal made before
        # the key existed gets it now; a newer release may have set it lower, never higher.
        self._db.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('readable_by', ?)",
            (str(READABLE_BY),),
        )

    def _check_newer(self, version: str) -> None:
        """A journal of another schema than this release's, not older: read it only when the
        release that wrote it says this one can (``readable_by``); never upgrade or stamp it."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'readable_by'").fetchone()
        try:
            number = int(version)
            readable_by = int(row[0]) if row is not None else None
        except ValueError:
            raise JournalError(f"{self.path}: schema version {version} is not a number") from None
        if number <= SCHEMA_VERSION:  # 1, 2 and 3 are matched as written; "01", "0", "-1" are not
            raise JournalError(f"{self.path}: schema version {version} is not a schema version")
        why = refusal(self.path, number, readable_by)
        if why is not None:
            raise JournalError(why)
        log.info(
            "journal %s: schema %d of a newer release, readable by this one", self.path, number
        )

    def _upgrade(self, change: Callable[[], None], to: int, *, announce: bool) -> None:
        """Bring an older journal up one version in one transaction; every row it holds stays
        as it is (tests/kiosk/journal/test_upgrade.py)."""
        self._db.execute("BEGIN IMMEDIATE")  # pragma: no mutate (SQL)
        try:
            change()
            self._db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(to),))
        except BaseException:
            self._db.execute("ROLLBACK")  # pragma: no mutate (SQL)
            raise
        self._db.execute("COMMIT")  # pragma: no mutate (SQL)
        if announce:
            log.info("journal %s upgraded to schema version %d", self.path, to)

    def _to_version_2(self) -> None:
        """Version 2: the business day, and what staff do."""
        self._db.execute(
            "ALTER TABLE transactions ADD COLUMN business_date TEXT"  # pragma: no mutate (SQL)
        )
        for statement in _operations_store.SCHEMA.split(";"):
            if statement.strip():
                self._db.execute(statement)

    def _to_version_3(self) -> None:
        """Version 3: the basket's items."""
        for statement in _BASKET_SCHEMA.split(";"):
            if statement.strip():
                self._db.execute(statement)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- writing ------------------------------------------------------------------------------

    def write(self, record: JournalRecord | OperationsRecord) -> None:
        """Record one step durably; raises JournalError if it cannot (then do not act)."""
        now = self._clock().isoformat()
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")  # pragma: no mutate (SQL)
                try:
                    self._write_locked(record, now)
                except BaseException:
                    self._db.execute("ROLLBACK")  # pragma: no mutate (SQL)
                    raise
                self._db.execute("COMMIT")  # pragma: no mutate (SQL)
            except sqlite3.Error as exc:
                raise JournalError(f"cannot record {type(record).__name__}: {exc}") from exc
        log.debug("journal: %s", record)

    def _write_locked(self, record: JournalRecord | OperationsRecord, now: str) -> None:
        if isinstance(
            record, OwedPaidBack | OwedPaidLate | CashCounted | ClosingRecorded | ServiceChanged
        ):
            try:
                _operations_store.write(self._db, record, now)
            except _operations_store.OperationError as exc:
                raise JournalError(str(exc)) from exc
            return
        if isinstance(record, TransactionOpened):
            if record.copies <= 0 or record.fee_per_copy_yen < 0:
                raise JournalError("a transaction needs copies > 0 and a fee >= 0")
            try:
                self._db.execute(
                    "INSERT INTO transactions"  # pragma: no mutate (SQL)
                    " (txn_id, opened_at, service, kind, copies,"  # pragma: no mutate (SQL)
                    " fee_per_copy_yen) VALUES (?, ?, ?, ?, ?, ?)",  # pragma: no mutate (SQL)
                    (
                        record.txn_id,
                        now,
                        record.service,
                        record.kind,
                        record.copies,
                        record.fee_per_copy_yen,
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise JournalError(f"transaction {record.txn_id} already opened") from exc
            return
        self._require_open(record.txn_id)
        if isinstance(record, ItemAdded):
            self._add_item(record)
            return
        if isinstance(record, TransactionClosed):
            self._db.execute(
                "UPDATE transactions SET closed_at = ?, close_reason = ?"  # pragma: no mutate (SQL)
                " WHERE txn_id = ?",  # pragma: no mutate (SQL)
                (now, record.reason.value, record.txn_id),
            )
            return
        if isinstance(record, IssuanceReceived) and record.business_date is not None:
            self._db.execute(
                "UPDATE transactions SET business_date = ?"  # pragma: no mutate (SQL)
                " WHERE txn_id = ?",  # pragma: no mutate (SQL)
                (record.business_date.isoformat(), record.txn_id),
            )
        step, phase, requested, actual, count, code = _row(record)
        if min(requested, actual, count) < 0:
            raise JournalError(f"negative amount or count in {record}")
        item = _item_of(record)
        if item != 1 and item not in self._items_locked(record.txn_id):
            raise JournalError(f"no item {item} in {record.txn_id}")
        needs_intent = phase is Phase.OUTCOME and step not in _OUTCOME_ONLY
        if needs_intent and not self._has_pending(record.txn_id, step, item):
            raise JournalError(f"{step} outcome without an intent in {record.txn_id}")
        self._db.execute(
            "INSERT INTO steps"  # pragma: no mutate (SQL)
            " (txn_id, at, step, phase, requested_yen, actual_yen,"  # pragma: no mutate (SQL)
            " count, code, item)"  # pragma: no mutate (SQL)
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",  # pragma: no mutate (SQL)
            (record.txn_id, now, step.value, phase.value, requested, actual, count, code, item),
        )

    def _add_item(self, record: ItemAdded) -> None:
        """A basket's next item: numbered in order, before any step of the transaction."""
        if record.copies <= 0 or record.fee_per_copy_yen < 0:
            raise JournalError("an item needs copies > 0 and a fee >= 0")
        if record.item != len(self._items_locked(record.txn_id)) + 2:
            raise JournalError(f"item {record.item} out of order in {record.txn_id}")
        started = self._db.execute(
            "SELECT 1 FROM steps WHERE txn_id = ? LIMIT 1",  # pragma: no mutate (SQL)
            (record.txn_id,),
        ).fetchone()
        if started is not None:
            raise JournalError(f"an item added to {record.txn_id} after its first step")
        self._db.execute(
            "INSERT INTO basket_items"  # pragma: no mutate (SQL)
            " (txn_id, item, kind, copies, fee_per_copy_yen)"  # pragma: no mutate (SQL)
            " VALUES (?, ?, ?, ?, ?)",  # pragma: no mutate (SQL)
            (record.txn_id, record.item, record.kind, record.copies, record.fee_per_copy_yen),
        )

    def _items_locked(self, txn_id: str) -> dict[int, tuple[str, int, int]]:
        """Items 2… of a transaction: item → (kind, copies, fee per copy)."""
        return {
            item: (kind, copies, fee)
            for item, kind, copies, fee in self._db.execute(
                "SELECT item, kind, copies, fee_per_copy_yen"  # pragma: no mutate (SQL)
                " FROM basket_items"  # pragma: no mutate (SQL)
                " WHERE txn_id = ? ORDER BY item",  # pragma: no mutate (SQL)
                (txn_id,),
            )
        }

    def _require_open(self, txn_id: str) -> None:
        row = self._db.execute(
            "SELECT closed_at FROM transactions WHERE txn_id = ?",  # pragma: no mutate (SQL)
            (txn_id,),
        ).fetchone()
        if row is None:
            raise JournalError(f"unknown transaction {txn_id}")
        if row[0] is not None:
            raise JournalError(f"transaction {txn_id} is closed")

    def _has_pending(self, txn_id: str, step: Step, item: int = 1) -> bool:
        intents, outcomes = self._db.execute(
            "SELECT COALESCE(SUM(phase = 'intent'), 0), COALESCE(SUM(phase = 'outcome'), 0)"
            " FROM steps WHERE txn_id = ? AND step = ? AND item = ?",  # pragma: no mutate (SQL)
            (txn_id, step.value, item),
        ).fetchone()
        return bool(intents > outcomes)

    # --- reading ------------------------------------------------------------------------------

    def intent_count(self, txn_id: str, step: Step) -> int:
        """How many intents of ``step`` the transaction has (the last one's ordinal)."""
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*) FROM steps WHERE txn_id = ? AND step = ? AND phase = 'intent'",
                (txn_id, step.value),
            ).fetchone()
        return int(row[0])

    def has_outcome_code(self, step: Step, code: str) -> bool:
        """Whether any transaction has an outcome of ``step`` recorded with ``code`` (a fee
        acceptor's name for a credit: was it journaled before a crash?)."""
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM steps WHERE step = ? AND phase = 'outcome' AND code = ? LIMIT 1",
                (step.value, code),
            ).fetchone()
        return row is not None

    def open_transactions(self) -> list[TransactionSummary]:
        """Every transaction not closed yet, oldest first: what a restart must finish."""
        with self._lock:
            ids = [
                row[0]
                for row in self._db.execute(
                    "SELECT txn_id FROM transactions"  # pragma: no mutate (SQL)
                    " WHERE closed_at IS NULL ORDER BY rowid"  # pragma: no mutate (SQL)
                )
            ]
            return [self._summary_locked(txn_id) for txn_id in ids]

    def transactions_opened(self, start: datetime, end: datetime) -> list[TransactionSummary]:
        """Every transaction opened in [start, end) (aware datetimes), oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT txn_id, opened_at FROM transactions"  # pragma: no mutate (SQL)
                " ORDER BY rowid"  # pragma: no mutate (SQL)
            ).fetchall()
            ids = [txn_id for txn_id, at in rows if start <= datetime.fromisoformat(at) < end]
            return [self._summary_locked(txn_id) for txn_id in ids]

    def transactions_of_day(self, day: date) -> list[TransactionSummary]:
        """Every transaction of business day ``day`` (TransactionSummary.business_day: the
        center's business day of its issuance, else the JST date it was opened on)."""
        with self._lock, _read_errors(self.path):
            ids = [
                row[0]
                for row in self._db.execute(
                    f"SELECT txn_id FROM transactions WHERE {_operations_store.BUSINESS_DAY} = ?"  # noqa: S608 - a constant
                    " ORDER BY rowid",  # pragma: no mutate (SQL)
                    (day.isoformat(),),
                )
            ]
            return [self._summary_locked(txn_id) for txn_id in ids]

    def business_days(self, limit: int = 14) -> list[tuple[date, int]]:
        """The latest business days that have transactions, newest first, with how many."""
        with self._lock, _read_errors(self.path):
            rows = self._db.execute(
                f"SELECT {_operations_store.BUSINESS_DAY} AS day, COUNT(*) FROM transactions"  # noqa: S608 - a constant
                " GROUP BY day ORDER BY day DESC LIMIT ?",  # pragma: no mutate (SQL)
                (limit,),
            ).fetchall()
        return [(date.fromisoformat(day), int(count)) for day, count in rows]

    def owed_entries(self, *, open_only: bool = True) -> list[OwedEntry]:
        """Money the kiosk owes residents (``StaffOwed``), oldest first; by default only what
        staff have not paid back yet (OwedPaidBack closes an entry; nothing is deleted)."""
        with self._lock, _read_errors(self.path):
            return _operations_store.owed_entries(self._db, open_only=open_only)

    def cash_counts(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[CashCounted]:
        """Every refill and collection counted by staff (in [since, until)), in order."""
        with self._lock, _read_errors(self.path):
            return _operations_store.cash_counts(self._db, since, until)

    def closing(self, day: date) -> ClosingState:
        """What was done of closing business day ``day``."""
        with self._lock, _read_errors(self.path):
            return _operations_store.closing_state(self._db, day)

    def closed_days(self) -> list[date]:
        with self._lock, _read_errors(self.path):
            return _operations_store.closed_days(self._db)

    def service(self) -> ServiceChanged | None:
        """The last time staff took the kiosk out of service or put it back (None: never)."""
        with self._lock, _read_errors(self.path):
            return _operations_store.service_state(self._db)

    def summary(self, txn_id: str) -> TransactionSummary:
        """The replayed state of one transaction (open or closed)."""
        with self._lock:
            return self._summary_locked(txn_id)

    def _summary_locked(self, txn_id: str) -> TransactionSummary:
        head = self._db.execute(
            "SELECT opened_at, service, kind, copies, fee_per_copy_yen,"  # pragma: no mutate (SQL)
            " close_reason, business_date"  # pragma: no mutate (SQL)
            " FROM transactions WHERE txn_id = ?",  # pragma: no mutate (SQL)
            (txn_id,),
        ).fetchone()
        if head is None:
            raise JournalError(f"unknown transaction {txn_id}")
        opened_at, service, kind, copies, fee, close_reason, business_date = head
        items = {1: ItemSummary(1, kind, copies, fee)}
        for number, (item_kind, item_copies, item_fee) in self._items_locked(txn_id).items():
            items[number] = ItemSummary(number, item_kind, item_copies, item_fee)
        due = received = change = refunded = stray = staff = 0
        paid = False
        open_intents: dict[tuple[Step, int], list[PendingStep]] = {}
        intents_seen: dict[Step, int] = {}
        last_report_intent: dict[int, str] = {}
        for step_name, phase_name, requested, actual, count, code, number in self._db.execute(
            "SELECT step, phase, requested_yen, actual_yen,"  # pragma: no mutate (SQL)
            " count, code, item"  # pragma: no mutate (SQL)
            " FROM steps"  # pragma: no mutate (SQL)
            " WHERE txn_id = ? ORDER BY seq",  # pragma: no mutate (SQL)
            (txn_id,),
        ):
            step, phase = Step(step_name), Phase(phase_name)
            if phase is Phase.INTENT:
                intents_seen[step] = ordinal = intents_seen.get(step, 0) + 1
                pending_step = PendingStep(step, requested, count, code, ordinal, number)
                open_intents.setdefault((step, number), []).append(pending_step)
                if step is Step.PAYMENT:
                    due = requested
                elif step is Step.REPORT:
                    last_report_intent[number] = code
                continue
            waiting = open_intents.get((step, number))
            intent = waiting.pop(0) if waiting else None
            item = items[number]
            match step:
                case Step.MONEY_IN:
                    received += actual
                case Step.PAYMENT:
                    paid = True
                case Step.CHANGE:
                    change += actual
                case Step.REFUND:
                    refunded += actual
                    if intent is not None and intent.code == RefundCause.STRAY.value:
                        stray += actual
                case Step.STAFF:
                    staff += actual
                case Step.ISSUANCE:
                    items[number] = replace(item, issuance_id=code, sides_per_copy=count)
                case Step.PRINT:
                    items[number] = replace(
                        item,
                        copies_printed=item.copies_printed + count,
                        print_fault=print_fault_from_code(code),
                    )
                case Step.REPORT:
                    if count:
                        items[number] = replace(item, report=last_report_intent.get(number))
        pending = tuple(p for steps in open_intents.values() for p in steps)
        first = items[1]
        return TransactionSummary(
            txn_id=txn_id,
            opened_at=datetime.fromisoformat(opened_at),
            service=service,
            kind=kind,
            copies=copies,
            fee_per_copy_yen=fee,
            amount_due_yen=due,
            received_yen=received,
            paid_in_full=paid,
            change_dispensed_yen=change,
            refunded_yen=refunded,
            staff_owed_yen=staff,
            copies_printed=first.copies_printed,
            report=first.report,
            issuance_id=first.issuance_id,
            print_fault=first.print_fault,
            pending=pending,
            closed=CloseReason(close_reason) if close_reason else None,
            sides_per_copy=first.sides_per_copy,
            stray_refunded_yen=stray,
            business_date=date.fromisoformat(business_date) if business_date else None,
            items=tuple(items[n] for n in sorted(items)),
        )
