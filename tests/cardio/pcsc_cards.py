"""The ``pcsc`` backend of the driver suite: the persona's virtual card put into the private
pcscd's first vpcd slot by ``hw_sim.card.CardDock``, reached through :mod:`cardio.pcsc` like a
card in a real reader."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cardio.errors import CardRemoved, ServiceUnavailable
from cardio.pcsc import PcscConnection, PcscContext, ReaderState
from hw_sim.card import CardProfile
from hw_sim.card.dock import CardDock
from hw_sim.personas import get_persona
from hw_sim.pki import JpkiTestPki
from hw_sim.stack import PrivatePcscd
from hw_sim.stack.pcscd import VPCD_READER_NAMES

READER = VPCD_READER_NAMES[0]
SLOT = 0
PRESENCE_TIMEOUT_S = 5.0  # pcscd polls vpcd about every 400 ms (real-stack.md); generous


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


def persona_atr(persona: str) -> bytes:
    return CardProfile.for_persona(get_persona(persona)).atr


class PcscCards:
    """Opens persona cards through pcscd + vpcd (``cards.open(persona)``). PIN counters live in
    ``tmp_path`` and persist across insertions within one test, as on a real card."""

    backend = "pcsc"

    def __init__(self, pki: JpkiTestPki, pcscd: PrivatePcscd, tmp_path: Path) -> None:
        self.pcscd = pcscd
        self.dock = CardDock(
            port=pcscd.vpcd_ports[0], state_dir=tmp_path / "cards", pki_dir=pki.folder
        )
        self.context = PcscContext()
        wait_for_card(self.context, present=False)

    def insert(
        self, persona: str, *, delay_s: float | None = None, fault: str | None = None
    ) -> None:
        self.dock.insert(SLOT, persona, delay_s=delay_s, fault=fault)
        wait_for_card(self.context, present=True)

    def remove(self) -> None:
        if self.dock.slot_status(SLOT).persona is not None:
            self.dock.remove(SLOT)
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
    def open(self, persona: str, *, fault: str | None = None) -> Iterator[PcscConnection]:
        self.insert(persona, fault=fault)
        try:
            with self.connect() as connection:
                yield connection
        finally:
            self.remove()

    def close(self) -> None:
        self.dock.close()
        try:
            wait_for_card(self.context, present=False)
        finally:
            self.context.release()
