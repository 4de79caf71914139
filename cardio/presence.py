"""What the reader and card-presence monitor reports: its event types, without the monitor.

Kept apart from :mod:`cardio.monitor` (which is built on the PC/SC adapter, pyscard) so that
code reacting to the events (the kiosk's runtime, the in-process card reader) does not load
pyscard; only the wiring that chooses PC/SC does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import Enum

__all__ = ["MonitorEvent", "MonitorEventKind"]


class MonitorEventKind(Enum):
    READER_ADDED = "reader-added"
    READER_REMOVED = "reader-removed"
    CARD_INSERTED = "card-inserted"
    CARD_REMOVED = "card-removed"
    SERVICE_LOST = "service-lost"
    SERVICE_RESTORED = "service-restored"


@dataclass(frozen=True)
class MonitorEvent:
    """One change. ``at`` is ``time.monotonic()`` when the monitor saw it; ``mute`` marks a card
    that is present but does not answer (e.g. inserted the wrong way)."""

    kind: MonitorEventKind
    reader: str | None = None
    atr: bytes = b""
    mute: bool = False
    at: float = field(default_factory=time.monotonic)
