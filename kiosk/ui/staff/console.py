"""The staff console: the staff pages over the kiosk window, and the hidden ways to open it.

- Closed: nothing shows. The profile's key (a service keyboard or a key switch wired as one) or
  five taps on the window's top-left corner within three seconds (``StaffGesture``) open the
  staff login — the corner is the header's title, which does nothing for residents, and no
  mark shows the place.
- Waiting for a resident's transaction to end, or locked after wrong PINs: a thin banner over
  the header; the residents' screens stay usable under it.
- Login and pages: the console covers the whole window (the resident flow starts nothing while
  staff have the kiosk).

The console renders the staff runtime's state (kiosk/runtime/staff.py) and sends staff
intents; it decides nothing. Its words are the ``staff`` catalog's, in Japanese or English.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QTouchEvent
from PySide6.QtWidgets import QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk.staff import events as se
from kiosk.staff import state as ss
from kiosk.ui.staff.pages import PAGES, Page
from kiosk.ui.staff.texts import S_, st
from kiosk.ui.widgets import TouchButton, frame, label, metrics

CORNER_TAPS = 5  # taps on the corner that open the staff login
CORNER_WINDOW_S = 3.0  # … within this time
CORNER_SIZE_PX = 96  # the corner's side, at the 1280×800 reference size
BANNER_PX = 72

MESSAGES = {
    "saved": S_("Saved."),
    "journal_failed": S_("The journal could not record it: nothing was done. Call IT."),
    "locked": S_("Staff login is locked after too many wrong PINs. Try again later."),
}


class StaffSource(Protocol):
    def current(self) -> ss.StaffState: ...

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]: ...


class StaffConsole(QWidget):
    """See the module docstring. A child of the kiosk window; covers it when staff are in."""

    changed = Signal()  # from any thread: the staff state changed

    def __init__(
        self,
        source: StaffSource,
        send: Callable[[se.StaffEvent], None],
        parent: QWidget,
        *,
        open_key: str = "",
        corner_taps: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("StaffConsole")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setProperty("role", "staff")
        self._source = source
        self._send = send
        self._open_key = _qt_key(open_key)
        self._corner_taps = corner_taps
        self._taps: list[float] = []
        self._state: ss.StaffState | None = None
        self._pages: dict[type, Page] = {}
        self._build()
        self.changed.connect(self._refresh, Qt.ConnectionType.QueuedConnection)
        unsubscribe = source.subscribe(self.changed.emit)
        self.destroyed.connect(lambda *_: unsubscribe())
        parent.installEventFilter(self)
        self.hide()
        self._refresh()

    # -- building ---------------------------------------------------------------------------------
    def _build(self) -> None:
        m = metrics()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, m.gap)
        outer.setSpacing(m.gap)
        # The staff header: the residents' header colour, with the staff words on it, so that
        # nobody takes the staff screens for the residents' ones.
        self.header = QWidget()
        self.header.setProperty("role", "header")
        self.header.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        header = QHBoxLayout(self.header)
        header.setContentsMargins(m.margin, m.px(8), m.margin, m.px(8))
        self.title = label("", "header-title")
        header.addWidget(self.title, 1)
        self.language = TouchButton("", "header")
        self.language.clicked.connect(self._switch_language)
        header.addWidget(self.language)
        self.exit = TouchButton("", "header")
        self.exit.clicked.connect(lambda: self._send(se.StaffExit()))
        header.addWidget(self.exit)
        outer.addWidget(self.header)
        body = QVBoxLayout()
        body.setContentsMargins(m.margin, 0, m.margin, 0)
        body.setSpacing(m.gap)
        outer.addLayout(body, 1)
        self.banner = frame("warning")
        banner_row = QHBoxLayout(self.banner)
        self.banner_text = label("", "body")
        banner_row.addWidget(self.banner_text, 1)
        self.banner_close = TouchButton("", min_height=m.px(48))
        self.banner_close.clicked.connect(self._close_banner)
        banner_row.addWidget(self.banner_close)
        body.addWidget(self.banner)
        self.stack = QStackedWidget()
        body.addWidget(self.stack, 1)
        footer = QHBoxLayout()
        self.message = label("", "lead")
        footer.addWidget(self.message, 1)
        self.back = TouchButton("")
        self.back.setMinimumWidth(m.px(220))
        self.back.clicked.connect(lambda: self._send(se.StaffBack()))
        footer.addWidget(self.back)
        body.addLayout(footer)

    def _page(self, screen_type: type) -> Page:
        page = self._pages.get(screen_type)
        if page is None:
            page = PAGES[screen_type](self._send)
            self._pages[screen_type] = page
            self.stack.addWidget(page)
        return page

    # -- rendering --------------------------------------------------------------------------------
    @property
    def state(self) -> ss.StaffState | None:
        return self._state

    @property
    def page(self) -> Page | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, Page) and self.isVisible() else None

    def _refresh(self) -> None:
        state = self._source.current()
        self._state = state
        screen = state.screen
        if isinstance(screen, ss.Closed):
            self.hide()
            return
        banner = isinstance(screen, ss.Waiting | ss.LockedOut)
        self.banner.setVisible(banner)
        for widget in (self.header, self.stack, self.message, self.back):
            widget.setVisible(not banner)
        if banner:
            self._show_banner(state)
        else:
            self._show_page(state)
        self._place(banner)
        self.show()
        self.raise_()

    def _show_banner(self, state: ss.StaffState) -> None:
        language = state.language
        screen = state.screen
        if isinstance(screen, ss.LockedOut):
            text = st(MESSAGES["locked"], language)
        elif isinstance(screen, ss.Waiting) and screen.resident:
            text = st(S_("Staff mode opens when the resident's transaction ends."), language)
        else:
            text = st(S_("Opening staff mode…"), language)
        self.banner_text.setText(text)
        self.banner_close.setText(st(S_("Cancel"), language))

    def _show_page(self, state: ss.StaffState) -> None:
        language = state.language
        screen = state.screen
        page = self._page(type(screen))
        page.language = language
        page.show_state(state)
        self.stack.setCurrentWidget(page)
        who = f" — {state.staff_id}" if state.staff_id else ""
        self.title.setText(st(S_("Staff menu"), language) + who)
        self.language.setText("English" if language == "ja" else "日本語")
        self.exit.setText(st(S_("Exit staff mode"), language))
        self.message.setText(st(MESSAGES[state.message], language) if state.message else "")
        menu = isinstance(screen, ss.Menu)
        self.back.setVisible(not menu)
        self.back.setText(st(S_("Back"), language))

    def _place(self, banner: bool) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        rect = parent.rect()
        if banner:
            rect.setHeight(metrics().px(BANNER_PX) + metrics().gap)
        self.setGeometry(rect)

    # -- intents ----------------------------------------------------------------------------------
    def _switch_language(self) -> None:
        state = self._state
        if state is not None:
            self._send(se.SwitchLanguage("en" if state.language == "ja" else "ja"))

    def _close_banner(self) -> None:
        state = self._state
        if state is not None and isinstance(state.screen, ss.LockedOut):
            self._send(se.StaffBack())
        else:
            self._send(se.StaffExit())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The hidden openers, watched on the kiosk window (residents' events pass on)."""
        kind = event.type()
        if kind == QEvent.Type.Resize and self.isVisible() and self._state is not None:
            self._place(isinstance(self._state.screen, ss.Waiting | ss.LockedOut))
        elif kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if self._open_key is not None and event.key() == self._open_key:
                self._send(se.OpenStaff())
                return True
        elif kind == QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent):
            self.corner_tap(event.position().toPoint())
        elif kind == QEvent.Type.TouchBegin and isinstance(event, QTouchEvent):
            points = event.points()
            if points:
                self.corner_tap(points[0].position().toPoint())
        return False

    def corner_tap(self, where: QPoint, now: float | None = None) -> None:
        """A press on the kiosk window at ``where`` (window coordinates)."""
        if not self._corner_taps:
            return
        size = metrics().px(CORNER_SIZE_PX)
        if where.x() > size or where.y() > size:
            self._taps.clear()
            return
        moment = time.monotonic() if now is None else now
        self._taps = [t for t in self._taps if moment - t <= CORNER_WINDOW_S] + [moment]
        if len(self._taps) >= CORNER_TAPS:
            self._taps.clear()
            self._send(se.OpenStaff())


def _qt_key(name: str) -> int | None:
    """The Qt key of a profile's key name (F1–F24, Pause, ScrollLock)."""
    if not name:
        return None
    key = getattr(Qt.Key, f"Key_{name}", None)
    return int(key.value) if key is not None else None


__all__ = ["CORNER_TAPS", "StaffConsole", "StaffSource"]
