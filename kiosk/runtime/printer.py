"""The print service: check the printer, print the composed job, track it to its end.

All CUPS work runs on one worker thread (printing.cups bounds every call itself). The job was
composed when the envelope arrived (kiosk/runtime/center.py); here it is submitted after the
payment, tracked until a terminal state or the deadline, and its progress and outcome become
flow events. A failed job is cancelled by the adapter so that it cannot come out after the
refund (docs/printing-cups.md). Progress and results count IPP impressions (page sides): a copy
of an N-page certificate is 2·N sides, front and back (IssuedJob.sides_per_copy).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from kiosk.flow import Event
from kiosk.flow.events import (
    PrinterNotReady,
    PrinterReady,
    PrintFailed,
    PrintFinished,
    PrintProgress,
)
from kiosk.runtime.context import IssuedJob, TransactionFacts
from kiosk.runtime.worker import DeviceWorker
from printing.faults import JobHandle, PrinterError, PrinterFault, PrinterStatus, PrintOutcome

log = logging.getLogger(__name__)

# Stopping does not wait for a job being tracked (that may take minutes): the job goes on in
# CUPS and the recovery after the next start settles it on what CUPS printed
# (kiosk/runtime/print_recovery.py). This only lets a CUPS call in flight return.
PRINT_STOP_S = 1.0

Post = Callable[[Event], None]
JobObserver = Callable[[IssuedJob, JobHandle, PrintOutcome], None]


class Printer(Protocol):
    """What the service needs of ``printing.cups.CupsPrinter``."""

    def check_printer(self) -> PrinterStatus: ...

    def submit(self, pdf: bytes, *, title_hash: str, copies_hint: int) -> JobHandle: ...

    def track(
        self,
        job: JobHandle,
        deadline: float,
        *,
        cancel_on_failure: bool = True,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> PrintOutcome: ...

    def close(self) -> None: ...


class TicketPrinter(Protocol):
    """City hall: prints the numbered reception ticket (受付票) for counter payment."""

    def print_ticket(self, ticket_number: int, amount_yen: int) -> None: ...


@dataclass(frozen=True)
class PrintTiming:
    """The print deadline: ``warm_up_s + per_sheet_s × sheets``.

    A printer in deep sleep takes tens of seconds before its first page, and CUPS reports it
    ``offline`` meanwhile for up to 20 s (printing.cups.OFFLINE_GRACE_S); an office A4 duplex
    laser prints a sheet in a few seconds. The defaults leave room for both: a job that misses
    them is stuck, is cancelled, and the unprinted copies are refunded. Set per printer model
    in the profile after measuring it.
    """

    warm_up_s: float = 90.0
    per_sheet_s: float = 20.0

    def deadline(self, sheets: int, now: float) -> float:
        return now + self.warm_up_s + self.per_sheet_s * max(1, sheets)


class PrintService:
    """Executes CheckPrinter, PrintCertificate and PrintCounterTicket."""

    def __init__(
        self,
        printer: Printer,
        facts: TransactionFacts,
        *,
        timing: PrintTiming | None = None,
        ticket_printer: TicketPrinter | None = None,
        on_job_done: JobObserver | None = None,
    ) -> None:
        self._printer = printer
        self._facts = facts
        self._timing = timing or PrintTiming()
        self._tickets = ticket_printer
        self._on_job_done = on_job_done
        self._post: Post | None = None
        self._worker: DeviceWorker | None = None

    def start(self, post: Post) -> None:
        self._post = post
        self._worker = DeviceWorker("kiosk-printer")

    def stop(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop(PRINT_STOP_S, drain=False)
        self._printer.close()

    # -- effects (sequencer thread) --------------------------------------------------------------
    def check(self) -> None:
        """CheckPrinter → PrinterReady / PrinterNotReady(fault)."""
        self._submit(self._check)

    def print_certificate(self, txn_id: str, copies: int) -> None:
        """PrintCertificate → PrintProgress…, PrintFinished / PrintFailed."""
        job = self._facts.job(txn_id)  # taken now: the session may be wiped meanwhile
        self._submit(lambda: self._print(txn_id, copies, job))

    def print_ticket(self, txn_id: str, ticket_number: int, amount_yen: int) -> None:
        tickets = self._tickets
        if tickets is None:
            log.error("counter payment without a ticket printer configured")
            return

        def run() -> None:
            try:
                tickets.print_ticket(ticket_number, amount_yen)
            except Exception:  # staff read the number on the screen; the log tells them why
                log.exception("the reception ticket could not be printed")

        self._submit(run)

    def wipe(self) -> None:
        """Nothing personal is kept here (the job lives in TransactionFacts)."""

    # -- the worker ------------------------------------------------------------------------------
    def _submit(self, work: Callable[[], None]) -> None:
        worker = self._worker
        if worker is None:
            log.error("print work before the service started")
            return
        worker.submit(work)  # a failure that escapes is logged by the worker

    def _send(self, event: Event) -> None:
        post = self._post
        if post is not None:
            post(event)

    def _check(self) -> None:
        status = self._printer.check_printer()
        if status.ready:
            self._send(PrinterReady())
        else:
            fault = status.fault or PrinterFault.PRINTER_ERROR
            log.warning("printer not ready: %s %s", fault.value, ",".join(status.reasons))
            self._send(PrinterNotReady(fault))

    def _print(self, txn_id: str, copies: int, job: IssuedJob | None) -> None:
        if job is None or job.copies != copies:
            log.error("no composed job for this transaction (or not %d copies)", copies)
            self._failed(txn_id, PrinterFault.REJECTED_DOCUMENT, 0)
            return
        try:
            handle = self._printer.submit(
                job.pdf, title_hash=job.document_digest, copies_hint=job.copies
            )
        except PrinterError as exc:
            log.warning("print job refused: %s", exc.fault.value)
            self._failed(txn_id, exc.fault, 0)
            return
        log.info("print job %d submitted (%d pages)", handle.job_id, handle.pages)
        sheets = job.copies * job.page_count
        deadline = self._timing.deadline(sheets, time.monotonic())

        def progress(sides_printed: int, sides_total: int) -> None:
            self._send(PrintProgress(sides_printed))

        outcome = self._printer.track(handle, deadline, on_progress=progress)
        if self._on_job_done is not None:
            try:
                self._on_job_done(job, handle, outcome)
            except Exception:
                log.exception("job observer failed")
        if outcome.completed:
            self._send(PrintFinished(outcome.pages_total))
            return
        fault = outcome.fault or PrinterFault.PRINTER_ERROR
        whole = outcome.copies_completed(job.sides_per_copy)
        log.warning("print job %d failed: %s, %d whole copies", handle.job_id, fault.value, whole)
        self._failed(txn_id, fault, whole * job.sides_per_copy)

    def _failed(self, txn_id: str, fault: PrinterFault, sides_printed: int) -> None:
        # The flow keeps the fault for the completion report (ReportCompletion.print_fault).
        self._send(PrintFailed(fault, sides_printed))


__all__ = ["PrintService", "PrintTiming", "Printer", "TicketPrinter"]
