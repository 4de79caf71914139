"""The release guard and the updater's decisions (deploy/konbini_release), on a folder tree of
their own (``Layout(root=tmp_path)``) with small stand-in bundles. The same code runs installed
against the real package in tests/deploy/test_update.py."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from deploy.konbini_release import guard
from deploy.konbini_release.layout import Layout, read_env_file, release_name
from deploy.konbini_release.releases import install_from, link_target, prune, switch
from deploy.konbini_release.state import StateStore
from deploy.konbini_release.update import (
    EXIT_DONE,
    EXIT_PENDING,
    EXIT_ROLLED_BACK,
    UpdateError,
    Updater,
)


def bundle(folder: Path, label: str) -> Path:
    folder.mkdir(parents=True)
    executable = folder / "kiosk"
    executable.write_text(f"#!/bin/sh\necho {label}\n")
    executable.chmod(0o755)
    return folder


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    where = Layout(tmp_path / "root")
    bundle(where.payload, "payload")
    return where


def no_sleep(seconds: float) -> None:
    pass


def state(layout: Layout) -> dict[str, object]:
    return dict(json.loads((layout.state_dir / "state.json").read_text()))


def test_the_first_release_becomes_current_later_ones_do_not(layout: Layout) -> None:
    assert guard.install(layout, "1.0") == "1.0"
    assert link_target(layout.current) == "1.0"
    # hard links, not a copy
    assert (layout.releases / "1.0" / "kiosk").stat().st_ino == (
        layout.payload / "kiosk"
    ).stat().st_ino
    guard.install(layout, "1.1")
    assert link_target(layout.current) == "1.0"
    assert sorted(p.name for p in layout.releases.iterdir()) == ["1.0", "1.1"]
    guard.install(layout, "1.1")  # again: nothing changes
    assert link_target(layout.current) == "1.0"


def test_release_names_never_escape_the_folder() -> None:
    assert release_name("1:2.0~rc1+b2") == "1_2.0~rc1+b2"
    assert release_name("../../etc") == ".._.._etc"
    with pytest.raises(ValueError, match="usable"):
        release_name("..")


def start_fails(layout: Layout, result: str = "timeout", status: str = "TERM") -> None:
    guard.pre_start(layout, sleep=no_sleep)
    guard.stopped(layout, {"SERVICE_RESULT": result, "EXIT_CODE": "killed", "EXIT_STATUS": status})


def installed_pair(layout: Layout) -> None:
    """1.0 current and proven; 1.1 installed and pending."""
    guard.install(layout, "1.0")
    guard.pre_start(layout, sleep=no_sleep)
    guard.ready(layout)
    guard.install(layout, "1.1")
    store = StateStore(layout)
    with store.locked() as current:
        current.pending = "1.1"
        current.pending_reason = "update to 1.1"


def test_a_pending_release_is_switched_to_at_the_next_start(layout: Layout) -> None:
    installed_pair(layout)
    guard.pre_start(layout, sleep=no_sleep)
    assert link_target(layout.current) == "1.1"
    assert link_target(layout.previous) == "1.0"
    guard.ready(layout)
    assert state(layout)["proven"] == ["1.0", "1.1"]
    assert "switched from 1.0 to 1.1 (update to 1.1)" in StateStore(layout).history.read_text()


def test_a_release_that_never_gets_ready_is_rolled_back_after_two_starts(layout: Layout) -> None:
    installed_pair(layout)
    start_fails(layout)  # switched to 1.1; not ready
    start_fails(layout)  # not ready again
    assert link_target(layout.current) == "1.1"
    guard.pre_start(layout, sleep=no_sleep)  # the third start goes back
    assert link_target(layout.current) == "1.0"
    assert link_target(layout.previous) is None  # 1.1 is never the rollback target
    rejected = state(layout)["rejected"]
    assert isinstance(rejected, dict)
    assert "did not reach READY=1 in 2 starts" in rejected["1.1"]
    assert "result=timeout killed=TERM" in rejected["1.1"]
    history = StateStore(layout).history.read_text()
    assert "rolled back to 1.0: release 1.1 did not reach READY=1" in history


def test_a_proven_release_is_never_rolled_back(layout: Layout) -> None:
    installed_pair(layout)
    guard.pre_start(layout, sleep=no_sleep)
    guard.ready(layout)  # 1.1 showed its start screen once
    for _ in range(4):
        start_fails(layout, "signal", "SEGV")
    guard.pre_start(layout, sleep=no_sleep)
    assert link_target(layout.current) == "1.1"


def test_stops_on_purpose_and_a_missing_display_do_not_count(layout: Layout) -> None:
    installed_pair(layout)
    for _ in range(3):
        guard.pre_start(layout, sleep=no_sleep)
        guard.stopped(layout, {"SERVICE_RESULT": "success", "EXIT_STATUS": "TERM"})
        guard.pre_start(layout, sleep=no_sleep)
        guard.stopped(layout, {"SERVICE_RESULT": "exit-code", "EXIT_STATUS": guard.EXIT_NO_DISPLAY})
    guard.pre_start(layout, sleep=no_sleep)
    assert link_target(layout.current) == "1.1"  # never blamed


def test_without_a_previous_release_it_keeps_trying_and_says_so_once(layout: Layout) -> None:
    guard.install(layout, "1.0")  # a fresh machine: not configured yet, never ready
    for _ in range(6):
        start_fails(layout, "exit-code", "3")
    assert link_target(layout.current) == "1.0"
    history = StateStore(layout).history.read_text()
    assert history.count("no previous release to roll back to") == 1


def test_restarts_are_spaced_out_more_and_more(layout: Layout) -> None:
    assert [guard.backoff_s(n) for n in range(8)] == [0, 0, 4, 8, 16, 32, 60, 60]
    guard.install(layout, "1.0")
    waits: list[float] = []
    for _ in range(4):
        guard.pre_start(layout, sleep=waits.append)
        guard.stopped(layout, {"SERVICE_RESULT": "signal", "EXIT_STATUS": "ABRT"})
    guard.pre_start(layout, sleep=waits.append)
    assert waits == [4, 8, 16]
    guard.stopped(layout, {"SERVICE_RESULT": "success"})  # a clean stop starts again
    guard.pre_start(layout, sleep=waits.append)
    assert waits == [4, 8, 16]


def test_a_broken_state_is_set_aside_and_the_kiosk_still_starts(layout: Layout) -> None:
    guard.install(layout, "1.0")
    (layout.state_dir / "state.json").write_text('{"unready_starts": "many"')
    assert guard.main(["pre-start"], layout) == 0
    assert (layout.state_dir / "state.json.broken").exists()
    (layout.state_dir / "state.json").write_text('{"unready_starts": "many"}')
    assert guard.main(["pre-start"], layout) == 0
    assert state(layout)["unready_starts"] == 1  # afresh, and this start counted
    assert guard.main(["nonsense"], layout) == 2


class FakeService:
    def __init__(self, running: bool) -> None:
        self.is_running = running
        self.restarts = 0

    def running(self) -> bool:
        return self.is_running

    def restart_when_idle(self) -> None:
        self.restarts += 1


def updater(layout: Layout, service: FakeService, passes: bool) -> tuple[Updater, list[str]]:
    said: list[str] = []

    def selftest(bundle: Path, profile: Path) -> tuple[bool, str]:
        said.append(f"selftest {bundle.name} {profile}")
        if passes:
            return True, "selftest: passed\n"
        return False, "selftest: print fonts: FAILED: RuntimeError: missing\n"

    return Updater(layout, service, say=said.append, run_selftest=selftest), said  # type: ignore[arg-type]


def test_activation_refuses_a_release_that_fails_its_self_test(layout: Layout) -> None:
    guard.install(layout, "1.0")
    guard.install(layout, "1.1")
    service = FakeService(running=True)
    update, _ = updater(layout, service, passes=False)
    with pytest.raises(UpdateError, match=r"self test of 1\.1 failed"):
        update.activate_installed("1.1", wait_s=5)
    assert link_target(layout.current) == "1.0"
    assert service.restarts == 0
    assert StateStore(layout).read().pending is None
    assert "print fonts: FAILED" in StateStore(layout).history.read_text()


def test_activation_with_the_kiosk_stopped_switches_at_once(layout: Layout) -> None:
    guard.install(layout, "1.0")
    guard.install(layout, "1.1")
    update, _ = updater(layout, FakeService(running=False), passes=True)
    assert update.activate_installed("1.1", wait_s=5) == EXIT_DONE
    assert link_target(layout.current) == "1.1"
    assert link_target(layout.previous) == "1.0"


def test_activation_with_the_kiosk_running_waits_for_its_idle_restart(layout: Layout) -> None:
    guard.install(layout, "1.0")
    guard.install(layout, "1.1")
    service = FakeService(running=True)
    update, _ = updater(layout, service, passes=True)
    assert update.activate_installed("1.1", wait_s=0) == EXIT_DONE  # --no-wait
    assert service.restarts == 1
    assert link_target(layout.current) == "1.0"  # not before the kiosk restarts
    assert StateStore(layout).read().pending == "1.1"
    assert update._wait("1.1", wait_s=0.2) == EXIT_PENDING  # the kiosk is busy
    start_fails(layout)  # it restarted: switched, but never ready
    start_fails(layout)
    guard.pre_start(layout, sleep=no_sleep)
    assert update._wait("1.1", wait_s=2) == EXIT_ROLLED_BACK


def test_rollback_needs_a_previous_release(layout: Layout) -> None:
    guard.install(layout, "1.0")
    update, _ = updater(layout, FakeService(running=False), passes=True)
    with pytest.raises(UpdateError, match="no previous release"):
        update.rollback(wait_s=1)
    guard.install(layout, "1.1")
    switch(layout, "1.1")
    assert update.rollback(wait_s=1) == EXIT_DONE
    assert link_target(layout.current) == "1.0"
    assert "rollback by staff" in StateStore(layout).history.read_text()


def test_prune_keeps_current_previous_and_what_is_asked(layout: Layout) -> None:
    for version in ("1.0", "1.1", "1.2", "1.3"):
        install_from(layout, layout.payload, version)
    switch(layout, "1.2")
    switch(layout, "1.3")
    assert prune(layout, keep={"1.0"}) == ["1.1"]
    assert sorted(os.listdir(layout.releases)) == ["1.0", "1.2", "1.3"]


def test_environment_file_is_read_like_systemd(tmp_path: Path) -> None:
    env = tmp_path / "defaults"
    env.write_text("# comment\nKIOSK_PROFILE='/etc/konbini-kiosk/cityhall.toml'\n\nKIOSK_ARGS=\n")
    assert read_env_file(env) == {
        "KIOSK_PROFILE": "/etc/konbini-kiosk/cityhall.toml",
        "KIOSK_ARGS": "",
    }
    assert read_env_file(tmp_path / "missing") == {}
