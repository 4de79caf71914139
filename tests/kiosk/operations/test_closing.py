"""Closing a business day on a real journal: the steps journaled, the CSV and the PDF beside
the journal, the center down (wait or close without it), the report's printer failing
(printed again later), and a closing cut short resumed where it stopped."""

from __future__ import annotations

import csv
import subprocess
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from kiosk.center import wire
from kiosk.center.errors import CenterUnreachable
from kiosk.journal import ClosingStep, Journal
from kiosk.operations.closing import DayCloser
from kiosk.staff.views import ClosingPhase, ClosingView, DayState
from printing.faults import (
    JobHandle,
    JobState,
    PrinterFault,
    PrinterStatus,
    PrintOutcome,
    QueuedJob,
)
from tests.kiosk.operations.conftest import AT, DAY, Day


class Printer:
    """An A4 printer that takes jobs and says how they ended (the CUPS adapter's interface)."""

    def __init__(self) -> None:
        self.jobs: list[bytes] = []
        self.titles: list[str] = []
        self.fault: PrinterFault | None = None

    def check_printer(self) -> PrinterStatus:
        return PrinterStatus(ready=self.fault is None, fault=self.fault)

    def submit(self, pdf: bytes, *, title_hash: str, copies_hint: int) -> JobHandle:
        self.jobs.append(pdf)
        self.titles.append(title_hash)
        return JobHandle(len(self.jobs), "kiosk-a4", title_hash, 2, 1, time.monotonic())

    def find_jobs(self, title_hash: str) -> tuple[QueuedJob, ...]:
        return tuple(
            QueuedJob(number, f"kiosk-{title}-abcdef", JobState.COMPLETED, 2)
            for number, title in enumerate(self.titles, 1)
            if title == title_hash
        )

    def track(
        self,
        job: JobHandle,
        deadline: float,
        *,
        cancel_on_failure: bool = True,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> PrintOutcome:
        if self.fault is not None:
            return PrintOutcome(False, self.fault, JobState.ABORTED, 0, 0, job.pages)
        return PrintOutcome(True, None, JobState.COMPLETED, job.pages, 1, job.pages)


class Center:
    def __init__(self, day: Day) -> None:
        self.day = day
        self.down = False
        self.asked: list[date] = []

    def settlement(self, when: date) -> wire.Settlement:
        self.asked.append(when)
        if self.down:
            raise CenterUnreachable("connection refused")
        return self.day.settlement(when)


def closer(day: Day, center: Center, printer: Printer | None) -> DayCloser:
    journal = day.journal
    return DayCloser(
        journal=journal,
        settlement=center.settlement,
        printer=printer,
        folder=journal.path.parent / "closings",
        kiosk_id="kiosk-0001",
        clock=lambda: AT,
    )


def steps(journal: Journal) -> list[ClosingStep]:
    return [record.step for record in journal.closing(DAY).steps]


def test_a_day_closes_with_its_files_and_every_step_journaled(day: Day) -> None:
    day.printed("t1")
    entry = day.refund_owed("t2")
    center, printer = Center(day), Printer()
    views: list[ClosingView] = []
    view = closer(day, center, printer).close(DAY, "1001", progress=views.append)
    assert view.phase is ClosingPhase.DONE
    assert view.printed is True
    assert view.totals is not None
    assert (view.totals.matched, view.totals.explained, view.totals.unexplained) == (1, 1, 0)
    assert [line.txn_id for line in view.differences] == ["t2"]
    assert steps(day.journal) == [
        ClosingStep.STARTED,
        ClosingStep.CENTER,
        ClosingStep.RECONCILED,
        ClosingStep.EXPORTED,
        ClosingStep.PRINTED,
        ClosingStep.DONE,
    ]
    assert views[0].phase is ClosingPhase.RUNNING
    assert len(printer.jobs) == 1
    files = closer(day, center, printer).files(DAY)
    assert files.csv.name == "kiosk-0001-2026-12-08.csv"
    assert files.csv.parent == day.journal.path.parent / "closings"  # beside the journal
    rows = list(csv.DictReader(files.csv.read_text(encoding="utf-8").splitlines()))
    assert [(r["txn_id"], r["status"], r["notes"]) for r in rows] == [
        ("t1", "matched", ""),
        ("t2", "explained", "owed_open"),
    ]
    assert rows[1]["kiosk_owed_yen"] == "200"
    assert rows[1]["center_refund_pending_yen"] == "200"
    assert files.pdf.read_bytes() == printer.jobs[0]  # the report kept is the one printed
    text = subprocess.run(
        ["pdftotext", "-layout", str(files.pdf), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "日計表" in text
    assert "t2" in text  # the difference, by transaction
    assert "未返金" in text
    assert wire.Settlement.from_wire(wire.loads(files.settlement.read_bytes())).items
    assert day.journal.closed_days() == [DAY]
    del entry


def test_center_down_waits_or_closes_without_it(day: Day) -> None:
    day.printed("t1")
    center, printer = Center(day), Printer()
    center.down = True
    days = closer(day, center, printer)
    view = days.close(DAY, "1001", progress=lambda v: None)
    assert view.phase is ClosingPhase.CENTER_UNREACHABLE
    assert view.detail == "CenterUnreachable"
    assert steps(day.journal) == [ClosingStep.STARTED]  # waits: nothing else recorded
    assert days.days()[0].state is DayState.INTERRUPTED
    view = days.close(DAY, "1001", without_center=True, progress=lambda v: None)
    assert view.phase is ClosingPhase.DONE
    assert view.center_missing
    assert view.totals is not None
    assert view.totals.center_fees_yen is None
    assert steps(day.journal)[:3] == [
        ClosingStep.STARTED,
        ClosingStep.CENTER_MISSING,
        ClosingStep.RECONCILED,
    ]
    assert "center_missing" in days.files(DAY).csv.read_text()


def test_the_report_is_printed_again_after_a_printer_fault(day: Day) -> None:
    day.printed("t1")
    center, printer = Center(day), Printer()
    printer.fault = PrinterFault.OUT_OF_PAPER
    days = closer(day, center, printer)
    view = days.close(DAY, "1001", progress=lambda v: None)
    assert view.phase is ClosingPhase.DONE  # the day is closed: the paper is another matter
    assert view.printed is False
    assert view.print_fault is PrinterFault.OUT_OF_PAPER
    assert ClosingStep.PRINT_FAILED in steps(day.journal)
    printer.fault = None
    center.down = True  # a reprint does not need the center (its settlement was kept)
    again = days.reprint(DAY, "1001", progress=lambda v: None)
    assert again.printed is True
    assert steps(day.journal)[-1] is ClosingStep.PRINTED
    assert printer.jobs[0] == printer.jobs[1]


def test_a_closing_cut_short_resumes_and_prints_once(day: Day, tmp_path: Path) -> None:
    day.printed("t1")
    center, printer = Center(day), Printer()
    closer(day, center, printer).close(DAY, "1001", progress=lambda v: None)
    # Another run of the same day that stops after printing (the power went): the journal has
    # its steps up to PRINTED.
    path = day.journal.path
    with Journal(path) as journal:
        from kiosk.journal import ClosingRecorded

        for step in (ClosingStep.STARTED, ClosingStep.CENTER, ClosingStep.RECONCILED,
                     ClosingStep.EXPORTED, ClosingStep.PRINTED):  # fmt: skip
            journal.write(ClosingRecorded(DAY, step, "1001"))
    day.journal.close()
    day.journal = Journal(path)  # the kiosk started again
    printed_before = len(printer.jobs)
    days = closer(day, center, printer)
    assert days.days()[0].state is DayState.INTERRUPTED
    assert days.days()[0].last_step is ClosingStep.PRINTED
    view = days.close(DAY, "1001", progress=lambda v: None)
    assert view.phase is ClosingPhase.DONE
    assert view.printed is True
    assert len(printer.jobs) == printed_before  # not printed twice
    run = steps(day.journal)[6:]
    assert run.count(ClosingStep.STARTED) == 1  # resumed, not started again
    assert run[-1] is ClosingStep.DONE
    assert days.days()[0].state is DayState.CLOSED


def test_a_report_sent_before_the_cut_is_not_sent_again(day: Day) -> None:
    day.printed("t1")
    center, printer = Center(day), Printer()
    days = closer(day, center, printer)
    # The run got as far as sending the report (CUPS printed it), then the power went.
    from kiosk.journal import ClosingRecorded

    for step in (ClosingStep.STARTED, ClosingStep.CENTER, ClosingStep.RECONCILED,
                 ClosingStep.EXPORTED):  # fmt: skip
        day.journal.write(ClosingRecorded(DAY, step, "1001"))
    printer.submit(b"%PDF-the report", title_hash="day-report-2026-12-08-r1", copies_hint=1)
    view = days.close(DAY, "1001", progress=lambda v: None)
    assert view.printed is True
    assert len(printer.jobs) == 1  # found in CUPS: not printed twice
    assert steps(day.journal)[-2:] == [ClosingStep.PRINTED, ClosingStep.DONE]
    # A second closing of the same day is a new run with its own report (r2).
    days.close(DAY, "1001", progress=lambda v: None)
    assert printer.titles[-1] == "day-report-2026-12-08-r2"
    assert len(printer.jobs) == 2


def test_a_journal_that_fails_stops_the_closing_and_says_so(day: Day) -> None:
    day.printed("t1")
    center, printer = Center(day), Printer()
    day.journal.close()  # the journal is gone
    view = closer(day, center, printer).close(DAY, "1001", progress=lambda v: None)
    assert view.phase is ClosingPhase.FAILED
    assert view.detail == "journal"
    assert printer.jobs == []


@pytest.fixture(autouse=True)
def _reopenable(day: Day) -> None:
    """(Each test may close the journal; nothing else to do.)"""
