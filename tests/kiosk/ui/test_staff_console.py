"""The staff console over a real kiosk window, driven by the real staff reducer: the hidden
openers (the profile's key, five taps on the corner), the banner that leaves the residents'
screen usable, the pages covering the window, every page rendered in Japanese and English with
no untranslated text, and a PIN that never shows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from kiosk.flow.state import StaffAccess
from kiosk.journal.operations import OwedEntry
from kiosk.problems import OwedCode
from kiosk.staff import events as se
from kiosk.staff import state as ss
from kiosk.staff.views import ClosingPhase, ClosingView, DayChoice, DayState
from kiosk.ui.staff.console import CORNER_TAPS, StaffConsole
from kiosk.ui.staff.pages import PAGES
from tests.kiosk.operations.conftest import printer_out_of_paper
from tests.kiosk.staff.conftest import STAFF_PIN, StaffDriver
from tests.kiosk.ui.conftest import MakeWindow, settle

STAFF_POT = Path(__file__).resolve().parents[3] / "locales" / "staff.pot"


class Staff:
    """The staff runtime's part the console sees: the real reducer's state, and the intents it
    was sent (stepped at once; no device behind them)."""

    def __init__(self) -> None:
        self.driver = StaffDriver()
        self.sent: list[se.StaffEvent] = []
        self._listeners: list[Callable[[], None]] = []

    def current(self) -> ss.StaffState:
        return self.driver.state

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def __call__(self, event: se.StaffEvent) -> None:
        self.sent.append(event)
        self.feed(event)

    def feed(self, *events: se.StaffEvent) -> None:
        self.driver.send(*events)
        self._notify()

    def log_in(self) -> None:
        """Staff 1001 opens the console, types the number and the right PIN."""
        self.driver.log_in()
        self._notify()

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()


@pytest.fixture
def console(make_window: MakeWindow, qtbot: QtBot) -> tuple[StaffConsole, Staff, QWidget]:
    window, _recorder = make_window("start")
    staff = Staff()
    widget = StaffConsole(staff, staff, window, open_key="F12")
    return widget, staff, window


def show(qtbot: QtBot, console: StaffConsole) -> None:
    qtbot.waitUntil(lambda: console.state is console._source.current(), timeout=2000)
    settle(console.window())


def texts(widget: QWidget) -> list[str]:
    """Every text a person can read on ``widget`` now."""
    found = []
    for child in widget.findChildren(QLabel) + widget.findChildren(QAbstractButton):
        if child.isVisibleTo(widget) and child.text():
            found.append(child.text())
    return found


def test_closed_it_shows_nothing(console: tuple[StaffConsole, Staff, QWidget]) -> None:
    widget, staff, _window = console
    assert not widget.isVisible()
    assert staff.sent == []


def test_the_profile_s_key_opens_it_and_other_keys_pass(
    console: tuple[StaffConsole, Staff, QWidget], qtbot: QtBot
) -> None:
    _widget, staff, window = console
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert staff.sent == []
    qtbot.keyClick(window, Qt.Key.Key_F12)
    assert staff.sent == [se.OpenStaff()]


def test_five_taps_on_the_corner_open_it(
    console: tuple[StaffConsole, Staff, QWidget], qtbot: QtBot
) -> None:
    _widget, staff, window = console
    for _ in range(CORNER_TAPS):  # real presses on the window, through the event filter
        qtbot.mouseClick(window, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    assert staff.sent == [se.OpenStaff()]


@pytest.mark.parametrize(
    ("taps", "opens"),
    [
        ([(20, 20, t) for t in (0.0, 0.5, 1.0, 1.5, 2.0)], True),
        ([(20, 20, t) for t in (0.0, 0.5, 1.0, 1.5)], False),  # four
        ([(20, 20, t) for t in (0.0, 1.0, 2.0, 3.0, 4.0)], False),  # slower than three seconds
        ([(20, 20, 0.0), (20, 20, 0.1), (600, 400, 0.2)] + [(20, 20, 0.3)] * 3, False),
    ],
)
def test_the_corner_gesture(
    console: tuple[StaffConsole, Staff, QWidget], taps: list[tuple[int, int, float]], opens: bool
) -> None:
    widget, staff, _window = console
    for x, y, moment in taps:
        widget.corner_tap(QPoint(x, y), now=100.0 + moment)
    assert (se.OpenStaff() in staff.sent) is opens


def test_without_the_gesture_taps_do_nothing(make_window: MakeWindow) -> None:
    window, _recorder = make_window("start")
    staff = Staff()
    widget = StaffConsole(staff, staff, window, open_key="", corner_taps=False)
    for moment in range(CORNER_TAPS):
        widget.corner_tap(QPoint(10, 10), now=float(moment) / 10)
    assert staff.sent == []


def test_waiting_is_a_banner_over_a_usable_window(
    console: tuple[StaffConsole, Staff, QWidget], qtbot: QtBot
) -> None:
    widget, staff, window = console
    staff.feed(se.OpenStaff())  # the resident flow has not answered: a resident may be served
    staff.feed(se.AccessChanged(StaffAccess.WAITING, staff.current().request))
    show(qtbot, widget)
    assert isinstance(staff.current().screen, ss.Waiting)
    assert widget.isVisible()
    assert widget.height() < window.height() // 5  # the residents' screen stays usable under it
    assert widget.banner.isVisible()
    assert not widget.stack.isVisible()
    assert "係員モード" in widget.banner_text.text()
    widget.banner_close.click()
    assert staff.sent[-1] == se.StaffExit()


def test_login_covers_the_window_and_the_pin_never_shows(
    console: tuple[StaffConsole, Staff, QWidget], qtbot: QtBot
) -> None:
    widget, staff, window = console
    staff.feed(se.OpenStaff())
    staff.feed(se.AccessChanged(StaffAccess.OPEN, staff.current().request))
    for digit in "1001":
        staff.feed(se.StaffDigit(digit))
    staff.feed(se.StaffEnter())
    for digit in STAFF_PIN:
        staff.feed(se.StaffDigit(digit))
    show(qtbot, widget)
    assert widget.geometry() == window.rect()
    shown = " ".join(texts(widget))
    assert STAFF_PIN not in shown
    assert STAFF_PIN[:3] not in shown
    assert "●" * len(STAFF_PIN) in shown


def page_data() -> dict[se.StaffPage, tuple[se.StaffEvent, ...]]:
    """What the staff runtime answers when each page opens (and a step further on some)."""
    status = printer_out_of_paper()
    at = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)
    owed = OwedEntry(7, "t-0042", at, 200, OwedCode.REFUND_SHORT)
    day = date(2026, 12, 8)
    return {
        se.StaffPage.STATUS: (se.StatusRead(status),),
        se.StaffPage.OWED: (se.OwedRead((owed,)), se.ChooseOwed(7)),
        se.StaffPage.CASH: (se.CashRead(status.cash),),
        se.StaffPage.CLOSING: (
            se.DaysRead((DayChoice(day, DayState.INTERRUPTED, 500, None),)),
            se.CloseDay(day),
            se.ClosingUpdated(
                ClosingView(day, ClosingPhase.CENTER_UNREACHABLE, detail="CenterUnreachable")
            ),
        ),
    }


def open_page(staff: Staff, page: se.StaffPage, *data: se.StaffEvent) -> None:
    if not isinstance(staff.current().screen, ss.Menu):
        staff.feed(se.StaffBack())
    staff.feed(se.ShowPage(page), *data)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_page_renders_translated(
    console: tuple[StaffConsole, Staff, QWidget], qtbot: QtBot, language: str
) -> None:
    widget, staff, _window = console
    with STAFF_POT.open("rb") as stream:
        msgids = {m.id for m in read_po(stream) if m.id and isinstance(m.id, str)}
    staff.log_in()
    staff.feed(se.SwitchLanguage(language))
    shown: set[type] = set()
    for page in se.StaffPage:
        for data in ((), page_data().get(page, ())):  # while reading, then with the answer
            open_page(staff, page, *data)
            show(qtbot, widget)
            assert widget.page is not None
            shown.add(type(widget.page))
            seen = texts(widget)
            assert len(seen) >= 3, (page, seen)
            if language == "ja":  # an English msgid on a Japanese screen: not translated
                untranslated = [text for text in seen if text in msgids]
                assert not untranslated, (page, untranslated)
            else:
                assert "Staff menu — 1001" in seen
    assert shown == set(PAGES.values()) - {PAGES[ss.Login], PAGES[ss.Menu]}


def test_a_page_shows_what_the_runtime_read(
    console: tuple[StaffConsole, Staff, QWidget], qtbot: QtBot
) -> None:
    widget, staff, _window = console
    staff.log_in()
    staff.feed(se.SwitchLanguage("en"))
    open_page(staff, se.StaffPage.STATUS, *page_data()[se.StaffPage.STATUS])
    show(qtbot, widget)
    shown = " ".join(texts(widget))
    for fact in ("media-empty-error", "Black Toner", "12 %", "out_of_paper"):
        assert fact in shown
    open_page(staff, se.StaffPage.OWED, *page_data()[se.StaffPage.OWED])
    show(qtbot, widget)
    shown = " ".join(texts(widget))
    for fact in ("t-0042", "200", "P-412"):
        assert fact in shown


def test_the_console_follows_the_window_s_size(
    console: tuple[StaffConsole, Staff, QWidget], qtbot: QtBot
) -> None:
    widget, staff, window = console
    staff.log_in()
    show(qtbot, widget)
    assert widget.geometry() == window.rect()
    window.resize(1024, 768)
    QApplication.processEvents()
    qtbot.waitUntil(lambda: widget.geometry() == window.rect(), timeout=2000)
