"""Guidance drawings painted with QPainter (no image files): the card on the reader."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.ui.widgets import metrics


class CardOnReader(QWidget):
    """A card reader seen from above with the card on it, face up, and an arrow.

    ``mode`` is ``place`` (the card goes down onto the reader) or ``take`` (it is lifted off).
    """

    def __init__(self, mode: str = "place", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = mode
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(metrics().px(220), metrics().px(160))

    def sizeHint(self) -> QSize:
        return QSize(metrics().px(360), metrics().px(260))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text_colour = self.palette().color(self.foregroundRole())
        w, h = float(self.width()), float(self.height())
        side = min(w / 1.5, h)
        x0, y0 = (w - side * 1.4) / 2, (h - side) / 2
        line = max(2.0, side / 80)
        # The reader: a dark flat box with the antenna mark.
        reader = QRectF(x0, y0 + side * 0.35, side * 1.4, side * 0.6)
        painter.setPen(QPen(text_colour, line))
        painter.setBrush(QColor("#5B6573"))
        painter.drawRoundedRect(reader, side * 0.05, side * 0.05)
        painter.setPen(QPen(QColor("#FFFFFF"), line))
        for r in (0.06, 0.1, 0.14):
            c = QPointF(reader.right() - side * 0.18, reader.center().y())
            painter.drawArc(
                QRectF(c.x() - side * r, c.y() - side * r, 2 * side * r, 2 * side * r),
                300 * 16,
                120 * 16,
            )
        # The card (85.6 × 54 mm), face up: photo box and text lines.
        card_w, card_h = side * 0.86, side * 0.54
        lift = side * 0.16 if self.mode == "take" else 0.0
        card = QRectF(
            reader.center().x() - card_w / 2 - side * 0.1,
            reader.center().y() - card_h / 2 - lift,
            card_w,
            card_h,
        )
        painter.setPen(QPen(text_colour, line))
        painter.setBrush(QColor("#E8F1FB"))
        painter.drawRoundedRect(card, side * 0.03, side * 0.03)
        painter.setBrush(QColor("#B9C9DB"))
        photo = QRectF(
            card.right() - card_w * 0.3, card.top() + card_h * 0.15, card_w * 0.22, card_h * 0.6
        )
        painter.drawRect(photo)
        painter.setPen(QPen(QColor("#5B6573"), line))
        for i in range(4):
            y = card.top() + card_h * (0.22 + 0.16 * i)
            painter.drawLine(
                QPointF(card.left() + card_w * 0.08, y),
                QPointF(card.left() + card_w * (0.6 - 0.08 * (i % 2)), y),
            )
        # The arrow: down onto the reader, or up off it.
        accent = QColor("#0B5CAD")
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(accent)
        ax = card.left() - side * 0.12
        top, bottom = card.top() - side * 0.05, card.top() + side * 0.3
        head = side * 0.07
        path = QPainterPath()
        path.addRect(QRectF(ax - head * 0.35, top, head * 0.7, bottom - top))
        painter.drawPath(path)
        if self.mode == "take":
            tip = QPolygonF(
                [QPointF(ax - head, top), QPointF(ax + head, top), QPointF(ax, top - head * 1.2)]
            )
        else:
            tip = QPolygonF(
                [
                    QPointF(ax - head, bottom),
                    QPointF(ax + head, bottom),
                    QPointF(ax, bottom + head * 1.2),
                ]
            )
        painter.drawPolygon(tip)
        painter.end()
