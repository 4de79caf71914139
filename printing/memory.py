"""A printer in memory: the third implementation of the kiosk's printer, next to the CUPS adapter
(:mod:`printing.cups`) on a real queue and the private cupsd of the simulators.

It takes the same jobs (an A4 PDF named by a plain hash, checked by :mod:`printing.job_checks`),
reports the same statuses (:func:`printing.faults.printer_status` over IPP reason keywords) and
is followed by the same tracking loop (:func:`printing._tracking.track_job`) as CUPS; only the
device is simulated. Each poll of a job prints ``sides_per_poll`` more page sides (IPP
impressions), so a run is deterministic and takes milliseconds. Unit tests of the print path
use it; nothing in it talks to a daemon.

Controls (thread-safe; the kiosk's print worker polls while a test changes things):

- :meth:`MemoryPrinter.set_condition` — a printer condition now (paper out, a jam, an open door,
  toner, offline, an error, a stopped queue, a queue that accepts no jobs, the print system
  unreachable, the queue gone) or ``None`` when fixed;
- :meth:`MemoryPrinter.fail_at_side` — the next job stops before side ``n`` (``n - 1`` sides come
  out) with a fault: a printer condition that stays until cleared, as a real jam does, or the
  job aborted or cancelled by the print system;
- :meth:`MemoryPrinter.stall` — jobs stop progressing (the kiosk's deadline ends them);
- :attr:`MemoryPrinter.jobs` — the history: every job taken, its document, sides printed,
  state and whether the kiosk cancelled it.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from printing._tracking import JobSnapshot, track_job
from printing.faults import (
    JobHandle,
    JobState,
    PrinterError,
    PrinterFault,
    PrinterState,
    PrinterStatus,
    PrintOutcome,
    QueuedJob,
    printer_status,
)
from printing.job_checks import check_title_hash, inspect_document

QUEUE = "memory"

# The IPP printer-state-reasons keyword (RFC 8011 §5.4.12) a device condition is reported with,
# so that the status and the tracking verdict go through the same classification as CUPS.
CONDITION_REASONS: dict[PrinterFault, str] = {
    PrinterFault.OUT_OF_PAPER: "media-empty-error",
    PrinterFault.JAM: "media-jam-error",
    PrinterFault.DOOR_OPEN: "door-open-error",
    PrinterFault.TONER_EMPTY: "toner-empty-error",
    PrinterFault.OFFLINE: "offline-report",
    PrinterFault.PRINTER_ERROR: "other-error",
}
# Conditions of the queue or the print system rather than of the device.
QUEUE_CONDITIONS = frozenset(
    {
        PrinterFault.STOPPED,
        PrinterFault.NOT_ACCEPTING,
        PrinterFault.UNREACHABLE,
        PrinterFault.NO_QUEUE,
    }
)
# What the print system does to the job itself.
JOB_ENDINGS: dict[PrinterFault, JobState] = {
    PrinterFault.ABORTED: JobState.ABORTED,
    PrinterFault.CANCELLED: JobState.CANCELED,
}


@dataclass
class MemoryJob:
    """One job the printer took (the history of :attr:`MemoryPrinter.jobs`)."""

    handle: JobHandle
    pdf: bytes = field(repr=False)
    sides_printed: int = 0
    state: JobState = JobState.PENDING
    cancelled_by_kiosk: bool = False
    fail_at_side: int | None = None  # stop before this side (1-based) with ``fail_with``
    fail_with: PrinterFault | None = None

    @property
    def sides(self) -> int:
        """Page sides of the document (every copy)."""
        return self.handle.pages


class MemoryPrinter:
    """A printer in memory with controls (see the module docstring). Thread-safe."""

    queue = QUEUE

    def __init__(
        self,
        *,
        sides_per_poll: int = 2,
        poll_interval_s: float = 0.001,
        unreachable_give_up_s: float = 0.05,
        offline_grace_s: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if sides_per_poll < 1:
            raise ValueError("sides_per_poll must be at least 1")
        self.sides_per_poll = sides_per_poll
        # printing._tracking.JobSource
        self.poll_interval_s = poll_interval_s
        self.unreachable_give_up_s = unreachable_give_up_s
        self.offline_grace_s = offline_grace_s
        self._clock = clock
        self._lock = threading.Lock()
        self._condition: PrinterFault | None = None
        self._next_failure: tuple[int, PrinterFault] | None = None
        self._stalled = False
        self._ids = itertools.count(1)
        self._jobs: list[MemoryJob] = []
        self.closed = False

    # -- controls --------------------------------------------------------------------------------
    def set_condition(self, fault: PrinterFault | None) -> None:
        """A device or queue condition from now on (None: fixed)."""
        if fault is not None and fault not in CONDITION_REASONS and fault not in QUEUE_CONDITIONS:
            raise ValueError(f"{fault.value} is not a printer condition")
        with self._lock:
            self._condition = fault

    def fail_at_side(self, side: int, fault: PrinterFault) -> None:
        """The next job submitted stops before page side ``side`` (1-based): ``side - 1`` sides
        come out, then ``fault`` — a device condition that stays until :meth:`set_condition`
        clears it, or the job aborted / cancelled by the print system."""
        if side < 1:
            raise ValueError("side must be at least 1")
        if fault not in CONDITION_REASONS and fault not in JOB_ENDINGS:
            raise ValueError(f"{fault.value} cannot happen in the middle of a job")
        with self._lock:
            self._next_failure = (side, fault)

    def stall(self, stalled: bool = True) -> None:
        """Jobs stop progressing (True) or go on (False)."""
        with self._lock:
            self._stalled = stalled

    @property
    def jobs(self) -> list[MemoryJob]:
        """Every job taken, oldest first."""
        with self._lock:
            return list(self._jobs)

    # -- the kiosk's Printer ---------------------------------------------------------------------
    def check_printer(self) -> PrinterStatus:
        """The printer's status now; never raises."""
        with self._lock:
            condition = self._condition
            if condition in (PrinterFault.UNREACHABLE, PrinterFault.NO_QUEUE):
                return PrinterStatus(ready=False, fault=condition)
            return self._status(condition)

    def submit(self, pdf: bytes, *, title_hash: str, copies_hint: int) -> JobHandle:
        """Take the job (checked as CUPS would be given it); raises :class:`PrinterError`."""
        check_title_hash(title_hash)
        pages = inspect_document(pdf)
        status = self.check_printer()
        if not status.ready:
            raise PrinterError(status.fault or PrinterFault.PRINTER_ERROR, "not ready")
        with self._lock:
            job_id = next(self._ids)
            # The name as CUPS jobs get it (printing.cups): the hash and 6 hex digits.
            name = f"kiosk-{title_hash}-{job_id:06x}"
            handle = JobHandle(job_id, QUEUE, name, pages, copies_hint, self._clock())
            job = MemoryJob(handle, pdf)
            if self._next_failure is not None:
                job.fail_at_side, job.fail_with = self._next_failure
                self._next_failure = None
            self._jobs.append(job)
        return handle

    def find_jobs(self, title_hash: str) -> tuple[QueuedJob, ...]:
        """Every job taken under ``title_hash``, finished or not, oldest first (what a restarted
        kiosk asks, kiosk/runtime/print_recovery.py); raises :class:`PrinterError` while the
        print system is unreachable."""
        check_title_hash(title_hash)
        with self._lock:
            if self._condition is PrinterFault.UNREACHABLE:
                raise PrinterError(PrinterFault.UNREACHABLE, "the print system does not answer")
            prefix = f"kiosk-{title_hash}-"
            return tuple(
                QueuedJob(job.handle.job_id, job.handle.job_name, job.state, job.sides_printed)
                for job in self._jobs
                if job.handle.job_name.startswith(prefix)
            )

    def track(
        self,
        job: JobHandle,
        deadline: float,
        *,
        cancel_on_failure: bool = True,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> PrintOutcome:
        """Follow ``job`` to its end (the tracking loop of :mod:`printing.cups`); never raises."""
        return track_job(
            self,
            job,
            deadline,
            cancel_on_failure=cancel_on_failure,
            on_progress=on_progress,
            clock=self._clock,
        )

    def close(self) -> None:
        self.closed = True

    # -- printing._tracking.JobSource ------------------------------------------------------------
    def poll(self, job_id: int) -> JobSnapshot:
        """One look at the job, after the device printed what it could since the last one."""
        with self._lock:
            job = self._find(job_id)
            condition = self._condition
            if condition is PrinterFault.UNREACHABLE:
                raise PrinterError(PrinterFault.UNREACHABLE, "the print system does not answer")
            if job is None or condition is PrinterFault.NO_QUEUE:
                raise PrinterError(PrinterFault.CANCELLED, "the print system lost the job")
            if not job.state.terminal and not self._stalled:
                self._advance(job)
            condition = self._condition
            snapshot = JobSnapshot(
                state=job.state,
                job_reasons=(),
                pages_printed=job.sides_printed,
                sheets_printed=(job.sides_printed + 1) // 2,  # duplex: two sides a sheet
                printer=self._status(condition),
            )
        return snapshot

    def cancel(self, job: JobHandle) -> bool:
        """Cancel ``job``: it prints nothing more. True (it will not print any more)."""
        with self._lock:
            found = self._find(job.job_id)
            if found is not None and not found.state.terminal:
                found.state = JobState.CANCELED
                found.cancelled_by_kiosk = True
        return True

    # -- the device (under the lock) -------------------------------------------------------------
    def _advance(self, job: MemoryJob) -> None:
        if self._condition is not None:
            return  # a condition stops the device; the job waits (or the tracker gives up)
        job.state = JobState.PROCESSING
        target = min(job.sides, job.sides_printed + self.sides_per_poll)
        if job.fail_at_side is not None and job.fail_with is not None:
            stop = job.fail_at_side - 1
            if target >= stop and stop < job.sides:
                job.sides_printed = max(job.sides_printed, stop)
                ending = JOB_ENDINGS.get(job.fail_with)
                if ending is not None:
                    job.state = ending
                else:
                    self._condition = job.fail_with  # stays until someone fixes the printer
                job.fail_at_side = job.fail_with = None
                return
        job.sides_printed = target
        if job.sides_printed >= job.sides:
            job.state = JobState.COMPLETED

    def _status(self, condition: PrinterFault | None) -> PrinterStatus:
        state = PrinterState.IDLE
        if condition is PrinterFault.STOPPED:
            state = PrinterState.STOPPED
        elif any(job.state is JobState.PROCESSING for job in self._jobs):
            state = PrinterState.PROCESSING
        accepting = condition is not PrinterFault.NOT_ACCEPTING
        reason = CONDITION_REASONS.get(condition) if condition is not None else None
        return printer_status(state, accepting, (reason,) if reason else ())

    def _find(self, job_id: int) -> MemoryJob | None:
        return next((job for job in self._jobs if job.handle.job_id == job_id), None)


__all__ = [
    "CONDITION_REASONS",
    "JOB_ENDINGS",
    "QUEUE_CONDITIONS",
    "MemoryJob",
    "MemoryPrinter",
]
