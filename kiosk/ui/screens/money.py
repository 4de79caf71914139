"""Money and printing screens: fetching, payment, printing, done, refunding, cancelled."""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from kiosk.flow import receipt_offered
from kiosk.flow.events import AskReceipt, Finish
from kiosk.flow.state import (
    Cancelled,
    Done,
    Fetching,
    FetchPhase,
    FlowState,
    Money,
    PaperState,
    Payment,
    Printing,
    Refunding,
    Transaction,
)
from kiosk.hardware import DEFAULT_LAYOUT, HardwareLayout, Part
from kiosk.hardware_names import part_phrase
from kiosk.i18n import _, format_yen, ngettext
from kiosk.ui.kiosk_diagram import KioskDiagram
from kiosk.ui.screens.base import CancelInfo, IntentSink, NavAction, ScreenView
from kiosk.ui.screens.card import BusyScreen
from kiosk.ui.screens.order import one_line_kind
from kiosk.ui.texts import REJECT_REASONS, kind_name
from kiosk.ui.widgets import BusyPanel, frame, label, metrics
from printing.certificates import CertificateKind


class FetchingScreen(BusyScreen):
    handles = (Fetching,)

    def title(self, state: FlowState) -> str:
        return _("Getting your certificate")

    def show_state(self, state: FlowState) -> None:
        screen = state.screen
        assert isinstance(screen, Fetching)
        if screen.phase is FetchPhase.PRINTER_CHECK:
            self.busy.set_text(_("Checking the printer…"))
        elif screen.items > 1:
            self.busy.set_text(
                _("Getting your certificates from your municipality…"),
                "\n".join(
                    (item_of_text(screen.item, screen.items), _("This can take up to a minute."))
                ),
            )
        else:
            self.busy.set_text(
                _("Getting your certificate from your municipality…"),
                _("This can take up to a minute."),
            )
        self.note.setText(
            _(
                "You can still cancel: nothing has been charged. You pay once the certificate "
                "data has arrived."
            )
        )

    def cancel(self, state: FlowState) -> CancelInfo:
        return CancelInfo()


def money_rows(grid: QGridLayout, rows: list[tuple[str, str]], labels: list[QWidget]) -> None:
    """Fill a two-column grid of (name, amount) rows, re-using its labels."""
    while len(labels) < 2 * len(rows):
        index = len(labels) // 2
        name = label("", "figure-label")
        value = label("", "figure", wrap=False)
        value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        grid.addWidget(name, index, 0)
        grid.addWidget(value, index, 1)
        labels.extend((name, value))
    for index, widget in enumerate(labels):
        row = index // 2
        widget.setVisible(row < len(rows))
        if row < len(rows):
            widget.setText(rows[row][index % 2])  # type: ignore[attr-defined]


class PaymentScreen(ScreenView):
    handles = (Payment,)

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(emit, parent)
        row = QHBoxLayout()
        row.setSpacing(metrics().margin)
        column = QVBoxLayout()
        column.setSpacing(metrics().gap)
        self.lead = label("", "title")
        self.how = label("", "body")
        column.addWidget(self.lead)
        column.addWidget(self.how)
        panel = frame("panel")
        self.grid = QGridLayout(panel)
        pad = metrics().margin
        self.grid.setContentsMargins(pad, pad, pad, pad)
        self.grid.setColumnStretch(0, 1)
        self._labels: list[QWidget] = []
        column.addWidget(panel)
        self.rejected = frame("warning")
        rejected_layout = QVBoxLayout(self.rejected)
        self.rejected_text = label("", "body")
        rejected_layout.addWidget(self.rejected_text)
        column.addWidget(self.rejected)
        column.addStretch(1)
        row.addLayout(column, 3)
        self.drawing = KioskDiagram()
        row.addWidget(self.drawing, 2)
        self.body.addLayout(row, 1)

    def title(self, state: FlowState) -> str:
        return _("Payment")

    def show_state(self, state: FlowState) -> None:
        screen = state.screen
        assert isinstance(screen, Payment)
        money = self.txn(state).money
        if money.paid:
            self.lead.setText(_("Thank you. Payment complete."))
        else:
            self.lead.setText(
                _("Please insert {amount}.").format(amount=format_yen(money.remaining_yen))
            )
        layout = state.settings.hardware
        rejected = screen.rejected is not None
        self.drawing.show_parts(
            layout,
            (Part.CHANGE_TRAY,) if rejected else (Part.COIN_SLOT, Part.BILL_SLOT),
        )
        self.how.setText(
            _(
                "Insert coins in the {coin_slot} and bills in the {bill_slot}; 2000-yen bills "
                "cannot be used. Change comes out in the {change_tray}."
            ).format(
                coin_slot=part_phrase(Part.COIN_SLOT, layout),
                bill_slot=part_phrase(Part.BILL_SLOT, layout),
                change_tray=part_phrase(Part.CHANGE_TRAY, layout),
            )
        )
        rows = [
            (_("Amount due"), format_yen(money.due_yen)),
            (_("Inserted"), format_yen(money.paid_in_yen)),
            (_("Still to insert"), format_yen(money.remaining_yen)),
        ]
        if money.change_due_yen:
            rows.append((_("Change"), format_yen(money.change_due_yen)))
        if money.escrow_yen:
            rows.append((_("Being checked"), format_yen(money.escrow_yen)))
        money_rows(self.grid, rows, self._labels)
        self.rejected.setVisible(screen.rejected is not None)
        if screen.rejected is not None:
            self.rejected_text.setText(
                _(REJECT_REASONS[screen.rejected]).format(
                    change_tray=part_phrase(Part.CHANGE_TRAY, layout)
                )
            )

    def cancel(self, state: FlowState) -> CancelInfo:
        money = self.txn(state).money
        if money.held_yen:
            return CancelInfo(text=_("Cancel and get your money back"))
        return CancelInfo()


@dataclass(frozen=True)
class PrintCount:
    """What the printer has put out, in the units a resident counts: sheets of paper and
    whole copies. The flow counts page sides (IPP impressions, docs/flow.md "Page sides"); every
    sheet of a certificate is printed on both sides, so two sides make a sheet."""

    sheets_done: int
    sheets_total: int
    copies_done: int
    copies_total: int


SIDES_PER_SHEET = 2  # duplex: the front, and the back with the scrambled image (docs/flow.md)


def print_count(txn: Transaction, sides_done: int) -> PrintCount:
    """Sheets and copies from the sides printed so far of the item being printed (the whole
    item when done; a basket's items print one after the other)."""
    items = txn.items
    if items and txn.cursor < len(items):
        item = items[txn.cursor]
        copies, document = item.request.copies, item.document
    else:
        copies, document = max(txn.copies_printed, 1), txn.document
    sides_per_copy = document.sides_per_copy if document is not None else SIDES_PER_SHEET
    sides_per_copy = max(sides_per_copy, 1)
    sheets_per_copy = -(-sides_per_copy // SIDES_PER_SHEET)
    sides_done = max(0, min(sides_done, sides_per_copy * copies))
    copies_done = sides_done // sides_per_copy
    within = sides_done - copies_done * sides_per_copy  # sides of the copy being printed
    return PrintCount(
        sheets_done=copies_done * sheets_per_copy + within // SIDES_PER_SHEET,
        sheets_total=copies * sheets_per_copy,
        copies_done=copies_done,
        copies_total=copies,
    )


def basket_count(txn: Transaction) -> PrintCount:
    """The whole visit's copies and sheets (what to take from the tray at the end)."""
    counts = [
        print_count(replace(txn, cursor=index), sides_done=1 << 30)
        for index in range(len(txn.items))
    ] or [print_count(txn, sides_done=1 << 30)]
    return PrintCount(
        sheets_done=sum(c.sheets_done for c in counts),
        sheets_total=sum(c.sheets_total for c in counts),
        copies_done=sum(c.copies_done for c in counts),
        copies_total=sum(c.copies_total for c in counts),
    )


def item_of_text(item: int, items: int) -> str:
    """「2件中1件目」: which certificate of a basket is being fetched or printed."""
    return _("Certificate {item} of {items}").format(item=item, items=items)


def copies_text(count: int) -> str:
    return ngettext("{count} copy", "{count} copies", count).format(count=count)


def sheets_text(count: int) -> str:
    return ngettext("{count} sheet of paper", "{count} sheets of paper", count).format(count=count)


class PrintingScreen(ScreenView):
    handles = (Printing,)

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(emit, parent)
        self.busy = BusyPanel()
        self.body.addWidget(self.busy)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setMinimumHeight(metrics().px(36))
        self.body.addWidget(self.progress)
        self.pages = self.add_label("body")
        warning = frame("warning")
        warning_layout = QVBoxLayout(warning)
        self.stay = label("", "lead")
        warning_layout.addWidget(self.stay)
        self.body.addWidget(warning)
        self.body.addStretch(1)

    def title(self, state: FlowState) -> str:
        return _("Printing")

    def show_state(self, state: FlowState) -> None:
        screen = state.screen
        assert isinstance(screen, Printing)
        self.busy.set_text(_("Printing your certificates…"))
        total = max(screen.pages_total, 1)
        self.progress.setRange(0, total)  # page sides: the finest step the printer reports
        self.progress.setValue(min(screen.pages_done, total))
        self.pages.setVisible(screen.pages_total > 0)
        count = print_count(self.txn(state), screen.pages_done)
        lines = [item_of_text(screen.item, screen.items)] if screen.items > 1 else []
        lines += [
            ngettext(
                "{done} of {total} sheet printed",
                "{done} of {total} sheets printed",
                count.sheets_total,
            ).format(done=count.sheets_done, total=count.sheets_total)
        ]
        if count.copies_total > 1:
            lines.append(
                ngettext(
                    "{done} of {total} copy finished",
                    "{done} of {total} copies finished",
                    count.copies_total,
                ).format(done=count.copies_done, total=count.copies_total)
            )
        self.pages.setText("\n".join(lines))
        self.stay.setText(_("This may take more than two minutes. Please do not leave the kiosk."))

    def cancel(self, state: FlowState) -> CancelInfo:
        return CancelInfo(
            enabled=False, reason=_("Printing cannot be stopped once it has started.")
        )


def refund_lines(money: Money, layout: HardwareLayout = DEFAULT_LAYOUT) -> list[str]:
    """What happened to the resident's money (refunds and amounts staff must pay)."""
    lines = []
    if money.refunded_yen:
        lines.append(
            _("{amount} has been returned. Please take it from the {change_tray}.").format(
                amount=format_yen(money.refunded_yen),
                change_tray=part_phrase(Part.CHANGE_TRAY, layout),
            )
        )
    if money.refund_pending_yen:
        lines.append(
            _("{amount} is being returned.").format(amount=format_yen(money.refund_pending_yen))
        )
    if money.staff_owed_yen:
        lines.append(
            _(
                "{amount} could not be returned by the machine. Staff will pay it back: please "
                "show this screen to staff."
            ).format(amount=format_yen(money.staff_owed_yen))
        )
    return lines


class DoneScreen(ScreenView):
    handles = (Done,)

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(emit, parent)
        row = QHBoxLayout()
        row.setSpacing(metrics().margin)
        column = QVBoxLayout()
        column.setSpacing(metrics().gap)
        row.addLayout(column, 3)
        self.drawing = KioskDiagram()
        row.addWidget(self.drawing, 2)
        self.body.addLayout(row, 1)
        self._column = column
        self.lead = self._add("title")
        self.certificates = self._add("lead")
        self.items = self._add("body")  # a basket: each certificate and its copies
        self.change = self._add("lead")
        self.ticket = frame("panel")
        ticket_layout = QVBoxLayout(self.ticket)
        self.ticket_number = label("", "figure")
        self.ticket_text = label("", "body")
        ticket_layout.addWidget(self.ticket_number)
        ticket_layout.addWidget(self.ticket_text)
        column.addWidget(self.ticket)
        self.short = frame("warning")
        short_layout = QVBoxLayout(self.short)
        self.short_text = label("", "body")
        short_layout.addWidget(self.short_text)
        column.addWidget(self.short)
        self.reminder = frame("warning")
        reminder_layout = QVBoxLayout(self.reminder)
        self.reminder_text = label("", "lead")
        reminder_layout.addWidget(self.reminder_text)
        column.addWidget(self.reminder)
        self.receipt = self._add("body")
        column.addStretch(1)
        self.thanks = self._add("muted")

    def _add(self, role: str) -> QLabel:
        widget = label("", role)
        self._column.addWidget(widget)
        return widget

    def title(self, state: FlowState) -> str:
        return _("Thank you")

    def show_state(self, state: FlowState) -> None:
        screen = state.screen
        assert isinstance(screen, Done)
        txn = self.txn(state)
        money = txn.money
        counter = screen.ticket_number is not None
        self.lead.setText(_("Please take your certificates."))
        layout = state.settings.hardware
        printer_tray = part_phrase(Part.PRINTER_TRAY, layout)
        change_tray = part_phrase(Part.CHANGE_TRAY, layout)
        change = money.change_yen + money.change_pending_yen
        self.drawing.setVisible(not counter)
        self.drawing.show_parts(
            layout, (Part.PRINTER_TRAY, Part.CHANGE_TRAY) if change else (Part.PRINTER_TRAY,)
        )
        if counter:
            self.certificates.setText(_("Take your ticket from the printer."))
        else:
            # How many to take, so that a second copy is not left behind (取り忘れ).
            count = basket_count(txn)
            self.certificates.setText(
                _("Take {copies} ({sheets}) from the {printer_tray}.").format(
                    copies=copies_text(count.copies_total),
                    sheets=sheets_text(count.sheets_total),
                    printer_tray=printer_tray,
                )
            )
        several = txn.item_count > 1 and not counter
        self.items.setVisible(several)
        # A basket: each certificate and its copies, so that none is left behind (the same
        # kind twice counted together; in the resident's language only beyond two items).
        copies: dict[CertificateKind, int] = {}
        for item in txn.items:
            copies[item.request.kind] = copies.get(item.request.kind, 0) + item.request.copies
        short = len(copies) > 2
        self.items.setText(
            "\n".join(
                _("• {certificate}: {copies}").format(
                    certificate=kind_name(kind).split("\n")[0] if short else one_line_kind(kind),
                    copies=copies_text(count),
                )
                for kind, count in copies.items()
            )
            if several
            else ""
        )
        self.change.setVisible(change > 0)
        self.change.setText(
            _("Please also take your change, {amount}, from the {change_tray}.").format(
                amount=format_yen(change), change_tray=change_tray
            )
        )
        self.ticket.setVisible(counter)
        if screen.ticket_number is not None:
            self.ticket_number.setText(
                _("Ticket number {number}").format(number=screen.ticket_number)
            )
            self.ticket_text.setText(
                _(
                    "Take the ticket to the counter and pay {amount} there; staff will give you "
                    "your certificates."
                ).format(amount=format_yen(txn.total_fee_yen))
            )
        lines = refund_lines(money, layout)
        if txn.change_short and not money.staff_owed_yen:
            lines.append(_("Not all of your change could be paid. Please call staff."))
        self.short.setVisible(bool(lines))
        self.short_text.setText("\n".join(lines))
        self.reminder.setVisible(screen.reminders > 0)
        self.reminder_text.setText(
            _("Don't forget your certificates and your change!")
            if change
            else _("Don't forget your certificates!")
        )
        self.thanks.setText(_("Thank you for using this service."))
        self.thanks.setVisible(not several)  # the title thanks too; a basket needs the room
        # Audio guidance says where to look, each time the flow reminds.
        spoken = [_("Please take your certificates from the {printer_tray}.")]
        if change:
            spoken.append(_("Please take your change from the {change_tray}."))
        self._spoken = " ".join(
            text.format(printer_tray=printer_tray, change_tray=change_tray) for text in spoken
        )
        receipt = txn.receipt
        self.receipt.setVisible(receipt is not None)
        if receipt is not None:
            self.receipt.setText(
                {
                    PaperState.PRINTING: _("Your receipt is being printed…"),
                    PaperState.PRINTED: _("Please take your receipt from the printer."),
                    PaperState.FAILED: _(
                        "The receipt could not be printed. Please ask a staff member."
                    ),
                }[receipt]
            )

    def spoken_reminder(self, state: FlowState) -> str:
        screen = state.screen
        assert isinstance(screen, Done)
        return self._spoken if screen.reminders and screen.ticket_number is None else ""

    def nav(self, state: FlowState) -> list[NavAction]:
        if receipt_offered(state):
            return [NavAction("receipt", _("Receipt"), AskReceipt())]
        return []

    def cancel(self, state: FlowState) -> CancelInfo:
        money = self.txn(state).money
        if money.pending_yen:
            return CancelInfo(enabled=False, reason=_("Please wait: your change is being paid."))
        return CancelInfo(text=_("Finish"), intent=Finish())


class RefundingScreen(BusyScreen):
    handles = (Refunding,)

    def title(self, state: FlowState) -> str:
        return _("Returning your money")

    def show_state(self, state: FlowState) -> None:
        money = self.txn(state).money
        self.busy.set_text(
            _("Returning your money…"),
            _("{amount} is being returned.").format(
                amount=format_yen(money.refund_pending_yen or money.held_yen)
            ),
        )
        self.note.setText(
            _("Please take the money from the {change_tray}.").format(
                change_tray=part_phrase(Part.CHANGE_TRAY, state.settings.hardware)
            )
        )

    def cancel(self, state: FlowState) -> CancelInfo:
        return CancelInfo(enabled=False, reason=_("Please wait: your money is being returned."))


class CancelledScreen(ScreenView):
    handles = (Cancelled,)

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(emit, parent)
        self.lead = self.add_label("title")
        self.money = self.add_label("lead")
        self.body.addStretch(1)

    def title(self, state: FlowState) -> str:
        return _("Cancelled")

    def show_state(self, state: FlowState) -> None:
        money = state.txn.money if state.txn else Money()
        self.lead.setText(_("Your request has been cancelled. Nothing was charged."))
        self.money.setText("\n".join(refund_lines(money, state.settings.hardware)))

    def cancel(self, state: FlowState) -> CancelInfo:
        return CancelInfo(text=_("Finish"), intent=Finish())
