"""Helpers shared by the transition modules: moving between screens, resets, reports, refunds.

Private to the flow package. Every function is pure: state in, (state, effects) out.
"""

from __future__ import annotations

from dataclasses import replace

from kiosk.audit import AuditEvent, audit
from kiosk.domain import problem_for_refusal
from kiosk.flow.effects import (
    Audit,
    CancelCenterCall,
    Completion,
    DisableAcceptor,
    Effect,
    JournalWrite,
    PlayReminder,
    Refund,
    ReleaseCard,
    Reminder,
    ReportCompletion,
    WipePersonalData,
)
from kiosk.flow.events import SESSION_TOO_SHORT, CardFailure, CenterCall, CenterFailure
from kiosk.flow.state import (
    Cancelled,
    CardState,
    Fault,
    Fetching,
    FetchPhase,
    FlowState,
    PaymentMode,
    Payout,
    PayoutKind,
    PendingReport,
    Refunding,
    ReturnCard,
    Screen,
    Start,
    Transaction,
)
from kiosk.journal.records import (
    CloseReason,
    RefundIntent,
    RefundReason,
    ReportIntent,
    TransactionClosed,
    item_key,
    refund_reason_code,
)
from kiosk.problems import Problem, staff_code
from printing.certificates import NoOptions

Effects = tuple[Effect, ...]
Outcome = tuple[FlowState, Effects]


def go(
    state: FlowState, screen: Screen, *effects: Effect, txn: Transaction | None = None
) -> Outcome:
    """Show ``screen`` (and replace the transaction if ``txn`` is given)."""
    return replace(state, screen=screen, txn=txn if txn is not None else state.txn), effects


def note(event: AuditEvent, outcome: str = "", **details: str | int) -> Audit:
    return Audit(audit(event, outcome, **details))


def with_txn(state: FlowState, **changes: object) -> FlowState:
    assert state.txn is not None
    return replace(state, txn=replace(state.txn, **changes))  # type: ignore[arg-type]


def ask_payout(
    state: FlowState, kind: PayoutKind, yen: int, journaled: bool, fee: bool = False
) -> FlowState:
    """Remember a DispenseChange/Refund in flight, to match its result to its transaction;
    ``fee``: it pays back the fees of copies not printed."""
    txn_id = state.txn.txn_id if state.txn is not None else ""
    return replace(state, payouts=(*state.payouts, Payout(kind, yen, txn_id, journaled, fee)))


def release_card(txn: Transaction) -> tuple[Transaction, Effects]:
    """Power the card off if it is in use (rule 3: released right after its last use)."""
    if txn.card is CardState.IN_USE:
        return replace(txn, card=CardState.RELEASED), (
            ReleaseCard(),
            note(AuditEvent.CARD_RELEASED, txn_id=txn.txn_id),
        )
    return txn, ()


def reset(state: FlowState) -> Outcome:
    """Back to the start, forgetting everything personal; a card still on the reader must be
    taken first (ReturnCard). Callers make sure no money is held (the refund path comes first).
    """
    effects: list[Effect] = []
    txn = state.txn
    fresh = replace(
        state,
        screen=Start(),
        language=state.settings.default_language,
        language_menu_open=False,
        prompt=False,
        txn=None,
    )
    if txn is not None:
        if txn.money.accepting:
            effects.append(DisableAcceptor())
        txn, released = release_card(txn)
        effects.extend(released)
        effects.append(
            note(AuditEvent.TRANSACTION_END, txn_id=txn.txn_id, screen=type(state.screen).__name__)
        )
        if txn.card in (CardState.RELEASED, CardState.PRESENT):
            # Keep only what ReturnCard needs: no offer, no choices, no registration data.
            stub = Transaction(
                txn_id=txn.txn_id,
                service=txn.service,
                card=CardState.RELEASED,
                money=txn.money,  # amounts only: payout results may still arrive
                fee_per_copy_yen=txn.fee_per_copy_yen,
                copies_printed=txn.copies_printed,
                # A basket keeps its items' fees and copies printed (kept_yen), no options.
                basket=tuple(
                    replace(item, request=replace(item.request, options=NoOptions()))
                    for item in txn.items
                )
                if txn.basket
                else (),
            )
            fresh = replace(fresh, screen=ReturnCard(), txn=stub, language=state.language)
    effects.append(WipePersonalData())
    return fresh, tuple(effects)


def close_reason(txn: Transaction, outcome: Completion) -> CloseReason:
    if txn.money.staff_owed_yen:
        return CloseReason.STAFF
    if outcome is Completion.PRINTED:
        return CloseReason.COMPLETED
    if txn.money.refunded_yen:
        return CloseReason.REFUNDED
    return CloseReason.CANCELLED


def report(state: FlowState, outcome: Completion) -> Outcome:
    """Report the end of an issuance to the center (write-ahead), once per transaction: one
    report per item whose issuance was asked for (each is its own issuance at the center).

    Without an issue request there is nothing to report: the journal entry (if any) closes.
    """
    txn = state.txn
    assert txn is not None
    if txn.reported:
        return state, ()
    reason = close_reason(txn, outcome)
    if not txn.any_issue_requested:
        state = with_txn(state, reported=True)
        if txn.journal_opened:
            return state, (JournalWrite(TransactionClosed(txn.txn_id, reason)),)
        return state, ()
    money = txn.money
    counter = state.settings.payment is PaymentMode.COUNTER
    payment = PaymentMode.COUNTER if counter else PaymentMode.ACCEPTOR
    if not txn.basket:
        # One certificate: the fee counts as paid once the amount due was reached; money
        # inserted towards an unfinished payment went back and was never a fee.
        shares = [(money.due_yen if money.paid else 0, money.fee_refunded_yen, money.fee_owed_yen)]
    else:
        shares = _item_shares(txn)
    effects: list[Effect] = []
    pending: list[PendingReport] = []
    for index, item in enumerate(txn.items):
        if not item.issue_requested:
            continue
        number = index + 1
        item_outcome = outcome
        if txn.basket and item.copies_printed == item.request.copies:
            item_outcome = Completion.PRINTED  # a jam in a later item keeps this one
        elif txn.basket and outcome is Completion.PRINTED:
            item_outcome = Completion.FAILED
        paid, refunded, owed = shares[index]
        effects += [
            JournalWrite(ReportIntent(txn.txn_id, item_outcome.value, item.copies_printed, number)),
            ReportCompletion(
                txn_id=item_key(txn.txn_id, number),
                outcome=item_outcome,
                copies_printed=item.copies_printed,
                payment=payment,
                amount_paid_yen=paid,
                amount_refunded_yen=refunded,
                refund_pending_yen=owed,
                print_fault=item.print_fault,
            ),
        ]
        pending.append(PendingReport(txn.txn_id, reason.value, number))
    state = replace(
        with_txn(state, reported=True),
        pending_reports=(*state.pending_reports, *pending),
    )
    return state, tuple(effects)


def _item_shares(txn: Transaction) -> list[tuple[int, int, int]]:
    """Per item of a basket: the fee paid for it, and of its copies not printed the fees paid
    back and owed by staff (the basket's one payment, its one refund, split item by item in
    order). The completion report of each item adds up as the protocol requires."""
    money = txn.money
    refund_left, owed_left = money.fee_refunded_yen, money.fee_owed_yen
    shares: list[tuple[int, int, int]] = []
    for item in txn.items:
        paid = item.total_fee_yen if money.paid else 0
        unprinted = max(0, paid - item.printed_fee_yen)
        refunded = min(unprinted, refund_left)
        owed = min(unprinted - refunded, owed_left)
        refund_left -= refunded
        owed_left -= owed
        shares.append((paid, refunded, owed))
    return shares


def start_refund(state: FlowState, problem: Problem | None, reason: RefundReason) -> Outcome:
    """Pay back everything held (write-ahead), wait for every payout in flight, then show
    ``problem``'s fault screen (Cancelled if None)."""
    txn = state.txn
    assert txn is not None
    effects: list[Effect] = []
    money = txn.money
    if money.accepting:
        effects.append(DisableAcceptor())
        money = replace(money, accepting=False)
    held = replace(txn, money=money).refundable_yen
    if held > 0:
        money = replace(money, refund_pending_yen=money.refund_pending_yen + held)
        effects += [
            JournalWrite(RefundIntent(txn.txn_id, held, reason)),
            note(
                AuditEvent.REFUND_INIT,
                txn_id=txn.txn_id,
                yen=held,
                reason=refund_reason_code(reason),
            ),
            Refund(held),
        ]
    state = replace(with_txn(state, money=money), screen=Refunding(problem), prompt=False)
    if held > 0:
        # Once paid, what is held beyond the kept fees is the fee of the copies not printed
        # (change, stray coins and escrow go back on their own); before, it is the unfinished
        # payment, which was never a fee.
        state = ask_payout(state, PayoutKind.REFUND, held, journaled=True, fee=money.paid)
    if money.in_flight_yen:
        return state, tuple(effects)  # the last acceptor result finishes it (settle)
    state, finished = finish_refund(state, problem)
    return state, (*effects, *finished)


def finish_refund(state: FlowState, problem: Problem | None) -> Outcome:
    """After the money went back: report and show the outcome."""
    txn = state.txn
    assert txn is not None
    # Printing that started and failed is a failed issuance even when no fee was taken here
    # (a counter kiosk); before printing, the unfinished payment makes it cancelled.
    printing_failed = any(item.print_fault is not None for item in txn.items)
    outcome = Completion.FAILED if txn.money.paid or printing_failed else Completion.CANCELLED
    state, effects = report(state, outcome)
    screen: Screen = Fault(problem) if problem is not None else Cancelled()
    extra: Effects = (PlayReminder(Reminder.MONEY),) if txn.money.refunded_yen else ()
    return replace(state, screen=screen, prompt=False), effects + extra


def fail(state: FlowState, problem: Problem, detail: str = "") -> Outcome:
    """A fault before any money is held: release the card, report/close, show the fault."""
    txn = state.txn
    effects: list[Effect] = [
        note(AuditEvent.FAULT, problem.value, staff_code=staff_code(problem), reason=detail)
    ]
    if txn is None:
        return replace(state, screen=Fault(problem, detail), prompt=False), tuple(effects)
    if txn.refundable_yen > 0 or txn.money.in_flight_yen:
        state, refund = start_refund(state, problem, problem)
        return state, (*effects, *refund)
    txn, released = release_card(txn)
    effects.extend(released)
    if txn.money.accepting:
        effects.append(DisableAcceptor())
        txn = replace(txn, money=replace(txn.money, accepting=False))
    screen = state.screen
    if isinstance(screen, Fetching) and screen.phase is FetchPhase.ISSUING:
        effects.append(CancelCenterCall())  # the issuance call is in flight
    state = replace(state, txn=txn)
    state, reported = report(state, Completion.CANCELLED)
    effects.extend(reported)
    return replace(state, screen=Fault(problem, detail), prompt=False), tuple(effects)


def problem_for_card(reason: CardFailure) -> Problem:
    return {
        CardFailure.UNREADABLE: Problem.CARD_UNREADABLE,
        CardFailure.NOT_MY_NUMBER_CARD: Problem.NOT_MY_NUMBER_CARD,
        CardFailure.NO_CERTIFICATE: Problem.NO_USER_CERTIFICATE,
        CardFailure.CERTIFICATE_EXPIRED: Problem.CERTIFICATE_EXPIRED,
        CardFailure.CERTIFICATE_INVALID: Problem.CERTIFICATE_INVALID,
        CardFailure.READER_FAULT: Problem.CARD_READER_FAULT,
        CardFailure.ERROR: Problem.CARD_ERROR,
    }[reason]


def problem_for_center(call: CenterCall, failure: CenterFailure, reason: str) -> Problem:
    """The resident's explanation of a failed center call."""
    match failure:
        case CenterFailure.UNREACHABLE:
            return Problem.CENTER_UNREACHABLE
        case CenterFailure.TIMEOUT:
            return Problem.CENTER_TIMEOUT
        case CenterFailure.UNAVAILABLE:
            return Problem.CENTER_ERROR
        case CenterFailure.MAINTENANCE:
            return (
                Problem.MUNICIPALITY_MAINTENANCE
                if reason == "maintenance"
                else (Problem.CENTER_MAINTENANCE)
            )
        case CenterFailure.OUT_OF_HOURS:
            return problem_for_refusal(reason or "out_of_hours")
        case CenterFailure.REFUSED:
            return problem_for_refusal(reason)
        case CenterFailure.PROTOCOL:
            return (
                Problem.CERTIFICATE_DATA_INVALID
                if call is CenterCall.ISSUE
                else (Problem.CENTER_PROTOCOL)
            )
        case CenterFailure.NOT_AUTHORISED:
            return Problem.KIOSK_NOT_AUTHORISED
        case CenterFailure.SESSION_EXPIRED:
            if reason == SESSION_TOO_SHORT:
                return Problem.SESSION_TOO_SHORT  # the kiosk's own check, before the call
            return Problem.SESSION_EXPIRED
        case CenterFailure.NOT_FOUND:
            return (
                Problem.APPLICATION_NOT_FOUND
                if call is CenterCall.STATUS
                else (Problem.CENTER_ERROR)
            )


__all__ = [
    "Effects",
    "Outcome",
    "ask_payout",
    "close_reason",
    "fail",
    "finish_refund",
    "go",
    "note",
    "problem_for_card",
    "problem_for_center",
    "release_card",
    "report",
    "reset",
    "start_refund",
    "with_txn",
]
