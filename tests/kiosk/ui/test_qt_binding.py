"""The Qt binding keeps reference counts right in the overrides the kiosk relies on.

PySide6 6.12.0 on CPython 3.11 drops one reference to None on every call of a Python override
of a void virtual (paintEvent, changeEvent): the spinner alone would abort a kiosk within hours
("Fatal Python error: none_dealloc"). pyproject.toml excludes that release; this test fails on
any binding with the same fault.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.ui.kiosk_diagram import KioskDiagram
from kiosk.ui.widgets import Spinner

CALLS = 2000


def test_repaints_do_not_leak_or_drop_references(qtbot: QtBot) -> None:
    spinner = Spinner()
    drawing = KioskDiagram()
    for widget in (spinner, drawing):
        qtbot.addWidget(widget)
        widget.show()
    QApplication.processEvents()
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        spinner.repaint()
        drawing.repaint()
    after = sys.getrefcount(None)
    assert abs(after - before) < CALLS // 10
