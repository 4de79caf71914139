"""The staff's journal report on a real SQLite journal: a JST business day, what staff owe,
what is still open; also as a separate process beside a journal being written."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.journal import (
    ChangeIntent,
    ChangeOutcome,
    CloseReason,
    IssuanceReceived,
    ItemAdded,
    Journal,
    MoneyIn,
    PaymentIntent,
    PaymentOutcome,
    PrintIntent,
    PrintOutcome,
    RefundIntent,
    RefundOutcome,
    StaffOwed,
    TransactionClosed,
    TransactionOpened,
)
from kiosk.journal.report import main
from kiosk.problems import OwedCode, Problem
from printing.faults import PrinterFault

REPO = Path(__file__).resolve().parents[3]
# 2026-11-26 in JST runs from 2026-11-25T15:00Z to 2026-11-26T15:00Z.
NOV26_MORNING = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)  # 08:30 JST on the 26th
NOV26_LATE = datetime(2026, 11, 26, 14, 50, tzinfo=UTC)  # 23:50 JST on the 26th
NOV27_EARLY = datetime(2026, 11, 26, 15, 10, tzinfo=UTC)  # 00:10 JST on the 27th


def write_journal(path: Path) -> None:
    clock_now = [NOV26_MORNING]

    def clock() -> datetime:
        return clock_now[0]

    def at(moment: datetime) -> None:
        clock_now[0] = moment

    with Journal(path, clock=clock) as journal:
        # 08:30: a 住民票, a 1000-yen bill, 850 change, printed.
        at(NOV26_MORNING)
        for record in (
            TransactionOpened("a", "issue", "juminhyo", 1, 150),
            PaymentIntent("a", 150),
            MoneyIn("a", 1000),
            PaymentOutcome("a", 1000),
            ChangeIntent("a", 850),
            ChangeOutcome("a", 850, 850),
            PrintIntent("a", 1, ""),
            PrintOutcome("a", 1, None),
            TransactionClosed("a", CloseReason.COMPLETED),
        ):
            journal.write(record)
        # 23:50: paid 300, out of paper, the refund came up 100 short: staff owe 100.
        at(NOV26_LATE)
        for record in (
            TransactionOpened("b", "issue", "inkan", 1, 300),
            PaymentIntent("b", 300),
            MoneyIn("b", 300),
            PaymentOutcome("b", 300),
            PrintIntent("b", 1, ""),
            PrintOutcome("b", 0, PrinterFault.OUT_OF_PAPER),
            RefundIntent("b", 300, Problem.PRINTER_OUT_OF_PAPER),
            RefundOutcome("b", 300, 200),
            StaffOwed("b", 100, OwedCode.REFUND_SHORT),
            TransactionClosed("b", CloseReason.REFUNDED),
        ):
            journal.write(record)
        # 00:10 the next day: 500 inserted, then the power went: open and unsettled.
        at(NOV27_EARLY)
        for record in (
            TransactionOpened("c", "issue", "juminhyo", 2, 150),
            PaymentIntent("c", 300),
            MoneyIn("c", 500),
        ):
            journal.write(record)


def run(path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main([str(path), *args, "--json"]) == 0
    out = capsys.readouterr().out
    # One key a line, indented a space a level: staff read it too (and diff two days).
    assert out.startswith('{\n "'), out[:20]
    document: dict[str, object] = json.loads(out)
    return document


def test_a_business_day_in_japan_time(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "journal.sqlite"
    write_journal(path)
    day = run(path, capsys, "day", "2026-11-26")
    rows = day["transactions"]
    assert isinstance(rows, list)
    assert [r["txn_id"] for r in rows] == ["a", "b"]  # "c" belongs to the 27th in JST
    assert rows[0]["opened"] == "2026-11-26 08:30:00"
    assert day["totals"] == {
        "transactions": 2,
        "copies_printed": 1,
        "received_yen": 1300,
        "kept_yen": 150,
        "change_yen": 850,
        "refunded_yen": 200,
        "staff_owed_yen": 100,
        "unsettled_yen": 0,
    }
    next_day = run(path, capsys, "day", "2026-11-27")
    assert [r["txn_id"] for r in next_day["transactions"]] == ["c"]  # type: ignore[union-attr]


def test_what_staff_must_look_at(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "journal.sqlite"
    write_journal(path)
    owed = run(path, capsys, "owed")
    rows = owed["transactions"]
    assert isinstance(rows, list)
    assert [(r["txn_id"], r["staff_owed_yen"], r["unsettled_yen"]) for r in rows] == [
        ("b", 100, 0),
        ("c", 0, 500),
    ]
    still_open = run(path, capsys, "open")
    assert [r["txn_id"] for r in still_open["transactions"]] == ["c"]  # type: ignore[union-attr]


def test_the_table_and_the_default_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "journal.sqlite"
    write_journal(path)
    assert main([str(path), "day"], now=NOV26_LATE) == 0
    text = capsys.readouterr().out
    assert "staff owe" in text.splitlines()[0]
    assert text.splitlines()[-1].startswith("2 transactions, 1 copies printed; received 1300 yen")


def test_no_journal_is_an_error_not_a_new_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "missing.sqlite"), "owed"]) == 2
    assert "no such journal" in capsys.readouterr().err
    assert not (tmp_path / "missing.sqlite").exists()


def test_the_command_beside_an_open_journal(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    write_journal(path)
    with Journal(path) as writer:  # the kiosk keeps its journal open
        writer.write(MoneyIn("c", 100))
        result = subprocess.run(
            [sys.executable, "-m", "kiosk.journal", str(path), "open", "--json"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    [row] = json.loads(result.stdout)["transactions"]
    assert row["received_yen"] == 600


def test_a_transaction_that_paid_out_more_than_it_took_needs_staff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The acceptor paid back 500 where 300 was asked (a miscount, or a refund made twice):
    the kiosk is 200 short, and the staff report must show that transaction."""
    path = tmp_path / "journal.sqlite"
    with Journal(path, clock=lambda: NOV26_MORNING) as journal:
        for record in (
            TransactionOpened("over", "issue", "inkan", 1, 300),
            PaymentIntent("over", 300),
            MoneyIn("over", 300),
            PaymentOutcome("over", 300),
            PrintIntent("over", 1, ""),
            PrintOutcome("over", 0, PrinterFault.JAM),
            RefundIntent("over", 300, Problem.PRINTER_JAM),
            RefundOutcome("over", 300, 500),
            TransactionClosed("over", CloseReason.REFUNDED),
            TransactionOpened("fine", "issue", "inkan", 1, 300),
            TransactionClosed("fine", CloseReason.CANCELLED),
        ):
            journal.write(record)
    owed = run(path, capsys, "owed")
    rows = owed["transactions"]
    assert isinstance(rows, list)
    assert [(r["txn_id"], r["staff_owed_yen"], r["unsettled_yen"]) for r in rows] == [
        ("over", 0, -200)
    ]
    assert owed["totals"]["unsettled_yen"] == -200  # type: ignore[index]


def test_the_table_row_by_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "journal.sqlite"
    write_journal(path)
    assert main([str(path), "day", "2026-11-26"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "transaction  opened (JST)         kind      copies  printed  received  kept  change"
        "  refunded  staff owe  unsettled  state",
        "a            2026-11-26 08:30:00  juminhyo  1       1        1000      150   850"
        "     0         0          0          completed",
        "b            2026-11-26 23:50:00  inkan     1       0        300       0     0"
        "       200       100        0          refunded",
        "2 transactions, 1 copies printed; received 1300 yen, kept 150, change 850, refunded"
        " 200, owed by staff 100, unsettled 0",
    ]


def test_one_yen_owed_is_owed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "journal.sqlite"
    with Journal(path, clock=lambda: NOV26_MORNING) as journal:
        journal.write(TransactionOpened("y", "issue", "inkan", 1, 300))
        journal.write(StaffOwed("y", 1, OwedCode.REFUND_SHORT))  # and 1 yen unsettled the other way
        journal.write(PaymentIntent("y", 300))
        journal.write(MoneyIn("y", 1))
    owed = run(path, capsys, "owed")
    assert [r["txn_id"] for r in owed["transactions"]] == ["y"]  # type: ignore[union-attr]


def test_a_transaction_opened_at_midnight_belongs_to_the_new_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "journal.sqlite"
    midnight = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)  # 00:00:00 JST on the 27th
    with Journal(path, clock=lambda: midnight) as journal:
        journal.write(TransactionOpened("m", "issue", "inkan", 1, 300))
    assert run(path, capsys, "day", "2026-11-26")["transactions"] == []
    [row] = run(path, capsys, "day", "2026-11-27")["transactions"]  # type: ignore[misc]
    assert row == {
        "txn_id": "m",
        "opened": "2026-11-27 00:00:00",
        "kind": "inkan",
        "copies": 1,
        "printed": 0,
        "received_yen": 0,
        "kept_yen": 0,
        "change_yen": 0,
        "refunded_yen": 0,
        "staff_owed_yen": 0,
        "unsettled_yen": 0,
        "state": "open",
        "items": [
            {
                "item": 1,
                "kind": "inkan",
                "copies": 1,
                "fee_per_copy_yen": 300,
                "printed": 0,
                "issuance_id": None,
                "report": None,
            }
        ],
    }


def test_a_basket_is_one_transaction_with_its_items(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two certificates in one visit: one row, the kinds joined and the copies added, each item
    in ``items``; the day's totals count every item's copies and keep every printed fee."""
    path = tmp_path / "journal.sqlite"
    with Journal(path, clock=lambda: NOV26_MORNING) as journal:
        journal.write(TransactionOpened("b", "issue", "juminhyo", 1, 300))
        journal.write(ItemAdded("b", 2, "inkan", 2, 200))
        journal.write(IssuanceReceived("b", "ISS-1", 2, None, 1))
        journal.write(IssuanceReceived("b", "ISS-2", 2, None, 2))
        journal.write(PaymentIntent("b", 700))
        journal.write(MoneyIn("b", 1000))
        journal.write(PaymentOutcome("b", 1000))
        journal.write(ChangeIntent("b", 300))
        journal.write(ChangeOutcome("b", 300, 300))
        journal.write(PrintIntent("b", 1, "d1", 1))
        journal.write(PrintOutcome("b", 1, None, 1))
        journal.write(PrintIntent("b", 2, "d2", 2))
        journal.write(PrintOutcome("b", 1, PrinterFault.JAM, 2))
        journal.write(RefundIntent("b", 200, Problem.PRINTER_JAM))
        journal.write(RefundOutcome("b", 200, 200))
    day = run(path, capsys, "day", "2026-11-26")
    [row] = day["transactions"]  # type: ignore[misc]
    assert (row["kind"], row["copies"], row["printed"]) == ("juminhyo+inkan", 3, 2)
    assert (row["kept_yen"], row["unsettled_yen"]) == (500, 0)
    assert [(i["kind"], i["printed"], i["issuance_id"]) for i in row["items"]] == [
        ("juminhyo", 1, "ISS-1"),
        ("inkan", 1, "ISS-2"),
    ]
    assert day["totals"]["copies_printed"] == 2  # type: ignore[index]
    assert day["totals"]["kept_yen"] == 500  # type: ignore[index]


def test_the_command_explains_itself(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: python -m kiosk.journal ")
    assert "The staff's view of the journal: a business day's transactions and totals" in text
    assert "python -m kiosk.journal JOURNAL owed" not in text  # the first paragraph only
    for command, meaning in (
        ("day", "a JST business day's transactions and totals"),
        ("owed", "transactions where staff owe money or money is unsettled"),
        ("open", "transactions not closed yet"),
    ):
        assert f"    {command:<5}" in text
        assert re.search(rf"\b{command} {re.escape(meaning)}( |$)", " ".join(text.split()))
    with pytest.raises(SystemExit):
        main(["journal.sqlite", "day", "--help"])
    day_help = " ".join(capsys.readouterr().out.split())
    assert "day YYYY-MM-DD" in day_help
    assert "--json one JSON document on stdout" in day_help


def test_a_command_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["journal.sqlite"])
    assert exited.value.code == 2
    assert "required: command" in capsys.readouterr().err


def test_the_default_day_is_the_business_day_in_japan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "journal.sqlite"
    write_journal(path)
    assert main([str(path), "day", "--json"], now=NOV27_EARLY) == 0  # the 26th in UTC
    rows = json.loads(capsys.readouterr().out)["transactions"]
    assert [r["txn_id"] for r in rows] == ["c"]


def test_a_broken_journal_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "journal.sqlite"
    bad.write_bytes(b"not a database" * 100)
    assert main([str(bad), "open"]) == 2
    assert capsys.readouterr().err.startswith(f"journal: {bad}: cannot open the journal")


def test_owed_reaches_back_to_the_first_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "journal.sqlite"
    first = datetime(2000, 1, 1, tzinfo=UTC)  # the earliest day the command looks at
    with Journal(path, clock=lambda: first) as journal:
        journal.write(TransactionOpened("old", "issue", "inkan", 1, 300))
        journal.write(PaymentIntent("old", 300))
        journal.write(MoneyIn("old", 100))
    rows = run(path, capsys, "owed")["transactions"]
    assert [r["txn_id"] for r in rows] == ["old"]  # type: ignore[union-attr]
