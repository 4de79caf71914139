"""What every staff page shares: the page base class and small builders (tables, scroll
areas, buttons), and how amounts and moments are written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QScrollArea, QVBoxLayout, QWidget

from kiosk.staff import events as se
from kiosk.staff import state as ss
from kiosk.ui.staff.texts import st
from kiosk.ui.widgets import TouchButton, metrics

JST = timezone(timedelta(hours=9), "JST")
Send = Callable[[se.StaffEvent], None]


def yen(amount: int | None) -> str:
    return "—" if amount is None else f"{amount:,} 円"


def when(moment: datetime) -> str:
    return moment.astimezone(JST).strftime("%Y-%m-%d %H:%M")


class Page(QWidget):
    """One staff page; :meth:`show_state` renders it in the staff language."""

    def __init__(self, send: Send) -> None:
        super().__init__()
        self.send = send
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(metrics().gap)
        self.language = "ja"

    def t(self, message: str) -> str:
        return st(message, self.language)

    def show_state(self, state: ss.StaffState) -> None:
        raise NotImplementedError


def table(content: QWidget) -> QGridLayout:
    """A grid whose rows stay at the top however few there are."""
    grid = QGridLayout(content)
    grid.setAlignment(Qt.AlignmentFlag.AlignTop)
    grid.setVerticalSpacing(metrics().px(6))
    return grid


def scroll(content: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(content)
    return area


def button(text: str, send: Send, event: se.StaffEvent, role: str = "choice") -> TouchButton:
    widget = TouchButton(text, role)
    widget.clicked.connect(lambda: send(event))
    return widget


__all__ = ["JST", "Page", "Send", "button", "scroll", "table", "when", "yen"]
