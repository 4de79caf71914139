"""Find clipped text, widgets outside the window, and touch targets that touch or overlap
(used by the tests and the gallery)."""

from __future__ import annotations

import re

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

TOLERANCE_PX = 1
# The least free space between two touch targets of the same layer. Below it a finger on the
# border presses either one, and two same-coloured buttons read as one bar (the touching rows of
# docs/screens before issue 14). The theme's own gaps are 12 px (grids, footer) and 6 px (keyboard
# keys) at the reference size, ≥ 4.8 px at the 0.8 floor.
MIN_TARGET_GAP_PX = 4
# Runs of characters a line cannot break inside: no spaces, no CJK (U+2E80 and above).
_UNBREAKABLE = re.compile(r"[^\s\u2e80-\uffff]+")


def visible_widgets(root: QWidget) -> list[QWidget]:
    """Every widget under ``root`` that is shown (itself and all its ancestors visible)."""
    return [w for w in root.findChildren(QWidget) if w.isVisibleTo(root) and w.isVisible()]


def layout_problems(root: QWidget) -> list[str]:
    """Human-readable problems: widgets reaching outside ``root``, labels whose text does not
    fit (a wrapped label shorter than its height-for-width, an unwrapped one narrower than its
    text), buttons smaller than their own minimum size hint, and buttons of one layer that
    overlap or touch (closer than :data:`MIN_TARGET_GAP_PX`)."""
    problems: list[str] = []
    problems.extend(target_problems(root))
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


def target_problems(root: QWidget) -> list[str]:
    """Visible buttons of the same layer (the screen, or one overlay above it) that overlap or
    are closer than :data:`MIN_TARGET_GAP_PX` to each other."""
    layers: dict[int, list[tuple[QWidget, QRect]]] = {}
    for widget in visible_widgets(root):
        if isinstance(widget, QAbstractButton) and widget.width() > 0 and widget.height() > 0:
            rect = QRect(widget.mapTo(root, QPoint(0, 0)), widget.size())
            layers.setdefault(id(_layer(widget, root)), []).append((widget, rect))
    problems: list[str] = []
    for targets in layers.values():
        for index, (first, a) in enumerate(targets):
            for second, b in targets[index + 1 :]:
                if a.intersects(b):
                    problems.append(
                        f"{_name(first)} at {a.getRect()} overlaps {_name(second)} at {b.getRect()}"
                    )
                    continue
                gap = _gap(a, b)
                if gap < MIN_TARGET_GAP_PX:
                    problems.append(
                        f"{_name(first)} at {a.getRect()} touches {_name(second)} at "
                        f"{b.getRect()} ({gap} px apart, at least {MIN_TARGET_GAP_PX})"
                    )
    return problems


def _gap(a: QRect, b: QRect) -> int:
    """The free space between two rectangles that do not intersect (the larger of the
    horizontal and vertical distances: side by side, one above the other, or diagonal)."""
    dx = max(b.left() - (a.left() + a.width()), a.left() - (b.left() + b.width()), 0)
    dy = max(b.top() - (a.top() + a.height()), a.top() - (b.top() + b.height()), 0)
    return max(dx, dy)


def _layer(widget: QWidget, root: QWidget) -> QWidget:
    """The overlay (scrim) that holds ``widget``, or ``root``: buttons of different layers lie
    over each other by design."""
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        if _is_overlay(parent):
            return parent
        parent = parent.parentWidget()
    return root


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
