"""The catalog of problems: for each, what the resident reads and what staff look up.

The flow puts a :class:`Problem` key in its fault states; the screens show
``_(describe(key).title)`` and ``_(describe(key).message)`` and the staff code (small, in a
corner, for the help desk). Staff codes are stable: never reuse or renumber one.

Families of staff codes: ``C`` card, ``S`` issuance center, ``M`` municipality refusal,
``P`` payment, ``R`` printer, ``K`` the kiosk itself. Resident messages say what happened and
what to do, never a technical cause; a refusal under protection measures (支援措置) says only
"ask at the counter".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import assert_never

from kiosk.msgids import N_
from printing.faults import PrinterFault


class Problem(StrEnum):
    """Every fault or refusal the kiosk explains (the flow's "resident message key")."""

    # card
    CARD_UNREADABLE = "card_unreadable"
    NOT_MY_NUMBER_CARD = "not_my_number_card"
    NO_USER_CERTIFICATE = "no_user_certificate"
    CERTIFICATE_EXPIRED = "certificate_expired"
    CERTIFICATE_INVALID = "certificate_invalid"
    CARD_REMOVED = "card_removed"
    PIN_BLOCKED = "pin_blocked"
    MATCHING_NUMBER_BLOCKED = "matching_number_blocked"
    CARD_READER_FAULT = "card_reader_fault"
    CARD_ERROR = "card_error"
    # issuance center
    CENTER_UNREACHABLE = "center_unreachable"
    CENTER_TIMEOUT = "center_timeout"
    CENTER_MAINTENANCE = "center_maintenance"
    CENTER_PROTOCOL = "center_protocol"
    CENTER_ERROR = "center_error"
    KIOSK_NOT_AUTHORISED = "kiosk_not_authorised"
    SESSION_EXPIRED = "session_expired"
    CERTIFICATE_DATA_INVALID = "certificate_data_invalid"
    APPLICATION_NOT_FOUND = "application_not_found"
    SESSION_TOO_SHORT = "session_too_short"
    # refusals (the reason codes of kiosk.domain.REASONS map to these)
    RESIDENT_NOT_FOUND = "resident_not_found"
    MOVED_OUT = "moved_out"
    SUPPORT_MEASURES = "support_measures"
    UNDER_AGE_EXCLUDED = "under_age_excluded"
    CHARACTERS_NOT_SUPPORTED = "characters_not_supported"
    NOT_OFFERED = "not_offered"
    NO_RECORD = "no_record"
    NOT_REGISTERED = "not_registered"
    OUT_OF_HOURS = "out_of_hours"
    WEEKDAYS_ONLY = "weekdays_only"
    YEAR_END_CLOSURE = "year_end_closure"
    MUNICIPALITY_MAINTENANCE = "maintenance"
    ALREADY_REGISTERED = "already_registered"
    INVALID_APPLICATION = "invalid_application"
    MUNICIPALITY_NOT_PARTICIPATING = "municipality_not_participating"
    REFUSED = "refused"  # a reason code this kiosk does not know yet
    # payment
    ACCEPTOR_JAMMED = "acceptor_jammed"
    ACCEPTOR_FAULT = "acceptor_fault"
    # printer
    PRINTER_OUT_OF_PAPER = "printer_out_of_paper"
    PRINTER_JAM = "printer_jam"
    PRINTER_DOOR_OPEN = "printer_door_open"
    PRINTER_TONER_EMPTY = "printer_toner_empty"
    PRINTER_OFFLINE = "printer_offline"
    PRINTER_STOPPED = "printer_stopped"
    PRINT_ABORTED = "print_aborted"
    PRINT_TIMEOUT = "print_timeout"
    PRINTER_ERROR = "printer_error"
    # the kiosk
    JOURNAL_FAILED = "journal_failed"
    INTERNAL_ERROR = "internal_error"
    NO_RESPONSE = "no_response"  # a device or the center never answered (flow watchdog)


@dataclass(frozen=True)
class ProblemText:
    """What the screens show for a problem: a title, a message (both msgids) and a staff code."""

    staff_code: str
    title: str
    message: str
    staff_needed: bool = False  # the resident should call staff (the screen says so)


_TRY_LATER = N_("Please try again later.")
_COUNTER = N_("Please ask at your municipal office counter.")

CATALOG: dict[Problem, ProblemText] = {
    Problem.CARD_UNREADABLE: ProblemText(
        "C-101",
        N_("The card could not be read"),
        N_(
            "Take the card off the reader, then place it again flat on the reader, face up, and "
            "do not move it until reading has finished."
        ),
    ),
    Problem.NOT_MY_NUMBER_CARD: ProblemText(
        "C-102",
        N_("This card cannot be used"),
        N_("This is not a My Number card. Please place your My Number card on the reader."),
    ),
    Problem.NO_USER_CERTIFICATE: ProblemText(
        "C-103",
        N_("No certificate on this card"),
        N_(
            "This card has no electronic certificate for user identification. It can be added "
            "at your municipal office counter."
        ),
    ),
    Problem.CERTIFICATE_EXPIRED: ProblemText(
        "C-104",
        N_("The certificate has expired"),
        N_(
            "The electronic certificate on this card has expired. It can be renewed at your "
            "municipal office counter."
        ),
    ),
    Problem.CERTIFICATE_INVALID: ProblemText(
        "C-105",
        N_("The certificate cannot be used"),
        N_(
            "The electronic certificate on this card cannot be used. Please ask at your "
            "municipal office counter."
        ),
    ),
    Problem.CARD_REMOVED: ProblemText(
        "C-106",
        N_("The card was removed"),
        N_("The card was taken off the reader before the kiosk had finished. Please start again."),
    ),
    Problem.PIN_BLOCKED: ProblemText(
        "C-107",
        N_("Your PIN is locked"),
        N_(
            "The PIN was entered incorrectly too many times and is now locked. You can reset it "
            "at your municipal office counter, or with the PIN reset service at a convenience "
            "store."
        ),
    ),
    Problem.MATCHING_NUMBER_BLOCKED: ProblemText(
        "C-108",
        N_("The check number is locked"),
        N_(
            "The 14-digit check number was entered incorrectly too many times and the card's "
            "text data can no longer be read with it. Please ask at your municipal office counter."
        ),
    ),
    Problem.CARD_READER_FAULT: ProblemText(
        "C-190",
        N_("The card reader is not working"),
        N_("The card reader of this kiosk is not working. Please call a staff member."),
        staff_needed=True,
    ),
    Problem.CARD_ERROR: ProblemText(
        "C-199",
        N_("The card could not be used"),
        N_("An error occurred while using the card. Please start again."),
    ),
    Problem.CENTER_UNREACHABLE: ProblemText(
        "S-201", N_("The service cannot be reached"), _TRY_LATER
    ),
    Problem.CENTER_TIMEOUT: ProblemText("S-202", N_("The service did not respond"), _TRY_LATER),
    Problem.CENTER_MAINTENANCE: ProblemText(
        "S-203", N_("The service is under maintenance"), _TRY_LATER
    ),
    Problem.CENTER_PROTOCOL: ProblemText(
        "S-204",
        N_("A communication error occurred"),
        N_("No fee has been charged. Please try again later."),
    ),
    Problem.CENTER_ERROR: ProblemText("S-205", N_("The service is not available"), _TRY_LATER),
    Problem.KIOSK_NOT_AUTHORISED: ProblemText(
        "S-206",
        N_("This kiosk is not available"),
        N_("This kiosk cannot use the service at the moment. Please call a staff member."),
        staff_needed=True,
    ),
    Problem.SESSION_EXPIRED: ProblemText(
        "S-207",
        N_("The session has ended"),
        N_("Too much time has passed. Please start again."),
    ),
    Problem.CERTIFICATE_DATA_INVALID: ProblemText(
        "S-208",
        N_("The certificate could not be checked"),
        N_("The certificate data could not be verified, so nothing was charged. Please try again."),
    ),
    Problem.APPLICATION_NOT_FOUND: ProblemText(
        "S-209",
        N_("No application with this number"),
        N_("No application was found for this number. Please check the number and try again."),
    ),
    Problem.SESSION_TOO_SHORT: ProblemText(
        "S-210",
        N_("Not enough time left for every certificate"),
        N_(
            "Your card check is valid for a limited time, and what is left is not enough to "
            "issue every certificate you chose. Nothing was charged. Please start again with "
            "fewer certificates."
        ),
    ),
    Problem.RESIDENT_NOT_FOUND: ProblemText("M-301", N_("Your record was not found"), _COUNTER),
    Problem.MOVED_OUT: ProblemText(
        "M-302",
        N_("Certificates cannot be issued here"),
        N_(
            "Your residence record in this municipality is closed because you moved out. Please "
            "ask at the office of the municipality you now live in."
        ),
    ),
    Problem.SUPPORT_MEASURES: ProblemText("M-303", N_("Please ask at the counter"), _COUNTER),
    Problem.UNDER_AGE_EXCLUDED: ProblemText(
        "M-304",
        N_("Not available for your age"),
        N_(
            "Your municipality does not issue certificates at kiosks to people under 15. Please "
            "ask at your municipal office counter."
        ),
    ),
    Problem.CHARACTERS_NOT_SUPPORTED: ProblemText(
        "M-305",
        N_("This certificate cannot be printed here"),
        N_(
            "Your record contains characters that kiosks cannot print. Please ask at your "
            "municipal office counter."
        ),
    ),
    Problem.NOT_OFFERED: ProblemText(
        "M-306",
        N_("Not available at kiosks"),
        N_(
            "Your municipality does not issue this certificate at kiosks. Please ask at your "
            "municipal office counter."
        ),
    ),
    Problem.NO_RECORD: ProblemText(
        "M-307",
        N_("No record to certify"),
        N_(
            "There is no record for this certificate (for example, no registered seal or no tax "
            "record for that year). Please ask at your municipal office counter."
        ),
    ),
    Problem.NOT_REGISTERED: ProblemText(
        "M-308",
        N_("Registration needed"),
        N_(
            "Family register certificates from your registered domicile need a usage "
            "registration first. You can apply for it at this kiosk."
        ),
    ),
    Problem.OUT_OF_HOURS: ProblemText(
        "M-309",
        N_("Outside service hours"),
        N_("This service is not available at this time. Please come back during service hours."),
    ),
    Problem.WEEKDAYS_ONLY: ProblemText(
        "M-310",
        N_("Weekdays only"),
        N_("This certificate is issued on weekdays only. Please come back on a weekday."),
    ),
    Problem.YEAR_END_CLOSURE: ProblemText(
        "M-311",
        N_("Closed for the New Year holidays"),
        N_(
            "The service is closed from December 29 to January 3. Please come back after the "
            "holidays."
        ),
    ),
    Problem.MUNICIPALITY_MAINTENANCE: ProblemText(
        "M-312", N_("Your municipality's system is under maintenance"), _TRY_LATER
    ),
    Problem.ALREADY_REGISTERED: ProblemText(
        "M-313",
        N_("Already registered"),
        N_(
            "This card is already registered or an application is being processed. You can "
            "check the status with your application number."
        ),
    ),
    Problem.INVALID_APPLICATION: ProblemText(
        "M-314",
        N_("The application could not be accepted"),
        N_(
            "Some of the information entered could not be accepted. Please check it and apply "
            "again."
        ),
    ),
    Problem.MUNICIPALITY_NOT_PARTICIPATING: ProblemText(
        "M-315",
        N_("Not available for your municipality"),
        N_(
            "Your municipality does not offer certificates at kiosks. Please ask at your "
            "municipal office counter."
        ),
    ),
    Problem.REFUSED: ProblemText("M-399", N_("The certificate cannot be issued"), _COUNTER),
    Problem.ACCEPTOR_JAMMED: ProblemText(
        "P-401",
        N_("The money slot is jammed"),
        N_("The money slot has jammed. Please call a staff member."),
        staff_needed=True,
    ),
    Problem.ACCEPTOR_FAULT: ProblemText(
        "P-402",
        N_("Payment is not possible"),
        N_("This kiosk cannot take payments at the moment. Please call a staff member."),
        staff_needed=True,
    ),
    Problem.PRINTER_OUT_OF_PAPER: ProblemText(
        "R-501", N_("The printer is out of paper"), N_("Please call a staff member."), True
    ),
    Problem.PRINTER_JAM: ProblemText(
        "R-502", N_("There is a paper jam"), N_("Please call a staff member."), True
    ),
    Problem.PRINTER_DOOR_OPEN: ProblemText(
        "R-503", N_("A printer cover is open"), N_("Please call a staff member."), True
    ),
    Problem.PRINTER_TONER_EMPTY: ProblemText(
        "R-504", N_("The printer is out of toner"), N_("Please call a staff member."), True
    ),
    Problem.PRINTER_OFFLINE: ProblemText(
        "R-505", N_("The printer is not available"), N_("Please call a staff member."), True
    ),
    Problem.PRINTER_STOPPED: ProblemText(
        "R-506", N_("The printer is not available"), N_("Please call a staff member."), True
    ),
    Problem.PRINT_ABORTED: ProblemText(
        "R-507", N_("Printing failed"), N_("Please call a staff member."), True
    ),
    Problem.PRINT_TIMEOUT: ProblemText(
        "R-508", N_("Printing did not finish"), N_("Please call a staff member."), True
    ),
    Problem.PRINTER_ERROR: ProblemText(
        "R-509", N_("The printer has a problem"), N_("Please call a staff member."), True
    ),
    Problem.JOURNAL_FAILED: ProblemText(
        "K-901",
        N_("Out of service"),
        N_("This kiosk is out of service. Please call a staff member."),
        staff_needed=True,
    ),
    Problem.INTERNAL_ERROR: ProblemText(
        "K-902",
        N_("Something went wrong"),
        N_("The kiosk had an unexpected problem. Please start again."),
    ),
    Problem.NO_RESPONSE: ProblemText(
        "K-903",
        N_("No response"),
        N_("The kiosk did not get a response in time. Please start again."),
    ),
}

# Money outcomes shown on fault and cancel screens (from the flow's money ledger).
MONEY_NOT_CHARGED = N_("No fee has been charged.")
MONEY_RETURNED = N_("Your money has been returned: {amount}. Please take it from the tray.")
MONEY_OWED_BY_STAFF = N_(
    "The kiosk could not return {amount}. Please show this screen to a staff member, who will "
    "pay it to you. Reference: {code}"
)
CHANGE_OWED_BY_STAFF = N_(
    "The kiosk could not pay {amount} of your change. Please show this screen to a staff "
    "member, who will pay it to you. Reference: {code}"
)
STAFF_REFERENCE = N_("Code for staff: {code}")


class OwedCode(StrEnum):
    """Staff codes of money the kiosk owes the resident (journal ``StaffOwed`` records); staff
    pay it against the journal. Never reuse or renumber one (old journals keep them)."""

    CHANGE_SHORT = "P-411"  # the acceptor paid less change than due
    REFUND_SHORT = "P-412"  # the acceptor paid back less than asked
    REFUND_NO_ANSWER = "P-413"  # the acceptor never answered a refund
    RECOVERED = "K-910"  # found unsettled by the start-up recovery after a crash or power cut


STAFF_CODE_CHANGE_SHORT = OwedCode.CHANGE_SHORT
STAFF_CODE_REFUND_SHORT = OwedCode.REFUND_SHORT
STAFF_CODE_REFUND_NO_ANSWER = OwedCode.REFUND_NO_ANSWER


class ServiceStop(StrEnum):
    """Why staff took the kiosk out of service (their choice on the staff screen). The start
    screen shows the reason to residents, in their language, with its staff code."""

    MAINTENANCE = "maintenance"
    PRINTER = "printer"
    CASH_UNIT = "cash_unit"
    NETWORK = "network"
    CLOSED = "closed"


STOPS: dict[ServiceStop, ProblemText] = {
    ServiceStop.MAINTENANCE: ProblemText(
        "K-921",
        N_("This kiosk is being serviced"),
        N_("Staff are servicing this kiosk. Please try again a little later."),
    ),
    ServiceStop.PRINTER: ProblemText(
        "K-922",
        N_("The printer is being serviced"),
        N_("Certificates cannot be printed at the moment. Please try again a little later."),
    ),
    ServiceStop.CASH_UNIT: ProblemText(
        "K-923",
        N_("The cash unit is being serviced"),
        N_("Payments cannot be taken at the moment. Please try again a little later."),
    ),
    ServiceStop.NETWORK: ProblemText(
        "K-924",
        N_("The connection is being repaired"),
        N_("This kiosk cannot reach the service at the moment. Please try again later."),
    ),
    ServiceStop.CLOSED: ProblemText(
        "K-925",
        N_("This kiosk is closed"),
        N_("This kiosk is closed for now. Please come back later."),
    ),
}
# While staff use the staff screens the start screen says so (and offers nothing).
STAFF_AT_WORK = ProblemText(
    "K-920",
    N_("Staff are working on this kiosk"),
    N_("Please wait a moment. The kiosk will be ready again shortly."),
)


def describe_stop(stop: ServiceStop) -> ProblemText:
    """Title, message and staff code of an out-of-service reason."""
    return STOPS[stop]


_BY_STAFF_CODE = {text.staff_code: problem for problem, text in CATALOG.items()}
if len(_BY_STAFF_CODE) != len(CATALOG):  # a staff code names one problem, always
    raise RuntimeError("two problems share a staff code")
_EVERY_CODE = [
    *_BY_STAFF_CODE,
    *(text.staff_code for text in STOPS.values()),
    STAFF_AT_WORK.staff_code,
    *(code.value for code in OwedCode),
]
if len(set(_EVERY_CODE)) != len(_EVERY_CODE):
    raise RuntimeError("two entries share a staff code")


def describe(problem: Problem) -> ProblemText:
    """Title, message and staff code of ``problem``."""
    return CATALOG[problem]


def staff_code(problem: Problem) -> str:
    return CATALOG[problem].staff_code


def problem_for_staff_code(code: str) -> Problem | None:
    """The problem whose staff code is ``code`` (a journal row, a staff report), if any."""
    return _BY_STAFF_CODE.get(code)


def problem_for_printer_fault(fault: PrinterFault) -> Problem:
    """The problem a printer fault stands for (mypy checks that every fault has a case)."""
    match fault:
        case PrinterFault.OUT_OF_PAPER:
            return Problem.PRINTER_OUT_OF_PAPER
        case PrinterFault.JAM:
            return Problem.PRINTER_JAM
        case PrinterFault.DOOR_OPEN:
            return Problem.PRINTER_DOOR_OPEN
        case PrinterFault.TONER_EMPTY:
            return Problem.PRINTER_TONER_EMPTY
        case PrinterFault.OFFLINE | PrinterFault.UNREACHABLE | PrinterFault.NO_QUEUE:
            return Problem.PRINTER_OFFLINE
        case PrinterFault.STOPPED | PrinterFault.NOT_ACCEPTING:
            return Problem.PRINTER_STOPPED
        case PrinterFault.ABORTED | PrinterFault.CANCELLED | PrinterFault.REJECTED_DOCUMENT:
            return Problem.PRINT_ABORTED
        case PrinterFault.TIMEOUT:
            return Problem.PRINT_TIMEOUT
        case PrinterFault.PRINTER_ERROR:
            return Problem.PRINTER_ERROR
        case _:
            assert_never(fault)
