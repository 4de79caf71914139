"""The base of every screen: render a :class:`FlowState` snapshot, send intents, never decide.

A screen view is made once and re-used; :meth:`ScreenView.render` sets every text from the
snapshot in the current language (so a language switch is a re-render of the same snapshot)
and :meth:`ScreenView.forget` drops whatever the screen showed of the resident when another
screen takes over (no PIN, name or number stays in a hidden widget).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.flow.events import Intent
from kiosk.flow.state import FlowState, Transaction
from kiosk.ui.widgets import label, metrics

IntentSink = Callable[[Intent], None]


@dataclass(frozen=True)
class NavAction:
    """A button of the screen's navigation row (right side of the footer)."""

    key: str  # stable name for tests and the gallery ("back", "next", "submit", …)
    text: str  # translated
    intent: Intent
    primary: bool = False
    enabled: bool = True


@dataclass(frozen=True)
class CancelInfo:
    """The footer's cancel button on this screen: shown? enabled? If not, why (translated)."""

    visible: bool = True
    enabled: bool = True
    reason: str = ""
    text: str = ""  # a screen-specific caption ("" = the standard "Cancel")
    intent: Intent | None = None  # None = Cancel()


class ScreenView(QWidget):
    """One screen of the flow. Subclasses set ``handles`` and implement :meth:`render`."""

    handles: ClassVar[tuple[type, ...]] = ()

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ScreenBody")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self._emit = emit
        self.body = QVBoxLayout(self)
        margin = metrics().margin
        self.body.setContentsMargins(margin, margin, margin, metrics().gap)
        self.body.setSpacing(metrics().gap)

    def send(self, intent: Intent) -> None:
        """Pass an intent to the sink (the flow decides what happens)."""
        self._emit(intent)

    def show_state(self, state: FlowState) -> None:
        """Show ``state`` (its screen is one of ``handles``) in the current language."""
        raise NotImplementedError

    def title(self, state: FlowState) -> str:
        """The header's title for ``state`` (translated)."""
        raise NotImplementedError

    def nav(self, state: FlowState) -> list[NavAction]:
        """The navigation buttons (back, next, confirm…) for ``state``."""
        return []

    def cancel(self, state: FlowState) -> CancelInfo:
        """How the footer's cancel button looks on this screen."""
        return CancelInfo()

    def spoken_reminder(self, state: FlowState) -> str:
        """The reminder this screen shows for ``state`` (取り忘れ: "your card is still on the
        card reader (right of the kiosk)!"), or "" — said again by audio guidance each time the
        flow reminds."""
        return ""

    def forget(self) -> None:
        """Drop what this screen showed of the resident (called when another screen shows)."""

    @staticmethod
    def txn(state: FlowState) -> Transaction:
        if state.txn is None:
            raise ValueError(f"{type(state.screen).__name__} needs a transaction")
        return state.txn

    def add_label(self, role: str = "body", stretch: int = 0) -> QLabel:
        widget = label("", role)
        self.body.addWidget(widget, stretch)
        return widget
