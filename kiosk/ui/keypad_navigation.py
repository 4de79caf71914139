"""Keypad navigation (the city-hall profile's ``accessibility.keypad_navigation``): a resident
who cannot use the touch screen moves through the screen's buttons with a keypad — arrows (or
2/4/6/8 on a numeric pad) and Tab to move, Enter (or 5, or Space) to press, Escape to cancel —
and every button the focus lands on is announced (``on_focus``: the audio guidance speaks it).

The focus is the window's own (a ``keypad_focus`` property the theme draws as a yellow button
with a thick dark ring, visible on every button tone in both themes),
not Qt's widget focus: touch buttons never take Qt focus, so a tap can never leave a hidden
focus behind, and the order is the reading order of what is visible — top to bottom, left to
right — in the topmost layer (the continue prompt, else the language menu, else the screen).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel, QWidget

from kiosk.ui.widgets import TouchButton, restyle

NEXT_KEYS = frozenset({Qt.Key.Key_Down, Qt.Key.Key_Right, Qt.Key.Key_Tab, Qt.Key.Key_6,
                       Qt.Key.Key_2})  # fmt: skip
PREVIOUS_KEYS = frozenset({Qt.Key.Key_Up, Qt.Key.Key_Left, Qt.Key.Key_Backtab, Qt.Key.Key_4,
                           Qt.Key.Key_8})  # fmt: skip
PRESS_KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space, Qt.Key.Key_5})
CANCEL_KEYS = frozenset({Qt.Key.Key_Escape})

FocusListener = Callable[[str], None]


class KeypadNavigator:
    """Moves a visible focus over the buttons of ``layers()`` (topmost visible layer first)."""

    def __init__(
        self,
        layers: Callable[[], list[QWidget]],
        cancel: Callable[[], TouchButton | None],
        on_focus: FocusListener | None = None,
    ) -> None:
        self._layers = layers
        self._cancel = cancel
        self._on_focus = on_focus
        self._focused: TouchButton | None = None

    @property
    def focused(self) -> TouchButton | None:
        return self._focused

    def buttons(self) -> list[TouchButton]:
        """The buttons a resident can press now, in reading order."""
        for layer in self._layers():
            if not layer.isVisible():
                continue
            found = [
                b for b in layer.findChildren(TouchButton) if b.isVisibleTo(layer) and b.isEnabled()
            ]
            if found:
                return sorted(found, key=_reading_position)
        return []

    def refresh(self, screen_changed: bool) -> TouchButton | None:
        """After a render: keep the focus if its button is still there, else the first.

        Returns the button the focus moved to (not announced: the window announces it with
        the screen), or None when it stayed.
        """
        buttons = self.buttons()
        if not screen_changed and self._focused in buttons:
            return None
        target = buttons[0] if buttons else None
        self._move_to(target, announce=False)
        return target

    def handle_key(self, key: int) -> bool:
        """Act on ``key``; True when it was a navigation key."""
        if key in NEXT_KEYS or key in PREVIOUS_KEYS:
            buttons = self.buttons()
            if not buttons:
                return True
            step = 1 if key in NEXT_KEYS else -1
            if self._focused in buttons:
                index = (buttons.index(self._focused) + step) % len(buttons)
            else:
                index = 0 if step > 0 else len(buttons) - 1
            self._move_to(buttons[index])
            return True
        if key in PRESS_KEYS:
            if self._focused is not None and self._focused in self.buttons():
                self._focused.click()
            return True
        if key in CANCEL_KEYS:
            cancel = self._cancel()
            if cancel is not None and cancel.isVisible() and cancel.isEnabled():
                cancel.click()
            return True
        return False

    def _move_to(self, button: TouchButton | None, *, announce: bool = True) -> None:
        previous = self._focused
        if previous is button:
            return
        if previous is not None:
            try:
                previous.setProperty("keypad_focus", False)
                _restyle_tree(previous)
            except RuntimeError:  # deleted with its screen (the window rebuilt its widgets)
                pass
        self._focused = button
        if button is not None:
            button.setProperty("keypad_focus", True)
            _restyle_tree(button)
            if announce and self._on_focus is not None:
                self._on_focus(button.spoken())


def _restyle_tree(button: TouchButton) -> None:
    """The focus look is on the button and its text label (a child): re-polish both."""
    restyle(button)
    for child in button.findChildren(QLabel):
        restyle(child)


def _reading_position(button: TouchButton) -> tuple[int, int]:
    point = button.mapToGlobal(QPoint(0, 0))
    return (point.y(), point.x())


__all__ = ["KeypadNavigator"]
