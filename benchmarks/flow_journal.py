"""Benchmark of the flow's step function and the journal's durable writes.

    .venv/bin/python benchmarks/flow_journal.py [--runs 200] [--journal-dir DIR]

* ``step``: the whole happy path of one issuance (about 30 events: card, PIN, menu, payment with a
  bill and change, printing, report) — median time per transaction and per event, CPU time
  (the flow is pure Python; the UI thread calls it for every intent).
* journal: one ``write`` (a committed SQLite transaction in WAL mode with synchronous=FULL, so
  an fsync per record) — median and 95th percentile wall time on ``--journal-dir`` (default:
  a temporary folder on the same disk as the checkout, since fsync cost depends on the disk).

Nothing is asserted; the figures are printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.flow import events as ev
from kiosk.journal import Journal, MoneyIn, PaymentIntent, TransactionOpened
from kiosk.payment import ChangeDispensed
from tests.kiosk.flow.conftest import Driver


def one_transaction() -> int:
    driver = Driver()
    driver.to_printing(copies=1, inserted=(1000,))
    driver.send(ChangeDispensed(700, 700))
    driver.send(ev.PrintFinished(1), ev.CompletionReported(driver.txn_id), ev.Finish())
    return len(driver.history)


def bench_step(runs: int) -> None:
    per_txn: list[float] = []
    events = 0
    for _ in range(runs):
        start = time.process_time()
        events = one_transaction()
        per_txn.append(time.process_time() - start)
    median = statistics.median(per_txn)
    print(
        f"step: {events} events per issuance; median {median * 1e3:.2f} ms CPU per issuance, "
        f"{median / events * 1e6:.0f} µs per event (runs={runs})"
    )


def bench_journal(runs: int, folder: Path) -> None:
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        journal = Journal(Path(tmp) / "journal.sqlite")
        journal.write(TransactionOpened("bench", "issue", "juminhyo", 1, 300))
        journal.write(PaymentIntent("bench", 100_000))
        times: list[float] = []
        for _ in range(runs):
            start = time.perf_counter()
            journal.write(MoneyIn("bench", 10))
            times.append(time.perf_counter() - start)
        journal.close()
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"journal write (WAL, synchronous=FULL) in {folder}: median "
        f"{statistics.median(times) * 1e3:.2f} ms, p95 {p95 * 1e3:.2f} ms (runs={runs})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--journal-dir", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    bench_step(args.runs)
    bench_journal(args.runs, args.journal_dir)


if __name__ == "__main__":
    main()
