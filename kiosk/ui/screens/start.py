"""The start screen (services, hours, notices; why the services are unavailable while the
center cannot serve them, or issuance while the fee acceptor cannot take money) and the notes
the resident agrees to."""

from __future__ import annotations

from datetime import timedelta, timezone

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.flow import starts_nothing
from kiosk.flow.events import Agree, Back, ChooseService, Service
from kiosk.flow.state import CenterStatus, Consent, FlowState, PaymentMode, StaffAccess, Start
from kiosk.i18n import N_, _, format_date
from kiosk.problems import STAFF_AT_WORK, Problem, ProblemText, describe, describe_stop
from kiosk.ui.screens.base import CancelInfo, IntentSink, NavAction, ScreenView
from kiosk.ui.screens.card import staff_line
from kiosk.ui.texts import SERVICE_HINTS, SERVICE_NAMES, notice_text
from kiosk.ui.widgets import TouchButton, frame, label, metrics

# The kiosk's wall clock: Japan Standard Time (no daylight saving time).
JST = timezone(timedelta(hours=9), "JST")


class StartScreen(ScreenView):
    handles = (Start,)

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(emit, parent)
        self.welcome = self.add_label("title")
        self.lead = self.add_label("lead")
        # While the center cannot serve residents: why, until when, and the staff code.
        self.unavailable = frame("warning")
        unavailable_layout = QVBoxLayout(self.unavailable)
        self.unavailable_title = label("", "lead")
        self.unavailable_message = label("", "body")
        self.unavailable_code = label("", "staff")
        for widget in (self.unavailable_title, self.unavailable_message, self.unavailable_code):
            unavailable_layout.addWidget(widget)
        self.body.addWidget(self.unavailable)
        grid = QGridLayout()
        grid.setSpacing(metrics().gap)
        self.services: dict[Service, TouchButton] = {}
        self.hints: dict[Service, QLabel] = {}
        for row, service in enumerate(Service):
            button = TouchButton("", "primary", min_height=metrics().px(96))
            button.clicked.connect(lambda _=False, s=service: self.send(ChooseService(s)))
            hint = label("", "muted")
            grid.addWidget(button, row, 0)
            grid.addWidget(hint, row, 1)
            self.services[service] = button
            self.hints[service] = hint
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.body.addLayout(grid)
        self.body.addStretch(1)
        info = frame("panel")
        info_row = QHBoxLayout(info)
        self.hours = label("", "body")
        self.notices = label("", "body")
        info_row.addWidget(self.hours, 1)
        info_row.addWidget(self.notices, 1)
        self.body.addWidget(info)

    def title(self, state: FlowState) -> str:
        return _("Certificate issuance")

    def cancel(self, state: FlowState) -> CancelInfo:
        return CancelInfo(visible=False)  # nothing to cancel before a service is chosen

    def show_state(self, state: FlowState) -> None:
        settings = state.settings
        available = state.center.available and not starts_nothing(state)
        self.welcome.setText(_("Welcome"))
        self.lead.setText(
            _("Please choose what you would like to do.")
            if available
            else _("These services are not available at the moment.")
        )
        takes_fees = settings.payment is PaymentMode.ACCEPTOR
        fees_possible = state.acceptor_available or not takes_fees
        if state.staff_access is StaffAccess.OPEN:
            self.show_text(STAFF_AT_WORK)  # staff screens cover this one meanwhile
        elif state.service_stop is not None:
            self.show_text(describe_stop(state.service_stop))  # staff's reason, translated
        elif available and not fees_possible:
            # Only issuance takes money: registration and status stay offered.
            self.show_problem(Problem.ACCEPTOR_FAULT)
        else:
            self.show_center(state.center)
        # The greeting gives its place to the panel that says why something is unavailable: with
        # both, three service buttons and the hours, 1280×800 had too little height and the
        # buttons were pressed onto each other (issue 14).
        self.welcome.setVisible(not self.unavailable.isVisibleTo(self))
        for service, button in self.services.items():
            offered = service in settings.services
            button.setVisible(offered)
            button.setEnabled(available and (fees_possible or service is not Service.ISSUE))
            self.hints[service].setVisible(offered)
            button.setText(_(SERVICE_NAMES[service]))
            self.hints[service].setText(_(SERVICE_HINTS[service]))
        start, end = settings.hours
        self.hours.setText(
            _(
                "This kiosk is open from {start} to {end}. Hours of each certificate are set by "
                "your municipality."
            ).format(start=start.strftime("%H:%M"), end=end.strftime("%H:%M"))
        )
        self.notices.setText("\n".join(notice_text(notice) for notice in settings.notices))
        self.notices.setVisible(bool(settings.notices))

    def show_problem(self, problem: Problem) -> None:
        """The panel with a kiosk problem (its title, message and staff code)."""
        self.show_text(describe(problem))

    def show_text(self, text: ProblemText) -> None:
        """The panel with a title, a message and a staff code."""
        self.unavailable.setVisible(True)
        self.unavailable_title.setText(_(text.title))
        self.unavailable_message.setText(_(text.message))
        self.unavailable_code.setText(staff_line(text.staff_code))

    def show_center(self, center: CenterStatus) -> None:
        """The panel saying why nothing can be done now (hidden while the center serves)."""
        self.unavailable.setVisible(center.problem is not None)
        if center.problem is None:
            return
        text = describe(center.problem)
        self.unavailable_title.setText(_(text.title))
        lines = [_(text.message)]
        if center.until is not None:
            until = center.until.astimezone(JST)
            lines.append(
                _("Expected back at {time} on {date}.").format(
                    time=until.strftime("%H:%M"), date=format_date(until.date())
                )
            )
        self.unavailable_message.setText("\n".join(lines))
        self.unavailable_code.setText(staff_line(text.staff_code))


_CONSENT_ISSUE = (
    N_("You need your My Number card and the 4-digit PIN of its user identification certificate."),
    N_(
        "The information read from your card is used only for this request and is not kept "
        "at this kiosk."
    ),
    N_(
        "You pay only after your certificate data has arrived. If printing fails, your money is "
        "returned."
    ),
    N_("Do not leave the kiosk until you have taken your card, your certificates and your change."),
)
_CONSENT_REGISTER = (
    N_(
        "You need your My Number card, its 4-digit PIN and the 14-digit number printed on the "
        "card (birth date, expiry year and security code)."
    ),
    N_(
        "You will enter your registered domicile (honseki) and the name of the head of your "
        "family register."
    ),
    N_(
        "Your application is sent to the municipality of your registered domicile. Nothing is "
        "kept at this kiosk."
    ),
    N_("Do not leave the kiosk until you have taken your card."),
)


class ConsentScreen(ScreenView):
    handles = (Consent,)

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(emit, parent)
        self.lead = self.add_label("lead")
        panel = frame("panel")
        self.points_layout = QGridLayout(panel)
        self.points_layout.setSpacing(metrics().gap)
        pad = metrics().margin
        self.points_layout.setContentsMargins(pad, pad, pad, pad)
        self.points = []
        for row in range(4):
            bullet = label("●", "body", wrap=False)
            text = label("", "body")
            self.points_layout.addWidget(bullet, row, 0)
            self.points_layout.addWidget(text, row, 1)
            self.points.append(text)
        self.points_layout.setColumnStretch(1, 1)
        self.body.addWidget(panel)
        self.body.addStretch(1)

    def title(self, state: FlowState) -> str:
        return _("Before you start")

    def show_state(self, state: FlowState) -> None:
        register = state.txn is not None and state.txn.service is Service.REGISTER
        self.lead.setText(_("Please read the following and tap “Agree” to continue."))
        for text, msgid in zip(
            self.points, _CONSENT_REGISTER if register else _CONSENT_ISSUE, strict=True
        ):
            text.setText(_(msgid))

    def nav(self, state: FlowState) -> list[NavAction]:
        return [
            NavAction("back", _("Back"), Back()),
            NavAction("agree", _("Agree"), Agree(), primary=True),
        ]
