"""The kiosk as a systemd service (kiosk/app/service.py, kiosk/app/notify.py), without systemd:
a NOTIFY_SOCKET of our own stands in for the service manager.

- ``python -m kiosk`` with a real (city-hall) wiring sends READY=1 once its start screen is
  shown, keeps petting the watchdog, and on SIGHUP exits 0 at once when idle (STOPPING=1);
- in the Qt application the flow thread is the UI thread: a UI thread made to hang stops the
  pets, which come back when it is free again;
- a restart asked for while a resident is being served waits until the kiosk is idle.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer

from kiosk.app import notify
from kiosk.app.qt import start_on_qt
from kiosk.app.service import RestartWhenIdle, is_idle
from kiosk.flow import events as ev
from kiosk.journal import Journal
from kiosk.runtime.heartbeat import Heartbeat
from tests.kiosk.notify_socket import NotifySocket
from tests.kiosk.test_app_profiles import write_profile
from tests.kiosk.test_runner import make_runner

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def manager(tmp_path: Path) -> Iterator[NotifySocket]:
    listener = NotifySocket(tmp_path / "notify.sock")
    yield listener
    listener.close()


def test_the_kiosk_process_reports_ready_pets_and_restarts_on_sighup(
    tmp_path: Path, manager: NotifySocket
) -> None:
    profile = write_profile(tmp_path, "cityhall")  # real devices; none of them need be there
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "NOTIFY_SOCKET": str(manager.path),
        "WATCHDOG_USEC": "2000000",  # WatchdogSec=2: a pet every 0.5 s
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--profile", str(profile), "--hide-cursor"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # The service manager sets WATCHDOG_PID to the kiosk's own pid; without it the
        # watchdog is taken as ours (sd_watchdog_enabled(3)).
    )
    try:
        assert manager.wait_for("READY=1", timeout=90), process.stdout
        ready_at = manager.times("READY=1")[0]
        assert any(line.startswith("starting (cityhall profile") for line in manager.status_lines())
        assert any("after the process started" in line for line in manager.status_lines())
        assert manager.wait_for("WATCHDOG=1", timeout=10, count=4)
        pets = [at for at in manager.times("WATCHDOG=1") if at > ready_at]
        assert len(pets) >= 3
        process.send_signal(signal.SIGHUP)  # idle at the start screen: exits at once
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        output = process.communicate(timeout=30)[0]
    assert manager.wait_for("STOPPING=1", timeout=2)
    assert "restart requested" in output
    assert "idle: exiting for the requested restart" in output


def test_a_restart_asked_for_while_starting_waits_for_the_start_screen(
    tmp_path: Path, manager: NotifySocket
) -> None:
    """SIGHUP while the kiosk is still being built (konbini-kiosk-update right after a start):
    not the default action (death by signal, a failed start), but a restart once the service
    is up — READY=1 first, then exit 0."""
    profile = write_profile(tmp_path, "cityhall")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "NOTIFY_SOCKET": str(manager.path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--profile", str(profile)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while not any(line.startswith("starting") for line in manager.status_lines()):
            assert time.monotonic() < deadline, "no STATUS=starting"
            time.sleep(0.01)
        process.send_signal(signal.SIGHUP)  # the window is not up yet
        assert process.wait(timeout=90) == 0
    finally:
        if process.poll() is None:
            process.kill()
        output = process.communicate(timeout=30)[0]
    assert manager.times("READY=1"), output
    assert "idle: exiting for the requested restart" in output


@pytest.fixture
def qt_runner(qtbot: Any, tmp_path: Path) -> Iterator[Any]:
    runner = make_runner([], Journal(tmp_path / "journal.sqlite"))
    start_on_qt(runner)
    yield runner
    runner.stop()


def test_a_hung_ui_thread_stops_the_pets(qtbot: Any, qt_runner: Any, manager: NotifySocket) -> None:
    env = {"NOTIFY_SOCKET": str(manager.path), "WATCHDOG_USEC": "400000"}
    notifier = notify.from_environment(env)
    assert notifier is not None
    assert notifier.heartbeat_interval_s == pytest.approx(0.1)
    heartbeat = Heartbeat(qt_runner.probe, 0.1, notifier.watchdog)
    heartbeat.start()
    try:
        qtbot.waitUntil(lambda: len(manager.times("WATCHDOG=1")) >= 3, timeout=5000)
        hang: dict[str, float] = {}

        def hang_the_ui_thread() -> None:  # e.g. a screen stuck in a layout loop
            hang["from"] = time.monotonic()
            time.sleep(1.5)
            hang["to"] = time.monotonic()

        QTimer.singleShot(0, hang_the_ui_thread)
        qtbot.waitUntil(lambda: "to" in hang, timeout=5000)
        count = len(manager.times("WATCHDOG=1"))
        qtbot.waitUntil(lambda: len(manager.times("WATCHDOG=1")) >= count + 3, timeout=5000)
    finally:
        heartbeat.stop()
    during = [at for at in manager.times("WATCHDOG=1") if hang["from"] + 0.2 < at < hang["to"]]
    assert during == []


def test_a_restart_waits_for_the_resident_to_finish(qtbot: Any, qapp: Any, qt_runner: Any) -> None:
    exits: list[int] = []
    restart = RestartWhenIdle(qapp, qt_runner, None, exit_with=exits.append)
    qt_runner.dispatch(ev.ChooseService(ev.Service.ISSUE))  # a resident starts
    assert not is_idle(qt_runner.current())
    restart.request()
    qtbot.wait(200)
    assert exits == []
    qt_runner.dispatch(ev.Agree())
    assert exits == []
    qt_runner.dispatch(ev.Cancel())  # the resident leaves: back to the start screen
    qtbot.waitUntil(lambda: exits == [0], timeout=5000)


def test_sighup_is_taken_between_steps(qtbot: Any, qapp: Any, qt_runner: Any) -> None:
    exits: list[int] = []
    previous = signal.getsignal(signal.SIGHUP)
    restart = RestartWhenIdle(qapp, qt_runner, None, exit_with=exits.append)
    try:
        restart.install()
        os.kill(os.getpid(), signal.SIGHUP)
        qtbot.waitUntil(lambda: exits == [0], timeout=5000)
    finally:
        signal.signal(signal.SIGHUP, previous)
