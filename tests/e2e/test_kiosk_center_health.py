"""The start screen while the center is away: the simulated center process stopped (and later
started again on the same address) or in maintenance; the kiosk's health checks show the
services as unavailable, with the problem and its staff code, and offer them again by
themselves."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.problems import Problem
from kiosk.runtime import HealthTiming
from kiosk.ui.screens.start import StartScreen
from tests.e2e.conftest import KioskUnderTest, MakeKiosk
from tests.hw_sim.center.harness import REAL_PAGE_MAKER, RunningCenter

pytestmark = [pytest.mark.pcscd, pytest.mark.cupsd]

QUICK_HEALTH = HealthTiming(interval_s=2.0, down_interval_s=0.5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def own_center(
    tmp_path_factory: pytest.TempPathFactory, center_pki: Any
) -> Iterator[RunningCenter]:
    """A center of its own on a fixed port, so that it can be stopped and started again at
    the address the kiosk was configured with."""
    server = RunningCenter(
        tmp_path_factory.mktemp("health-center"),
        center_pki.folder,
        page_maker=REAL_PAGE_MAKER,
        workers=1,
    )
    server.port = free_port()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def center(own_center: RunningCenter) -> Iterator[RunningCenter]:
    """This module's kiosks talk to ``own_center`` (overrides the e2e conftest's)."""
    if not own_center.running:
        own_center.start()
    own_center.reset()
    yield own_center
    if not own_center.running:
        own_center.start()
    own_center.reset()


def start_view(kiosk: KioskUnderTest) -> StartScreen:
    view = kiosk.driver.window.view
    assert isinstance(view, StartScreen)
    return view


def test_center_stopped_then_back(make_kiosk: MakeKiosk, center: RunningCenter) -> None:
    kiosk = make_kiosk(health_timing=QUICK_HEALTH)
    driver = kiosk.driver
    driver.wait_until(lambda s: s.center.available, "the center answers")
    center.stop()
    state = driver.wait_until(lambda s: not s.center.available, "the center seen down", 30)
    assert state.center.problem is Problem.CENTER_UNREACHABLE
    view = start_view(kiosk)
    assert view.unavailable.isVisible()
    assert "S-201" in view.unavailable_code.text()
    assert not any(button.isEnabled() for button in view.services.values())
    driver.send(ev.ChooseService(ev.Service.ISSUE))  # even if a tap got through
    assert isinstance(driver.state.screen, st.Start)
    assert driver.state.txn is None

    center.start()  # same port: the kiosk's configuration is unchanged
    center.reset()
    driver.wait_until(lambda s: s.center.available, "the center seen back", 30)
    assert not view.unavailable.isVisible()
    driver.to_menu("normal", "1234")  # and serves residents again, all by itself
    driver.cancel()
    driver.wait_for(st.Start, st.ReturnCard)


def test_center_maintenance_on_the_start_screen(
    make_kiosk: MakeKiosk, center: RunningCenter
) -> None:
    kiosk = make_kiosk(health_timing=QUICK_HEALTH)
    driver = kiosk.driver
    driver.wait_until(lambda s: s.center.available, "the center answers")
    center.admin("POST", "/admin/center-maintenance", {"minutes": 30})
    state = driver.wait_until(lambda s: not s.center.available, "maintenance seen", 30)
    assert state.center.problem is Problem.CENTER_MAINTENANCE
    assert state.center.until is not None
    view = start_view(kiosk)
    assert "S-203" in view.unavailable_code.text()
    assert state.center.until.strftime("%H:%M") in view.unavailable_message.text()
    center.admin("DELETE", "/admin/center-maintenance")
    driver.wait_until(lambda s: s.center.available, "maintenance over", 30)
