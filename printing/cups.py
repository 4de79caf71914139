"""The kiosk's CUPS adapter: check the printer, submit the composed job, track it to the end.

The only module of the project that imports ``cups`` (pycups). Everything it returns or raises
is in the kiosk's vocabulary (:mod:`printing.faults`); pycups exceptions never escape.

Every pycups call runs on one worker thread and is bounded (:mod:`printing._bounded`): a cupsd
that is down answers "unreachable" at once, one that hangs answers "unreachable" after the call
timeout. ``check_printer`` and ``track`` never raise; ``submit`` raises :class:`PrinterError`.

Server: ``server=None`` uses libcups' own choice (``CUPS_SERVER``, client.conf, the local
socket); tests and the developer profile pass ``"127.0.0.1:<port>"`` of a private cupsd.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import cups

from printing._bounded import BoundedWorker, CallTimeout
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
    markers_of,
    printer_status,
)
from printing.job_checks import check_title_hash, inspect_document

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Timing. Loopback IPP requests take about a millisecond; a PDF of a few MB is spooled well
# under a second (docs/printing-cups.md has the measured figures).
CALL_TIMEOUT_S = 5.0  # one status / cancel request
SUBMIT_TIMEOUT_S = 30.0  # create the job and send the whole document
POLL_INTERVAL_S = 0.1  # job and printer state while tracking: 2 small requests per poll
UNREACHABLE_GIVE_UP_S = 10.0  # cupsd silent this long during tracking: report, stop waiting
# A printer waking from deep sleep can take this long; meanwhile CUPS' backends report
# offline-report while they retry. Only a longer offline is a fault.
OFFLINE_GRACE_S = 20.0
# CUPS cancels a job itself after this long (job-cancel-after, PWG 5100.11 / CUPS 2.x), so a
# job left behind by a crashed kiosk cannot print minutes later for no one.
JOB_CANCEL_AFTER_S = 600

# The job's options. Only standard IPP job attributes (RFC 8011, PWG 5100.13 for
# print-scaling), no driver option: what the paper receives must be the composed PDF, untouched.
JOB_OPTIONS: Mapping[str, str] = {
    "media": "iso_a4_210x297mm",  # PWG 5101.1 self-describing name of A4
    "sides": "two-sided-long-edge",  # front and back of one certificate on one sheet
    "print-scaling": "none",  # PWG 5100.13: never fit/shrink (the scramble is geometry)
    "fit-to-page": "false",  # CUPS' older spelling of the same, for older filters
    "number-up": "1",
    "copies": "1",  # copies are in the document: each has its own serial
    "job-sheets": "none,none",  # no banner pages (they would print the job's name)
    "job-hold-until": "no-hold",  # print now even if the queue's default holds jobs
    "job-cancel-after": str(JOB_CANCEL_AFTER_S),
}

_PRINTER_ATTRS = [
    "printer-state",
    "printer-state-reasons",
    "printer-is-accepting-jobs",
    "printer-state-message",
    # supplies, for the staff's status screen and the fleet's metrics (kiosk/operations)
    "marker-names",
    "marker-types",
    "marker-levels",
    "marker-low-levels",
]
# "job-id" must be requested with the others or CUPS returns nothing (real-stack.md).
_JOB_ATTRS = [
    "job-id",
    "job-state",
    "job-state-reasons",
    "job-impressions-completed",
    "job-media-sheets-completed",
    "job-printer-state-reasons",
    "job-printer-state-message",
]
# The names a job is known by. job-name is one of CUPS' private job values (JobPrivateValues):
# a client that is not the job's owner (e.g. after a change of the kiosk's user) gets no
# job-name; the document name, which the adapter sets to the same value, stays visible.
_NAME_ATTRS = ("job-name", "document-name-supplied")
_FOUND_ATTRS = ["job-id", *_NAME_ATTRS, "job-state", "job-impressions-completed"]
_HTTP_CONTINUE = 100  # RFC 9110 §15.2.1: cupsStartDocument is ready for the document


def _strings(value: object) -> tuple[str, ...]:
    """pycups gives a one-value attribute as a scalar and a multi-value one as a list."""
    items = value if isinstance(value, list | tuple) else [value]
    return tuple(str(v) for v in items if isinstance(v, str) and v and v != "none")


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _names(attrs: Mapping[str, Any]) -> set[str]:
    """The names CUPS let us see for a job (see _NAME_ATTRS)."""
    return {value for key in _NAME_ATTRS if isinstance(value := attrs.get(key), str)}


def _fault_of_exception(exc: BaseException, *, queue_op: bool) -> PrinterFault:
    """Map what pycups (or the bounded call) raised to a fault."""
    if isinstance(exc, CallTimeout | RuntimeError | cups.HTTPError | OSError):
        return PrinterFault.UNREACHABLE  # RuntimeError: "failed to connect to server"
    if isinstance(exc, cups.IPPError):
        status = exc.args[0] if exc.args and isinstance(exc.args[0], int) else -1
        if status == cups.IPP_NOT_FOUND and queue_op:
            return PrinterFault.NO_QUEUE
        if status == cups.IPP_NOT_ACCEPTING:
            return PrinterFault.NOT_ACCEPTING
        if status == cups.IPP_SERVICE_UNAVAILABLE:
            return PrinterFault.UNREACHABLE
        if status in (cups.IPP_DOCUMENT_FORMAT, cups.IPP_DOCUMENT_FORMAT_ERROR):
            return PrinterFault.REJECTED_DOCUMENT
    return PrinterFault.PRINTER_ERROR


class _JobGone(Exception):
    """CUPS does not know the job (any more)."""


class CupsPrinter:
    """One CUPS queue, seen from the kiosk. Thread-safe; one instance per queue."""

    def __init__(
        self,
        queue: str,
        *,
        server: str | None = None,
        call_timeout_s: float = CALL_TIMEOUT_S,
        submit_timeout_s: float = SUBMIT_TIMEOUT_S,
        poll_interval_s: float = POLL_INTERVAL_S,
        unreachable_give_up_s: float = UNREACHABLE_GIVE_UP_S,
        offline_grace_s: float = OFFLINE_GRACE_S,
    ) -> None:
        self.queue = queue
        self.server = server
        self.call_timeout_s = call_timeout_s
        self.submit_timeout_s = submit_timeout_s
        self.poll_interval_s = poll_interval_s
        self.unreachable_give_up_s = unreachable_give_up_s
        self.offline_grace_s = offline_grace_s
        self._worker: BoundedWorker[Any] = BoundedWorker(self._connect, name="cups")

    def _connect(self) -> Any:
        # libcups keeps the server per thread: set it on the worker thread, before connecting.
        if self.server:
            cups.setServer(self.server)
        return cups.Connection()

    def _call(self, fn: Callable[[Any], T], timeout_s: float | None = None) -> T:
        return self._worker.call(fn, self.call_timeout_s if timeout_s is None else timeout_s)

    def close(self) -> None:
        """Drop the connection (a later call opens a new one)."""
        self._worker.close()

    # -- before payment ------------------------------------------------------------------------
    def check_printer(self) -> PrinterStatus:
        """Can a job print now? Never raises; ``ready`` is False with a ``fault`` otherwise."""
        try:
            attrs: dict[str, Any] = self._call(
                lambda c: c.getPrinterAttributes(self.queue, requested_attributes=_PRINTER_ATTRS)
            )
        except Exception as exc:  # every failure is a status, never a crash
            fault = _fault_of_exception(exc, queue_op=True)
            logger.warning("printer %s: %s (%s)", self.queue, fault.value, exc)
            return PrinterStatus(ready=False, fault=fault, message=str(exc))
        return self._status_of(attrs)

    def _status_of(self, attrs: Mapping[str, Any]) -> PrinterStatus:
        raw_state = _int(attrs.get("printer-state"))
        message = attrs.get("printer-state-message")
        return printer_status(
            PrinterState(raw_state) if raw_state is not None and 3 <= raw_state <= 5 else None,
            attrs.get("printer-is-accepting-jobs") is True,
            _strings(attrs.get("printer-state-reasons")),
            message if isinstance(message, str) else "",
            markers_of(attrs),
        )

    # -- after payment -------------------------------------------------------------------------
    def submit(self, pdf: bytes, *, title_hash: str, copies_hint: int) -> JobHandle:
        """Send the composed job (A4 duplex PDF) to the queue.

        ``title_hash`` names the job (letters, digits, ``-``, ``_``; e.g. the salted hash of the
        certificate serial): the job name carries no personal data. ``copies_hint`` is the
        number of certificates in the document, for logs; the document itself holds all copies.
        Raises :class:`InvalidJobError` for a bad document and :class:`PrinterError` when the
        printer cannot take the job (then no job is left behind).
        """
        check_title_hash(title_hash)
        pages = inspect_document(pdf)
        status = self.check_printer()
        if not status.ready:
            fault = status.fault or PrinterFault.PRINTER_ERROR
            raise PrinterError(fault, "; ".join(status.reasons) or status.message)
        job_name = f"kiosk-{title_hash}-{secrets.token_hex(3)}"  # unique per submission

        # Set when the caller stopped waiting: a worker that was stuck in libcups and wakes up
        # later must not leave a job behind that nobody tracks (it would print for no one).
        gave_up = threading.Event()

        def send(conn: Any) -> int:
            job_id = int(conn.createJob(self.queue, job_name, dict(JOB_OPTIONS)))
            try:
                if gave_up.is_set():  # checked before the document goes out, and after
                    raise PrinterError(PrinterFault.UNREACHABLE, "submit completed too late")
                http = conn.startDocument(self.queue, job_id, job_name, "application/pdf", 1)
                if http != _HTTP_CONTINUE:
                    raise PrinterError(PrinterFault.UNREACHABLE, f"HTTP {http} at document start")
                conn.writeRequestData(pdf, len(pdf))
                ipp_status = conn.finishDocument(self.queue)
                if not isinstance(ipp_status, int) or ipp_status > 0xFF:  # RFC 8011 §B.1.2
                    raise PrinterError(PrinterFault.PRINTER_ERROR, f"IPP status {ipp_status}")
                if gave_up.is_set():
                    raise PrinterError(PrinterFault.UNREACHABLE, "submit completed too late")
            except BaseException:
                try:
                    conn.cancelJob(job_id)
                except Exception:  # the job may never have existed in full
                    logger.debug("cancel of half-submitted job %d failed", job_id)
                raise
            return job_id

        started = time.monotonic()
        try:
            job_id = self._call(send, self.submit_timeout_s)
        except PrinterError:
            raise
        except Exception as exc:
            fault = _fault_of_exception(exc, queue_op=True)
            if isinstance(exc, CallTimeout):
                gave_up.set()
                self._cancel_by_name(job_name)  # in case it exists and its worker is gone
            logger.warning("submit to %s failed: %s (%s)", self.queue, fault.value, exc)
            raise PrinterError(fault, str(exc)) from exc
        logger.info(
            "job %d submitted to %s: %d pages, %d copies, %.0f ms",
            job_id,
            self.queue,
            pages,
            copies_hint,
            (time.monotonic() - started) * 1000,
        )
        return JobHandle(
            job_id=job_id,
            queue=self.queue,
            job_name=job_name,
            pages=pages,
            copies_hint=copies_hint,
            submitted_at=started,
        )

    def _cancel_by_name(self, job_name: str) -> None:
        try:
            jobs = self._call(
                lambda c: c.getJobs(which_jobs="not-completed", requested_attributes=_FOUND_ATTRS)
            )
            for job_id, attrs in jobs.items():
                if job_name in _names(attrs):
                    self._cancel_id(int(job_id))
                    logger.warning("cancelled job %d left by a timed-out submit", job_id)
        except Exception as exc:
            logger.error("could not look for a job left by a timed-out submit: %s", exc)

    def find_jobs(self, title_hash: str) -> tuple[QueuedJob, ...]:
        """Every job of this queue's print system submitted with ``title_hash`` (the job name
        ``kiosk-<title_hash>-<6 hex>``), finished or not, oldest first — what a restarted kiosk
        needs to settle a print it did not see end (kiosk/runtime/print_recovery.py).

        Finished jobs are found as long as CUPS keeps their history (``PreserveJobHistory``,
        on by default). Raises :class:`PrinterError` when CUPS cannot be asked.
        """
        check_title_hash(title_hash)
        pattern = re.compile(rf"kiosk-{re.escape(title_hash)}-[0-9a-f]{{6}}")
        try:
            jobs: dict[int, dict[str, Any]] = self._call(
                lambda c: c.getJobs(which_jobs="all", requested_attributes=_FOUND_ATTRS)
            )
        except Exception as exc:
            raise PrinterError(_fault_of_exception(exc, queue_op=False), str(exc)) from exc
        found = []
        for job_id, attrs in sorted(jobs.items()):
            names = [name for name in _names(attrs) if pattern.fullmatch(name)]
            if not names:
                continue
            raw_state = _int(attrs.get("job-state"))
            found.append(
                QueuedJob(
                    job_id=int(job_id),
                    job_name=names[0],
                    state=JobState(raw_state) if raw_state and 3 <= raw_state <= 9 else None,
                    pages_printed=_int(attrs.get("job-impressions-completed")),
                )
            )
        return tuple(found)

    def _cancel_id(self, job_id: int) -> None:
        self._call(lambda c: c.cancelJob(job_id))

    def cancel(self, job: JobHandle | int) -> bool:
        """Cancel the job (a handle, or a job id kept in the journal across a restart).

        True when it will not print (any more): cancelled now, or already ended; False when
        CUPS could not be asked (unreachable). Never raises."""
        job_id = job.job_id if isinstance(job, JobHandle) else job
        try:
            self._cancel_id(job_id)
            logger.info("job %d cancelled", job_id)
            return True
        except cups.IPPError as exc:
            if exc.args and exc.args[0] in (cups.IPP_NOT_POSSIBLE, cups.IPP_NOT_FOUND):
                return True  # already completed, cancelled or aborted (or purged)
            logger.warning("cancel job %d: %s", job_id, exc)
            return False
        except Exception as exc:
            logger.warning("cancel job %d: %s", job_id, exc)
            return False

    def track(
        self,
        job: JobHandle,
        deadline: float,
        *,
        cancel_on_failure: bool = True,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> PrintOutcome:
        """Follow ``job`` until it ends, a fault shows, or ``deadline`` (a ``time.monotonic()``
        instant) passes. Never raises.

        Polls job and printer every :data:`POLL_INTERVAL_S`. A printer fault while the job
        prints or waits on a stopped queue ends tracking at once with that fault. With
        ``cancel_on_failure`` (the default) a job that failed or timed out is cancelled so it
        cannot print later, after the resident has been refunded. ``on_progress(pages_printed,
        pages_total)`` is called when the count changes (from this thread).
        """
        return track_job(
            self, job, deadline, cancel_on_failure=cancel_on_failure, on_progress=on_progress
        )

    def poll(self, job_id: int) -> JobSnapshot:
        """One look at a job and its printer (for :func:`printing._tracking.track_job`);
        raises :class:`PrinterError` when CUPS cannot answer."""

        def both(c: Any) -> tuple[dict[str, Any], dict[str, Any]]:
            try:
                job = c.getJobAttributes(job_id, requested_attributes=_JOB_ATTRS)
            except cups.IPPError as exc:
                if exc.args and exc.args[0] == cups.IPP_NOT_FOUND:
                    raise _JobGone from exc
                raise
            printer = c.getPrinterAttributes(self.queue, requested_attributes=_PRINTER_ATTRS)
            return job, printer

        try:
            job, printer = self._call(both)
        except _JobGone as exc:  # purged by staff, or a cupsd that keeps no job history
            raise PrinterError(PrinterFault.CANCELLED, "the print system lost the job") from exc
        except Exception as exc:
            raise PrinterError(_fault_of_exception(exc, queue_op=True), str(exc)) from exc
        raw_state = _int(job.get("job-state"))
        message = job.get("job-printer-state-message")
        return JobSnapshot(
            state=JobState(raw_state) if raw_state is not None and 3 <= raw_state <= 9 else None,
            job_reasons=_strings(job.get("job-state-reasons")),
            pages_printed=_int(job.get("job-impressions-completed")),
            sheets_printed=_int(job.get("job-media-sheets-completed")),
            printer=self._status_of(printer),
            message=message if isinstance(message, str) else "",
        )
