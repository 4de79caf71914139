"""The staff pages: one view per staff screen (kiosk/staff/state.py); they render the staff
state and send staff intents, and decide nothing (like the resident screens)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from kiosk.journal.operations import CashCountKind
from kiosk.operations.day_report import NOTE_TEXT
from kiosk.payment import Denomination
from kiosk.problems import STOPS, ServiceStop
from kiosk.staff import events as se
from kiosk.staff import state as ss
from kiosk.staff.views import ClosingPhase, ClosingView, DayState
from kiosk.ui.staff.texts import S_, st
from kiosk.ui.widgets import Keypad, TouchButton, clear_layout, frame, label, metrics

JST = timezone(timedelta(hours=9), "JST")
Send = Callable[[se.StaffEvent], None]

# The reasons as staff read them (residents read the problem catalog's texts: kiosk.problems).
STOP_NAMES = {
    ServiceStop.MAINTENANCE: S_("Maintenance"),
    ServiceStop.PRINTER: S_("Printer work (paper, toner, jam)"),
    ServiceStop.CASH_UNIT: S_("Cash unit work (refill, collection, jam)"),
    ServiceStop.NETWORK: S_("Network trouble"),
    ServiceStop.CLOSED: S_("Closed"),
}
PAGE_NAMES = {
    se.StaffPage.STATUS: S_("Device status"),
    se.StaffPage.TEST_PAGE: S_("Print a test page"),
    se.StaffPage.SERVICE: S_("Out of service / back in service"),
    se.StaffPage.OWED: S_("Money owed to residents"),
    se.StaffPage.CASH: S_("Cash refill and collection"),
    se.StaffPage.CLOSING: S_("Close the business day"),
    se.StaffPage.RESTART: S_("Restart the kiosk program"),
}
DAY_STATES = {
    DayState.OPEN: S_("not closed"),
    DayState.INTERRUPTED: S_("interrupted: resume"),
    DayState.CLOSED: S_("closed"),
}


def yen(amount: int | None) -> str:
    return "—" if amount is None else f"{amount:,} 円"


def when(moment: datetime) -> str:
    return moment.astimezone(JST).strftime("%Y-%m-%d %H:%M")


class Page(QWidget):
    """One staff page; :meth:`show_state` renders it in the staff language."""

    def __init__(self, send: Send) -> None:
        super().__init__()
        self.send = send
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(metrics().gap)
        self.language = "ja"

    def t(self, message: str) -> str:
        return st(message, self.language)

    def show_state(self, state: ss.StaffState) -> None:
        raise NotImplementedError


def table(content: QWidget) -> QGridLayout:
    """A grid whose rows stay at the top however few there are."""
    grid = QGridLayout(content)
    grid.setAlignment(Qt.AlignmentFlag.AlignTop)
    grid.setVerticalSpacing(metrics().px(6))
    return grid


def scroll(content: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(content)
    return area


def button(text: str, send: Send, event: se.StaffEvent, role: str = "choice") -> TouchButton:
    widget = TouchButton(text, role)
    widget.clicked.connect(lambda: send(event))
    return widget


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


class OwedPage(Page):
    def __init__(self, send: Send) -> None:
        super().__init__(send)
        self.lead = label("", "lead")
        self.body.addWidget(self.lead)
        content = QWidget()
        self.list = QVBoxLayout(content)
        self.body.addWidget(scroll(content), 1)
        self.confirm_box = frame("warning")
        confirm = QVBoxLayout(self.confirm_box)
        self.confirm_text = label("", "lead")
        self.confirm = button("", send, se.ConfirmPaidBack(), "primary")
        confirm.addWidget(self.confirm_text)
        confirm.addWidget(self.confirm)
        self.body.addWidget(self.confirm_box)

    def show_state(self, state: ss.StaffState) -> None:
        screen = state.screen
        assert isinstance(screen, ss.Owed)
        clear_layout(self.list)
        entries = screen.entries
        if entries is None:
            self.lead.setText(self.t(S_("Reading the journal…")))
        elif not entries:
            self.lead.setText(self.t(S_("No money is owed to residents.")))
        else:
            total = sum(entry.yen for entry in entries)
            self.lead.setText(
                self.t(S_("{count} entries, {amount} owed. Choose the one you paid.")).format(
                    count=len(entries), amount=yen(total)
                )
            )
        for entry in entries or ():
            text = f"{entry.txn_id}   {yen(entry.yen)}   {entry.code.value}   {when(entry.at)}"
            widget = button(text, self.send, se.ChooseOwed(entry.entry))
            widget.setCheckable(True)
            widget.setChecked(entry.entry == screen.chosen)
            self.list.addWidget(widget)
        self.list.addStretch(1)
        chosen = next((e for e in entries or () if e.entry == screen.chosen), None)
        self.confirm_box.setVisible(chosen is not None)
        if chosen is not None:
            self.confirm_text.setText(
                self.t(S_("Pay {amount} to the resident with slip {reference} ({code}).")).format(
                    amount=yen(chosen.yen), reference=chosen.txn_id, code=chosen.code.value
                )
            )
            self.confirm.setText(self.t(S_("Paid back: record it")))
            self.confirm.setEnabled(not screen.busy)


class CashPage(Page):
    def __init__(self, send: Send) -> None:
        super().__init__(send)
        self.lead = label("", "lead")
        self.body.addWidget(self.lead)
        row = QHBoxLayout()
        content = QWidget()
        self.grid = table(content)
        row.addWidget(scroll(content), 3)
        side = QVBoxLayout()
        self.refill = button("", send, se.StartCount(CashCountKind.REFILL))
        self.collect = button("", send, se.StartCount(CashCountKind.COLLECTION))
        self.keypad = Keypad()
        self.keypad.digit.connect(lambda d: send(se.StaffDigit(d)))
        self.keypad.backspace.connect(lambda: send(se.StaffBackspace()))
        self.keypad.clear.connect(lambda: send(se.StaffClear()))
        self.enter = button("", send, se.StaffEnter())
        self.submit = button("", send, se.SubmitCount(), "primary")
        for widget in (self.refill, self.collect, self.keypad, self.enter, self.submit):
            side.addWidget(widget)
        side.addStretch(1)
        row.addLayout(side, 2)
        self.body.addLayout(row, 1)

    def show_state(self, state: ss.StaffState) -> None:
        screen = state.screen
        assert isinstance(screen, ss.Cash)
        clear_layout(self.grid)
        counting = screen.kind is not None
        self.refill.setVisible(not counting)
        self.collect.setVisible(not counting)
        self.refill.setText(self.t(S_("Refill change")))
        self.collect.setText(self.t(S_("Collect the cash box")))
        for widget in (self.keypad, self.enter, self.submit):
            widget.setVisible(counting)
        self.keypad.set_captions(self.t(S_("Delete")), self.t(S_("Clear")))
        self.enter.setText(self.t(S_("Set")))
        self.submit.setText(self.t(S_("Record the count")))
        self.submit.setEnabled(not screen.busy and screen.editing is None)
        if screen.result is not None:
            self._result(screen)
        elif counting:
            self._count(screen)
        else:
            self._levels(screen)

    def _levels(self, screen: ss.Cash) -> None:
        levels = screen.levels
        if not screen.read:
            self.lead.setText(self.t(S_("Reading the cash unit…")))
            return
        if levels is None:
            self.lead.setText(self.t(S_("The cash unit reports no count.")))
            return
        self.lead.setText(
            self.t(S_("The cash unit's own count."))
            + (f" ⚠ {levels.fault}" if levels.fault else "")
        )
        self._header([S_("Piece"), S_("Change"), S_("Cash box")])
        for row, piece in enumerate(Denomination, 1):
            change = (levels.change or {}).get(piece, 0)
            box = (levels.cash_box or {}).get(piece, 0)
            if change or box:
                self._row(row, [yen(int(piece)), str(change), str(box)])

    def _count(self, screen: ss.Cash) -> None:
        refill = screen.kind is CashCountKind.REFILL
        self.lead.setText(
            self.t(S_("Refill: count the pieces you put in. Tap a row, type, Set."))
            if refill
            else self.t(S_("Collection: count the pieces you took out. Tap a row, type, Set."))
        )
        for row, (piece, count) in enumerate(screen.counts):
            editing = piece is screen.editing
            text = f"{yen(int(piece))}   ×   {screen.entry + '▏' if editing else count}"
            widget = button(text, self.send, se.EditCount(piece))
            widget.setCheckable(True)
            widget.setChecked(editing)
            self.grid.addWidget(widget, row, 0)

    def _result(self, screen: ss.Cash) -> None:
        result = screen.result
        assert result is not None
        self.lead.setText(
            self.t(S_("Recorded. Differences are kept as they are: {amount}.")).format(
                amount=yen(result.difference_yen)
            )
        )
        self._header([S_("Piece"), S_("Counted"), S_("Unit counted"), S_("Difference")])
        for row, line in enumerate(result.lines, 1):
            unit = "—" if line.unit_count is None else str(line.unit_count)
            diff = "—" if line.difference is None else f"{line.difference:+d}"
            self._row(row, [yen(line.denomination), str(line.counted), unit, diff])

    def _header(self, names: list[str]) -> None:
        for column, name in enumerate(names):
            self.grid.addWidget(label(self.t(name), "field-label"), 0, column)

    def _row(self, row: int, values: list[str]) -> None:
        for column, value in enumerate(values):
            self.grid.addWidget(label(value, "body"), row, column)


class ClosingPage(Page):
    def __init__(self, send: Send) -> None:
        super().__init__(send)
        self.lead = label("", "lead")
        self.body.addWidget(self.lead)
        content = QWidget()
        self.list = QVBoxLayout(content)
        self.body.addWidget(scroll(content), 1)
        actions = QHBoxLayout()
        self.without = button("", send, se.CloseWithoutCenter())
        self.retry = TouchButton("", "primary")
        self.reprint = button("", send, se.PrintDayReport())
        for widget in (self.without, self.retry, self.reprint):
            actions.addWidget(widget)
        self.body.addLayout(actions)
        self._retry_day: ss.Closing | None = None
        self.retry.clicked.connect(self._retry)

    def _retry(self) -> None:
        screen = self._retry_day
        if screen is not None and screen.view is not None:
            self.send(se.CloseDay(screen.view.day))

    def show_state(self, state: ss.StaffState) -> None:
        screen = state.screen
        assert isinstance(screen, ss.Closing)
        self._retry_day = screen
        clear_layout(self.list)
        view = screen.view
        for widget in (self.without, self.retry, self.reprint):
            widget.setVisible(False)
        if view is None:
            self._days(screen)
            return
        day = view.day.isoformat()
        if view.phase is ClosingPhase.RUNNING:
            self.lead.setText(self.t(S_("Closing {day}…")).format(day=day))
        elif view.phase is ClosingPhase.FAILED:
            self.lead.setText(
                self.t(S_("Closing {day} stopped: the journal could not record it.")).format(
                    day=day
                )
            )
        elif view.phase is ClosingPhase.CENTER_UNREACHABLE:
            self.lead.setText(
                self.t(
                    S_("The center cannot be reached ({detail}). Try again, or close the day "
                       "without the center's figures: its side is then marked missing.")
                ).format(detail=view.detail)
            )  # fmt: skip
            self.retry.setText(self.t(S_("Try again")))
            self.without.setText(self.t(S_("Close without the center")))
            self.retry.setVisible(True)
            self.without.setVisible(True)
        else:
            self._done(view)

    def _days(self, screen: ss.Closing) -> None:
        if screen.days is None:
            self.lead.setText(self.t(S_("Reading the journal…")))
            return
        self.lead.setText(self.t(S_("Choose the business day to close.")))
        for choice in screen.days:
            text = self.t(S_("{day}: {count} transactions, {state}")).format(
                day=choice.day.isoformat(),
                count=choice.transactions,
                state=self.t(DAY_STATES[choice.state]),
            )
            self.list.addWidget(button(text, self.send, se.CloseDay(choice.day)))
        if not screen.days:
            self.list.addWidget(label(self.t(S_("No transactions in the journal.")), "body"))
        self.list.addStretch(1)

    def _done(self, view: ClosingView) -> None:
        totals = view.totals
        assert totals is not None
        lines = [
            self.t(S_("{day} closed: {matched} matched, {explained} explained, "
                      "{unexplained} unexplained.")).format(
                day=view.day.isoformat(), matched=totals.matched, explained=totals.explained,
                unexplained=totals.unexplained,
            ),
        ]  # fmt: skip
        if view.center_missing:
            lines.append(self.t(S_("Closed without the center's figures.")))
        if view.printed is True:
            lines.append(self.t(S_("The day report was printed.")))
        elif view.printed is False:
            fault = view.print_fault.value if view.print_fault else "?"
            lines.append(
                self.t(S_("The day report was not printed ({fault}): print it again.")).format(
                    fault=fault
                )
            )
        lines.append(self.t(S_("CSV: {name} (beside the journal)")).format(name=view.csv_name))
        self.lead.setText("\n".join(lines))
        figures = [
            (S_("Fees kept by the kiosk"), yen(totals.kiosk_kept_yen)),
            (S_("Fees the center settles"), yen(totals.center_fees_yen)),
            (S_("Owed to residents"), yen(totals.owed_yen)),
            (S_("Paid back by staff"), yen(totals.paid_back_yen)),
            (S_("Still owed"), yen(totals.owed_open_yen)),
        ]
        for name, value in figures:
            self.list.addWidget(label(f"{self.t(name)}: {value}", "body"))
        if view.differences:
            self.list.addWidget(label(self.t(S_("Differences by transaction")), "field-label"))
        for line in view.differences:
            notes = "; ".join(
                NOTE_TEXT[note][0 if self.language == "ja" else 1] for note in line.notes
            )
            ids = f"{line.txn_id or '—'}  {line.issuance_id or '—'}"
            text = f"{ids}  [{line.status.value}]  {notes}"
            self.list.addWidget(label(text, "body"))
        self.list.addStretch(1)
        self.reprint.setText(self.t(S_("Print the day report again")))
        self.reprint.setVisible(True)


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
