"""The service manager's watchdog and the flow's heartbeat (kiosk.runtime.heartbeat,
kiosk.app.notify): WATCHDOG=1 reaches a NOTIFY_SOCKET of our own only while the flow thread
and the effect sequencer both still take their turns. A healthy runner keeps sending; a flow
thread made to hang, or a sequencer stuck in an effect, stops the pets, and they come back
when it is released. The runner is the real one (journal on disk, ThreadLoop or the Qt
bridge as its flow thread)."""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.app import notify
from kiosk.flow import events as ev
from kiosk.journal import Journal
from kiosk.runtime import Runner, ThreadLoop
from kiosk.runtime.heartbeat import Heartbeat
from tests.kiosk.notify_socket import NotifySocket
from tests.kiosk.test_runner import make_runner

INTERVAL = 0.1  # the heartbeat's period in these tests (a real kiosk: WatchdogSec / 4)


@pytest.fixture
def manager(tmp_path: Path) -> Iterator[NotifySocket]:
    listener = NotifySocket(tmp_path / "notify.sock")
    yield listener
    listener.close()


def notifier_for(manager: NotifySocket, period_s: float = 4 * INTERVAL) -> notify.Notifier:
    env = {
        "NOTIFY_SOCKET": str(manager.path),
        "WATCHDOG_USEC": str(int(period_s * 1_000_000)),
        "WATCHDOG_PID": str(os.getpid()),
    }
    notifier = notify.from_environment(env)
    assert notifier is not None
    assert env == {}  # taken out of the environment: children never notify in our name
    return notifier


def pets_between(manager: NotifySocket, start: float, end: float) -> int:
    return sum(1 for at in manager.times("WATCHDOG=1") if start <= at < end)


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[Runner, ThreadLoop[Any], list[Any]]]:
    calls: list[Any] = []
    runner = make_runner(calls, Journal(tmp_path / "journal.sqlite"))
    loop: ThreadLoop[Any] = ThreadLoop(runner.dispatch)
    runner.start(loop.post)
    yield runner, loop, calls
    runner.stop()
    loop.stop()


def test_a_healthy_flow_keeps_petting_the_watchdog(running: Any, manager: NotifySocket) -> None:
    runner, loop, _ = running
    notifier = notifier_for(manager)
    assert notifier.heartbeat_interval_s == pytest.approx(INTERVAL)
    heartbeat = Heartbeat(runner.probe, INTERVAL, notifier.watchdog)
    heartbeat.start()
    try:
        # The flow keeps working meanwhile: residents come and go between the pets.
        for _ in range(5):
            loop.post(ev.ChooseService(ev.Service.ISSUE))
            loop.post(ev.Cancel())
            time.sleep(0.25)
        assert manager.wait_for("WATCHDOG=1", timeout=5, count=8)
    finally:
        heartbeat.stop()
    pets = manager.times("WATCHDOG=1")
    gaps = [later - earlier for earlier, later in itertools.pairwise(pets)]
    assert max(gaps) < 6 * INTERVAL  # never a silence a watchdog of 4 intervals could notice


def test_a_hung_flow_thread_stops_the_pets_until_it_is_released(
    running: Any, manager: NotifySocket
) -> None:
    runner, loop, _ = running
    heartbeat = Heartbeat(runner.probe, INTERVAL, notifier_for(manager).watchdog)
    heartbeat.start()
    release = threading.Event()
    try:
        assert manager.wait_for("WATCHDOG=1", timeout=5, count=3)
        loop.call(lambda: release.wait(30))  # the flow thread is stuck in a step
        time.sleep(2 * INTERVAL)  # a pet already on its way may still arrive
        hung_from = time.monotonic()
        time.sleep(15 * INTERVAL)
        hung_to = time.monotonic()
        assert pets_between(manager, hung_from, hung_to) == 0
        release.set()
        before = len(manager.times("WATCHDOG=1"))
        assert manager.wait_for("WATCHDOG=1", timeout=5, count=before + 3)
    finally:
        release.set()
        heartbeat.stop()


class BlockingCard:
    """A card service whose read never returns until released (a wedged device call made on
    the sequencer by mistake): the sequencer is stuck, the flow thread is not."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.entered = threading.Event()

    def __getattr__(self, name: str) -> Any:
        def call(*args: Any) -> None:
            if name == "read_card":
                self.entered.set()
                self.release.wait(30)

        return call


def test_a_stuck_sequencer_stops_the_pets_too(tmp_path: Path, manager: NotifySocket) -> None:
    runner = make_runner([], Journal(tmp_path / "journal.sqlite"))
    card = BlockingCard()
    runner.services.card = card  # type: ignore[assignment]
    loop: ThreadLoop[Any] = ThreadLoop(runner.dispatch)
    runner.start(loop.post)
    heartbeat = Heartbeat(runner.probe, INTERVAL, notifier_for(manager).watchdog)
    heartbeat.start()
    try:
        assert manager.wait_for("WATCHDOG=1", timeout=5, count=3)
        # Agreeing asks for the card to be read: the sequencer blocks in that effect.
        loop.post(ev.ChooseService(ev.Service.ISSUE))
        loop.post(ev.Agree())
        assert card.entered.wait(5)
        time.sleep(2 * INTERVAL)
        stuck_from = time.monotonic()
        time.sleep(15 * INTERVAL)
        assert pets_between(manager, stuck_from, time.monotonic()) == 0
        assert loop.wait_idle(2)  # the flow thread itself was free all along
        card.release.set()
        before = len(manager.times("WATCHDOG=1"))
        assert manager.wait_for("WATCHDOG=1", timeout=5, count=before + 2)
    finally:
        card.release.set()
        heartbeat.stop()
        runner.stop()
        loop.stop()


def test_probes_do_not_pile_up_behind_a_hung_flow(running: Any) -> None:
    runner, loop, _ = running
    posted: list[int] = []

    def post(probe: Any) -> None:
        posted.append(probe.serial)
        runner.probe(probe)

    release = threading.Event()
    loop.call(lambda: release.wait(30))
    heartbeat = Heartbeat(post, INTERVAL, lambda: None)
    heartbeat.start()
    time.sleep(10 * INTERVAL)
    release.set()
    heartbeat.stop()
    assert posted == [1]  # one probe in flight at a time, however long the flow hangs


def test_no_notification_socket_means_no_notifier() -> None:
    assert notify.from_environment({}) is None
    assert notify.from_environment({"NOTIFY_SOCKET": "relative/path"}) is None
    env = {"NOTIFY_SOCKET": "@abstract", "WATCHDOG_USEC": "nonsense"}
    notifier = notify.from_environment(env)
    assert notifier is not None
    assert notifier.heartbeat_interval_s is None
    # The watchdog of another process (a shell that started us) is not ours to pet.
    other = notify.from_environment(
        {"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "8000000", "WATCHDOG_PID": "1"}
    )
    assert other is not None
    assert other.heartbeat_interval_s is None


def test_messages_reach_the_socket_and_a_gone_manager_is_harmless(
    tmp_path: Path, manager: NotifySocket
) -> None:
    notifier = notifier_for(manager, period_s=8)
    notifier.ready("start screen shown (1.0 s after start)")
    notifier.status("a\nnewline is not a new field")
    assert manager.wait_for("READY=1", timeout=2)
    assert manager.wait_for("STATUS=a newline is not a new field", timeout=2)
    manager.close()
    (tmp_path / "notify.sock").unlink()
    notifier.watchdog()  # the service manager went away: logged once, never raised
    notifier.watchdog()
