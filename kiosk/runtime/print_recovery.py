"""After a crash: the print job of a transaction whose print outcome the journal never got.

The kiosk journals the print intent (with the salted serial digest that names the job,
``kiosk-<digest>-<6 hex>``) before it submits the job, and the outcome when the job ends. A
kiosk that dies in between leaves a transaction whose job may be anywhere: never submitted,
waiting, printing, stopped on an offline printer, or long done. CUPS keeps printing it without
the kiosk (and would print it when the printer comes back), so the recovery cannot guess: it
asks CUPS, in three separately tested steps —

1. **find** (:meth:`printing.cups.CupsPrinter.find_jobs`): the jobs named with the digest;
2. **decide** (:func:`settle_print`): follow every job that has not ended under the rules of a
   live print (``CupsPrinter.track``): a job that prints is waited for until its print deadline;
   a job that cannot print — printer offline beyond the grace period, stopped, out of paper,
   held — or that misses the deadline is cancelled; then count what CUPS says came out
   (``job-impressions-completed``, whole copies only);
3. **settle** (:func:`record_settlement`): journal the print outcome (with the fault that ended
   the job, or none: then the report names the restart); the money and the completion report
   then follow from it (kiosk.runtime.recovery.recover_transaction).

Why wait, not cancel at once: the resident may still stand at the kiosk (a power blip, a quick
restart) and has paid for the copies being printed; a job that prints normally finishes within
its deadline, like a live one. Why cancel what cannot print: an unattended printer must not
produce a certificate with a name and an address minutes or hours later for the next customer;
the resident is refunded (or owed) for what did not come out, and the center is told exactly
the copies that did. No job of a settled transaction is left in the queue. When CUPS cannot be
asked, nothing is settled: the transaction stays open, and no new job is printed before it is
(the print service tries again before every printer check; docs/flow.md, "Recovery").
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from kiosk.journal import Journal, PrintOutcome
from kiosk.journal.records import Step
from printing.faults import (
    JobHandle,
    JobState,
    PrinterError,
    PrinterFault,
    QueuedJob,
)
from printing.faults import PrintOutcome as JobOutcome

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InterruptedPrint:
    """A print intent without its outcome: the transaction's job may or may not be in CUPS."""

    txn_id: str
    document_digest: str  # the job name's title hash
    copies: int
    sides_per_copy: int  # 0: the journal does not know (then only a completed job counts)
    item: int = 1  # the basket item whose print was interrupted (items print one at a time)


@dataclass(frozen=True)
class PrintSettlement:
    """What the print system says came out of the printer for one interrupted print."""

    copies_printed: int
    # What ended the job when not every copy printed (a fault the recovery saw, or CUPS' end
    # of the job); None when every copy printed, or when no job reached CUPS — then the
    # completion report gives the restart as the reason (kiosk.runtime.recovery).
    fault: PrinterFault | None
    jobs: tuple[int, ...]  # the CUPS jobs found (all ended now)


class JobFinder(Protocol):
    """What the recovery needs of ``printing.cups.CupsPrinter``."""

    queue: str

    def find_jobs(self, title_hash: str) -> tuple[QueuedJob, ...]: ...

    def track(
        self,
        job: JobHandle,
        deadline: float,
        *,
        cancel_on_failure: bool = True,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> JobOutcome: ...


def interrupted_prints(journal: Journal) -> list[InterruptedPrint]:
    """Every open transaction whose print intent has no outcome (oldest first)."""
    found = []
    for summary in journal.open_transactions():
        prints = [step for step in summary.pending if step.step is Step.PRINT]
        if prints:
            intent = prints[-1]
            sides = next(i.sides_per_copy for i in summary.basket if i.item == intent.item)
            found.append(
                InterruptedPrint(summary.txn_id, intent.code, intent.count, sides, intent.item)
            )
    return found


def settle_print(
    printer: JobFinder,
    item: InterruptedPrint,
    deadline_for: Callable[[int], float],
) -> PrintSettlement | None:
    """Find the transaction's jobs and decide what was printed (see the module docstring).

    ``deadline_for(sheets)`` is the ``time.monotonic()`` instant by which a job of that many
    sheets must have printed (kiosk.runtime.printer.PrintTiming). Returns None when CUPS cannot
    be asked (or stopped answering while a job was followed): try again later.
    """
    if not item.document_digest:
        log.error("print of an interrupted transaction has no digest: counted as not printed")
        return PrintSettlement(0, None, ())
    try:
        jobs = printer.find_jobs(item.document_digest)
    except PrinterError as exc:
        log.warning("interrupted print: CUPS cannot be asked (%s)", exc.fault.value)
        return None
    if not jobs:  # the kiosk stopped before the job reached CUPS
        return PrintSettlement(0, None, ())
    printed, fault = 0, None
    for job in jobs:
        result = _copies_of(printer, job, item, deadline_for)
        if result is None:
            return None
        copies, job_fault = result
        if copies >= printed:
            printed, fault = copies, job_fault
    printed = min(printed, item.copies)
    if printed == item.copies:
        fault = None
    log.info("interrupted print settled: %d of %d copies printed", printed, item.copies)
    return PrintSettlement(printed, fault, tuple(job.job_id for job in jobs))


def record_settlement(journal: Journal, item: InterruptedPrint, settled: PrintSettlement) -> None:
    """Journal the print outcome CUPS gave (the intent is then no longer pending). Once only:
    an attempt that failed after this write finds the outcome there when it tries again."""
    pending = journal.summary(item.txn_id).pending
    if any(step.step is Step.PRINT and step.item == item.item for step in pending):
        outcome = PrintOutcome(item.txn_id, settled.copies_printed, settled.fault, item.item)
        journal.write(outcome)


def _copies_of(
    printer: JobFinder,
    job: QueuedJob,
    item: InterruptedPrint,
    deadline_for: Callable[[int], float],
) -> tuple[int, PrinterFault | None] | None:
    """Whole copies this job printed and what ended it, following it to its end first; None:
    CUPS went away meanwhile."""
    if job.finished:
        completed = job.state is JobState.COMPLETED
        ended = {JobState.CANCELED: PrinterFault.CANCELLED, JobState.ABORTED: PrinterFault.ABORTED}
        fault = None if completed else ended.get(job.state or JobState.ABORTED)
        return _whole_copies(completed, job.pages_printed, item), fault
    sides = item.sides_per_copy
    sheets = item.copies * max(1, sides // 2)
    handle = JobHandle(
        job_id=job.job_id,
        queue=printer.queue,
        job_name=job.job_name,
        pages=item.copies * sides,
        copies_hint=item.copies,
        submitted_at=time.monotonic(),
    )
    log.info("interrupted print: following job %d to its end", job.job_id)
    outcome = printer.track(handle, deadline_for(sheets), cancel_on_failure=True)
    if outcome.fault is PrinterFault.UNREACHABLE:
        return None
    return _whole_copies(outcome.completed, outcome.pages_printed, item), outcome.fault


def _whole_copies(completed: bool, pages_printed: int | None, item: InterruptedPrint) -> int:
    if completed:
        return item.copies
    if item.sides_per_copy <= 0 or pages_printed is None:
        return 0  # in doubt, the copy counts as not printed: the resident is refunded
    return min(item.copies, pages_printed // item.sides_per_copy)


__all__ = [
    "InterruptedPrint",
    "JobFinder",
    "PrintSettlement",
    "interrupted_prints",
    "record_settlement",
    "settle_print",
]
