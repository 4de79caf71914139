"""The staff pages: one view per staff screen (kiosk/staff/state.py); they render the staff
state and send staff intents, and decide nothing (like the resident screens). The money pages
are in kiosk/ui/staff/money.py, what they share in kiosk/ui/staff/page.py."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.payment.cash_status import CashStatus
from kiosk.problems import STOPS, ServiceStop
from kiosk.staff import events as se
from kiosk.staff import state as ss
from kiosk.ui.staff.money import CashPage, ClosingPage, OwedPage
from kiosk.ui.staff.page import Page, Send, button, scroll, table, when, yen
from kiosk.ui.staff.texts import S_
from kiosk.ui.widgets import Keypad, TouchButton, clear_layout, label, metrics

# The reasons as staff read them (residents read the problem catalog's texts: kiosk.problems).
STOP_NAMES = {
    ServiceStop.MAINTENANCE: S_("Maintenance"),
    ServiceStop.PRINTER: S_("Printer work (paper, toner, jam)"),
    ServiceStop.CASH_UNIT: S_("Cash unit work (refill, collection, jam)"),
    ServiceStop.NETWORK: S_("Network trouble"),
    ServiceStop.CLOSED: S_("Closed"),
}
HOPPER_LEVELS = {"low": S_("low"), "ok": S_("enough"), "high": S_("full")}
PAGE_NAMES = {
    se.StaffPage.STATUS: S_("Device status"),
    se.StaffPage.TEST_PAGE: S_("Print a test page"),
    se.StaffPage.SERVICE: S_("Out of service / back in service"),
    se.StaffPage.OWED: S_("Money owed to residents"),
    se.StaffPage.CASH: S_("Cash refill and collection"),
    se.StaffPage.CLOSING: S_("Close the business day"),
    se.StaffPage.RESTART: S_("Restart the kiosk program"),
}


class LoginPage(Page):
    def __init__(self, send: Send) -> None:
        super().__init__(send)
        row = QHBoxLayout()
        column = QVBoxLayout()
        self.lead = label("", "title")
        self.how = label("", "body")
        self.entry = label("", "field")
        self.entry.setMinimumHeight(metrics().px(64))
        self.problem = label("", "lead")
        for widget in (self.lead, self.how, self.entry, self.problem):
            column.addWidget(widget)
        column.addStretch(1)
        row.addLayout(column, 1)
        keys = QVBoxLayout()
        self.keypad = Keypad()
        self.keypad.digit.connect(lambda d: send(se.StaffDigit(d)))
        self.keypad.backspace.connect(lambda: send(se.StaffBackspace()))
        self.keypad.clear.connect(lambda: send(se.StaffClear()))
        keys.addWidget(self.keypad)
        self.enter = TouchButton("", "primary")
        self.enter.clicked.connect(lambda: send(se.StaffEnter()))
        keys.addWidget(self.enter)
        row.addLayout(keys, 1)
        self.body.addLayout(row, 1)

    def show_state(self, state: ss.StaffState) -> None:
        screen = state.screen
        assert isinstance(screen, ss.Login)
        pin = screen.stage is ss.LoginStage.PIN
        self.lead.setText(self.t(S_("Staff login")))
        if pin:
            self.how.setText(self.t(S_("Enter your PIN.")))
            self.entry.setText(screen.masked or " ")
        elif state.settings.card_required:
            self.how.setText(self.t(S_("Place your staff card on the card reader.")))
            self.entry.setText(" ")
        elif state.settings.card_login:
            self.how.setText(
                self.t(S_("Place your staff card on the card reader, or enter your staff number."))
            )
            self.entry.setText(screen.entry or " ")
        else:
            self.how.setText(self.t(S_("Enter your staff number.")))
            self.entry.setText(screen.entry or " ")
        problems = []
        if screen.checking:
            problems.append(self.t(S_("Checking…")))
        if screen.wrong:
            problems.append(self.t(S_("The staff number or the PIN is wrong.")))
        if screen.tries_left is not None and screen.wrong:
            problems.append(
                self.t(S_("{count} more wrong PINs lock the staff login.")).format(
                    count=screen.tries_left
                )
            )
        if screen.unknown_card:
            problems.append(self.t(S_("This card is not a staff card of this kiosk.")))
        self.problem.setText("\n".join(problems))
        self.problem.setVisible(bool(problems))
        self.keypad.set_captions(self.t(S_("Delete")), self.t(S_("Clear")))
        typing = pin or not state.settings.card_required
        self.keypad.set_digits_enabled(typing and not screen.checking)
        self.enter.setText(self.t(S_("OK")))
        self.enter.setEnabled(typing and not screen.checking)


class MenuPage(Page):
    def __init__(self, send: Send) -> None:
        super().__init__(send)
        self.lead = label("", "lead")
        self.body.addWidget(self.lead)
        grid = QGridLayout()
        grid.setSpacing(metrics().gap)
        self.buttons: dict[se.StaffPage, TouchButton] = {}
        for index, page in enumerate(se.StaffPage):
            widget = button("", send, se.ShowPage(page), "primary" if index == 0 else "choice")
            grid.addWidget(widget, index // 2, index % 2)
            self.buttons[page] = widget
        self.body.addLayout(grid)
        self.body.addStretch(1)

    def show_state(self, state: ss.StaffState) -> None:
        stop = state.stop
        self.lead.setText(
            self.t(S_("In service."))
            if stop is None
            else self.t(S_("Out of service: {reason}")).format(reason=self.t(STOP_NAMES[stop]))
        )
        for page, widget in self.buttons.items():
            widget.setText(self.t(PAGE_NAMES[page]))


class StatusPage(Page):
    def __init__(self, send: Send) -> None:
        super().__init__(send)
        content = QWidget()
        self.grid = table(content)
        self.grid.setColumnStretch(1, 1)
        self.body.addWidget(scroll(content), 1)
        self.refresh = button("", send, se.Refresh())
        self.body.addWidget(self.refresh)

    def show_state(self, state: ss.StaffState) -> None:
        screen = state.screen
        assert isinstance(screen, ss.Status)
        self.refresh.setText(self.t(S_("Read again")))
        clear_layout(self.grid)
        status = screen.status
        if status is None:
            self.grid.addWidget(label(self.t(S_("Reading the devices…")), "lead"), 0, 0)
            return
        rows: list[tuple[str, str]] = []
        reader = status.reader
        rows.append(
            (
                self.t(S_("Card reader")),
                (self.t(S_("ready")) if reader.available else self.t(S_("not available")))
                + ("; " + self.t(S_("a card is on it")) if reader.card_present else "")
                + (f" ({', '.join(reader.readers)})" if reader.readers else ""),
            )
        )
        printer = status.printer
        text = self.t(S_("ready")) if printer.ready else self.t(S_("not ready"))
        if printer.fault is not None:
            text += f": {printer.fault.value}"
        rows.append((self.t(S_("Printer")), text))
        rows.append((self.t(S_("printer-state-reasons")), ", ".join(printer.reasons) or "none"))
        for marker in printer.markers:
            level = f"{marker.percent} %" if marker.percent is not None else self.t(S_("unknown"))
            rows.append((marker.name, level + (" ⚠" if marker.low else "")))
        cash = status.cash
        if cash is None:
            rows.append((self.t(S_("Cash unit")), self.t(S_("no count reported"))))
        else:
            rows.append(
                (
                    self.t(S_("Cash unit")),
                    (cash.fault or self.t(S_("ready")))
                    + " — "
                    + self.t(S_("change {change}, cash box {box}")).format(
                        change=yen(cash.change_yen()), box=yen(cash.cash_box_yen())
                    ),
                )
            )
        if status.cash_unit is not None:
            rows.extend(self._cash_unit_rows(status.cash_unit))
        center = status.center
        rows.append(
            (
                self.t(S_("Center")),
                self.t(S_("reachable"))
                if center.reachable
                else self.t(S_("not available ({code})")).format(code=center.code or "?"),
            )
        )
        disk = status.disk
        rows.append(
            (
                self.t(S_("Journal disk")),
                self.t(S_("{free} MB free of {total} MB ({ratio} %)")).format(
                    free=disk.free_bytes // 2**20,
                    total=disk.total_bytes // 2**20,
                    ratio=round(disk.free_ratio * 100),
                )
                + (" ⚠" if disk.low else ""),
            )
        )
        for index, (name, value) in enumerate(rows):
            self.grid.addWidget(label(name, "field-label"), index, 0)
            self.grid.addWidget(label(value, "body"), index, 1)
        start = len(rows)
        self.grid.addWidget(label(self.t(S_("Last faults")), "field-label"), start, 0)
        if not status.faults:
            self.grid.addWidget(label(self.t(S_("none")), "body"), start, 1)
        for index, fault in enumerate(status.faults[:10]):
            text = f"{when(fault.at)}  {fault.code}  {fault.problem}"
            self.grid.addWidget(label(text, "body"), start + index, 1)

    def _cash_unit_rows(self, unit: CashStatus) -> list[tuple[str, str]]:
        """The cash unit's devices (a unit driven directly); their faults are the driver's."""
        rows = []
        for name, device in ((S_("Bill validator"), unit.bill_validator),
                             (S_("Coin acceptor"), unit.coin_acceptor)):  # fmt: skip
            text = self.t(S_("ready")) if device.connected else self.t(S_("not connected"))
            if device.fault:
                text += f": {device.fault}"
            if device.identity:
                text += f" ({device.identity})"
            rows.append((self.t(name), text + (" ⚠" if device.fault else "")))
        for hopper in unit.hoppers:
            level = self.t(HOPPER_LEVELS.get(hopper.level, S_("unknown")))
            text = level if hopper.connected else self.t(S_("not connected"))
            if hopper.fault:
                text += f": {hopper.fault} ⚠"
            rows.append((self.t(S_("Hopper {coin} yen")).format(coin=hopper.coin_yen), text))
        rows.append((self.t(S_("Bills in the stacker")), str(unit.bills_in_stacker)))
        if unit.unconfirmed:
            rows.append((self.t(S_("Not yet in the journal")), ", ".join(unit.unconfirmed) + " ⚠"))
        return rows


class TestPagePage(Page):
    def __init__(self, send: Send) -> None:
        super().__init__(send)
        self.lead = label("", "lead")
        self.result = label("", "title")
        self.print = button("", send, se.PrintTestPage(), "primary")
        for widget in (self.lead, self.result, self.print):
            self.body.addWidget(widget)
        self.body.addStretch(1)

    def show_state(self, state: ss.StaffState) -> None:
        screen = state.screen
        assert isinstance(screen, ss.TestPage)
        self.lead.setText(
            self.t(S_("A test page checks paper, toner and two-sided printing (two pages)."))
        )
        texts = {
            ss.TestPageState.READY: "",
            ss.TestPageState.PRINTING: self.t(S_("Printing…")),
            ss.TestPageState.PRINTED: self.t(S_("Printed.")),
            ss.TestPageState.FAILED: self.t(S_("Not printed: {fault}")).format(
                fault=screen.fault.value if screen.fault else "?"
            ),
        }
        self.result.setText(texts[screen.state])
        self.print.setText(self.t(S_("Print a test page")))
        self.print.setEnabled(screen.state is not ss.TestPageState.PRINTING)


class ServicePage(Page):
    def __init__(self, send: Send) -> None:
        super().__init__(send)
        self.lead = label("", "lead")
        self.body.addWidget(self.lead)
        self.stops: dict[ServiceStop, TouchButton] = {}
        grid = QGridLayout()
        for index, stop in enumerate(ServiceStop):
            widget = button("", send, se.TakeOutOfService(stop))
            grid.addWidget(widget, index // 2, index % 2)
            self.stops[stop] = widget
        self.body.addLayout(grid)
        self.back = button("", send, se.PutBackInService(), "primary")
        self.body.addWidget(self.back)
        self.note = label("", "muted")
        self.body.addWidget(self.note)
        self.body.addStretch(1)

    def show_state(self, state: ss.StaffState) -> None:
        screen = state.screen
        assert isinstance(screen, ss.Service)
        stop = state.stop
        if stop is None:
            self.lead.setText(self.t(S_("The kiosk is in service.")))
        else:
            self.lead.setText(
                self.t(S_("Out of service: {reason} (residents see {code}).")).format(
                    reason=self.t(STOP_NAMES[stop]), code=STOPS[stop].staff_code
                )
            )
        for reason, widget in self.stops.items():
            widget.setText(
                self.t(S_("Out of service: {reason}")).format(reason=self.t(STOP_NAMES[reason]))
            )
            widget.setEnabled(not screen.busy and reason is not stop)
        self.back.setText(self.t(S_("Back in service")))
        self.back.setEnabled(not screen.busy and stop is not None)
        self.note.setText(
            self.t(S_("Residents read the reason on the start screen, in their language."))
        )


class RestartPage(Page):
    def __init__(self, send: Send) -> None:
        super().__init__(send)
        self.lead = label("", "lead")
        self.confirm = button("", send, se.ConfirmRestart(), "primary")
        self.body.addWidget(self.lead)
        self.body.addWidget(self.confirm)
        self.body.addStretch(1)

    def show_state(self, state: ss.StaffState) -> None:
        screen = state.screen
        assert isinstance(screen, ss.Restart)
        if screen.confirmed:
            self.lead.setText(self.t(S_("Restarting…")))
        else:
            self.lead.setText(
                self.t(S_("The kiosk program stops its devices, closes the journal and starts "
                          "again. Nothing in the journal is lost."))
            )  # fmt: skip
        self.confirm.setText(self.t(S_("Restart now")))
        self.confirm.setEnabled(not screen.confirmed)


PAGES: dict[type, type[Page]] = {
    ss.Login: LoginPage,
    ss.Menu: MenuPage,
    ss.Status: StatusPage,
    ss.TestPage: TestPagePage,
    ss.Service: ServicePage,
    ss.Owed: OwedPage,
    ss.Cash: CashPage,
    ss.Closing: ClosingPage,
    ss.Restart: RestartPage,
}

__all__ = ["PAGES", "PAGE_NAMES", "STOP_NAMES", "Page"]
