"""Overlays over the whole window: the language menu and the "continue?" prompt."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.flow.events import Cancel, ChooseLanguage, CloseLanguageMenu, Continue, Intent
from kiosk.i18n import _, language_name, ngettext
from kiosk.languages import MENU_HEADING
from kiosk.ui.theme import font_family
from kiosk.ui.widgets import TouchButton, frame, label, metrics


class Overlay(QWidget):
    """A full-window scrim with a dialog panel in its middle."""

    def __init__(self, emit: Callable[[Intent], None], parent: QWidget) -> None:
        super().__init__(parent)
        self._emit = emit
        self.setProperty("role", "scrim")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        outer = QVBoxLayout(self)
        pad = metrics().margin
        outer.setContentsMargins(pad * 3, pad, pad * 3, pad)
        outer.addStretch(1)
        self.dialog = frame("dialog")
        self.inner = QVBoxLayout(self.dialog)
        self.inner.setContentsMargins(pad, pad, pad, pad)
        self.inner.setSpacing(metrics().gap)
        outer.addWidget(self.dialog)
        outer.addStretch(1)
        self.hide()

    def cover(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.raise_()


class LanguageMenu(Overlay):
    """The seven languages, each named in its own language and its own font."""

    def __init__(
        self, emit: Callable[[Intent], None], languages: tuple[str, ...], parent: QWidget
    ) -> None:
        super().__init__(emit, parent)
        self.heading = label("", "title")
        self.inner.addWidget(self.heading)
        grid = QGridLayout()
        grid.setSpacing(metrics().gap)
        self.buttons: dict[str, TouchButton] = {}
        for index, code in enumerate(languages):
            button = TouchButton(language_name(code), checkable=True)
            # The name is always drawn in the family of its own language (glyph shapes).
            button.caption.setStyleSheet(f'font-family: "{font_family(code)}";')
            button.clicked.connect(lambda _=False, c=code: self._emit(ChooseLanguage(c)))
            grid.addWidget(button, index // 2, index % 2)
            self.buttons[code] = button
        self.inner.addLayout(grid)
        self.close_button = TouchButton("")
        self.close_button.clicked.connect(lambda: self._emit(CloseLanguageMenu()))
        self.inner.addWidget(self.close_button)

    def show_language(self, language: str) -> None:
        self.heading.setText(MENU_HEADING)
        for code, button in self.buttons.items():
            button.setChecked(code == language)
        self.close_button.setText(_("Close"))


class ContinuePrompt(Overlay):
    """'Are you still there?' with a countdown; Continue or Finish (cancel)."""

    def __init__(self, emit: Callable[[Intent], None], parent: QWidget) -> None:
        super().__init__(emit, parent)
        self.heading = label("", "title")
        self.text = label("", "lead")
        self.countdown = label("", "figure", wrap=False)
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for widget in (self.heading, self.text, self.countdown):
            self.inner.addWidget(widget)
        row = QHBoxLayout()
        row.setSpacing(metrics().gap)
        self.finish_button = TouchButton("")
        self.finish_button.clicked.connect(lambda: self._emit(Cancel()))
        self.continue_button = TouchButton("", "primary")
        self.continue_button.clicked.connect(lambda: self._emit(Continue()))
        row.addWidget(self.finish_button, 1)
        row.addWidget(self.continue_button, 1)
        self.inner.addLayout(row)
        self._remaining = 0
        self._money = False
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)

    @property
    def remaining(self) -> int:
        return self._remaining

    def start(self, seconds: float | None, money_held: bool) -> None:
        """Show the prompt with ``seconds`` on the clock (display only: the flow's timer
        decides when the session ends)."""
        self._remaining = max(0, int(seconds or 0))
        self._money = money_held
        self._timer.start()
        self.refresh()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        self._remaining = max(0, self._remaining - 1)
        self.refresh()
        if self._remaining == 0:
            self._timer.stop()

    def refresh(self) -> None:
        self.heading.setText(_("Are you still there?"))
        if self._money:
            self.text.setText(
                _(
                    "Tap “Continue” to go on. Otherwise your money is returned and the screen "
                    "goes back to the start."
                )
            )
        else:
            self.text.setText(
                _("Tap “Continue” to go on. Otherwise the screen goes back to the start.")
            )
        self.countdown.setText(
            ngettext("{count} second", "{count} seconds", self._remaining).format(
                count=self._remaining
            )
        )
        self.finish_button.setText(_("Finish"))
        self.continue_button.setText(_("Continue"))
