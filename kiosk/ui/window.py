"""The kiosk window: header (title, language button), the current screen, footer (cancel and
the screen's navigation), and the overlays. It renders snapshots and forwards intents.

The wiring (kiosk/app/qt.py) gives it a *state source* and an *intent sink*::

    window = KioskWindow(source, sink)   # source.current() -> FlowState; sink(intent)

The source's listeners may be called from any thread: the window only emits a Qt signal there
(queued to the UI thread), then reads ``source.current()`` and renders it; several changes in a
row render once. Intents are passed to the sink on the UI thread; the sink must not block (the
runner queues them). The window itself does no I/O and decides nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QPoint, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk import i18n
from kiosk.flow.events import Cancel, Intent, OpenLanguageMenu
from kiosk.flow.state import FlowState
from kiosk.flow.timeouts import TimerName
from kiosk.i18n import LanguageHolder, _
from kiosk.ui.keypad_navigation import KeypadNavigator
from kiosk.ui.overlays import ContinuePrompt, LanguageMenu
from kiosk.ui.screens import VIEWS, CancelInfo, NavAction, ScreenView
from kiosk.ui.theme import Metrics, Theme, ThemeName
from kiosk.ui.widgets import TouchButton, label, metrics, restyle, set_metrics

log = logging.getLogger(__name__)

IntentSink = Callable[[Intent], None]
NAV_SLOTS = 3


def relayout(view: QWidget) -> None:
    """Drop every cached layout size under ``view``.

    Qt caches height-for-width per layout and re-computes a parent's only when a child's
    minimum size changes; a wrapped label inside a frame that got longer text would keep its
    old height and be cut off. Invalidating the tree after a render is cheap (≈1 ms).
    """
    for widget in (view, *view.findChildren(QWidget)):
        layout = widget.layout()
        if layout is not None:
            layout.invalidate()
            widget.updateGeometry()  # drops the parent layout's cached item sizes too
    top = view.layout()
    if top is not None:
        top.activate()


# Audio guidance: (language, text) for a speech guide (kiosk/speech.py). Called on the UI
# thread; must return at once.
Announcer = Callable[[str, str], None]


def spoken_labels(layer: QWidget | None) -> list[str]:
    """The visible texts of ``layer`` a listener needs, in reading order: its labels, except
    those inside buttons (a button is announced when the keypad focus reaches it)."""
    if layer is None:
        return []
    found: list[tuple[int, int, str]] = []
    for item in layer.findChildren(QLabel):
        if not item.isVisibleTo(layer) or not item.text().strip():
            continue
        if any(isinstance(parent, QPushButton) for parent in _ancestors(item, layer)):
            continue
        point = item.mapTo(layer, QPoint(0, 0))
        found.append((point.y(), point.x(), item.text().strip()))
    return [text for _, _, text in sorted(found)]


def _ancestors(widget: QWidget, stop: QWidget) -> list[QWidget]:
    chain: list[QWidget] = []
    parent = widget.parentWidget()
    while parent is not None and parent is not stop:
        chain.append(parent)
        parent = parent.parentWidget()
    return chain


class StateSource(Protocol):
    """Where the window reads the flow's state; ``subscribe`` returns an unsubscribe function.

    Listeners take no arguments and may be called from any thread."""

    def current(self) -> FlowState: ...

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]: ...


class StateHolder:
    """A thread-safe :class:`StateSource` holding the latest snapshot (for the runner, tests
    and the gallery)."""

    def __init__(self, state: FlowState) -> None:
        self._lock = threading.Lock()
        self._state = state
        self._listeners: list[Callable[[], None]] = []

    def current(self) -> FlowState:
        with self._lock:
            return self._state

    def set(self, state: FlowState) -> None:
        with self._lock:
            self._state = state
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe


class KioskWindow(QWidget):
    """The kiosk's one window (full screen on a kiosk). See the module docstring."""

    state_changed = Signal()  # emitted from any thread by the source's listener
    language_changed = Signal(str)  # emitted from any thread by the language holder

    def __init__(
        self,
        source: StateSource,
        sink: IntentSink,
        *,
        theme: ThemeName | str = ThemeName.STANDARD,
        size: tuple[int, int] = (1280, 800),
        language_holder: LanguageHolder | None = None,
        keypad_navigation: bool = False,
        announce: Announcer | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("KioskWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setWindowTitle("Kiosk")
        self._source = source
        self._sink = sink
        # kiosk.i18n's `_` reads the process-wide holder; another holder is for tests only.
        self._holder = language_holder or i18n.current
        self._theme = Theme.create(theme, *size)
        self._state: FlowState | None = None
        self._view: ScreenView | None = None
        self._views: dict[type, ScreenView] = {}
        self._content: QWidget | None = None
        self._style_language = ""
        # Keypad navigation (city-hall accessibility): see kiosk/ui/keypad_navigation.py.
        self._keypad = (
            KeypadNavigator(self._layers, lambda: self._cancel, self._say)
            if keypad_navigation
            else None
        )
        # Audio guidance (city-hall accessibility): what to say, in the shown language.
        self._announce = announce
        self._top_layer: QWidget | None = None
        self._spoken: list[str] = []  # the labels last announced
        self._reminded: tuple[str, int] = ("", 0)  # the screen and reminder count last said
        if keypad_navigation:
            self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the window takes the keys
        set_metrics(self._theme.metrics)
        self._build()
        self.resize(*size)
        self.state_changed.connect(self._refresh, Qt.ConnectionType.QueuedConnection)
        self.language_changed.connect(self._retranslate, Qt.ConnectionType.QueuedConnection)
        unsubscribe = source.subscribe(self.state_changed.emit)
        unlisten = self._holder.add_listener(self.language_changed.emit)
        self._unsubscribe, self._unlisten = unsubscribe, unlisten
        # A deleted window must not be called by the source or the holder any more (emitting
        # on a deleted Qt object aborts the process). The closure holds no reference to self.
        self.destroyed.connect(lambda *_: (unsubscribe(), unlisten()))
        self.show_state(source.current())

    # --- public -------------------------------------------------------------------------------

    @property
    def state(self) -> FlowState | None:
        """The snapshot on screen."""
        return self._state

    @property
    def view(self) -> ScreenView | None:
        """The screen view on screen."""
        return self._view

    @property
    def theme(self) -> Theme:
        return self._theme

    def send(self, intent: Intent) -> None:
        """Pass a resident's intent to the sink."""
        self._sink(intent)

    def close_source(self) -> None:
        """Stop listening to the source and the language holder."""
        self._unsubscribe()
        self._unlisten()

    def show_state(self, state: FlowState) -> None:
        """Show ``state`` now (the queued refresh calls this with ``source.current()``)."""
        previous = self._state
        # The flow's language wins when it changes; the holder may also be switched from
        # outside (then the same snapshot is re-rendered in that language).
        changed = previous is None or state.language != previous.language
        if changed and state.language != self._holder.language:
            self._holder.set(state.language)
        self._apply_style()
        view = self._view_for(state)
        view_changed = view is not self._view
        if view_changed:
            if self._view is not None:
                self._view.forget()
            self._stack.setCurrentWidget(view)
            self._view = view
        self._state = state
        view.show_state(state)
        self._render_chrome(state, view)
        # The whole page, not only the view: a footer that lost its buttons (the start screen
        # after any other) kept its old height and pushed the start screen's panel up.
        relayout(self._content or view)
        self._after_render(view_changed)

    @property
    def keypad(self) -> KeypadNavigator | None:
        """The keypad navigator (None unless keypad navigation is on)."""
        return self._keypad

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._keypad is not None and self._keypad.handle_key(event.key()):
            event.accept()
            return
        super().keyPressEvent(event)

    def _layers(self) -> list[QWidget]:
        """What a resident deals with, topmost first: the prompt, the language menu, the
        screen (its header and footer included)."""
        layers: list[QWidget] = [self._prompt, self._menu]
        if self._content is not None:
            layers.append(self._content)
        return layers

    def _after_render(self, view_changed: bool, *, retranslated: bool = False) -> None:
        top = next((layer for layer in self._layers() if layer.isVisible()), None)
        changed = view_changed or top is not self._top_layer
        self._top_layer = top
        focused = self._keypad.refresh(changed) if self._keypad is not None else None
        if top is None or self._announce is None:
            return  # nothing to say (and no label walk on every render)
        labels = spoken_labels(self._view if top is self._content else top)
        if changed or retranslated:
            said = [self._title.text()] if top is self._content else []
            said += labels
            if self._keypad is not None and self._keypad.focused is not None:
                said.append(self._keypad.focused.spoken())
        else:
            # The same screen with news (money inserted, tries left, progress): only what is new.
            said = [text for text in labels if text not in self._spoken]
            if focused is not None:
                said.append(focused.spoken())
        self._say("\n".join(said))
        self._spoken = labels
        self._say_reminder(said)

    def _say_reminder(self, said: list[str]) -> None:
        """Each reminder of the flow (取り忘れ: card, certificates, change) is said again with the
        part to look at, not only shown (the label stays the same, so it is not news)."""
        state, view = self._state, self._view
        if state is None or view is None:
            return
        count = getattr(state.screen, "reminders", 0)
        key = (type(state.screen).__name__, count)
        if count and key != self._reminded:
            text = view.spoken_reminder(state)
            if text and text not in said:
                self._say(text)
        self._reminded = key

    def _say(self, text: str) -> None:
        if self._announce is not None and text.strip():
            self._announce(self._holder.language, text)

    def nav_button(self, key: str) -> TouchButton | None:
        """The navigation button ``key`` ("back", "next", "submit", …) if shown."""
        for button in self._nav_buttons:
            if button.isVisible() and button.property("nav_key") == key:
                return button
        return None

    @property
    def cancel_button(self) -> TouchButton:
        return self._cancel

    @property
    def language_button(self) -> TouchButton:
        return self._language

    @property
    def language_menu(self) -> LanguageMenu:
        return self._menu

    @property
    def prompt(self) -> ContinuePrompt:
        return self._prompt

    def sizeHint(self) -> QSize:
        return QSize(1280, 800)

    # --- building -----------------------------------------------------------------------------

    def _build(self) -> None:
        if self._content is not None:
            self._content.hide()
            self._content.deleteLater()
        for view in self._views.values():
            view.forget()
        self._views = {}
        self._view = None
        m = metrics()
        content = QWidget(self)
        self._content = content
        outer = QVBoxLayout(content)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        header = QWidget()
        header.setProperty("role", "header")
        header.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        header_row = QHBoxLayout(header)
        header_row.setContentsMargins(m.margin, m.px(8), m.margin, m.px(8))
        self._title = label("", "header-title")
        header_row.addWidget(self._title, 1)
        self._language = TouchButton("", "header")
        self._language.setMinimumWidth(m.px(220))
        self._language.clicked.connect(lambda: self.send(OpenLanguageMenu()))
        header_row.addWidget(self._language)
        outer.addWidget(header)
        self._stack = QStackedWidget()
        outer.addWidget(self._stack, 1)
        footer = QWidget()
        footer_row = QHBoxLayout(footer)
        footer_row.setContentsMargins(m.margin, m.gap, m.margin, m.gap)
        footer_row.setSpacing(m.gap)
        self._cancel = TouchButton("")
        self._cancel.clicked.connect(self._cancel_clicked)
        footer_row.addWidget(self._cancel, 3)
        self._cancel_reason = label("", "muted")
        footer_row.addWidget(self._cancel_reason, 4)
        self._nav_buttons: list[TouchButton] = []
        for _slot in range(NAV_SLOTS):
            button = TouchButton("")
            button.clicked.connect(lambda _=False, b=button: self._nav_clicked(b))
            footer_row.addWidget(button, 3)
            self._nav_buttons.append(button)
        outer.addWidget(footer)
        self._cancel_intent: Intent = Cancel()
        languages = self._source.current().settings.languages
        self._menu = LanguageMenu(self.send, languages, self)
        self._prompt = ContinuePrompt(self.send, self)
        content.setGeometry(self.rect())
        content.show()

    def _view_for(self, state: FlowState) -> ScreenView:
        screen_type = type(state.screen)
        view = self._views.get(screen_type)
        if view is None:
            view_class = VIEWS[screen_type]
            view = next((v for v in self._views.values() if type(v) is view_class), None)
            if view is None:
                view = view_class(self.send)
                self._stack.addWidget(view)
            self._views[screen_type] = view
        return view

    def _apply_style(self) -> None:
        language = self._holder.language
        if language != self._style_language:
            self.setStyleSheet(self._theme.style_sheet(language))
            self._style_language = language

    # --- chrome -------------------------------------------------------------------------------

    def _render_chrome(self, state: FlowState, view: ScreenView) -> None:
        self._title.setText(view.title(state))
        self._fit_title()
        self._language.setText(f"{i18n.language_name(self._holder.language)}\nLanguage・言語")
        self._render_footer(view.cancel(state), view.nav(state))
        self._menu.setVisible(state.language_menu_open)
        if state.language_menu_open:
            self._menu.show_language(state.language)
            self._menu.cover()
        was_prompting = self._prompt.isVisible()
        self._prompt.setVisible(state.prompt)
        if state.prompt:
            if not was_prompting:
                seconds = state.settings.timeouts.seconds(TimerName.CONTINUE_PROMPT)
                money = state.txn is not None and state.txn.money.held_yen > 0
                self._prompt.start(seconds, money)
            else:
                self._prompt.refresh()
            self._prompt.cover()
        else:
            self._prompt.stop()

    def _fit_title(self) -> None:
        """A title longer than one header line (a long certificate name with its Japanese name,
        in Spanish) takes the body size, so that its two lines fit the header's height."""
        m = metrics()
        room = self.width() - 2 * m.margin - max(m.px(220), self._language.width()) - m.gap
        font = QFont(self._title.font())
        font.setPixelSize(m.large)
        font.setBold(True)
        long = QFontMetrics(font).horizontalAdvance(self._title.text()) > room
        role = "header-title-small" if long else "header-title"
        if self._title.property("role") != role:
            self._title.setProperty("role", role)
            restyle(self._title)

    def _render_footer(self, cancel: CancelInfo, actions: list[NavAction]) -> None:
        self._cancel.setVisible(cancel.visible)
        self._cancel.setEnabled(cancel.enabled)
        self._cancel.setText(cancel.text or _("Cancel"))
        self._cancel.set_role("choice")
        self._cancel_intent = cancel.intent or Cancel()
        self._cancel_reason.setVisible(cancel.visible and not cancel.enabled)
        self._cancel_reason.setText(cancel.reason)
        shown = actions[:NAV_SLOTS]
        offset = NAV_SLOTS - len(shown)  # right-aligned: the primary action is rightmost
        for index, button in enumerate(self._nav_buttons):
            if index < offset:
                button.setVisible(False)
                button.setProperty("nav_key", None)
                continue
            action = shown[index - offset]
            button.setVisible(True)
            button.setText(action.text)
            button.set_role("primary" if action.primary else "choice")
            button.setEnabled(action.enabled)
            button.setProperty("nav_key", action.key)
            button.setProperty("nav_intent", action)

    def _cancel_clicked(self) -> None:
        self.send(self._cancel_intent)

    def _nav_clicked(self, button: TouchButton) -> None:
        action = button.property("nav_intent")
        if isinstance(action, NavAction) and action.enabled:
            self.send(action.intent)

    # --- events -------------------------------------------------------------------------------

    def _refresh(self) -> None:
        state = self._source.current()
        if state is not self._state:
            self.show_state(state)

    def _retranslate(self, _language: str = "") -> None:
        """The language holder changed: re-render the same snapshot in the new language."""
        if self._state is not None:
            self._apply_style()
            assert self._view is not None
            self._view.show_state(self._state)
            self._render_chrome(self._state, self._view)
            relayout(self._content or self._view)
            self._after_render(False, retranslated=True)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._state is not None:
            self._after_render(True)  # the first render ran before anything was visible

    def resizeEvent(self, event: QResizeEvent) -> None:
        size = event.size()
        theme = self._theme.resized(size.width(), size.height())
        if theme.metrics != self._theme.metrics:
            # Sizes are fixed when widgets are made: rebuild them for the new scale.
            self._theme = theme
            set_metrics(theme.metrics)
            self._style_language = ""
            self._build()
            if self._state is not None:
                state, self._state = self._state, None
                self.show_state(state)
        if self._content is not None:
            self._content.setGeometry(self.rect())
        for overlay in (self._menu, self._prompt):
            if overlay.isVisible():
                overlay.cover()
        super().resizeEvent(event)


__all__ = [
    "Announcer",
    "IntentSink",
    "KioskWindow",
    "Metrics",
    "StateHolder",
    "StateSource",
    "spoken_labels",
]
