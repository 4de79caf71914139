"""A simple front view of this kiosk (the profile's hardware layout, kiosk/hardware.py) with the
part the resident must use highlighted: painted with QPainter, no image files.

The front keeps the proportions of a floor-standing kiosk (taller than wide); the screen is a dark
panel, each part an outlined shape; the highlighted parts are filled in the warning yellow with a
thick dark outline, named beside them, and pointed at by an arrow — so the place reads without
colour too. A card lies on a highlighted reader.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.hardware import DEFAULT_LAYOUT, HardwareLayout, Part, Place
from kiosk.hardware_names import part_name
from kiosk.ui.widgets import metrics

FRONT_ASPECT = 0.62  # width / height of the drawn front
FRONT_SHARE = 0.5  # of the widget's width at most: the rest holds the names
BODY = QColor("#DDE3EA")
SCREEN = QColor("#0B3D6E")
PART = QColor("#F8FAFC")
HIGHLIGHT = QColor("#FFD400")  # the warning tone: readable on the body, dark text on it
ACCENT = QColor("#0B5CAD")
CARD = QColor("#E8F1FB")
MIN_LABEL_PX = 10  # the smallest name the diagram draws (a fallback; the screens' size is 17)
LABEL_FLAGS = int(Qt.AlignmentFlag.AlignBottom | Qt.TextFlag.TextWordWrap)


@dataclass(frozen=True)
class Label:
    """A highlighted part's name: its box, the part it points at, and whether it fits."""

    box: QRectF
    part: QRectF
    text: str
    left: bool  # on the front's left side (aligned right, towards the front)
    fits: bool  # wrapped to the box's width and inside the widget


class KioskDiagram(QWidget):
    """The kiosk's front with ``highlighted`` parts marked (see the module docstring)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = DEFAULT_LAYOUT
        self._highlighted: tuple[Part, ...] = ()
        self._labels: dict[Part, str] = {}
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(metrics().px(200), metrics().px(240))

    def sizeHint(self) -> QSize:
        return QSize(metrics().px(300), metrics().px(440))

    @property
    def highlighted(self) -> tuple[Part, ...]:
        return self._highlighted

    def show_parts(self, layout: HardwareLayout, highlighted: Iterable[Part]) -> None:
        """Draw ``layout`` with ``highlighted`` marked (parts the layout lacks are skipped);
        their names are translated now, in the current language."""
        self._layout = layout
        self._highlighted = tuple(p for p in highlighted if layout.place(p) is not None)
        self._labels = {part: part_name(part) for part in self._highlighted}
        names = ", ".join(self._labels.values())
        self.setAccessibleName(names)
        self.update()

    def _front(self) -> QRectF:
        w, h = float(self.width()), float(self.height())
        # A quarter of the width on each side stays free for the parts' names.
        width = min(h * 0.96 * FRONT_ASPECT, w * FRONT_SHARE)
        height = width / FRONT_ASPECT
        return QRectF((w - width) / 2, (h - height) / 2, width, height)

    @staticmethod
    def _rect(front: QRectF, place: Place) -> QRectF:
        return QRectF(
            front.left() + place.x * front.width(),
            front.top() + place.y * front.height(),
            place.width * front.width(),
            place.height * front.height(),
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        ink = self.palette().color(self.foregroundRole())
        front = self._front()
        line = max(2.0, front.width() / 90)
        painter.setPen(QPen(ink, line))
        painter.setBrush(BODY)
        painter.drawRoundedRect(front, front.width() * 0.05, front.width() * 0.05)
        painter.setBrush(SCREEN)
        painter.drawRoundedRect(self._rect(front, self._layout.screen), line, line)
        for part, place in self._layout.parts:
            rect = self._rect(front, place)
            chosen = part in self._highlighted
            painter.setPen(QPen(ink, line * (2.0 if chosen else 1.0)))
            painter.setBrush(HIGHLIGHT if chosen else PART)
            painter.drawRoundedRect(rect, line, line)
            if chosen and part is Part.READER:
                self._card(painter, rect, ink, line)
        self._labels_and_arrows(painter, front, ink)
        painter.end()

    @staticmethod
    def _card(painter: QPainter, rect: QRectF, ink: QColor, line: float) -> None:
        card_h = rect.height() * 0.7
        card = QRectF(0, 0, card_h * 1.585, card_h)  # ID-1: 85.6 × 54 mm
        card.moveCenter(rect.center())
        painter.setPen(QPen(ink, line * 0.7))
        painter.setBrush(CARD)
        painter.drawRoundedRect(card, line, line)

    def label_layout(self) -> tuple[QFont, list[Label]]:
        """Where each highlighted part's name goes: outside the front on its nearer side, above
        the part (stacked, nearest part lowest, so no two names overlap), each box as tall as
        its name wrapped to the room beside the front. The font is the largest, from the
        screens' label size down to MIN_LABEL_PX, at which every name fits its room and the
        stacks stay inside the widget: a long name (Spanish and Portuguese run to three lines)
        is never cut off at the top."""
        front = self._front()
        font = QFont(self.font())
        font.setBold(True)
        largest = max(MIN_LABEL_PX, metrics().px(17))
        labels: list[Label] = []
        for pixels in range(largest, MIN_LABEL_PX - 1, -1):
            font.setPixelSize(pixels)
            labels = self._labels_at(front, QFontMetricsF(font))
            if all(label.fits for label in labels):
                break
        return font, labels

    def _labels_at(self, front: QRectF, fm: QFontMetricsF) -> list[Label]:
        sides: dict[bool, list[tuple[float, QRectF, str]]] = {True: [], False: []}
        for part in self._highlighted:
            found = self._layout.place(part)
            if found is None:
                continue
            rect = self._rect(front, found)
            left = rect.center().x() < front.center().x()
            distance = rect.left() - front.left() if left else front.right() - rect.right()
            sides[left].append((distance, rect, self._labels[part]))
        labels: list[Label] = []
        for left, items in sides.items():
            room = max(1.0, front.left() - 4 if left else self.width() - front.right() - 4)
            bottom = min((rect.top() for _d, rect, _t in items), default=0.0)
            for _distance, rect, text in sorted(items, key=lambda item: item[0]):
                needed = fm.boundingRect(QRectF(0, 0, room, 1e6), LABEL_FLAGS, text)
                # At least two lines high, as the names were drawn before: the arrow's tail
                # sits at the box's bottom, clear of the part above it.
                box = QRectF(0, 0, room, max(needed.height(), fm.height() * 2.2))
                box.moveBottom(bottom)
                if left:
                    box.moveRight(front.left() - 4)
                else:
                    box.moveLeft(front.right() + 4)
                fits = needed.width() <= room + 0.5 and box.top() >= 0
                labels.append(Label(box, rect, text, left, fits))
                bottom = box.top()
        return labels

    def _labels_and_arrows(self, painter: QPainter, front: QRectF, ink: QColor) -> None:
        """Each name in its box (``label_layout``), with an arrow onto the top of its part; an
        arrow never crosses the nearer part."""
        font, labels = self.label_layout()
        painter.setFont(font)
        for label in labels:
            painter.setPen(ink)
            align = Qt.AlignmentFlag.AlignRight if label.left else Qt.AlignmentFlag.AlignLeft
            painter.drawText(label.box, LABEL_FLAGS | int(align), label.text)
            x = front.left() - 2 if label.left else front.right() + 2
            tail = QPointF(x, label.box.bottom())
            self._arrow(painter, front, tail, QPointF(label.part.center().x(), label.part.top()))

    @staticmethod
    def _arrow(painter: QPainter, front: QRectF, tail: QPointF, tip: QPointF) -> None:
        width = max(3.0, front.width() / 45)
        head = max(8.0, front.width() * 0.05)
        painter.setPen(QPen(ACCENT, width))
        vector = QPointF(tip.x() - tail.x(), tip.y() - tail.y())
        length = max(1.0, (vector.x() ** 2 + vector.y() ** 2) ** 0.5)
        unit = QPointF(vector.x() / length, vector.y() / length)
        base = QPointF(tip.x() - unit.x() * head, tip.y() - unit.y() * head)
        painter.drawLine(tail, base)
        normal = QPointF(-unit.y() * head * 0.55, unit.x() * head * 0.55)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(ACCENT)
        painter.drawPolygon(
            QPolygonF(
                [
                    tip,
                    QPointF(base.x() + normal.x(), base.y() + normal.y()),
                    QPointF(base.x() - normal.x(), base.y() - normal.y()),
                ]
            )
        )
