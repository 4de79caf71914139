"""Fixtures of the UI tests: a KioskWindow on a StateHolder, with a sink that records intents
(and, for flow tests, feeds them to the real kiosk.flow.step)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk import i18n
from kiosk.flow import Event, FlowSettings, FlowState, initial_state, step
from kiosk.flow.events import Intent
from kiosk.ui import KioskWindow, StateHolder
from kiosk.ui.samples import sample


@dataclass
class Recorder:
    """An intent sink that records; with ``drive`` it also steps the real flow."""

    holder: StateHolder
    drive: bool = False
    sent: list[Intent] = field(default_factory=list)

    def __call__(self, intent: Intent) -> None:
        self.sent.append(intent)
        if self.drive:
            self.feed(intent)

    def feed(self, event: Event) -> None:
        """What the runner does: step the flow and publish the new state."""
        state, _effects = step(self.holder.current(), event)
        self.holder.set(state)

    def clear(self) -> None:
        self.sent.clear()


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """The language holder is process-wide: every test starts and ends in Japanese."""
    i18n.set_language("ja")
    yield
    i18n.set_language("ja")


MakeWindow = Callable[..., tuple[KioskWindow, Recorder]]


@pytest.fixture
def make_window(qtbot: QtBot) -> MakeWindow:
    """A shown KioskWindow on ``state`` (a FlowState or a sample name)."""

    def make(
        state: FlowState | str = "start",
        *,
        drive: bool = False,
        size: tuple[int, int] = (1280, 800),
        theme: str = "standard",
        keypad_navigation: bool = False,
        announce: Callable[[str, str], None] | None = None,
    ) -> tuple[KioskWindow, Recorder]:
        snapshot = sample(state) if isinstance(state, str) else state
        holder = StateHolder(snapshot)
        recorder = Recorder(holder, drive)
        window = KioskWindow(
            holder,
            recorder,
            size=size,
            theme=theme,
            keypad_navigation=keypad_navigation,
            announce=announce,
        )
        qtbot.addWidget(window)
        window.show()
        settle(window)
        return window, recorder

    return make


def settle(window: KioskWindow) -> None:
    """Let queued renders run until the window shows the source's latest state."""
    for _ in range(20):
        QApplication.processEvents()
        if window.state is window._source.current():
            break
    QApplication.processEvents()


def fresh_state(**settings: object) -> FlowState:
    return initial_state(FlowSettings(boot_id="uitest", **settings))  # type: ignore[arg-type]
