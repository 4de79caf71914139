"""The cash-unit bridge driver: a :class:`FeeAcceptor` that talks to the kiosk vendor's
cash-handling daemon over a Unix socket (docs/payment-bridge.md).

Coin and bill units for Japanese kiosks (change-recycling coin mechanisms, bill validators with
an escrow) speak their makers' protocols (JCM ID-003, MDB through an adapter, vendor serial
protocols) and come with the vendor's own cash-handling software. Rather than one driver per
unit inside the kiosk program, the kiosk speaks one small documented protocol to whatever
daemon drives the unit; ``hw_sim.acceptor_bridge`` is the reference daemon around the simulated
acceptor.

Money rules (architecture.md, "The rules of a transaction"), as this driver keeps them:

- a command is never sent twice: a command not acknowledged in ``ack_timeout_s`` fails
  (:class:`AcceptorError`) and the payment service reports it (a payout: nothing paid, owed by
  staff; anything else: a jam, so the flow stops and refunds);
- a payout acknowledged but whose result does not come (connection lost, or nothing within
  ``payout_timeout_s``) is reported as **nothing paid**, so the journal records the amount as
  owed by staff; a result arriving later for it is logged with its id for reconciliation and
  not counted twice;
- the connection lost while the unit was taking money is reported as a jam (the flow stops
  taking money and refunds); the daemon, by the protocol, stops taking money and gives back a
  bill in the escrow when its client goes away;
- after every (re)connection the driver first sends ``disable``.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.payment.acceptor import AcceptorError, AcceptorListener, AvailabilityListener
from kiosk.payment.bridge_wire import (
    MAX_LINE_BYTES,
    PAYOUT_COMMANDS,
    PROTOCOL_VERSION,
    Ack,
    BridgeProtocolError,
    Hello,
    Nak,
    UnitEvent,
    encode_command,
    parse_message,
)
from kiosk.payment.events import AcceptorEvent, AcceptorJammed, ChangeDispensed, MoneyRefunded

log = logging.getLogger(__name__)

# A daemon answers a command at once (it acknowledges, then acts): 2 s covers a busy machine.
ACK_TIMEOUT_S = 2.0
# A coin hopper pays ~5–10 pieces a second; the largest change (9 999 yen) is ~30 pieces, a
# refund of several bills a few seconds more: 60 s without a result means it is not coming.
PAYOUT_TIMEOUT_S = 60.0
HELLO_TIMEOUT_S = 2.0
RECONNECT_INTERVAL_S = 1.0
_POLL_S = 0.25  # how often the reader looks at payout deadlines and the close flag


@dataclass
class _Command:
    name: str
    amount_yen: int | None
    answered: threading.Event = field(default_factory=threading.Event)
    acked: bool = False
    refusal: str | None = None
    payout_deadline: float | None = None  # monotonic, once acknowledged (payouts only)


class BridgeAcceptor:
    """A fee acceptor behind the cash-unit bridge socket at ``socket_path``."""

    def __init__(
        self,
        socket_path: Path,
        *,
        ack_timeout_s: float = ACK_TIMEOUT_S,
        payout_timeout_s: float = PAYOUT_TIMEOUT_S,
        reconnect_interval_s: float = RECONNECT_INTERVAL_S,
    ) -> None:
        self.socket_path = socket_path
        self._ack_timeout_s = ack_timeout_s
        self._payout_timeout_s = payout_timeout_s
        self._reconnect_interval_s = reconnect_interval_s
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._listener: AcceptorListener | None = None
        self._availability_listener: AvailabilityListener | None = None
        self._sock: socket.socket | None = None
        self._commands: dict[str, _Command] = {}
        self._taking_money = False
        self._buffer = bytearray()
        self.unit: str | None = None  # the daemon's name for its unit, from its hello
        self._connected = threading.Event()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, name="acceptor-bridge", daemon=True)
        self._thread.start()

    # --- FeeAcceptor --------------------------------------------------------------------------

    def set_listener(self, listener: AcceptorListener | None) -> None:
        with self._lock:
            self._listener = listener

    def set_availability_listener(self, listener: AvailabilityListener | None) -> None:
        with self._lock:
            self._availability_listener = listener
            connected = self._connected.is_set()
        if listener is not None:
            listener(connected)

    def enable(self, amount_due_yen: int) -> None:
        if amount_due_yen <= 0:
            raise ValueError("the amount due must be positive")
        self._command("enable", amount_due_yen)
        with self._lock:
            self._taking_money = True

    def disable(self) -> None:
        with self._lock:
            self._taking_money = False
        if not self._connected.is_set():
            return  # the daemon stops taking money by itself when its client goes away
        self._command("disable")

    def accept_escrow(self) -> None:
        self._command("accept_escrow")

    def return_escrow(self) -> None:
        self._command("return_escrow")

    def dispense_change(self, amount_yen: int) -> None:
        self._command("dispense_change", amount_yen)

    def refund(self, amount_yen: int) -> None:
        self._command("refund", amount_yen)

    # --- state --------------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def wait_connected(self, timeout_s: float) -> bool:
        return self._connected.wait(timeout_s)

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=5)

    # --- commands -----------------------------------------------------------------------------

    def _command(self, name: str, amount_yen: int | None = None) -> None:
        if amount_yen is not None and amount_yen < 0:
            raise ValueError("amount must not be negative")
        command_id = uuid.uuid4().hex
        command = _Command(name, amount_yen)
        line = encode_command(command_id, name, amount_yen)
        with self._lock:
            sock = self._sock
            if sock is None or not self._connected.is_set():
                raise AcceptorError(f"{name}: the cash unit is not connected")
            self._commands[command_id] = command
        try:
            with self._send_lock:
                sock.sendall(line)
        except OSError as exc:
            self._forget(command_id)
            raise AcceptorError(f"{name}: {exc}") from exc
        log.info(
            "acceptor %s %s sent (%s)",
            name,
            amount_yen if amount_yen is not None else "",
            command_id,
        )
        if not command.answered.wait(self._ack_timeout_s):
            self._forget(command_id)
            raise AcceptorError(f"{name}: no answer from the cash unit in {self._ack_timeout_s} s")
        if not command.acked:
            self._forget(command_id)
            raise AcceptorError(f"{name}: refused by the cash unit ({command.refusal})")
        if name not in PAYOUT_COMMANDS:
            self._forget(command_id)

    def _forget(self, command_id: str) -> None:
        with self._lock:
            self._commands.pop(command_id, None)

    # --- the reader thread --------------------------------------------------------------------

    def _run(self) -> None:
        while not self._closed.is_set():
            try:
                sock, hello = self._connect()
            except (OSError, BridgeProtocolError) as exc:
                log.debug("cash unit bridge not reachable: %s", exc)
                self._closed.wait(self._reconnect_interval_s)
                continue
            try:
                self._established(sock, hello)
                self._read(sock)
            except (OSError, BridgeProtocolError) as exc:
                log.error("cash unit bridge connection lost: %s", exc)
            finally:
                self._disconnected(sock)
            self._closed.wait(self._reconnect_interval_s)

    def _connect(self) -> tuple[socket.socket, Hello]:
        """A connection and the daemon's hello (anything sent after it stays in the buffer)."""
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(HELLO_TIMEOUT_S)
            sock.connect(str(self.socket_path))
            self._buffer = bytearray()
            while (end := self._buffer.find(b"\n")) < 0:
                if len(self._buffer) > MAX_LINE_BYTES:
                    raise BridgeProtocolError("hello too long")
                chunk = sock.recv(4096)
                if not chunk:
                    raise OSError("closed before its hello")
                self._buffer.extend(chunk)
            hello = parse_message(bytes(self._buffer[:end]))
            del self._buffer[: end + 1]
            if not isinstance(hello, Hello) or hello.protocol != PROTOCOL_VERSION:
                raise BridgeProtocolError(f"expected hello with protocol {PROTOCOL_VERSION}")
            sock.settimeout(_POLL_S)
        except BaseException:
            sock.close()
            raise
        return sock, hello

    def _established(self, sock: socket.socket, hello: Hello) -> None:
        with self._lock:
            self._sock = sock
            self.unit = hello.unit
        self._connected.set()
        log.info("cash unit bridge connected: %s", hello.unit)
        self._tell_availability(True)
        # Whatever the unit was doing for an earlier connection, it takes no money now.
        with self._send_lock:
            sock.sendall(encode_command(uuid.uuid4().hex, "disable"))

    def _read(self, sock: socket.socket) -> None:
        self._handle_buffered()  # what came in right behind the hello
        while not self._closed.is_set():
            self._check_payout_deadlines()
            try:
                chunk = sock.recv(4096)
            except TimeoutError:
                continue
            if not chunk:
                raise OSError("the cash unit daemon closed the connection")
            self._buffer.extend(chunk)
            self._handle_buffered()

    def _handle_buffered(self) -> None:
        while (end := self._buffer.find(b"\n")) >= 0:
            line = bytes(self._buffer[:end])
            del self._buffer[: end + 1]
            self._handle_line(line)
        if len(self._buffer) > MAX_LINE_BYTES:
            raise BridgeProtocolError("line too long: framing lost")

    def _handle_line(self, line: bytes) -> None:
        try:
            message = parse_message(line)
        except BridgeProtocolError as exc:
            # One bad line is dropped; a payout whose result it was times out as unpaid.
            log.error("cash unit bridge: malformed line ignored (%s)", exc)
            return
        match message:
            case Ack(command_id=command_id) | Nak(command_id=command_id):
                self._answered(command_id, message)
            case UnitEvent(event=event, command_id=command_id):
                if command_id is None:
                    self._deliver(event)
                else:
                    self._payout_result(command_id, event)
            case Hello():
                log.error("cash unit bridge: a second hello ignored")

    def _answered(self, command_id: str, message: Ack | Nak) -> None:
        with self._lock:
            command = self._commands.get(command_id)
            if command is None or command.answered.is_set():
                return  # the disable sent on connecting, or an answer after the timeout
            if isinstance(message, Ack):
                command.acked = True
                if command.name in PAYOUT_COMMANDS:
                    command.payout_deadline = time.monotonic() + self._payout_timeout_s
            else:
                command.refusal = message.reason
            command.answered.set()

    def _payout_result(self, command_id: str, event: AcceptorEvent) -> None:
        with self._lock:
            command = self._commands.get(command_id)
            if command is not None and command.acked and command.payout_deadline is not None:
                del self._commands[command_id]
            else:
                command = None
        if command is None:
            log.error(
                "cash unit bridge: result %r for command %s not counted (already settled as "
                "unpaid, or unknown): reconcile with the unit's log",
                event,
                command_id,
            )
            return
        self._deliver(event)

    def _check_payout_deadlines(self) -> None:
        now = time.monotonic()
        with self._lock:
            late = [
                (command_id, command)
                for command_id, command in self._commands.items()
                if command.payout_deadline is not None and command.payout_deadline <= now
            ]
            for command_id, _ in late:
                del self._commands[command_id]
        for command_id, command in late:
            log.error(
                "cash unit bridge: no result for %s %s: counted as unpaid", command.name, command_id
            )
            self._deliver(_unpaid(command))

    def _disconnected(self, sock: socket.socket) -> None:
        self._connected.clear()
        sock.close()
        with self._lock:
            self._sock = None
            unanswered = [c for c in self._commands.values() if not c.answered.is_set()]
            running = [c for c in self._commands.values() if c.payout_deadline is not None]
            self._commands.clear()
            was_taking_money = self._taking_money
            self._taking_money = False
        for command in unanswered:  # their callers raise AcceptorError and report them
            command.refusal = "connection lost"
            command.answered.set()
        for command in running:
            self._deliver(_unpaid(command))
        if was_taking_money:
            self._deliver(AcceptorJammed())
        self._tell_availability(False)

    def _tell_availability(self, available: bool) -> None:
        with self._lock:
            listener = self._availability_listener
        if listener is None:
            return
        try:
            listener(available)
        except Exception:
            log.exception("availability listener failed")

    def _deliver(self, event: AcceptorEvent) -> None:
        with self._lock:
            listener = self._listener
        if listener is None:
            return
        try:
            listener(event)
        except Exception:  # a faulty listener must not stop the reader
            log.exception("acceptor listener failed on %r", event)


def _unpaid(command: _Command) -> AcceptorEvent:
    asked = command.amount_yen or 0
    if command.name == "dispense_change":
        return ChangeDispensed(asked, 0)
    return MoneyRefunded(asked, 0)


__all__ = ["BridgeAcceptor"]
