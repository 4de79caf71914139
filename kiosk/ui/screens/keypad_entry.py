"""The keypad-entry screens' common part: what is typed on the left, the digit keypad on the
right, every key an intent (``Digit``, ``Backspace`` 訂正, ``ClearEntry`` クリア).

The PIN, the 14-digit 照合番号B and the application number are entered this way; the screens
keep only what the flow's state gives them (a count of digits for the secrets).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.flow.events import Backspace, ClearEntry, Digit
from kiosk.i18n import _, ngettext
from kiosk.ui.screens.base import IntentSink, ScreenView
from kiosk.ui.widgets import Keypad, label, metrics


def masked(entered: int, length: int, group: tuple[int, ...] = ()) -> str:
    """● for each digit entered, ○ for each still to enter (grouped with spaces)."""
    marks = ["●" if i < entered else "○" for i in range(length)]
    if not group:
        return " ".join(marks)
    parts, start = [], 0
    for size in group:
        parts.append("".join(marks[start : start + size]))
        start += size
    return "  ".join(parts)


def tries_left_text(count: int) -> str:
    """ "You have N tries left." in the current language."""
    return ngettext("You have {count} try left.", "You have {count} tries left.", count).format(
        count=count
    )


class KeypadEntryScreen(ScreenView):
    """A column of texts (filled by the subclass with :meth:`fill_column`) beside the keypad.

    ``split`` is the stretch of the column and of the keypad, ``spacing`` the room between them
    (default: two margins), ``column_gap`` the theme's gap between the texts (else the layout's
    own); ``extra`` an extra keypad key (``"-"`` for the application number), reported to
    :meth:`extra_key`.
    """

    def __init__(
        self,
        emit: IntentSink,
        parent: QWidget | None = None,
        *,
        split: tuple[int, int] = (3, 2),
        spacing: int | None = None,
        column_gap: bool = True,
        extra: str | None = None,
    ) -> None:
        super().__init__(emit, parent)
        self.row = QHBoxLayout()
        self.row.setSpacing(metrics().margin * 2 if spacing is None else spacing)
        self.column = QVBoxLayout()
        if column_gap:
            self.column.setSpacing(metrics().gap)
        self.row.addLayout(self.column, split[0])
        self.keypad = Keypad(extra=extra)
        self.keypad.digit.connect(lambda key: self.send(Digit(key)))
        self.keypad.backspace.connect(lambda: self.send(Backspace()))
        self.keypad.clear.connect(lambda: self.send(ClearEntry()))
        self.keypad.extra_key.connect(self.extra_key)
        self.row.addWidget(self.keypad, split[1])
        self.body.addLayout(self.row, 1)

    @staticmethod
    def entry_display() -> QLabel:
        """The big centred line of ● and ○."""
        display = label("", "figure", wrap=False)
        display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return display

    def fill_column(self, *widgets: QWidget) -> None:
        """The texts beside the keypad, top to bottom."""
        for widget in widgets:
            self.column.addWidget(widget)
        self.column.addStretch(1)

    def caption_keys(self) -> None:
        """The keypad's 訂正 and クリア keys in the current language (call in show_state)."""
        self.keypad.set_captions(_("Correct"), _("Clear"))

    def extra_key(self, key: str) -> None:
        """The extra key was tapped (only with ``extra``)."""


__all__ = ["KeypadEntryScreen", "masked", "tries_left_text"]
