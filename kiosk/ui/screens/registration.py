"""Usage registration (利用登録申請) and the status check screens."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.flow.events import (
    Back,
    ChooseMunicipality,
    ChoosePrefecture,
    EditApplicationNumber,
    EditField,
    Finish,
    FormField,
    Next,
    Submit,
)
from kiosk.flow.state import (
    APPLICATION_NUMBER_MAX,
    MATCHING_NUMBER_LENGTH,
    CheckingStatus,
    FlowState,
    MatchingNumberEntry,
    MunicipalityChoice,
    ReadingFacts,
    RegistrationForm,
    RegistrationReceipt,
    RegistrationReview,
    SlipState,
    StatusEntry,
    StatusResult,
    Submitting,
    grouped_application_number,
)
from kiosk.hardware import Part
from kiosk.hardware_names import part_phrase
from kiosk.i18n import _, format_date
from kiosk.ui.kana_keyboard import KanaKeyboard
from kiosk.ui.screens.base import CancelInfo, IntentSink, NavAction, ScreenView
from kiosk.ui.screens.card import BusyScreen
from kiosk.ui.screens.keypad_entry import KeypadEntryScreen, masked, tries_left_text
from kiosk.ui.texts import REGISTRATION_STATES
from kiosk.ui.widgets import (
    Choice,
    ChoiceGrid,
    Keypad,
    ReviewTable,
    TouchButton,
    frame,
    label,
    metrics,
    restyle,
)

# Field limits of the center protocol (kiosk.flow._registration.FIELD_MAX_LENGTH).
FIELD_LIMITS = {FormField.HONSEKI: 256, FormField.HITTOSHA: 128, FormField.PHONE: 15}
MATCHING_GROUPS = (6, 4, 4)  # 照合番号B: birth date YYMMDD, expiry year YYYY, security code


class MunicipalityScreen(ScreenView):
    handles = (MunicipalityChoice,)

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(emit, parent)
        self.lead = self.add_label("lead")
        self.busy_holder = QWidget()
        busy_layout = QVBoxLayout(self.busy_holder)
        from kiosk.ui.widgets import BusyPanel

        self.busy = BusyPanel()
        busy_layout.addWidget(self.busy)
        self.body.addWidget(self.busy_holder)
        self.grid = ChoiceGrid(columns=4, rows=4)
        self.grid.chosen.connect(self._chosen)
        self.body.addWidget(self.grid, 1)
        self._prefecture: str | None = None

    def _chosen(self, key: str) -> None:
        if self._prefecture is None:
            self.send(ChoosePrefecture(key))
        else:
            self.send(ChooseMunicipality(key))

    def title(self, state: FlowState) -> str:
        return _("Your registered domicile")

    def show_state(self, state: FlowState) -> None:
        screen = state.screen
        assert isinstance(screen, MunicipalityChoice)
        self._prefecture = screen.prefecture
        self.busy_holder.setVisible(screen.loading)
        self.busy.set_text(_("Loading the list of municipalities…"))
        self.grid.setVisible(not screen.loading)
        self.grid.set_captions(_("◀ Previous"), _("Next ▶"), _("Page {page} of {pages}"))
        if screen.prefecture is None:
            self.lead.setText(_("In which prefecture is your registered domicile (honseki)?"))
            self.grid.set_choices([Choice(p, p) for p in screen.prefectures])
        else:
            self.lead.setText(
                _("Choose the municipality of your registered domicile in {prefecture}.").format(
                    prefecture=screen.prefecture
                )
            )
            self.grid.set_choices([Choice(m.code, m.name) for m in screen.in_prefecture])
        if not screen.loading and not screen.municipalities:
            self.lead.setText(_("No municipality takes registrations at the moment."))

    def nav(self, state: FlowState) -> list[NavAction]:
        screen = state.screen
        assert isinstance(screen, MunicipalityChoice)
        if screen.prefecture is None:
            return []
        return [NavAction("back", _("Back to prefectures"), Back())]


class MatchingNumberScreen(KeypadEntryScreen):
    """照合番号B: 14 digits from the card's surface, masked like the PIN."""

    handles = (MatchingNumberEntry,)

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(emit, parent)
        self.lead = label("", "lead")
        self.display = self.entry_display()
        self.parts = label("", "body")
        self.wrong = label("", "lead")
        self.tries = label("", "body")
        self.fill_column(self.lead, self.display, self.parts, self.wrong, self.tries)

    def title(self, state: FlowState) -> str:
        return _("Enter the 14-digit number")

    def show_state(self, state: FlowState) -> None:
        screen = state.screen
        assert isinstance(screen, MatchingNumberEntry)
        self.lead.setText(_("Enter the 14-digit check number to read your card's text data."))
        self.display.setText(masked(len(screen.digits), MATCHING_NUMBER_LENGTH, MATCHING_GROUPS))
        self.parts.setText(
            _(
                "1. Your date of birth as YYMMDD (6 digits)\n"
                "2. The card's expiry year as YYYY (4 digits)\n"
                "3. The 4-digit security code on the front of the card"
            )
        )
        self.caption_keys()
        self.wrong.setVisible(screen.wrong)
        self.wrong.setText(_("The number was wrong. Please check it and try again."))
        self.tries.setVisible(screen.tries_left is not None)
        if screen.tries_left is not None:
            self.tries.setText(tries_left_text(screen.tries_left))

    def nav(self, state: FlowState) -> list[NavAction]:
        screen = state.screen
        assert isinstance(screen, MatchingNumberEntry)
        return [NavAction("submit", _("OK"), Submit(), primary=True, enabled=screen.complete)]

    def forget(self) -> None:
        self.display.setText(masked(0, MATCHING_NUMBER_LENGTH, MATCHING_GROUPS))


class ReadingFactsScreen(BusyScreen):
    handles = (ReadingFacts,)

    def title(self, state: FlowState) -> str:
        return _("Reading your card")

    def show_state(self, state: FlowState) -> None:
        self.busy.set_text(
            _("Reading your name, address and date of birth from the card…"),
            _("Do not remove your card."),
        )
        self.note.setText("")


FIELD_TAIL = 24  # characters of a long field shown (its end, where typing happens)


def field_tail(text: str) -> str:
    return text if len(text) <= FIELD_TAIL else "…" + text[-(FIELD_TAIL - 1) :]


def field_name(form_field: FormField) -> str:
    names = {
        FormField.HONSEKI: _("Registered domicile (honseki)"),
        FormField.HITTOSHA: _("Name of the head of the family register"),
        FormField.PHONE: _("Phone number"),
    }
    return names[form_field]


class RegistrationFormScreen(ScreenView):
    """本籍 and 筆頭者 on the kana keyboard, the phone number on the keypad."""

    handles = (RegistrationForm,)

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(emit, parent)
        self._phone = ""
        row = QHBoxLayout()
        row.setSpacing(metrics().margin)
        fields = QVBoxLayout()
        fields.setSpacing(metrics().px(6))
        self.field_buttons: dict[FormField, TouchButton] = {}
        self.field_values: dict[FormField, QLabel] = {}
        for form_field in FormField:
            button = TouchButton("", checkable=True, min_height=metrics().key)
            button.clicked.connect(lambda _=False, f=form_field: self._select(f))
            value = label("", "field")
            # Two lines of the field's end: long addresses scroll off to the left.
            value.setFixedHeight(metrics().px(96))
            fields.addWidget(button)
            fields.addWidget(value)
            self.field_buttons[form_field] = button
            self.field_values[form_field] = value
        fields.addStretch(1)
        row.addLayout(fields, 4)
        self.keyboard = KanaKeyboard()
        self.keyboard.text_changed.connect(self._edited)
        self.phone_pad = Keypad(extra="-")
        self.phone_pad.digit.connect(lambda key: self._phone_edit(self._phone + key))
        self.phone_pad.extra_key.connect(lambda key: self._phone_edit(self._phone + key))
        self.phone_pad.backspace.connect(lambda: self._phone_edit(self._phone[:-1]))
        self.phone_pad.clear.connect(lambda: self._phone_edit(""))
        row.addWidget(self.keyboard, 7)
        row.addWidget(self.phone_pad, 7)
        self.body.addLayout(row, 1)
        self._active = FormField.HONSEKI
        self._texts: dict[FormField, str] = {}

    def _select(self, form_field: FormField) -> None:
        self._active = form_field  # which field the keyboard edits: view state, not the flow's
        self._show_active()

    def _show_active(self) -> None:
        phone = self._active is FormField.PHONE
        self.keyboard.setVisible(not phone)
        self.phone_pad.setVisible(phone)
        for form_field, button in self.field_buttons.items():
            button.setChecked(form_field is self._active)
        if not phone:
            self.keyboard.set_max_length(FIELD_LIMITS[self._active])
            self.keyboard.set_text(self._texts.get(self._active, ""))

    def _edited(self, text: str) -> None:
        self._texts[self._active] = text
        self.send(EditField(self._active, text))

    def _phone_edit(self, text: str) -> None:
        if len(text) > FIELD_LIMITS[FormField.PHONE]:
            return
        self._phone = text
        self.send(EditField(FormField.PHONE, text))

    def title(self, state: FlowState) -> str:
        return _("Your application")

    def show_state(self, state: FlowState) -> None:
        screen = state.screen
        assert isinstance(screen, RegistrationForm)
        draft = self.txn(state).registration
        for form_field in FormField:
            text = draft.text(form_field) if draft else ""
            self._texts[form_field] = text
            invalid = form_field in screen.invalid
            button = self.field_buttons[form_field]
            name = field_name(form_field)
            button.setText(_("{field}: please check").format(field=name) if invalid else name)
            value = self.field_values[form_field]
            value.setText(field_tail(text))
            value.setProperty("invalid", invalid)
            value.style().unpolish(value)
            value.style().polish(value)
        self._phone = self._texts[FormField.PHONE]
        self.phone_pad.set_captions(_("Correct"), _("Clear"))
        self.keyboard.retranslate()
        self._show_active()

    def nav(self, state: FlowState) -> list[NavAction]:
        return [NavAction("next", _("Next"), Next(), primary=True)]

    def forget(self) -> None:
        self._texts.clear()
        self._phone = ""
        self.keyboard.set_text("")
        self._active = FormField.HONSEKI
        for value in self.field_values.values():
            value.setText("")


class RegistrationReviewScreen(ScreenView):
    handles = (RegistrationReview,)

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(emit, parent)
        self.lead = self.add_label("lead")
        self.table = ReviewTable(rows=7, spaced=False)
        self.body.addWidget(self.table)
        self.body.addStretch(1)

    def title(self, state: FlowState) -> str:
        return _("Check your application")

    def show_state(self, state: FlowState) -> None:
        draft = self.txn(state).registration
        self.lead.setText(_("Please check what will be sent, then tap “Send”."))
        facts = draft.facts if draft else None
        values = [
            (_("Municipality"), draft.municipality_name if draft else ""),
            (_("Name"), facts.name if facts else ""),
            (_("Address"), facts.address if facts else ""),
            (_("Date of birth"), format_date(facts.birth_date) if facts else ""),
            (field_name(FormField.HONSEKI), draft.honseki if draft else ""),
            (field_name(FormField.HITTOSHA), draft.hittosha if draft else ""),
            (field_name(FormField.PHONE), draft.phone if draft else ""),
        ]
        self.table.show_rows(values)

    def nav(self, state: FlowState) -> list[NavAction]:
        return [
            NavAction("back", _("Correct"), Back()),
            NavAction("submit", _("Send"), Submit(), primary=True),
        ]

    def forget(self) -> None:
        self.table.forget()


class SubmittingScreen(BusyScreen):
    handles = (Submitting,)

    def title(self, state: FlowState) -> str:
        return _("Sending your application")

    def show_state(self, state: FlowState) -> None:
        self.busy.set_text(_("Sending your application…"))
        self.note.setText("")

    def cancel(self, state: FlowState) -> CancelInfo:
        return CancelInfo(enabled=False, reason=_("Please wait: your application is being sent."))


class ReceiptScreen(ScreenView):
    handles = (RegistrationReceipt,)

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(emit, parent)
        self.lead = self.add_label("lead")
        panel = frame("panel")
        panel_layout = QVBoxLayout(panel)
        self.number_label = label("", "figure-label")
        self.number = label("", "figure")
        self.number.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        panel_layout.addWidget(self.number_label)
        panel_layout.addWidget(self.number)
        self.body.addWidget(panel)
        self.slip = frame("panel")
        slip_layout = QVBoxLayout(self.slip)
        self.slip_text = label("", "lead")
        slip_layout.addWidget(self.slip_text)
        self.body.addWidget(self.slip)
        self.how = self.add_label("body")
        self.message_title = self.add_label("field-label")
        self.message = self.add_label("body")
        self.body.addStretch(1)

    def title(self, state: FlowState) -> str:
        return _("Application sent")

    def show_state(self, state: FlowState) -> None:
        screen = state.screen
        assert isinstance(screen, RegistrationReceipt)
        self.lead.setText(
            _("Your application has been sent to {municipality}.").format(
                municipality=screen.municipality_name
            )
        )
        self.number_label.setText(_("Application number"))
        self.number.setText(grouped_application_number(screen.application_number))
        self.slip.setProperty("role", "warning" if screen.slip is SlipState.FAILED else "panel")
        restyle(self.slip)
        self.slip_text.setText(
            {
                SlipState.PRINTING: _("A slip with this number is being printed…"),
                SlipState.PRINTED: _(
                    "Take the slip with this number from the {printer_tray} and keep it until "
                    "the registration is complete."
                ).format(printer_tray=part_phrase(Part.PRINTER_TRAY, state.settings.hardware)),
                SlipState.FAILED: _(
                    "The slip could not be printed. Please write the number down now."
                ),
            }[screen.slip]
        )
        self.how.setText(
            _(
                "To see whether the registration is complete, choose “Check a registration” on "
                "the start screen of any kiosk and enter this number."
            )
        )
        self.message_title.setText(_("Message from the municipality (in Japanese)"))
        self.message_title.setVisible(bool(screen.message_ja))
        self.message.setText(screen.message_ja)
        self.message.setVisible(bool(screen.message_ja))

    def cancel(self, state: FlowState) -> CancelInfo:
        return CancelInfo(text=_("Finish"), intent=Finish())

    def forget(self) -> None:
        self.number.setText("")
        self.message.setText("")


_APPLICATION_KEYS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class StatusEntryScreen(KeypadEntryScreen):
    """The application number: digits on the keypad, letters on a second page."""

    handles = (StatusEntry,)

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(
            emit, parent, split=(1, 1), spacing=metrics().margin, column_gap=False, extra="-"
        )
        self.lead = label("", "lead")
        self.display = label("", "field")
        self.display.setMinimumHeight(metrics().target)
        self.hint = label("", "muted")
        self.letters_key = TouchButton("")
        self.letters_key.clicked.connect(self._toggle_letters)
        self.fill_column(self.lead, self.display, self.hint, self.letters_key)
        self.letters = QWidget()
        grid = QGridLayout(self.letters)
        grid.setSpacing(metrics().px(6))
        grid.setContentsMargins(0, 0, 0, 0)
        for index, letter in enumerate(_APPLICATION_KEYS):
            key = TouchButton(letter, keycap=True, min_height=metrics().key)
            key.clicked.connect(lambda _=False, c=letter: self._append(c))
            grid.addWidget(key, index // 6, index % 6)
        self.row.addWidget(self.letters, 1)
        self.letters.hide()
        self._text = ""

    def extra_key(self, key: str) -> None:
        self._append(key)

    def _append(self, char: str) -> None:
        if len(self._text) < APPLICATION_NUMBER_MAX:
            self.send(EditApplicationNumber(self._text + char))

    def _toggle_letters(self) -> None:
        self.letters.setVisible(self.letters.isHidden())
        self.keypad.setVisible(self.letters.isHidden())
        self._caption()

    def _caption(self) -> None:
        self.letters_key.setText(_("Digits") if self.letters.isVisible() else _("Letters A–Z"))

    def title(self, state: FlowState) -> str:
        return _("Check a registration")

    def show_state(self, state: FlowState) -> None:
        screen = state.screen
        assert isinstance(screen, StatusEntry)
        self._text = screen.application_number
        self.lead.setText(_("Enter the application number you were given."))
        self.display.setText(grouped_application_number(screen.application_number))
        self.hint.setText(_("It has 4 to 32 characters: digits, letters and hyphens."))
        self.caption_keys()
        self._caption()

    def nav(self, state: FlowState) -> list[NavAction]:
        screen = state.screen
        assert isinstance(screen, StatusEntry)
        return [NavAction("submit", _("Check"), Submit(), primary=True, enabled=screen.complete)]

    def forget(self) -> None:
        self._text = ""
        self.display.setText("")


class CheckingStatusScreen(BusyScreen):
    handles = (CheckingStatus,)

    def title(self, state: FlowState) -> str:
        return _("Check a registration")

    def show_state(self, state: FlowState) -> None:
        self.busy.set_text(_("Checking the registration…"))
        self.note.setText("")


class StatusResultScreen(ScreenView):
    handles = (StatusResult,)

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(emit, parent)
        self.state_text = self.add_label("title")
        self.number = self.add_label("figure")
        self.message_title = self.add_label("field-label")
        self.message = self.add_label("body")
        self.body.addStretch(1)

    def title(self, state: FlowState) -> str:
        return _("Registration status")

    def nav(self, state: FlowState) -> list[NavAction]:
        screen = state.screen
        assert isinstance(screen, StatusResult)
        if screen.state is not None:
            return []
        return [NavAction("back", _("Correct the number"), Back(), primary=True)]

    def show_state(self, state: FlowState) -> None:
        screen = state.screen
        assert isinstance(screen, StatusResult)
        if screen.state is None:
            self.state_text.setText(
                _("No application was found for this number. Please check the number.")
            )
            self.number.setText(grouped_application_number(screen.application_number))
        else:
            self.state_text.setText(_(REGISTRATION_STATES[screen.state]))
        self.number.setVisible(screen.state is None)
        self.message_title.setText(_("Message from the municipality (in Japanese)"))
        self.message_title.setVisible(bool(screen.message_ja))
        self.message.setText(screen.message_ja)
        self.message.setVisible(bool(screen.message_ja))

    def cancel(self, state: FlowState) -> CancelInfo:
        return CancelInfo(text=_("Finish"), intent=Finish())

    def forget(self) -> None:
        self.message.setText("")
        self.number.setText("")
