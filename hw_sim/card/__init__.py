"""The virtual My Number card (jpki-card.md, APDU for APDU), served in-process (a reader slot in
this process, :class:`InProcessReader`, whose connection is an :class:`InProcessTransport`) or
as a real card in pcscd through the vpcd reader (:class:`CardDock`, ``python -m hw_sim.card``).
See docs/virtual-card.md."""

from hw_sim.card.dock import CardDock, DockError, SlotStatus
from hw_sim.card.engine import VirtualCard
from hw_sim.card.factory import build_card, card_serial
from hw_sim.card.hostile import HostileFault
from hw_sim.card.in_process import IN_PROCESS_READER, InProcessReader
from hw_sim.card.profile import ATRS, CardProfile
from hw_sim.card.state import CardState, CardStateStore
from hw_sim.card.transport import CardRemovedError, InProcessTransport
from hw_sim.card.vpcd import VPCD_DEFAULT_PORT, VpcdLink

__all__ = [
    "ATRS",
    "IN_PROCESS_READER",
    "VPCD_DEFAULT_PORT",
    "CardDock",
    "CardProfile",
    "CardRemovedError",
    "CardState",
    "CardStateStore",
    "DockError",
    "HostileFault",
    "InProcessReader",
    "InProcessTransport",
    "SlotStatus",
    "VirtualCard",
    "VpcdLink",
    "build_card",
    "card_serial",
]
