"""The print service: check the printer, compose the print job, print it, track it to its end.

Where the PDF comes from: the center service verifies the issuance envelope and hands its
decoded copies over (:class:`~kiosk.runtime.context.IssuedCertificate`, kiosk/runtime/center/
send.py); on the flow's ``ComposePrintJob`` this service takes them and composes the job
(printing.security.compose_job: copy-deterrent front, scrambled back, duplex) — before the fee
is asked for, so that the kiosk never takes money for something it cannot print (architecture
rule 1). The job stays here, and nowhere else, until it is printed or the session is wiped.

All printer and composing work runs on one worker thread (printing.cups bounds every call
itself). After the payment the job is submitted, tracked until a terminal state or the deadline,
and its progress and outcome become flow events. A failed job is cancelled by the adapter so
that it cannot come out after the refund (docs/printing-cups.md). Progress and results count
IPP impressions (page sides): a copy of an N-page certificate is 2·N sides, front and back
(IssuedJob.sides_per_copy).

After a restart, the prints a crash interrupted are settled here first, from what CUPS says
(kiosk/runtime/print_recovery.py): on the same worker, so no new job can print before an old one
is settled; while CUPS cannot be asked, every printer check says the printer is unreachable and
the service asks again every :data:`RECOVERY_RETRY_S`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from kiosk.center.wire import JST
from kiosk.flow import Event
from kiosk.flow.effects import PrintRegistrationSlip
from kiosk.flow.events import (
    CertificateReady,
    CertificateUnprintable,
    OwedSlipPrinted,
    PrinterNotReady,
    PrinterReady,
    PrintFailed,
    PrintFinished,
    PrintProgress,
    ReceiptPrinted,
    SlipFailed,
    SlipPrinted,
)
from kiosk.journal import serial_digest
from kiosk.problems import OwedCode
from kiosk.runtime.context import Clock, IssuedCertificate, TransactionFacts
from kiosk.runtime.print_recovery import InterruptedPrint, PrintSettlement, settle_print
from kiosk.runtime.slip import slip_pdf
from kiosk.runtime.worker import DeviceWorker
from printing.certificates import CertificateKind
from printing.faults import (
    JobHandle,
    PrinterError,
    PrinterFault,
    PrinterStatus,
    PrintOutcome,
    QueuedJob,
)
from printing.security import PrintCalibration, compose_job

log = logging.getLogger(__name__)

# Stopping does not wait for a job being tracked (that may take minutes): the job goes on in
# CUPS and the recovery after the next start settles it on what CUPS printed
# (kiosk/runtime/print_recovery.py). This only lets a CUPS call in flight return.
PRINT_STOP_S = 1.0
# CUPS could not be asked about an interrupted print at start (cupsd starting with the kiosk at
# boot, or down): ask again this often, so that the old job is settled (and cancelled if it
# cannot print) soon after CUPS answers, not only when the next resident pays.
RECOVERY_RETRY_S = 30.0

Post = Callable[[Event], None]


@dataclass(frozen=True)
class IssuedJob:
    """An issued certificate, composed into one print job (every copy, front and back)."""

    txn_id: str
    issuance_id: str
    pdf: bytes = field(repr=False)
    copies: int
    page_count: int  # pages of one copy's front
    document_digest: str  # salted hash of the first copy's serial (journal, job name)

    @property
    def sides_per_copy(self) -> int:
        """Printed page sides (IPP impressions) per copy: every front page has its back side on
        the same sheet (duplex), so an N-page certificate is 2·N sides per copy."""
        return 2 * self.page_count


JobObserver = Callable[[IssuedJob, JobHandle, PrintOutcome], None]
PrintSettled = Callable[[InterruptedPrint, PrintSettlement], None]


class Printer(Protocol):
    """What the service needs of ``printing.cups.CupsPrinter``."""

    queue: str

    def check_printer(self) -> PrinterStatus: ...

    def find_jobs(self, title_hash: str) -> tuple[QueuedJob, ...]: ...

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


class ResidentPapers(Protocol):
    """The slip of money owed and the receipt (kiosk.operations.papers.ResidentPapers); each
    raises when the paper did not come out."""

    def print_owed_slip(self, txn_id: str, yen: int, codes: tuple[OwedCode, ...]) -> None: ...

    def print_receipt(
        self,
        txn_id: str,
        amount_yen: int,
        kind: CertificateKind,
        copies: int,
        also: tuple[tuple[CertificateKind, int], ...] = (),
    ) -> None: ...


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
    """Executes CheckPrinter, ComposePrintJob, PrintCertificate, PrintCounterTicket,
    PrintRegistrationSlip, PrintOwedSlip and PrintReceipt.

    ``salt`` is the kiosk's secret for the job's document digest (kiosk.journal.serial_digest);
    ``calibration`` the printer's measured offsets for the security marks;
    ``verification_service`` where every back says the certificate can be verified.
    """

    def __init__(
        self,
        printer: Printer,
        facts: TransactionFacts,
        *,
        salt: bytes,
        calibration: PrintCalibration | None = None,
        verification_service: str = "",
        timing: PrintTiming | None = None,
        ticket_printer: TicketPrinter | None = None,
        on_job_done: JobObserver | None = None,
        clock: Clock,
        papers: ResidentPapers | None = None,
    ) -> None:
        self._printer = printer
        self._facts = facts
        self._salt = salt
        self._calibration = calibration or PrintCalibration()
        self._verification = verification_service  # named on every back: where to verify it
        self._jobs_lock = threading.Lock()
        self._jobs: dict[str, IssuedJob] = {}  # composed, not yet printed (personal)
        self._generation = 0  # bumped by wipe(): a job composed for a wiped session is dropped
        self._timing = timing or PrintTiming()
        self._tickets = ticket_printer
        self._on_job_done = on_job_done
        self._clock = clock  # the slip's date (in JST)
        self._papers = papers
        self._post: Post | None = None
        self._worker: DeviceWorker | None = None
        self._interrupted: list[InterruptedPrint] = []  # worker thread only, after recover()
        self._on_settled: PrintSettled | None = None
        self._retry: threading.Timer | None = None
        self._retry_lock = threading.Lock()

    def start(self, post: Post) -> None:
        self._post = post
        self._worker = DeviceWorker("kiosk-printer")

    def stop(self) -> None:
        with self._retry_lock:
            retry, self._retry = self._retry, None
        if retry is not None:
            retry.cancel()
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop(PRINT_STOP_S, drain=False)
        self._printer.close()

    def recover(self, interrupted: Iterable[InterruptedPrint], on_settled: PrintSettled) -> None:
        """Settle the prints a crash interrupted, before any new job (see the module docstring);
        ``on_settled(item, settlement)`` runs on the print worker for each, once."""
        items = list(interrupted)
        if not items:
            return

        def begin() -> None:
            self._interrupted = items
            self._on_settled = on_settled
            self._settle_interrupted()

        self._submit(begin)

    # -- effects (sequencer thread) --------------------------------------------------------------
    def check(self) -> None:
        """CheckPrinter → PrinterReady / PrinterNotReady(fault)."""
        self._submit(self._check)

    def compose(self, txn_id: str) -> None:
        """ComposePrintJob → CertificateReady / CertificateUnprintable."""
        issued = self._facts.take_issued(txn_id)
        with self._jobs_lock:
            generation = self._generation
        self._submit(lambda: self._compose(txn_id, issued, generation))

    def print_certificate(self, txn_id: str, copies: int) -> None:
        """PrintCertificate → PrintProgress…, PrintFinished / PrintFailed."""
        with self._jobs_lock:  # taken now: the session may be wiped meanwhile
            job = self._jobs.pop(txn_id, None)
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

    def print_slip(self, slip: PrintRegistrationSlip) -> None:
        """PrintRegistrationSlip → SlipPrinted / SlipFailed (the number stays on screen)."""
        self._submit(lambda: self._print_slip(slip))

    def print_owed_slip(self, txn_id: str, yen: int, codes: tuple[OwedCode, ...]) -> None:
        """PrintOwedSlip → OwedSlipPrinted(printed or not)."""

        def run(papers: ResidentPapers) -> None:
            papers.print_owed_slip(txn_id, yen, codes)

        self._submit(lambda: self._paper(run, lambda ok: OwedSlipPrinted(txn_id, ok)))

    def print_receipt(
        self,
        txn_id: str,
        amount_yen: int,
        kind: CertificateKind,
        copies: int,
        also: tuple[tuple[CertificateKind, int], ...] = (),
    ) -> None:
        """PrintReceipt → ReceiptPrinted(printed or not)."""

        def run(papers: ResidentPapers) -> None:
            papers.print_receipt(txn_id, amount_yen, kind, copies, also)

        self._submit(lambda: self._paper(run, lambda ok: ReceiptPrinted(txn_id, ok)))

    def _paper(
        self, work: Callable[[ResidentPapers], None], result: Callable[[bool], Event]
    ) -> None:
        papers = self._papers
        printed = False
        if papers is None:
            log.error("no printer configured for slips and receipts")
        else:
            try:
                work(papers)
                printed = True
            except Exception as exc:  # the screen tells the resident; the log tells staff why
                log.warning("slip or receipt not printed: %s", exc)
        self._send(result(printed))

    def wipe(self) -> None:
        """Forget the composed jobs not printed (and any being composed now)."""
        with self._jobs_lock:
            self._generation += 1
            self._jobs.clear()

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

    def _settle_interrupted(self) -> bool:
        """On the worker: settle what CUPS can tell now; True when nothing is left."""
        remaining = []
        for item in self._interrupted:
            settled = settle_print(self._printer, item, self._deadline_for)
            if settled is None:
                remaining.append(item)
                continue
            try:
                if self._on_settled is not None:
                    self._on_settled(item, settled)
            except Exception:  # e.g. the journal: the next attempt finds the job ended
                log.exception("settling an interrupted print failed")
                remaining.append(item)
        self._interrupted = remaining
        if remaining:
            self._retry_later()
        return not remaining

    def _retry_later(self) -> None:
        with self._retry_lock:
            if self._retry is not None or self._worker is None:
                return
            timer = threading.Timer(RECOVERY_RETRY_S, self._retry_now)
            timer.daemon = True
            timer.name = "kiosk-print-recovery"
            self._retry = timer
        timer.start()

    def _retry_now(self) -> None:
        with self._retry_lock:
            self._retry = None

        def again() -> None:
            if self._interrupted:
                self._settle_interrupted()

        self._submit(again)

    def _deadline_for(self, sheets: int) -> float:
        return self._timing.deadline(sheets, time.monotonic())

    def _check(self) -> None:
        if self._interrupted and not self._settle_interrupted():
            # A job of an earlier transaction may still print: no new one before it is settled.
            log.warning("printer not ready: an interrupted print cannot be settled yet")
            self._send(PrinterNotReady(PrinterFault.UNREACHABLE))
            return
        status = self._printer.check_printer()
        if status.ready:
            self._send(PrinterReady())
        else:
            fault = status.fault or PrinterFault.PRINTER_ERROR
            log.warning("printer not ready: %s %s", fault.value, ",".join(status.reasons))
            self._send(PrinterNotReady(fault))

    def _compose(self, txn_id: str, issued: IssuedCertificate | None, generation: int) -> None:
        if issued is None:
            log.error("no issued certificate to compose for this transaction")
            self._send(CertificateUnprintable(txn_id))
            return
        try:
            pdf = compose_job(issued.copies, self._calibration, self._verification)
        except Exception as exc:  # whatever the data does to the composer, nothing is charged
            log.warning("the certificate cannot be composed: %s", type(exc).__name__)
            log.debug("compose failure", exc_info=True)
            self._send(CertificateUnprintable(txn_id))
            return
        digest = serial_digest(issued.serial, self._salt)
        job = IssuedJob(
            txn_id, issued.issuance_id, pdf, len(issued.copies), issued.page_count, digest
        )
        with self._jobs_lock:
            if generation != self._generation:
                log.info("composed job dropped: the session ended meanwhile")
                return
            self._jobs[txn_id] = job
        self._send(CertificateReady(txn_id, digest))

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

    def _print_slip(self, slip: PrintRegistrationSlip) -> None:
        try:
            pdf = slip_pdf(slip, self._clock().astimezone(JST).date())
            handle = self._printer.submit(pdf, title_hash="registration-slip", copies_hint=1)
        except PrinterError as exc:
            log.warning("registration slip refused: %s", exc.fault.value)
            self._send(SlipFailed(exc.fault))
            return
        except Exception:  # a missing font, a bug: the resident still has the number on screen
            log.exception("registration slip could not be made")
            self._send(SlipFailed(PrinterFault.REJECTED_DOCUMENT))
            return
        outcome = self._printer.track(handle, self._timing.deadline(1, time.monotonic()))
        if outcome.completed:
            self._send(SlipPrinted())
        else:
            fault = outcome.fault or PrinterFault.PRINTER_ERROR
            log.warning("registration slip job %d failed: %s", handle.job_id, fault.value)
            self._send(SlipFailed(fault))

    def _failed(self, txn_id: str, fault: PrinterFault, sides_printed: int) -> None:
        # The flow keeps the fault for the completion report (ReportCompletion.print_fault).
        self._send(PrintFailed(fault, sides_printed))


__all__ = [
    "IssuedJob",
    "JobObserver",
    "PrintService",
    "PrintTiming",
    "Printer",
    "ResidentPapers",
    "TicketPrinter",
]
