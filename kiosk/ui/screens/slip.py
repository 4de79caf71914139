"""The slip of money owed: the resident's proof, with the money codes (P-4xx), on screen until
the resident touches "I have the slip" (kiosk/flow/_operations.py).

Kept in its own module: the money screens (money.py) change with the resident screens' texts,
this one with store operations (docs/operations.md)."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.flow.events import Finish
from kiosk.flow.state import FlowState, OwedSlip, PaperState
from kiosk.i18n import _, format_yen
from kiosk.ui.screens.base import CancelInfo, IntentSink, ScreenView
from kiosk.ui.widgets import frame, label


class OwedSlipScreen(ScreenView):
    handles = (OwedSlip,)

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(emit, parent)
        self.lead = self.add_label("title")
        self.how = self.add_label("lead")
        panel = frame("warning")
        panel_layout = QVBoxLayout(panel)
        self.code = label("", "figure")
        self.reference = label("", "body")
        panel_layout.addWidget(self.code)
        panel_layout.addWidget(self.reference)
        self.body.addWidget(panel)
        self.slip = self.add_label("lead")
        self.body.addStretch(1)

    def title(self, state: FlowState) -> str:
        return _("Money to be paid back")

    def show_state(self, state: FlowState) -> None:
        screen = state.screen
        assert isinstance(screen, OwedSlip)
        txn = self.txn(state)
        self.lead.setText(
            _("The kiosk could not return {amount}.").format(amount=format_yen(screen.yen))
        )
        self.how.setText(
            _("A staff member of this store will pay it to you. Please show them your slip.")
        )
        codes = ", ".join(code.value for code in screen.codes)
        self.code.setText(_("Money code: {codes}").format(codes=codes))
        self.reference.setText(_("Reference: {reference}").format(reference=txn.txn_id))
        self.slip.setText(
            {
                PaperState.PRINTING: _("Your slip is being printed…"),
                PaperState.PRINTED: _("Please take your slip from the printer."),
                PaperState.FAILED: _(
                    "The slip could not be printed. Please show this screen to a staff member "
                    "now, or write down the reference and the money code."
                ),
            }[screen.slip]
        )

    def cancel(self, state: FlowState) -> CancelInfo:
        screen = state.screen
        assert isinstance(screen, OwedSlip)
        if screen.slip is PaperState.PRINTING:
            return CancelInfo(enabled=False, reason=_("Please wait: your slip is being printed."))
        if screen.slip is PaperState.FAILED:
            return CancelInfo(text=_("I have noted the reference"), intent=Finish())
        return CancelInfo(text=_("I have the slip"), intent=Finish())
