"""The center service: the issuance-center calls of the flow, off the flow thread.

Two single-worker threads, each with its own :class:`~kiosk.center.client.CenterClient`
(``requests.Session`` is not thread-safe):

- the **session worker**: challenge, authentication + offer, issuance, usage registration,
  status, the municipality list, and ending the resident's session on wipe;
- the **report worker**: completion reports, which may come after the session ended, may wait
  for an issuance still in flight, and must never queue behind the next resident's calls.

``CancelCenterCall`` abandons the call in flight: its late answer is dropped (a generation
counter) and, if a call is running, the session worker and its client are replaced so that the
next resident does not wait behind it (the abandoned thread ends on the client's own timeouts).

An issuance is verified by the client (kiosk.center.verify) and then composed into the print job
here, before ``CertificateReady``: the fee is asked for only once the kiosk knows it can print
what it got (architecture rule 1). The idempotency key of an issuance is its transaction id,
which the journal holds before the call (``TransactionOpened`` at confirmation).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime

from kiosk.center import wire
from kiosk.center.client import CenterClient
from kiosk.center.errors import (
    CenterError,
    IdempotencyConflict,
    ProtocolViolation,
    SessionExpired,
)
from kiosk.domain import CertificateRequest, Offer
from kiosk.flow import Event
from kiosk.flow import effects as fx
from kiosk.flow.events import (
    CenterCall,
    CenterFailed,
    CenterFailure,
    CertificateReady,
    ChallengeReceived,
    CompletionReported,
    HonsekiMunicipality,
    MunicipalitiesLoaded,
    OfferReceived,
    RegistrationAccepted,
    RegistrationState,
    StatusReceived,
)
from kiosk.journal import serial_digest
from kiosk.runtime.context import IssuedJob, TransactionFacts
from kiosk.runtime.recovery import RESTART_REASON, RecoveredReport
from kiosk.runtime.reporting import IssuanceFacts, center_failure, completion_report
from printing.security import (
    BACK_SIDE_FORMAT,
    BackSideData,
    CopyToPrint,
    PrintCalibration,
    SecurityPrintingError,
    compose_job,
)

log = logging.getLogger(__name__)

Post = Callable[[Event], None]
ClientFactory = Callable[[], CenterClient]

# A completion report for an issuance whose answer has not arrived yet waits this long for it:
# the client's issuance read timeout (60 s) times its attempts (2), plus back-off.
ISSUANCE_WAIT_S = 125.0
# The completion's idempotency key is derived from the transaction id, so that a report sent
# again (a retry, or the same transaction reported after a restart) is one report.
COMPLETION_KEY_SUFFIX = "-completion"


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
    """Executes the flow's center effects (see the module docstring)."""

    def __init__(
        self,
        client_factory: ClientFactory,
        facts: TransactionFacts,
        *,
        salt: bytes,
        calibration: PrintCalibration | None = None,
        paid_at_counter: bool = False,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._factory = client_factory
        self._facts = facts
        self._salt = salt
        self._calibration = calibration or PrintCalibration()
        self._paid_at_counter = paid_at_counter
        self._clock = clock
        self._post: Post | None = None
        self._lock = threading.Lock()
        self._generation = 0
        self._session_worker: _Worker | None = None
        self._report_worker: _Worker | None = None
        # Personal (wiped): the challenge being answered and the resident's session.
        self._challenge: wire.Challenge | None = None
        self._grant: wire.SessionGrant | None = None
        # Not personal, kept across sessions for late completion reports.
        self._issued: dict[str, IssuanceFacts] = {}
        self._issuing: dict[str, Future[None]] = {}

    # -- life cycle ------------------------------------------------------------------------------
    def start(self, post: Post) -> None:
        self._post = post
        self._session_worker = _Worker("kiosk-center", self._factory)
        self._report_worker = _Worker("kiosk-center-report", self._factory)
        self._report_worker.executor.submit(self._health_check)

    def stop(self) -> None:
        for worker in (self._session_worker, self._report_worker):
            if worker is not None:
                worker.close()
        self._session_worker = self._report_worker = None

    def _health_check(self) -> None:
        try:
            health = self._report_worker_client().health()
            log.info("center: %s, protocol v%d", health.state.value, health.protocol_version)
        except CenterError as exc:
            log.warning("center health check failed: %s", exc.staff_code)

    def _report_worker_client(self) -> CenterClient:
        assert self._report_worker is not None
        return self._report_worker.client()

    # -- effects (sequencer thread) --------------------------------------------------------------
    def request_challenge(self, purpose: fx.AuthPurpose) -> None:
        def call(client: CenterClient) -> Event:
            challenge = client.challenge(wire.AuthPurpose(purpose.value))
            with self._lock:
                self._challenge = challenge
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
            if grant.purpose is wire.AuthPurpose.REGISTRATION:
                # A registration session has no offer; the flow needs only the municipality.
                offer = Offer(grant.municipality_code, grant.municipality_name, ())
            else:
                offer = client.offer(grant)
            return OfferReceived(offer)

        self._on_session_worker(CenterCall.AUTHENTICATE, call)

    def issue(self, txn_id: str, request: CertificateRequest) -> None:
        def call(client: CenterClient) -> Event:
            grant = self._session()
            result = client.issue(grant, request, txn_id)
            return self._prepare_job(txn_id, result.envelope)

        future = self._on_session_worker(CenterCall.ISSUE, call)
        if future is not None:
            with self._lock:
                self._issuing[txn_id] = future

    def report(self, effect: fx.ReportCompletion) -> None:
        """ReportCompletion, on the report worker. What the report says is taken now: the
        session may be wiped before the worker gets to it."""
        fault = self._facts.print_fault(effect.txn_id)
        with self._lock:
            issuing = self._issuing.get(effect.txn_id)
        worker = self._report_worker
        if worker is None:
            return
        worker.executor.submit(self._report, worker, effect, fault, issuing)

    def send_recovered(
        self,
        recovered: list[RecoveredReport],
        on_result: Callable[[RecoveredReport, bool], None],
    ) -> None:
        """Send the completion reports a restart still owes (kiosk/runtime/recovery.py), on the
        report worker; ``on_result(report, acknowledged)`` after each."""
        worker = self._report_worker
        if worker is None or not recovered:
            return

        def send() -> None:
            for item in recovered:
                fault = RESTART_REASON if item.report.outcome is fx.Completion.FAILED else None
                body = completion_report(item.report, item.issuance, fault, self._clock())
                key = item.txn_id + COMPLETION_KEY_SUFFIX
                try:
                    worker.client().complete(item.issuance.issuance_id, body, key)
                    acknowledged = True
                except IdempotencyConflict:
                    acknowledged = True  # the center already holds this issuance's report
                except CenterError as exc:
                    log.warning("recovered completion report failed: %s", exc.staff_code)
                    acknowledged = False
                try:
                    on_result(item, acknowledged)
                except Exception:
                    log.exception("recording a recovered report failed")

        worker.executor.submit(send)

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
            return CenterFailed(call, failure, reason)
        except Exception:  # a bug here must still end the flow's wait with a clear outcome
            log.exception("center %s failed unexpectedly", call.value)
            return CenterFailed(call, CenterFailure.UNAVAILABLE)

    def _prepare_job(self, txn_id: str, envelope: wire.Envelope) -> Event:
        """Compose the verified envelope into the print job; CertificateReady only if it can
        be printed as it is."""
        with self._lock:
            self._issued[txn_id] = IssuanceFacts(
                envelope.issuance_id, envelope.fee_yen_per_copy, len(envelope.copies)
            )
        copies = envelope.copies
        page_counts = {copy.page_count for copy in copies}
        if len(page_counts) != 1:
            raise ProtocolViolation("the copies of one issuance differ in length")
        try:
            to_print = [
                CopyToPrint(
                    copy.front_pdf,
                    tuple(_back_side(page.format, page.data) for page in copy.back_sides),
                )
                for copy in copies
            ]
            pdf = compose_job(to_print, self._calibration)
        except (SecurityPrintingError, ValueError) as exc:
            raise ProtocolViolation(f"the certificate data cannot be printed: {exc}") from None
        digest = serial_digest(copies[0].serial, self._salt)
        page_count = copies[0].page_count
        job = IssuedJob(txn_id, envelope.issuance_id, pdf, len(copies), page_count, digest)
        self._facts.put_job(job)
        return CertificateReady(
            txn_id, envelope.total_fee_yen, job.pages_per_copy, digest, envelope.issuance_id
        )

    def _report(
        self,
        worker: _Worker,
        effect: fx.ReportCompletion,
        fault: str | None,
        issuing: Future[None] | None,
    ) -> None:
        txn_id = effect.txn_id
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
        if issued is None:
            # No envelope ever arrived: the center issued nothing this kiosk could print or
            # pay for, and an issuance id to report on does not exist.
            log.info("completion: nothing was issued for this transaction")
            self._send(CompletionReported(txn_id))
            return
        report = completion_report(effect, issued, fault, self._clock(), self._paid_at_counter)
        try:
            worker.client().complete(issued.issuance_id, report, txn_id + COMPLETION_KEY_SUFFIX)
        except CenterError as exc:
            failure, reason = center_failure(exc)
            log.warning("completion report failed: %s", failure.value)
            self._send(CenterFailed(CenterCall.COMPLETE, failure, reason, txn_id))
            return
        except Exception:
            log.exception("completion report failed unexpectedly")
            self._send(CenterFailed(CenterCall.COMPLETE, CenterFailure.UNAVAILABLE, "", txn_id))
            return
        with self._lock:
            self._issued.pop(txn_id, None)
            self._issuing.pop(txn_id, None)
        self._send(CompletionReported(txn_id))

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
