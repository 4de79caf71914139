"""Card screens: place the card, the PIN keypad, checking, PIN locked, take the card."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.flow.events import Finish, Submit
from kiosk.flow.state import (
    PIN_LENGTH,
    Authenticating,
    AuthPhase,
    CardState,
    FlowState,
    PinEntry,
    PinLocked,
    PlaceCard,
    ReturnCard,
    TakeCard,
    VerifyingPin,
)
from kiosk.hardware import Part
from kiosk.hardware_names import part_phrase
from kiosk.i18n import _
from kiosk.problems import Problem, describe
from kiosk.ui.kiosk_diagram import KioskDiagram
from kiosk.ui.screens.base import CancelInfo, IntentSink, NavAction, ScreenView
from kiosk.ui.screens.keypad_entry import KeypadEntryScreen, masked, tries_left_text
from kiosk.ui.widgets import BusyPanel, frame, label, metrics


def staff_line(code: str) -> str:
    return _("Staff code: {code}").format(code=code)


class PlaceCardScreen(ScreenView):
    handles = (PlaceCard,)

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(emit, parent)
        row = QHBoxLayout()
        row.setSpacing(metrics().margin)
        self.drawing = KioskDiagram()
        row.addWidget(self.drawing, 1)
        column = QVBoxLayout()
        column.setSpacing(metrics().gap)
        self.lead = label("", "title")
        self.how = label("", "body")
        self.busy = BusyPanel()
        self.problem = frame("warning")
        problem_layout = QVBoxLayout(self.problem)
        self.problem_title = label("", "lead")
        self.problem_text = label("", "body")
        self.problem_code = label("", "staff")
        for text_label in (self.problem_title, self.problem_text, self.problem_code):
            problem_layout.addWidget(text_label)
        for widget in (self.lead, self.how, self.busy, self.problem):
            column.addWidget(widget)
        column.addStretch(1)
        row.addLayout(column, 1)
        self.body.addLayout(row, 1)

    def title(self, state: FlowState) -> str:
        return _("Place your card")

    def show_state(self, state: FlowState) -> None:
        screen = state.screen
        assert isinstance(screen, PlaceCard)
        layout = state.settings.hardware
        self.drawing.show_parts(layout, (Part.READER,))
        self.lead.setText(_("Please place your My Number card on the reader."))
        self.how.setText(
            _(
                "Lay it flat, face up, on the {reader}, and leave it there until the screen "
                "tells you to take it."
            ).format(reader=part_phrase(Part.READER, layout))
        )
        self.busy.setVisible(screen.reading)
        self.busy.set_text(_("Reading your card…"), _("Do not move the card."))
        self.problem.setVisible(screen.problem is not None)
        if screen.problem is not None:
            text = describe(screen.problem)
            self.problem_title.setText(_(text.title))
            self.problem_text.setText(_(text.message))
            self.problem_code.setText(staff_line(text.staff_code))


class PinScreen(KeypadEntryScreen):
    """The masked PIN keypad; the digits never leave the flow's state (only their count)."""

    handles = (PinEntry,)

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(emit, parent)
        self.lead = label("", "lead")
        self.hint = label("", "muted")
        self.tries = label("", "lead")
        self.wrong = label("", "lead")
        self.warning = frame("warning")
        warning_layout = QVBoxLayout(self.warning)
        self.warning_text = label("", "body")
        warning_layout.addWidget(self.warning_text)
        self.busy = BusyPanel()
        self.display = self.entry_display()
        self.fill_column(
            self.lead, self.hint, self.display, self.tries, self.wrong, self.warning, self.busy
        )

    def title(self, state: FlowState) -> str:
        return _("Enter your PIN")

    def show_state(self, state: FlowState) -> None:
        screen = state.screen
        assert isinstance(screen, PinEntry)
        entered = len(screen.digits)  # only the count is kept by this widget
        self.lead.setText(
            _("Enter the 4-digit PIN of your card's user identification certificate.")
        )
        self.hint.setText(
            _("The PIN is not shown on the screen. Shield the keypad with your hand.")
        )
        self.display.setText(masked(entered, PIN_LENGTH))
        reading = screen.tries_left is None
        self.busy.setVisible(reading)
        self.busy.set_text(_("Checking your card…"))
        self.keypad.setEnabled(not reading)
        self.caption_keys()
        self.tries.setVisible(not reading)
        if screen.tries_left is not None:
            self.tries.setText(tries_left_text(screen.tries_left))
        self.wrong.setVisible(screen.wrong)
        self.wrong.setText(_("The PIN was wrong. Please try again."))
        self.warning.setVisible(screen.last_try)
        self.warning_text.setText(
            _(
                "One more wrong PIN will lock it. If you are not sure of your PIN, cancel now; it "
                "can be reset at your municipal office."
            )
        )
        self._complete = screen.complete

    def nav(self, state: FlowState) -> list[NavAction]:
        screen = state.screen
        assert isinstance(screen, PinEntry)
        return [NavAction("submit", _("OK"), Submit(), primary=True, enabled=screen.complete)]

    def forget(self) -> None:
        self.display.setText(masked(0, PIN_LENGTH))


class BusyScreen(ScreenView):
    """A screen that only says what is happening (spinner + text)."""

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(emit, parent)
        self.body.addStretch(1)
        self.busy = BusyPanel()
        self.body.addWidget(self.busy)
        self.note = self.add_label("muted")
        self.body.addStretch(2)


class VerifyingPinScreen(BusyScreen):
    handles = (VerifyingPin,)

    def title(self, state: FlowState) -> str:
        return _("Checking your PIN")

    def show_state(self, state: FlowState) -> None:
        self.busy.set_text(_("Checking your PIN…"), _("Do not remove your card."))
        self.note.setText("")

    def cancel(self, state: FlowState) -> CancelInfo:
        return CancelInfo(enabled=False, reason=_("Please wait: the card is checking your PIN."))


class AuthenticatingScreen(BusyScreen):
    handles = (Authenticating,)

    def title(self, state: FlowState) -> str:
        return _("Confirming your identity")

    def show_state(self, state: FlowState) -> None:
        screen = state.screen
        assert isinstance(screen, Authenticating)
        texts = {
            AuthPhase.CHALLENGE: _("Connecting to the certificate issuance center…"),
            AuthPhase.SIGNING: _("Your card is confirming your identity…"),
            AuthPhase.CENTER: _("The center is checking your certificate…"),
        }
        self.busy.set_text(texts[screen.phase], _("Do not remove your card."))
        self.note.setText(_("This usually takes a few seconds."))


class PinLockedScreen(ScreenView):
    handles = (PinLocked,)

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(emit, parent)
        band = frame("fault-band")
        band_layout = QVBoxLayout(band)
        self.headline = label("", "title")
        band_layout.addWidget(self.headline)
        self.body.addWidget(band)
        self.lead = self.add_label("lead")
        panel = frame("panel")
        panel_layout = QVBoxLayout(panel)
        self.counter = label("", "body")
        self.service = label("", "body")
        panel_layout.addWidget(self.counter)
        panel_layout.addWidget(self.service)
        self.body.addWidget(panel)
        self.code = self.add_label("staff")
        self.body.addStretch(1)

    def title(self, state: FlowState) -> str:
        return _("PIN locked")

    def show_state(self, state: FlowState) -> None:
        text = describe_pin_blocked()
        self.headline.setText(_(text[0]))
        self.lead.setText(
            _(
                "The PIN was entered wrongly too many times, so it is locked. The "
                "card cannot be used at kiosks until the PIN is reset."
            )
        )
        self.counter.setText(
            "● "
            + _(
                "Reset it at your municipal office counter: bring your My "
                "Number card. A new PIN is set there."
            )
        )
        self.service.setText(
            "● "
            + _(
                "Or use the PIN reset service: apply on your smartphone, then "
                "reset the PIN at a store kiosk that offers the service."
            )
        )
        self.code.setText(staff_line(text[1]))

    def cancel(self, state: FlowState) -> CancelInfo:
        return CancelInfo(text=_("Finish"), intent=Finish())


def describe_pin_blocked() -> tuple[str, str]:
    text = describe(Problem.PIN_BLOCKED)
    return text.title, text.staff_code


class TakeCardScreen(ScreenView):
    handles = (TakeCard, ReturnCard)

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(emit, parent)
        row = QHBoxLayout()
        row.setSpacing(metrics().margin)
        self.drawing = KioskDiagram()
        row.addWidget(self.drawing, 1)
        column = QVBoxLayout()
        self.lead = label("", "title")
        self.text = label("", "body")
        self.reminder = frame("warning")
        reminder_layout = QVBoxLayout(self.reminder)
        self.reminder_text = label("", "lead")
        reminder_layout.addWidget(self.reminder_text)
        self.busy = BusyPanel()
        for widget in (self.lead, self.text, self.reminder, self.busy):
            column.addWidget(widget)
        column.addStretch(1)
        row.addLayout(column, 1)
        self.body.addLayout(row, 1)

    def title(self, state: FlowState) -> str:
        return _("Take your card")

    def show_state(self, state: FlowState) -> None:
        screen = state.screen
        assert isinstance(screen, TakeCard | ReturnCard)
        removed = state.txn is not None and state.txn.card is CardState.REMOVED
        self.drawing.setVisible(not removed)
        self.lead.setVisible(not removed)
        layout = state.settings.hardware
        reader = part_phrase(Part.READER, layout)
        self.drawing.show_parts(layout, (Part.READER,))
        self.lead.setText(_("Please take your card from the {reader}.").format(reader=reader))
        if isinstance(screen, ReturnCard):
            self.text.setText(_("The screen returns to the start once you have taken it."))
        else:
            self.text.setText(_("Your card is no longer needed. Keep it safe."))
        self.text.setVisible(not removed)
        self.reminder.setVisible(screen.reminders > 0 and not removed)
        self.reminder_text.setText(_("Your card is still on the {reader}!").format(reader=reader))
        self.busy.setVisible(removed)
        self.busy.set_text(_("Thank you. Getting your municipality's certificates…"))

    def spoken_reminder(self, state: FlowState) -> str:
        screen = state.screen
        assert isinstance(screen, TakeCard | ReturnCard)
        return self.reminder_text.text() if screen.reminders else ""

    def cancel(self, state: FlowState) -> CancelInfo:
        if isinstance(state.screen, ReturnCard):
            return CancelInfo(enabled=False, reason=_("Please take your card first."))
        return CancelInfo()
