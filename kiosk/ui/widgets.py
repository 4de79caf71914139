"""The widget kit of the kiosk screens: touch buttons with wrapping text, text roles, the
digit keypad, a busy indicator with text, paged choice grids, the review table and small layout
helpers.

Widgets hold no flow logic: they show what a screen gives them and report taps through Qt
signals. Sizes come from the theme's metrics (kiosk.ui.theme); colours from the style sheet,
selected by the dynamic properties ``role`` and ``tone``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QHideEvent, QPainter, QPaintEvent, QPen, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import _
from kiosk.ui.theme import Metrics

# Marks the chosen entry of a switch or a checkable grid, so that the state is read from a
# symbol as well as from the fill colour.
CHOSEN_MARK = "✓"

# One metrics object for the whole UI, replaced when the window is resized (kiosk.ui.window).
_metrics = Metrics(1.0)


def metrics() -> Metrics:
    """The metrics of the current window size."""
    return _metrics


def set_metrics(value: Metrics) -> None:
    global _metrics
    _metrics = value


def restyle(widget: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def label(text: str = "", role: str = "body", *, wrap: bool = True) -> QLabel:
    """A text label in one of the theme's roles (title, lead, body, muted, small, figure…)."""
    widget = QLabel(text)
    widget.setProperty("role", role)
    widget.setWordWrap(wrap)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    return widget


def frame(role: str = "panel") -> QFrame:
    widget = QFrame()
    widget.setProperty("role", role)
    return widget


class TouchButton(QPushButton):
    """A large button whose text wraps (a QLabel inside), so long translations never clip.

    ``role`` is ``choice`` (default), ``primary`` or ``header``. Checkable buttons show the
    selected tone when checked. ``text()`` returns the visible text (also the accessible name).
    """

    def __init__(
        self,
        text: str = "",
        role: str = "choice",
        *,
        checkable: bool = False,
        keycap: bool = False,
        min_height: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._role = role
        self._min_height = min_height
        self._spoken = ""
        self.setProperty("role", role)
        self.setCheckable(checkable)
        # A tap must not leave Qt's keyboard focus on a button (a later Space would press it
        # unseen); keypad navigation has its own visible focus (kiosk/ui/keypad_navigation.py).
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._label = QLabel(text, self)
        self._label.setWordWrap(True)
        self._label.setTextFormat(Qt.TextFormat.PlainText)
        self._label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        if keycap:
            self._label.setProperty("keycap", True)
        layout = QVBoxLayout(self)
        pad = metrics().px(8)
        layout.setContentsMargins(pad, pad // 2, pad, pad // 2)
        layout.addWidget(self._label)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        # Layouts ask the inner layout for height-for-width and bound it by the explicit
        # minimum only (QWidgetItem), so the touch target size must be an explicit minimum.
        self.setMinimumHeight(self._target())
        self.setAccessibleName(text)
        self.toggled.connect(self._update_tone)
        self._update_tone()

    def spoken(self) -> str:
        """What audio guidance says when the keypad focus reaches this button: its text, or
        what :meth:`set_spoken` set (a switch's side names its setting and whether it is
        chosen)."""
        return self._spoken or self.text()

    def set_spoken(self, text: str) -> None:
        self._spoken = text

    @property
    def caption(self) -> QLabel:
        """The label that shows the text (for layout checks)."""
        return self._label

    def text(self) -> str:
        return self._label.text()

    def setText(self, text: str) -> None:
        if text != self._label.text():
            self._label.setText(text)
            self.setAccessibleName(text)
            self.updateGeometry()

    def set_role(self, role: str) -> None:
        if role != self._role:
            self._role = role
            self.setProperty("role", role)
            self._update_tone()

    def _target(self) -> int:
        return self._min_height if self._min_height is not None else metrics().target

    def _update_tone(self, *_: object) -> None:
        # The disabled look comes from the style sheet (QLabel:disabled inside a button): no
        # changeEvent override, which PySide6 6.12 on Python 3.11 mis-counts (see docs/ui.md).
        if self.isCheckable() and self.isChecked():
            tone = "selected"
        elif self._role in ("primary", "header"):
            tone = self._role
        else:
            tone = "choice"
        self.setProperty("tone", "selected" if tone == "selected" else "")
        self._label.setProperty("tone", tone)
        restyle(self)
        restyle(self._label)

    def _pad(self) -> tuple[int, int]:
        layout = self.layout()
        if layout is None:
            return 0, 0
        m = layout.contentsMargins()
        return m.left() + m.right(), m.top() + m.bottom()

    def sizeHint(self) -> QSize:
        px, py = self._pad()
        hint = self._label.sizeHint()
        return QSize(hint.width() + px, max(self._target(), hint.height() + py))

    def minimumSizeHint(self) -> QSize:
        px, _py = self._pad()
        hint = self._label.minimumSizeHint()
        return QSize(min(hint.width() + px, self._target()), self._target())

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        px, py = self._pad()
        return max(self._target(), self._label.heightForWidth(max(1, width - px)) + py)


class Keypad(QWidget):
    """Digits 1–9 and 0 in the telephone layout, with 訂正 (backspace) and クリア (clear).

    ``extra`` adds one key (e.g. "-" for phone numbers) beside 0. Signals carry the key only;
    a PIN is never held here.
    """

    digit = Signal(str)
    backspace = Signal()
    clear = Signal()
    extra_key = Signal(str)

    def __init__(self, extra: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setSpacing(metrics().gap)
        grid.setContentsMargins(0, 0, 0, 0)
        self.keys: dict[str, TouchButton] = {}
        for index, key in enumerate("123456789"):
            self._add(grid, key, index // 3, index % 3)
        self.backspace_key = TouchButton("", keycap=True)
        self.backspace_key.clicked.connect(self.backspace.emit)
        self.clear_key = TouchButton("", keycap=True)
        self.clear_key.clicked.connect(self.clear.emit)
        self._add(grid, "0", 3, 1)
        if extra is None:
            grid.addWidget(self.backspace_key, 3, 0)
            grid.addWidget(self.clear_key, 3, 2)
        else:
            extra_button = TouchButton(extra, keycap=True)
            extra_button.clicked.connect(lambda: self.extra_key.emit(extra))
            self.keys[extra] = extra_button
            grid.addWidget(extra_button, 3, 0)
            grid.addWidget(self.backspace_key, 3, 2)
            grid.addWidget(self.clear_key, 4, 0, 1, 3)
        for column in range(3):
            grid.setColumnStretch(column, 1)

    def _add(self, grid: QGridLayout, key: str, row: int, column: int) -> None:
        button = TouchButton(key, keycap=True)
        button.clicked.connect(lambda: self.digit.emit(key))
        self.keys[key] = button
        grid.addWidget(button, row, column)

    def set_captions(self, backspace: str, clear: str) -> None:
        self.backspace_key.setText(backspace)
        self.clear_key.setText(clear)

    def set_digits_enabled(self, enabled: bool) -> None:
        for key, button in self.keys.items():
            if key.isdigit():
                button.setEnabled(enabled)


class Spinner(QWidget):
    """A rotating arc (busy); animates only while visible."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._angle = 0
        self._timer = QTimer(self)
        self._timer.setInterval(60)
        self._timer.timeout.connect(self._tick)
        side = metrics().px(72)
        self.setFixedSize(side, side)

    def _tick(self) -> None:
        self._angle = (self._angle + 30) % 360
        self.update()

    def showEvent(self, event: QShowEvent) -> None:
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()
        super().hideEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width = max(4, self.width() // 9)
        rect = QRectF(width, width, self.width() - 2 * width, self.height() - 2 * width)
        colour = self.palette().color(self.foregroundRole())
        track = QColor(colour)
        track.setAlpha(50)
        painter.setPen(QPen(track, width))
        painter.drawEllipse(rect)
        pen = QPen(colour, width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.drawArc(rect, -self._angle * 16, 100 * 16)
        painter.end()


class BusyPanel(QWidget):
    """A spinner beside a lead text and an optional detail line: 'something is happening'."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setSpacing(metrics().margin)
        self.spinner = Spinner()
        row.addWidget(self.spinner, 0, Qt.AlignmentFlag.AlignTop)
        column = QVBoxLayout()
        self.text = label("", "lead")
        self.detail = label("", "body")
        column.addWidget(self.text)
        column.addWidget(self.detail)
        row.addLayout(column, 1)

    def set_text(self, text: str, detail: str = "") -> None:
        self.text.setText(text)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))


@dataclass(frozen=True)
class Choice:
    """One entry of a choice grid."""

    key: str
    text: str
    enabled: bool = True
    selected: bool = False


class ChoiceGrid(QWidget):
    """Choices as a grid of large buttons, paged when they do not fit (never scrolled).

    Emits ``chosen(key)``. ``columns`` × ``rows`` buttons per page; 前へ/次へ appear only when
    there is more than one page. The page is view state, reset when the choices change.
    """

    chosen = Signal(str)

    def __init__(
        self,
        columns: int = 2,
        rows: int = 4,
        *,
        checkable: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns = columns
        self._rows = rows
        self._checkable = checkable
        self._choices: tuple[Choice, ...] = ()
        self._page = 0
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(metrics().gap)
        self._grid = QGridLayout()
        self._grid.setSpacing(metrics().gap)
        outer.addLayout(self._grid)
        self._buttons: list[TouchButton] = []
        for index in range(columns * rows):
            button = TouchButton("", checkable=checkable)
            button.clicked.connect(lambda _=False, i=index: self._clicked(i))
            self._grid.addWidget(button, index // columns, index % columns)
            self._buttons.append(button)
        for column in range(columns):
            self._grid.setColumnStretch(column, 1)
        pager = QHBoxLayout()
        self.previous = TouchButton("")
        self.next = TouchButton("")
        self.page_label = label("", "muted", wrap=False)
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.previous.clicked.connect(lambda: self._turn(-1))
        self.next.clicked.connect(lambda: self._turn(1))
        pager.addWidget(self.previous, 1)
        pager.addWidget(self.page_label, 1)
        pager.addWidget(self.next, 1)
        self._pager = QWidget()
        self._pager.setLayout(pager)
        pager.setContentsMargins(0, 0, 0, 0)
        pager.setSpacing(metrics().gap)
        # The pager takes the last row's place while paging (that row's buttons are hidden), so
        # the grid keeps its height on every page. It lies below the grid, not in its last row: a
        # hidden widget spanning a QGridLayout row takes away the spacing above that row, and the
        # buttons of the last two rows touched (issue 14; layout_check.target_problems).
        outer.addWidget(self._pager)
        self._captions = ("", "", "{page} / {pages}")

    @property
    def paged(self) -> bool:
        return len(self._choices) > self._columns * self._rows

    @property
    def per_page(self) -> int:
        # When paging, the last row holds the pager: the grid keeps its height on every page.
        rows = self._rows - 1 if self.paged and self._rows > 1 else self._rows
        return self._columns * rows

    @property
    def pages(self) -> int:
        return max(1, -(-len(self._choices) // self.per_page))

    def set_captions(self, previous: str, following: str, page_format: str) -> None:
        """Texts of the pager (translated by the screen); ``page_format`` has {page} {pages}."""
        self._captions = (previous, following, page_format)
        self._show()

    def set_choices(self, choices: Sequence[Choice]) -> None:
        new = tuple(choices)
        if [c.key for c in new] != [c.key for c in self._choices]:
            self._page = 0
        self._choices = new
        self._show()

    def buttons(self) -> list[TouchButton]:
        """The visible choice buttons of the current page."""
        return [b for b in self._buttons if not b.isHidden()]

    def button_for(self, key: str) -> TouchButton | None:
        """The button showing ``key``, turning to its page first."""
        for index, choice in enumerate(self._choices):
            if choice.key == key:
                self._page = index // self.per_page
                self._show()
                return self._buttons[index % self.per_page]
        return None

    def _turn(self, delta: int) -> None:
        self._page = max(0, min(self.pages - 1, self._page + delta))
        self._show()

    def _clicked(self, index: int) -> None:
        position = self._page * self.per_page + index
        if position < len(self._choices) and self._choices[position].enabled:
            self.chosen.emit(self._choices[position].key)

    def _show(self) -> None:
        start = self._page * self.per_page
        shown = self._choices[start : start + self.per_page]
        used_rows = max(1, -(-len(shown) // self._columns)) if self.pages == 1 else self._rows
        if self.paged and self._rows > 1:
            used_rows = self._rows - 1
        for index, button in enumerate(self._buttons):
            if index < len(shown):
                choice = shown[index]
                chosen = self._checkable and choice.selected
                button.setText(f"{CHOSEN_MARK} {choice.text}" if chosen else choice.text)
                # Audio guidance says "chosen", not the mark.
                spoken = _("{choice}, chosen").format(choice=choice.text) if chosen else ""
                button.set_spoken(spoken)
                button.setEnabled(choice.enabled)
                if self._checkable:
                    button.setChecked(choice.selected)
                button.setVisible(True)
            else:
                # Keep the grid's shape on later pages; hide unused rows on a single page.
                button.setVisible(False)
                button.setText("")
            policy = button.sizePolicy()
            policy.setRetainSizeWhenHidden(self.paged and index // self._columns < used_rows)
            button.setSizePolicy(policy)
        for row in range(self._rows):
            self._grid.setRowStretch(row, 1 if row < used_rows else 0)
        previous, following, page_format = self._captions
        self.previous.setText(previous)
        self.next.setText(following)
        self.previous.setEnabled(self._page > 0)
        self.next.setEnabled(self._page < self.pages - 1)
        self.page_label.setText(page_format.format(page=self._page + 1, pages=self.pages))
        self._pager.setVisible(self.pages > 1)


class ReviewTable(QFrame):
    """A panel of (name, value) rows for the resident to check before sending: the order's
    confirmation and the registration's review. Names are muted and top-aligned, values wrap;
    ``spaced`` puts the theme's gap between rows (the order has few rows, the review seven)."""

    def __init__(self, rows: int, *, spaced: bool = True) -> None:
        super().__init__()
        self.setProperty("role", "panel")
        grid = QGridLayout(self)
        pad = metrics().margin
        grid.setContentsMargins(pad, pad, pad, pad)
        grid.setHorizontalSpacing(pad)
        if spaced:
            grid.setVerticalSpacing(metrics().gap)
        self.rows: list[tuple[QLabel, QLabel]] = []
        for row in range(rows):
            name, value = label("", "muted"), label("", "body")
            grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row, 1)
            self.rows.append((name, value))
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 5)

    def show_rows(self, values: Sequence[tuple[str, str]]) -> None:
        """One (name, value) per row, as many as the table has."""
        for (name, value), (name_label, value_label) in zip(values, self.rows, strict=True):
            name_label.setText(name)
            value_label.setText(value)

    def forget(self) -> None:
        """Clear the values (they may be personal)."""
        for _name, value in self.rows:
            value.setText("")


class Segmented(QWidget):
    """A setting as two (or more) labelled sides, exactly one of them chosen and filled, with a
    check mark — for a state that must not be misread: each side names a state, the filled one
    is the current state, and tapping the other side chooses it (issue 14: a single toggle
    button reading 「記載しない」 was taken for a command).

    Emits ``chosen(key)`` when a side other than the current one is tapped; the screen sets the
    current side from its snapshot (:meth:`set_value`): the flow decides.
    """

    chosen = Signal(str)

    def __init__(self, keys: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        # Close enough to read as one control, apart enough to be two targets (layout_check).
        row.setSpacing(metrics().px(6))
        self._value: str | None = None
        self._name = ""
        self._texts: dict[str, str] = {key: "" for key in keys}
        self.sides: dict[str, TouchButton] = {}
        for key in keys:
            button = TouchButton("", checkable=True)
            button.clicked.connect(lambda _=False, k=key: self._clicked(k))
            row.addWidget(button, 1)
            self.sides[key] = button

    @property
    def value(self) -> str | None:
        return self._value

    def set_texts(self, texts: dict[str, str], name: str = "") -> None:
        """The caption of each side and the setting's name (translated by the screen); the
        name is spoken with a side when the keypad focus reaches it."""
        self._texts.update(texts)
        self._name = name
        self._show()

    def set_value(self, key: str) -> None:
        self._value = key
        self._show()

    def set_offered(self, keys: Sequence[str]) -> None:
        """Show only these sides (in construction order); the others are hidden."""
        for key, button in self.sides.items():
            button.setVisible(key in keys)

    def _clicked(self, key: str) -> None:
        self._show()  # a checkable button toggles itself: the snapshot decides what is chosen
        if key != self._value:
            self.chosen.emit(key)

    def _show(self) -> None:
        for key, button in self.sides.items():
            chosen = key == self._value
            button.setChecked(chosen)
            text = self._texts[key]
            button.setText(f"{CHOSEN_MARK} {text}" if chosen and text else text)
            spoken = (
                _("{setting}: {choice}, chosen") if chosen else _("{setting}: {choice}")
            ).format(setting=self._name, choice=text)
            button.set_spoken(spoken if self._name else "")


def clear_layout(layout: QGridLayout | QVBoxLayout | QHBoxLayout) -> None:
    """Remove and delete every widget of ``layout``."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.hide()
            widget.deleteLater()
