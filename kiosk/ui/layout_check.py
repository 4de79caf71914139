"""Find clipped text and widgets outside the window (used by the tests and the gallery)."""

from __future__ import annotations

import re

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

TOLERANCE_PX = 1
# Runs of characters a line cannot break inside: no spaces, no CJK (U+2E80 and above).
_UNBREAKABLE = re.compile(r"[^\s\u2e80-\uffff]+")


def visible_widgets(root: QWidget) -> list[QWidget]:
    """Every widget under ``root`` that is shown (itself and all its ancestors visible)."""
    return [w for w in root.findChildren(QWidget) if w.isVisibleTo(root) and w.isVisible()]


def layout_problems(root: QWidget) -> list[str]:
    """Human-readable problems: widgets reaching outside ``root``, labels whose text does not
    fit (a wrapped label shorter than its height-for-width, an unwrapped one narrower than its
    text), buttons smaller than their own minimum size hint."""
    problems: list[str] = []
    bounds = root.rect().adjusted(-TOLERANCE_PX, -TOLERANCE_PX, TOLERANCE_PX, TOLERANCE_PX)
    for widget in visible_widgets(root):
        if widget.width() <= 0 or widget.height() <= 0:
            continue
        top_left = widget.mapTo(root, QPoint(0, 0))
        rect = QRect(top_left, widget.size())
        name = _name(widget)
        if not bounds.contains(rect):
            problems.append(f"{name} at {rect.getRect()} is outside the window {root.size()}")
        parent = widget.parentWidget()
        if parent is not None and parent is not root and not _is_overlay(widget):
            inside = parent.rect().adjusted(
                -TOLERANCE_PX, -TOLERANCE_PX, TOLERANCE_PX, TOLERANCE_PX
            )
            if not inside.contains(widget.geometry()):
                problems.append(
                    f"{name} {widget.geometry().getRect()} is clipped by its parent "
                    f"{_name(parent)} {parent.size().toTuple()}"
                )
        if isinstance(widget, QLabel) and widget.text():
            problems.extend(_label_problems(widget, name))
        if (
            isinstance(widget, QAbstractButton)
            and widget.height() + TOLERANCE_PX < widget.minimumHeight()
        ):
            problems.append(f"{name} is {widget.height()} px high, below its minimum")
    return problems


def _label_problems(widget: QLabel, name: str) -> list[str]:
    margins = widget.contentsMargins()
    width = widget.width()
    if widget.wordWrap():
        needed = widget.heightForWidth(width)
        if needed > widget.height() + TOLERANCE_PX:
            return [f"{name} needs {needed} px height at width {width}, has {widget.height()}"]
        # A single word longer than the line cannot wrap: it would be cut off at the side.
        # Latin words break only at spaces; CJK text breaks between any two characters.
        metrics = widget.fontMetrics()
        longest = max(
            (metrics.horizontalAdvance(word) for word in _UNBREAKABLE.findall(widget.text())),
            default=0,
        )
        if longest > width - margins.left() - margins.right() + 2:
            return [f"{name} has a word {longest} px wide in {width} px"]
        return []
    needed_width = widget.sizeHint().width()
    if needed_width > width + TOLERANCE_PX:
        return [f"{name} needs {needed_width} px width, has {width}"]
    return []


def _is_overlay(widget: QWidget) -> bool:
    return bool(widget.property("role") == "scrim")


def _name(widget: QWidget) -> str:
    text = ""
    if isinstance(widget, QLabel | QAbstractButton):
        text = widget.text()
    text = text.replace("\n", " ")
    return f"{type(widget).__name__}({text[:40]!r})"
