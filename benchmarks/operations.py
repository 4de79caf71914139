"""Benchmark of the store-operations work that grows with the journal: a metrics scrape and
closing a business day.

    nice .venv/bin/python benchmarks/operations.py [--transactions 10000] [--per-day 500]
        [--scrapes 30] [--between 3] [--closings 5] [--journal-dir DIR]

Builds a journal of ``--transactions`` issuances, ``--per-day`` per business day (as the kiosk
writes them: opened, issuance received, paid, printed, reported, closed; one in 50 a refund that
fell short and is owed by staff, one in 100 whose report is still being sent), then measures:

* a scrape of the metrics endpoint (``GET /metrics`` over HTTP on loopback, as a region's
  Prometheus does every 30 s): the first after a start (it reads the whole journal), then
  scrapes with ``--between`` new transactions written before each (a busy store's 30 s) —
  median and 95th percentile wall time, the process's CPU time per scrape (the endpoint runs in
  the kiosk's process, beside the UI), and the size of the answer;
* closing one business day of ``--per-day`` issuances (``DayCloser.close``: the center's
  settlement parsed from its JSON, reconciled by issuance against the journal, the CSV and the
  PDF report written beside the journal with fsync, the report handed to a printer that takes
  it at once): wall and CPU time of the whole closing, and of its parts (reconciliation, PDF),
  the report's pages and size. Each closing is of a day not closed before. Then one day closed
  without the center, whose report lists every issuance (the longest report).

The journal is built with ``synchronous=OFF`` to save minutes (it measures reads); the closing's
own journal writes are the kiosk's (fsync). Nothing is asserted; the figures are printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(CHECKOUT))

from kiosk.center import wire  # noqa: E402 - after sys.path is set
from kiosk.center.wire.jsonstrict import dumps, loads  # noqa: E402
from kiosk.journal import Journal  # noqa: E402
from kiosk.operations.closing import DayCloser  # noqa: E402
from kiosk.operations.day_report import ReportHeader, render_pdf  # noqa: E402
from kiosk.operations.metrics import FlowFacts, KioskMetrics  # noqa: E402
from tests.kiosk.operations.conftest import AT, Day  # noqa: E402
from tests.kiosk.operations.test_closing import Printer  # noqa: E402

FIRST_DAY = date(2026, 11, 1)


def build(folder: Path, transactions: int, per_day: int) -> tuple[Journal, dict[date, Day]]:
    """A journal of ``transactions`` issuances over consecutive business days."""
    clock = [AT]

    def now() -> datetime:
        clock[0] += timedelta(seconds=1)
        return clock[0]

    journal = Journal(folder / "journal.sqlite", clock=now)
    journal._db.execute("PRAGMA synchronous=OFF")  # building only: the figures measure reads
    days: dict[date, Day] = {}
    started = time.perf_counter()
    for number in range(transactions):
        business_day = FIRST_DAY + timedelta(days=number // per_day)
        day = days.setdefault(business_day, Day(journal, business_day=business_day))
        txn = f"t{number:06d}"
        if number % 50 == 7:
            day.refund_owed(txn)
        elif number % 100 == 13:
            day.unreported(txn)
        else:
            day.printed(txn, copies=1 + number % 3 // 2)
    journal._db.execute("PRAGMA synchronous=FULL")
    size = (folder / "journal.sqlite").stat().st_size
    print(
        f"journal: {transactions} transactions over {len(days)} business days built in "
        f"{time.perf_counter() - started:.1f} s, {size / 2**20:.1f} MiB"
    )
    return journal, days


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)]


def bench_scrape(journal: Journal, scrapes: int, between: int) -> None:
    metrics = KioskMetrics(journal.path, lambda: FlowFacts(None, False, True))
    server = metrics.serve(0)
    host, port = server.server_address[:2]
    busy = Day(journal, business_day=date(2030, 1, 1))  # a day no closing below reads
    wall: list[float] = []
    cpu: list[float] = []
    size = 0

    def scrape() -> None:
        nonlocal size
        started, started_cpu = time.perf_counter(), time.process_time()
        with urllib.request.urlopen(f"http://{host}:{port}/metrics", timeout=60) as answer:
            size = len(answer.read())
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)

    try:
        scrape()  # the first after a start reads the whole journal
        first_wall, first_cpu = wall.pop(), cpu.pop()
        for number in range(scrapes):
            for extra in range(between):  # what residents did since the last scrape
                busy.printed(f"busy-{number}-{extra}")
            scrape()
    finally:
        server.shutdown()
        server.server_close()
    print(
        f"scrape: first after a start {first_wall * 1e3:.0f} ms wall, {first_cpu * 1e3:.0f} ms "
        f"CPU; then with {between} new transactions each: median "
        f"{statistics.median(wall) * 1e3:.1f} ms, p95 {percentile(wall, 0.95) * 1e3:.1f} ms "
        f"wall, median {statistics.median(cpu) * 1e3:.1f} ms CPU; {size / 1024:.1f} KiB "
        f"(scrapes={scrapes})"
    )


def bench_closing(journal: Journal, days: dict[date, Day], closings: int, folder: Path) -> None:
    def settlement(day: date) -> wire.Settlement:
        # As the center client gets it: JSON text parsed and checked (items add up).
        text = dumps(days[day].settlement(day).to_wire())
        return wire.Settlement.from_wire(loads(text))

    closer = DayCloser(
        journal=journal,
        settlement=settlement,
        printer=Printer(),  # type: ignore[arg-type]  # takes the job at once
        folder=folder / "closings",
        kiosk_id="kiosk-0001",
        clock=lambda: datetime(2026, 12, 1, 12, 0, tzinfo=UTC),
    )
    wall: list[float] = []
    cpu: list[float] = []
    reconcile_s: list[float] = []
    pdf_s: list[float] = []
    lines = pages = pdf_size = 0
    for business_day in sorted(days)[:closings]:
        started, started_cpu = time.perf_counter(), time.process_time()
        view = closer.close(business_day, "1001", progress=lambda _view: None)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        assert view.phase.name == "DONE", view  # a benchmark of a closing that failed is no use
        started = time.perf_counter()
        result = closer.reconcile(business_day, settlement(business_day))
        reconcile_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        pdf = render_pdf(result, ReportHeader("kiosk-0001", datetime.now(UTC), "1001"), [], [])
        pdf_s.append(time.perf_counter() - started)
        lines, pdf_size = len(result.lines), len(pdf)
        pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    # The longest report: closed without the center, every line is a difference to list.
    business_day = sorted(days)[closings]
    started = time.perf_counter()
    view = closer.close(business_day, "1001", without_center=True, progress=lambda _view: None)
    alone = time.perf_counter() - started
    assert view.phase.name == "DONE", view
    report = closer.files(business_day).pdf.read_bytes()
    alone_pages = report.count(b"/Type /Page") - report.count(b"/Type /Pages")
    print(
        f"closing a day of {lines} issuances: median {statistics.median(wall) * 1e3:.0f} ms wall, "
        f"{statistics.median(cpu) * 1e3:.0f} ms CPU (max {max(wall) * 1e3:.0f} ms); of which "
        f"settlement + reconciliation {statistics.median(reconcile_s) * 1e3:.0f} ms, PDF "
        f"{statistics.median(pdf_s) * 1e3:.0f} ms ({pages} pages, {pdf_size / 1024:.0f} KiB) "
        f"(closings={len(wall)}); without the center (every line listed): "
        f"{alone * 1e3:.0f} ms, {alone_pages} pages, {len(report) / 1024:.0f} KiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--transactions", type=int, default=10_000)
    parser.add_argument("--per-day", type=int, default=500)
    parser.add_argument("--scrapes", type=int, default=30)
    parser.add_argument("--between", type=int, default=3, help="transactions between scrapes")
    parser.add_argument("--closings", type=int, default=5)
    parser.add_argument("--journal-dir", type=Path, default=CHECKOUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.journal_dir) as tmp:
        journal, days = build(Path(tmp), args.transactions, args.per_day)
        try:
            bench_scrape(journal, args.scrapes, args.between)
            bench_closing(journal, days, args.closings, Path(tmp))
        finally:
            journal.close()


if __name__ == "__main__":
    main()
