"""Card screens: place the card, PIN, authentication, take the card (rules 3 and 4)."""

from __future__ import annotations

from dataclasses import replace

from kiosk.audit import AuditEvent
from kiosk.flow._base import Outcome, fail, go, note, problem_for_card, problem_for_center, reset
from kiosk.flow.effects import (
    Authenticate,
    AuthPurpose,
    ReadCard,
    ReadPinTries,
    ReleaseCard,
    RequestChallenge,
    SignChallenge,
    VerifyPin,
)
from kiosk.flow.events import (
    Backspace,
    CardDetected,
    CardFailed,
    CardFailure,
    CardRead,
    CardReadFailed,
    CardRemoved,
    CenterCall,
    CenterFailed,
    ChallengeReceived,
    ChallengeSigned,
    ClearEntry,
    Digit,
    Event,
    Finish,
    OfferReceived,
    PinAccepted,
    PinBlocked,
    PinRejected,
    PinTriesRead,
    Service,
    Submit,
)
from kiosk.flow.state import (
    PIN_LENGTH,
    Authenticating,
    AuthPhase,
    CardState,
    FlowState,
    MatchingNumberEntry,
    PinEntry,
    PinLocked,
    PlaceCard,
    RegistrationForm,
    ReturnCard,
    Start,
    TakeCard,
    VerifyingPin,
)
from kiosk.problems import Problem

DIGITS = frozenset("0123456789")


def enter_place_card(state: FlowState) -> Outcome:
    txn = state.txn
    assert txn is not None
    return go(
        state,
        PlaceCard(),
        ReadCard(),
        note(AuditEvent.CARD_READ_INIT, txn_id=txn.txn_id),
    )


def typed(digits: str, event: Event, length: int) -> str | None:
    """The keypad entry after ``event``, or None if the event is not a keypad edit."""
    match event:
        case Digit(digit=d):
            return digits + d if d in DIGITS and len(digits) < length else digits
        case Backspace():
            return digits[:-1]
        case ClearEntry():
            return ""
        case _:
            return None


def on_place_card(state: FlowState, screen: PlaceCard, event: Event) -> Outcome | None:
    txn = state.txn
    assert txn is not None
    match event:
        case CardDetected():
            return go(state, PlaceCard(reading=True), txn=replace(txn, card=CardState.PRESENT))
        case CardRead() if txn.card is CardState.REMOVED:
            # Read, then lifted before we heard of it: start over (the session is useless).
            return go(state, PlaceCard(problem=Problem.CARD_REMOVED), ReleaseCard(), ReadCard())
        case CardRead():
            state = replace(state, txn=replace(txn, card=CardState.IN_USE))
            return go(
                state,
                PinEntry(),
                note(AuditEvent.CARD_READ_COMPLETE, "success", txn_id=txn.txn_id),
                ReadPinTries(),
            )
        case CardReadFailed(reason=CardFailure.READER_FAULT):
            return fail(state, Problem.CARD_READER_FAULT)
        case CardReadFailed(reason=reason):
            audit = note(AuditEvent.CARD_READ_COMPLETE, reason.value, txn_id=txn.txn_id)
            problem = problem_for_card(reason)
            if txn.card is CardState.REMOVED:
                return go(state, PlaceCard(problem=problem), audit, ReadCard())
            # The card still lies there: power it off and wait for it to be lifted.
            state = replace(state, txn=replace(txn, card=CardState.RELEASED))
            return go(state, PlaceCard(problem=problem), audit, ReleaseCard())
        case CardRemoved():
            removed = replace(txn, card=CardState.REMOVED)
            if screen.reading:
                # The read in flight ends with CardRead/CardReadFailed, which re-arms ReadCard.
                return go(state, PlaceCard(problem=Problem.CARD_REMOVED), txn=removed)
            if txn.card in (CardState.RELEASED, CardState.PRESENT):
                return go(state, replace(screen, reading=False), ReadCard(), txn=removed)
            return None  # no card was there: the ReadCard in flight still waits
        case _:
            return None


def on_pin_entry(state: FlowState, screen: PinEntry, event: Event) -> Outcome | None:
    txn = state.txn
    assert txn is not None
    if screen.tries_left is None:
        match event:
            case PinTriesRead(tries_left=tries) if tries <= 0:
                return lock(state)
            case PinTriesRead(tries_left=tries):
                return go(state, PinEntry(tries_left=tries))
            case CardFailed(reason=reason):
                return fail(state, problem_for_card(reason))
            case _:
                return None
    digits = typed(screen.digits, event, PIN_LENGTH)
    if digits is not None:
        return go(state, replace(screen, digits=digits))
    match event:
        case Submit() if screen.complete:
            # The PIN leaves the state here, in exactly one effect (rule 4: never resent).
            return go(
                state,
                VerifyingPin(screen.tries_left),
                note(AuditEvent.PIN_VERIFY_INIT, txn_id=txn.txn_id, tries_left=screen.tries_left),
                VerifyPin(screen.digits),
            )
        case _:
            return None


def on_verifying_pin(state: FlowState, screen: VerifyingPin, event: Event) -> Outcome | None:
    txn = state.txn
    assert txn is not None
    match event:
        case PinAccepted():
            purpose = (
                AuthPurpose.REGISTRATION
                if txn.service is Service.REGISTER
                else AuthPurpose.ISSUANCE
            )
            return go(
                state,
                Authenticating(AuthPhase.CHALLENGE),
                note(AuditEvent.PIN_VERIFY_COMPLETE, "success", txn_id=txn.txn_id),
                note(AuditEvent.AUTHENTICATION_INIT, txn_id=txn.txn_id),
                RequestChallenge(purpose),
            )
        case PinRejected(tries_left=tries) if tries <= 0:
            return lock(state)
        case PinRejected(tries_left=tries):
            return go(
                state,
                PinEntry(tries_left=tries, wrong=True),
                note(
                    AuditEvent.PIN_VERIFY_COMPLETE, "wrong_pin", txn_id=txn.txn_id, tries_left=tries
                ),
            )
        case PinBlocked():
            return lock(state)
        case CardFailed(reason=reason):
            return fail(state, problem_for_card(reason))
        case _:
            return None


def lock(state: FlowState) -> Outcome:
    """The PIN is blocked: power the card off and say where to reset it."""
    txn = state.txn
    assert txn is not None
    effects = (
        note(AuditEvent.PIN_VERIFY_COMPLETE, "blocked", txn_id=txn.txn_id, tries_left=0),
        ReleaseCard(),
    )
    card = CardState.RELEASED if txn.card is CardState.IN_USE else txn.card
    return replace(state, screen=PinLocked(), txn=replace(txn, card=card)), effects


def on_pin_locked(state: FlowState, screen: PinLocked, event: Event) -> Outcome | None:
    match event:
        case Finish():
            return reset(state)
        case _:
            return None


def on_authenticating(state: FlowState, screen: Authenticating, event: Event) -> Outcome | None:
    txn = state.txn
    assert txn is not None
    match event, screen.phase:
        case ChallengeReceived(message=message), AuthPhase.CHALLENGE:
            return go(state, Authenticating(AuthPhase.SIGNING), SignChallenge(message))
        case ChallengeSigned(signature=signature), AuthPhase.SIGNING:
            if txn.service is Service.REGISTER:
                # The card stays: 照合番号B is read from it next (then it is released).
                return go(state, Authenticating(AuthPhase.CENTER), Authenticate(signature))
            # Rule 3: the card's part is over — power it off and ask for it at once.
            released = replace(txn, card=CardState.RELEASED)
            return go(
                state,
                TakeCard(),
                ReleaseCard(),
                note(AuditEvent.CARD_RELEASED, txn_id=txn.txn_id),
                Authenticate(signature),
                txn=released,
            )
        case OfferReceived(), AuthPhase.CENTER if txn.service is Service.REGISTER:
            return go(
                state,
                MatchingNumberEntry(),
                note(AuditEvent.AUTHENTICATION_COMPLETE, "success", txn_id=txn.txn_id),
            )
        case CenterFailed(call=CenterCall.CHALLENGE | CenterCall.AUTHENTICATE) as failed, _:
            return auth_failed(state, failed)
        case CardFailed(reason=reason), _:
            return fail(state, problem_for_card(reason))
        case _:
            return None


def auth_failed(state: FlowState, failed: CenterFailed) -> Outcome:
    txn = state.txn
    assert txn is not None
    problem = problem_for_center(failed.call, failed.failure, failed.reason)
    detail = failed.reason if problem is Problem.REFUSED else ""
    state, effects = fail(state, problem, detail)
    audit = note(
        AuditEvent.AUTHENTICATION_COMPLETE,
        failed.failure.value,
        txn_id=txn.txn_id,
        reason=failed.reason,
    )
    return state, (audit, *effects)


def on_take_card(state: FlowState, screen: TakeCard, event: Event) -> Outcome | None:
    from kiosk.flow._order import enter_menu  # the order screens come after this one

    txn = state.txn
    assert txn is not None
    match event:
        case CardRemoved() if txn.service is Service.REGISTER:
            return go(state, RegistrationForm(), txn=replace(txn, card=CardState.REMOVED))
        case CardRemoved():
            state = replace(state, txn=replace(txn, card=CardState.REMOVED))
            return enter_menu(state) if txn.offer is not None else (state, ())
        case OfferReceived(offer=offer):
            state = replace(state, txn=replace(txn, offer=offer))
            audit = note(AuditEvent.AUTHENTICATION_COMPLETE, "success", txn_id=txn.txn_id)
            if txn.card is CardState.REMOVED:
                state, effects = enter_menu(state)
                return state, (audit, *effects)
            return state, (audit,)
        case CenterFailed(call=CenterCall.AUTHENTICATE | CenterCall.CHALLENGE) as failed:
            return auth_failed(state, failed)
        case _:
            return None


def on_return_card(state: FlowState, screen: ReturnCard, event: Event) -> Outcome | None:
    match event:
        case CardRemoved():
            fresh = replace(state, screen=Start(), txn=None, prompt=False)
            return replace(fresh, language=state.settings.default_language), ()
        case _:
            return None
