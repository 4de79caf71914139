"""Closing a business day: reconcile the journal with the center's settlement, export the CSV
beside the journal, print the day report, journal every step — and resume after a power cut.

A closing is a run of journaled steps (kiosk/journal/operations.py, ``ClosingStep``): started,
the center's settlement read (or marked missing), reconciled, exported, printed (or the
printer's fault), done. A run that a power cut or a kill interrupted is resumed by the next
"close" of the same day: the steps without a lasting effect outside the kiosk (reading the
settlement — a GET —, reconciling, writing the files atomically) are done again, the ones with
one are not: a report that printed is not printed twice, a decision to close without the
center stands. A finished day can be closed again (after owed money was paid back, say): that
is a new run, with its own steps and a new report.

Where the files go: ``<journal folder>/closings/`` — ``<kiosk>-<day>.csv`` (one row per
reconciled line), ``<kiosk>-<day>.pdf`` (the report as printed) and
``<kiosk>-<day>.settlement.json`` (the center's settlement as read, for a reprint while the
center is down).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import Protocol, runtime_checkable

from kiosk.center import wire
from kiosk.center.errors import CenterError
from kiosk.journal import ClosingRecorded, ClosingStep, Journal, JournalError
from kiosk.operations.day_report import (
    JST,
    ReportHeader,
    render_csv,
    render_pdf,
    write_atomically,
)
from kiosk.operations.papers import A4Printer
from kiosk.operations.reconcile import Reconciliation, reconcile
from kiosk.staff.views import ClosingPhase, ClosingView, DayChoice, DayState
from printing.faults import JobHandle, JobState, PrinterError, PrinterFault, QueuedJob

log = logging.getLogger(__name__)

# A printed report's deadline: the printer's warm-up and 20 s a sheet (duplex: two pages).
REPORT_WARM_UP_S = 90.0
REPORT_PER_SHEET_S = 20.0
DAYS_LISTED = 14  # the closing screen lists the latest business days of the journal

Progress = Callable[[ClosingView], None]
SettlementSource = Callable[[date], wire.Settlement]


@runtime_checkable
class FindsJobs(Protocol):
    """A printer that can find the jobs it was sent by their title (printing.cups)."""

    def find_jobs(self, title_hash: str) -> tuple[QueuedJob, ...]: ...


@dataclass(frozen=True)
class ClosingFiles:
    csv: Path
    pdf: Path
    settlement: Path


class DayCloser:
    """Closes business days of one kiosk (thread-safe enough: one closing at a time, which the
    staff runtime guarantees)."""

    def __init__(
        self,
        *,
        journal: Journal,
        settlement: SettlementSource,
        printer: A4Printer | None,
        folder: Path,
        kiosk_id: str,
        clock: Callable[[], datetime],
    ) -> None:
        self.journal = journal
        self._settlement = settlement
        self._printer = printer
        self.folder = folder
        self.kiosk_id = kiosk_id
        self._clock = clock

    def files(self, day: date) -> ClosingFiles:
        stem = f"{self.kiosk_id}-{day.isoformat()}"
        return ClosingFiles(
            self.folder / f"{stem}.csv",
            self.folder / f"{stem}.pdf",
            self.folder / f"{stem}.settlement.json",
        )

    # -- the days -----------------------------------------------------------------------------
    def days(self) -> tuple[DayChoice, ...]:
        """The latest business days with transactions (and any whose closing was cut short)."""
        choices = []
        for day, count in self.journal.business_days(DAYS_LISTED):
            run = _current_run(self.journal.closing(day).steps)
            if not run:
                state, last = DayState.OPEN, None
            elif run[-1].step is ClosingStep.DONE:
                state, last = DayState.CLOSED, ClosingStep.DONE
            else:
                state, last = DayState.INTERRUPTED, run[-1].step
            choices.append(DayChoice(day, state, count, last))
        return tuple(choices)

    # -- closing ------------------------------------------------------------------------------
    def close(
        self, day: date, staff_id: str, *, without_center: bool = False, progress: Progress
    ) -> ClosingView:
        """Close ``day`` (or resume its interrupted run); the last view is returned and every
        view along the way is given to ``progress``."""
        try:
            return self._close(day, staff_id, without_center, progress)
        except JournalError as exc:
            log.error("closing %s: the journal failed: %s", day, exc)
            view = ClosingView(day, ClosingPhase.FAILED, detail="journal")
            progress(view)
            return view

    def _close(
        self, day: date, staff_id: str, without_center: bool, progress: Progress
    ) -> ClosingView:
        run = _current_run(self.journal.closing(day).steps)
        if not run or run[-1].step is ClosingStep.DONE:
            run = [self._record(day, ClosingStep.STARTED, staff_id)]
        done = {record.step for record in run}
        files = self.files(day)
        progress(ClosingView(day, ClosingPhase.RUNNING, run[-1].step))
        # 1. the center's side
        settlement: wire.Settlement | None = None
        if ClosingStep.CENTER_MISSING in done:
            without_center = True
        if not without_center:
            try:
                settlement = self._settlement(day)
            except CenterError as exc:
                log.warning("closing %s: the center cannot be reached: %s", day, exc)
                view = ClosingView(
                    day, ClosingPhase.CENTER_UNREACHABLE, run[-1].step, detail=type(exc).__name__
                )
                progress(view)
                return view
            write_atomically(files.settlement, wire.dumps(settlement.to_wire()))
            if ClosingStep.CENTER not in done:
                detail = f"issuances={settlement.issuances}"
                self._record(day, ClosingStep.CENTER, staff_id, detail)
        elif ClosingStep.CENTER_MISSING not in done:
            self._record(day, ClosingStep.CENTER_MISSING, staff_id)
        # 2. reconcile
        result = self.reconcile(day, settlement)
        if ClosingStep.RECONCILED not in done:
            totals = result.totals
            detail = f"lines={len(result.lines)};unexplained={totals.unexplained}"
            self._record(day, ClosingStep.RECONCILED, staff_id, detail)
        view = _view(result, ClosingPhase.RUNNING, ClosingStep.RECONCILED, files)
        progress(view)
        # 3. export (atomic: a reader sees the old file or the new one whole)
        pdf = self._report(result, staff_id)
        write_atomically(files.csv, render_csv(result))
        write_atomically(files.pdf, pdf)
        if ClosingStep.EXPORTED not in done:
            self._record(day, ClosingStep.EXPORTED, staff_id, files.csv.name)
        # 4. print, once per run: a resumed run first looks for the job it may have sent
        printed: bool | None = None
        fault: PrinterFault | None = None
        title = f"day-report-{day.isoformat()}-r{_run_number(self.journal, day)}"
        if ClosingStep.PRINTED in done:
            printed = True
        else:
            progress(_view(result, ClosingPhase.RUNNING, ClosingStep.EXPORTED, files))
            resumed = ClosingStep.EXPORTED in done and ClosingStep.PRINT_FAILED not in done
            found = self._sent_before(title) if resumed else None
            if found is None:
                printed, fault = self._print(day, pdf, staff_id, title)
            else:
                printed, fault = self._follow(day, found, staff_id)
        self._record(day, ClosingStep.DONE, staff_id)
        view = _view(result, ClosingPhase.DONE, ClosingStep.DONE, files, printed, fault)
        progress(view)
        log.info(
            "business day %s closed: %d lines, %d unexplained",
            day,
            len(result.lines),
            result.totals.unexplained,
        )
        return view

    def reprint(self, day: date, staff_id: str, *, progress: Progress) -> ClosingView:
        """Print the day report again (the printer had a fault, or staff want a copy)."""
        files = self.files(day)
        try:
            pdf = files.pdf.read_bytes()
            settlement = self._stored_settlement(day)
            result = self.reconcile(day, settlement)
            title = f"day-report-{day.isoformat()}-r{_run_number(self.journal, day)}"
            printed, fault = self._print(day, pdf, staff_id, title)
        except (OSError, JournalError) as exc:
            log.error("reprinting the report of %s: %s", day, exc)
            view = ClosingView(day, ClosingPhase.FAILED, detail=type(exc).__name__)
            progress(view)
            return view
        view = _view(result, ClosingPhase.DONE, ClosingStep.DONE, files, printed, fault)
        progress(view)
        return view

    def reconcile(self, day: date, settlement: wire.Settlement | None) -> Reconciliation:
        return reconcile(
            day,
            self.journal.transactions_of_day(day),
            self.journal.owed_entries(open_only=False),
            settlement,
        )

    # -- parts --------------------------------------------------------------------------------
    def _report(self, result: Reconciliation, staff_id: str) -> bytes:
        header = ReportHeader(self.kiosk_id, self._clock(), staff_id)
        day = result.day
        of_the_day = _txn_ids(result)
        owed = [e for e in self.journal.owed_entries() if e.txn_id in of_the_day]
        start = datetime.combine(day, dt_time(0), JST)  # the counts made on that day (JST)
        counts = self.journal.cash_counts(start, start + timedelta(days=1))
        return render_pdf(result, header, owed, counts)

    def _print(
        self, day: date, pdf: bytes, staff_id: str, title: str
    ) -> tuple[bool | None, PrinterFault | None]:
        printer = self._printer
        if printer is None:
            return None, None
        try:
            job = printer.submit(pdf, title_hash=title, copies_hint=1)
        except PrinterError as exc:
            self._record(day, ClosingStep.PRINT_FAILED, staff_id, exc.fault.value)
            return False, exc.fault
        return self._track(day, job, staff_id)

    def _track(
        self, day: date, job: JobHandle, staff_id: str
    ) -> tuple[bool | None, PrinterFault | None]:
        assert self._printer is not None
        sheets = max(1, (job.pages + 1) // 2)
        deadline = time.monotonic() + REPORT_WARM_UP_S + REPORT_PER_SHEET_S * sheets
        outcome = self._printer.track(job, deadline)
        if not outcome.completed:
            fault = outcome.fault or PrinterFault.PRINTER_ERROR
            self._record(day, ClosingStep.PRINT_FAILED, staff_id, fault.value)
            return False, fault
        self._record(day, ClosingStep.PRINTED, staff_id, str(job.job_id))
        return True, None

    def _sent_before(self, title: str) -> QueuedJob | None:
        """The report job a run cut short had sent, if CUPS has it (completed or still going);
        None: print it (none was sent, or it ended without printing)."""
        printer = self._printer
        if not isinstance(printer, FindsJobs):
            return None
        try:
            jobs = printer.find_jobs(title)
        except PrinterError as exc:
            log.warning("closing: CUPS cannot say whether the report was sent: %s", exc.fault)
            return None
        for job in reversed(jobs):
            if job.state is JobState.COMPLETED or not job.finished:
                return job
        return None

    def _follow(
        self, day: date, job: QueuedJob, staff_id: str
    ) -> tuple[bool | None, PrinterFault | None]:
        """A report job sent before the cut: counted if it printed, else followed to its end
        (it is not sent twice)."""
        if job.state is JobState.COMPLETED:
            self._record(day, ClosingStep.PRINTED, staff_id, str(job.job_id))
            return True, None
        queue = getattr(self._printer, "queue", "")
        handle = JobHandle(job.job_id, str(queue), job.job_name, 1, 1, time.monotonic())
        return self._track(day, handle, staff_id)

    def _stored_settlement(self, day: date) -> wire.Settlement | None:
        path = self.files(day).settlement
        if not path.is_file():
            return None
        try:
            return wire.Settlement.from_wire(wire.loads(path.read_bytes()))
        except (ValueError, wire.WireFormatError):
            log.error("the stored settlement of %s is unreadable", day)
            return None

    def _record(
        self, day: date, step: ClosingStep, staff_id: str, detail: str = ""
    ) -> ClosingRecorded:
        record = ClosingRecorded(day, step, staff_id, detail)
        self.journal.write(record)
        return record


def _run_number(journal: Journal, day: date) -> int:
    """Which closing run of ``day`` this is (1 for the first): names its report job."""
    steps = journal.closing(day).steps
    return max(1, sum(record.step is ClosingStep.STARTED for record in steps))


def _current_run(steps: tuple[ClosingRecorded, ...]) -> list[ClosingRecorded]:
    """The steps since the last ``STARTED`` (the closing run that counts)."""
    starts = [i for i, record in enumerate(steps) if record.step is ClosingStep.STARTED]
    return list(steps[starts[-1] :]) if starts else []


def _view(
    result: Reconciliation,
    phase: ClosingPhase,
    step: ClosingStep,
    files: ClosingFiles,
    printed: bool | None = None,
    fault: PrinterFault | None = None,
) -> ClosingView:
    return ClosingView(
        day=result.day,
        phase=phase,
        step=step,
        totals=result.totals,
        differences=result.differences,
        center_missing=result.center_missing,
        csv_name=files.csv.name,
        printed=printed,
        print_fault=fault,
    )


def _txn_ids(result: Reconciliation) -> set[str]:
    return {line.txn_id for line in result.lines if line.txn_id}


__all__ = ["ClosingFiles", "DayCloser", "Progress", "SettlementSource"]
