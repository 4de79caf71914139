"""The ``pcsc`` backend of the driver suite: the persona's virtual card inserted into the
private pcscd's vpcd slot, reached through :mod:`cardio.pcsc` like a real reader.

Cards are inserted with ``hw_sim.card.CardDock`` when it exists; until then a minimal vpcd
relay in this file serves the same ``VirtualCard`` (the vpcd wire protocol of real-stack.md).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cardio.errors import CardRemoved, ServiceUnavailable
from cardio.pcsc import PcscConnection, PcscContext, ReaderState
from hw_sim.card import VirtualCard, build_card
from hw_sim.pki import JpkiTestPki
from hw_sim.stack import PrivatePcscd
from hw_sim.stack.pcscd import VPCD_READER_NAMES

READER = VPCD_READER_NAMES[0]
PRESENCE_TIMEOUT_S = 5.0  # pcscd polls vpcd about every 400 ms (real-stack.md); generous


class VpcdRelay:
    """Serves one VirtualCard to vpcd: the card is the TCP client (real-stack.md)."""

    def __init__(self, card: VirtualCard, port: int) -> None:
        self.card = card
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._thread = threading.Thread(target=self._serve, daemon=True, name="vpcd-relay")
        self._thread.start()

    def _read(self, count: int) -> bytes:
        data = b""
        while len(data) < count:
            chunk = self.sock.recv(count - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def _send(self, payload: bytes) -> None:
        self.sock.sendall(struct.pack(">H", len(payload)) + payload)

    def _serve(self) -> None:
        with contextlib.suppress(EOFError, OSError):
            while True:
                (length,) = struct.unpack(">H", self._read(2))
                # Without QUICKACK every APDU stalls ~40 ms on delayed ACK (real-stack.md).
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
                payload = self._read(length)
                if length == 1:
                    code = payload[0]
                    if code == 0:
                        self.card.power_off()
                    elif code == 1:
                        self.card.power_on()
                    elif code == 2:
                        self.card.warm_reset()
                    elif code == 4:  # pcscd's presence poll: answer, change nothing
                        self._send(self.card.atr)
                    continue
                delay = self.card.profile.response_delay_s  # the "slow" persona
                if delay > 0:
                    time.sleep(delay)
                self._send(self.card.process(payload))

    def remove(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self._thread.join(2)


def wait_for_card(context: PcscContext, present: bool, timeout: float = PRESENCE_TIMEOUT_S) -> None:
    """Block until pcscd reports the card present (or absent) in the first vpcd slot."""
    deadline = time.monotonic() + timeout
    state = ReaderState(READER, 0)
    while time.monotonic() < deadline:
        try:
            result = context.get_status_change([state], int((deadline - time.monotonic()) * 1000))
        except ServiceUnavailable:  # a stale context after a pcscd restart: dropped, retry
            time.sleep(0.05)
            continue
        if not result:
            break
        state = result[0].acknowledged()
        if state.present == present and not state.mute:
            return
    raise TimeoutError(f"card {'never appeared' if present else 'never left'} in {READER}")


class PcscCards:
    """Opens persona cards through pcscd + vpcd (``cards.open(persona)``)."""

    backend = "pcsc"

    def __init__(self, pki: JpkiTestPki, pcscd: PrivatePcscd, tmp_path: Path) -> None:
        self.pki = pki
        self.pcscd = pcscd
        self.context = PcscContext()
        self._cards: dict[str, VirtualCard] = {}
        self._relay: VpcdRelay | None = None
        wait_for_card(self.context, present=False)

    def card(self, persona: str) -> VirtualCard:
        if persona not in self._cards:
            self._cards[persona] = build_card(persona, self.pki)
        return self._cards[persona]

    def insert(self, persona: str) -> None:
        self._relay = VpcdRelay(self.card(persona), self.pcscd.vpcd_ports[0])
        wait_for_card(self.context, present=True)

    def remove(self) -> None:
        if self._relay is not None:
            self._relay.remove()
            self._relay = None
            wait_for_card(self.context, present=False)

    def connect(self) -> PcscConnection:
        deadline = time.monotonic() + PRESENCE_TIMEOUT_S
        while True:
            try:
                return self.context.connect(READER)
            except CardRemoved:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    @contextmanager
    def open(self, persona: str) -> Iterator[PcscConnection]:
        self.insert(persona)
        try:
            with self.connect() as connection:
                yield connection
        finally:
            self.remove()

    def close(self) -> None:
        self.remove()
        self.context.release()
