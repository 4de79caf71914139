"""Settling a print a crash interrupted (kiosk/runtime/print_recovery.py), step by step with a
scripted print system: find → decide → settle, and the print service that does it before any
new job. The same against the real cupsd and a killed kiosk: tests/e2e/test_kiosk_print_crash.py.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.flow import Event
from kiosk.flow import effects as fx
from kiosk.flow import events as ev
from kiosk.journal import (
    IssuanceReceived,
    Journal,
    MoneyIn,
    PaymentIntent,
    PaymentOutcome,
    PrintIntent,
    PrintOutcome,
    TransactionOpened,
)
from kiosk.runtime import PrintService, PrintTiming, TransactionFacts
from kiosk.runtime.print_recovery import (
    InterruptedPrint,
    PrintSettlement,
    interrupted_prints,
    record_settlement,
    settle_print,
)
from kiosk.runtime.recovery import recover_open_transactions, recover_transaction
from printing.faults import (
    JobHandle,
    JobState,
    PrinterError,
    PrinterFault,
    PrinterStatus,
    QueuedJob,
)
from printing.faults import PrintOutcome as JobOutcome

ITEM = InterruptedPrint("t1", "digest01", copies=3, sides_per_copy=2)


def outcome(completed: bool, pages: int | None, fault: PrinterFault | None = None) -> JobOutcome:
    return JobOutcome(
        completed=completed,
        fault=None if completed else (fault or PrinterFault.OFFLINE),
        job_state=JobState.COMPLETED if completed else JobState.CANCELED,
        pages_printed=pages,
        sheets_printed=None,
        pages_total=6,
    )


@dataclass
class ScriptedCups:
    """The print system as the recovery sees it: jobs by title, and what tracking one gives."""

    jobs: tuple[QueuedJob, ...] = ()
    tracked: JobOutcome | None = None
    unreachable: int = 0  # how many find_jobs calls fail before it answers
    queue: str = "KioskCapture"
    tracks: list[tuple[JobHandle, float, bool]] = field(default_factory=list)
    finds: int = 0

    def find_jobs(self, title_hash: str) -> tuple[QueuedJob, ...]:
        self.finds += 1
        if self.unreachable:
            self.unreachable -= 1
            raise PrinterError(PrinterFault.UNREACHABLE, "connection refused")
        return tuple(job for job in self.jobs if title_hash in job.job_name)

    def track(
        self,
        job: JobHandle,
        deadline: float,
        *,
        cancel_on_failure: bool = True,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> JobOutcome:
        self.tracks.append((job, deadline, cancel_on_failure))
        assert self.tracked is not None
        return self.tracked

    # the rest of printing.cups.CupsPrinter, for the print service
    def check_printer(self) -> PrinterStatus:
        return PrinterStatus(ready=True, fault=None)

    def submit(self, pdf: bytes, *, title_hash: str, copies_hint: int) -> JobHandle:
        raise AssertionError("no new job in these tests")

    def close(self) -> None:
        pass


def job(state: JobState, pages: int | None, job_id: int = 7) -> QueuedJob:
    return QueuedJob(job_id, f"kiosk-{ITEM.document_digest}-abcdef", state, pages)


def deadline_for(sheets: int) -> float:
    return 1000.0 + sheets


# -- decide --------------------------------------------------------------------------------------
def test_no_job_in_cups_means_nothing_printed() -> None:
    # No fault to name: the completion report gives the restart as the reason.
    assert settle_print(ScriptedCups(), ITEM, deadline_for) == PrintSettlement(0, None, ())


def test_a_completed_job_printed_every_copy() -> None:
    cups = ScriptedCups(jobs=(job(JobState.COMPLETED, 6),))
    assert settle_print(cups, ITEM, deadline_for) == PrintSettlement(3, None, (7,))
    assert cups.tracks == []  # an ended job is not followed


@pytest.mark.parametrize(
    ("pages", "sides", "copies"),
    [(5, 2, 2), (1, 2, 0), (None, 2, 0), (6, 0, 0), (40, 2, 3)],
)
def test_an_ended_job_counts_whole_copies_only(pages: int | None, sides: int, copies: int) -> None:
    item = InterruptedPrint("t1", "digest01", copies=3, sides_per_copy=sides)
    cups = ScriptedCups(jobs=(job(JobState.CANCELED, pages),))
    settled = settle_print(cups, item, deadline_for)
    fault = None if copies == 3 else PrinterFault.CANCELLED
    assert settled == PrintSettlement(copies, fault, (7,))


def test_a_job_still_in_the_queue_is_followed_under_the_live_rules() -> None:
    cups = ScriptedCups(jobs=(job(JobState.PROCESSING, 2),), tracked=outcome(True, 6))
    assert settle_print(cups, ITEM, deadline_for) == PrintSettlement(3, None, (7,))
    [(handle, deadline, cancel)] = cups.tracks
    assert cancel  # a job that cannot print is cancelled, never left to print later
    assert deadline == deadline_for(3)  # 3 copies of one sheet each
    assert (handle.job_id, handle.pages) == (7, 6)


def test_a_job_that_cannot_print_is_cancelled_and_counted() -> None:
    cups = ScriptedCups(
        jobs=(job(JobState.PROCESSING, 2),), tracked=outcome(False, 3, PrinterFault.OFFLINE)
    )
    assert settle_print(cups, ITEM, deadline_for) == PrintSettlement(1, PrinterFault.OFFLINE, (7,))


def test_cups_unreachable_settles_nothing() -> None:
    assert settle_print(ScriptedCups(unreachable=1), ITEM, deadline_for) is None
    lost = ScriptedCups(
        jobs=(job(JobState.PENDING, 0),), tracked=outcome(False, None, PrinterFault.UNREACHABLE)
    )
    assert settle_print(lost, ITEM, deadline_for) is None


def test_a_print_intent_without_digest_is_not_printed() -> None:
    item = InterruptedPrint("t1", "", copies=1, sides_per_copy=2)
    assert settle_print(ScriptedCups(), item, deadline_for) == PrintSettlement(0, None, ())


# -- find (in the journal) and settle -----------------------------------------------------------
def paid_and_printing(journal: Journal, txn: str = "t1", copies: int = 2) -> None:
    journal.write(TransactionOpened(txn, "issue", "juminhyo", copies, 300))
    journal.write(IssuanceReceived(txn, f"iss-{txn}", 2))
    journal.write(PaymentIntent(txn, 300 * copies))
    journal.write(MoneyIn(txn, 1000))
    journal.write(PaymentOutcome(txn, 1000))
    journal.write(PrintIntent(txn, copies, f"dig-{txn}"))


def test_the_journal_names_the_interrupted_prints(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite3") as journal:
        paid_and_printing(journal, "t1")
        paid_and_printing(journal, "t2")
        journal.write(PrintOutcome("t2", 2, ""))  # t2 ended before the crash
        assert interrupted_prints(journal) == [InterruptedPrint("t1", "dig-t1", 2, 2)]
        # The assembly holds t1 back; t2 is recovered now (printed, change owed by staff).
        [report] = recover_open_transactions(journal, "kiosk-0001", hold={"t1"})
        assert report.txn_id == "t2"
        assert journal.summary("t1").closed is None
        assert journal.summary("t1").staff_owed_yen == 0


@pytest.mark.parametrize(
    ("printed", "outcome_", "owed"),
    [
        (2, fx.Completion.PRINTED, 400),
        (1, fx.Completion.FAILED, 700),
        (0, fx.Completion.FAILED, 1000),
    ],
)
def test_settling_from_cups_decides_the_money_and_the_report(
    tmp_path: Path, printed: int, outcome_: fx.Completion, owed: int
) -> None:
    with Journal(tmp_path / "j.sqlite3") as journal:
        paid_and_printing(journal)
        [item] = interrupted_prints(journal)
        fault = None if printed == 2 else PrinterFault.OFFLINE
        record_settlement(journal, item, PrintSettlement(printed, fault, (7,)))
        record_settlement(journal, item, PrintSettlement(printed, fault, (7,)))  # a retry
        assert interrupted_prints(journal) == []
        report = recover_transaction(journal, journal.summary("t1"), "kiosk-0001")
        assert report is not None
        assert (report.report.outcome, report.report.copies_printed) == (outcome_, printed)
        assert report.report.print_fault == fault  # what ended the job, for the center
        summary = journal.summary("t1")
        assert summary.copies_printed == printed
        assert summary.staff_owed_yen == owed  # change, and the fees of unprinted copies
        assert summary.kept_yen == 300 * printed


# -- the print service: before any new job ------------------------------------------------------
def service_with(cups: ScriptedCups) -> tuple[PrintService, queue.Queue[Event]]:
    events: queue.Queue[Event] = queue.Queue()
    service = PrintService(
        cups,  # type: ignore[arg-type]
        TransactionFacts(),
        salt=b"s" * 32,
        timing=PrintTiming(1.0, 1.0),
        clock=lambda: datetime(2026, 4, 15, 10, 0, tzinfo=UTC),
    )
    service.start(events.put)
    return service, events


def test_no_printer_check_passes_while_an_old_job_cannot_be_settled() -> None:
    cups = ScriptedCups(jobs=(job(JobState.COMPLETED, 6),), unreachable=2)
    service, events = service_with(cups)
    settled: list[tuple[InterruptedPrint, PrintSettlement]] = []
    try:
        service.recover([ITEM], lambda item, s: settled.append((item, s)))
        service.check()  # the start's attempt failed, this one too: not ready
        assert events.get(timeout=5) == ev.PrinterNotReady(PrinterFault.UNREACHABLE)
        assert settled == []
        service.check()  # CUPS answers now: the old job is settled first, then the check
        assert events.get(timeout=5) == ev.PrinterReady()
        assert settled == [(ITEM, PrintSettlement(3, None, (7,)))]
        service.check()
        assert events.get(timeout=5) == ev.PrinterReady()
        assert len(settled) == 1  # once
    finally:
        service.stop()


def test_the_service_asks_again_by_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    from kiosk.runtime import printer as printer_module

    monkeypatch.setattr(printer_module, "RECOVERY_RETRY_S", 0.1)
    cups = ScriptedCups(jobs=(job(JobState.COMPLETED, 6),), unreachable=3)
    service, _events = service_with(cups)
    settled: list[Any] = []
    try:
        service.recover([ITEM], lambda item, s: settled.append(s))
        deadline = time.monotonic() + 5
        while not settled and time.monotonic() < deadline:
            time.sleep(0.02)
        assert settled == [PrintSettlement(3, None, (7,))]
        assert cups.finds == 4
    finally:
        service.stop()
