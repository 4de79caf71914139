"""The card dock: puts personas' virtual cards into the two vpcd readers and pulls them out,
at any moment. Used in-process by tests and the kiosk's developer dock panel, and by the
``python -m hw_sim.card serve`` process behind its control socket."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from hw_sim.card.engine import VirtualCard
from hw_sim.card.factory import build_card
from hw_sim.card.hostile import HostileFault
from hw_sim.card.profile import CardProfile
from hw_sim.card.state import CardStateStore
from hw_sim.card.vpcd import VPCD_DEFAULT_PORT, VpcdLink
from hw_sim.personas import Persona, get_persona
from hw_sim.pki import JpkiTestPki

_log = logging.getLogger(__name__)

SLOTS = 2  # vpcd opens two readers: port and port + 1 (real-stack.md)
# The developer profile's runtime folder (docs/architecture.md "Runtime folders"): var/ in the
# checkout, or KIOSK_VAR_DIR. Tests always pass their own folders.
DEFAULT_VAR = Path(os.environ.get("KIOSK_VAR_DIR", Path(__file__).resolve().parents[2] / "var"))


class DockError(Exception):
    """A dock request that cannot be done (bad slot, unknown persona, slot taken …)."""


@dataclass(frozen=True)
class SlotStatus:
    """What is in one reader slot. ``connected``: vpcd has the card (pcscd sees it)."""

    slot: int
    port: int
    persona: str | None
    connected: bool
    powered: bool
    apdus: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


STAFF_CARD = "staff-card"  # what a slot holding a staff card says instead of a persona


def find_persona(persona_id: str) -> Persona:
    """The persona, or :class:`DockError` naming what is unknown."""
    try:
        return get_persona(persona_id)
    except KeyError as exc:
        raise DockError(str(exc.args[0])) from None


def make_card(
    persona: Persona,
    pki: JpkiTestPki,
    store: CardStateStore,
    *,
    delay_s: float | None = None,
    profile: CardProfile | None = None,
    fault: HostileFault | str | None = None,
) -> VirtualCard:
    """The persona's card as a dock inserts it: ``delay_s`` overrides the answer delay (the
    ``slow`` persona's default is 0.15 s), ``profile`` replaces the whole card profile,
    ``fault`` makes it a hostile card (hw_sim/card/hostile.py)."""
    if delay_s is not None and not 0 <= delay_s <= 60:
        raise DockError("delay must be between 0 and 60 seconds")
    try:
        hostile = HostileFault(fault) if fault is not None else None
    except ValueError:
        known = ", ".join(f.value for f in HostileFault)
        raise DockError(f"unknown fault {fault!r} (one of {known})") from None
    card_profile = profile or CardProfile.for_persona(persona)
    if hostile is not None:
        card_profile = card_profile.with_fault(hostile)
    if delay_s is not None:
        card_profile = card_profile.with_options(response_delay_s=delay_s)
    return build_card(persona, pki, store, card_profile)


@dataclass
class _Inserted:
    persona: str
    link: VpcdLink


class CardDock:
    """Holds the vpcd slots of one pcscd: ``port`` is slot 0, ``port + 1`` slot 1.

    ``state_dir`` keeps each card's PIN counters (one JSON per card; default ``var/cards``),
    ``pki_dir`` the test PKI (made on first use; default ``var/pki``). A persona's card can be
    in one slot at a time (it is one card). ``on_change`` is called (from a card thread) when a
    card is inserted, taken by vpcd, or removed — for a dock panel to refresh.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = VPCD_DEFAULT_PORT,
        state_dir: Path | str | None = None,
        pki_dir: Path | str | None = None,
        *,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.store = CardStateStore(state_dir if state_dir is not None else DEFAULT_VAR / "cards")
        self.pki = JpkiTestPki.load_or_create(
            pki_dir if pki_dir is not None else DEFAULT_VAR / "pki"
        )
        self._on_change = on_change
        self._lock = threading.Lock()
        self._slots: dict[int, _Inserted] = {}

    def _check_slot(self, slot: int) -> None:
        if not 0 <= slot < SLOTS:
            raise DockError(f"slot {slot} does not exist (0 or 1)")

    def insert(
        self,
        slot: int,
        persona_id: str,
        *,
        delay_s: float | None = None,
        profile: CardProfile | None = None,
        fault: HostileFault | str | None = None,
    ) -> SlotStatus:
        """Put the persona's card into ``slot``. ``delay_s`` overrides the answer delay (the
        ``slow`` persona's default is 0.15 s); ``profile`` replaces the whole card profile;
        ``fault`` makes it a hostile card (hw_sim/card/hostile.py)."""
        self._check_slot(slot)
        persona = find_persona(persona_id)
        with self._lock:
            if slot in self._slots:
                raise DockError(f"slot {slot} holds {self._slots[slot].persona}: remove it first")
            for other, inserted in self._slots.items():
                if inserted.persona == persona.id:
                    raise DockError(f"{persona.id}'s card is already in slot {other}")
            card = make_card(
                persona, self.pki, self.store, delay_s=delay_s, profile=profile, fault=fault
            )
            # A card inserted right after a removal waits for pcscd to have let go of the old
            # one (vpcd.REINSERT_GAP_S); insert() itself returns at once.
            link = VpcdLink(card, self.host, self.port + slot, on_change=self._on_change)
            self._slots[slot] = _Inserted(persona.id, link)
            link.insert()
        _log.info("card inserted in slot %d", slot)
        return self.slot_status(slot)

    def insert_staff_card(self, slot: int, card_id: bytes | None = None) -> SlotStatus:
        """Put a staff card (hw_sim/card/staff.py) into ``slot``: its reader id is ``card_id``
        (default: the developer profile's staff card)."""
        from hw_sim.card.staff import DEVELOPER_STAFF_CARD_ID, StaffCard

        self._check_slot(slot)
        card = StaffCard(card_id if card_id is not None else DEVELOPER_STAFF_CARD_ID)
        with self._lock:
            if slot in self._slots:
                raise DockError(f"slot {slot} holds {self._slots[slot].persona}: remove it first")
            link = VpcdLink(card, self.host, self.port + slot, on_change=self._on_change)  # type: ignore[arg-type]
            self._slots[slot] = _Inserted(STAFF_CARD, link)
            link.insert()
        _log.info("staff card inserted in slot %d", slot)
        return self.slot_status(slot)

    def remove(self, slot: int) -> SlotStatus:
        """Pull the card out of ``slot`` (no-op when empty), even mid-command."""
        self._check_slot(slot)
        with self._lock:
            inserted = self._slots.pop(slot, None)
        if inserted is not None:
            inserted.link.remove()
            _log.info("card removed from slot %d", slot)
            if self._on_change is not None:
                self._on_change()
        return self.slot_status(slot)

    def wait_connected(self, slot: int, timeout: float = 5.0) -> bool:
        """Wait until vpcd has taken the card in ``slot``."""
        with self._lock:
            inserted = self._slots.get(slot)
        return inserted is not None and inserted.link.wait_connected(timeout)

    def slot_status(self, slot: int) -> SlotStatus:
        with self._lock:
            inserted = self._slots.get(slot)
        if inserted is None:
            return SlotStatus(slot, self.port + slot, None, False, False, 0)
        link = inserted.link
        return SlotStatus(
            slot, self.port + slot, inserted.persona, link.connected, link.card.powered, link.apdus
        )

    def status(self) -> list[SlotStatus]:
        """Both slots."""
        return [self.slot_status(slot) for slot in range(SLOTS)]

    def reset_card(self, persona_id: str) -> None:
        """Restore a card's PIN counters and PINs to the issued state (as the municipal office
        does); refused while the card is inserted."""
        persona = find_persona(persona_id)
        with self._lock:
            if any(i.persona == persona.id for i in self._slots.values()):
                raise DockError(f"{persona.id}'s card is inserted: remove it first")
            self.store.reset(persona.id)

    def close(self) -> None:
        """Remove every card."""
        for slot in range(SLOTS):
            self.remove(slot)

    def __enter__(self) -> CardDock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
