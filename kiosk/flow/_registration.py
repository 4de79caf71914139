"""Usage registration (利用登録申請) for 本籍地 certificates, and the status check.

Registration: 本籍地 municipality → card + PIN authentication → 照合番号B (the 4 facts from the
券面事項入力補助AP) → take the card → 本籍 / 筆頭者 / phone → review → send → receipt with the
application number and the municipality's message (product-facts.md; the source document's
screen images 本籍地市区町村選択, 照合番号B入力, 申請情報入力, 申請情報送信完了).
"""

from __future__ import annotations

import re
from dataclasses import replace

from kiosk.audit import AuditEvent
from kiosk.flow._base import Outcome, fail, go, note, problem_for_card, problem_for_center, reset
from kiosk.flow._card import enter_place_card, typed
from kiosk.flow.effects import (
    CheckStatus,
    PrintRegistrationSlip,
    ReadCardFacts,
    Registration,
    ReleaseCard,
    SubmitRegistration,
)
from kiosk.flow.events import (
    Back,
    CardFactsRead,
    CardFailed,
    CenterCall,
    CenterFailed,
    CenterFailure,
    ChooseMunicipality,
    ChoosePrefecture,
    EditApplicationNumber,
    EditField,
    Event,
    Finish,
    FormField,
    MatchingNumberBlocked,
    MatchingNumberRejected,
    MunicipalitiesLoaded,
    Next,
    RegistrationAccepted,
    SlipFailed,
    SlipPrinted,
    StatusReceived,
    Submit,
)
from kiosk.flow.state import (
    APPLICATION_NUMBER_MAX,
    MATCHING_NUMBER_LENGTH,
    CardState,
    CheckingStatus,
    FlowState,
    MatchingNumberEntry,
    MunicipalityChoice,
    ReadingFacts,
    RegistrationDraft,
    RegistrationForm,
    RegistrationReceipt,
    RegistrationReview,
    SlipState,
    StatusEntry,
    StatusResult,
    Submitting,
    TakeCard,
)
from kiosk.problems import Problem

# Field limits of the center protocol (kiosk.center.wire.messages.RegistrationApplication).
FIELD_MAX_LENGTH = {FormField.HONSEKI: 256, FormField.HITTOSHA: 128, FormField.PHONE: 15}
PHONE = re.compile(r"[0-9][0-9-]{8,14}", re.ASCII)  # center protocol, PHONE
APPLICATION_NUMBER_CHARS = re.compile(r"[A-Za-z0-9-]*", re.ASCII)


def on_municipality(state: FlowState, screen: MunicipalityChoice, event: Event) -> Outcome | None:
    txn = state.txn
    assert txn is not None
    match event:
        case MunicipalitiesLoaded(municipalities=found) if screen.loading:
            return go(state, MunicipalityChoice(found, loading=False))
        case CenterFailed(call=CenterCall.MUNICIPALITIES) as failed if screen.loading:
            return fail(state, problem_for_center(failed.call, failed.failure, failed.reason))
        case ChoosePrefecture(prefecture=p) if p in screen.prefectures:
            return go(state, replace(screen, prefecture=p))
        case ChooseMunicipality(code=code):
            chosen = [m for m in screen.in_prefecture if m.code == code]
            if not chosen:
                return None
            draft = RegistrationDraft(chosen[0].code, chosen[0].name)
            return enter_place_card(replace(state, txn=replace(txn, registration=draft)))
        case Back() if screen.prefecture is not None:
            return go(state, replace(screen, prefecture=None))
        case _:
            return None


def on_matching_number(
    state: FlowState, screen: MatchingNumberEntry, event: Event
) -> Outcome | None:
    digits = typed(screen.digits, event, MATCHING_NUMBER_LENGTH)
    if digits is not None:
        return go(state, replace(screen, digits=digits))
    match event:
        case Submit() if screen.complete:
            # Like the PIN, the number leaves the state in exactly one effect.
            return go(state, ReadingFacts(), ReadCardFacts(screen.digits))
        case _:
            return None


def on_reading_facts(state: FlowState, screen: ReadingFacts, event: Event) -> Outcome | None:
    txn = state.txn
    assert txn is not None
    assert txn.registration is not None
    match event:
        case CardFactsRead(facts=facts):
            # The card's last use in a registration: release it and ask for it now (rule 3).
            txn = replace(
                txn, card=CardState.RELEASED, registration=replace(txn.registration, facts=facts)
            )
            return go(
                state,
                TakeCard(),
                ReleaseCard(),
                note(AuditEvent.CARD_RELEASED, txn_id=txn.txn_id),
                txn=txn,
            )
        case MatchingNumberRejected(tries_left=0):
            return fail(state, Problem.MATCHING_NUMBER_BLOCKED)
        case MatchingNumberRejected(tries_left=tries):
            return go(state, MatchingNumberEntry(tries_left=tries, wrong=True))
        case MatchingNumberBlocked():
            return fail(state, Problem.MATCHING_NUMBER_BLOCKED)
        case CardFailed(reason=reason):
            return fail(state, problem_for_card(reason))
        case _:
            return None


def invalid_fields(draft: RegistrationDraft) -> tuple[FormField, ...]:
    bad = []
    if not draft.honseki.strip():
        bad.append(FormField.HONSEKI)
    if not draft.hittosha.strip():
        bad.append(FormField.HITTOSHA)
    if not PHONE.fullmatch(draft.phone):
        bad.append(FormField.PHONE)
    return tuple(bad)


def on_registration_form(
    state: FlowState, screen: RegistrationForm, event: Event
) -> Outcome | None:
    txn = state.txn
    assert txn is not None
    assert txn.registration is not None
    draft = txn.registration
    match event:
        case EditField(form_field=form_field, text=text):
            if len(text) > FIELD_MAX_LENGTH[form_field] or "\n" in text:
                return None
            if form_field is FormField.HONSEKI:
                draft = replace(draft, honseki=text)
            elif form_field is FormField.HITTOSHA:
                draft = replace(draft, hittosha=text)
            else:
                draft = replace(draft, phone=text)
            txn = replace(txn, registration=draft)
            invalid = tuple(f for f in screen.invalid if f is not form_field)
            return go(state, RegistrationForm(invalid), txn=txn)
        case Next():
            bad = invalid_fields(draft)
            return go(state, RegistrationForm(bad) if bad else RegistrationReview())
        case _:
            return None


def on_registration_review(
    state: FlowState, screen: RegistrationReview, event: Event
) -> Outcome | None:
    txn = state.txn
    assert txn is not None
    assert txn.registration is not None
    draft = txn.registration
    match event:
        case Submit() if draft.facts is not None and not invalid_fields(draft):
            registration = Registration(
                honseki_municipality_code=draft.municipality_code,
                facts=draft.facts,
                honseki=draft.honseki.strip(),
                hittosha_name=draft.hittosha.strip(),
                phone=draft.phone,
            )
            return go(
                state,
                Submitting(),
                note(AuditEvent.REGISTRATION_INIT, txn_id=txn.txn_id),
                SubmitRegistration(registration),
            )
        case Back():
            return go(state, RegistrationForm())
        case _:
            return None


def on_submitting(state: FlowState, screen: Submitting, event: Event) -> Outcome | None:
    txn = state.txn
    assert txn is not None
    match event:
        case RegistrationAccepted() as accepted:
            receipt = RegistrationReceipt(
                accepted.application_number, accepted.municipality_name, accepted.message_ja
            )
            # The number on paper too: 180 s on screen is easily lost (issue 14).
            slip = PrintRegistrationSlip(
                accepted.application_number,
                accepted.municipality_name,
                accepted.message_ja,
                state.language,
            )
            # What was typed and read from the card is no longer needed: drop it now.
            return go(
                state,
                receipt,
                note(AuditEvent.REGISTRATION_COMPLETE, "success", txn_id=txn.txn_id),
                slip,
                txn=replace(txn, registration=None),
            )
        case CenterFailed(call=CenterCall.REGISTER) as failed:
            problem = problem_for_center(failed.call, failed.failure, failed.reason)
            audit = note(
                AuditEvent.REGISTRATION_COMPLETE,
                failed.failure.value,
                txn_id=txn.txn_id,
                reason=failed.reason,
            )
            state, effects = fail(
                state, problem, failed.reason if problem is Problem.REFUSED else ""
            )
            return state, (audit, *effects)
        case _:
            return None


def on_informing(state: FlowState, event: Event) -> Outcome | None:
    """Receipt, status result, fault, cancelled, PIN locked: Finish returns to the start."""
    match event:
        case Finish():
            return reset(state)
        case _:
            return None


def on_receipt(state: FlowState, screen: RegistrationReceipt, event: Event) -> Outcome | None:
    """The receipt: the slip's outcome arrives while it is shown; Finish returns to the start."""
    match event:
        case SlipPrinted() if screen.slip is SlipState.PRINTING:
            return go(state, replace(screen, slip=SlipState.PRINTED))
        case SlipFailed() if screen.slip is SlipState.PRINTING:
            return go(state, replace(screen, slip=SlipState.FAILED))
        case _:
            return on_informing(state, event)


def on_status_result(state: FlowState, screen: StatusResult, event: Event) -> Outcome | None:
    """No application with that number: Back lets the resident correct the number typed."""
    match event:
        case Back() if screen.state is None:
            return go(state, StatusEntry(screen.application_number))
        case _:
            return on_informing(state, event)


def on_status_entry(state: FlowState, screen: StatusEntry, event: Event) -> Outcome | None:
    txn = state.txn
    assert txn is not None
    digits = typed(screen.application_number, event, APPLICATION_NUMBER_MAX)
    if digits is not None:
        return go(state, StatusEntry(digits))
    match event:
        case EditApplicationNumber(text=text):
            if len(text) > APPLICATION_NUMBER_MAX or not APPLICATION_NUMBER_CHARS.fullmatch(text):
                return None
            return go(state, StatusEntry(text))
        case Submit() if screen.complete:
            number = screen.application_number
            return go(state, CheckingStatus(number), CheckStatus(number))
        case _:
            return None


def on_checking_status(state: FlowState, screen: CheckingStatus, event: Event) -> Outcome | None:
    txn = state.txn
    assert txn is not None
    match event:
        case StatusReceived(state=registration_state, message_ja=message):
            return go(
                state,
                StatusResult(registration_state, message),
                note(AuditEvent.STATUS_CHECK_COMPLETE, registration_state.value, txn_id=txn.txn_id),
            )
        case CenterFailed(call=CenterCall.STATUS, failure=CenterFailure.NOT_FOUND):
            return go(
                state,
                StatusResult(None, application_number=screen.application_number),
                note(AuditEvent.STATUS_CHECK_COMPLETE, "not_found", txn_id=txn.txn_id),
            )
        case CenterFailed(call=CenterCall.STATUS) as failed:
            return fail(state, problem_for_center(failed.call, failed.failure, failed.reason))
        case _:
            return None
