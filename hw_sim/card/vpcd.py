"""Serve a virtual card to pcscd through the vsmartcard ``vpcd`` reader driver.

The card is the TCP *client* of vpcd's port (one card per port; the second reader of the
driver listens on port + 1). Wire protocol (real-stack.md): every frame in both directions is a
2-byte big-endian length and the payload. A 1-byte payload from the driver is a control code
(0 power off, 1 power on, 2 warm reset, 4 get ATR — only "get ATR" is answered, with one frame
holding the ATR); any longer payload is a command APDU, answered by one frame with the response
APDU. Closing the socket is a card removal; pcscd notices it within about 0.4 s (its polling).

Latency: vpcd writes the length and the payload in two ``send()`` calls, so Nagle's algorithm
and delayed ACKs stall every APDU by ≈40 ms. ``TCP_NODELAY`` on our socket and ``TCP_QUICKACK``
after every read (Linux clears it again by itself) bring an APDU to ≈0.2 ms (real-stack.md).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable

from hw_sim.card.engine import VirtualCard

_log = logging.getLogger(__name__)

VPCD_DEFAULT_PORT = 35963  # vsmartcard-vpcd's /etc/reader.conf.d/vpcd: 0x8C7B
VPCD_POWER_OFF = 0
VPCD_POWER_ON = 1
VPCD_RESET = 2
VPCD_GET_ATR = 4
RECONNECT_INTERVAL_S = 0.2  # retry while pcscd (vpcd) is not listening, e.g. during a restart
CONNECT_TIMEOUT_S = 2.0
MAX_FRAME = 0xFFFF  # the 2-byte length field
# A card put back into a reader less than this after the previous one left is missed by pcscd
# (seen here: the driver's delayed power-down of the old card hits the new one, and pcscd then
# reports "no card"). Two of pcscd's 0.4 s polling periods plus margin; no hand is faster.
REINSERT_GAP_S = 1.0
# When a card last left each (host, port) in this process, for REINSERT_GAP_S.
_last_left: dict[tuple[str, int], float] = {}
_last_left_lock = threading.Lock()


class VpcdLink:
    """One card inserted in one vpcd reader: a thread that connects to ``host:port`` and
    answers the driver until :meth:`remove` (or until the process ends).

    If vpcd is not listening yet, or pcscd restarts, the link reconnects every
    ``RECONNECT_INTERVAL_S`` — like a card that stays in a reader while the service restarts.
    ``not_before`` (a ``time.monotonic()`` value) holds the first connection back; in any case
    it waits ``REINSERT_GAP_S`` after the last card of this process left the same port.
    ``tcp_tuning=False`` leaves Nagle and delayed ACKs on (only to measure their cost).
    """

    def __init__(
        self,
        card: VirtualCard,
        host: str,
        port: int,
        *,
        on_change: Callable[[], None] | None = None,
        not_before: float = 0.0,
        tcp_tuning: bool = True,
    ) -> None:
        self.card = card
        self._tcp_tuning = tcp_tuning
        self._not_before = not_before
        self.host = host
        self.port = port
        self._on_change = on_change
        self._removed = threading.Event()
        self._sock_lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._connected = threading.Event()
        self.apdus = 0
        self._thread = threading.Thread(target=self._run, name=f"vpcd-card-{port}", daemon=True)

    # -- life cycle ----------------------------------------------------------------------------
    def insert(self) -> None:
        """Start serving (the card goes into the reader)."""
        self._thread.start()

    def remove(self, timeout: float = 5.0) -> None:
        """Pull the card out now, even in the middle of a command: the socket is shut down, the
        pending answer (e.g. of a slow card) is never sent, the card loses power."""
        self._removed.set()
        with self._sock_lock:
            if self._sock is not None:
                with contextlib.suppress(OSError):
                    self._sock.shutdown(socket.SHUT_RDWR)
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    @property
    def connected(self) -> bool:
        """True while vpcd has our connection (pcscd then sees a card in the reader)."""
        return self._connected.is_set()

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    # -- the thread ------------------------------------------------------------------------------
    def _run(self) -> None:
        with _last_left_lock:
            left = _last_left.get((self.host, self.port), -REINSERT_GAP_S)
        wait = max(self._not_before, left + REINSERT_GAP_S) - time.monotonic()
        if wait > 0 and self._removed.wait(wait):
            return
        while not self._removed.is_set():
            try:
                sock = socket.create_connection((self.host, self.port), CONNECT_TIMEOUT_S)
            except OSError:
                self._removed.wait(RECONNECT_INTERVAL_S)
                continue
            sock.settimeout(None)
            if self._tcp_tuning:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._sock_lock:
                if self._removed.is_set():
                    sock.close()
                    break
                self._sock = sock
            self._connected.set()
            self._notify()
            try:
                self._serve(sock)
            except OSError as exc:
                _log.debug("vpcd link on port %d ended: %s", self.port, exc)
            finally:
                with self._sock_lock:
                    self._sock = None
                self._connected.clear()
                sock.close()
                with _last_left_lock:
                    _last_left[(self.host, self.port)] = time.monotonic()
                self.card.power_off()
                self._notify()
            if not self._removed.is_set():
                self._removed.wait(RECONNECT_INTERVAL_S)

    def _notify(self) -> None:
        if self._on_change is not None:
            try:
                self._on_change()
            except Exception:  # a listener's failure must not kill the card
                _log.exception("card dock listener failed")

    def _serve(self, sock: socket.socket) -> None:
        while not self._removed.is_set():
            header = _recv_exact(sock, 2)
            if header is None:
                return  # vpcd closed the connection (pcscd stopped)
            if self._tcp_tuning:
                _quickack(sock)
            length = int.from_bytes(header, "big")
            payload = _recv_exact(sock, length) if length else b""
            if payload is None:
                return
            if self._tcp_tuning:
                _quickack(sock)
            if length == 1:
                self._control(sock, payload[0])
            elif length >= 4:
                answer = self._command(payload)
                if answer is None:
                    return  # removed while answering
                _send_frame(sock, answer)
            else:
                _log.warning("vpcd sent a %d-byte frame; ignored", length)

    def _control(self, sock: socket.socket, code: int) -> None:
        if code == VPCD_POWER_OFF:
            self.card.power_off()
        elif code == VPCD_POWER_ON:
            self.card.power_on()
        elif code == VPCD_RESET:
            self.card.warm_reset()
        elif code == VPCD_GET_ATR:
            _send_frame(sock, self.card.atr)
        else:
            _log.warning("unknown vpcd control code %d", code)

    def _command(self, apdu: bytes) -> bytes | None:
        delay = self.card.profile.response_delay_s
        if delay > 0 and self._removed.wait(delay):
            return None
        if not self.card.powered:
            # pcscd powers the card before any APDU; a stray one gets a cold card, not a crash.
            _log.debug("APDU to an unpowered card on port %d: powering on", self.port)
            self.card.power_on()
        self.apdus += 1
        return self.card.process(apdu)


def _recv_exact(sock: socket.socket, n: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


def _quickack(sock: socket.socket) -> None:
    # Linux only; TCP_QUICKACK is not sticky, so it is set again after every read.
    quickack = getattr(socket, "TCP_QUICKACK", None)
    if quickack is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, quickack, 1)


def _send_frame(sock: socket.socket, payload: bytes) -> None:
    if len(payload) > MAX_FRAME:
        raise ValueError("frame too long for vpcd")
    sock.sendall(len(payload).to_bytes(2, "big") + payload)
