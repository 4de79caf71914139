"""Completion reports: what they say, and the worker that sends them until the center
acknowledges them while the kiosk runs.

:func:`completion_report` maps the flow's ``ReportCompletion`` to the protocol's completion
report (docs/center-protocol.md, "Completion"), field by field.

One worker thread with its own :class:`~kiosk.center.client.CenterClient` sends every report
(the flow's, and those a restart replays from the journal). A report the client could not
deliver after its own attempts (docs/center-protocol.md, "Timeouts and retries") is sent again
later by this worker with a capped exponential back-off, for as long as the kiosk runs and
whatever residents come and go meanwhile; it stops once the center acknowledges. The journal
keeps the report's intent open all that time, so a report still unsent when the kiosk stops is
replayed after the next start (kiosk/runtime/recovery.py). Every attempt of one transaction
carries the same idempotency key and the same body: the center counts the report once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from kiosk.center import wire
from kiosk.center.client import CenterClient
from kiosk.center.errors import (
    CenterError,
    CenterTimeout,
    CenterUnavailable,
    CenterUnreachable,
    IdempotencyConflict,
    KioskNotAuthorised,
    Maintenance,
)
from kiosk.flow import effects as fx
from kiosk.flow.state import PaymentMode

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IssuanceFacts:
    """What a completion report needs of an issuance (no personal data)."""

    issuance_id: str
    fee_per_copy_yen: int
    copies: int


# The flow's payment modes as the protocol names where the fee is paid.
PAYMENT_PLACES = {
    PaymentMode.ACCEPTOR: wire.PaymentPlace.KIOSK,
    PaymentMode.COUNTER: wire.PaymentPlace.COUNTER,
}


def completion_report(effect: fx.ReportCompletion, completed_at: datetime) -> wire.CompletionReport:
    """The protocol's report from the flow's: a field-by-field mapping (the flow decides every
    amount, docs/flow.md; the center checks them against the issuance, wire
    ``CompletionReport.problem``)."""
    return wire.CompletionReport(
        outcome=wire.CompletionOutcome(effect.outcome.value),
        copies_printed=effect.copies_printed,
        amount_paid_yen=effect.amount_paid_yen,
        amount_refunded_yen=effect.amount_refunded_yen,
        refund_pending_yen=effect.refund_pending_yen,
        failure_reason=effect.failure_reason,
        completed_at=completed_at,
        payment=PAYMENT_PLACES[effect.payment],
    )


ClientFactory = Callable[[], CenterClient]

# -- retries of the report worker ----------------------------------------------------------------
# The client has already tried 5 times over ~6 s (kiosk.center.client, ATTEMPTS_COMPLETION): a
# failure that survives that is an outage of minutes (a line down, center maintenance). The first
# retry after 30 s catches a short one; doubling up to 10 minutes keeps a kiosk from loading a
# center that is coming back (hundreds of kiosks retry at once), and still delivers a report
# within 10 minutes of the end of any outage. Up to 25 % earlier at random, so that kiosks
# which failed together do not retry together.
REPORT_RETRY_FIRST_S = 30.0
REPORT_RETRY_FACTOR = 2.0
REPORT_RETRY_MAX_S = 600.0
REPORT_RETRY_JITTER = 0.25
# The completion's idempotency key is derived from the transaction id, so that a report sent
# again (a retry, or the same transaction reported after a restart) is one report.
COMPLETION_KEY_SUFFIX = "-completion"


@dataclass(frozen=True)
class RetryPolicy:
    """When a report that failed is sent again (the constants above by default)."""

    first_s: float = REPORT_RETRY_FIRST_S
    factor: float = REPORT_RETRY_FACTOR
    max_s: float = REPORT_RETRY_MAX_S
    jitter: float = REPORT_RETRY_JITTER

    def delay(self, failures: int, draw: float) -> float:
        """Seconds before the next attempt after ``failures`` failed rounds; ``draw`` in
        [0, 1) takes up to ``jitter`` off (never beyond the cap)."""
        base = min(self.max_s, self.first_s * self.factor ** max(0, failures - 1))
        return base * (1.0 - self.jitter * draw)


def retry_later(exc: CenterError) -> bool:
    """Will time cure this failure? The line, the center, a maintenance, a kiosk certificate
    staff re-enable: yes. A report the center finds malformed, an issuance it does not know:
    no — those wait for the next start (the journal keeps them), and staff see the log."""
    return isinstance(
        exc,
        CenterUnreachable | CenterTimeout | CenterUnavailable | Maintenance | KioskNotAuthorised,
    )


@dataclass
class ReportJob:
    """One completion report to deliver, and what to do with the answer.

    ``issuance`` is called on the worker before the first attempt: it may wait for an issuance
    still in flight; None means nothing was issued, which needs no report (acknowledged).
    Callbacks run on the worker thread and must not block.
    """

    txn_id: str
    issuance: Callable[[], IssuanceFacts | None]
    report: wire.CompletionReport
    on_acknowledged: Callable[[], None]
    on_deferred: Callable[[CenterError], None]
    on_given_up: Callable[[CenterError], None]
    facts: IssuanceFacts | None = None
    failures: int = 0
    timer: threading.Timer | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        return self.txn_id + COMPLETION_KEY_SUFFIX


class ReportSender:
    """The report worker (see the module docstring). Thread-safe.

    ``draw()`` gives a number in [0, 1) for the retries' jitter (the wiring passes
    ``random.random``; tests a fixed one).
    """

    def __init__(
        self,
        client_factory: ClientFactory,
        *,
        policy: RetryPolicy | None = None,
        draw: Callable[[], float],
        on_failure: Callable[[CenterError], None] | None = None,
    ) -> None:
        self._factory = client_factory
        self._policy = policy or RetryPolicy()
        self._on_failure = on_failure  # e.g. ask for a health check now
        self._draw = draw
        self._lock = threading.Lock()
        self._waiting: dict[str, ReportJob] = {}  # failed, waiting for their next attempt
        self._executor: ThreadPoolExecutor | None = None
        self._stopped = False
        self._client: CenterClient | None = None  # used on the worker thread only

    def start(self) -> None:
        with self._lock:
            self._stopped = False
            self._executor = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="kiosk-center-report"
            )

    def stop(self) -> None:
        """Stop retrying (the journal keeps what is still unsent) and close the client."""
        with self._lock:
            executor, self._executor = self._executor, None
            self._stopped = True  # reports already queued are left to the journal too
            waiting = list(self._waiting.values())
            self._waiting.clear()
        for job in waiting:
            if job.timer is not None:
                job.timer.cancel()
        if waiting:
            log.warning(
                "%d completion report(s) unsent at stop: the next start sends them", len(waiting)
            )
        if executor is not None:
            executor.submit(self._close_client)
            executor.shutdown(wait=False, cancel_futures=False)

    def submit(self, job: ReportJob) -> None:
        """Send ``job`` on the worker (now, behind the reports already queued)."""
        self._run(lambda: self._attempt(job))

    def retry_now(self) -> None:
        """The center is back: send every waiting report now instead of at its back-off."""
        with self._lock:
            jobs = list(self._waiting.values())
            self._waiting.clear()
        for job in jobs:
            if job.timer is not None:
                job.timer.cancel()
            self.submit(job)

    def waiting(self) -> list[str]:
        """The transactions whose reports wait for their next attempt."""
        with self._lock:
            return sorted(self._waiting)

    # -- the worker ------------------------------------------------------------------------------
    def _run(self, work: Callable[[], None]) -> None:
        with self._lock:
            executor = self._executor
        if executor is None:
            log.error("completion report work before the report worker started (or after stop)")
            return
        try:
            executor.submit(self._guarded, work)
        except RuntimeError:  # shut down meanwhile
            log.warning("completion report work dropped: the report worker stopped")

    @staticmethod
    def _guarded(work: Callable[[], None]) -> None:
        try:
            work()
        except Exception:  # a bug here must not stop the worker for the other reports
            log.exception("completion report work failed unexpectedly")

    def _worker_client(self) -> CenterClient:
        if self._client is None:
            self._client = self._factory()
        return self._client

    def _close_client(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    def _attempt(self, job: ReportJob) -> None:
        with self._lock:
            if self._stopped:
                return  # the kiosk stops: the journal keeps the report for the next start
        if job.facts is None:
            job.facts = job.issuance()
            if job.facts is None:
                # No envelope ever arrived: the center issued nothing this kiosk could print or
                # pay for, and an issuance id to report on does not exist.
                log.info("completion: nothing was issued for this transaction")
                job.on_acknowledged()
                return
            problem = job.report.problem(job.facts.copies, job.facts.fee_per_copy_yen)
            if problem:  # a flow bug: the center will refuse it; the log tells the developers
                log.error("completion report does not add up (%s); sending it anyway", problem)
        try:
            self._worker_client().complete(job.facts.issuance_id, job.report, job.key)
        except IdempotencyConflict:
            # The center holds another report for this issuance (e.g. replayed from the journal
            # after a restart): it was reported, which is all that is owed.
            log.warning("completion: the center already holds a report for this issuance")
        except CenterError as exc:
            self._failed(job, exc)
            return
        job.on_acknowledged()

    def _failed(self, job: ReportJob, exc: CenterError) -> None:
        if self._on_failure is not None:
            self._on_failure(exc)
        if not retry_later(exc):
            log.warning("completion report given up until the next start: %s", exc.staff_code)
            job.on_given_up(exc)
            return
        job.failures += 1
        delay = self._policy.delay(job.failures, self._draw())
        log.warning(
            "completion report failed (%s, %d time(s)); sent again in %.0f s",
            exc.staff_code,
            job.failures,
            delay,
        )
        timer = threading.Timer(delay, self._due, args=(job,))
        timer.daemon = True
        job.timer = timer
        with self._lock:
            if self._executor is None:
                return  # stopping: the journal keeps it for the next start
            self._waiting[job.txn_id] = job
        timer.start()
        job.on_deferred(exc)

    def _due(self, job: ReportJob) -> None:
        with self._lock:
            if self._waiting.get(job.txn_id) is not job:
                return  # sent meanwhile (retry_now) or stopped
            del self._waiting[job.txn_id]
        self.submit(job)


__all__ = [
    "COMPLETION_KEY_SUFFIX",
    "PAYMENT_PLACES",
    "REPORT_RETRY_FACTOR",
    "REPORT_RETRY_FIRST_S",
    "REPORT_RETRY_JITTER",
    "REPORT_RETRY_MAX_S",
    "IssuanceFacts",
    "ReportJob",
    "ReportSender",
    "RetryPolicy",
    "completion_report",
    "retry_later",
]
