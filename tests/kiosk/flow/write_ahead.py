"""The write-ahead rule as one check over a step of the flow (docs/flow.md, "Effects").

``check_write_ahead(old, event, new, effects, journal)`` holds for every step:

* **Intent first.** Every effect that moves money or paper comes after the ``JournalWrite`` of
  its intent, in the same step, matching it in amount, copies and transaction; each intent is
  consumed by one effect, so a step with several items (a basket) needs one intent per item.
  The table ``INTENT_OF`` says which intent guards which effect (the counter ticket is printed
  under its transaction's print intent; the completion report under its report intent).
* **No intent without its act.** An intent written in a step is acted on in that step: an
  intent left behind would read after a crash as a step that may have happened.
* **Outcome after the answer.** An outcome record is written only in the step whose event is
  the device's (or the center's) answer, with the answer's amounts, and before any intent of
  that step: what the step does next (a refund after a failed print) is decided on a durable
  outcome. An answer to a journaled request always gets its outcome written. A piece taken in
  is journaled under the name the cash unit gave it (``MoneyIn.ref``), which the start-up's
  cash reconciliation looks up (kiosk/runtime/cash_recovery.py).

Two effects move money without an intent record of their own, and the check pins down why:

* ``AcceptEscrow`` stacks a bill the kiosk has not counted yet: it is only sent on the payment
  screen, while the transaction's ``PaymentIntent`` is durable and open, and the bill counts
  (``MoneyIn``) only in the step where the acceptor reports it stacked.
* ``ReturnEscrow`` gives back a bill that was never counted: the step changes neither the
  ledger (``Money.inserted_yen``) nor the journal's money.
* A ``Refund`` with no intent is only a stray piece going straight back when no journaled
  transaction can take it (none open, or its report already sent) — and never a bill the kiosk
  itself asked to stack.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kiosk.audit import AuditEvent
from kiosk.flow import Effect, Event, FlowState
from kiosk.flow import effects as fx
from kiosk.flow import events as ev
from kiosk.flow import state as fs
from kiosk.journal.records import (
    ChangeIntent,
    ChangeOutcome,
    IssuanceReceived,
    MoneyIn,
    PaymentIntent,
    PaymentOutcome,
    PrintIntent,
    PrintOutcome,
    RefundIntent,
    RefundOutcome,
    ReportIntent,
    ReportOutcome,
    StaffOwed,
    item_key,
)
from kiosk.payment import ChangeDispensed, EscrowHeld, MoneyInserted, MoneyRefunded
from kiosk.problems import OwedCode

INTENTS = (PaymentIntent, ChangeIntent, RefundIntent, PrintIntent, ReportIntent)

# effect type → (intent record type, does this intent guard this effect?)
Match = Callable[[Any, Any], bool]
INTENT_OF: dict[type, tuple[type, Match]] = {
    fx.Refund: (RefundIntent, lambda e, r: e.yen == r.yen),
    fx.DispenseChange: (ChangeIntent, lambda e, r: e.yen == r.yen),
    # A basket's items are printed and reported under their item keys (the transaction's id
    # for item 1), each guarded by the intent of its own item.
    fx.PrintCertificate: (
        PrintIntent,
        lambda e, r: (e.txn_id, e.copies) == (item_key(r.txn_id, r.item), r.copies),
    ),
    fx.EnableAcceptor: (PaymentIntent, lambda e, r: e.amount_due_yen == r.amount_due_yen),
    fx.ReportCompletion: (
        ReportIntent,
        lambda e, r: (
            (e.txn_id, e.outcome.value, e.copies_printed)
            == (item_key(r.txn_id, r.item), r.outcome, r.copies_printed)
        ),
    ),
}

OpenSteps = Callable[[str], frozenset[str]]  # txn_id → the journal's steps with an open intent


def check_write_ahead(
    old: FlowState,
    event: Event,
    new: FlowState,
    effects: Sequence[Effect],
    open_steps: OpenSteps,
) -> None:
    """Assert the write-ahead rule for one step (see the module docstring).

    ``open_steps`` tells what the journal holds before this step's writes: the steps
    (``kiosk.journal.Step`` values) of ``txn_id`` whose intent has no outcome yet.
    """
    txn_ids = {t.txn_id for t in (old.txn, new.txn) if t is not None}
    unconsumed: list[Any] = []  # intents written in this step, not acted on yet
    printed_under: set[str] = set()  # transactions whose print intent was written in this step
    outcomes: list[Any] = []
    for index, effect in enumerate(effects):
        where = f"effect {index} of {_name(event)}: {effects}"
        match effect:
            case fx.JournalWrite(record=record) if isinstance(record, INTENTS):
                assert record.txn_id in txn_ids, where
                unconsumed.append(record)
                if isinstance(record, PrintIntent):
                    printed_under.add(record.txn_id)
            case fx.JournalWrite(record=record):
                if _is_outcome(record):
                    _check_outcome(record, old, event, where)
                    assert not unconsumed, f"an outcome after an intent: {where}"
                    outcomes.append(record)
            case fx.PrintCounterTicket(txn_id=txn_id):
                assert txn_id in printed_under, f"a ticket before its print intent: {where}"
            case fx.AcceptEscrow():
                _check_accept_escrow(old, event, new, open_steps, where)
            case fx.ReturnEscrow():
                _check_return_escrow(old, new, effects, where)
            case fx.Refund(yen=yen):
                if not _take(unconsumed, effect):
                    _check_unjournaled_refund(old, event, new, effects[:index], yen, where)
            case _ if type(effect) in INTENT_OF:
                assert _take(unconsumed, effect), f"no intent before it: {where}"
            case _:
                pass
    assert not unconsumed, f"intents not acted on in their step: {unconsumed} ({effects})"
    _check_answer_recorded(old, event, outcomes, effects)


def _take(unconsumed: list[Any], effect: Effect) -> bool:
    """Consume the first intent written before ``effect`` that guards it."""
    intent_type, matches = INTENT_OF[type(effect)]
    for position, record in enumerate(unconsumed):
        if isinstance(record, intent_type) and matches(effect, record):
            del unconsumed[position]
            return True
    return False


def _is_outcome(record: object) -> bool:
    outcome_types = (
        MoneyIn,
        PaymentOutcome,
        ChangeOutcome,
        RefundOutcome,
        PrintOutcome,
        StaffOwed,
        ReportOutcome,
        IssuanceReceived,
    )
    return isinstance(record, outcome_types)


def _check_outcome(record: Any, old: FlowState, event: Event, where: str) -> None:
    """An outcome record answers this step's event, with its amounts."""
    match record:
        case MoneyIn(yen=yen, ref=ref):
            assert isinstance(event, MoneyInserted), where
            assert int(event.denomination) == yen, where
            # Under the cash unit's name for it: a restart must find it journaled, or the
            # cash reconciliation would count it twice (kiosk/runtime/cash_recovery.py).
            assert ref == event.ref, where
        case PaymentOutcome(received_yen=received):
            assert isinstance(event, MoneyInserted), where
            assert old.txn is not None, where
            assert received == old.txn.money.paid_in_yen + int(event.denomination), where
        case ChangeOutcome(requested_yen=asked, dispensed_yen=paid):
            assert event == ChangeDispensed(asked, paid), where
        case RefundOutcome(requested_yen=asked, refunded_yen=paid):
            assert event == MoneyRefunded(asked, paid), where
        case PrintOutcome():
            assert isinstance(event, ev.PrintFinished | ev.PrintFailed), where
        case StaffOwed(yen=yen, staff_code=code):
            match event:
                case ChangeDispensed(requested_yen=asked, dispensed_yen=paid):
                    assert (code, yen) == (OwedCode.CHANGE_SHORT, asked - paid), where
                case MoneyRefunded(requested_yen=asked, refunded_yen=paid):
                    assert (code, yen) == (OwedCode.REFUND_SHORT, asked - paid), where
                case ev.TimerFired(name=ev.TimerName.REFUND):
                    assert code is OwedCode.REFUND_NO_ANSWER, where
                case _:
                    raise AssertionError(f"staff owe money for no answer: {where}")
        case ReportOutcome(txn_id=txn_id, acknowledged=acknowledged, item=item):
            if acknowledged:
                assert event == ev.CompletionReported(item_key(txn_id, item)), where
            else:
                assert isinstance(event, ev.CenterFailed), where
                assert event.call is ev.CenterCall.COMPLETE, where
        case IssuanceReceived(issuance_id=issuance_id):
            assert isinstance(event, ev.CertificateIssued), where
            assert event.issuance_id == issuance_id, where


def _check_answer_recorded(
    old: FlowState, event: Event, outcomes: list[Any], effects: Sequence[Effect]
) -> None:
    """A device's answer to a journaled request has its outcome in the journal."""
    txn = old.txn
    match event:
        case ChangeDispensed(requested_yen=asked) | MoneyRefunded(requested_yen=asked):
            kind = (
                fs.PayoutKind.CHANGE
                if isinstance(event, ChangeDispensed)
                else (fs.PayoutKind.REFUND)
            )
            payout = next((p for p in old.payouts if p.kind is kind and p.yen == asked), None)
            if payout is None or not payout.journaled:
                return
            if txn is None or payout.txn_id != txn.txn_id:
                return  # a session that is over: audited only (match_payout)
            wanted = ChangeOutcome if kind is fs.PayoutKind.CHANGE else RefundOutcome
            assert any(isinstance(o, wanted) for o in outcomes), (event, effects)
            short = event.requested_yen - (
                event.dispensed_yen if isinstance(event, ChangeDispensed) else event.refunded_yen
            )
            owed = sum(o.yen for o in outcomes if isinstance(o, StaffOwed))
            assert owed == short, (event, effects)
        case ev.PrintFinished() | ev.PrintFailed() if isinstance(old.screen, fs.Printing):
            assert any(isinstance(o, PrintOutcome) for o in outcomes), (event, effects)
        case MoneyInserted(denomination=piece) if isinstance(old.screen, fs.Payment):
            assert txn is not None
            ins = [o for o in outcomes if isinstance(o, MoneyIn)]
            assert [o.yen for o in ins] == [int(piece)], (event, effects)
        case _:
            pass


def _check_accept_escrow(
    old: FlowState, event: Event, new: FlowState, open_steps: OpenSteps, where: str
) -> None:
    assert isinstance(event, EscrowHeld), where
    assert isinstance(old.screen, fs.Payment), where
    txn = new.txn
    assert txn is not None, where
    assert "payment" in open_steps(txn.txn_id), f"no open payment intent: {where}"
    assert txn.money.escrow_yen == int(event.denomination), where
    # The bill is not counted until the acceptor reports it stacked.
    assert old.txn is not None
    assert txn.money.inserted_yen == old.txn.money.inserted_yen, where


def _check_return_escrow(
    old: FlowState, new: FlowState, effects: Sequence[Effect], where: str
) -> None:
    if old.txn is not None and new.txn is not None and old.txn.txn_id == new.txn.txn_id:
        assert new.txn.money.inserted_yen == old.txn.money.inserted_yen, where
    assert not any(
        isinstance(e, fx.JournalWrite) and isinstance(e.record, MoneyIn) for e in effects
    ), where


def _check_unjournaled_refund(
    old: FlowState,
    event: Event,
    new: FlowState,
    before: Sequence[Effect],
    yen: int,
    where: str,
) -> None:
    """A refund with no intent: a stray piece that no journaled transaction can take."""
    assert isinstance(event, MoneyInserted), f"a refund with no intent: {where}"
    assert int(event.denomination) == yen, where
    txn = old.txn
    if txn is not None:
        journaled = txn.journal_opened and not txn.reported
        assert not journaled, f"a journaled refund with no intent: {where}"
        stacked = txn.money.escrow_yen == yen
        assert not stacked, f"a bill the kiosk stacked, refunded unjournaled: {where}"
    assert any(
        isinstance(e, fx.Audit) and e.record.event is AuditEvent.STRAY_MONEY for e in before
    ), f"a stray piece refunded without an audit record: {where}"
    del new


def _name(event: Event) -> str:
    return type(event).__name__
