"""Every timer of the flow, in one documented table (VotingWorks' named ``delays``).

A timer is a transition: when it fires, the runner sends ``TimerFired(name, serial)`` and the
flow decides. Kinds:

- ``IDLE``: the resident did nothing on a screen that waits for them → the "continue?" prompt;
  no answer within ``CONTINUE_PROMPT`` → the screen is abandoned (reset, or the refund path when
  money is held). Every intent restarts it. An accessibility profile with "no time limits"
  switches IDLE timers off (nothing else).
- ``WATCHDOG``: the kiosk waits for a device or the center, which have their own timeouts
  (center client, print tracker); this is the safety net when no answer comes at all.
- ``REMINDER``: something must be taken (card, certificates, change): a reminder sound each
  time it fires, a bounded number of times, then the screen moves on.
- ``RESET``: a screen that only informs (fault, receipt, status) returns to the start.

Values are seconds. They follow common kiosk practice (no published J-LIS figure exists):
long enough to read a screen in a second language and find coins, short enough that the next
resident does not find the previous one's session.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class TimerKind(StrEnum):
    IDLE = "idle"
    WATCHDOG = "watchdog"
    REMINDER = "reminder"
    RESET = "reset"


class TimerName(StrEnum):
    START_IDLE = "start_idle"
    CONTINUE_PROMPT = "continue_prompt"
    CONSENT = "consent"
    PLACE_CARD = "place_card"
    CARD_READ = "card_read"
    PIN_ENTRY = "pin_entry"
    PIN_VERIFY = "pin_verify"
    AUTHENTICATION = "authentication"
    TAKE_CARD = "take_card"
    RETURN_CARD = "return_card"
    MENU = "menu"
    OPTIONS = "options"
    CONFIRM = "confirm"
    FETCH = "fetch"
    PAYMENT = "payment"
    PRINTING = "printing"
    REFUND = "refund"
    DONE_REMINDER = "done_reminder"
    FAULT = "fault"
    MUNICIPALITY_CHOICE = "municipality_choice"
    MATCHING_NUMBER = "matching_number"
    REGISTRATION_FORM = "registration_form"
    CENTER_CALL = "center_call"
    RECEIPT = "receipt"
    STATUS_ENTRY = "status_entry"


@dataclass(frozen=True)
class Timeout:
    seconds: float | None  # None: no timer on this screen
    kind: TimerKind
    reason: str


TIMEOUTS: Mapping[TimerName, Timeout] = {
    TimerName.START_IDLE: Timeout(
        60, TimerKind.RESET, "the start screen returns to the default language for the next person"
    ),
    TimerName.CONTINUE_PROMPT: Timeout(
        20, TimerKind.RESET, "time to answer 'continue?' before the session is abandoned"
    ),
    TimerName.CONSENT: Timeout(90, TimerKind.IDLE, "reading the notes in a second language"),
    TimerName.PLACE_CARD: Timeout(60, TimerKind.IDLE, "finding the card in a wallet"),
    TimerName.CARD_READ: Timeout(
        30, TimerKind.WATCHDOG, "reading a card takes a few seconds; the driver has its own limits"
    ),
    TimerName.PIN_ENTRY: Timeout(60, TimerKind.IDLE, "four digits; a longer pause means absence"),
    TimerName.PIN_VERIFY: Timeout(20, TimerKind.WATCHDOG, "VERIFY answers in well under a second"),
    TimerName.AUTHENTICATION: Timeout(
        90, TimerKind.WATCHDOG, "challenge, signature and the center's check incl. JPKI validity"
    ),
    TimerName.TAKE_CARD: Timeout(
        10, TimerKind.REMINDER, "a reminder sound every 10 s until the card is taken (取り忘れ)"
    ),
    TimerName.RETURN_CARD: Timeout(
        10, TimerKind.REMINDER, "a card left on the reader: reminders, then staff are told"
    ),
    TimerName.MENU: Timeout(90, TimerKind.IDLE, "choosing among certificates and fees"),
    TimerName.OPTIONS: Timeout(120, TimerKind.IDLE, "several choices and the My Number warning"),
    TimerName.CONFIRM: Timeout(90, TimerKind.IDLE, "checking the order and the total"),
    TimerName.FETCH: Timeout(
        150, TimerKind.WATCHDOG, "center + municipality; the client's own timeout comes first"
    ),
    TimerName.PRINTING: Timeout(
        None,
        TimerKind.WATCHDOG,
        "no flow timer: the print tracker has its own deadline and "
        "reports PrintFailed(timeout); the resident is asked to wait, money is never abandoned",
    ),
    TimerName.PAYMENT: Timeout(
        120, TimerKind.IDLE, "finding coins; restarted by every piece inserted; money → refund"
    ),
    TimerName.REFUND: Timeout(
        60, TimerKind.WATCHDOG, "a payout takes seconds; no answer → owed by staff"
    ),
    TimerName.DONE_REMINDER: Timeout(
        15, TimerKind.REMINDER, "reminders to take certificates and change, then back to start"
    ),
    TimerName.FAULT: Timeout(60, TimerKind.RESET, "time to read a fault and note the staff code"),
    TimerName.MUNICIPALITY_CHOICE: Timeout(
        120, TimerKind.IDLE, "choosing a prefecture and a municipality from long lists"
    ),
    TimerName.MATCHING_NUMBER: Timeout(
        90, TimerKind.IDLE, "14 digits from the card's surface and the birth date"
    ),
    TimerName.REGISTRATION_FORM: Timeout(
        300, TimerKind.IDLE, "typing 本籍 and 筆頭者 on the on-screen keyboard takes minutes"
    ),
    TimerName.CENTER_CALL: Timeout(
        60, TimerKind.WATCHDOG, "registration, status and list calls; the client times out first"
    ),
    TimerName.RECEIPT: Timeout(
        180, TimerKind.RESET, "time to note the application number and the municipality's message"
    ),
    TimerName.STATUS_ENTRY: Timeout(90, TimerKind.IDLE, "typing an application number"),
}

# How many reminder sounds before a reminder screen moves on (取り忘れ対策).
MAX_CARD_REMINDERS = 6  # one minute of reminders for a card
MAX_DONE_REMINDERS = 4  # one minute for certificates and change


@dataclass(frozen=True)
class TimeoutSettings:
    """The table as one kiosk runs it: profile overrides and the accessibility switch."""

    overrides: tuple[tuple[TimerName, float], ...] = ()
    no_time_limits: bool = False

    def seconds(self, name: TimerName) -> float | None:
        """The delay of ``name`` on this kiosk, or None if the timer is off."""
        entry = TIMEOUTS[name]
        if self.no_time_limits and entry.kind is TimerKind.IDLE:
            return None
        for overridden, seconds in self.overrides:
            if overridden is name:
                return seconds
        return entry.seconds

    def kind(self, name: TimerName) -> TimerKind:
        return TIMEOUTS[name].kind
