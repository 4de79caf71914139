"""Random event sequences against simulated devices: the rules of a transaction always hold.

A small world answers every effect the way a device or the center might (success, failure,
short payouts, late and stale answers, in any order), the resident presses random buttons and
inserts money, timers fire, cards are lifted. After every step the invariants are checked — the
write-ahead rule among them (tests/kiosk/flow/write_ahead.py: every effect that moves money or
paper after its journaled intent, every outcome after the device's answer); at the end every
payout in flight is delivered and the money is counted: everything inserted came back out, was
recorded as owed by staff, or paid for a printed copy.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import fields, is_dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import event as note_reached
from hypothesis import strategies as st

from kiosk.audit import AuditEvent
from kiosk.center import wire
from kiosk.flow import Effect, Event, FlowState
from kiosk.flow import effects as fx
from kiosk.flow import events as ev
from kiosk.flow import state as fs
from kiosk.flow._operations import idle_for_staff
from kiosk.journal import Journal, item_key
from kiosk.payment import (
    AcceptorJammed,
    ChangeDispensed,
    Denomination,
    EscrowHeld,
    EscrowReturned,
    MoneyInserted,
    MoneyRefunded,
    MoneyRejected,
    RejectReason,
    TrayEmptied,
)
from kiosk.problems import OwedCode, ServiceStop
from kiosk.runtime.center import completion_report
from printing.certificates import CertificateKind, Jurisdiction, KosekiScope, Scope
from printing.faults import PrinterFault
from tests.kiosk.flow.conftest import (
    FACTS,
    MATCHING_NUMBER,
    MUNICIPALITIES,
    PIN,
    Driver,
    make_offer,
)
from tests.kiosk.flow.conftest import settings as flow_settings
from tests.kiosk.flow.write_ahead import check_write_ahead

OFFER = make_offer()
AFTER_CARD_ISSUE = (
    fs.JurisdictionChoice,
    fs.CertificateChoice,
    fs.OptionChoice,
    fs.CopiesChoice,
    fs.Confirmation,
    fs.Fetching,
    fs.Payment,
    fs.Printing,
    fs.Done,
)
AFTER_CARD_REGISTER = (fs.RegistrationForm, fs.RegistrationReview, fs.Submitting)

MAINTENANCE_END = datetime(2026, 11, 26, 12, 0, tzinfo=wire.JST)
NOISE: list[Event] = [
    ev.Cancel(),
    ev.Back(),
    ev.Next(),
    ev.Finish(),
    ev.Continue(),
    ev.Submit(),
    ev.Digit("0"),
    ev.Backspace(),
    ev.ClearEntry(),
    ev.OpenLanguageMenu(),
    ev.ChooseLanguage("en"),
    ev.ChooseLanguage("zh_Hant"),
    ev.SetScope(Scope.HOUSEHOLD_PART),
    ev.SetScope(Scope.HOUSEHOLD_ALL),
    ev.ToggleMember("m2"),
    ev.SetItem(ev.OptionItem.HEAD_AND_RELATIONSHIP, True),
    ev.SetItem(ev.OptionItem.FOREIGN_ITEMS, True),
    ev.RequestMyNumber(True),
    ev.ConfirmMyNumber(),
    ev.SetFiscalYear(2024),
    ev.SetKosekiScope(KosekiScope.INDIVIDUAL),
    ev.SetCopies(3),
    ev.SetCopies(99),
    ev.ChooseJurisdiction(Jurisdiction.HONSEKI),
    ev.ChooseCertificate(CertificateKind.KOSEKI_FUHYO),
    ev.ChooseCertificate(CertificateKind.TAX_INCOME),
    ev.AddCertificate(),
    ev.RemoveItem(1),
    ev.RemoveItem(7),
    # results at the wrong time
    ev.PinAccepted(),
    ev.PinRejected(1),
    ev.CardRead(),
    ev.OfferReceived(OFFER),
    ev.CertificateIssued("boot-000001", "ISS-1", 300, 1),
    ev.CertificateReady("boot-000001", "x"),
    ev.CertificateUnprintable("boot-000001"),
    ev.PrintFinished(1),
    ev.PrinterReady(),
    ev.CompletionReported("boot-000001"),
    ev.CompletionReported("boot-000001_2"),
    ev.CertificateReady("boot-000001_2", "y"),
    ev.CenterFailed(ev.CenterCall.ISSUE, ev.CenterFailure.TIMEOUT),
    ev.CompletionDeferred("boot-000001", ev.CenterFailure.TIMEOUT),
    ev.CenterHealthChanged(ev.CenterFailure.UNREACHABLE),
    ev.CenterHealthChanged(ev.CenterFailure.MAINTENANCE, "center", MAINTENANCE_END),
    ev.CenterHealthChanged(None),
    ev.AcceptorAvailabilityChanged(False),
    ev.AcceptorAvailabilityChanged(True),
    AcceptorJammed(),
    MoneyRejected(RejectReason.UNRECOGNISED),
    TrayEmptied(),
    ev.TimerFired(ev.TimerName.PAYMENT, 1),
    # store operations: staff come and go, take the kiosk out of service and back
    ev.StaffRequested(),
    ev.StaffReleased(),
    ev.ServiceStopChanged(ServiceStop.PRINTER),
    ev.ServiceStopChanged(None),
    ev.AskReceipt(),
    ev.OwedSlipPrinted("boot-000001", printed=True),
    ev.ReceiptPrinted("boot-000001", printed=False),
]


MODES = ["progress"] * 9 + ["anything"]


def good_intents(state: FlowState) -> list[Event]:
    """What a resident who wants to get on would press on this screen."""
    screen = state.screen
    match screen:
        case fs.Start():
            return [ev.ChooseService(s) for s in ev.Service]
        case fs.Consent():
            return [ev.Agree()]
        case fs.PinEntry(tries_left=int()):
            return [ev.Submit()] if screen.complete else [ev.Digit(PIN[len(screen.digits)])]
        case fs.MunicipalityChoice():
            return [ev.ChoosePrefecture("北海道"), ev.ChooseMunicipality("012025")]
        case fs.JurisdictionChoice():
            return [ev.ChooseJurisdiction(Jurisdiction.RESIDENCE)]
        case fs.CertificateChoice():
            return [
                ev.ChooseCertificate(k) for k in (CertificateKind.JUMINHYO, CertificateKind.INKAN)
            ]
        case fs.OptionChoice() | fs.CopiesChoice():
            return [ev.Next(), ev.SetCopies(2)]
        case fs.Confirmation():
            # Another certificate now and then (the basket), or remove one again.
            return [ev.ConfirmOrder(), ev.ConfirmOrder(), ev.AddCertificate(), ev.RemoveItem(0)]
        case fs.MatchingNumberEntry():
            if screen.complete:
                return [ev.Submit()]
            return [ev.Digit(MATCHING_NUMBER[len(screen.digits)])]
        case fs.RegistrationForm():
            return [
                ev.EditField(ev.FormField.HONSEKI, "函館市元町１"),
                ev.EditField(ev.FormField.HITTOSHA, "番号　一郎"),
                ev.EditField(ev.FormField.PHONE, "0138-00-0000"),
                ev.Next(),
            ]
        case fs.RegistrationReview():
            return [ev.Submit()]
        case fs.StatusEntry():
            return [ev.EditApplicationNumber("R-12"), ev.Submit()]
        case fs.Done():
            return [ev.Finish(), ev.AskReceipt()]
        case fs.Fault() | fs.Cancelled() | fs.PinLocked() | fs.StatusResult() | fs.OwedSlip():
            return [ev.Finish()]
        case fs.RegistrationReceipt():
            return [ev.Finish()]
        case _:
            return []


class World:
    """The devices, the center and the resident's pocket, as the runner would see them."""

    def __init__(self, journal: Journal, payment: fs.PaymentMode = fs.PaymentMode.ACCEPTOR) -> None:
        self.driver = Driver(flow_settings(payment=payment))
        self.journal = journal
        self.pending: list[list[Event]] = []  # answers owed, each with its alternatives
        self.card_on_reader = False
        self.tries = 3
        self.acceptor_enabled = False
        self.escrow: Denomination | None = None
        self.money_in = 0
        self.money_out = 0
        self.short_without_txn = 0
        self.settled_txns: list[fs.Transaction] = []
        self.credits = 0  # the cash unit names every piece it takes in (MoneyInserted.ref)

    def piece(self, denomination: Denomination) -> MoneyInserted:
        """A piece taken in, named as a driver with a ledger of its own names it."""
        self.credits += 1
        return MoneyInserted(denomination, ref=f"credit-{self.credits}")

    @property
    def state(self) -> FlowState:
        return self.driver.state

    def send(self, event: Event) -> None:
        before = self.state
        if isinstance(event, ev.TimerFired) and event.name is ev.TimerName.REFUND:
            # The refund watchdog stands for an acceptor that never answers: it never will, for
            # a refund or for change (the watchdog gives up on every payout in flight).
            self.pending = [
                a for a in self.pending if not isinstance(a[0], MoneyRefunded | ChangeDispensed)
            ]
        self._physics(event)
        effects = self.driver.send(event)
        check_step(before, event, self.state, effects)
        check_write_ahead(before, event, self.state, effects, self.open_steps)
        if before.txn is not None and (
            self.state.txn is None or self.state.txn.txn_id != before.txn.txn_id
        ):
            # Rule 2 at the ledger: what is left when a transaction ends is the printed fee.
            assert before.txn.money.held_yen == before.txn.kept_yen, before.txn.money
            self.settled_txns.append(before.txn)
        for effect in effects:
            self._run(effect)

    def open_steps(self, txn_id: str) -> frozenset[str]:
        """The journal's steps of ``txn_id`` with an intent and no outcome (before this step)."""
        return frozenset(p.step.value for p in self.journal.summary(txn_id).pending)

    def _physics(self, event: Event) -> None:
        match event:
            case MoneyInserted(denomination=piece):
                self.money_in += int(piece)
            case ChangeDispensed(dispensed_yen=paid) | MoneyRefunded(refunded_yen=paid):
                self.money_out += paid
            case ev.CardDetected():
                self.card_on_reader = True
            case ev.CardRemoved():
                self.card_on_reader = False
            case EscrowHeld(denomination=bill):
                self.escrow = bill

    def _run(self, effect: Effect) -> None:
        txn = self.state.txn
        answers: list[Event] = []
        match effect:
            case fx.JournalWrite(record=record):
                self.journal.write(record)  # raises on a step that makes no sense
            case fx.ReadCard():
                answers = [ev.CardDetected()]
            case fx.ReadPinTries():
                answers = [ev.PinTriesRead(self.tries)]
            case fx.VerifyPin(pin=pin):
                if self.tries == 0:
                    answers = [ev.PinBlocked()]
                elif pin == PIN:
                    self.tries = 3
                    answers = [ev.PinAccepted()]
                else:
                    self.tries -= 1
                    answers = [ev.PinRejected(self.tries)]
            case fx.SignChallenge():
                answers = [ev.ChallengeSigned(b"sig"), ev.CardFailed(ev.CardFailure.ERROR)]
            case fx.ReadCardFacts():
                answers = [
                    ev.CardFactsRead(FACTS),
                    ev.MatchingNumberRejected(2),
                    ev.MatchingNumberBlocked(),
                ]
            case fx.RequestChallenge():
                answers = [
                    ev.ChallengeReceived(b"m"),
                    ev.CenterFailed(ev.CenterCall.CHALLENGE, ev.CenterFailure.UNREACHABLE),
                ]
            case fx.Authenticate():
                answers = [
                    ev.OfferReceived(OFFER),
                    ev.CenterFailed(
                        ev.CenterCall.AUTHENTICATE, ev.CenterFailure.REFUSED, "moved_out"
                    ),
                ]
            case fx.IssueCertificate(txn_id=txn_id, request=request):
                fee = next(
                    line.fee_yen
                    for line in OFFER.certificates
                    if line.kind is request.kind and line.jurisdiction is request.jurisdiction
                )
                answers = [
                    ev.CertificateIssued(txn_id, "ISS-1", fee * request.copies, 1),
                    ev.CertificateIssued(txn_id, "ISS-1", fee * request.copies + 10, 1),
                    ev.CenterFailed(ev.CenterCall.ISSUE, ev.CenterFailure.TIMEOUT),
                ]
            case fx.ComposePrintJob(txn_id=txn_id):
                answers = [
                    ev.CertificateReady(txn_id, "dg"),
                    ev.CertificateUnprintable(txn_id),
                ]
            case fx.ReportCompletion(txn_id=txn_id):
                answers = [
                    ev.CompletionReported(txn_id),
                    ev.CompletionDeferred(txn_id, ev.CenterFailure.UNREACHABLE),
                    ev.CenterFailed(
                        ev.CenterCall.COMPLETE, ev.CenterFailure.PROTOCOL, txn_id=txn_id
                    ),
                ]
            case fx.LoadMunicipalities():
                answers = [ev.MunicipalitiesLoaded(MUNICIPALITIES)]
            case fx.SubmitRegistration():
                answers = [
                    ev.RegistrationAccepted("R-1", "函館市", ""),
                    ev.CenterFailed(
                        ev.CenterCall.REGISTER, ev.CenterFailure.REFUSED, "invalid_application"
                    ),
                ]
            case fx.CheckStatus():
                answers = [
                    ev.StatusReceived(ev.RegistrationState.RECEIVED),
                    ev.CenterFailed(ev.CenterCall.STATUS, ev.CenterFailure.NOT_FOUND),
                ]
            case fx.CheckPrinter():
                answers = [ev.PrinterReady(), ev.PrinterNotReady(PrinterFault.JAM)]
            case fx.PrintCertificate(copies=copies):
                answers = [ev.PrintFinished(copies)] + [
                    ev.PrintFailed(PrinterFault.OUT_OF_PAPER, k) for k in range(copies)
                ]
            case fx.DispenseChange(yen=yen):
                answers = [ChangeDispensed(yen, yen), ChangeDispensed(yen, yen // 2)]
            case fx.Refund(yen=yen):
                answers = [MoneyRefunded(yen, yen), MoneyRefunded(yen, 0)]
            case fx.EnableAcceptor():
                self.acceptor_enabled = True
            case fx.DisableAcceptor():
                self.acceptor_enabled = False
                if self.escrow is not None:
                    answers = [EscrowReturned(self.escrow)]
                    self.escrow = None
            case fx.AcceptEscrow():
                if self.escrow is not None:
                    answers = [self.piece(self.escrow)]
                    self.escrow = None
            case fx.ReturnEscrow():
                if self.escrow is not None:
                    answers = [EscrowReturned(self.escrow)]
                    self.escrow = None
            case fx.PrintOwedSlip(txn_id=txn_id):
                answers = [ev.OwedSlipPrinted(txn_id, True), ev.OwedSlipPrinted(txn_id, False)]
            case fx.PrintReceipt(txn_id=txn_id):
                answers = [ev.ReceiptPrinted(txn_id, True), ev.ReceiptPrinted(txn_id, False)]
            case fx.Audit(record=record) if record.event is AuditEvent.STAFF_OWED:
                if record.outcome == "not_current":
                    self.short_without_txn += int(dict(record.details)["short_yen"])
            case _:
                pass
        if answers:
            self.pending.append(answers)
        del txn

    def candidates(self, mode: str) -> list[tuple[str, Any]]:
        """What may happen next: ``progress`` (answers and sensible presses) or anything."""
        options: list[tuple[str, Any]] = [("answer", i) for i in range(len(self.pending))]
        options += [("resident", e) for e in good_intents(self.state)]
        if self.acceptor_enabled:
            options.append(("event", self.piece(Denomination.Y100)))
            if self.escrow is None:
                options.append(("event", EscrowHeld(Denomination.Y1000)))
        if self.card_on_reader and isinstance(self.state.screen, fs.TakeCard | fs.ReturnCard):
            options.append(("event", ev.CardRemoved()))
        if mode == "progress" and options:
            return options
        if self.state.timer is not None:
            timer = self.state.timer
            options.append(("event", ev.TimerFired(timer.name, timer.serial)))
        if self.card_on_reader:
            options.append(("event", ev.CardRemoved()))
        if self.acceptor_enabled:
            options.append(("event", self.piece(Denomination.Y500)))
        options += [("noise", e) for e in NOISE]
        options.append(("event", self.piece(Denomination.Y10)))  # a coin as it is disabled
        return options

    def drain(self) -> None:
        """Deliver every payout still owed, in full, so that the money can be counted."""
        for answers in list(self.pending):
            first = answers[0]
            if isinstance(first, ChangeDispensed | MoneyRefunded | MoneyInserted | EscrowReturned):
                self.pending.remove(answers)
                self.send(first)
        while any(isinstance(a[0], MoneyRefunded | ChangeDispensed) for a in self.pending):
            self.drain()


def check_step(old: FlowState, event: Event, new: FlowState, effects: tuple[Effect, ...]) -> None:
    txn = new.txn
    for effect in effects:
        match effect:
            case fx.EnableAcceptor(amount_due_yen=due):
                # Rule 1: the fee is asked for only once the checked certificate data arrived.
                assert isinstance(event, ev.CertificateReady)
                assert new.settings.payment is fs.PaymentMode.ACCEPTOR  # never at city hall
                assert txn is not None
                # Every item of a basket was issued and composed before one payment for all.
                assert all(item.document is not None for item in txn.items)
                documents = sum(i.document.total_fee_yen for i in txn.items if i.document)
                assert due == documents == txn.total_fee_yen
            case fx.PrintCertificate():
                assert txn is not None
                assert txn.current.document is not None
                counter = new.settings.payment is fs.PaymentMode.COUNTER
                assert txn.money.paid or txn.total_fee_yen == 0 or counter
            case fx.VerifyPin(pin=pin):
                # Rule 4: a PIN is sent once, only when the resident submits a typed one.
                assert isinstance(event, ev.Submit)
                assert isinstance(old.screen, fs.PinEntry)
                assert pin == old.screen.digits
            case fx.Refund(yen=yen) | fx.DispenseChange(yen=yen):
                assert yen > 0
            case fx.ReportCompletion() as report:
                # After the step; the step before it when the report ends the session (reset).
                # A basket reports each item under its item key.
                reported = next(
                    (t, index)
                    for t in (new.txn, old.txn)
                    if t is not None and t.request is not None
                    for index in range(len(t.items))
                    if item_key(t.txn_id, index + 1) == report.txn_id
                )
                check_report(report, *reported, new.settings.payment)
            case _:
                pass
    if txn is not None:
        assert len(txn.items) <= new.settings.basket_limit  # the profile's cap
    if isinstance(event, ev.ChooseService) and not old.center.available:
        assert new.txn is None  # the start screen offers nothing while the center is down
    # Staff never take the kiosk from a resident being served; while they have it, or while
    # they took it out of service, no transaction starts.
    for effect in effects:
        if isinstance(effect, fx.StaffAccessChanged) and effect.access is fs.StaffAccess.OPEN:
            assert idle_for_staff(new), new.screen
        if isinstance(effect, fx.PrintOwedSlip):
            assert isinstance(new.screen, fs.OwedSlip)
            assert (new.screen.yen, new.screen.codes) == (effect.yen, effect.codes)
            assert effect.codes
            assert all(isinstance(code, OwedCode) for code in effect.codes)
            assert all(code.value.startswith(("P-4", "K-9")) for code in effect.codes)
    if isinstance(event, ev.ChooseService) and (
        old.staff_access is fs.StaffAccess.OPEN or old.service_stop is not None
    ):
        assert new.txn is None
    # Money owed never leaves the screen without the resident's proof (the slip screen).
    final = isinstance(new.screen, fs.Fault | fs.Cancelled | fs.Done)
    if txn is not None and final and not txn.money.pending_yen:
        assert txn.slip_yen == txn.money.staff_owed_yen, (txn.money, new.screen)
    if txn is not None:
        money = txn.money
        for f in fields(money):
            value = getattr(money, f.name)
            assert not isinstance(value, int) or isinstance(value, bool) or value >= 0, money
        assert money.held_yen >= 0, money
        # Rule 3: the card was released and taken before any later screen.
        if txn.service is ev.Service.ISSUE and isinstance(new.screen, AFTER_CARD_ISSUE):
            assert txn.card is fs.CardState.REMOVED
        if isinstance(new.screen, AFTER_CARD_REGISTER):
            assert txn.card is fs.CardState.REMOVED
        if isinstance(new.screen, fs.TakeCard):
            assert txn.card is not fs.CardState.IN_USE
    # The PIN lives only on the PIN screen.
    if not isinstance(new.screen, fs.PinEntry):
        assert PIN not in deep_strings(new)
    # Every screen that waits for the resident has a timer (the few exceptions are by design).
    if new.timer is None:
        waiting = isinstance(
            new.screen, fs.Printing | fs.OutOfService | fs.ReturnCard | fs.Start | fs.OwedSlip
        )
        assert waiting, new.screen


REPORTED_AT = datetime(2026, 11, 26, 10, 0, tzinfo=wire.JST)
# Random runs per test; scripts/mutation lowers it (a mutant's tests run once per mutant).
EXAMPLES = int(os.environ.get("KIOSK_PROPERTY_EXAMPLES", "150"))


def check_report(
    report: fx.ReportCompletion, txn: fs.Transaction, index: int, payment: fs.PaymentMode
) -> None:
    """What the flow reports is exactly what the protocol accepts for this issuance (item
    ``index`` of the visit: each item of a basket is its own issuance)."""
    item = txn.items[index]
    copies, fee = item.request.copies, item.fee_per_copy_yen
    assert report.payment is payment
    assert report.copies_printed == item.copies_printed <= copies
    if payment is fs.PaymentMode.COUNTER:
        # No money at the kiosk: the printed copies' fee is paid at the counter.
        assert report.amount_paid_yen == 0
        assert report.amount_refunded_yen == report.refund_pending_yen == 0
    else:
        assert report.amount_paid_yen in (0, fee * copies)
        # The fees not kept went back or are owed by staff, to the yen.
        given_back = report.amount_refunded_yen + report.refund_pending_yen
        assert given_back == report.amount_paid_yen - fee * report.copies_printed
    assert report.amount_refunded_yen <= txn.money.refunded_yen
    assert report.refund_pending_yen <= txn.money.staff_owed_yen
    assert (report.failure_reason is None) == (report.outcome is fx.Completion.PRINTED)
    # The runner only maps it; the wire model and the center's own check accept it.
    body = completion_report(report, REPORTED_AT)
    assert wire.CompletionReport.from_wire(wire.loads(wire.dumps(body.to_wire()))) == body
    assert body.problem(copies, fee) is None, (body, copies, fee)
    basket = " basket" if len(txn.items) > 1 else ""
    note_reached(f"report checked: {report.outcome.value} {payment.value}{basket}")


def deep_strings(value: Any) -> str:
    """Every string in a state, including fields hidden from repr."""
    if is_dataclass(value) and not isinstance(value, type):
        return " ".join(deep_strings(getattr(value, f.name)) for f in fields(value))
    if isinstance(value, tuple | list):
        return " ".join(deep_strings(v) for v in value)
    return value if isinstance(value, str) else ""


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_the_rules_hold_for_any_sequence_of_events(data: st.DataObject) -> None:
    run_world(data, fs.PaymentMode.ACCEPTOR)


@settings(
    max_examples=max(1, EXAMPLES * 2 // 5),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_the_rules_hold_with_counter_payment(data: st.DataObject) -> None:
    """City hall: no money at the kiosk (a stray coin still goes back), reports say counter."""
    run_world(data, fs.PaymentMode.COUNTER)


def run_world(data: st.DataObject, payment: fs.PaymentMode) -> None:
    with tempfile.TemporaryDirectory(dir=_fast_tmp()) as folder:
        journal = Journal(Path(folder) / "journal.sqlite")
        try:
            world = World(journal, payment)
            for _ in range(data.draw(st.integers(20, 250), label="steps")):
                mode = data.draw(st.sampled_from(MODES), label="mode")
                options = world.candidates(mode)
                kind, item = data.draw(st.sampled_from(options), label="choice")
                if kind == "answer":
                    answers = world.pending.pop(item)
                    likely = [answers[0]] * 4 + answers  # devices mostly succeed
                    event = data.draw(st.sampled_from(likely), label="answer")
                    if isinstance(event, ev.CardDetected):
                        world.pending.append(
                            [ev.CardRead(), ev.CardReadFailed(ev.CardFailure.UNREADABLE)]
                        )
                    if isinstance(event, ev.CompletionDeferred):
                        # The runner sends it again later: another answer is owed.
                        world.pending.append(answers)
                else:
                    event = item
                world.send(event)
            world.drain()
            count_the_money(world)
            reached = {type(before.screen).__name__ for before, _, _, _ in world.driver.history}
            for name in ("Payment", "Printing", "Done", "Refunding", "RegistrationReceipt"):
                if name in reached:
                    note_reached(f"reached {name}")
        finally:
            journal.close()


def count_the_money(world: World) -> None:
    """Money in = money out + owed by staff + the fee of what was printed."""
    txns = list(world.settled_txns)
    current = world.state.txn
    kept = sum(t.kept_yen for t in txns)
    owed = sum(t.money.staff_owed_yen for t in txns) + world.short_without_txn
    still_held = 0
    if current is not None:
        kept += current.kept_yen
        owed += current.money.staff_owed_yen
        still_held = current.money.held_yen - current.kept_yen  # e.g. a payment in progress
    assert world.money_in == world.money_out + owed + kept + still_held, (
        world.money_in,
        world.money_out,
        owed,
        kept,
        still_held,
    )


def _fast_tmp() -> str | None:
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() else None
