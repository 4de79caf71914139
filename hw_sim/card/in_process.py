"""The in-process card reader: one slot inside this process, no pcscd.

The one in-process reader of the project. The developer profile's ``simulators.card =
"in_process"`` uses it (kiosk/app/developer.py adapts it to the card service's connector and
reader monitor), and so do the tests that drive the card service or the driver without pcscd.
It has the card dock's interface (:class:`~hw_sim.card.dock.CardDock`: ``insert``, ``remove``,
``status`` …, with a single slot 0), so the dev dock panel and the scripted demo work the same
on either; :meth:`InProcessReader.connect` powers the card on and returns its
:class:`~hw_sim.card.transport.InProcessTransport`. Removing the card powers it off: a
connection in use then raises :class:`~hw_sim.card.transport.CardRemovedError`, as a reader
whose card was pulled out.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from hw_sim.card.dock import DEFAULT_VAR, DockError, SlotStatus, find_persona, make_card
from hw_sim.card.engine import VirtualCard
from hw_sim.card.hostile import HostileFault
from hw_sim.card.profile import CardProfile
from hw_sim.card.state import CardStateStore
from hw_sim.card.transport import CardRemovedError, InProcessTransport
from hw_sim.pki import JpkiTestPki

_log = logging.getLogger(__name__)

IN_PROCESS_READER = "In-process virtual reader"
PresenceListener = Callable[[bool], None]  # True: a card was inserted; False: removed


class InProcessReader:
    """One reader slot in this process (see the module docstring). Thread-safe.

    ``state_dir`` keeps each card's PIN counters and ``pki_dir`` the test PKI, as for the dock;
    ``on_change`` is called after every insertion and removal (a dock panel refreshes).
    """

    name = IN_PROCESS_READER

    def __init__(
        self,
        state_dir: Path | str | None = None,
        pki_dir: Path | str | None = None,
        *,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.store = CardStateStore(state_dir if state_dir is not None else DEFAULT_VAR / "cards")
        self.pki = JpkiTestPki.load_or_create(
            pki_dir if pki_dir is not None else DEFAULT_VAR / "pki"
        )
        self._on_change = on_change
        self._presence: PresenceListener | None = None
        self._lock = threading.Lock()
        self._persona: str | None = None
        self._card: VirtualCard | None = None
        self._transport: InProcessTransport | None = None
        self._apdus = 0  # commands sent to the card in the slot on earlier connections

    # -- the reader's side -------------------------------------------------------------------------
    def watch(self, listener: PresenceListener | None) -> None:
        """Tell ``listener`` of every insertion and removal from now on (None: stop)."""
        self._presence = listener

    def connect(self) -> InProcessTransport:
        """Power the card on (a cold reset) and return its connection; raises
        :class:`CardRemovedError` when the slot is empty."""
        with self._lock:
            if self._card is None:
                raise CardRemovedError("no card in the in-process reader")
            if self._transport is not None:
                self._transport.close()  # one connection at a time, as an exclusive reader
                self._apdus += self._transport.apdus
            self._transport = InProcessTransport(self._card)
            return self._transport

    @property
    def card(self) -> VirtualCard | None:
        """The card in the slot (tests look at its state: powered, PIN counters)."""
        return self._card

    # -- the dock's interface ----------------------------------------------------------------------
    def insert(
        self,
        slot: int,
        persona_id: str,
        *,
        delay_s: float | None = None,
        profile: CardProfile | None = None,
        fault: HostileFault | str | None = None,
    ) -> SlotStatus:
        """Put the persona's card into the slot (``delay_s``, ``profile``, ``fault``: as the
        dock's)."""
        _check_slot(slot)
        persona = find_persona(persona_id)
        with self._lock:
            if self._persona is not None:
                raise DockError(f"slot 0 holds {self._persona}: remove it first")
            self._card = make_card(
                persona, self.pki, self.store, delay_s=delay_s, profile=profile, fault=fault
            )
            self._persona = persona.id
            self._apdus = 0
        _log.info("card inserted in the in-process reader")
        self._changed(True)
        return self.slot_status(slot)

    def remove(self, slot: int = 0) -> SlotStatus:
        """Pull the card out (no-op when empty), even mid-command: it is powered off."""
        _check_slot(slot)
        with self._lock:
            transport, self._transport = self._transport, None
            had_card = self._card is not None
            self._card = None
            self._persona = None
        if transport is not None:
            transport.close()
        if had_card:
            _log.info("card removed from the in-process reader")
            self._changed(False)
        return self.slot_status(slot)

    def wait_connected(self, slot: int, timeout: float = 5.0) -> bool:
        """A card in this reader is seen at once (there is no vpcd to wait for)."""
        _check_slot(slot)
        return self._card is not None

    def slot_status(self, slot: int = 0) -> SlotStatus:
        _check_slot(slot)
        with self._lock:
            card, persona, transport = self._card, self._persona, self._transport
            apdus = self._apdus + (transport.apdus if transport is not None else 0)
        if card is None:
            return SlotStatus(slot, 0, None, False, False, 0)
        return SlotStatus(slot, 0, persona, True, card.powered, apdus)

    def status(self) -> list[SlotStatus]:
        """The one slot."""
        return [self.slot_status(0)]

    def reset_card(self, persona_id: str) -> None:
        """Restore a card's PIN counters to the issued state; refused while it is inserted."""
        persona = find_persona(persona_id)
        with self._lock:
            if self._persona == persona.id:
                raise DockError(f"{persona.id}'s card is inserted: remove it first")
            self.store.reset(persona.id)

    def close(self) -> None:
        """Remove the card."""
        self.remove(0)

    def __enter__(self) -> InProcessReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _changed(self, present: bool) -> None:
        if self._on_change is not None:
            self._on_change()
        listener = self._presence
        if listener is not None:
            listener(present)


def _check_slot(slot: int) -> None:
    if slot != 0:
        raise DockError(f"slot {slot} does not exist (the in-process reader has slot 0)")


__all__ = ["IN_PROCESS_READER", "InProcessReader", "PresenceListener"]
