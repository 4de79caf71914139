"""``step(state, event) -> (state, effects)``: the kiosk's transaction flow, pure.

No clock, no I/O, no randomness: time arrives as ``TimerFired``, results as events, and the
transaction ids come from the settings' boot id and a counter. Global concerns are handled
here (language, the continue prompt and every timer, cancel, card removal, acceptor results,
completion reports, journal failure); each screen's own transitions live in the ``_card``,
``_order``, ``_money`` and ``_registration`` modules. Every ``match`` over screens and events is
exhaustive (mypy strict, ``assert_never``).
"""

from __future__ import annotations

import typing
from dataclasses import replace
from typing import assert_never

from kiosk.audit import AuditEvent
from kiosk.flow import _card, _money, _operations, _order, _registration
from kiosk.flow._base import (
    Effects,
    Outcome,
    fail,
    go,
    note,
    problem_for_center,
    release_card,
    report,
    reset,
    start_refund,
)
from kiosk.flow._timers import arm_timer, is_activity
from kiosk.flow.effects import (
    CancelCenterCall,
    Completion,
    DisableAcceptor,
    Effect,
    JournalWrite,
    LoadMunicipalities,
    PlayReminder,
    ReleaseCard,
    Reminder,
)
from kiosk.flow.events import (
    AcceptorAvailabilityChanged,
    Agree,
    AskReceipt,
    Back,
    Cancel,
    CardRead,
    CardRemoved,
    CenterCall,
    CenterFailed,
    CenterFailure,
    CenterHealthChanged,
    ChooseLanguage,
    ChooseService,
    CloseLanguageMenu,
    CompletionDeferred,
    CompletionReported,
    Continue,
    Event,
    JournalFailed,
    OpenLanguageMenu,
    Service,
    TimerFired,
)
from kiosk.flow.state import (
    Authenticating,
    Cancelled,
    CardState,
    CenterStatus,
    CertificateChoice,
    CheckingStatus,
    Confirmation,
    Consent,
    CopiesChoice,
    Done,
    Fault,
    Fetching,
    FetchPhase,
    FlowState,
    JurisdictionChoice,
    MatchingNumberEntry,
    MunicipalityChoice,
    OptionChoice,
    OutOfService,
    OwedSlip,
    Payment,
    PaymentMode,
    PinEntry,
    PinLocked,
    PlaceCard,
    Printing,
    ReadingFacts,
    Refunding,
    RegistrationForm,
    RegistrationReceipt,
    RegistrationReview,
    ReturnCard,
    Start,
    StatusEntry,
    StatusResult,
    Submitting,
    TakeCard,
    Transaction,
    VerifyingPin,
)
from kiosk.flow.timeouts import (
    MAX_CARD_REMINDERS,
    MAX_DONE_REMINDERS,
    TIMEOUTS,
    TimerKind,
    TimerName,
)
from kiosk.journal.records import CloseReason, RefundCause, ReportOutcome, TransactionClosed
from kiosk.payment.events import AcceptorEvent
from kiosk.problems import Problem, staff_code

_ACCEPTOR_EVENTS: tuple[type, ...] = typing.get_args(AcceptorEvent)


def step(state: FlowState, event: Event) -> tuple[FlowState, Effects]:
    """The next state and the effects to run, for ``event`` arriving in ``state``."""
    new, effects = _dispatch(state, event)
    new, slip = _operations.show_owed_slip(new)
    new, granted = _operations.grant_waiting_staff(new)
    new, timer_effects = arm_timer(state, new, event)
    return new, effects + slip + granted + timer_effects


def _dispatch(state: FlowState, event: Event) -> Outcome:
    if is_activity(event) and state.prompt:
        # Any touch answers "continue?", and so does a coin or bill: a piece that completes the
        # payment must not carry the prompt (and its timer, instead of the watchdog) to Printing.
        state = replace(state, prompt=False)
    match event:
        case OpenLanguageMenu():
            return replace(state, language_menu_open=True), ()
        case CloseLanguageMenu():
            return replace(state, language_menu_open=False), ()
        case ChooseLanguage(language=language):
            # A language change never changes anything else (the screen re-renders).
            if language not in state.settings.languages:
                return state, ()
            return replace(state, language=language, language_menu_open=False), ()
        case Continue():
            return state, ()
        case Cancel():
            return abandon(state, timed_out=False)
        case TimerFired():
            return _on_timer(state, event)
        case JournalFailed():
            return _out_of_service(state)
        case CompletionReported(txn_id=txn_id):
            return _report_settled(state, txn_id, acknowledged=True)
        case CenterFailed(call=CenterCall.COMPLETE, txn_id=txn_id):
            return _report_settled(state, txn_id, acknowledged=False)
        case CompletionDeferred(txn_id=txn_id, failure=failure):
            return _report_deferred(state, txn_id, failure)
        case CenterHealthChanged():
            return _center_health(state, event)
        case AcceptorAvailabilityChanged(available=available):
            return _acceptor_availability(state, available)
        case AskReceipt():
            return _operations.on_receipt(state, event) or (state, ())
        case _:
            pass
    handled = _operations.on_operations(state, event)
    if handled is not None:
        return handled
    if isinstance(event, _ACCEPTOR_EVENTS):
        acceptor_event = typing.cast(AcceptorEvent, event)
        if isinstance(state.screen, Payment):
            handled = _money.on_payment(state, state.screen, acceptor_event)
            if handled is not None:
                return handled
        return _money.on_acceptor_event(state, acceptor_event) or (state, ())
    handled = _on_screen(state, event)
    if handled is not None:
        return handled
    return _unhandled(state, event)


def _on_screen(state: FlowState, event: Event) -> Outcome | None:
    screen = state.screen
    match screen:
        case Start():
            return _on_start(state, event)
        case Consent():
            return _on_consent(state, event)
        case MunicipalityChoice():
            return _registration.on_municipality(state, screen, event)
        case PlaceCard():
            return _card.on_place_card(state, screen, event)
        case PinEntry():
            return _card.on_pin_entry(state, screen, event)
        case VerifyingPin():
            return _card.on_verifying_pin(state, screen, event)
        case PinLocked():
            return _card.on_pin_locked(state, screen, event)
        case Authenticating():
            return _card.on_authenticating(state, screen, event)
        case TakeCard():
            return _card.on_take_card(state, screen, event)
        case ReturnCard():
            return _card.on_return_card(state, screen, event)
        case JurisdictionChoice():
            return _order.on_jurisdiction(state, screen, event)
        case CertificateChoice():
            return _order.on_certificate(state, screen, event)
        case OptionChoice():
            return _order.on_options(state, screen, event)
        case CopiesChoice():
            return _order.on_copies(state, screen, event)
        case Confirmation():
            return _order.on_confirmation(state, screen, event)
        case Fetching():
            return _money.on_fetching(state, screen, event)
        case Payment():
            return None  # every payment event is an acceptor event, handled above
        case Printing():
            return _money.on_printing(state, screen, event)
        case Done():
            return _money.on_done(state, screen, event)
        case Refunding():
            return _money.on_refunding(state, screen, event)
        case Fault() | Cancelled():
            return _registration.on_informing(state, event)
        case RegistrationReceipt():
            return _registration.on_receipt(state, screen, event)
        case StatusResult():
            return _registration.on_status_result(state, screen, event)
        case OwedSlip():
            return _operations.on_owed_slip(state, screen, event)
        case OutOfService():
            return None
        case MatchingNumberEntry():
            return _registration.on_matching_number(state, screen, event)
        case ReadingFacts():
            return _registration.on_reading_facts(state, screen, event)
        case RegistrationForm():
            return _registration.on_registration_form(state, screen, event)
        case RegistrationReview():
            return _registration.on_registration_review(state, screen, event)
        case Submitting():
            return _registration.on_submitting(state, screen, event)
        case StatusEntry():
            return _registration.on_status_entry(state, screen, event)
        case CheckingStatus():
            return _registration.on_checking_status(state, screen, event)
        case _:
            assert_never(screen)


def _on_start(state: FlowState, event: Event) -> Outcome | None:
    match event:
        case ChooseService() if _operations.starts_nothing(state):
            return None  # staff have the kiosk, or took it out of service (the screen says)
        case ChooseService() if not state.center.available:
            return None  # every service needs the center: the screen says why and since when
        case ChooseService(service=Service.ISSUE) if not _can_take_fees(state):
            return None  # the screen says payment is not possible; the others take no money
        case ChooseService(service=service) if service in state.settings.services:
            seq = state.next_seq
            txn = Transaction(txn_id=f"{state.settings.boot_id}-{seq:06d}", service=service)
            state = replace(state, next_seq=seq + 1, language_menu_open=False)
            audit = note(AuditEvent.TRANSACTION_START, txn_id=txn.txn_id, service=service.value)
            if service is Service.STATUS:
                return go(state, StatusEntry(), audit, txn=txn)
            return go(state, Consent(), audit, txn=txn)
        case _:
            return None


def _on_consent(state: FlowState, event: Event) -> Outcome | None:
    txn = state.txn
    assert txn is not None
    match event:
        case Agree() if txn.service is Service.REGISTER:
            return go(state, MunicipalityChoice(), LoadMunicipalities())
        case Agree():
            return _card.enter_place_card(state)
        case Back():
            return reset(state)
        case _:
            return None


def _unhandled(state: FlowState, event: Event) -> Outcome:
    """Events the screen did not take: card removal anywhere, stray card results."""
    txn = state.txn
    match event:
        case CardRemoved() if txn is not None and txn.card is CardState.IN_USE:
            removed = replace(state, txn=replace(txn, card=CardState.REMOVED))
            return fail(removed, Problem.CARD_REMOVED)
        case CardRemoved() if txn is not None:
            return replace(state, txn=replace(txn, card=CardState.REMOVED)), ()
        case CardRead():
            return state, (ReleaseCard(),)  # a read finished after its screen was left
        case _:
            return state, ()


# --- cancel and timeouts ------------------------------------------------------------------------


def abandon(state: FlowState, timed_out: bool) -> Outcome:
    """The resident cancels, or did not answer "continue?": unwind without losing money."""
    screen = state.screen
    txn = state.txn
    if txn is None:
        if isinstance(screen, Start):
            return replace(state, language_menu_open=False), ()
        return reset(state)
    audit: Effects = (
        (note(AuditEvent.SESSION_TIMEOUT, txn_id=txn.txn_id, screen=type(screen).__name__),)
        if timed_out
        else ()
    )
    match screen:
        case Printing() | Refunding() | OutOfService() | Submitting() | ReturnCard() | OwedSlip():
            return state, ()  # nothing to cancel: wait for the device, the center or staff
        case Done():
            if _money.settled(state):
                return _with(reset(state), audit)
            return state, ()
        case Fault() | Cancelled() | PinLocked() | RegistrationReceipt() | StatusResult():
            return _with(reset(state), audit)
        case _:
            pass
    if txn.refundable_yen > 0 or txn.money.in_flight_yen:
        # Rule 5: money is never abandoned — it goes back first.
        state, refund = start_refund(
            state, None, RefundCause.TIMEOUT if timed_out else RefundCause.CANCELLED
        )
        return state, (*audit, *refund)
    effects: list[Effect] = list(audit)
    if txn.money.accepting:
        effects.append(DisableAcceptor())
        state = replace(state, txn=replace(txn, money=replace(txn.money, accepting=False)))
    if isinstance(screen, Fetching | Authenticating | MunicipalityChoice | CheckingStatus):
        effects.append(CancelCenterCall())
    state, reported = report(state, Completion.CANCELLED)
    effects.extend(reported)
    state, reset_effects = reset(state)
    return state, (*effects, *reset_effects)


def _with(outcome: Outcome, first: Effects) -> Outcome:
    return outcome[0], (*first, *outcome[1])


def _on_timer(state: FlowState, event: TimerFired) -> Outcome:
    live = state.timer
    if live is None or live.serial != event.serial or live.name is not event.name:
        return state, ()  # a timer that was restarted or cancelled meanwhile
    if event.name is TimerName.CONTINUE_PROMPT:
        return abandon(replace(state, prompt=False), timed_out=True)
    kind = TIMEOUTS[event.name].kind
    match kind:
        case TimerKind.IDLE:
            return replace(state, prompt=True), ()
        case TimerKind.RESET:
            if isinstance(state.screen, Start):
                return replace(
                    state, language=state.settings.default_language, language_menu_open=False
                ), ()
            return abandon(state, timed_out=True)
        case TimerKind.WATCHDOG:
            return _on_watchdog(state)
        case TimerKind.REMINDER:
            return _on_reminder(state)
        case _:
            assert_never(kind)


def _on_watchdog(state: FlowState) -> Outcome:
    screen = state.screen
    if isinstance(screen, Refunding):
        return _money.refund_watchdog(state, screen)
    if isinstance(screen, Authenticating | MunicipalityChoice | Submitting | CheckingStatus):
        state, effects = fail(state, Problem.CENTER_TIMEOUT)
        return state, (CancelCenterCall(), *effects)
    if isinstance(screen, Fetching):
        issuing = screen.phase is FetchPhase.ISSUING
        return fail(state, Problem.CENTER_TIMEOUT if issuing else Problem.NO_RESPONSE)
    if isinstance(screen, TakeCard):
        state, effects = fail(state, Problem.CENTER_TIMEOUT)
        return state, (CancelCenterCall(), *effects)
    return fail(state, Problem.NO_RESPONSE)


def _on_reminder(state: FlowState) -> Outcome:
    screen = state.screen
    txn = state.txn
    match screen:
        case TakeCard():
            if screen.reminders + 1 >= MAX_CARD_REMINDERS:
                left = (note(AuditEvent.CARD_LEFT_BEHIND, txn_id=txn.txn_id if txn else ""),)
                return _with(abandon(state, timed_out=True), left)
            return go(state, TakeCard(screen.reminders + 1), PlayReminder(Reminder.CARD))
        case ReturnCard():
            reminded = go(state, ReturnCard(screen.reminders + 1), PlayReminder(Reminder.CARD))
            if screen.reminders + 1 >= MAX_CARD_REMINDERS:
                left = (note(AuditEvent.CARD_LEFT_BEHIND, txn_id=txn.txn_id if txn else ""),)
                return _with(reminded, left)
            return reminded
        case Done():
            reminders = [PlayReminder(Reminder.CERTIFICATES)]
            if txn is not None and txn.change_in_tray:
                reminders.append(PlayReminder(Reminder.CHANGE))
            count = min(screen.reminders + 1, MAX_DONE_REMINDERS)
            if count >= MAX_DONE_REMINDERS and _money.settled(state):
                audit: list[Effect] = []
                if txn is not None and txn.change_in_tray:
                    # 取り忘れ: the change is still in the tray; staff find it in the audit log.
                    audit.append(
                        note(
                            AuditEvent.CHANGE_LEFT_IN_TRAY,
                            txn_id=txn.txn_id,
                            yen=txn.money.change_yen,
                        )
                    )
                return _with(reset(state), (*reminders, *audit))
            return go(state, replace(screen, reminders=count), *reminders)
        case _:
            return state, ()


def _out_of_service(state: FlowState) -> Outcome:
    txn = state.txn
    effects: list[Effect] = [
        note(
            AuditEvent.OUT_OF_SERVICE,
            Problem.JOURNAL_FAILED.value,
            txn_id=txn.txn_id if txn else "",
        )
    ]
    if txn is not None:
        if txn.money.accepting:
            effects.append(DisableAcceptor())
            txn = replace(txn, money=replace(txn.money, accepting=False))
        txn, released = release_card(txn)
        effects.extend(released)
    screen = OutOfService(Problem.JOURNAL_FAILED)
    return replace(state, screen=screen, txn=txn, prompt=False), tuple(effects)


def _report_deferred(state: FlowState, txn_id: str, failure: CenterFailure) -> Outcome:
    """The runner will send the report again: it stays pending, its journal intent open."""
    if not any(p.key == txn_id for p in state.pending_reports):
        return state, ()
    return state, (
        note(AuditEvent.REPORT_COMPLETE, "deferred", txn_id=txn_id, reason=failure.value),
    )


def _center_health(state: FlowState, event: CenterHealthChanged) -> Outcome:
    """The start screen offers its services only while the center can serve them."""
    if event.failure is None:
        status = CenterStatus()
    else:
        problem = problem_for_center(CenterCall.HEALTH, event.failure, event.reason)
        status = CenterStatus(problem, event.until)
    if status == state.center:
        return state, ()
    effects: Effects = ()
    if status.problem is not None and status.problem is not state.center.problem:
        effects = (
            note(
                AuditEvent.FAULT,
                status.problem.value,
                staff_code=staff_code(status.problem),
                reason=CenterCall.HEALTH.value,
            ),
        )
    return replace(state, center=status), effects


def _can_take_fees(state: FlowState) -> bool:
    return state.settings.payment is not PaymentMode.ACCEPTOR or state.acceptor_available


def _acceptor_availability(state: FlowState, available: bool) -> Outcome:
    """Whether the start screen may offer issuance; a resident already served is not
    interrupted (a payment in progress learns of a lost acceptor from its own events)."""
    if available == state.acceptor_available:
        return state, ()
    effects: Effects = ()
    if not available:
        problem = Problem.ACCEPTOR_FAULT
        effects = (
            note(
                AuditEvent.FAULT, problem.value, staff_code=staff_code(problem), reason="acceptor"
            ),
        )
    return replace(state, acceptor_available=available), effects


def _report_settled(state: FlowState, key: str, acknowledged: bool) -> Outcome:
    """The runner's answer to a report (``key``: the item key, the transaction's id for a
    single certificate). The journal entry closes once every item's report is acknowledged."""
    pending = [p for p in state.pending_reports if p.key == key]
    if not pending:
        return state, ()
    done = pending[0]
    txn_id = done.txn_id
    rest = tuple(p for p in state.pending_reports if p.key != key)
    state = replace(state, pending_reports=rest)
    audit = note(AuditEvent.REPORT_COMPLETE, "success" if acknowledged else "failed", txn_id=txn_id)
    outcome = JournalWrite(ReportOutcome(txn_id, acknowledged, done.item))
    siblings = any(p.txn_id == txn_id for p in rest)
    given_up = txn_id in state.reports_given_up
    if not siblings:
        state = replace(
            state, reports_given_up=tuple(t for t in state.reports_given_up if t != txn_id)
        )
    if not acknowledged:
        # The transaction stays open in the journal: the recovery reports it again.
        if siblings:
            state = replace(state, reports_given_up=(*state.reports_given_up, txn_id))
        return state, (outcome, audit)
    if siblings or given_up:
        return state, (outcome, audit)
    return state, (
        outcome,
        JournalWrite(TransactionClosed(txn_id, CloseReason(done.close_reason))),
        audit,
    )
