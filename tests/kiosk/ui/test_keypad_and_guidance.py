"""Keypad navigation and the audio guidance's announcements (city-hall accessibility), on the
real window driven by the real flow: a resident goes from the start screen to the PIN keypad
with arrow keys and Enter only, hears each screen and each focused button, and the PIN is
never said."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk import i18n
from kiosk.flow import events as ev
from kiosk.flow.state import Consent, PinEntry, PlaceCard, Start
from kiosk.ui.window import KioskWindow
from tests.kiosk.ui.conftest import MakeWindow, fresh_state, settle

PIN = "7391"


class Heard:
    def __init__(self) -> None:
        self.said: list[tuple[str, str]] = []

    def __call__(self, language: str, text: str) -> None:
        self.said.append((language, text))

    def last(self) -> str:
        return self.said[-1][1]


def press(qtbot: QtBot, window: KioskWindow, *keys: Qt.Key) -> None:
    for key in keys:
        qtbot.keyClick(window, key)
        settle(window)


def focused_text(window: KioskWindow) -> str:
    assert window.keypad is not None
    assert window.keypad.focused is not None
    return window.keypad.focused.text()


def test_from_the_start_screen_to_the_pin_with_the_keypad(
    make_window: MakeWindow, qtbot: QtBot
) -> None:
    heard = Heard()
    window, driver = make_window(fresh_state(), drive=True, keypad_navigation=True, announce=heard)
    assert isinstance(window.state.screen, Start)  # type: ignore[union-attr]
    # The screen is announced with its first button: the language button (top of the page).
    assert window.keypad is not None
    buttons = window.keypad.buttons()
    assert buttons[0] is window.language_button
    assert "証明書の交付" in [b.text() for b in buttons]
    first = heard.last()
    assert "いらっしゃいませ" in first
    assert focused_text(window) in first
    # Down to 証明書の交付, each step announced; Enter chooses it.
    while focused_text(window) != "証明書の交付":
        press(qtbot, window, Qt.Key.Key_Down)
        assert heard.last() == focused_text(window)
    assert window.keypad.focused.property("keypad_focus") is True  # type: ignore[union-attr]
    press(qtbot, window, Qt.Key.Key_Return)
    assert isinstance(window.state.screen, Consent)  # type: ignore[union-attr]
    assert driver.sent[-1] == ev.ChooseService(ev.Service.ISSUE)
    # The new screen is announced whole (title and notes), the focus starts over.
    assert "\n" in heard.last()
    # Previous (Up) wraps around to the last button: the screen's primary action.
    press(qtbot, window, Qt.Key.Key_Up)
    agree = window.nav_button("agree")
    assert window.keypad.focused is agree
    press(qtbot, window, Qt.Key.Key_5)  # 5 on a numeric keypad presses too
    assert isinstance(window.state.screen, PlaceCard)  # type: ignore[union-attr]
    # Escape cancels (the cancel button of the screen).
    press(qtbot, window, Qt.Key.Key_Escape)
    assert driver.sent[-1] == ev.Cancel()


def test_a_hidden_or_disabled_button_is_never_focused(make_window: MakeWindow) -> None:
    window, _ = make_window("start-center-down", keypad_navigation=True)
    assert window.keypad is not None
    buttons = window.keypad.buttons()
    assert all(b.isEnabled() and b.isVisible() for b in buttons)
    assert "証明書の交付" not in [b.text() for b in buttons]  # unavailable: disabled


def test_the_pin_is_never_announced(make_window: MakeWindow, qtbot: QtBot) -> None:
    heard = Heard()
    window, driver = make_window("pin-entry", drive=True, keypad_navigation=True, announce=heard)
    assert isinstance(window.state.screen, PinEntry)  # type: ignore[union-attr]
    for digit in PIN:
        while focused_text(window) != digit:
            press(qtbot, window, Qt.Key.Key_Right)
        press(qtbot, window, Qt.Key.Key_Return)
    assert [e for e in driver.sent if isinstance(e, ev.Digit)] == [ev.Digit(d) for d in PIN]
    spoken = "\n".join(text for _, text in heard.said)
    assert PIN not in spoken.replace("\n", "")
    # Only the keys' labels as the focus passed them, never the entered sequence.
    assert all(PIN not in text.replace(" ", "") for _, text in heard.said)


def test_news_on_the_same_screen_and_the_language(make_window: MakeWindow, qtbot: QtBot) -> None:
    heard = Heard()
    window, driver = make_window(fresh_state(), drive=True, keypad_navigation=True, announce=heard)
    count = len(heard.said)
    press(qtbot, window, Qt.Key.Key_Down)  # a focus move: one short announcement
    assert len(heard.said) == count + 1
    driver.feed(ev.OpenLanguageMenu())
    settle(window)
    # The menu is the top layer now: announced, and the focus is inside it.
    assert window.language_menu.isVisible()
    assert window.keypad is not None
    assert window.keypad.focused is not None
    assert window.language_menu.isAncestorOf(window.keypad.focused)
    driver.feed(ev.ChooseLanguage("en"))
    settle(window)
    assert heard.said[-1][0] == "en"
    assert "Welcome" in heard.last()
    i18n.set_language("ja")


def test_no_keypad_no_announcer_changes_nothing(make_window: MakeWindow, qtbot: QtBot) -> None:
    window, driver = make_window(fresh_state(), drive=True)
    assert window.keypad is None
    press(qtbot, window, Qt.Key.Key_Down, Qt.Key.Key_Return)
    assert driver.sent == []


def test_a_switch_side_is_announced_with_its_setting(make_window: MakeWindow, qtbot: QtBot) -> None:
    """A side of an options switch says which setting it is and whether it is the chosen one
    (its caption alone, 「記載する」, would not say what is shown)."""
    heard = Heard()
    window, _ = make_window("options-juminhyo", keypad_navigation=True, announce=heard)
    spoken = []
    for _step in range(30):
        press(qtbot, window, Qt.Key.Key_Down)
        spoken.append(heard.last())
    assert "世帯主・続柄：記載する（選択中）" in spoken
    assert "世帯主・続柄：記載しない" in spoken
    assert "本籍・筆頭者：記載しない（選択中）" in spoken
    assert "どなたの分が必要ですか？：世帯の一部（人を選ぶ）（選択中）" in spoken
    assert not any("✓" in text for text in spoken)
