"""The runner's services one by one: the card service against the virtual card in-process (the
real card engine and the real driver, reader events fed as the monitor would), the payment
service against the simulated acceptor, the completion report and error mappings of the center
service, start-up recovery on a real journal, reminder sounds and reception tickets."""

from __future__ import annotations

import io
import queue
import subprocess
import threading
import time
import wave
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from cardio.presence import MonitorEvent, MonitorEventKind
from hw_sim.acceptor import SimulatedAcceptor
from hw_sim.card import IN_PROCESS_READER, HostileFault, InProcessReader
from hw_sim.personas import get_persona
from hw_sim.pki import JpkiTestPki
from kiosk.app.developer import InProcessCards
from kiosk.center import errors as center_errors
from kiosk.center import wire
from kiosk.flow import Event
from kiosk.flow import effects as fx
from kiosk.flow import events as ev
from kiosk.flow.state import PaymentMode
from kiosk.journal import (
    CloseReason,
    IssuanceReceived,
    Journal,
    MoneyIn,
    PaymentIntent,
    PaymentOutcome,
    PrintIntent,
    PrintOutcome,
    TransactionOpened,
)
from kiosk.payment import (
    AcceptorError,
    AcceptorJammed,
    ChangeDispensed,
    MoneyInserted,
    MoneyRefunded,
)
from kiosk.runtime import CardService, PaymentService, ReaderChoice, TransactionFacts
from kiosk.runtime.card import CARD_STOP_S
from kiosk.runtime.center import IssuanceFacts, center_failure, completion_report
from kiosk.runtime.recovery import (
    RESTART_REASON,
    STAFF_CODE_RECOVERED,
    finish_recovered,
    recover_open_transactions,
)
from kiosk.runtime.ticket import render_ticket
from kiosk.sound import MELODIES, AplayReminderPlayer, reminder_wav
from printing.faults import PrinterFault

WAIT_S = 5.0


# -- the card service -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> JpkiTestPki:
    return JpkiTestPki.load_or_create(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def card_setup(pki: JpkiTestPki, tmp_path: Path) -> Any:
    """The card service on the in-process reader of the developer profile (kiosk.app.developer
    over hw_sim.card.InProcessReader): its connector, and its monitor's insert/remove events."""
    cards = InProcessCards(InProcessReader(tmp_path / "cards", pki.folder))
    facts = TransactionFacts()
    service = CardService(
        facts,
        ReaderChoice(IN_PROCESS_READER),
        connector=cards.connector,
        monitor_factory=cards.monitor,
        clock=lambda: datetime.now(UTC),
    )
    events: queue.Queue[Event] = queue.Queue()
    service.start(events.put)
    yield cards.reader, service, facts, events
    service.stop()
    cards.close()


def next_event(events: queue.Queue[Event]) -> Event:
    return events.get(timeout=WAIT_S)


def place(
    reader: InProcessReader, service: CardService, persona: str, fault: HostileFault | None = None
) -> None:
    reader.insert(0, persona, fault=fault)  # the monitor reports it to the service


def test_read_verify_sign_release(card_setup: Any, pki: JpkiTestPki) -> None:
    reader, service, facts, events = card_setup
    service.read_card()  # waits: no card yet
    place(reader, service, "normal")
    assert next_event(events) == ev.CardDetected()
    assert next_event(events) == ev.CardRead()
    certificate = facts.certificate()
    assert certificate == pki.credentials("normal").auth_cert.public_bytes(
        __import__(
            "cryptography.hazmat.primitives.serialization", fromlist=["Encoding"]
        ).Encoding.DER
    )
    service.read_pin_tries()
    assert next_event(events) == ev.PinTriesRead(3)
    service.verify_pin("1234")
    assert next_event(events) == ev.PinAccepted()
    service.sign(b"challenge")
    signed = next_event(events)
    assert isinstance(signed, ev.ChallengeSigned)
    x509.load_der_x509_certificate(certificate).public_key().verify(  # type: ignore[union-attr]
        signed.signature, b"challenge", padding.PKCS1v15(), hashes.SHA256()
    )
    service.release()
    service.read_pin_tries()  # nothing is open any more
    assert next_event(events) == ev.CardFailed(ev.CardFailure.ERROR)
    assert not reader.card.powered  # powered off: the verified PIN is gone


def test_wrong_pin_and_blocked(card_setup: Any) -> None:
    reader, service, _facts, events = card_setup
    service.read_card()
    place(reader, service, "one-try-left")
    assert next_event(events) == ev.CardDetected()
    assert next_event(events) == ev.CardRead()
    service.read_pin_tries()
    assert next_event(events) == ev.PinTriesRead(1)
    service.verify_pin("0000")
    assert next_event(events) == ev.PinBlocked()  # 63 C0: this try blocked it


def test_expired_certificate_and_foreign_card(card_setup: Any) -> None:
    reader, service, _facts, events = card_setup
    service.read_card()
    place(reader, service, "expired")
    assert next_event(events) == ev.CardDetected()
    assert next_event(events) == ev.CardReadFailed(ev.CardFailure.CERTIFICATE_EXPIRED)
    reader.remove(0)
    assert next_event(events) == ev.CardRemoved()
    service.read_card()
    place(reader, service, "juki-card")
    assert next_event(events) == ev.CardDetected()
    assert next_event(events) == ev.CardReadFailed(ev.CardFailure.NOT_MY_NUMBER_CARD)


@pytest.mark.parametrize(
    ("fault", "failure"),
    [
        (HostileFault.ENDLESS_61XX, ev.CardFailure.UNREADABLE),
        (HostileFault.ENDLESS_6CXX, ev.CardFailure.UNREADABLE),
        (HostileFault.WRONG_61XX_LENGTH, ev.CardFailure.UNREADABLE),
        (HostileFault.LYING_CERTIFICATE_LENGTH, ev.CardFailure.UNREADABLE),
        (HostileFault.GARBAGE_TOKEN_LABEL, ev.CardFailure.UNREADABLE),
        (HostileFault.BAD_CERTIFICATE_VERSION, ev.CardFailure.CERTIFICATE_INVALID),
    ],
    ids=lambda v: v.value,
)
def test_a_hostile_card_is_a_card_problem(
    card_setup: Any, fault: HostileFault, failure: ev.CardFailure
) -> None:
    reader, service, facts, events = card_setup
    service.read_card()
    place(reader, service, "normal", fault)
    assert next_event(events) == ev.CardDetected()
    assert next_event(events) == ev.CardReadFailed(failure)  # C-101 / C-105 on the screen
    assert facts.certificate() is None


def test_stop_does_not_wait_for_a_card_that_never_answers(tmp_path: Path) -> None:
    answered = threading.Event()  # never set: the card (or its reader) hangs in a transmit
    entered = threading.Event()

    class Hung:
        def transmit(self, apdu: bytes) -> tuple[bytes, int]:
            entered.set()
            answered.wait()
            return b"", 0x9000

        def close(self) -> None:
            pass

    service = CardService(
        TransactionFacts(),
        ReaderChoice("Test"),
        connector=lambda r: Hung(),
        monitor_factory=None,
        clock=lambda: datetime.now(UTC),
    )
    service.start(lambda event: None)
    service.read_card()
    service.handle_monitor_event(MonitorEvent(MonitorEventKind.CARD_INSERTED, "Test Reader 00"))
    assert entered.wait(WAIT_S)
    started = time.monotonic()
    service.stop()
    assert time.monotonic() - started < CARD_STOP_S + 1.0
    answered.set()


def test_android_token_reads_its_certificate_after_the_pin(card_setup: Any) -> None:
    reader, service, facts, events = card_setup
    service.read_card()
    place(reader, service, "android")
    assert next_event(events) == ev.CardDetected()
    assert next_event(events) == ev.CardRead()
    assert facts.certificate() is None  # this medium wants the PIN first (jpki-card.md §4.1)
    service.read_pin_tries()
    assert next_event(events) == ev.PinTriesRead(3)
    service.verify_pin(get_persona("android").auth_pin)
    assert next_event(events) == ev.PinAccepted()
    assert facts.certificate() is not None


def test_card_facts_with_the_matching_number(card_setup: Any) -> None:
    reader, service, _facts, events = card_setup
    persona = get_persona("normal")
    service.read_card()
    place(reader, service, "normal")
    next_event(events), next_event(events)
    service.read_facts("12345678901234")  # not a date: refused before anything is sent
    assert next_event(events) == ev.MatchingNumberRejected(None)
    wrong = persona.shogo_b[:-4] + ("0000" if persona.shogo_b[-4:] != "0000" else "1111")
    service.read_facts(wrong)  # well formed but wrong: the card counts a try
    rejected = next_event(events)
    assert isinstance(rejected, ev.MatchingNumberRejected)
    assert rejected.tries_left is not None
    service.read_facts(persona.shogo_b)
    read = next_event(events)
    assert isinstance(read, ev.CardFactsRead)
    assert read.facts.birth_date == persona.birth_date
    assert "山田" in read.facts.name
    assert "山田" not in repr(read)  # personal data never in a log line


def test_removal_is_reported_and_wipe_stops_waiting(card_setup: Any) -> None:
    reader, service, _facts, events = card_setup
    service.read_card()
    service.wipe()  # the session ended while the kiosk waited for a card
    place(reader, service, "normal")
    with pytest.raises(queue.Empty):
        events.get(timeout=0.5)  # nothing is read for nobody
    reader.remove(0)
    assert next_event(events) == ev.CardRemoved()


def test_reader_lost_while_waiting(card_setup: Any) -> None:
    _reader, service, _facts, events = card_setup
    service.read_card()
    service.handle_monitor_event(MonitorEvent(MonitorEventKind.SERVICE_LOST))
    assert next_event(events) == ev.CardReadFailed(ev.CardFailure.READER_FAULT)


def test_other_readers_are_ignored(pki: JpkiTestPki, tmp_path: Path) -> None:
    cards = InProcessCards(InProcessReader(tmp_path / "cards", pki.folder))
    service = CardService(
        TransactionFacts(),
        ReaderChoice("Test Reader"),  # the kiosk's reader is another one
        connector=cards.connector,
        monitor_factory=cards.monitor,
        clock=lambda: datetime.now(UTC),
    )
    events: queue.Queue[Event] = queue.Queue()
    service.start(events.put)
    try:
        service.read_card()
        cards.reader.insert(0, "normal")
        with pytest.raises(queue.Empty):
            events.get(timeout=0.3)
    finally:
        service.stop()
        cards.close()


def test_a_card_pulled_out_mid_read_is_cardios_card_removed(card_setup: Any) -> None:
    reader, service, _facts, events = card_setup
    service.read_card()
    place(reader, service, "slow")  # 0.15 s an answer: the removal lands mid-sequence
    assert next_event(events) == ev.CardDetected()
    reader.remove(0)
    # The monitor's event at once, then the read that the removal ended — as a removal, not as
    # a broken card (the in-process transport says CardRemovedError, never the engine's error).
    assert [next_event(events), next_event(events)] == [ev.CardRemoved(), ev.CardRemoved()]
    assert reader.card is None


# -- the payment service --------------------------------------------------------------------------
class RefusingAcceptor(SimulatedAcceptor):
    def refund(self, amount_yen: int) -> None:
        raise AcceptorError("offline")

    def enable(self, amount_due_yen: int) -> None:
        raise AcceptorError("offline")


def test_acceptor_events_and_commands() -> None:
    acceptor = SimulatedAcceptor()
    service = PaymentService(acceptor)
    events: queue.Queue[Event] = queue.Queue()
    service.start(events.put)
    try:
        service.execute(fx.EnableAcceptor(300))
        deadline = datetime.now(UTC).timestamp() + WAIT_S
        while not acceptor.enabled and datetime.now(UTC).timestamp() < deadline:
            pass
        acceptor.insert(500)
        assert next_event(events) == MoneyInserted(500)
        service.execute(fx.DispenseChange(200))
        assert next_event(events) == ChangeDispensed(200, 200)
    finally:
        service.stop()
        acceptor.close()


def test_a_refused_command_tells_the_flow_the_truth() -> None:
    acceptor = RefusingAcceptor()
    service = PaymentService(acceptor)
    events: queue.Queue[Event] = queue.Queue()
    service.start(events.put)
    try:
        service.execute(fx.Refund(300))
        assert next_event(events) == MoneyRefunded(300, 0)  # nothing paid back: staff owe it
        service.execute(fx.EnableAcceptor(300))
        assert next_event(events) == AcceptorJammed()
    finally:
        service.stop()
        acceptor.close()


# -- the center service's mappings ----------------------------------------------------------------
ISSUED = IssuanceFacts("iss-1", fee_per_copy_yen=200, copies=2)
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


KIOSK, COUNTER = PaymentMode.ACCEPTOR, PaymentMode.COUNTER


def test_the_completion_report_is_the_flows_field_by_field() -> None:
    effect = fx.ReportCompletion(
        "t-1", fx.Completion.FAILED, 1, KIOSK, 400, 100, 100, PrinterFault.JAM
    )
    body = completion_report(effect, NOW)
    assert body == wire.CompletionReport(
        wire.CompletionOutcome.FAILED, 1, 400, 100, 100, "jam", NOW, wire.PaymentPlace.KIOSK
    )
    assert body.problem(ISSUED.copies, ISSUED.fee_per_copy_yen) is None
    printed = completion_report(
        fx.ReportCompletion("t-1", fx.Completion.PRINTED, 2, COUNTER, 0, 0, 0), NOW
    )
    assert (printed.payment, printed.amount_paid_yen, printed.failure_reason) == (
        wire.PaymentPlace.COUNTER,
        0,
        None,
    )
    cancelled = completion_report(
        fx.ReportCompletion("t-1", fx.Completion.CANCELLED, 0, KIOSK, 0, 0, 0), NOW
    )
    assert cancelled.failure_reason == "cancelled"
    failed = completion_report(
        fx.ReportCompletion("t-1", fx.Completion.FAILED, 0, KIOSK, 400, 400, 0), NOW
    )
    assert failed.failure_reason == "print_failed"  # no printer fault known
    for made in (printed, cancelled, failed):
        assert wire.CompletionReport.from_wire(made.to_wire()) == made


@pytest.mark.parametrize(
    ("error", "failure", "reason"),
    [
        (center_errors.CenterUnreachable("x"), ev.CenterFailure.UNREACHABLE, ""),
        (
            center_errors.CenterTimeout("x", where="municipality"),
            ev.CenterFailure.TIMEOUT,
            "municipality",
        ),
        (center_errors.Maintenance("maintenance"), ev.CenterFailure.MAINTENANCE, "maintenance"),
        (
            center_errors.Maintenance("maintenance", scope="center"),
            ev.CenterFailure.MAINTENANCE,
            "center",
        ),
        (center_errors.OutOfHours("weekdays_only"), ev.CenterFailure.OUT_OF_HOURS, "weekdays_only"),
        (center_errors.CenterRefused("moved_out"), ev.CenterFailure.REFUSED, "moved_out"),
        (center_errors.EnvelopeRejected("x"), ev.CenterFailure.PROTOCOL, ""),
        (center_errors.KioskNotAuthorised("x"), ev.CenterFailure.NOT_AUTHORISED, ""),
        (center_errors.SessionExpired("x"), ev.CenterFailure.SESSION_EXPIRED, ""),
        (center_errors.NotFound("x"), ev.CenterFailure.NOT_FOUND, ""),
        (center_errors.IdempotencyConflict("x"), ev.CenterFailure.UNAVAILABLE, ""),
    ],
)
def test_center_errors_map_to_flow_failures(
    error: center_errors.CenterError, failure: ev.CenterFailure, reason: str
) -> None:
    assert center_failure(error) == (failure, reason)


# -- recovery -------------------------------------------------------------------------------------
def test_recovery_closes_what_a_crash_left_open(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite3") as journal:
        journal.write(TransactionOpened("paid", "issue", "juminhyo", 1, 300))
        journal.write(PaymentIntent("paid", 300))
        journal.write(MoneyIn("paid", 500))
        journal.write(PaymentOutcome("paid", 500))
        journal.write(PrintIntent("paid", 1, "d"))  # crash while printing: no outcome
        journal.write(TransactionOpened("nothing", "issue", "inkan", 1, 300))
        assert recover_open_transactions(journal, "kiosk-0001") == []  # no report owed
        assert journal.open_transactions() == []
        paid = journal.summary("paid")
        assert paid.closed is CloseReason.STAFF
        assert paid.staff_owed_yen == 500  # in doubt, the copy counts as not printed
        assert journal.summary("nothing").closed is CloseReason.RECOVERED
        assert recover_open_transactions(journal, "kiosk-0001") == []  # exactly once
    assert STAFF_CODE_RECOVERED.startswith("K-")


def test_recovery_owes_the_center_its_report(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite3") as journal:
        journal.write(TransactionOpened("t", "issue", "juminhyo", 2, 200))
        journal.write(IssuanceReceived("t", "iss-42"))
        journal.write(PaymentIntent("t", 400))
        journal.write(MoneyIn("t", 400))
        journal.write(PaymentOutcome("t", 400))
        journal.write(PrintIntent("t", 2, "d"))
        journal.write(PrintOutcome("t", 1, PrinterFault.JAM))  # one copy out, then the power went
        [owed] = recover_open_transactions(journal, "kiosk-0001")
        assert owed.issuance.issuance_id == "iss-42"
        assert owed.report.outcome is fx.Completion.FAILED
        assert owed.report.copies_printed == 1
        assert owed.report.refund_pending_yen == 200  # the second copy's fee, for staff
        # The journal kept the printer's fault: the report gives it, not the restart.
        assert owed.report.print_fault is PrinterFault.JAM
        assert owed.report.failure_reason == "jam"
        body = completion_report(owed.report, NOW)
        wire.CompletionReport.from_wire(body.to_wire())
        assert body.problem(copies=2, fee_per_copy_yen=200) is None  # the center's check
        assert (body.amount_paid_yen, body.refund_pending_yen) == (400, 200)
        # Unacknowledged: still open, money not owed twice on the next start.
        finish_recovered(journal, owed, False, "kiosk-0001")
        [again] = recover_open_transactions(journal, "kiosk-0001")
        assert journal.summary("t").staff_owed_yen == 200
        finish_recovered(journal, again, True, "kiosk-0001")
        assert journal.summary("t").closed is CloseReason.STAFF
        assert recover_open_transactions(journal, "kiosk-0001") == []


def test_recovery_reports_a_counter_payment(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite3") as journal:
        # City hall: no payment step; the power went while the second copy printed.
        journal.write(TransactionOpened("t", "issue", "inkan", 2, 300))
        journal.write(IssuanceReceived("t", "iss-43"))
        journal.write(PrintIntent("t", 2, "d"))
        journal.write(TransactionOpened("u", "issue", "inkan", 1, 300))
        journal.write(IssuanceReceived("u", "iss-44"))
        journal.write(PrintIntent("u", 1, "d"))
        journal.write(PrintOutcome("u", 1, None))
        first, second = recover_open_transactions(journal, "kiosk-0001", payment=COUNTER)
        assert (first.report.payment, first.report.outcome) == (COUNTER, fx.Completion.FAILED)
        # Printing was in doubt (an intent without its outcome): the restart is the reason.
        assert first.report.print_fault is None
        assert first.report.failure_reason == RESTART_REASON
        assert (second.report.payment, second.report.outcome) == (COUNTER, fx.Completion.PRINTED)
        for item in (first, second):
            body = completion_report(item.report, NOW)
            assert body.payment is wire.PaymentPlace.COUNTER
            assert body.amount_paid_yen == body.refund_pending_yen == 0
            facts = item.issuance
            assert body.problem(facts.copies, facts.fee_per_copy_yen) is None
        assert journal.summary("t").staff_owed_yen == 0  # no money was taken here


# -- sound and tickets ----------------------------------------------------------------------------
def test_reminder_sounds_are_valid_wav() -> None:
    for reminder in MELODIES:
        with wave.open(io.BytesIO(reminder_wav(reminder))) as wav:
            assert wav.getnchannels() == 1
            assert wav.getsampwidth() == 2
            assert 0.3 < wav.getnframes() / wav.getframerate() < 2.0


def test_no_sound_device_is_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    player = AplayReminderPlayer()
    player.play(fx.Reminder.CARD)  # neither raises nor blocks
    player.close()
    assert player.played == 0


def test_reception_ticket(tmp_path: Path) -> None:
    pdf = tmp_path / "ticket.pdf"
    pdf.write_bytes(render_ticket(42, 300, NOW))
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, timeout=30
    ).stdout.decode()
    assert "受付票" in text
    assert "042" in text
    assert "300円" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True).stdout
    assert b"IPAexGothic" in fonts
    assert b" yes yes " in fonts or b"yes yes" in fonts  # embedded subset
