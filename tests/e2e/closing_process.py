"""A closing of a business day in a process of its own (for the kill -9 tests): the journal,
the center and the printer as the kiosk has them.

    python -m tests.e2e.closing_process JOURNAL DAY --center URL CA CERT KEY --cups SERVER QUEUE
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from kiosk.center.client import CenterClient, CenterConfig
from kiosk.journal import Journal
from kiosk.operations.closing import DayCloser
from printing.cups import CupsPrinter


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("journal", type=Path)
    parser.add_argument("day", type=date.fromisoformat)
    parser.add_argument("--center", nargs=4, required=True)
    parser.add_argument("--cups", nargs=2, required=True)
    args = parser.parse_args()
    url, ca, cert, key = args.center
    config = CenterConfig(url, Path(ca), Path(cert), Path(key))

    def settlement(day: date):  # type: ignore[no-untyped-def]
        with CenterClient(config) as client:
            return client.settlement(day)

    server, queue = args.cups
    journal = Journal(args.journal)
    closer = DayCloser(
        journal=journal,
        settlement=settlement,
        printer=CupsPrinter(queue, server=server, poll_interval_s=0.05),
        folder=args.journal.parent / "closings",
        kiosk_id="kiosk-0001",
        clock=lambda: datetime.now(UTC),
    )
    view = closer.close(args.day, "1001", progress=lambda v: print(v.phase.value, flush=True))
    print(f"closed {view.phase.value}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
