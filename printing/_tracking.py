"""Following a print job to its end: the polling loop and the verdict on each snapshot.

Pure kiosk logic over :class:`JobSnapshot` values; the CUPS adapter (:mod:`printing.cups`)
produces the snapshots, so this module has no ``cups`` import and is unit-tested with a scripted
source as well as end to end against a real cupsd.

IPP job states (RFC 8011 §5.3.7): 3 pending, 4 held, 5 processing, 6 stopped, 7 canceled,
8 aborted, 9 completed.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from printing.faults import (
    JobHandle,
    JobState,
    PrinterError,
    PrinterFault,
    PrinterState,
    PrinterStatus,
    PrintOutcome,
    classify_reasons,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobSnapshot:
    """One look at a job and its printer."""

    state: JobState | None
    job_reasons: tuple[str, ...]
    pages_printed: int | None  # job-impressions-completed
    sheets_printed: int | None  # job-media-sheets-completed
    printer: PrinterStatus
    message: str = ""


class JobSource(Protocol):
    poll_interval_s: float
    unreachable_give_up_s: float
    offline_grace_s: float

    def poll(self, job_id: int) -> JobSnapshot:
        """The job's and printer's state now. Raises :class:`PrinterError`: ``UNREACHABLE``
        when the print system does not answer (tracking retries), another fault when the job
        or its queue is gone (tracking ends)."""
        ...

    def cancel(self, job: JobHandle) -> bool: ...


def verdict(snap: JobSnapshot) -> tuple[bool, PrinterFault | None]:
    """(ended, fault) for one snapshot: (True, None) is a completed job; (False, None) means
    keep waiting; (False, fault) is a job that cannot go on until someone fixes the printer."""
    state = snap.state
    if state is JobState.COMPLETED:
        return True, None
    if state is JobState.CANCELED:
        return True, PrinterFault.CANCELLED
    if state is JobState.ABORTED:
        return True, PrinterFault.ABORTED
    reason_fault = classify_reasons(snap.printer.reasons)
    if state is JobState.PROCESSING:
        return False, reason_fault
    if state in (JobState.PENDING, JobState.HELD, JobState.STOPPED):
        if snap.printer.state is PrinterState.STOPPED:
            return False, reason_fault or PrinterFault.STOPPED
        if state is JobState.HELD:  # held jobs wait for a person to release them
            return False, PrinterFault.STOPPED
        if state is JobState.STOPPED:
            return False, reason_fault or PrinterFault.PRINTER_ERROR
    return False, None  # pending on a working printer, or a state we could not read: wait


class _Tracker:
    def __init__(
        self,
        source: JobSource,
        job: JobHandle,
        deadline: float,
        cancel_on_failure: bool,
        on_progress: Callable[[int, int], None] | None,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        self.source, self.job, self.deadline = source, job, deadline
        self.cancel_on_failure, self.on_progress = cancel_on_failure, on_progress
        self.clock, self.sleep = clock, sleep
        self.last: JobSnapshot | None = None
        self.reported_pages: int | None = None

    def run(self) -> PrintOutcome:
        unreachable_since: float | None = None
        offline_since: float | None = None
        while True:
            now = self.clock()
            try:
                snap = self.source.poll(self.job.job_id)
            except PrinterError as exc:
                if exc.fault is not PrinterFault.UNREACHABLE:  # the job or queue is gone
                    logger.warning("job %d: %s", self.job.job_id, exc)
                    return self._end(exc.fault, cancel=False)
                unreachable_since = unreachable_since if unreachable_since is not None else now
                silent = now - unreachable_since
                if silent >= self.source.unreachable_give_up_s or now >= self.deadline:
                    logger.warning(
                        "job %d: print system silent for %.1f s: %s", self.job.job_id, silent, exc
                    )
                    return self._end(exc.fault, cancel=False)
                self._pause(now)
                continue
            unreachable_since = None
            self.last = snap
            self._progress(snap)
            ended, fault = verdict(snap)
            if ended:
                return self._end(fault, cancel=False)
            if fault is PrinterFault.OFFLINE:
                # Printers waking from sleep may report offline for a moment (CUPS backends say
                # offline-report while they retry): only a lasting one is a fault.
                offline_since = offline_since if offline_since is not None else now
                if now - offline_since < self.source.offline_grace_s:
                    fault = None
            else:
                offline_since = None
            if fault is not None:
                logger.warning(
                    "job %d: printer fault %s (%s)",
                    self.job.job_id,
                    fault.value,
                    ", ".join(snap.printer.reasons) or snap.printer.message,
                )
                return self._end(fault, cancel=self.cancel_on_failure)
            if now >= self.deadline:
                logger.warning("job %d: not finished by its deadline", self.job.job_id)
                return self._end(PrinterFault.TIMEOUT, cancel=self.cancel_on_failure)
            self._pause(now)

    def _pause(self, now: float) -> None:
        self.sleep(max(0.0, min(self.source.poll_interval_s, self.deadline - now)))

    def _progress(self, snap: JobSnapshot) -> None:
        if self.on_progress is None or snap.pages_printed is None:
            return
        if snap.pages_printed != self.reported_pages:
            self.reported_pages = snap.pages_printed
            try:
                self.on_progress(snap.pages_printed, self.job.pages)
            except Exception:  # a UI callback must not break tracking
                logger.exception("on_progress callback failed")

    def _end(self, fault: PrinterFault | None, *, cancel: bool) -> PrintOutcome:
        cancelled = False
        seen = self.last  # what the printer said when the job ended or failed
        if cancel:
            cancelled = self.source.cancel(self.job)
            # The final state and what was printed by the time the cancel took effect.
            with contextlib.suppress(PrinterError):
                self.last = self.source.poll(self.job.job_id)
        snap = self.last
        outcome = PrintOutcome(
            completed=fault is None,
            fault=fault,
            job_state=snap.state if snap else None,
            pages_printed=snap.pages_printed if snap else None,
            sheets_printed=snap.sheets_printed if snap else None,
            pages_total=self.job.pages,
            reasons=seen.printer.reasons if seen else (),
            message=(seen.message or seen.printer.message) if seen else "",
            cancelled_by_kiosk=cancelled,
            elapsed_s=self.clock() - self.job.submitted_at,
        )
        logger.info(
            "job %d ended: %s, %s of %d pages printed%s",
            self.job.job_id,
            "completed" if fault is None else fault.value,
            "?" if outcome.pages_printed is None else outcome.pages_printed,
            self.job.pages,
            ", cancelled" if cancelled else "",
        )
        return outcome


def track_job(
    source: JobSource,
    job: JobHandle,
    deadline: float,
    *,
    cancel_on_failure: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> PrintOutcome:
    """Follow ``job`` from ``source`` to an outcome (:meth:`printing.cups.CupsPrinter.track`)."""
    return _Tracker(source, job, deadline, cancel_on_failure, on_progress, clock, sleep).run()
