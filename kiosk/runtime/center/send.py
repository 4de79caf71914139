"""The center service: sends the flow's issuance-center calls, off the flow thread.

Three threads, each with its own :class:`~kiosk.center.client.CenterClient` (``requests.Session``
is not thread-safe):

- the **session worker**: challenge, authentication + offer, issuance, usage registration,
  status, the municipality list, and ending the resident's session on wipe;
- the **report worker** (kiosk/runtime/center/report.py): completion reports, which may come
  after the session ended, may wait for an issuance still in flight, must never queue behind
  the next resident's calls, and are sent again with a capped back-off until the center
  acknowledges;
- the **health monitor** (kiosk/runtime/center/health.py): ``GET /health`` at start,
  periodically, and at once after a failed call; the start screen offers its services only
  while the center answers, and the reports waiting for the center are sent as soon as it is
  back.

``CancelCenterCall`` abandons the call in flight: its late answer is dropped (a generation
counter) and, if a call is running, the session worker and its client are replaced so that the
next resident does not wait behind it (the abandoned thread ends on the client's own timeouts).

An issuance is verified by the client (kiosk.center.verify); its copies are decoded here and
handed to the print service through :class:`~kiosk.runtime.context.TransactionFacts`, and the
flow is told ``CertificateIssued``. The flow then asks the print service to compose the job
(``ComposePrintJob``, kiosk/runtime/printer.py), and asks for the fee only once it is composed
(architecture rule 1). The idempotency key of an issuance is its transaction id, which the
journal holds before the call (``TransactionOpened`` at confirmation).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from kiosk.center import wire
from kiosk.center.client import ATTEMPTS_ISSUANCE, READ_TIMEOUT_ISSUANCE_S, CenterClient
from kiosk.center.errors import CenterError, ProtocolViolation, SessionExpired
from kiosk.domain import Offer
from kiosk.flow import Event
from kiosk.flow import effects as fx
from kiosk.flow.events import (
    SESSION_TOO_SHORT,
    CenterCall,
    CenterFailed,
    CenterFailure,
    CertificateIssued,
    ChallengeReceived,
    CompletionDeferred,
    CompletionReported,
    HonsekiMunicipality,
    MunicipalitiesLoaded,
    OfferReceived,
    RegistrationAccepted,
    RegistrationState,
    StatusReceived,
)
from kiosk.runtime.center.failures import center_failure
from kiosk.runtime.center.health import HealthMonitor, HealthTiming
from kiosk.runtime.center.report import (
    IssuanceFacts,
    ReportJob,
    ReportSender,
    RetryPolicy,
    completion_report,
)
from kiosk.runtime.context import Clock, IssuedCertificate, TransactionFacts
from printing.certificates import CertificateRequest
from printing.security import (
    BACK_SIDE_FORMAT,
    BackSideData,
    CopyToPrint,
    SecurityPrintingError,
)

if TYPE_CHECKING:  # recovery imports the report module of this package
    from kiosk.runtime.recovery import RecoveredReport

log = logging.getLogger(__name__)

Post = Callable[[Event], None]
ClientFactory = Callable[[], CenterClient]

# What one issuance may take of the resident's session: the client's read timeout times its
# attempts (kiosk/center/client.py). A basket needs it once per item still to issue.
ISSUE_BUDGET_S = READ_TIMEOUT_ISSUANCE_S * ATTEMPTS_ISSUANCE
# A completion report for an issuance whose answer has not arrived yet waits this long for it:
# the client's issuance read timeout (60 s) times its attempts (2), plus back-off.
ISSUANCE_WAIT_S = 125.0
# Failures of a call that say something about the center itself (not about one resident or
# one municipality): the health monitor checks at once.
CENTER_DOWN_FAILURES = frozenset(
    {
        CenterFailure.UNREACHABLE,
        CenterFailure.TIMEOUT,
        CenterFailure.UNAVAILABLE,
        CenterFailure.MAINTENANCE,
        CenterFailure.NOT_AUTHORISED,
        CenterFailure.PROTOCOL,
    }
)


class _Worker:
    """One single-thread executor with its own client, made on its thread on first use."""

    def __init__(self, name: str, factory: ClientFactory) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._factory = factory
        self._client: CenterClient | None = None
        self.running = 0  # calls queued or running (guarded by the service's lock)
        self.abandoned = False

    def client(self) -> CenterClient:
        if self._client is None:
            self._client = self._factory()
        return self._client

    def close_client(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    def abandon(self) -> None:
        """Stop taking work: queued calls are cancelled; the call running (if any) ends on the
        client's own timeouts and closes the client after it (see ``_on_session_worker``)."""
        self.abandoned = True
        self.executor.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        try:
            self.executor.submit(self.close_client)
        except RuntimeError:
            return  # already shut down
        self.executor.shutdown(wait=False)


class CenterService:
    """Executes the flow's center effects (see the module docstring).

    ``client_factory`` makes each worker's client; ``clock`` dates the completion reports;
    ``jitter`` draws the report retries' jitter (kiosk.runtime.center.report.ReportSender).
    """

    def __init__(
        self,
        client_factory: ClientFactory,
        facts: TransactionFacts,
        *,
        report_retry: RetryPolicy | None = None,
        health_timing: HealthTiming | None = None,
        clock: Clock,
        jitter: Callable[[], float],
    ) -> None:
        self._factory = client_factory
        self._facts = facts
        self._clock = clock
        self._post: Post | None = None
        self._lock = threading.Lock()
        self._generation = 0
        self._session_worker: _Worker | None = None
        self._health = HealthMonitor(
            client_factory, self._send, on_recovered=self._retry_reports, timing=health_timing
        )
        self._reports = ReportSender(
            client_factory, policy=report_retry, on_failure=self._call_failed, draw=jitter
        )
        # Personal (wiped): the challenge being answered and the resident's session.
        self._challenge: wire.Challenge | None = None
        self._grant: wire.SessionGrant | None = None
        self._granted_at: datetime | None = None  # the center's time when it was granted
        self._center_offset = timedelta(0)  # the center's clock minus the kiosk's
        # Not personal, kept across sessions for late completion reports.
        self._issued: dict[str, IssuanceFacts] = {}
        self._issuing: dict[str, Future[None]] = {}

    # -- life cycle ------------------------------------------------------------------------------
    def start(self, post: Post) -> None:
        self._post = post
        self._session_worker = _Worker("kiosk-center", self._factory)
        self._reports.start()
        self._health.start()

    def stop(self) -> None:
        self._health.stop()
        self._reports.stop()
        if self._session_worker is not None:
            self._session_worker.close()
        self._session_worker = None

    @property
    def reports(self) -> ReportSender:
        """The report worker (tests and diagnostics: which reports wait for the center)."""
        return self._reports

    def _retry_reports(self) -> None:
        self._reports.retry_now()

    def _call_failed(self, exc: CenterError) -> None:
        failure, _ = center_failure(exc)
        if failure in CENTER_DOWN_FAILURES:
            self._health.check_soon()

    # -- effects (sequencer thread) --------------------------------------------------------------
    def request_challenge(self, purpose: fx.AuthPurpose) -> None:
        def call(client: CenterClient) -> Event:
            challenge = client.challenge(wire.AuthPurpose(purpose.value))
            with self._lock:
                self._challenge = challenge
                # The center's clock against the kiosk's (the session check below measures
                # the session on the center's clock: a kiosk clock that is off does not count).
                self._center_offset = challenge.issued_at - self._clock()
            return ChallengeReceived(challenge.message())

        self._on_session_worker(CenterCall.CHALLENGE, call)

    def authenticate(self, signature: bytes) -> None:
        certificate = self._facts.certificate()

        def call(client: CenterClient) -> Event:
            with self._lock:
                challenge = self._challenge
                self._challenge = None
            if challenge is None or certificate is None:
                raise ProtocolViolation("authentication without a challenge or a certificate")
            grant = client.open_session(challenge, certificate, signature)
            with self._lock:
                self._grant = grant
                self._granted_at = self._clock() + self._center_offset
            if grant.purpose is wire.AuthPurpose.REGISTRATION:
                # A registration session has no offer; the flow needs only the municipality.
                offer = Offer(grant.municipality_code, grant.municipality_name, ())
            else:
                offer = client.offer(grant)
            return OfferReceived(offer)

        self._on_session_worker(CenterCall.AUTHENTICATE, call)

    def issue(self, txn_id: str, request: CertificateRequest, items_left: int = 1) -> None:
        def call(client: CenterClient) -> Event:
            grant = self._session()
            # One certificate (or a basket's last) is asked as it always was: the center's own
            # answer says whether the session still holds.
            if items_left > 1 and not self._session_lasts(grant, items_left):
                return CenterFailed(
                    CenterCall.ISSUE, CenterFailure.SESSION_EXPIRED, SESSION_TOO_SHORT
                )
            result = client.issue(grant, request, txn_id)
            return self._hand_over(txn_id, result.envelope)

        future = self._on_session_worker(CenterCall.ISSUE, call)
        if future is not None:
            with self._lock:
                self._issuing[txn_id] = future

    def report(self, effect: fx.ReportCompletion) -> None:
        """ReportCompletion, on the report worker, until acknowledged. What the report says is
        fixed now (its time too): every attempt sends the same body under the same key."""
        txn_id = effect.txn_id
        with self._lock:
            issuing = self._issuing.get(txn_id)

        def issuance() -> IssuanceFacts | None:
            return self._issuance_of(txn_id, issuing)

        def acknowledged() -> None:
            with self._lock:
                self._issued.pop(txn_id, None)
                self._issuing.pop(txn_id, None)
            self._send(CompletionReported(txn_id))

        def deferred(exc: CenterError) -> None:
            failure, _ = center_failure(exc)
            self._send(CompletionDeferred(txn_id, failure))

        def given_up(exc: CenterError) -> None:
            failure, reason = center_failure(exc)
            self._send(CenterFailed(CenterCall.COMPLETE, failure, reason, txn_id))

        body = completion_report(effect, self._clock())
        self._reports.submit(ReportJob(txn_id, issuance, body, acknowledged, deferred, given_up))

    def send_recovered(
        self,
        recovered: list[RecoveredReport],
        on_result: Callable[[RecoveredReport, bool], None],
    ) -> None:
        """Send the completion reports a restart still owes (kiosk/runtime/recovery.py) on the
        report worker, with the same retries; ``on_result(report, acknowledged)`` once the
        center acknowledged it, or gave an answer that time will not change."""

        def finished(item: RecoveredReport, acknowledged: bool) -> None:
            try:
                on_result(item, acknowledged)
            except Exception:
                log.exception("recording a recovered report failed")

        for item in recovered:
            body = completion_report(item.report, self._clock())

            def issuance(facts: IssuanceFacts = item.issuance) -> IssuanceFacts:
                return facts

            def acknowledged(item: RecoveredReport = item) -> None:
                finished(item, True)

            def deferred(exc: CenterError) -> None:
                pass  # logged by the worker; the journal keeps the report open meanwhile

            def given_up(exc: CenterError, item: RecoveredReport = item) -> None:
                finished(item, False)

            self._reports.submit(
                ReportJob(item.txn_id, issuance, body, acknowledged, deferred, given_up)
            )

    def cancel(self) -> None:
        """CancelCenterCall: drop the answer in flight; do not let the next resident wait."""
        with self._lock:
            self._generation += 1
            worker = self._session_worker
            busy = worker is not None and worker.running > 0
            if busy:
                self._session_worker = _Worker("kiosk-center", self._factory)
        if busy and worker is not None:
            log.info("center call abandoned; a new center worker takes over")
            worker.abandon()

    def load_municipalities(self) -> None:
        def call(client: CenterClient) -> Event:
            listed = client.municipalities().municipalities
            return MunicipalitiesLoaded(
                tuple(
                    HonsekiMunicipality(m.code, m.name, m.prefecture)
                    for m in listed
                    if m.participates and m.honseki_service
                )
            )

        self._on_session_worker(CenterCall.MUNICIPALITIES, call)

    def register(self, registration: fx.Registration) -> None:
        def call(client: CenterClient) -> Event:
            facts = registration.facts
            application = wire.RegistrationApplication(
                honseki_municipality_code=registration.honseki_municipality_code,
                name=facts.name,
                address=facts.address,
                birth_date=facts.birth_date,
                sex=facts.sex,
                honseki=registration.honseki,
                hittosha_name=registration.hittosha_name,
                phone=registration.phone,
            )
            receipt = client.register(self._session(), application, _new_key())
            return RegistrationAccepted(
                receipt.application_number, receipt.municipality_name, receipt.message_ja
            )

        self._on_session_worker(CenterCall.REGISTER, call)

    def check_status(self, application_number: str) -> None:
        def call(client: CenterClient) -> Event:
            status = client.registration_status(application_number)
            return StatusReceived(RegistrationState(status.state.value), status.message_ja)

        self._on_session_worker(CenterCall.STATUS, call)

    def wipe(self) -> None:
        """WipePersonalData: end the resident's session at the center, forget it and the job."""
        with self._lock:
            grant, self._grant = self._grant, None
            self._challenge = None
            self._granted_at = None
            worker = self._session_worker
        self._facts.wipe()
        if grant is not None and worker is not None:
            worker.executor.submit(self._end_session, worker, grant)

    # -- the workers -----------------------------------------------------------------------------
    def _session(self) -> wire.SessionGrant:
        with self._lock:
            grant = self._grant
        if grant is None:
            raise SessionExpired("no resident session")
        return grant

    def _session_lasts(self, grant: wire.SessionGrant, items_left: int) -> bool:
        """Whether the session stays valid for ``items_left`` issuances, each of which may take
        the client's whole budget (read timeout × attempts): a basket is refused before its
        first call rather than cut off after some items were issued. Time is the center's: the
        kiosk's clock plus the offset the challenge's ``issued_at`` showed (a kiosk clock that
        is off by hours changes nothing; the round trip's seconds do not matter against the
        budget). A session that ends before it was granted is a wrong clock, not a session:
        the center has the last word then (its SESSION_EXPIRED answer)."""
        with self._lock:
            received, offset = self._granted_at, self._center_offset
        now = self._clock() + offset  # the center's time, as the challenge told it
        if received is None or grant.expires_at <= received:
            return True
        return grant.expires_at - now >= timedelta(seconds=ISSUE_BUDGET_S * items_left)

    def _end_session(self, worker: _Worker, grant: wire.SessionGrant) -> None:
        try:
            worker.client().end_session(grant)
        except CenterError as exc:  # the session dies on its own (SESSION_TTL)
            log.info("ending the center session failed: %s", exc.staff_code)

    def _on_session_worker(
        self, call: CenterCall, work: Callable[[CenterClient], Event]
    ) -> Future[None] | None:
        with self._lock:
            worker = self._session_worker
            generation = self._generation
            if worker is None:
                log.error("center call before the service started")
                return None
            worker.running += 1

        def run() -> None:
            try:
                event = self._outcome(call, lambda: work(worker.client()))
            finally:
                with self._lock:
                    worker.running -= 1
                    current = generation == self._generation
                if worker.abandoned:
                    worker.close_client()
            if current:
                self._send(event)
            else:
                log.info("late center answer (%s) dropped", call.value)

        return worker.executor.submit(run)

    def _outcome(self, call: CenterCall, work: Callable[[], Event]) -> Event:
        try:
            return work()
        except CenterError as exc:
            failure, reason = center_failure(exc)
            log.info("center %s failed: %s %s", call.value, failure.value, reason)
            self._call_failed(exc)
            return CenterFailed(call, failure, reason)
        except Exception:  # a bug here must still end the flow's wait with a clear outcome
            log.exception("center %s failed unexpectedly", call.value)
            return CenterFailed(call, CenterFailure.UNAVAILABLE)

    def _hand_over(self, txn_id: str, envelope: wire.Envelope) -> Event:
        """Decode the verified envelope's copies for the print service (TransactionFacts) and
        tell the flow it arrived; data the kiosk cannot decode is the center's fault."""
        with self._lock:
            self._issued[txn_id] = IssuanceFacts(
                envelope.issuance_id, envelope.fee_yen_per_copy, len(envelope.copies)
            )
        copies = envelope.copies
        page_counts = {copy.page_count for copy in copies}
        if len(page_counts) != 1:
            raise ProtocolViolation("the copies of one issuance differ in length")
        try:
            decoded = tuple(
                CopyToPrint(
                    copy.front_pdf,
                    tuple(_back_side(page.format, page.data) for page in copy.back_sides),
                )
                for copy in copies
            )
        except (SecurityPrintingError, ValueError) as exc:
            raise ProtocolViolation(f"the back-side data cannot be read: {exc}") from None
        issued = IssuedCertificate(
            txn_id, envelope.issuance_id, decoded, copies[0].page_count, copies[0].serial
        )
        self._facts.put_issued(issued)
        return CertificateIssued(
            txn_id,
            envelope.issuance_id,
            envelope.total_fee_yen,
            issued.sides_per_copy,
            envelope.business_date,
        )

    def _issuance_of(self, txn_id: str, issuing: Future[None] | None) -> IssuanceFacts | None:
        """The issuance a report is about; waits (on the report worker) for one in flight."""
        with self._lock:
            issued = self._issued.get(txn_id)
        if issued is None and issuing is not None:
            try:
                issuing.result(timeout=ISSUANCE_WAIT_S)
            except FutureTimeout:
                log.warning("issuance of a reported transaction did not end in time")
            except Exception:  # cancelled before it ran: nothing was asked of the center
                log.info("issuance of a reported transaction never ran")
            with self._lock:
                issued = self._issued.get(txn_id)
        return issued

    def _send(self, event: Event) -> None:
        post = self._post
        if post is not None:
            post(event)


def _back_side(format_name: str, data: bytes) -> BackSideData:
    if format_name != BACK_SIDE_FORMAT:
        raise ValueError(f"back-side format {format_name!r} is not {BACK_SIDE_FORMAT!r}")
    return BackSideData.from_bytes(data)


def _new_key() -> str:
    from kiosk.center.client import new_idempotency_key

    return new_idempotency_key()


__all__ = ["CenterService"]
