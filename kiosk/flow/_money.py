"""Money and print screens: fetching, payment, printing, refunds, done (rules 1 and 2).

Acceptor results can arrive on any screen (a coin that drops as the acceptor is disabled, the
change paid while printing), so they are handled here for every state with a transaction.
"""

from __future__ import annotations

from dataclasses import replace

from kiosk.audit import AuditEvent
from kiosk.flow._base import (
    Effects,
    Outcome,
    ask_payout,
    fail,
    finish_refund,
    go,
    note,
    problem_for_center,
    report,
    reset,
    start_refund,
    with_txn,
)
from kiosk.flow.effects import (
    AcceptEscrow,
    Completion,
    ComposePrintJob,
    DisableAcceptor,
    DispenseChange,
    Effect,
    EnableAcceptor,
    IssueCertificate,
    JournalWrite,
    PlayReminder,
    PrintCertificate,
    PrintCounterTicket,
    Refund,
    Reminder,
    ReturnEscrow,
)
from kiosk.flow.events import (
    CenterCall,
    CenterFailed,
    CertificateIssued,
    CertificateReady,
    CertificateUnprintable,
    Event,
    Finish,
    PrinterNotReady,
    PrinterReady,
    PrintFailed,
    PrintFinished,
    PrintProgress,
)
from kiosk.flow.state import (
    Done,
    Fault,
    Fetching,
    FetchPhase,
    FlowState,
    IssuedDocument,
    OutOfService,
    Payment,
    PaymentMode,
    Payout,
    PayoutKind,
    Printing,
    Refunding,
    Transaction,
)
from kiosk.journal.operations import OwedPaidLate
from kiosk.journal.records import (
    ChangeIntent,
    ChangeOutcome,
    IssuanceReceived,
    MoneyIn,
    PaymentIntent,
    PaymentOutcome,
    PrintIntent,
    PrintOutcome,
    RefundCause,
    RefundIntent,
    RefundOutcome,
    StaffOwed,
    item_key,
)
from kiosk.payment.events import (
    AcceptorEvent,
    AcceptorJammed,
    ChangeDispensed,
    EscrowHeld,
    EscrowReturned,
    MoneyInserted,
    MoneyRefunded,
    MoneyRejected,
    TrayEmptied,
)
from kiosk.problems import (
    STAFF_CODE_CHANGE_SHORT,
    STAFF_CODE_REFUND_NO_ANSWER,
    STAFF_CODE_REFUND_SHORT,
    OwedCode,
    Problem,
    problem_for_printer_fault,
    staff_code,
)
from printing.faults import PrinterFault


def on_fetching(state: FlowState, screen: Fetching, event: Event) -> Outcome | None:
    txn = state.txn
    assert txn is not None
    assert txn.request is not None
    key = item_key(txn.txn_id, txn.cursor + 1)  # the item being fetched
    match event, screen.phase:
        case PrinterReady(), FetchPhase.PRINTER_CHECK:
            return issue(state)
        case PrinterNotReady(fault=fault), FetchPhase.PRINTER_CHECK:
            return fail(state, problem_for_printer_fault(fault), fault.value)
        case CertificateIssued() as issued, FetchPhase.ISSUING if issued.txn_id == key:
            return certificate_issued(state, issued)
        case CertificateReady() as ready, FetchPhase.COMPOSING if ready.txn_id == key:
            return certificate_ready(state, ready)
        case CertificateUnprintable(txn_id=txn_id), FetchPhase.COMPOSING if txn_id == key:
            return fail(state, Problem.CERTIFICATE_DATA_INVALID, "unprintable")
        case CenterFailed(call=CenterCall.ISSUE) as failed, FetchPhase.ISSUING:
            problem = problem_for_center(failed.call, failed.failure, failed.reason)
            return fail(state, problem, failed.reason if problem is Problem.REFUSED else "")
        case _:
            return None


def issue(state: FlowState) -> Outcome:
    """Ask the center for the item at the cursor (each item is its own issuance, named by its
    item key: the transaction's id for the first)."""
    txn = state.txn
    assert txn is not None
    item = txn.current
    txn = txn.with_item(txn.cursor, replace(item, issue_requested=True))
    return go(
        state,
        Fetching(FetchPhase.ISSUING, txn.cursor + 1, txn.item_count),
        IssueCertificate(
            item_key(txn.txn_id, txn.cursor + 1), item.request, txn.item_count - txn.cursor
        ),
        txn=txn,
    )


def certificate_issued(state: FlowState, issued: CertificateIssued) -> Outcome:
    """The verified envelope: journal the issuance (the center holds it whatever happens next),
    check its fee against the order and its pages, and hand it to the print service."""
    txn = state.txn
    assert txn is not None
    item = txn.current
    number = txn.cursor + 1
    received: Effects = ()
    if issued.issuance_id:
        record = IssuanceReceived(
            txn.txn_id, issued.issuance_id, issued.sides_per_copy, issued.business_date, number
        )
        received = (JournalWrite(record),)
    problem = ""
    if issued.total_fee_yen != item.total_fee_yen:
        problem = "fee_mismatch"
    elif issued.sides_per_copy < 1:
        problem = "no_pages"
    if problem:
        state, effects = fail(state, Problem.CERTIFICATE_DATA_INVALID, problem)
        return state, (*received, *effects)
    # The digest is the composed job's (certificate_ready).
    document = IssuedDocument(issued.total_fee_yen, issued.sides_per_copy, "")
    return go(
        state,
        Fetching(FetchPhase.COMPOSING, number, txn.item_count),
        *received,
        ComposePrintJob(item_key(txn.txn_id, number)),
        txn=txn.with_item(txn.cursor, replace(item, document=document)),
    )


def certificate_ready(state: FlowState, ready: CertificateReady) -> Outcome:
    """Rule 1: the fee is asked for only now, once the print job of every item exists."""
    txn = state.txn
    assert txn is not None
    assert txn.request is not None
    item = txn.current
    assert item.document is not None  # set by certificate_issued
    document = replace(item.document, document_digest=ready.document_digest)
    txn = txn.with_item(txn.cursor, replace(item, document=document))
    details: dict[str, str | int] = {}
    if txn.item_count > 1:
        details["item"] = txn.cursor + 1
    audit = note(
        AuditEvent.ISSUE_COMPLETE,
        "success",
        txn_id=txn.txn_id,
        document_digest=ready.document_digest,
        **details,
    )
    if txn.cursor + 1 < txn.item_count:
        state, effects = issue(replace(state, txn=replace(txn, cursor=txn.cursor + 1)))
        return state, (audit, *effects)
    txn = replace(txn, cursor=0)
    total = sum(item.document.total_fee_yen for item in txn.items if item.document)
    if total == 0 or state.settings.payment is PaymentMode.COUNTER:
        state, effects = start_printing(replace(state, txn=txn))
        return state, (audit, *effects)
    money = replace(txn.money, due_yen=total, accepting=True)
    return go(
        state,
        Payment(),
        audit,
        JournalWrite(PaymentIntent(txn.txn_id, total)),
        note(AuditEvent.PAYMENT_INIT, txn_id=txn.txn_id, yen=total),
        EnableAcceptor(total),
        txn=replace(txn, money=money),
    )


def start_printing(state: FlowState) -> Outcome:
    """Print the item at the cursor (the items go one after the other, in order)."""
    txn = state.txn
    assert txn is not None
    assert txn.request is not None
    item = txn.current
    assert item.document is not None
    number = txn.cursor + 1
    copies = item.request.copies
    details: dict[str, str | int] = {"item": number} if txn.item_count > 1 else {}
    effects: list[Effect] = [
        JournalWrite(PrintIntent(txn.txn_id, copies, item.document.document_digest, number)),
        note(AuditEvent.PRINT_INIT, "", txn_id=txn.txn_id, copies=copies, **details),
        PrintCertificate(item_key(txn.txn_id, number), copies),
    ]
    first = txn.cursor == 0
    if first and state.settings.payment is PaymentMode.COUNTER and txn.total_fee_yen > 0:
        effects.append(PrintCounterTicket(txn.txn_id, ticket_number(txn), txn.total_fee_yen))
    sides = copies * item.document.sides_per_copy
    return replace(state, screen=Printing(0, sides, number, txn.item_count)), tuple(effects)


def ticket_number(txn: Transaction) -> int:
    """The counter ticket's number: the transaction's sequence number since the kiosk started."""
    return int(txn.txn_id.rsplit("-", 1)[-1])


def on_payment(state: FlowState, screen: Payment, event: Event) -> Outcome | None:
    txn = state.txn
    assert txn is not None
    money = txn.money
    match event:
        case EscrowHeld(denomination=bill):
            if money.accepting and money.paid_in_yen < money.due_yen and not money.escrow_yen:
                state = with_txn(state, money=replace(money, escrow_yen=int(bill)))
                return state, (AcceptEscrow(),)
            return state, (ReturnEscrow(),)
        case MoneyInserted(denomination=piece, ref=ref):
            return paid_in(state, int(piece), ref)
        case MoneyRejected(reason=reason):
            return go(state, Payment(rejected=reason))
        case AcceptorJammed():
            audit = note(
                AuditEvent.FAULT,
                "acceptor_jammed",
                txn_id=txn.txn_id,
                staff_code=staff_code(Problem.ACCEPTOR_JAMMED),
            )
            if txn.refundable_yen > 0:
                state, effects = start_refund(
                    state, Problem.ACCEPTOR_JAMMED, Problem.ACCEPTOR_JAMMED
                )
                return state, (audit, *effects)
            return fail(state, Problem.ACCEPTOR_JAMMED)
        case _:
            return None


def paid_in(state: FlowState, yen: int, ref: str = "") -> Outcome:
    """A piece was taken in on the payment screen (``ref``: the driver's name for the credit,
    journaled with it)."""
    txn = state.txn
    assert txn is not None
    escrow = 0 if yen == txn.money.escrow_yen else txn.money.escrow_yen
    money = replace(
        txn.money,
        inserted_yen=txn.money.inserted_yen + yen,
        paid_in_yen=txn.money.paid_in_yen + yen,
        escrow_yen=escrow,
    )
    effects: list[Effect] = [JournalWrite(MoneyIn(txn.txn_id, yen, ref))]
    if money.paid_in_yen < money.due_yen:
        state = replace(with_txn(state, money=money), screen=Payment())
        return state, tuple(effects)
    change = money.change_due_yen
    money = replace(money, paid=True, accepting=False, change_pending_yen=change)
    effects += [
        DisableAcceptor(),
        JournalWrite(PaymentOutcome(txn.txn_id, money.paid_in_yen)),
        note(AuditEvent.PAYMENT_COMPLETE, "success", txn_id=txn.txn_id, yen=money.paid_in_yen),
    ]
    state = with_txn(state, money=money)
    if change:
        effects += [JournalWrite(ChangeIntent(txn.txn_id, change)), DispenseChange(change)]
        state = ask_payout(state, PayoutKind.CHANGE, change, journaled=True)
    state, printing = start_printing(state)
    return state, (*effects, *printing)


def on_printing(state: FlowState, screen: Printing, event: Event) -> Outcome | None:
    txn = state.txn
    assert txn is not None
    assert txn.request is not None
    item = txn.current
    assert item.document is not None
    copies = item.request.copies
    match event:
        case PrintProgress(sides_done=sides):
            return go(state, replace(screen, pages_done=min(sides, screen.pages_total)))
        case PrintFinished():
            return printed(state, copies, None)
        case PrintFailed(fault=fault, sides_printed=sides):
            done = min(copies, max(0, sides) // item.document.sides_per_copy)
            if done == copies:
                return printed(state, copies, None)
            return printed(state, done, fault)
        case _:
            return None


def printed(state: FlowState, copies_printed: int, fault: PrinterFault | None) -> Outcome:
    """The item at the cursor printed ``copies_printed`` copies (``fault``: why not all): the
    next item prints, or the visit ends (done, or the fees of everything not printed back)."""
    txn = state.txn
    assert txn is not None
    number = txn.cursor + 1
    item = replace(txn.current, copies_printed=copies_printed, print_fault=fault)
    txn = txn.with_item(txn.cursor, item)
    state = replace(state, txn=txn)
    details: dict[str, str | int] = {"item": number} if txn.item_count > 1 else {}
    effects: list[Effect] = [
        JournalWrite(PrintOutcome(txn.txn_id, copies_printed, fault, number)),
        note(
            AuditEvent.PRINT_COMPLETE,
            fault.value if fault else "success",
            txn_id=txn.txn_id,
            copies=copies_printed,
            **details,
        ),
    ]
    if fault is None and number < txn.item_count:
        state, more = start_printing(with_txn(state, cursor=number))
        return state, (*effects, *more)
    if fault is None:
        reminders = [PlayReminder(Reminder.CERTIFICATES)]
        if txn.money.change_pending_yen or txn.money.change_yen:
            reminders.append(PlayReminder(Reminder.CHANGE))
        ticket = ticket_number(txn) if state.settings.payment is PaymentMode.COUNTER else None
        state = replace(state, screen=Done(ticket_number=ticket))
        state, reported = settle(state)
        return state, (*effects, *reminders, *reported)
    problem = problem_for_printer_fault(fault)
    # A payout still in flight (a stray coin going back at a counter kiosk) is awaited like a
    # refund: the report closes the transaction, and a payout result must not come after it.
    if state.txn is not None and (state.txn.refundable_yen > 0 or state.txn.money.pending_yen):
        state, refund = start_refund(state, problem, problem)
        return state, (*effects, *refund)
    state, reported = report(state, Completion.FAILED)
    return replace(state, screen=Fault(problem, fault.value)), (*effects, *reported)


def settle(state: FlowState) -> Outcome:
    """After an acceptor result: finish a refund, or report a printed transaction, once
    nothing is in flight any more (the report and the journal carry the final amounts)."""
    txn = state.txn
    if txn is None or txn.money.in_flight_yen:
        return state, ()
    screen = state.screen
    if isinstance(screen, Refunding):
        return finish_refund(state, screen.problem)
    if isinstance(screen, Done) and not txn.reported:
        return report(state, Completion.PRINTED)
    return state, ()


def on_done(state: FlowState, screen: Done, event: Event) -> Outcome | None:
    match event:
        case Finish() if settled(state):
            return reset(state)
        case _:
            return None


def settled(state: FlowState) -> bool:
    """Nothing is in flight at the acceptor (a reset must not lose its result)."""
    txn = state.txn
    return txn is None or not txn.money.in_flight_yen


def on_refunding(state: FlowState, screen: Refunding, event: Event) -> Outcome | None:
    return None  # MoneyRefunded is handled for every screen (on_acceptor_event)


# Payouts given up kept for a late result (state.overdue): a few per watchdog, one watchdog per
# out-of-service screen (which waits for a restart), so this bound is never reached in practice.
MAX_OVERDUE = 16


def refund_watchdog(state: FlowState, screen: Refunding) -> Outcome:
    """The acceptor never answered a payout: staff owe it; the kiosk stops taking money.

    Its journal intent stays without an outcome, which tells staff to check the acceptor before
    paying; each payout is its own owed entry, and a result that comes in full before the
    restart closes that entry as paid by the kiosk (``late_result``). A bill it never reported
    stacked was never counted: staff learn of it from the audit log.
    """
    txn = state.txn
    assert txn is not None
    pending = txn.money.pending_yen
    escrow = txn.money.escrow_yen
    fee_pending = sum(
        p.yen
        for p in state.payouts
        if p.txn_id == txn.txn_id and p.kind is PayoutKind.REFUND and p.fee
    )
    money = replace(
        txn.money,
        refund_pending_yen=0,
        change_pending_yen=0,
        escrow_yen=0,
        staff_owed_yen=txn.money.staff_owed_yen + pending,
        fee_owed_yen=txn.money.fee_owed_yen + fee_pending,
        owed_codes=_with_code(txn.money.owed_codes, STAFF_CODE_REFUND_NO_ANSWER, pending),
    )
    given_up = tuple(p for p in state.payouts if p.txn_id == txn.txn_id)
    payouts = tuple(p for p in state.payouts if p.txn_id != txn.txn_id)
    overdue = (*state.overdue, *given_up)[-MAX_OVERDUE:]
    state = replace(with_txn(state, money=money), payouts=payouts, overdue=overdue)
    effects: list[Effect] = []
    if pending:
        if txn.journal_opened and not txn.reported:
            # One entry per payout given up, so that a result coming late closes exactly its own
            # (OwedPaidLate); what no payout accounts for (none should be) is one more entry.
            amounts = [p.yen for p in given_up if p.yen > 0]
            rest = pending - sum(amounts)
            if rest != 0:
                amounts = [pending] if rest < 0 else [*amounts, rest]
            effects.extend(
                JournalWrite(StaffOwed(txn.txn_id, yen, STAFF_CODE_REFUND_NO_ANSWER))
                for yen in amounts
            )
        effects.append(
            note(
                AuditEvent.STAFF_OWED,
                "no_answer",
                txn_id=txn.txn_id,
                yen=pending,
                staff_code=STAFF_CODE_REFUND_NO_ANSWER,
            )
        )
    if escrow:
        effects.append(
            note(
                AuditEvent.FAULT,
                "escrow_no_answer",
                txn_id=txn.txn_id,
                yen=escrow,
                staff_code=staff_code(Problem.ACCEPTOR_FAULT),
            )
        )
    state, reported = report(state, Completion.FAILED if money.paid else Completion.CANCELLED)
    return replace(state, screen=OutOfService(Problem.ACCEPTOR_FAULT)), (*effects, *reported)


def on_acceptor_event(state: FlowState, event: AcceptorEvent) -> Outcome | None:
    """Acceptor events outside the payment screen's own handling (any screen)."""
    txn = state.txn
    match event:
        case EscrowHeld():
            return state, (ReturnEscrow(),)
        case EscrowReturned():
            if txn is None:
                return None
            return settle(with_txn(state, money=replace(txn.money, escrow_yen=0)))
        case MoneyInserted(denomination=piece, ref=ref):
            return stray_money(state, int(piece), ref)
        case ChangeDispensed(requested_yen=asked, dispensed_yen=paid):
            late = late_result(state, PayoutKind.CHANGE, asked, paid)
            if late is not None:
                return late
            state, payout = match_payout(state, PayoutKind.CHANGE, asked)
            if txn is None or payout is None:
                return state, not_current(asked, paid)
            journaled = payout.journaled
            short = asked - paid
            money = replace(
                txn.money,
                change_pending_yen=max(0, txn.money.change_pending_yen - asked),
                change_yen=txn.money.change_yen + paid,
                staff_owed_yen=txn.money.staff_owed_yen + short,
                owed_codes=_with_code(txn.money.owed_codes, STAFF_CODE_CHANGE_SHORT, short),
            )
            state = with_txn(
                state,
                money=money,
                change_in_tray=paid > 0,
                change_short=txn.change_short or short > 0,
            )
            effects: list[Effect] = [
                note(
                    AuditEvent.CHANGE_COMPLETE,
                    "short" if short else "success",
                    txn_id=txn.txn_id,
                    yen=paid,
                    short_yen=short,
                )
            ]
            if journaled:
                effects.insert(0, JournalWrite(ChangeOutcome(txn.txn_id, asked, paid)))
                if short:
                    effects.insert(
                        1, JournalWrite(StaffOwed(txn.txn_id, short, STAFF_CODE_CHANGE_SHORT))
                    )
            state, reported = settle(state)
            return state, (*effects, *reported)
        case MoneyRefunded(requested_yen=asked, refunded_yen=paid):
            late = late_result(state, PayoutKind.REFUND, asked, paid)
            if late is not None:
                return late
            state, payout = match_payout(state, PayoutKind.REFUND, asked)
            if txn is None or payout is None:
                return state, not_current(asked, paid)
            return refunded(state, asked, paid, payout)
        case TrayEmptied():
            if txn is None:
                return None
            return with_txn(state, change_in_tray=False), ()
        case AcceptorJammed():
            return state, (
                note(
                    AuditEvent.FAULT,
                    "acceptor_jammed",
                    staff_code=staff_code(Problem.ACCEPTOR_JAMMED),
                ),
            )
        case MoneyRejected():
            return None


def refunded(state: FlowState, asked: int, paid: int, payout: Payout) -> Outcome:
    txn = state.txn
    assert txn is not None
    journaled = payout.journaled
    short = asked - paid
    money = replace(
        txn.money,
        refund_pending_yen=max(0, txn.money.refund_pending_yen - asked),
        refunded_yen=txn.money.refunded_yen + paid,
        staff_owed_yen=txn.money.staff_owed_yen + short,
        owed_codes=_with_code(txn.money.owed_codes, STAFF_CODE_REFUND_SHORT, short),
    )
    if payout.fee:
        money = replace(
            money,
            fee_refunded_yen=money.fee_refunded_yen + paid,
            fee_owed_yen=money.fee_owed_yen + short,
        )
    state = with_txn(state, money=money)
    effects: list[Effect] = [
        note(
            AuditEvent.REFUND_COMPLETE,
            "short" if short else "success",
            txn_id=txn.txn_id,
            yen=paid,
            short_yen=short,
        )
    ]
    if journaled:
        effects.insert(0, JournalWrite(RefundOutcome(txn.txn_id, asked, paid)))
        if short:
            effects.insert(1, JournalWrite(StaffOwed(txn.txn_id, short, STAFF_CODE_REFUND_SHORT)))
    state, reported = settle(state)
    return state, (*effects, *reported)


def _with_code(codes: tuple[OwedCode, ...], code: OwedCode, yen: int) -> tuple[OwedCode, ...]:
    """The money codes of a transaction, with ``code`` once money is owed for it."""
    return codes if yen <= 0 or code in codes else (*codes, code)


def stray_money(state: FlowState, yen: int, ref: str = "") -> Outcome:
    """A piece taken in when no payment is open (it dropped as the acceptor was disabled):
    it goes straight back, journaled with the transaction if there is one."""
    txn = state.txn
    if txn is None:
        state = ask_payout(state, PayoutKind.REFUND, yen, journaled=False)
        return state, (note(AuditEvent.STRAY_MONEY, yen=yen), Refund(yen))
    money = replace(
        txn.money,
        inserted_yen=txn.money.inserted_yen + yen,
        refund_pending_yen=txn.money.refund_pending_yen + yen,
        # The bill it was asked to stack, stacked after the payment closed (a cancel while it
        # stacked): the transaction waited for it (in_flight_yen), so it is journaled here.
        escrow_yen=0 if yen == txn.money.escrow_yen else txn.money.escrow_yen,
    )
    journal: Effects = ()
    journaled = txn.journal_opened and not txn.reported
    if journaled:
        journal = (
            JournalWrite(MoneyIn(txn.txn_id, yen, ref)),
            JournalWrite(RefundIntent(txn.txn_id, yen, RefundCause.STRAY)),
        )
    state = ask_payout(with_txn(state, money=money), PayoutKind.REFUND, yen, journaled)
    return state, (
        *journal,
        note(AuditEvent.STRAY_MONEY, txn_id=txn.txn_id, yen=yen),
        Refund(yen),
    )


def _take(
    payouts: tuple[Payout, ...], kind: PayoutKind, asked: int
) -> tuple[tuple[Payout, ...], Payout | None]:
    """The oldest payout of ``kind`` for ``asked`` yen (the acceptor answers in order), and
    the others; None and all of them when there is none."""
    for index, payout in enumerate(payouts):
        if payout.kind is kind and payout.yen == asked:
            return payouts[:index] + payouts[index + 1 :], payout
    return payouts, None


def match_payout(state: FlowState, kind: PayoutKind, asked: int) -> tuple[FlowState, Payout | None]:
    """Take the oldest payout of ``kind`` for ``asked`` yen; it is returned if it belongs to
    the current transaction (whose ledger then changes), None for a session already over."""
    rest, payout = _take(state.payouts, kind, asked)
    if payout is None:
        return state, None
    current = state.txn is not None and payout.txn_id == state.txn.txn_id
    return replace(state, payouts=rest), payout if current else None


def late_result(state: FlowState, kind: PayoutKind, asked: int, paid: int) -> Outcome | None:
    """The result of a payout the refund watchdog gave up on (``state.overdue``), or None.

    Paid in full, its owed entry closes as paid by the kiosk: staff must not pay the resident
    a second time. Paid short, the entry stays as it is — staff owe the resident what did not
    come out and must count the unit before paying (both amounts are in the audit log)."""
    overdue, payout = _take(state.overdue, kind, asked)
    if payout is None:
        return None
    state = replace(state, overdue=overdue)
    event = AuditEvent.CHANGE_COMPLETE if kind is PayoutKind.CHANGE else AuditEvent.REFUND_COMPLETE
    short = asked - paid
    effects: list[Effect] = [
        note(event, "late", txn_id=payout.txn_id, yen=paid, short_yen=short),
    ]
    if short <= 0 and payout.journaled:
        effects.insert(0, JournalWrite(OwedPaidLate(payout.txn_id, paid)))
    elif short > 0:
        effects.append(
            note(
                AuditEvent.STAFF_OWED,
                "late_short",
                txn_id=payout.txn_id,
                yen=paid,
                short_yen=short,
                staff_code=STAFF_CODE_REFUND_NO_ANSWER,
            )
        )
    return state, tuple(effects)


def not_current(asked: int, paid: int) -> Effects:
    """A payout result for a session that is over (or unknown): staff learn of it (audit)."""
    short = asked - paid
    effects: list[Effect] = [note(AuditEvent.REFUND_COMPLETE, "not_current", yen=paid)]
    if short > 0:
        effects.append(note(AuditEvent.STAFF_OWED, "not_current", short_yen=short))
    return tuple(effects)
