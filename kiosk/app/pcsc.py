"""The PC/SC choice of the wiring: card connections and the reader monitor on pcscd
(cardio.pcsc, cardio.monitor: the only modules of the kiosk that load pyscard).

The runtime's card service takes a connector and a monitor factory and chooses neither
(docs/architecture.md: kiosk/app is the one place that wires).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from cardio.presence import MonitorEvent
from kiosk.runtime.card import CardConnection, Connector, Monitor

__all__ = ["pcsc_connector", "pcsc_monitor"]


def pcsc_connector() -> Connector:
    """Exclusive T=1 connections through pcscd (cardio.pcsc), on the calling thread's context."""
    from cardio import pcsc

    local = threading.local()

    def connect(reader: str) -> CardConnection:
        context = getattr(local, "context", None)
        if context is None:
            context = local.context = pcsc.PcscContext()
        connection: CardConnection = context.connect(reader, exclusive=True)
        return connection

    return connect


def pcsc_monitor(callback: Callable[[MonitorEvent], None]) -> Monitor:
    from cardio.monitor import CardMonitor

    return CardMonitor(callback)
