"""The journal's figures kept up to date between scrapes: whatever the steps written between two
readings, the running sums equal a first reading of the whole journal; a journal file replaced
at the same path is read again from the start."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from kiosk.journal import ClosingRecorded, ClosingStep, Journal, OwedPaidBack
from kiosk.operations.journal_figures import JournalReader
from tests.kiosk.operations.conftest import DAY, FEE, Day


@pytest.mark.parametrize("seed", range(5))
def test_read_by_steps_equals_read_at_once(day: Day, seed: int) -> None:
    rng = random.Random(seed)
    reader = JournalReader(day.journal.path)
    reader.read()  # an empty journal first
    for n in range(40):
        kind = rng.choice(
            ("printed", "printed", "owed", "unreported", "paid_back", "closing", "basket")
        )
        if kind == "basket":
            day.basket_jammed(f"t{n}")
        elif kind == "printed":
            day.printed(f"t{n}", copies=rng.choice((1, 2, 3)))
        elif kind == "owed":
            day.refund_owed(f"t{n}")
        elif kind == "unreported":
            day.unreported(f"t{n}")
        elif kind == "paid_back" and (owed := day.journal.owed_entries()):
            day.journal.write(OwedPaidBack(owed[0].entry, "1001", owed[0].yen))
        elif kind == "closing":
            day.journal.write(ClosingRecorded(DAY, ClosingStep.DONE, "1001"))
        if rng.random() < 0.3:  # a scrape now and then, between any two writes
            reader.read()
    assert reader.read() == JournalReader(day.journal.path).read()


def test_the_figures(day: Day) -> None:
    reader = JournalReader(day.journal.path)
    day.printed("t1", copies=2)
    first = reader.read()
    assert (first.kept_yen, first.outcome("print", 1), first.ended) == (
        2 * FEE,
        2,
        {"completed": 1},
    )
    day.refund_owed("t2")
    day.unreported("t3")
    figures = reader.read()
    assert figures.kept_yen == 3 * FEE  # t3 printed and paid; t2 refunded
    assert figures.outcome("issuance", 2) == 3
    assert figures.outcome("money_in", 0) == 4 * FEE
    assert figures.ended == {"completed": 1, "staff": 1}
    assert figures.open_transactions == 1
    assert (figures.owed_open_entries, figures.owed_open_yen) == (1, FEE - 100)
    assert figures.last_closing is None


def test_a_journal_replaced_is_read_again(day: Day, tmp_path: Path) -> None:
    backup = tmp_path / "backup.sqlite"
    day.printed("t1")
    day.journal._db.execute("VACUUM INTO ?", (str(backup),))  # the journal with t1 only
    reader = JournalReader(day.journal.path)
    for n in range(2, 6):
        day.printed(f"t{n}")
    assert reader.read().kept_yen == 5 * FEE
    restored = JournalReader(day.journal.path)
    for n in range(6, 12):
        day.printed(f"t{n}")
    restored.read()  # read up to t11's steps, more than the older copy will have
    day.journal.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{day.journal.path}{suffix}").unlink(missing_ok=True)
    shutil.copy(backup, day.journal.path)  # restored from an older copy
    assert reader.read().kept_yen == FEE
    later = Journal(day.journal.path)  # the kiosk goes on writing on the restored copy
    for n in range(20, 40):
        Day(later).printed(f"t{n}")
    assert restored.read().kept_yen == 21 * FEE  # not t1..t11 plus what came after
    later.close()


def test_a_basket_keeps_each_printed_item_s_own_fee(day: Day) -> None:
    from tests.kiosk.operations.conftest import INKAN_FEE

    reader = JournalReader(day.journal.path)
    reader.read()
    day.basket_jammed("b1")
    figures = reader.read()
    assert figures.kept_yen == FEE  # item 1 printed; item 2 (another fee) paid back
    assert figures.outcome("refund", 0) == 2 * INKAN_FEE
    assert figures.outcome("print", 1) == 1
    assert figures == JournalReader(day.journal.path).read()
