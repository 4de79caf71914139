"""The transport seam and the chain of APDU processors around it.

A transport is anything with ``transmit(apdu: bytes) -> (data, sw)``: the PC/SC adapter
(:mod:`cardio.pcsc`), the in-process virtual card of ``hw_sim``, or a strict transcript
(:mod:`cardio.testing`). Everything else is layered on top, one small processor per concern
(style.md, yubikit): :class:`GetResponseProcessor` (``61 xx``), :class:`WrongLeProcessor`
(``6C xx``), and :class:`CardChannel`, which turns status words into typed errors.

A card is untrusted input (anyone can put a programmable card on a store kiosk's reader), so
every exchange is bounded: each command of a chain — the original, a GET RESPONSE, a re-send
with the right Le — first passes the exchange's :class:`Guard` (the caller's cancel event and
the operation's deadline); a GET RESPONSE loop has a fixed number of rounds, must get data in
each, and may not collect more than the command asked for.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol, runtime_checkable

from cardio.apdu import EXTENDED_MAX_LE, INS, SHORT_MAX_LE, CommandApdu
from cardio.errors import CardTimeout, MalformedResponse, OperationCancelled, error_for_status

__all__ = [
    "OPERATION_TIMEOUT_S",
    "ApduSender",
    "CardChannel",
    "GetResponseProcessor",
    "Guard",
    "Transport",
    "TransportSender",
    "WrongLeProcessor",
]

Response = tuple[bytes, int]

# GET RESPONSE rounds after one command. The longest answer the driver asks for is 256 bytes
# (short Le; a certificate is read in ≤256-byte pieces, jpki-card.md §2.3), which a card sends
# in one round, or a few if it chains; a card still answering 61xx after this many rounds is
# stuck in a loop (a programmable card can answer 61xx forever).
MAX_GET_RESPONSE_ROUNDS = 16
# One verb of a session (select, read a certificate, verify, sign) on a real card takes well
# under a second: ≤ 9 APDUs of ≤ 256 bytes, the on-card RSA signature ≈ 0.5 s (jpki-card.md
# §4.3). A card still busy after 10 s is broken or hostile; the kiosk gives a whole card read a
# budget of its own (CardChannel.operation) below its screen watchdog.
OPERATION_TIMEOUT_S = 10.0


@runtime_checkable
class Transport(Protocol):
    """One exchange with the card: the encoded command in, the response data and SW out.

    ``sw`` is an int such as ``0x9000``. Implementations raise
    :class:`cardio.errors.CommunicationError` subclasses for transport failures.
    """

    def transmit(self, apdu: bytes) -> tuple[bytes, int]: ...


class Guard:
    """What every command of one exchange checks before it goes out: the caller's cancel event
    (:class:`OperationCancelled`) and the operation's deadline, a ``time.monotonic()`` instant
    (:class:`CardTimeout`). PC/SC has no per-call timeout, so a command already sent is bounded
    only by the reader; the deadline stops the next one."""

    def __init__(
        self,
        cancel: threading.Event | None = None,
        deadline: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.cancel = cancel
        self.deadline = deadline
        self._clock = clock

    def check(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise OperationCancelled("cancelled before the next card command")
        if self.deadline is not None and self._clock() >= self.deadline:
            raise CardTimeout("the card did not finish the operation in time")


class ApduSender(Protocol):
    """A link of the processor chain; passes ``guard`` to every command it sends."""

    def send(self, command: CommandApdu, guard: Guard) -> Response: ...


class TransportSender:
    """Bottom of the chain: checks the guard, encodes the command and checks the transport's
    answer is sane."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    def send(self, command: CommandApdu, guard: Guard) -> Response:
        guard.check()
        result = self.transport.transmit(command.encode())
        if (
            not isinstance(result, tuple)
            or len(result) != 2
            or not isinstance(result[0], bytes | bytearray)
            or not isinstance(result[1], int)
            or not 0 <= result[1] <= 0xFFFF
        ):
            raise MalformedResponse("transport returned something other than (bytes, SW)")
        return bytes(result[0]), result[1]


class GetResponseProcessor:
    """``61 xx``: more data waiting; fetch it with GET RESPONSE (ISO 7816-4 §5.3.3).

    The contact interface is T=1 only (jpki-card.md §1.1), so this is defensive; some
    contactless readers still produce it. Bounded three ways (a hostile card can answer 61xx
    forever, with or without data): at most :data:`MAX_GET_RESPONSE_ROUNDS` rounds; each GET
    RESPONSE must return data, and no more than the ``xx`` it was asked for; the whole answer
    may not exceed the command's Le (256 when it has none).
    """

    def __init__(self, inner: ApduSender) -> None:
        self.inner = inner

    def send(self, command: CommandApdu, guard: Guard) -> Response:
        data, sw = self.inner.send(command, guard)
        chunks = [data]
        total = len(data)
        limit = command.le or (EXTENDED_MAX_LE if command.extended else SHORT_MAX_LE)
        rounds = 0
        while sw >> 8 == 0x61:
            rounds += 1
            if rounds > MAX_GET_RESPONSE_ROUNDS:
                raise MalformedResponse(f"card still answers 61xx after {rounds - 1} rounds")
            announced = (sw & 0xFF) or 256
            get_response = CommandApdu(command.cla & 0x03, INS.GET_RESPONSE, 0, 0, le=announced)
            data, sw = self.inner.send(get_response, guard)
            if not data and sw >> 8 == 0x61:
                raise MalformedResponse("card answers 61xx without sending the data")
            if len(data) > announced:
                raise MalformedResponse(
                    f"GET RESPONSE returned {len(data)} bytes, {announced} announced"
                )
            chunks.append(data)
            total += len(data)
            if total > limit:
                raise MalformedResponse(f"chained answer longer than the {limit} bytes asked")
        return b"".join(chunks), sw


class WrongLeProcessor:
    """``6C xx``: wrong Le; re-send once with Le = xx (ISO 7816-4 §5.1.3, jpki-card.md §9).
    A second ``6C`` is returned as it is (the channel makes it :class:`WrongLength`)."""

    def __init__(self, inner: ApduSender) -> None:
        self.inner = inner

    def send(self, command: CommandApdu, guard: Guard) -> Response:
        data, sw = self.inner.send(command, guard)
        if sw >> 8 == 0x6C and command.ins != INS.VERIFY:
            correct_le = (sw & 0xFF) or 256
            if command.le != correct_le:
                data, sw = self.inner.send(command.with_le(correct_le), guard)
        return data, sw


class CardChannel:
    """The processor chain over one transport, with status words turned into typed errors.

    ``send`` returns the response data of a ``90 00`` answer and raises the typed error of
    :func:`cardio.errors.error_for_status` otherwise. Not thread-safe by design: card I/O runs
    on one worker thread (docs/architecture.md); ``cancel`` events may be set from any thread
    and are checked before every command, GET RESPONSE and re-send included.

    Time: each session verb starts an operation (:meth:`begin_operation`) with a deadline
    ``operation_timeout_s`` ahead; :meth:`operation` gives several verbs one budget together
    (the kiosk's card read: select, token, certificate). A command is not sent after the
    deadline (:class:`~cardio.errors.CardTimeout`).
    """

    def __init__(
        self,
        transport: Transport,
        *,
        operation_timeout_s: float = OPERATION_TIMEOUT_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.transport = transport
        self.operation_timeout_s = operation_timeout_s
        self._clock = clock
        self._deadline: float | None = None
        self._outer_deadline: float | None = None
        self._chain: ApduSender = WrongLeProcessor(GetResponseProcessor(TransportSender(transport)))

    def begin_operation(self) -> None:
        """A session verb starts: its deadline is ``operation_timeout_s`` from now, unless an
        enclosing :meth:`operation` set one for several verbs."""
        if self._outer_deadline is None:
            self._deadline = self._clock() + self.operation_timeout_s

    @contextmanager
    def operation(self, timeout_s: float) -> Iterator[None]:
        """Every command inside the block is sent before ``timeout_s`` from now, or not at all."""
        previous = self._outer_deadline
        deadline = self._clock() + timeout_s
        if previous is not None:
            deadline = min(deadline, previous)
        self._outer_deadline = self._deadline = deadline
        try:
            yield
        finally:
            self._outer_deadline = previous
            self._deadline = previous

    def send_raw(self, command: CommandApdu, *, cancel: threading.Event | None = None) -> Response:
        """Send through the chain and return ``(data, sw)`` without interpreting the SW."""
        guard = Guard(cancel, self._deadline, clock=self._clock)
        guard.check()
        return self._chain.send(command, guard)

    def send(self, command: CommandApdu, *, cancel: threading.Event | None = None) -> bytes:
        """Send and return the data of a ``90 00`` answer; raise a typed error otherwise."""
        data, sw = self.send_raw(command, cancel=cancel)
        if sw != 0x9000:
            is_verify = command.ins == INS.VERIFY and bool(command.data)
            raise error_for_status(sw, verify_with_data=is_verify)
        return data
