"""The transport seam and the chain of APDU processors around it.

A transport is anything with ``transmit(apdu: bytes) -> (data, sw)``: the PC/SC adapter
(:mod:`cardio.pcsc`), the in-process virtual card of ``hw_sim``, or a strict transcript
(:mod:`cardio.testing`). Everything else is layered on top, one small processor per concern
(style.md, yubikit): :class:`GetResponseProcessor` (``61 xx``), :class:`WrongLeProcessor`
(``6C xx``), and :class:`CardChannel`, which turns status words into typed errors and checks
for cancellation between commands.
"""

from __future__ import annotations

import threading
from typing import Protocol, runtime_checkable

from cardio.apdu import INS, CommandApdu
from cardio.errors import MalformedResponse, OperationCancelled, error_for_status

__all__ = [
    "ApduSender",
    "CardChannel",
    "GetResponseProcessor",
    "Transport",
    "TransportSender",
    "WrongLeProcessor",
]

Response = tuple[bytes, int]

# A GET RESPONSE loop longer than this is a card stuck answering 61xx: 64 KiB is more than any
# object on the card (largest EF: 3808-byte certificate EFs, jpki-card.md §2.3).
MAX_CHAINED_RESPONSE = 65536


@runtime_checkable
class Transport(Protocol):
    """One exchange with the card: the encoded command in, the response data and SW out.

    ``sw`` is an int such as ``0x9000``. Implementations raise
    :class:`cardio.errors.CommunicationError` subclasses for transport failures.
    """

    def transmit(self, apdu: bytes) -> tuple[bytes, int]: ...


class ApduSender(Protocol):
    """A link of the processor chain."""

    def send(self, command: CommandApdu) -> Response: ...


class TransportSender:
    """Bottom of the chain: encodes the command and checks the transport's answer is sane."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    def send(self, command: CommandApdu) -> Response:
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
    contactless readers still produce it.
    """

    def __init__(self, inner: ApduSender) -> None:
        self.inner = inner

    def send(self, command: CommandApdu) -> Response:
        data, sw = self.inner.send(command)
        chunks = [data]
        total = len(data)
        while sw >> 8 == 0x61:
            if total > MAX_CHAINED_RESPONSE:
                raise MalformedResponse("card keeps answering 61xx (response too long)")
            get_response = CommandApdu(
                command.cla & 0x03, INS.GET_RESPONSE, 0, 0, le=(sw & 0xFF) or 256
            )
            data, sw = self.inner.send(get_response)
            chunks.append(data)
            total += len(data)
        return b"".join(chunks), sw


class WrongLeProcessor:
    """``6C xx``: wrong Le; re-send once with Le = xx (ISO 7816-4 §5.1.3, jpki-card.md §9)."""

    def __init__(self, inner: ApduSender) -> None:
        self.inner = inner

    def send(self, command: CommandApdu) -> Response:
        data, sw = self.inner.send(command)
        if sw >> 8 == 0x6C and command.ins != INS.VERIFY:
            correct_le = (sw & 0xFF) or 256
            if command.le != correct_le:
                data, sw = self.inner.send(command.with_le(correct_le))
        return data, sw


class CardChannel:
    """The processor chain over one transport, with status words turned into typed errors.

    ``send`` returns the response data of a ``90 00`` answer and raises the typed error of
    :func:`cardio.errors.error_for_status` otherwise. Not thread-safe by design: card I/O runs
    on one worker thread (docs/architecture.md); ``cancel`` events may be set from any thread
    and are checked before each command.
    """

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self._chain: ApduSender = WrongLeProcessor(GetResponseProcessor(TransportSender(transport)))

    def send_raw(self, command: CommandApdu, *, cancel: threading.Event | None = None) -> Response:
        """Send through the chain and return ``(data, sw)`` without interpreting the SW."""
        if cancel is not None and cancel.is_set():
            raise OperationCancelled("cancelled before the next card command")
        return self._chain.send(command)

    def send(self, command: CommandApdu, *, cancel: threading.Event | None = None) -> bytes:
        """Send and return the data of a ``90 00`` answer; raise a typed error otherwise."""
        data, sw = self.send_raw(command, cancel=cancel)
        if sw != 0x9000:
            is_verify = command.ins == INS.VERIFY and bool(command.data)
            raise error_for_status(sw, verify_with_data=is_verify)
        return data
