"""The effect runner: steps the flow with every event and executes the effects it asks for.

Threads:

- the **flow thread** (the Qt UI thread in the application): :meth:`Runner.dispatch` runs
  ``kiosk.flow.step`` and tells the listeners (the screens) about the new state. Nothing slow
  happens here, so no screen is ever frozen;
- the **sequencer** (``kiosk-effects``): executes each step's effects in order. A
  ``JournalWrite`` is done right there, durably, before the effects after it (write-ahead,
  kiosk/flow/effects.py): if it fails, the rest of that step's effects are dropped and
  ``JournalFailed`` is posted. Every other effect is handed to its service, which queues the
  work on its own worker thread and answers later with events;
- the services' workers (card, center, completion reports, printer, acceptor), timers and the
  card monitor, which all answer through :attr:`Runner.post` (thread-safe);
- the flow's heartbeat (kiosk.runtime.heartbeat): its probes go the same way as events
  (``post`` → flow thread) and on to the sequencer behind the queued effects; only there is the
  service manager's watchdog petted, so a stuck flow thread or sequencer stops the pets.

``post`` is given at :meth:`Runner.start`: the Qt application passes a signal's ``emit`` (a
queued connection delivers the event to :meth:`dispatch` on the UI thread); tests without Qt
pass :meth:`kiosk.runtime.ThreadLoop.post`.
"""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol, assert_never

from kiosk.audit import AuditEvent, audit, record
from kiosk.flow import Effect, Event, FlowSettings, FlowState, describe_change, initial_state, step
from kiosk.flow import effects as fx
from kiosk.flow.diff import loggable
from kiosk.flow.events import JournalFailed
from kiosk.flow.state import OutOfService, StaffAccess
from kiosk.journal import Journal, JournalError
from kiosk.journal.records import ChangeIntent, RefundIntent, Step
from kiosk.payment import ChangeDispensed, MoneyInserted, MoneyRefunded
from kiosk.problems import Problem
from kiosk.runtime.card import CardService
from kiosk.runtime.center import CenterService
from kiosk.runtime.heartbeat import Probe
from kiosk.runtime.payment import PaymentService
from kiosk.runtime.print_recovery import InterruptedPrint, PrintSettlement, record_settlement
from kiosk.runtime.printer import PrintService
from kiosk.runtime.recovery import RecoveredReport, finish_recovered, recover_items
from kiosk.runtime.timers import Timers

log = logging.getLogger(__name__)

Post = Callable[[Event], None]
# What the flow thread takes: events, and the heartbeat's probes (kiosk.runtime.heartbeat).
Delivery = Event | Probe
Deliver = Callable[[Delivery], None]
StateListener = Callable[[], None]

# How long stop() waits for the sequencer to finish the effects already queued.
SEQUENCER_STOP_S = 5.0


class ReminderPlayer(Protocol):
    """Plays the 取り忘れ reminder sounds (kiosk.sound); must never block nor raise."""

    def play(self, reminder: fx.Reminder) -> None: ...

    def close(self) -> None: ...


@dataclass
class Services:
    """The devices and remote systems the effects act on (built by kiosk/app/wiring.py)."""

    card: CardService
    center: CenterService
    printer: PrintService
    payment: PaymentService | None  # None: counter payment (city hall), no acceptor
    timers: Timers
    sound: ReminderPlayer
    journal: Journal


def new_boot_id() -> str:
    """A random id for this start of the kiosk; transaction ids are ``<boot id>-<seq>``.

    16 hex digits: transaction ids stay valid idempotency keys of the center protocol
    (16–64 of ``[A-Za-z0-9_-]``) and never repeat across restarts.
    """
    return uuid.uuid4().hex[:16]


class Runner:
    """Owns the flow state; see the module docstring for the threads."""

    def __init__(
        self,
        settings: FlowSettings,
        services: Services,
        *,
        kiosk_id: str,
        recovered: list[RecoveredReport] | None = None,
        interrupted: list[InterruptedPrint] | None = None,
    ) -> None:
        self.services = services
        self.kiosk_id = kiosk_id
        self._recovered = list(recovered or ())
        self._interrupted = list(interrupted or ())
        self._state = initial_state(settings)
        self._listeners: list[StateListener] = []
        self._post: Deliver | None = None
        self._dispatching = False
        self._backlog: deque[Event] = deque()
        self._batches: queue.Queue[tuple[tuple[Effect, ...], str] | Probe | None] = queue.Queue()
        self._idle = threading.Condition()
        self._unfinished = 0
        self._sequencer: threading.Thread | None = None
        # The staff side (kiosk.runtime.staff) hears when it may have the kiosk; called on the
        # sequencer thread, must not block.
        self.staff_access_listener: Callable[[StaffAccess, int], None] | None = None

    # -- life cycle ------------------------------------------------------------------------------
    def start(self, post: Deliver) -> None:
        """Start the sequencer and the services; their results come back through ``post``
        (which delivers to :meth:`dispatch` on the flow thread)."""
        if self._sequencer is not None:
            return
        self._post = post
        self._sequencer = threading.Thread(target=self._run, name="kiosk-effects", daemon=True)
        self._sequencer.start()
        services = self.services
        services.timers.start(self.post)
        services.card.start(self.post)
        services.center.start(self.post)
        services.printer.start(self.post)
        if services.payment is not None:
            services.payment.start(self.post)
        if self._recovered:
            services.center.send_recovered(self._recovered, self._recovered_report_sent)
            self._recovered = []
        if self._interrupted:
            services.printer.recover(self._interrupted, self._print_settled)
            self._interrupted = []

    def _recovered_report_sent(self, report: RecoveredReport, acknowledged: bool) -> None:
        finish_recovered(self.services.journal, report, acknowledged, self.kiosk_id)

    def _print_settled(self, item: InterruptedPrint, settled: PrintSettlement) -> None:
        """A print a crash interrupted is settled from CUPS (print worker): journal it, then
        recover its transaction like the others — money owed, report to the center."""
        journal = self.services.journal
        record_settlement(journal, item, settled)
        record(
            audit(
                AuditEvent.PRINT_COMPLETE,
                settled.fault.value if settled.fault else "success",
                txn_id=item.txn_id,
                copies=settled.copies_printed,
            ),
            self.kiosk_id,
        )
        summary = journal.summary(item.txn_id)
        payment = self._state.settings.payment
        reports = recover_items(journal, summary, self.kiosk_id, payment)
        if reports:
            self.services.center.send_recovered(reports, self._recovered_report_sent)

    def stop(self) -> None:
        """Stop everything (the application is closing): timers, workers, card, acceptor."""
        services = self.services
        services.timers.stop()
        self._batches.put(None)
        if self._sequencer is not None:
            self._sequencer.join(SEQUENCER_STOP_S)
            self._sequencer = None
        for close in (
            services.card.stop,
            services.center.stop,
            services.printer.stop,
            services.payment.stop if services.payment is not None else None,
            services.sound.close,
            services.journal.close,
        ):
            if close is None:
                continue
            try:
                close()
            except Exception:  # closing one device must not keep the others open
                log.exception("stopping %s failed", close)

    # -- state -----------------------------------------------------------------------------------
    @property
    def state(self) -> FlowState:
        """The current snapshot (read it on the flow thread)."""
        return self._state

    def current(self) -> FlowState:
        """The current snapshot (kiosk.ui.StateSource)."""
        return self._state

    def subscribe(self, listener: StateListener) -> Callable[[], None]:
        """Call ``listener()`` after every step (on the flow thread; kiosk.ui.StateSource);
        returns the function that unsubscribes it."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def post(self, event: Event) -> None:
        """Thread-safe: deliver ``event`` to :meth:`dispatch` on the flow thread."""
        post = self._post
        if post is None:
            log.warning("event %s before the runner started: dropped", type(event).__name__)
            return
        post(event)

    def probe(self, probe: Probe) -> None:
        """Thread-safe: send the heartbeat's probe through the flow thread and the sequencer."""
        post = self._post
        if post is None:
            return  # not started (or stopped): no answer, as for a stuck flow
        post(probe)

    # -- the flow thread -------------------------------------------------------------------------
    def dispatch(self, event: Delivery) -> None:
        """Step the flow with ``event`` (flow thread only). Events that arrive while a step is
        running (a listener that sends an intent) are stepped after it, in order. A heartbeat
        probe is passed to the sequencer, behind the effects already queued."""
        if isinstance(event, Probe):
            self._enqueue(event)
            return
        self._backlog.append(event)
        if self._dispatching:
            return
        self._dispatching = True
        try:
            while self._backlog:
                self._step(self._backlog.popleft())
        finally:
            self._dispatching = False

    def _step(self, event: Event) -> None:
        old = self._state
        try:
            new, effects = step(old, event)
        except Exception:
            # A flow bug: never crash the kiosk with money possibly held. Stop taking money,
            # release the card, and show out-of-service; the journal keeps what happened.
            log.exception("flow step failed on %s", type(event).__name__)
            new, effects = _internal_error(old)
        self._state = new
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "event %s → %s; effects %s",
                loggable(event),
                describe_change(old, new),
                [type(e).__name__ for e in effects],
            )
        ref = _acceptor_ref(event)
        if effects or ref:
            self.submit(effects, confirm=ref)
        for listener in list(self._listeners):
            try:
                listener()
            except Exception:  # a broken screen must not stop the flow
                log.exception("state listener failed")

    # -- the sequencer ---------------------------------------------------------------------------
    def submit(self, effects: tuple[Effect, ...], *, confirm: str = "") -> None:
        """Queue one step's effects for the sequencer (dispatch does this after every step).

        ``confirm``: the fee acceptor's name for the credit or payout result the step handled;
        once the step's journal writes are durable the acceptor is told, so that it forgets its
        own note of it (kiosk.payment.RecoverableAcceptor)."""
        self._enqueue((effects, confirm))

    def _enqueue(self, item: tuple[tuple[Effect, ...], str] | Probe) -> None:
        with self._idle:
            self._unfinished += 1
        self._batches.put(item)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every queued effect was handed to its service (tests, benchmarks)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._unfinished == 0, timeout)

    def _run(self) -> None:
        while True:
            item = self._batches.get()
            if item is None:
                return
            try:
                if isinstance(item, Probe):
                    item.answer(item.serial)
                elif self._execute_batch(item[0]) and item[1] and self.services.payment is not None:
                    self.services.payment.confirm(item[1])
            finally:
                with self._idle:
                    self._unfinished -= 1
                    self._idle.notify_all()

    def _execute_batch(self, batch: tuple[Effect, ...]) -> bool:
        """Execute one step's effects; False if a journal write failed (the rest dropped)."""
        payout_refs: dict[type, str] = {}
        for effect in batch:
            if isinstance(effect, fx.JournalWrite):
                record_ = effect.record
                try:
                    self.services.journal.write(record_)
                    if isinstance(record_, ChangeIntent | RefundIntent):
                        payout_refs[type(record_)] = self._payout_ref(record_)
                except JournalError as exc:
                    # Write-ahead: the step this record guards must not happen.
                    log.error("journal write failed: %s", exc)
                    self.post(JournalFailed(type(record_).__name__))
                    return False
                continue
            try:
                if isinstance(effect, fx.DispenseChange | fx.Refund):
                    intent = ChangeIntent if isinstance(effect, fx.DispenseChange) else RefundIntent
                    self._acceptor(effect, payout_refs.pop(intent, ""))
                else:
                    self._execute(effect)
            except Exception:  # a service bug: logged, the flow's watchdog timers take over
                log.exception("effect %s failed", type(effect).__name__)
        return True

    def _payout_ref(self, intent: ChangeIntent | RefundIntent) -> str:
        step = Step.CHANGE if isinstance(intent, ChangeIntent) else Step.REFUND
        ordinal = self.services.journal.intent_count(intent.txn_id, step)
        return payout_ref(intent.txn_id, step, ordinal)

    def _execute(self, effect: Effect) -> None:
        s = self.services
        match effect:
            case fx.ReadCard():
                s.card.read_card()
            case fx.ReadPinTries():
                s.card.read_pin_tries()
            case fx.VerifyPin():
                s.card.verify_pin(effect.pin)
            case fx.SignChallenge():
                s.card.sign(effect.message)
            case fx.ReadCardFacts():
                s.card.read_facts(effect.matching_number)
            case fx.ReleaseCard():
                s.card.release()
            case fx.RequestChallenge():
                s.center.request_challenge(effect.purpose)
            case fx.Authenticate():
                s.center.authenticate(effect.signature)
            case fx.IssueCertificate():
                s.center.issue(effect.txn_id, effect.request, effect.items_left)
            case fx.ReportCompletion():
                s.center.report(effect)
            case fx.CancelCenterCall():
                s.center.cancel()
            case fx.LoadMunicipalities():
                s.center.load_municipalities()
            case fx.SubmitRegistration():
                s.center.register(effect.registration)
            case fx.CheckStatus():
                s.center.check_status(effect.application_number)
            case (
                fx.EnableAcceptor()
                | fx.DisableAcceptor()
                | fx.AcceptEscrow()
                | fx.ReturnEscrow()
                | fx.DispenseChange()
                | fx.Refund()
            ):
                self._acceptor(effect)
            case fx.CheckPrinter():
                s.printer.check()
            case fx.ComposePrintJob():
                s.printer.compose(effect.txn_id)
            case fx.PrintCertificate():
                s.printer.print_certificate(effect.txn_id, effect.copies)
            case fx.PrintCounterTicket():
                s.printer.print_ticket(effect.txn_id, effect.ticket_number, effect.amount_yen)
            case fx.PrintRegistrationSlip():
                s.printer.print_slip(effect)
            case fx.PrintOwedSlip():
                s.printer.print_owed_slip(effect.txn_id, effect.yen, effect.codes)
            case fx.PrintReceipt():
                s.printer.print_receipt(
                    effect.txn_id, effect.amount_yen, effect.kind, effect.copies, effect.also
                )
            case fx.StaffAccessChanged():
                listener = self.staff_access_listener
                if listener is None:
                    log.error("staff access changed with no staff side attached")
                else:
                    listener(effect.access, effect.request)
            case fx.StartTimer():
                s.timers.start_timer(effect.name, effect.seconds, effect.serial)
            case fx.CancelTimer():
                s.timers.cancel_timer()
            case fx.PlayReminder():
                s.sound.play(effect.reminder)
            case fx.WipePersonalData():
                s.card.wipe()
                s.center.wipe()
                s.printer.wipe()
            case fx.Audit():
                record(effect.record, self.kiosk_id)
            case fx.JournalWrite():
                pass  # done by _execute_batch
            case _:
                assert_never(effect)

    def _acceptor(
        self,
        effect: fx.EnableAcceptor
        | fx.DisableAcceptor
        | fx.AcceptEscrow
        | fx.ReturnEscrow
        | fx.DispenseChange
        | fx.Refund,
        ref: str = "",
    ) -> None:
        payment = self.services.payment
        if payment is None:
            # Counter payment: the flow never asks for the acceptor; a request is a bug.
            log.error("%s without a fee acceptor configured", type(effect).__name__)
            return
        if ref:
            payment.execute(effect, ref)
        else:
            payment.execute(effect)


def payout_ref(txn_id: str, step: Step, ordinal: int) -> str:
    """The name of a payout for the fee acceptor: its journal intent (transaction, step, and
    the intent's number among that step's intents), so a restart can match the acceptor's
    ledger with the journal (kiosk/runtime/cash_recovery.py)."""
    return f"{txn_id}/{step.value}/{ordinal}"


def _acceptor_ref(event: Event) -> str:
    if isinstance(event, MoneyInserted | ChangeDispensed | MoneyRefunded):
        return event.ref
    return ""


def _internal_error(state: FlowState) -> tuple[FlowState, tuple[Effect, ...]]:
    txn = state.txn
    effects: list[Effect] = [
        fx.Audit(
            audit(
                AuditEvent.OUT_OF_SERVICE,
                Problem.INTERNAL_ERROR.value,
                txn_id=txn.txn_id if txn else "",
            )
        ),
        fx.CancelTimer(),
    ]
    if txn is not None:
        if txn.money.accepting:
            effects.append(fx.DisableAcceptor())
        effects.append(fx.ReleaseCard())
    screen = OutOfService(Problem.INTERNAL_ERROR)
    return replace(state, screen=screen, prompt=False, timer=None), tuple(effects)


__all__ = ["Deliver", "Delivery", "Post", "ReminderPlayer", "Runner", "Services", "new_boot_id"]
