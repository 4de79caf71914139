"""The reader/card monitor against a real pcscd + vpcd. Latencies are checked only against a
generous deadline here; benchmarks/card_auth.py reports the real figures."""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import cardio.monitor
from cardio.monitor import CardMonitor, MonitorEvent, MonitorEventKind
from hw_sim.pki import JpkiTestPki
from hw_sim.stack import PrivatePcscd
from hw_sim.stack.pcscd import VPCD_READER_NAMES
from tests.cardio.pcsc_cards import READER, PcscCards, persona_atr

pytestmark = pytest.mark.pcscd

DEADLINE_S = 3.0  # generous: the target is 0.5 s, measured by the benchmark, not asserted


class Events:
    def __init__(self) -> None:
        self.queue: queue.Queue[MonitorEvent] = queue.Queue()

    def __call__(self, event: MonitorEvent) -> None:
        self.queue.put(event)

    def wait_for(self, kind: MonitorEventKind, reader: str | None = None) -> MonitorEvent:
        deadline = time.monotonic() + DEADLINE_S
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {kind.value} event for {reader} within {DEADLINE_S} s")
            try:
                event = self.queue.get(timeout=remaining)
            except queue.Empty:
                continue
            if event.kind is kind and (reader is None or event.reader == reader):
                return event


@pytest.fixture
def dock(pki: JpkiTestPki, pcscd: PrivatePcscd, tmp_path: Path) -> Iterator[PcscCards]:
    cards = PcscCards(pki, pcscd, tmp_path)
    try:
        yield cards
    finally:
        cards.close()


@pytest.fixture
def events(dock: PcscCards) -> Iterator[tuple[Events, CardMonitor]]:
    sink = Events()
    monitor = CardMonitor(sink)
    monitor.start()
    try:
        yield sink, monitor
    finally:
        monitor.stop()


def test_readers_reported_at_start(events: tuple[Events, CardMonitor]) -> None:
    sink, monitor = events
    for name in VPCD_READER_NAMES:
        sink.wait_for(MonitorEventKind.READER_ADDED, name)
    assert set(monitor.cards()) >= set(VPCD_READER_NAMES)


def test_insert_and_remove(dock: PcscCards, events: tuple[Events, CardMonitor]) -> None:
    sink, monitor = events
    sink.wait_for(MonitorEventKind.READER_ADDED, READER)
    dock.insert("normal")
    inserted = sink.wait_for(MonitorEventKind.CARD_INSERTED, READER)
    assert inserted.atr == persona_atr("normal")
    assert monitor.cards()[READER] == inserted.atr
    dock.remove()
    sink.wait_for(MonitorEventKind.CARD_REMOVED, READER)
    assert monitor.cards()[READER] is None


def test_card_present_at_start_is_reported(dock: PcscCards) -> None:
    dock.insert("normal")
    sink = Events()
    with CardMonitor(sink):
        sink.wait_for(MonitorEventKind.CARD_INSERTED, READER)


@pytest.mark.slow
def test_service_restart(
    dock: PcscCards, pcscd: PrivatePcscd, events: tuple[Events, CardMonitor]
) -> None:
    sink, _monitor = events
    sink.wait_for(MonitorEventKind.READER_ADDED, READER)
    pcscd.stop()
    try:
        sink.wait_for(MonitorEventKind.SERVICE_LOST)
    finally:
        pcscd.start()
    sink.wait_for(MonitorEventKind.SERVICE_RESTORED)
    sink.wait_for(MonitorEventKind.READER_ADDED, READER)
    dock.remove()
    dock.insert("normal")
    sink.wait_for(MonitorEventKind.CARD_INSERTED, READER)


def test_stop_cancels_the_wait_and_is_final(
    dock: PcscCards, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With 60 s waits, only SCardCancel can end the thread within stop()'s 2 s join.
    monkeypatch.setattr(cardio.monitor, "WAIT_MS", 60_000)
    sink = Events()
    monitor = CardMonitor(sink)
    monitor.start()
    sink.wait_for(MonitorEventKind.READER_ADDED, READER)
    time.sleep(0.2)  # let the thread enter its wait
    monitor.stop()
    assert not monitor.running
    while not sink.queue.empty():
        sink.queue.get()
    dock.insert("normal")
    time.sleep(0.8)
    assert sink.queue.empty()


def test_failing_callback_does_not_kill_the_monitor(dock: PcscCards) -> None:
    sink = Events()
    calls = 0

    def flaky(event: MonitorEvent) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("callback bug")
        sink(event)

    with CardMonitor(flaky) as monitor:
        dock.insert("normal")
        sink.wait_for(MonitorEventKind.CARD_INSERTED, READER)
        assert monitor.running
