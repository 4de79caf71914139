"""``python -m kiosk --profile profiles/developer.toml --demo DIR --staff``: a scripted staff
session through the real stack, offscreen.

First a resident whose refund falls short: the normal persona orders a 住民票 and pays, the
printer cancels the job, the acceptor jams while paying the fee back — the slip screen shows
the money code and the slip is printed. Then staff: F12, the staff card and PIN, every staff
screen (device status, test page, out of service and back — with the residents' start screen —,
money owed paid back, a refill counted with a difference, the business day closed, restart),
and out. Written to DIR:

- ``screens/NN-<name>.png`` — every staff screen, and the resident's slip screen;
- ``day-report.pdf`` and ``day-report-<page>.png`` — the day report as it was sent to the
  printer (kept beside the journal), ``day-report.csv`` — the CSV written beside the journal;
- ``metrics.txt`` — the metrics endpoint's scrape (also printed).

Exit status 0 only if every step happened: the slip printed, the entry paid back, the day
closed with nothing unexplained, the report printed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from kiosk.app.demo import Driver, DriverError
from kiosk.app.profiles import Kiosk
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.journal import CashCountKind
from kiosk.payment import Denomination
from kiosk.problems import ServiceStop
from kiosk.runtime.staff import StaffRunner
from kiosk.staff import events as se
from kiosk.staff import state as ss
from kiosk.staff.views import ClosingPhase
from kiosk.ui import KioskWindow
from kiosk.ui.staff.console import StaffConsole
from printing.certificates import CertificateKind

STAFF_ID, STAFF_PIN = "1001", "2468"  # profiles/developer.toml (developer profile only)
WAIT_S = 60.0
CLOSE_WAIT_S = 180.0


class StaffDemoError(Exception):
    pass


def exact_coins(yen: int) -> list[int]:
    """Coins that make ``yen`` exactly, the largest first."""
    coins = []
    for coin in (500, 100, 50, 10, 5, 1):
        count, yen = divmod(yen, coin)
        coins += [coin] * count
    return coins


class StaffHand:
    """Staff at the kiosk: presses on the console, waits for the staff state, photographs
    (into ``out``, if given). Also used by the end-to-end tests."""

    def __init__(
        self, staff: StaffRunner, window: KioskWindow, console: StaffConsole, out: Path | None
    ) -> None:
        self.staff = staff
        self.window = window
        self.console = console
        self.app = QApplication.instance()
        self.out = out
        self.shots: list[Path] = []

    def pump(self, seconds: float = 0.0) -> None:
        deadline = time.monotonic() + seconds
        while True:
            self.app.processEvents()  # type: ignore[union-attr]
            if time.monotonic() >= deadline:
                return
            time.sleep(0.003)

    def wait(
        self, what: str, ready: Callable[[ss.StaffState], bool], timeout: float = WAIT_S
    ) -> ss.StaffState:
        deadline = time.monotonic() + timeout
        while True:
            self.pump()
            state = self.staff.current()
            if ready(state) and self.console.state is state:
                return state
            if time.monotonic() > deadline:
                raise StaffDemoError(f"waited {timeout:.0f} s for {what}; at {state.screen!r}")
            time.sleep(0.005)

    def send(self, event: se.StaffEvent) -> None:
        self.staff.dispatch(event)
        self.pump(0.05)

    def tap_keys(self, digits: str) -> None:
        """Digits on the login page's keypad (its real buttons)."""
        page = self.console.page
        keypad = getattr(page, "keypad", None)
        if keypad is None:
            raise StaffDemoError(f"no keypad on {self.staff.current().screen!r}")
        for digit in digits:
            keypad.keys[digit].click()
            self.pump()

    def log_in(self, staff_id: str, pin: str) -> None:
        """The hidden key, the staff number and the PIN on the keypad, OK: the menu."""
        self.press_key(Qt.Key.Key_F12)
        self.wait("the staff login", lambda s: isinstance(s.screen, ss.Login))
        self.tap_keys(staff_id)
        self.enter()
        self.wait("the PIN", lambda s: getattr(s.screen, "stage", None) is ss.LoginStage.PIN)
        self.tap_keys(pin)
        self.enter()
        self.wait("the staff menu", lambda s: isinstance(s.screen, ss.Menu))

    def enter(self) -> None:
        button = getattr(self.console.page, "enter", None)
        if button is None or not button.isEnabled():
            raise StaffDemoError("no OK button")
        button.click()
        self.pump()

    def press_key(self, key: Qt.Key) -> None:
        event = QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(self.window, event)
        self.pump(0.05)

    def photograph(self, name: str) -> Path | None:
        if self.out is None:
            return None
        self.pump(0.1)
        path = self.out / f"{len(self.shots) + 1:02d}-{name}.png"
        if not self.window.grab().save(str(path)):
            raise StaffDemoError(f"could not write {path}")
        self.shots.append(path)
        return path


def run_staff_demo(
    kiosk: Kiosk, window: KioskWindow, console: StaffConsole, app: QApplication, out_dir: Path
) -> int:
    from kiosk.app.developer import persona_pin

    world = kiosk.world
    if world is None or kiosk.operations is None:
        print("kiosk: --demo --staff needs the developer profile", file=sys.stderr)
        return 1
    out_dir = out_dir.absolute()
    screens = out_dir / "screens"
    shutil.rmtree(screens, ignore_errors=True)
    screens.mkdir(parents=True)
    window.show()
    resident = Driver(kiosk.runner, window, app, dock=world.cards, acceptor=world.acceptor)
    hand = StaffHand(kiosk.operations.staff, window, console, screens)
    try:
        world.reset_card("normal")
        _owed_refund(resident, hand, world, persona_pin("normal"))
        _staff_session(kiosk, resident, hand, world, out_dir)
    except (DriverError, StaffDemoError) as exc:
        print(f"demo: FAILED: {exc}", file=sys.stderr)
        hand.photograph("failed")
        return 1
    finally:
        world.faults.clear()
        world.acceptor.clear_jam()
    print(f"demo: {len(hand.shots)} screenshots in {screens}")
    return 0


def _owed_refund(resident: Driver, hand: StaffHand, world: object, pin: str) -> None:
    """A resident pays; the printer cancels the job; the refund jams: the slip."""
    faults, acceptor, cards = world.faults, world.acceptor, world.cards  # type: ignore[attr-defined]
    resident.to_menu("normal", pin)
    resident.order(CertificateKind.JUMINHYO)
    resident.confirm()
    state = resident.wait_for(st.Payment, timeout=120)
    assert state.txn is not None
    faults.set("cancel", once=True)  # the printer cancels this job, then prints (the slip)
    acceptor.jam_after(0)  # and the acceptor jams as it starts paying the fee back
    resident.insert_money(exact_coins(state.txn.money.due_yen))  # no change to pay
    resident.wait_until(
        lambda s: isinstance(s.screen, st.OwedSlip) and s.screen.slip is not st.PaperState.PRINTING,
        "the slip screen with the slip printed",
        timeout=180,
    )
    shown = resident.state.screen
    assert isinstance(shown, st.OwedSlip)
    if shown.slip is not st.PaperState.PRINTED:
        raise StaffDemoError("the slip was not printed")
    hand.photograph("resident-slip")
    faults.clear()
    acceptor.clear_jam()
    acceptor.take_tray()
    resident.cancel()  # "I have the slip"
    resident.wait_for(st.Fault)
    resident.send(ev.Finish())
    resident.wait_for(st.Start)
    cards.remove(resident.slot)
    print(
        f"demo: resident slip printed: {shown.yen} yen owed"
        f" ({', '.join(c.value for c in shown.codes)})"
    )


def _staff_session(
    kiosk: Kiosk, resident: Driver, hand: StaffHand, world: object, out: Path
) -> None:
    cards = world.cards  # type: ignore[attr-defined]
    acceptor = world.acceptor  # type: ignore[attr-defined]
    hand.press_key(Qt.Key.Key_F12)  # the profile's hidden key
    hand.wait("the staff login", lambda s: isinstance(s.screen, ss.Login))
    hand.photograph("staff-login")
    cards.insert_staff_card(resident.slot)  # the staff card names the member
    hand.wait(
        "the PIN stage",
        lambda s: isinstance(s.screen, ss.Login) and s.screen.stage is ss.LoginStage.PIN,
    )
    for digit in STAFF_PIN:
        hand.send(se.StaffDigit(digit))
    hand.photograph("staff-login-pin")
    hand.send(se.StaffEnter())
    hand.wait("the staff menu", lambda s: isinstance(s.screen, ss.Menu))
    cards.remove(resident.slot)
    hand.photograph("staff-menu")
    # device status
    hand.send(se.PrintTestPage())  # (not on this page: ignored)
    hand.send(se.ShowPage(se.StaffPage.TEST_PAGE))
    hand.send(se.PrintTestPage())
    hand.wait(
        "the test page",
        lambda s: (
            isinstance(s.screen, ss.TestPage) and s.screen.state is not ss.TestPageState.PRINTING
        ),
        180,
    )
    hand.photograph("staff-test-page")
    hand.send(se.ShowPage(se.StaffPage.STATUS))  # after a job: the printer reports its toner
    hand.wait(
        "the device status",
        lambda s: isinstance(s.screen, ss.Status) and s.screen.status is not None,
    )
    hand.photograph("staff-status")
    # out of service: what residents see, then back
    hand.send(se.ShowPage(se.StaffPage.SERVICE))
    hand.send(se.TakeOutOfService(ServiceStop.PRINTER))
    hand.wait(
        "out of service",
        lambda s: (
            s.stop is ServiceStop.PRINTER and isinstance(s.screen, ss.Service) and not s.screen.busy
        ),
    )
    hand.photograph("staff-service")
    hand.send(se.StaffExit())
    resident.wait_until(
        lambda s: s.service_stop is ServiceStop.PRINTER and s.staff_access is st.StaffAccess.NONE,
        "the start screen out of service",
    )
    hand.photograph("resident-start-out-of-service")
    _log_in_again(hand)
    hand.send(se.ShowPage(se.StaffPage.SERVICE))
    hand.send(se.PutBackInService())
    hand.wait(
        "back in service",
        lambda s: s.stop is None and isinstance(s.screen, ss.Service) and not s.screen.busy,
    )
    # money owed: the resident's slip, paid back
    hand.send(se.ShowPage(se.StaffPage.OWED))
    state = hand.wait(
        "the owed list", lambda s: isinstance(s.screen, ss.Owed) and s.screen.entries is not None
    )
    entries = state.screen.entries  # type: ignore[union-attr]
    if not entries:
        raise StaffDemoError("no owed entry for the resident's slip")
    hand.send(se.ChooseOwed(entries[-1].entry))
    hand.photograph("staff-owed")
    hand.send(se.ConfirmPaidBack())
    hand.wait("paid back", lambda s: isinstance(s.screen, ss.Owed) and s.screen.paid is not None)
    hand.photograph("staff-owed-paid")
    # a refill counted with a difference
    hand.send(se.ShowPage(se.StaffPage.CASH))
    hand.wait("the cash levels", lambda s: isinstance(s.screen, ss.Cash) and s.screen.read)
    hand.photograph("staff-cash")
    hand.send(se.StartCount(CashCountKind.REFILL))
    acceptor.refill({Denomination.Y100: 48})  # staff count 50 in: the unit counts 48
    hand.send(se.EditCount(Denomination.Y100))
    for digit in "50":
        hand.send(se.StaffDigit(digit))
    hand.send(se.StaffEnter())
    hand.photograph("staff-cash-count")
    hand.send(se.SubmitCount())
    state = hand.wait(
        "the recorded count",
        lambda s: isinstance(s.screen, ss.Cash) and s.screen.result is not None,
    )
    hand.photograph("staff-cash-recorded")
    result = state.screen.result if isinstance(state.screen, ss.Cash) else None
    differences = result.differences if result is not None else ()
    recorded = [(line.denomination, line.difference) for line in differences]
    if recorded != [(100, 2)]:  # staff counted 50, the unit 48: kept as a difference
        raise StaffDemoError(f"the refill's difference was not recorded: {recorded}")
    print("demo: refill counted 50 × 100 yen, the unit 48: difference +2 recorded")
    # close the business day
    hand.send(se.ShowPage(se.StaffPage.CLOSING))
    state = hand.wait(
        "the days", lambda s: isinstance(s.screen, ss.Closing) and s.screen.days is not None
    )
    hand.photograph("staff-closing-days")
    days = state.screen.days or ()  # type: ignore[union-attr]
    if not days:
        raise StaffDemoError("no business day to close")
    day = days[0].day
    hand.send(se.CloseDay(day))
    state = hand.wait(
        "the closed day",
        lambda s: (
            isinstance(s.screen, ss.Closing)
            and s.screen.view is not None
            and s.screen.view.phase is not ClosingPhase.RUNNING
        ),
        CLOSE_WAIT_S,
    )
    hand.photograph("staff-closing-done")
    view = state.screen.view  # type: ignore[union-attr]
    assert view is not None
    if view.phase is not ClosingPhase.DONE or view.totals is None:
        raise StaffDemoError(f"the day did not close: {view.phase.value} {view.detail}")
    if view.totals.unexplained:
        raise StaffDemoError(f"{view.totals.unexplained} unexplained differences")
    if view.printed is not True:
        raise StaffDemoError(f"the day report did not print ({view.print_fault})")
    _keep_report(kiosk, day, out)
    print(
        f"demo: business day {day} closed: {view.totals.matched} matched,"
        f" {view.totals.explained} explained, 0 unexplained; report printed"
    )
    # restart (shown, not done: the demo goes on) and out
    hand.send(se.ShowPage(se.StaffPage.RESTART))
    hand.photograph("staff-restart")
    hand.send(se.SwitchLanguage("en"))
    hand.send(se.ShowPage(se.StaffPage.STATUS))
    hand.wait(
        "the device status",
        lambda s: isinstance(s.screen, ss.Status) and s.screen.status is not None,
    )
    hand.photograph("staff-status-en")
    hand.send(se.SwitchLanguage("ja"))
    hand.send(se.StaffExit())
    hand.wait("the residents' kiosk", lambda s: isinstance(s.screen, ss.Closed))
    _scrape(kiosk, out)


def _log_in_again(hand: StaffHand) -> None:
    hand.log_in(STAFF_ID, STAFF_PIN)


def _keep_report(kiosk: Kiosk, day: date, out: Path) -> None:
    assert kiosk.operations is not None
    files = kiosk.operations.staff.parts.closer.files(day)
    shutil.copyfile(files.csv, out / "day-report.csv")
    shutil.copyfile(files.pdf, out / "day-report.pdf")
    for old in out.glob("day-report-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(out / "day-report.pdf"), str(out / "day-report")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    print(
        f"demo: day report {out / 'day-report.pdf'}, CSV {out / 'day-report.csv'}"
        f" (beside the journal: {files.csv})"
    )


def _scrape(kiosk: Kiosk, out: Path) -> None:
    url = kiosk.operations.metrics_url if kiosk.operations else None
    if url is None:
        raise StaffDemoError("the metrics endpoint is not served")
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - our own loopback URL
        text = answer.read().decode("utf-8")
    (out / "metrics.txt").write_text(text, encoding="utf-8")
    print(f"demo: metrics scrape of {url} ({len(text.splitlines())} lines, {out / 'metrics.txt'}):")
    print(text)


__all__ = ["run_staff_demo"]
