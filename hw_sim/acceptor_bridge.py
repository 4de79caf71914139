"""The reference cash-unit bridge daemon: the simulated acceptor behind the bridge protocol's
Unix socket (docs/payment-bridge.md). Tests run it against ``kiosk.payment.bridge``; a vendor
can run it beside their own daemon to compare transcripts.

    python -m hw_sim.acceptor_bridge --socket /tmp/acceptor.sock
    python -m hw_sim.acceptor_bridge --socket /run/konbini-cash/acceptor.sock --daemon

reads resident and staff actions on stdin (``insert 1000``, ``counterfeit``, ``take``, ``jam``,
``clear``, ``drop``, ``quit``). One client at a time; when it goes away the unit stops taking
money and gives back a bill in the escrow, as the protocol requires. Faults for tests:
``drop_client``, ``ignore_commands``, ``nak_commands``, ``withhold_results``, ``send_raw``.

Started by systemd through konbini-kiosk-cash.socket (socket activation, sd_listen_fds(3):
``LISTEN_FDS=1`` for this process) it serves the socket it is given instead of making one;
``--daemon`` serves without a console until SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import socket
import sys
import threading
from collections import deque
from pathlib import Path

from hw_sim.acceptor import SimulatedAcceptor
from kiosk.payment import AcceptorEvent, ChangeDispensed, MoneyRefunded
from kiosk.payment.bridge_wire import (
    COMMANDS,
    COMMANDS_WITH_AMOUNT,
    MAX_LINE_BYTES,
    PROTOCOL_VERSION,
    Ack,
    Hello,
    Message,
    Nak,
    UnitEvent,
    encode_message,
)

log = logging.getLogger(__name__)


class AcceptorBridgeServer:
    """Serves ``acceptor`` on ``socket_path`` until :meth:`close`."""

    def __init__(
        self,
        acceptor: SimulatedAcceptor,
        socket_path: Path,
        unit: str = "simulated acceptor",
        listener: socket.socket | None = None,
    ) -> None:
        self.acceptor = acceptor
        self.socket_path = socket_path
        self.unit = unit
        self.ignore_commands = False  # fault: never answer (a hung daemon)
        self.nak_commands: str | None = None  # fault: refuse every command with this reason
        self.withhold_results = False  # fault: acknowledge payouts but never report them
        self.commands: list[dict[str, object]] = []  # every command received, in order
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()  # lines from two threads must not interleave
        self._client: socket.socket | None = None
        self._payout_ids: deque[str] = deque()
        self._connected = threading.Condition(self._lock)
        self._owns_path = listener is None  # systemd's socket is systemd's to remove
        if listener is not None:
            self._server = listener
        else:
            self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            with contextlib.suppress(FileNotFoundError):
                socket_path.unlink()
            self._server.bind(str(socket_path))
            os.chmod(socket_path, 0o600)  # only the kiosk's user may command the cash unit
            self._server.listen(1)
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="bridge-server", daemon=True)
        self._thread.start()

    # --- test controls ------------------------------------------------------------------------

    def wait_client(self, timeout_s: float = 5.0) -> bool:
        with self._connected:
            return self._connected.wait_for(lambda: self._client is not None, timeout_s)

    def drop_client(self) -> None:
        """The daemon crashes or the socket breaks: the connection ends now."""
        with self._lock:
            client = self._client
        if client is not None:
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)

    def send_raw(self, data: bytes) -> None:
        with self._lock:
            client = self._client
        if client is not None:
            client.sendall(data)

    def close(self) -> None:
        self._closed.set()
        self.drop_client()
        with contextlib.suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)
        self._server.close()
        self._thread.join(timeout=5)
        if self._owns_path:
            with contextlib.suppress(FileNotFoundError):
                self.socket_path.unlink()

    # --- serving ------------------------------------------------------------------------------

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            with self._connected:
                self._client = client
                self._payout_ids.clear()
                self._connected.notify_all()
            self.acceptor.set_listener(self._on_event)
            try:
                self._send(Hello(PROTOCOL_VERSION, self.unit))
                self._talk(client)
            except OSError as exc:
                log.info("bridge client gone: %s", exc)
            finally:
                self.acceptor.set_listener(None)
                self.acceptor.disable()  # stops taking money, gives back the escrow
                with self._lock:
                    self._client = None
                client.close()

    def _talk(self, client: socket.socket) -> None:
        reader = client.makefile("rb")
        while True:
            line = reader.readline(MAX_LINE_BYTES + 1)
            if not line:
                return
            self._command(line)

    def _command(self, line: bytes) -> None:
        try:
            body = json.loads(line)
            command_id, name = str(body["id"]), body["command"]
            amount = body.get("amount_yen")
            if body.get("type") != "command" or name not in COMMANDS:
                raise ValueError(f"not a command: {name!r}")
            if (name in COMMANDS_WITH_AMOUNT) != isinstance(amount, int):
                raise ValueError("amount_yen")
        except (ValueError, KeyError, TypeError) as exc:
            log.error("bridge: bad command line %r: %s", line[:80], exc)
            return
        self.commands.append(body)
        if self.ignore_commands:
            return
        if self.nak_commands is not None:
            self._send(Nak(command_id, self.nak_commands))
            return
        if name in ("dispense_change", "refund"):
            with self._lock:
                self._payout_ids.append(command_id)
        self._send(Ack(command_id))
        acceptor = self.acceptor
        match name:
            case "enable":
                acceptor.enable(amount)
            case "disable":
                acceptor.disable()
            case "accept_escrow":
                acceptor.accept_escrow()
            case "return_escrow":
                acceptor.return_escrow()
            case "dispense_change":
                acceptor.dispense_change(amount)
            case "refund":
                acceptor.refund(amount)

    def _on_event(self, event: AcceptorEvent) -> None:
        command_id = None
        if isinstance(event, ChangeDispensed | MoneyRefunded):
            with self._lock:
                command_id = self._payout_ids.popleft() if self._payout_ids else "unknown"
            if self.withhold_results:
                return
        with contextlib.suppress(OSError):
            self._send(UnitEvent(event, command_id))

    def _send(self, message: Message) -> None:
        with self._lock:
            client = self._client
        if client is not None:
            with self._send_lock:
                client.sendall(encode_message(message))


# sd_listen_fds(3): passed sockets start at this descriptor.
SD_LISTEN_FDS_START = 3


def activation_socket() -> socket.socket | None:
    """The listening socket systemd passed to this process (socket activation), if any."""
    if os.environ.get("LISTEN_PID") != str(os.getpid()) or os.environ.get("LISTEN_FDS") != "1":
        return None
    for name in ("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"):
        os.environ.pop(name, None)
    return socket.socket(fileno=SD_LISTEN_FDS_START)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--socket", type=Path, required=True)
    parser.add_argument("--daemon", action="store_true", help="no console: serve until SIGTERM")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    acceptor = SimulatedAcceptor()
    listener = activation_socket()
    how = "the socket systemd passed" if listener is not None else "its own socket"
    # Said before the first client can be served (a test reads it once the hello arrived).
    print(f"serving the simulated acceptor on {args.socket} ({how})", flush=True)
    server = AcceptorBridgeServer(acceptor, args.socket, listener=listener)
    if args.daemon:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            while not stop.wait(1.0):
                pass
        finally:
            server.close()
            acceptor.close()
        return 0
    try:
        for line in sys.stdin:
            action, *rest = line.split() or [""]
            match action:
                case "insert" if rest and rest[0].isdigit():
                    acceptor.insert(int(rest[0]))
                case "counterfeit":
                    acceptor.insert_counterfeit()
                case "take":
                    print("tray:", acceptor.take_tray(), flush=True)
                case "jam":
                    acceptor.jam()
                case "clear":
                    acceptor.clear_jam()
                case "drop":
                    server.drop_client()
                case "quit":
                    break
                case "":
                    continue
                case _:
                    print(f"unknown: {line.strip()!r}", flush=True)
    finally:
        server.close()
        acceptor.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
