"""The staff's view of the journal: a business day's transactions and totals, and every
transaction where money is owed by staff or not yet accounted for.

    python -m kiosk.journal JOURNAL day [YYYY-MM-DD] [--json]   # JST business day, default today
    python -m kiosk.journal JOURNAL owed [--json]               # owed by staff or unsettled
    python -m kiosk.journal JOURNAL open [--json]               # not closed yet

Read-only (the journal is opened beside a running kiosk: SQLite WAL allows it). Shows ids,
amounts, counts and codes only — the journal holds nothing personal.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path

from kiosk.journal.store import Journal, JournalError
from kiosk.journal.summary import TransactionSummary

JST = timezone(timedelta(hours=9), "JST")  # the business day of a Japanese kiosk

COLUMNS = (
    ("txn_id", "transaction"),
    ("opened", "opened (JST)"),
    ("kind", "kind"),
    ("copies", "copies"),
    ("printed", "printed"),
    ("received_yen", "received"),
    ("kept_yen", "kept"),
    ("change_yen", "change"),
    ("refunded_yen", "refunded"),
    ("staff_owed_yen", "staff owe"),
    ("unsettled_yen", "unsettled"),
    ("state", "state"),
)


@dataclass(frozen=True)
class Totals:
    transactions: int
    copies_printed: int
    received_yen: int
    kept_yen: int
    change_yen: int
    refunded_yen: int
    staff_owed_yen: int
    unsettled_yen: int


def row(summary: TransactionSummary) -> dict[str, object]:
    """One transaction; a basket's certificates are joined ("juminhyo+inkan") and its copies
    added up (``items``, in the JSON document, has them one by one)."""
    basket = summary.basket
    return {
        "txn_id": summary.txn_id,
        "opened": summary.opened_at.astimezone(JST).strftime("%Y-%m-%d %H:%M:%S"),
        "kind": "+".join(item.kind for item in basket),
        "copies": sum(item.copies for item in basket),
        "printed": sum(item.copies_printed for item in basket),
        "received_yen": summary.received_yen,
        "kept_yen": summary.kept_yen,
        "change_yen": summary.change_dispensed_yen,
        "refunded_yen": summary.refunded_yen,
        "staff_owed_yen": summary.staff_owed_yen,
        "unsettled_yen": summary.unsettled_yen,
        "state": summary.closed.value if summary.closed is not None else "open",
    }


def items_of(summary: TransactionSummary) -> list[dict[str, object]]:
    """Each certificate of the transaction (one, or a basket's): what the center issued, what
    was printed, how its report ended."""
    return [
        {
            "item": item.item,
            "kind": item.kind,
            "copies": item.copies,
            "fee_per_copy_yen": item.fee_per_copy_yen,
            "printed": item.copies_printed,
            "issuance_id": item.issuance_id,
            "report": item.report,
        }
        for item in summary.basket
    ]


def totals(summaries: Iterable[TransactionSummary]) -> Totals:
    items = list(summaries)
    return Totals(
        transactions=len(items),
        copies_printed=sum(i.copies_printed for s in items for i in s.basket),
        received_yen=sum(s.received_yen for s in items),
        kept_yen=sum(s.kept_yen for s in items),
        change_yen=sum(s.change_dispensed_yen for s in items),
        refunded_yen=sum(s.refunded_yen for s in items),
        staff_owed_yen=sum(s.staff_owed_yen for s in items),
        unsettled_yen=sum(s.unsettled_yen for s in items),
    )


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), JST)
    return start, start + timedelta(days=1)


def needs_staff(summary: TransactionSummary) -> bool:
    return summary.staff_owed_yen > 0 or summary.unsettled_yen != 0


def render_table(summaries: Sequence[TransactionSummary]) -> str:
    rows = [[str(v) for v in row(s).values()] for s in summaries]
    header = [title for _, title in COLUMNS]
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=False)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
             for line in [header, *rows]]  # fmt: skip
    total = totals(summaries)
    lines.append(
        f"{total.transactions} transactions, {total.copies_printed} copies printed; "
        f"received {total.received_yen} yen, kept {total.kept_yen}, change {total.change_yen}, "
        f"refunded {total.refunded_yen}, owed by staff {total.staff_owed_yen}, "
        f"unsettled {total.unsettled_yen}"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None, now: datetime | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kiosk.journal", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("journal", type=Path)
    output = argparse.ArgumentParser(add_help=False)
    output.add_argument("--json", action="store_true", help="one JSON document on stdout")
    commands = parser.add_subparsers(dest="command", required=True)
    day_parser = commands.add_parser(
        "day", parents=[output], help="a JST business day's transactions and totals"
    )
    day_parser.add_argument("day", nargs="?", type=date.fromisoformat, help="YYYY-MM-DD")
    commands.add_parser(
        "owed", parents=[output], help="transactions where staff owe money or money is unsettled"
    )
    commands.add_parser("open", parents=[output], help="transactions not closed yet")
    args = parser.parse_args(argv)
    if not args.journal.is_file():
        print(f"{args.journal}: no such journal", file=sys.stderr)
        return 2
    try:
        with Journal(args.journal) as journal:
            if args.command == "day":
                day = args.day or (now or datetime.now(UTC)).astimezone(JST).date()
                summaries = journal.transactions_opened(*day_bounds(day))
            elif args.command == "owed":
                start = datetime(2000, 1, 1, tzinfo=UTC)
                every = journal.transactions_opened(start, datetime(9999, 1, 1, tzinfo=UTC))
                summaries = [s for s in every if needs_staff(s)]
            else:
                summaries = journal.open_transactions()
    except JournalError as exc:
        print(f"journal: {exc}", file=sys.stderr)
        return 2
    if args.json:
        document = {
            "transactions": [{**row(s), "items": items_of(s)} for s in summaries],
            "totals": totals(summaries).__dict__,
        }
        print(json.dumps(document, ensure_ascii=False, indent=1))
    else:
        print(render_table(summaries))
    return 0
