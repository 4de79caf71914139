"""The kana keyboard widget with the real SKK dictionaries (skkdic, skkdic-extra)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from kiosk.flow.events import EditField, FormField
from kiosk.ui.kana_keyboard import KanaKeyboard, shared_loader
from kiosk.ui.screens.registration import RegistrationFormScreen
from tests.kiosk.ui.conftest import MakeWindow, settle


@pytest.fixture
def keyboard(qtbot: QtBot) -> KanaKeyboard:
    loader = shared_loader()
    widget = KanaKeyboard(loader)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: loader.done, timeout=30_000)
    assert loader.dictionary is not None, "the SKK dictionaries could not be read"
    qtbot.waitUntil(lambda: widget.composer.dictionary is not None)
    return widget


def convert_and_pick(keyboard: KanaKeyboard, wanted: str) -> None:
    """Tap 変換 and the candidate button ``wanted`` (turning candidate pages)."""
    keyboard.convert_key.click()
    for _page in range(20):
        for button in keyboard.candidate_buttons:
            if button.isVisible() and button.text() == wanted:
                button.click()
                return
        if not keyboard.more.isVisible():
            break
        keyboard.more.click()
    raise AssertionError(f"{wanted} not among {keyboard.composer.candidates}")


def test_nerimaku_converts_to_nerima_ku(keyboard: KanaKeyboard) -> None:
    changes: list[str] = []
    keyboard.text_changed.connect(changes.append)
    for kana in "ねりまく":
        keyboard.press(kana)
    assert keyboard.composer.reading == "ねりまく"
    assert changes[-1] == "ねりまく"  # the pending reading is part of the field's text
    assert keyboard.convert_key.isEnabled()
    keyboard.convert_key.click()
    candidates = keyboard.composer.candidates
    assert candidates, "no candidates for ねりまく"
    if "練馬区" in candidates:
        convert_and_pick(keyboard, "練馬区")
    else:  # converted piece by piece: 練馬 + 区
        convert_and_pick(keyboard, "練馬")
        convert_and_pick(keyboard, "区")
    assert keyboard.composer.text == "練馬区"
    assert changes[-1] == "練馬区"


def test_dakuten_small_katakana_digits_and_delete(keyboard: KanaKeyboard) -> None:
    keyboard.press("か")
    keyboard.dakuten.click()  # が
    keyboard.press("つ")
    keyboard.small.click()  # っ
    keyboard.press("こ")
    keyboard.katakana_key.click()
    assert keyboard.composer.text == "ガッコ"
    keyboard.press("１")  # on the digits page
    assert keyboard.composer.text == "ガッコ１"
    keyboard.backspace.click()
    assert keyboard.composer.text == "ガッコ"
    keyboard.clear_key.click()
    assert keyboard.composer.text == ""


def test_form_sends_edit_field(make_window: MakeWindow, qtbot: QtBot) -> None:
    loader = shared_loader()
    loader.start()
    qtbot.waitUntil(lambda: loader.done, timeout=30_000)
    window, recorder = make_window("registration-form")
    view = window.view
    assert isinstance(view, RegistrationFormScreen)
    view.field_buttons[FormField.HITTOSHA].click()
    settle(window)
    for kana in "やま":
        view.keyboard.press(kana)
    assert recorder.sent == [
        EditField(FormField.HITTOSHA, "や"),
        EditField(FormField.HITTOSHA, "やま"),
    ]
