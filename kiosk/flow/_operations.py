"""What the resident flow learns of store operations, and the resident's papers.

- **Staff access**: the staff flow (kiosk/staff) asks for the kiosk (``StaffRequested``); it is
  granted at once when no resident is being served, else as soon as the transaction is over —
  a resident is never interrupted. While staff have it, the start screen starts nothing.
- **Out of service**: staff's reason (``ServiceStopChanged``) is shown on the start screen,
  which then starts nothing either.
- **The slip of money owed**: when a transaction ends owing the resident money the acceptor
  could not pay (change short, refund short or unanswered), the flow shows :class:`OwedSlip`
  before the screen it ended on, and prints the slip. The screen shows the money codes and
  stays until the resident touches "I have the slip".
- **The receipt**: after a paid issuance, asked for on the done screen.
"""

from __future__ import annotations

from dataclasses import replace

from kiosk.audit import AuditEvent
from kiosk.flow._base import Effects, Outcome, note
from kiosk.flow.effects import PrintOwedSlip, PrintReceipt, StaffAccessChanged
from kiosk.flow.events import (
    AskReceipt,
    Event,
    Finish,
    OwedSlipPrinted,
    ReceiptPrinted,
    ServiceStopChanged,
    StaffReleased,
    StaffRequested,
)
from kiosk.flow.state import (
    Cancelled,
    Done,
    Fault,
    FlowState,
    OutOfService,
    OwedSlip,
    PaperState,
    PaymentMode,
    StaffAccess,
)


def on_operations(state: FlowState, event: Event) -> Outcome | None:
    """The operations events, on any screen (None: not one of them)."""
    match event:
        case StaffRequested(request=request):
            if state.staff_access is StaffAccess.OPEN:
                access = StaffAccess.OPEN
            else:
                access = StaffAccess.OPEN if idle_for_staff(state) else StaffAccess.WAITING
            state = replace(state, staff_access=access, staff_request=request)
            return state, (StaffAccessChanged(access, request),)
        case StaffReleased():
            return replace(state, staff_access=StaffAccess.NONE), ()
        case ServiceStopChanged(stop=stop):
            return replace(state, service_stop=stop), ()
        case OwedSlipPrinted(txn_id=txn_id, printed=printed):
            screen = state.screen
            txn = state.txn
            if isinstance(screen, OwedSlip) and txn is not None and txn.txn_id == txn_id:
                paper = PaperState.PRINTED if printed else PaperState.FAILED
                return replace(state, screen=replace(screen, slip=paper)), ()
            return state, ()
        case ReceiptPrinted(txn_id=txn_id, printed=printed):
            txn = state.txn
            if txn is None or txn.txn_id != txn_id:
                return state, ()
            paper = PaperState.PRINTED if printed else PaperState.FAILED
            return replace(state, txn=replace(txn, receipt=paper)), ()
        case _:
            return None


def idle_for_staff(state: FlowState) -> bool:
    """No resident is being served: no transaction and no payout in flight — or the kiosk is
    out of service anyway (a journal failure, an acceptor that never answered), which only
    staff can mend."""
    if isinstance(state.screen, OutOfService):
        return True
    return state.txn is None and not state.payouts


def grant_waiting_staff(state: FlowState) -> Outcome:
    """After every step: staff who wait get the kiosk once the transaction is over."""
    if state.staff_access is StaffAccess.WAITING and idle_for_staff(state):
        return replace(state, staff_access=StaffAccess.OPEN), (
            StaffAccessChanged(StaffAccess.OPEN, state.staff_request),
        )
    return state, ()


def starts_nothing(state: FlowState) -> bool:
    """The start screen offers no service: staff have the kiosk or took it out of service."""
    return state.staff_access is StaffAccess.OPEN or state.service_stop is not None


def show_owed_slip(state: FlowState) -> Outcome:
    """After every step: a transaction that ended owing money shows and prints the slip."""
    txn = state.txn
    screen = state.screen
    if txn is None or not isinstance(screen, Fault | Cancelled | Done | OutOfService):
        return state, ()
    money = txn.money
    if money.staff_owed_yen <= txn.slip_yen or money.pending_yen:
        return state, ()
    slip = OwedSlip(money.staff_owed_yen, money.owed_codes, then=screen)
    txn = replace(txn, slip_yen=money.staff_owed_yen)
    state = replace(state, screen=slip, prompt=False, txn=txn)
    return state, (
        PrintOwedSlip(txn.txn_id, money.staff_owed_yen, money.owed_codes),
        note(AuditEvent.STAFF_OWED, "slip", txn_id=txn.txn_id, yen=money.staff_owed_yen),
    )


def on_owed_slip(state: FlowState, screen: OwedSlip, event: Event) -> Outcome | None:
    match event:
        case Finish():
            return replace(state, screen=screen.then), ()
        case _:
            return None


def on_receipt(state: FlowState, event: AskReceipt) -> Outcome | None:
    """A receipt is printed once per transaction, for the fee of the copies printed."""
    txn = state.txn
    if not isinstance(state.screen, Done) or txn is None or not receipt_offered(state):
        return None
    assert txn.request is not None
    # Every certificate printed (a basket has several); the first names the receipt.
    printed = [(i.request.kind, i.copies_printed) for i in txn.items if i.copies_printed]
    kind, copies = printed[0] if printed else (txn.request.kind, txn.copies_printed)
    effects: Effects = (
        PrintReceipt(txn.txn_id, txn.kept_yen, kind, copies, tuple(printed[1:])),
        note(AuditEvent.PRINT_INIT, "receipt", txn_id=txn.txn_id, yen=txn.kept_yen),
    )
    return replace(state, txn=replace(txn, receipt=PaperState.PRINTING)), effects


def receipt_offered(state: FlowState) -> bool:
    """A paid issuance at the kiosk's acceptor whose receipt was not asked for yet."""
    txn = state.txn
    return (
        txn is not None
        and state.settings.payment is PaymentMode.ACCEPTOR
        and txn.request is not None
        and txn.money.paid
        and txn.kept_yen > 0
        and txn.receipt is None
    )
