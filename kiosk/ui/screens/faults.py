"""Every refusal and fault as its own screen: the resident message and the staff code."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.flow.events import Finish
from kiosk.flow.state import Fault, FlowState, OutOfService
from kiosk.i18n import _
from kiosk.problems import describe
from kiosk.ui.screens.base import CancelInfo, IntentSink, ScreenView
from kiosk.ui.screens.card import staff_line
from kiosk.ui.screens.money import refund_lines
from kiosk.ui.widgets import frame, label


class FaultScreen(ScreenView):
    handles = (Fault, OutOfService)

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(emit, parent)
        band = frame("fault-band")
        band_layout = QVBoxLayout(band)
        self.headline = label("", "title")
        band_layout.addWidget(self.headline)
        self.body.addWidget(band)
        self.message = self.add_label("lead")
        self.staff = self.add_label("lead")
        self.money_box = frame("warning")
        money_layout = QVBoxLayout(self.money_box)
        self.money = label("", "body")
        money_layout.addWidget(self.money)
        self.body.addWidget(self.money_box)
        self.body.addStretch(1)
        self.code = self.add_label("staff")

    def title(self, state: FlowState) -> str:
        if isinstance(state.screen, OutOfService):
            return _("Out of service")
        return _("We are sorry")

    def show_state(self, state: FlowState) -> None:
        screen = state.screen
        assert isinstance(screen, Fault | OutOfService)
        text = describe(screen.problem)
        self.headline.setText(_(text.title))
        self.message.setText(_(text.message))
        out_of_service = isinstance(screen, OutOfService)
        # Messages of problems that need staff say so themselves; do not say it twice.
        self.staff.setVisible(out_of_service and not text.staff_needed)
        self.staff.setText(_("Please call a staff member."))
        lines = refund_lines(state.txn.money, state.settings.hardware) if state.txn else []
        self.money_box.setVisible(bool(lines))
        self.money.setText("\n".join(lines))
        detail = getattr(screen, "detail", "")
        code = staff_line(text.staff_code)
        self.code.setText(f"{code} ({detail})" if detail else code)

    def cancel(self, state: FlowState) -> CancelInfo:
        if isinstance(state.screen, OutOfService):
            return CancelInfo(enabled=False, reason=_("A staff member must restart this kiosk."))
        return CancelInfo(text=_("Finish"), intent=Finish())
