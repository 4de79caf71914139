"""Every screen renders every representative snapshot in every language at the smallest and
the largest supported screen, with nothing outside the window and no text cut off."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QGridLayout, QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from kiosk.flow.state import FlowState
from kiosk.languages import LANGUAGES
from kiosk.ui.kana_keyboard import shared_loader
from kiosk.ui.layout_check import layout_problems, target_problems, visible_widgets
from kiosk.ui.samples import samples
from kiosk.ui.screens import VIEWS
from kiosk.ui.theme import font_family
from kiosk.ui.widgets import Choice, ChoiceGrid, TouchButton
from kiosk.ui.window import KioskWindow
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


def _grid_of_buttons(qtbot: QtBot, *, hidden_span: bool) -> QWidget:
    """Three rows of two touch buttons in a QGridLayout, optionally with a hidden widget spanning
    the last row — how ChoiceGrid held its pager before issue 14."""
    root = QWidget()
    qtbot.addWidget(root)
    grid = QGridLayout(root)
    grid.setSpacing(12)
    for index in range(6):
        grid.addWidget(TouchButton(f"choice {index}"), index // 2, index % 2)
    if hidden_span:
        pager = QWidget()
        grid.addWidget(pager, 2, 0, 1, 2)
        pager.hide()
    for row in range(3):
        grid.setRowStretch(row, 1)
    root.resize(800, 500)
    root.show()
    QApplication.processEvents()
    return root


def test_touching_targets_are_found(qtbot: QtBot) -> None:
    """The old ChoiceGrid shape: the spacing above the last row disappears and its buttons touch
    the row above; the check names both buttons. Without the hidden span nothing is reported."""
    problems = target_problems(_grid_of_buttons(qtbot, hidden_span=True))
    assert len(problems) == 2
    assert all("touches" in p and "0 px apart" in p for p in problems)
    assert "choice 2" in problems[0]
    assert "choice 4" in problems[0]
    assert target_problems(_grid_of_buttons(qtbot, hidden_span=False)) == []


def test_overlapping_targets_are_found_but_not_across_layers(qtbot: QtBot) -> None:
    root = QWidget()
    qtbot.addWidget(root)
    root.resize(600, 400)
    first = TouchButton("first", parent=root)
    first.setGeometry(10, 10, 200, 90)
    second = TouchButton("second", parent=root)
    second.setGeometry(150, 60, 200, 90)
    # An overlay (a scrim) lies over the screen's buttons by design: not a problem.
    scrim = QWidget(root)
    scrim.setProperty("role", "scrim")
    scrim.setGeometry(root.rect())
    covering = TouchButton("dialog", parent=scrim)
    covering.setGeometry(20, 20, 200, 90)
    root.show()
    QApplication.processEvents()
    problems = [p for p in layout_problems(root) if "overlaps" in p or "touches" in p]
    assert problems == [
        "TouchButton('first') at (10, 10, 200, 90) overlaps TouchButton('second') at "
        "(150, 60, 200, 90)"
    ]
    second.setGeometry(212, 10, 200, 90)  # 2 px to the right of the first: touching
    QApplication.processEvents()
    problems = [p for p in layout_problems(root) if "overlaps" in p or "touches" in p]
    assert len(problems) == 1
    assert "2 px apart" in problems[0]
    second.setGeometry(214, 10, 200, 90)  # 4 px: a visible gap
    QApplication.processEvents()
    assert [p for p in layout_problems(root) if "overlaps" in p or "touches" in p] == []


def test_paged_grid_keeps_its_gaps_and_height(qtbot: QtBot) -> None:
    """With more choices than fit, the pager takes the last row's place: every button a gap
    away from its neighbours, and the grid as high on every page as a full page unpaged."""
    heights = []
    for count, turns in ((6, 0), (9, 0), (9, 2)):
        root = QWidget()
        qtbot.addWidget(root)
        column = QVBoxLayout(root)
        grid = ChoiceGrid(columns=2, rows=3)
        column.addWidget(grid)
        column.addStretch(1)
        grid.set_captions("previous", "next", "{page}/{pages}")
        grid.set_choices([Choice(str(i), f"choice {i}") for i in range(count)])
        for _ in range(turns):
            grid.next.click()
        root.resize(800, 700)
        root.show()
        QApplication.processEvents()
        assert grid.paged is (count > 6)
        assert target_problems(root) == []
        heights.append(grid.height())
    assert heights[0] == heights[1] == heights[2]


def test_gallery_checks_the_layout_of_what_it_writes(qtbot: QtBot, tmp_path: Path) -> None:
    from kiosk.ui.gallery import main

    assert main(["--out", str(tmp_path), "--languages", "ja,en", "--only", "certificate"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "certificate-en-1280x800.png",
        "certificate-ja-1280x800.png",
    ]


def test_gallery_shows_the_keypad_focus(qtbot: QtBot, tmp_path: Path) -> None:
    """``--keypad-focus``: the shot shows the focus ring (the warning yellow) on the screen's
    first button in reading order; without it no button is yellow."""
    from PySide6.QtGui import QImage

    from kiosk.ui.gallery import main

    args = ["--languages", "ja", "--only", "start", "--theme", "high_contrast"]
    assert main(["--out", str(tmp_path / "focus"), *args, "--keypad-focus"]) == 0
    assert main(["--out", str(tmp_path / "plain"), *args]) == 0
    (focus,) = (tmp_path / "focus").iterdir()
    assert focus.name == "start-keypad-focus-ja-1280x800-high_contrast.png"
    (plain,) = (tmp_path / "plain").iterdir()

    def yellow(path: Path) -> int:
        image = QImage(str(path))
        return sum(
            image.pixelColor(x, y).name() == "#ffff00"
            for x in range(0, image.width(), 4)
            for y in range(0, 100, 4)
        )

    assert yellow(focus) > 100  # the language menu's button, top right
    assert yellow(plain) == 0


def test_a_screen_looks_the_same_whatever_came_before(make_window: MakeWindow) -> None:
    """The start screen (no footer buttons) after a screen with a footer: its panel at the
    bottom as when shown first (the footer's old height was kept before)."""
    from kiosk.ui.samples import sample
    from kiosk.ui.screens.start import StartScreen

    def panel_bottom(window: KioskWindow) -> int:
        view = window.view
        assert isinstance(view, StartScreen)
        return view.hours.mapTo(window, view.hours.rect().bottomLeft()).y()

    fresh, _ = make_window("start")
    after, _ = make_window("certificate")
    after.show_state(sample("start"))
    settle(after)
    assert panel_bottom(after) == panel_bottom(fresh)
