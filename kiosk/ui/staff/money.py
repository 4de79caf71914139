"""The staff pages about money: money owed to residents (paid back against the slip), cash
refill and collection (counted, with the unit's own count), and closing the business day."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.journal.operations import CashCountKind
from kiosk.operations.day_report import NOTE_TEXT
from kiosk.payment import Denomination
from kiosk.staff import events as se
from kiosk.staff import state as ss
from kiosk.staff.views import ClosingPhase, ClosingView, DayState
from kiosk.ui.staff.page import Page, Send, button, scroll, table, when, yen
from kiosk.ui.staff.texts import S_
from kiosk.ui.widgets import Keypad, TouchButton, clear_layout, frame, label

DAY_STATES = {
    DayState.OPEN: S_("not closed"),
    DayState.INTERRUPTED: S_("interrupted: resume"),
    DayState.CLOSED: S_("closed"),
}


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


__all__ = ["CashPage", "ClosingPage", "OwedPage"]
