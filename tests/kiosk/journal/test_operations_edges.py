"""The edges of the staff records in the journal (a real SQLite file): the limits a record must
keep, every field read back as written and with the time it was written, the window of a cash
count, the order and the days of closings, a reason of a newer kiosk, and a journal that cannot
be read. The plain paths are in test_operations.py."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.journal import (
    CashCounted,
    CashCountKind,
    ClosingRecorded,
    ClosingState,
    ClosingStep,
    IssuanceReceived,
    Journal,
    JournalError,
    OwedEntry,
    OwedPaidBack,
    ServiceChanged,
    StaffOwed,
    TransactionOpened,
)
from kiosk.journal._operations_store import STAFF_ID_MAX
from kiosk.problems import OwedCode, ServiceStop

DAY = date(2026, 12, 8)
T0 = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)  # 10:00 JST on DAY


class Clock:
    """The journal's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def journal(tmp_path: Path, clock: Clock) -> Journal:
    return Journal(tmp_path / "journal.sqlite", clock=clock)


def test_the_staff_id_may_be_as_long_as_its_limit_and_no_longer(journal: Journal) -> None:
    longest = "S" * STAFF_ID_MAX
    journal.write(ServiceChanged(longest, None))
    assert journal.service() == ServiceChanged(longest, None)
    with pytest.raises(JournalError, match=r"^a staff record needs the staff id$"):
        journal.write(ServiceChanged(longest + "1", ServiceStop.PRINTER))
    assert journal.service() == ServiceChanged(longest, None)  # the refused one left nothing


def test_a_count_of_no_pieces_and_of_one_yen_coins_is_a_count(journal: Journal) -> None:
    journal.write(CashCounted("c1", CashCountKind.COLLECTION, "S001", 1, 0, 0))
    journal.write(CashCounted("c1", CashCountKind.COLLECTION, "S001", 5, 1, None))
    assert [(c.denomination, c.counted, c.unit_count) for c in journal.cash_counts()] == [
        (1, 0, 0),
        (5, 1, None),
    ]


@pytest.mark.parametrize(
    ("denomination", "counted"),
    [(100, -1), (0, 3), (-100, 3)],
    ids=["negative pieces", "denomination 0", "negative denomination"],
)
def test_a_count_that_makes_no_sense_is_refused_as_such(
    journal: Journal, denomination: int, counted: int
) -> None:
    # Refused by the store's own check, with its reason, not by the table's CHECK after it.
    with pytest.raises(JournalError, match=r"^a count needs pieces >= 0 of a denomination$"):
        journal.write(CashCounted("c1", CashCountKind.REFILL, "S001", denomination, counted, None))
    assert journal.cash_counts() == []


def test_a_denomination_counted_twice_in_one_count_is_named(journal: Journal) -> None:
    journal.write(CashCounted("c7", CashCountKind.REFILL, "S001", 100, 50, 50))
    with pytest.raises(JournalError, match=r"^count c7 already has that piece$"):
        journal.write(CashCounted("c7", CashCountKind.REFILL, "S001", 100, 51, 50))


def test_an_owed_entry_reads_back_whole_with_its_times(journal: Journal, clock: Clock) -> None:
    journal.write(TransactionOpened("t1", "issue", "juminhyo", 1, 300))
    clock.now = T0 + timedelta(minutes=3)
    journal.write(StaffOwed("t1", 300, OwedCode.REFUND_SHORT))
    (entry,) = journal.owed_entries()
    assert entry == OwedEntry(
        entry=entry.entry,
        txn_id="t1",
        at=T0 + timedelta(minutes=3),
        yen=300,
        code=OwedCode.REFUND_SHORT,
        paid_at=None,
        paid_by=None,
        paid_yen=0,
    )
    clock.now = T0 + timedelta(days=1)
    journal.write(OwedPaidBack(entry.entry, "S002", 300))
    (paid,) = journal.owed_entries(open_only=False)
    assert (paid.paid_at, paid.paid_by, paid.paid_yen) == (T0 + timedelta(days=1), "S002", 300)
    assert paid.at == T0 + timedelta(minutes=3)  # the entry's own time stays


def test_a_paid_back_record_names_an_owed_entry_not_any_step(journal: Journal) -> None:
    journal.write(TransactionOpened("t1", "issue", "juminhyo", 1, 300))
    journal.write(IssuanceReceived("t1", "iss-1", 1, business_date=DAY))
    journal.write(StaffOwed("t1", 300, OwedCode.REFUND_SHORT))
    (entry,) = journal.owed_entries()
    # The step before the owed entry is the issuance; it is no owed entry, whatever its amount.
    with pytest.raises(JournalError, match=rf"^no owed entry {entry.entry - 1}$"):
        journal.write(OwedPaidBack(entry.entry - 1, "S001", 0))
    with pytest.raises(JournalError, match=rf"^owed entry {entry.entry} is 300 yen, not 30$"):
        journal.write(OwedPaidBack(entry.entry, "S001", 30))
    journal.write(OwedPaidBack(entry.entry, "S001", 300))
    with pytest.raises(JournalError, match=rf"^owed entry {entry.entry} was already paid back$"):
        journal.write(OwedPaidBack(entry.entry, "S001", 300))


def test_cash_counts_within_a_window_include_its_start_and_not_its_end(
    journal: Journal, clock: Clock
) -> None:
    hour = timedelta(hours=1)
    written = []
    kinds = [CashCountKind.REFILL, CashCountKind.COLLECTION, CashCountKind.REFILL]
    for n, kind in enumerate(kinds):
        clock.now = T0 + n * hour
        count = CashCounted(f"c{n}", kind, f"S00{n}", 100, 10 + n, 9 + n)
        journal.write(count)
        written.append(count)
    assert journal.cash_counts() == written  # every field, in the order they were counted
    assert journal.cash_counts(since=T0 + hour) == written[1:]
    assert journal.cash_counts(until=T0 + hour) == written[:1]
    assert journal.cash_counts(since=T0 + hour, until=T0 + 2 * hour) == written[1:2]
    assert journal.cash_counts(since=T0 + 3 * hour) == []


def test_a_closing_reads_back_its_own_day_in_the_order_it_was_done(journal: Journal) -> None:
    other_day = DAY + timedelta(days=1)
    journal.write(ClosingRecorded(DAY, ClosingStep.STARTED, "S001"))
    journal.write(ClosingRecorded(other_day, ClosingStep.STARTED, "S003"))
    journal.write(ClosingRecorded(DAY, ClosingStep.CENTER, "S002", "issuances=3"))
    journal.write(ClosingRecorded(DAY, ClosingStep.PRINT_FAILED, "S002", "paper_out"))
    assert journal.closing(DAY) == ClosingState(
        DAY,
        (
            ClosingRecorded(DAY, ClosingStep.STARTED, "S001"),
            ClosingRecorded(DAY, ClosingStep.CENTER, "S002", "issuances=3"),
            ClosingRecorded(DAY, ClosingStep.PRINT_FAILED, "S002", "paper_out"),
        ),
    )
    assert journal.closing(other_day) == ClosingState(
        other_day, (ClosingRecorded(other_day, ClosingStep.STARTED, "S003"),)
    )
    assert journal.closing(DAY - timedelta(days=1)) == ClosingState(DAY - timedelta(days=1), ())


def test_closed_days_are_the_days_done_once_each_oldest_first(journal: Journal) -> None:
    later, earlier = DAY + timedelta(days=1), DAY - timedelta(days=1)
    journal.write(ClosingRecorded(later, ClosingStep.DONE, "S001"))
    journal.write(ClosingRecorded(DAY, ClosingStep.STARTED, "S001"))  # not done
    journal.write(ClosingRecorded(earlier, ClosingStep.DONE, "S001"))
    journal.write(ClosingRecorded(later, ClosingStep.DONE, "S002"))  # done again: one day
    assert journal.closed_days() == [earlier, later]


def test_a_service_stop_of_a_newer_kiosk_is_still_out_of_service(
    journal: Journal, tmp_path: Path
) -> None:
    with sqlite3.connect(tmp_path / "journal.sqlite") as newer_kiosk:
        newer_kiosk.execute(
            "INSERT INTO service_changes (at, staff_id, stop) VALUES (?, 'S009', 'flooded')",
            (T0.isoformat(),),
        )
    newer_kiosk.close()
    assert journal.service() == ServiceChanged("S009", ServiceStop.MAINTENANCE)
    journal.write(ServiceChanged("S001", ServiceStop.CASH_UNIT))
    assert journal.service() == ServiceChanged("S001", ServiceStop.CASH_UNIT)


def test_business_days_newest_first_with_their_counts(journal: Journal, clock: Clock) -> None:
    first = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)  # 10:00 JST
    for n in range(16):  # 11-01 … 11-16, one transaction each
        clock.now = first + timedelta(days=n)
        journal.write(TransactionOpened(f"t{n}", "issue", "juminhyo", 1, 300))
    journal.write(TransactionOpened("t15b", "issue", "juminhyo", 1, 300))  # 11-16's second
    # 23:30 UTC on 11-16 is 11-17 in Japan: the business day is the JST date it was opened on...
    clock.now = datetime(2026, 11, 16, 23, 30, tzinfo=UTC)
    journal.write(TransactionOpened("late", "issue", "juminhyo", 1, 300))
    # ...unless the center named the day (its issuance says 11-20, a day with nothing else).
    journal.write(TransactionOpened("named", "issue", "juminhyo", 1, 300))
    journal.write(IssuanceReceived("named", "iss-n", 1, business_date=date(2026, 11, 20)))
    days = journal.business_days()  # 18 days have transactions; the latest 14 are listed
    assert days[:3] == [(date(2026, 11, 20), 1), (date(2026, 11, 17), 1), (date(2026, 11, 16), 2)]
    assert days[3:] == [(date(2026, 11, 15 - n), 1) for n in range(11)]
    assert journal.business_days(2) == days[:2]


READS = {
    "transactions_of_day": lambda journal: journal.transactions_of_day(DAY),
    "business_days": lambda journal: journal.business_days(),
    "owed_entries": lambda journal: journal.owed_entries(),
    "cash_counts": lambda journal: journal.cash_counts(),
    "closing": lambda journal: journal.closing(DAY),
    "closed_days": lambda journal: journal.closed_days(),
    "service": lambda journal: journal.service(),
}


@pytest.mark.parametrize("read", READS.values(), ids=READS.keys())
def test_a_staff_view_of_a_journal_that_cannot_be_read_names_the_file(
    journal: Journal, tmp_path: Path, read: Callable[[Journal], object]
) -> None:
    path = tmp_path / "journal.sqlite"
    with sqlite3.connect(path) as vandal:  # another process breaks the file under the kiosk
        for table in ("owed_paid", "cash_counts", "closings", "service_changes", "steps"):
            vandal.execute(f"DROP TABLE {table}")
        vandal.execute("ALTER TABLE transactions RENAME TO transactions_gone")
    vandal.close()
    with pytest.raises(JournalError, match=rf"^{path}: cannot read the journal: no such table"):
        read(journal)
