"""The PC/SC adapter: the only module of the project that imports pyscard.

* :class:`PcscContext` – a ``SCARDCONTEXT`` that is re-established when pcscd restarts (an old
  context answers ``SCARD_E_NO_SERVICE`` forever, real-stack.md); lists readers, connects,
  waits for status changes (for :mod:`cardio.monitor`).
* :class:`PcscConnection` – the :class:`~cardio.transport.Transport` for one session:
  exclusive T=1 connection, raw traffic logged at ``TRAFFIC`` (masked), PC/SC failures turned
  into typed errors, and the card **powered off** on :meth:`~PcscConnection.close` (pcscd
  otherwise keeps it powered ≈0.4 s with the PIN verified for the next client, real-stack.md).
  After the card is pulled the connection is dead for good; connect again.

Only pyscard's low-level ``smartcard.scard`` is used: its ``CardMonitor`` misses events and
deadlocks (real-stack.md); the monitor is built on ``SCardGetStatusChange`` instead.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from smartcard import scard

from cardio.errors import (
    CardError,
    CardInUse,
    CardRemoved,
    CardReset,
    CardTimeout,
    CommunicationError,
    MalformedResponse,
    NoReader,
    OperationCancelled,
    ReaderGone,
    ServiceUnavailable,
    UnsupportedCard,
)
from cardio.traffic import TRAFFIC, TrafficRedactor

__all__ = [
    "PNP_NOTIFICATION",
    "PcscConnection",
    "PcscContext",
    "ReaderState",
    "connect",
    "list_readers",
]

_log = logging.getLogger(__name__)

T = TypeVar("T")

# The pseudo-reader whose state changes when a reader is added or removed (pcsc-lite, PC/SC
# part 5 §3.1.19 "\\?PnP?\Notification").
PNP_NOTIFICATION = "\\\\?PnP?\\Notification"

# PC/SC return codes (pcsc-lite pcsclite.h); pyscard returns them as unsigned ints.
_S_SUCCESS = 0
_E_CANCELLED = 0x80100002
_E_INVALID_HANDLE = 0x80100003
_E_UNKNOWN_READER = 0x80100009
_E_TIMEOUT = 0x8010000A
_E_SHARING_VIOLATION = 0x8010000B
_E_NO_SMARTCARD = 0x8010000C
_E_PROTO_MISMATCH = 0x8010000F
_E_NOT_READY = 0x80100010
_F_COMM_ERROR = 0x80100013
_E_NOT_TRANSACTED = 0x80100016
_E_READER_UNAVAILABLE = 0x80100017
_E_NO_SERVICE = 0x8010001D
_E_SERVICE_STOPPED = 0x8010001E
_E_NO_READERS_AVAILABLE = 0x8010002E
_W_UNSUPPORTED_CARD = 0x80100065
_W_UNRESPONSIVE_CARD = 0x80100066
_W_UNPOWERED_CARD = 0x80100067
_W_RESET_CARD = 0x80100068
_W_REMOVED_CARD = 0x80100069
_STATUS_ABSENT = 0x0002  # SCardStatus dwState bit SCARD_ABSENT (pcsc-lite pcsclite.h)

# The daemon went away: re-establish the context (after a pcscd restart the old context answers
# NO_SERVICE; while it stops, a blocked call gets COMM_ERROR — both seen on pcsc-lite 1.9).
_SERVICE_LOST = frozenset({_E_NO_SERVICE, _E_SERVICE_STOPPED, _F_COMM_ERROR, _E_INVALID_HANDLE})

# After the card is pulled, transmit answers NOT_TRANSACTED until pcscd's next poll notices the
# removal (it polls about every 400 ms, real-stack.md); we look that long before deciding.
REMOVAL_CONFIRM_S = 0.6
REMOVAL_POLL_S = 0.05
# Another client (a desktop agent, an OpenSC probe) may hold the card for a moment: retry an
# exclusive connect that long before reporting the card in use.
CONNECT_BUSY_RETRY_S = 1.0


def _code(hresult: int) -> int:
    return hresult & 0xFFFFFFFF


def error_for_pcsc(code: int, what: str) -> CardError:
    """Typed error for a PC/SC return code."""
    code = _code(code)
    if code in (_W_REMOVED_CARD, _E_NO_SMARTCARD):
        return CardRemoved(f"{what}: no card in the reader", code)
    if code == _W_RESET_CARD:
        return CardReset(f"{what}: card was reset", code)
    if code == _E_SHARING_VIOLATION:
        return CardInUse(f"{what}: card in use by another program", code)
    if code in (_E_READER_UNAVAILABLE, _E_UNKNOWN_READER):
        return ReaderGone(f"{what}: reader unavailable", code)
    if code == _E_NO_READERS_AVAILABLE:
        return NoReader(f"{what}: no reader", code)
    if code in _SERVICE_LOST:
        return ServiceUnavailable(f"{what}: PC/SC service unavailable", code)
    if code == _E_TIMEOUT:
        return CardTimeout(f"{what}: timed out", code)
    if code == _E_CANCELLED:
        return OperationCancelled(f"{what}: cancelled", code)
    if code in (_E_PROTO_MISMATCH, _W_UNSUPPORTED_CARD):
        return UnsupportedCard(f"{what}: card does not speak T=1 (not a My Number card)")
    if code in (_W_UNRESPONSIVE_CARD, _W_UNPOWERED_CARD):
        return CommunicationError(f"{what}: card does not respond (inserted the wrong way?)", code)
    return CommunicationError(f"{what}: PC/SC error", code)


@dataclass(frozen=True)
class ReaderState:
    """One reader's state from ``SCardGetStatusChange``: ``flags`` are SCARD_STATE_* bits, the
    upper 16 bits count events (pcsc-lite)."""

    reader: str
    flags: int
    atr: bytes = b""

    @property
    def present(self) -> bool:
        return bool(self.flags & scard.SCARD_STATE_PRESENT)

    @property
    def mute(self) -> bool:
        return bool(self.flags & scard.SCARD_STATE_MUTE)

    @property
    def changed(self) -> bool:
        return bool(self.flags & scard.SCARD_STATE_CHANGED)

    @property
    def unknown(self) -> bool:
        return bool(self.flags & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE))

    def acknowledged(self) -> ReaderState:
        """The state to pass as "current" in the next wait (CHANGED cleared)."""
        return ReaderState(self.reader, self.flags & ~scard.SCARD_STATE_CHANGED, self.atr)


class PcscContext:
    """A PC/SC context that survives pcscd restarts. Thread-safe; :meth:`cancel` may be called
    from another thread to end a :meth:`get_status_change` wait."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._handle: Any = None

    def _establish(self) -> Any:
        with self._lock:
            if self._handle is None:
                hresult, handle = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
                if _code(hresult) != _S_SUCCESS:
                    raise error_for_pcsc(hresult, "establish context")
                self._handle = handle
            return self._handle

    def release(self) -> None:
        """Release the context (a later call establishes a new one)."""
        with self._lock:
            handle, self._handle = self._handle, None
        if handle is not None:
            scard.SCardReleaseContext(handle)

    def _drop(self, handle: Any) -> None:
        with self._lock:
            if self._handle is handle:
                self._handle = None
        scard.SCardReleaseContext(handle)

    def _call(self, operation: Callable[[Any], tuple[int, T]], what: str) -> T:
        """Run ``operation(handle)``; on a lost service re-establish once and retry."""
        for attempt in (1, 2):
            handle = self._establish()
            hresult, result = operation(handle)
            code = _code(hresult)
            if code == _S_SUCCESS:
                return result
            if code in _SERVICE_LOST and attempt == 1:
                _log.info("PC/SC context lost (0x%08X); establishing a new one", code)
                self._drop(handle)
                continue
            raise error_for_pcsc(code, what)
        raise AssertionError("unreachable")

    def list_readers(self) -> list[str]:
        """Names of the connected readers; empty when there are none."""
        try:
            readers = self._call(lambda h: scard.SCardListReaders(h, []), "list readers")
        except NoReader:
            return []
        return list(readers)

    def connect(self, reader: str, *, exclusive: bool = True) -> PcscConnection:
        """Connect to the card in ``reader`` with T=1, exclusively by default."""
        share = scard.SCARD_SHARE_EXCLUSIVE if exclusive else scard.SCARD_SHARE_SHARED
        deadline = time.monotonic() + CONNECT_BUSY_RETRY_S
        while True:
            try:
                handle, protocol = self._call(
                    lambda h: _connect(h, reader, share), f"connect to {reader!r}"
                )
                break
            except CardInUse:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.05)
            except ReaderGone as exc:
                if reader not in self.list_readers():
                    raise NoReader(f"no reader named {reader!r}", exc.code) from exc
                raise
        return PcscConnection(reader, handle, protocol)

    def get_status_change(
        self, states: Sequence[ReaderState], timeout_ms: int
    ) -> list[ReaderState] | None:
        """Wait until a state differs from ``states`` (None on timeout).

        No automatic re-establishment here: a lost service raises
        :class:`ServiceUnavailable` so that the monitor can report it; call :meth:`release`
        and try again later. A cancelled wait raises :class:`OperationCancelled`.
        """
        handle = self._establish()
        request = [
            (s.reader, s.flags, list(s.atr)) if s.atr else (s.reader, s.flags) for s in states
        ]
        hresult, result = scard.SCardGetStatusChange(handle, timeout_ms, request)
        code = _code(hresult)
        if code == _E_TIMEOUT:
            return None
        if code != _S_SUCCESS:
            if code in _SERVICE_LOST:
                self._drop(handle)
            raise error_for_pcsc(code, "wait for reader status")
        return [ReaderState(name, flags, bytes(atr)) for name, flags, atr in result]

    def cancel(self) -> None:
        """End a :meth:`get_status_change` wait in another thread (``SCardCancel``)."""
        with self._lock:
            handle = self._handle
        if handle is not None:
            scard.SCardCancel(handle)


def _connect(handle: Any, reader: str, share: int) -> tuple[int, tuple[Any, int]]:
    hresult, card, protocol = scard.SCardConnect(handle, reader, share, scard.SCARD_PROTOCOL_T1)
    return hresult, (card, protocol)


class PcscConnection:
    """An exclusive connection to one card: the :class:`~cardio.transport.Transport` of a
    session. Use as a context manager; leaving it powers the card off."""

    def __init__(self, reader: str, handle: Any, protocol: int) -> None:
        self.reader = reader
        self._handle = handle
        self._protocol = protocol
        self._lock = threading.Lock()
        self._dead: CardError | None = None
        self._redactor = TrafficRedactor()
        try:
            self.atr = self._read_atr()
        except CardError:
            scard.SCardDisconnect(handle, scard.SCARD_UNPOWER_CARD)  # do not leak the handle
            raise

    def _read_atr(self) -> bytes:
        hresult, _reader, _state, _protocol, atr = scard.SCardStatus(self._handle)
        if _code(hresult) != _S_SUCCESS:
            raise error_for_pcsc(hresult, "card status")
        return bytes(atr)

    @property
    def alive(self) -> bool:
        """False once the card was removed or the service lost; connect again then."""
        return self._dead is None and self._handle is not None

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        """Send one APDU; return ``(data, sw)``. Raises :class:`CardRemoved`, etc."""
        with self._lock:
            if self._dead is not None:
                raise type(self._dead)(str(self._dead))
            if self._handle is None:
                raise CardRemoved("connection closed")
            tracing = _log.isEnabledFor(TRAFFIC)
            if tracing:
                _log.log(TRAFFIC, "%s %s", self.reader, self._redactor.command(apdu))
            else:
                self._redactor.track(apdu)  # stays right if tracing starts mid-session
            hresult, response = scard.SCardTransmit(self._handle, scard.SCARD_PCI_T1, list(apdu))
            code = _code(hresult)
            if code != _S_SUCCESS:
                error = self._transmit_error(code)
                self._dead = error
                raise error
            if len(response) < 2:
                # vpcd (and some reader drivers) hand back an empty answer when the card goes
                # away in the middle of a command: tell removal from a broken answer.
                error = self._removed_or(MalformedResponse("response shorter than a status word"))
                if isinstance(error, CardRemoved):
                    self._dead = error
                raise error
            data = bytes(response[:-2])
            sw = (response[-2] << 8) | response[-1]
            if tracing:
                _log.log(TRAFFIC, "%s %s", self.reader, self._redactor.response(data, sw))
            return data, sw

    def _transmit_error(self, code: int) -> CardError:
        if code != _E_NOT_TRANSACTED:
            return error_for_pcsc(code, "transmit")
        # NOT_TRANSACTED comes first when the card is pulled (real-stack.md); confirm the
        # removal with the reader's status before calling it one.
        return self._removed_or(CommunicationError("card stopped answering", code))

    def _removed_or(self, otherwise: CardError) -> CardError:
        """CardRemoved if the reader reports the card gone within REMOVAL_CONFIRM_S, else
        ``otherwise`` (or the typed error of a failing status query)."""
        code = otherwise.code if isinstance(otherwise, CommunicationError) else None
        deadline = time.monotonic() + REMOVAL_CONFIRM_S
        while True:
            hresult, _reader, state, _protocol, _atr = scard.SCardStatus(self._handle)
            status = _code(hresult)
            if status in (_W_REMOVED_CARD, _E_NO_SMARTCARD) or (
                status == _S_SUCCESS and state & _STATUS_ABSENT
            ):
                return CardRemoved("card removed during a command", code)
            if status != _S_SUCCESS:
                return error_for_pcsc(status, "transmit")
            if time.monotonic() >= deadline:
                return otherwise
            time.sleep(REMOVAL_POLL_S)

    def close(self, *, unpower: bool = True) -> None:
        """Disconnect; by default power the card off (clears every verified PIN, §2.2)."""
        with self._lock:
            handle, self._handle = self._handle, None
        if handle is None:
            return
        disposition = scard.SCARD_UNPOWER_CARD if unpower else scard.SCARD_LEAVE_CARD
        hresult = scard.SCardDisconnect(handle, disposition)
        if _code(hresult) not in (_S_SUCCESS, _W_REMOVED_CARD, _E_NO_SMARTCARD, _E_NO_SERVICE):
            _log.debug("disconnect returned 0x%08X", _code(hresult))

    def __enter__(self) -> PcscConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_default_context: PcscContext | None = None
_default_lock = threading.Lock()


def default_context() -> PcscContext:
    """The process-wide context used by :func:`list_readers` and :func:`connect`."""
    global _default_context
    with _default_lock:
        if _default_context is None:
            _default_context = PcscContext()
        return _default_context


def list_readers() -> list[str]:
    """Reader names (empty list when none). Raises :class:`ServiceUnavailable` without pcscd."""
    return default_context().list_readers()


def connect(reader: str | None = None, *, exclusive: bool = True) -> PcscConnection:
    """Connect to the card in ``reader`` (default: the first reader with a card present)."""
    context = default_context()
    if reader is None:
        readers = context.list_readers()
        if not readers:
            raise NoReader("no PC/SC reader connected")
        states = context.get_status_change([ReaderState(name, 0) for name in readers], 0)
        with_card = [state.reader for state in states or [] if state.present]
        if not with_card:
            raise CardRemoved("no card in any reader")
        reader = with_card[0]
    return context.connect(reader, exclusive=exclusive)
