"""The card service: every card operation on one worker thread, reader events as flow events.

Anki's ``taskman`` model: one worker thread owns the reader (cardio sessions are not
thread-safe, docs/card.md), so operations run one at a time in the order the flow asked for
them. A card is untrusted: a read has one time budget for all its APDUs
(:data:`CARD_READ_BUDGET_S`), every later verb cardio's own, and stopping the service never
waits on the card longer than :data:`CARD_STOP_S` (kiosk.runtime.worker). The reader monitor
(cardio.monitor, its own thread) reports insertion and removal; a removal of the card in use
becomes ``CardRemoved`` at once, whatever the worker is doing.

One connection lives from ``ReadCard`` to ``ReleaseCard``: the PIN verified on it is used for
the signature (and, in a usage registration, the 券面事項入力補助AP is read on it). Releasing
closes it with ``SCARD_UNPOWER_CARD`` (cardio.pcsc), so the verified PIN is gone from the card
(architecture rule 3). ``WipePersonalData`` cancels whatever is in flight (cardio checks the
cancel event before each APDU) and releases too.

Failures become the flow's :class:`~kiosk.flow.events.CardFailure` families; a PIN is never
logged and is wiped from memory as soon as VERIFY returns (cardio.UserPin).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import cardio
from cardio import (
    CardChannel,
    CardError,
    CollationNumberB,
    JpkiSession,
    KenmenHojoSession,
    Medium,
    UserPin,
)
from cardio.card_id import read_card_id
from cardio.presence import MonitorEvent, MonitorEventKind
from kiosk.flow import Event
from kiosk.flow.events import (
    CardDetected,
    CardFacts,
    CardFactsRead,
    CardFailed,
    CardFailure,
    CardRead,
    CardReadFailed,
    CardRemoved,
    ChallengeSigned,
    MatchingNumberBlocked,
    MatchingNumberRejected,
    PinAccepted,
    PinBlocked,
    PinRejected,
    PinTriesRead,
)
from kiosk.runtime.context import Clock, TransactionFacts
from kiosk.runtime.worker import DeviceWorker

log = logging.getLogger(__name__)

# Reading a card (select, token, certificate: 9–10 APDUs) takes well under a second on a real
# card and 1.4 s on the `slow` persona; a card still reading after 10 s is broken or hostile.
# Checked before each APDU, so with one more slow answer in flight the read still fails before
# the flow's 30 s card_read watchdog (kiosk/flow/timeouts.py), with the card problem on screen.
CARD_READ_BUDGET_S = 10.0
# Stopping waits this long for the operation in flight (cancelled before its next APDU) and the
# power-off; a card or reader stuck in one transmit is abandoned with the worker after that.
CARD_STOP_S = 2.0

Post = Callable[[Event], None]


class CardConnection(Protocol):
    """What the service needs of a connection: cardio's transport plus power-off on close."""

    def transmit(self, apdu: bytes) -> tuple[bytes, int]: ...

    def close(self) -> None: ...


Connector = Callable[[str], CardConnection]


class Monitor(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...


MonitorFactory = Callable[[Callable[[MonitorEvent], None]], Monitor]


@dataclass(frozen=True)
class ReaderChoice:
    """Which reader the kiosk uses: the readers whose PC/SC name contains ``name_contains``
    ("" = any reader). A kiosk has one reader; when several match (the developer machine's
    vpcd has two slots), the card is read in whichever of them it is placed on."""

    name_contains: str = ""

    def accepts(self, reader: str | None) -> bool:
        return reader is not None and self.name_contains in reader


class CardService:
    """Executes the flow's card effects (see the module docstring).

    ``connector`` opens a reader (PC/SC or in-process), ``monitor_factory`` watches the readers
    (None: no monitor, tests feed :meth:`handle_monitor_event`); ``clock`` tells whether the
    card's certificate is still valid.
    """

    def __init__(
        self,
        facts: TransactionFacts,
        reader: ReaderChoice,
        *,
        connector: Connector,
        monitor_factory: MonitorFactory | None,
        clock: Clock,
        issuer_public_key: Any = None,
    ) -> None:
        self._facts = facts
        self._reader = reader
        self._connector = connector
        self._monitor_factory = monitor_factory
        self._issuer_key = issuer_public_key
        self._clock = clock
        self._post: Post | None = None
        self._worker: DeviceWorker | None = None
        self._monitor: Monitor | None = None
        self._lock = threading.Lock()
        self._present: dict[str, bool] = {}
        self._waiting = False  # a ReadCard waits for a card
        self._reading = False  # a read was queued or runs
        self._active_reader: str | None = None
        self._cancel = threading.Event()
        self._reader_lost = False  # the reader left, or PC/SC stopped answering
        self._staff_watch: Callable[[bytes | None], None] | None = None
        # Worker-thread state (only touched on the card worker):
        self._connection: CardConnection | None = None
        self._session: JpkiSession | None = None
        self._needs_certificate_after_pin = False

    # -- life cycle ------------------------------------------------------------------------------
    def start(self, post: Post) -> None:
        self._post = post
        self._worker = DeviceWorker("kiosk-card")
        if self._monitor_factory is not None:
            self._monitor = self._monitor_factory(self.handle_monitor_event)
            self._monitor.start()

    def stop(self) -> None:
        """Stop the monitor, cancel what runs on the card, power it off; never waits on the
        card longer than :data:`CARD_STOP_S` (a card stuck in one transmit is abandoned)."""
        if self._monitor is not None:
            self._monitor.stop()
            self._monitor = None
        with self._lock:
            self._cancel.set()
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.submit(self._close)
            worker.stop(CARD_STOP_S)

    # -- reader events (monitor thread) ----------------------------------------------------------
    def handle_monitor_event(self, event: MonitorEvent) -> None:
        """The monitor's callback: presence bookkeeping and ``CardRemoved`` for the flow."""
        kind = event.kind
        if kind is MonitorEventKind.CARD_INSERTED and self._reader.accepts(event.reader):
            assert event.reader is not None
            with self._lock:
                self._present[event.reader] = True
                self._reader_lost = False
            self._maybe_read()
            self._maybe_identify()
        elif kind is MonitorEventKind.CARD_REMOVED and self._reader.accepts(event.reader):
            assert event.reader is not None
            with self._lock:
                self._present[event.reader] = False
                ours = self._active_reader in (None, event.reader)
            if ours:
                self._send(CardRemoved())
        elif kind in (MonitorEventKind.READER_REMOVED, MonitorEventKind.SERVICE_LOST):
            with self._lock:
                gone = event.reader is None or self._reader.accepts(event.reader)
                if event.reader is not None:
                    self._present.pop(event.reader, None)
                else:
                    self._present.clear()
                waiting, self._waiting = self._waiting, self._waiting and not gone
            with self._lock:
                self._reader_lost = self._reader_lost or gone
            log.warning("card reader unavailable: %s", kind.value)
            if gone and waiting:
                self._send(CardReadFailed(CardFailure.READER_FAULT))
        elif kind is MonitorEventKind.SERVICE_RESTORED:
            with self._lock:
                self._reader_lost = False
            log.info("PC/SC service restored")

    # -- effects (sequencer thread) --------------------------------------------------------------
    def read_card(self) -> None:
        """ReadCard: read the card now if one lies on the reader, else when one is placed."""
        with self._lock:
            self._waiting = True
        self._maybe_read()

    def read_pin_tries(self) -> None:
        self._submit(self._read_pin_tries)

    def verify_pin(self, pin: str) -> None:
        self._submit(lambda cancel: self._verify_pin(pin, cancel))

    def sign(self, message: bytes) -> None:
        self._submit(lambda cancel: self._sign(message, cancel))

    def read_facts(self, matching_number: str) -> None:
        self._submit(lambda cancel: self._read_facts(matching_number, cancel))

    def release(self) -> None:
        """ReleaseCard: stop what runs on the card and power it off."""
        self._new_session()
        self._submit(lambda cancel: self._close())

    # -- staff cards and the staff's status screen ----------------------------------------------
    def watch_staff_cards(self, seen: Callable[[bytes | None], None] | None) -> None:
        """While set (staff login), every card placed on the reader — and one already there —
        is asked for its id (cardio.card_id: the reader answers, nothing is read from the card)
        and ``seen(id or None)`` is called on the card worker; None stops watching."""
        with self._lock:
            self._staff_watch = seen
        if seen is not None:
            self._maybe_identify()

    def reader_state(self) -> tuple[tuple[str, ...], bool, bool]:
        """(the readers seen, a card lies on one, the reader and PC/SC answer)."""
        with self._lock:
            readers = tuple(sorted(self._present))
            present = any(self._present.values())
            return readers, present, not self._reader_lost

    def _maybe_identify(self) -> None:
        with self._lock:
            seen = self._staff_watch
            reader = self._present_reader()
        if seen is None or reader is None:
            return
        self._submit(lambda cancel: self._identify(reader, seen))

    def _identify(self, reader: str, seen: Callable[[bytes | None], None]) -> None:
        card_id: bytes | None = None
        try:
            self._close()
            connection = self._connector(reader)
            try:
                card_id = read_card_id(connection)
            finally:
                connection.close()
        except CardError as exc:
            log.info("staff card not identified: %s", type(exc).__name__)
        with self._lock:
            still = self._staff_watch is seen
        if still:
            seen(card_id)

    def wipe(self) -> None:
        """WipePersonalData: stop waiting for a card, cancel, power off, forget the certificate."""
        with self._lock:
            self._waiting = False
        self._new_session()
        self._facts.set_certificate(None)
        self._submit(lambda cancel: self._close())

    # -- plumbing --------------------------------------------------------------------------------
    def _new_session(self) -> None:
        """Cancel operations already queued or running; later ones get a fresh cancel event."""
        with self._lock:
            old, self._cancel = self._cancel, threading.Event()
        old.set()

    def _send(self, event: Event) -> None:
        post = self._post
        if post is not None:
            post(event)

    def _submit(self, operation: Callable[[threading.Event], None]) -> None:
        worker = self._worker
        if worker is None:
            log.error("card operation before the service started")
            return
        with self._lock:
            cancel = self._cancel
        # A failure that escapes is a bug in this service: the worker logs it and the flow's
        # watchdog recovers.
        worker.submit(lambda: operation(cancel))

    def _maybe_read(self) -> None:
        with self._lock:
            if not self._waiting or self._reading:
                return
            reader = self._present_reader()
            if reader is None:
                return
            self._waiting = False
            self._reading = True
            self._active_reader = reader
        self._submit(lambda cancel: self._read(reader, cancel))

    def _present_reader(self) -> str | None:
        for name, present in sorted(self._present.items()):
            if present and self._reader.accepts(name):
                return name
        return None

    # -- the worker thread -----------------------------------------------------------------------
    def _close(self) -> None:
        connection, self._connection = self._connection, None
        self._session = None
        self._needs_certificate_after_pin = False
        if connection is not None:
            try:
                connection.close()  # cardio.pcsc: SCARD_UNPOWER_CARD (the PIN state is gone)
            except Exception:
                log.debug("closing the card connection failed", exc_info=True)

    def _read(self, reader: str, cancel: threading.Event) -> None:
        try:
            if cancel.is_set():
                return
            self._close()
            self._send(CardDetected())
            failure = self._open_and_read(reader, cancel)
        except cardio.OperationCancelled:
            self._close()
            return
        except cardio.CardRemoved:
            self._close()
            self._send(CardRemoved())
            failure = CardFailure.UNREADABLE
        except CardError as exc:
            self._close()
            failure = _card_failure(exc)
            log.info("card read failed: %s", type(exc).__name__)
        finally:
            with self._lock:
                self._reading = False
        if failure is None:
            self._send(CardRead())
        else:
            self._close()
            self._send(CardReadFailed(failure))

    def _open_and_read(self, reader: str, cancel: threading.Event) -> CardFailure | None:
        assert self._connector is not None
        self._connection = self._connector(reader)
        channel = CardChannel(self._connection)
        with channel.operation(CARD_READ_BUDGET_S):
            session = JpkiSession(channel, cancel=cancel)
            token = session.read_token_info()
            self._session = session
            if token.medium is Medium.ANDROID:
                # jpki-card.md §4.1: this medium asks for the PIN before the certificate.
                self._needs_certificate_after_pin = True
                return None
            return self._take_certificate(session.read_certificate())

    def _take_certificate(self, der: bytes) -> CardFailure | None:
        """Keep the certificate for the center if the kiosk can use it; else why not."""
        try:
            summary = cardio.summarize_certificate(der)
        except cardio.MalformedCertificate as exc:
            log.info("card certificate refused: %s", exc)
            return CardFailure.CERTIFICATE_INVALID
        now = self._clock()
        if summary.not_after < now:
            return CardFailure.CERTIFICATE_EXPIRED
        if summary.not_before > now:
            return CardFailure.CERTIFICATE_INVALID
        self._facts.set_certificate(der)
        return None

    def _in_session(
        self, cancel: threading.Event, what: str, operation: Callable[[JpkiSession], None]
    ) -> None:
        session = self._session
        if cancel.is_set():
            return
        if session is None:
            log.error("%s without an open card session", what)
            self._send(CardFailed(CardFailure.ERROR))
            return
        try:
            operation(session)
        except cardio.OperationCancelled:
            return
        except cardio.CardRemoved:
            self._close()
            self._send(CardRemoved())
        except CardError as exc:
            log.info("%s failed: %s", what, type(exc).__name__)
            self._send(CardFailed(_card_failure(exc)))

    def _read_pin_tries(self, cancel: threading.Event) -> None:
        def run(session: JpkiSession) -> None:
            self._send(PinTriesRead(session.get_pin_tries(cancel=cancel)))

        self._in_session(cancel, "PIN tries", run)

    def _verify_pin(self, pin: str, cancel: threading.Event) -> None:
        def run(session: JpkiSession) -> None:
            try:
                with UserPin(pin) as secret:  # wiped on leaving the block
                    session.verify_pin(secret, cancel=cancel)
            except cardio.WrongPin as exc:
                self._send(PinRejected(exc.tries_left))
                return
            except cardio.PinBlocked:
                self._send(PinBlocked())
                return
            if self._needs_certificate_after_pin:
                self._needs_certificate_after_pin = False
                failure = self._take_certificate(session.read_certificate(cancel=cancel))
                if failure is not None:
                    self._send(CardFailed(failure))
                    return
            self._send(PinAccepted())

        self._in_session(cancel, "PIN verification", run)

    def _sign(self, message: bytes, cancel: threading.Event) -> None:
        def run(session: JpkiSession) -> None:
            self._send(ChallengeSigned(session.sign_sha256(message, cancel=cancel)))

        self._in_session(cancel, "signature", run)

    def _read_facts(self, matching_number: str, cancel: threading.Event) -> None:
        def run(session: JpkiSession) -> None:
            assert self._connection is not None
            try:
                number = CollationNumberB(matching_number)
            except cardio.InvalidPinFormat:
                self._send(MatchingNumberRejected(None))  # refused before sending: no try spent
                return
            try:
                with number:
                    record = KenmenHojoSession(session.channel, cancel=cancel).read(
                        number, issuer_public_key=self._issuer_key, cancel=cancel
                    )
            except cardio.WrongPin as exc:
                self._send(MatchingNumberRejected(exc.tries_left))
                return
            except cardio.PinBlocked:
                self._send(MatchingNumberBlocked())
                return
            facts = record.facts
            birth = facts.birth_date_as_date() if facts is not None else None
            if facts is None or birth is None:
                self._send(CardFailed(CardFailure.UNREADABLE))
                return
            self._send(CardFactsRead(CardFacts(facts.name, facts.address, birth, facts.sex.value)))

        self._in_session(cancel, "card facts", run)


def _card_failure(exc: CardError) -> CardFailure:
    """cardio's typed errors → the flow's families (docs/card.md, "Errors")."""
    if isinstance(exc, cardio.ApplicationNotFound | cardio.JukiCardNotSupported):
        return CardFailure.NOT_MY_NUMBER_CARD
    if isinstance(exc, cardio.UnsupportedCard):
        return CardFailure.NOT_MY_NUMBER_CARD
    if isinstance(exc, cardio.NotFound):
        return CardFailure.NO_CERTIFICATE
    if isinstance(exc, cardio.MalformedCertificate):
        return CardFailure.CERTIFICATE_INVALID
    if isinstance(exc, cardio.ReaderGone | cardio.NoReader | cardio.ServiceUnavailable):
        return CardFailure.READER_FAULT
    if isinstance(exc, cardio.CardInUse | cardio.SecurityStatusNotSatisfied):
        return CardFailure.ERROR
    return CardFailure.UNREADABLE


__all__ = ["CardConnection", "CardService", "Connector", "MonitorFactory", "ReaderChoice"]
