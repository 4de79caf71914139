"""Every screen renders every representative snapshot in every language at the smallest and
the largest supported screen, with nothing outside the window and no text cut off."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtWidgets import QLabel

from kiosk.flow.state import FlowState
from kiosk.languages import LANGUAGES
from kiosk.ui.kana_keyboard import shared_loader
from kiosk.ui.layout_check import layout_problems, visible_widgets
from kiosk.ui.samples import samples
from kiosk.ui.screens import VIEWS
from kiosk.ui.theme import font_family
from tests.kiosk.ui.conftest import MakeWindow, settle

SIZES = [(1024, 768), (1920, 1080)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_sample_fits(make_window: MakeWindow, language: str, size: tuple[int, int]) -> None:
    loader = shared_loader()
    loader.start()
    window, recorder = make_window("start", size=size)
    assert window.size().toTuple() == size
    problems: list[str] = []
    for name, state in samples():
        window.show_state(replace(state, language=language))
        settle(window)
        assert type(window.view) is VIEWS[type(state.screen)]
        problems.extend(f"{name}: {p}" for p in layout_problems(window))
    assert problems == []
    assert recorder.sent == []  # rendering never sends an intent


def test_samples_cover_every_screen_type() -> None:
    shown = {type(state.screen) for _name, state in samples()}
    assert shown == set(VIEWS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_font_family_follows_the_language(make_window: MakeWindow, language: str) -> None:
    window, _ = make_window("confirmation")
    state: FlowState = window.state  # type: ignore[assignment]
    window.show_state(replace(state, language=language))
    settle(window)
    labels = [w for w in visible_widgets(window) if isinstance(w, QLabel) and w.text()]
    assert labels
    expected = font_family(language)
    assert {label.font().family() for label in labels} == {expected}


def test_touch_targets_are_large(make_window: MakeWindow) -> None:
    from PySide6.QtWidgets import QAbstractButton

    window, _ = make_window("pin-entry")
    buttons = [w for w in visible_widgets(window) if isinstance(w, QAbstractButton)]
    assert len(buttons) >= 13  # 12 keypad keys + OK + cancel + language
    assert min(b.height() for b in buttons) >= 80
    assert min(b.width() for b in buttons) >= 80


def test_body_text_is_at_least_24_px(make_window: MakeWindow) -> None:
    window, _ = make_window("consent")
    sizes = [
        w.font().pixelSize()
        for w in visible_widgets(window)
        if isinstance(w, QLabel) and w.text() and w.property("role") == "body"
    ]
    assert sizes
    assert min(sizes) >= 24
