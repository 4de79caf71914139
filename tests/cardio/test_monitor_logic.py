"""The monitor's state logic against an in-memory context that answers like
SCardGetStatusChange (unit test of one layer; the real thing is in test_monitor.py)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence

from cardio.errors import OperationCancelled
from cardio.monitor import CardMonitor, MonitorEvent, MonitorEventKind
from cardio.pcsc import PNP_NOTIFICATION, ReaderState

PRESENT, EMPTY, UNAVAILABLE, CHANGED = 0x20, 0x10, 0x08, 0x02
ATR = bytes.fromhex("3BDA13FF8131FB468012392F31C173C601C03B")


class FakeContext:
    """Readers with states; a wait returns when a reader differs from what the caller knows."""

    def __init__(self, states: dict[str, int]) -> None:
        self.states = dict(states)
        self.changed = threading.Condition()
        self.waits = 0
        self.cancelled = False

    def set(self, reader: str, flags: int) -> None:
        with self.changed:
            self.states[reader] = flags
            self.changed.notify_all()

    def list_readers(self) -> list[str]:
        return list(self.states)

    def get_status_change(
        self, states: Sequence[ReaderState], timeout_ms: int
    ) -> list[ReaderState] | None:
        with self.changed:
            self.waits += 1

            def differing() -> list[ReaderState]:
                out = []
                for known in states:
                    if known.reader == PNP_NOTIFICATION:
                        continue
                    actual = self.states.get(known.reader, 0)
                    if known.flags & ~CHANGED != actual:
                        atr = ATR if actual & PRESENT else b""
                        out.append(ReaderState(known.reader, actual | CHANGED, atr))
                return out

            self.changed.wait_for(lambda: differing() or self.cancelled, timeout_ms / 1000)
            if self.cancelled:
                self.cancelled = False
                raise OperationCancelled("cancelled")
            result = differing()
            if not result:
                return None
            known = {r.reader for r in result}
            return result + [s for s in states if s.reader not in known]

    def cancel(self) -> None:
        with self.changed:
            self.cancelled = True
            self.changed.notify_all()

    def release(self) -> None:
        pass


def collect(context: FakeContext) -> tuple[CardMonitor, queue.Queue[MonitorEvent]]:
    events: queue.Queue[MonitorEvent] = queue.Queue()
    monitor = CardMonitor(events.put, context=context)  # type: ignore[arg-type]
    monitor.start()
    return monitor, events


def next_kinds(events: queue.Queue[MonitorEvent], count: int) -> list[MonitorEventKind]:
    return [events.get(timeout=2).kind for _ in range(count)]


def test_card_present_at_start_then_removed() -> None:
    context = FakeContext({"R": PRESENT | 0x10000})
    monitor, events = collect(context)
    try:
        assert next_kinds(events, 2) == [
            MonitorEventKind.READER_ADDED,
            MonitorEventKind.CARD_INSERTED,
        ]
        context.set("R", EMPTY | 0x20000)
        assert next_kinds(events, 1) == [MonitorEventKind.CARD_REMOVED]
    finally:
        monitor.stop()


def test_swap_between_two_looks_is_removed_then_inserted() -> None:
    context = FakeContext({"R": PRESENT | 0x10000})
    monitor, events = collect(context)
    try:
        next_kinds(events, 2)
        context.set("R", PRESENT | 0x30000)  # two card events counted, still present
        assert next_kinds(events, 2) == [
            MonitorEventKind.CARD_REMOVED,
            MonitorEventKind.CARD_INSERTED,
        ]
    finally:
        monitor.stop()


def test_unavailable_reader_does_not_spin() -> None:
    context = FakeContext({"R": PRESENT | 0x10000})
    monitor, events = collect(context)
    try:
        next_kinds(events, 2)
        context.set("R", UNAVAILABLE)
        assert next_kinds(events, 1) == [MonitorEventKind.CARD_REMOVED]
        waits = context.waits
        threading.Event().wait(0.3)
        assert context.waits - waits <= 2  # blocked, not a busy loop
    finally:
        monitor.stop()
    assert not monitor.running
