"""Which timer runs on which screen, and when it is (re)started.

One timer at a time; ``StartTimer`` carries a serial and a ``TimerFired`` whose serial is not
the live one is ignored, so a restart or cancel never races with an old expiry.
"""

from __future__ import annotations

import typing
from dataclasses import replace
from typing import assert_never

from kiosk.flow._base import Outcome
from kiosk.flow.effects import CancelTimer, StartTimer
from kiosk.flow.events import Event, Intent, TimerFired
from kiosk.flow.state import (
    ActiveTimer,
    Authenticating,
    Cancelled,
    CardState,
    CertificateChoice,
    CheckingStatus,
    Confirmation,
    Consent,
    CopiesChoice,
    Done,
    Fault,
    Fetching,
    FlowState,
    JurisdictionChoice,
    MatchingNumberEntry,
    MunicipalityChoice,
    OptionChoice,
    OutOfService,
    OwedSlip,
    Payment,
    PinEntry,
    PinLocked,
    PlaceCard,
    Printing,
    ReadingFacts,
    Refunding,
    RegistrationForm,
    RegistrationReceipt,
    RegistrationReview,
    ReturnCard,
    Start,
    StatusEntry,
    StatusResult,
    Submitting,
    TakeCard,
    VerifyingPin,
)
from kiosk.flow.timeouts import MAX_CARD_REMINDERS, TIMEOUTS, TimerKind, TimerName
from kiosk.payment.events import EscrowHeld, MoneyInserted

_INTENTS: tuple[type, ...] = typing.get_args(Intent)


def timer_for(state: FlowState) -> TimerName | None:
    """The timer that runs while ``state`` is shown (TIMEOUTS says how long and why)."""
    if state.prompt:
        return TimerName.CONTINUE_PROMPT
    screen = state.screen
    match screen:
        case Start():
            changed = state.language != state.settings.default_language
            return TimerName.START_IDLE if changed or state.language_menu_open else None
        case Consent():
            return TimerName.CONSENT
        case MunicipalityChoice():
            return TimerName.CENTER_CALL if screen.loading else TimerName.MUNICIPALITY_CHOICE
        case PlaceCard():
            return TimerName.CARD_READ if screen.reading else TimerName.PLACE_CARD
        case PinEntry():
            return TimerName.CARD_READ if screen.tries_left is None else TimerName.PIN_ENTRY
        case VerifyingPin():
            return TimerName.PIN_VERIFY
        case PinLocked() | Fault() | Cancelled():
            return TimerName.FAULT
        case Authenticating():
            return TimerName.AUTHENTICATION
        case TakeCard():
            removed = state.txn is not None and state.txn.card is CardState.REMOVED
            return TimerName.AUTHENTICATION if removed else TimerName.TAKE_CARD
        case ReturnCard():
            return TimerName.RETURN_CARD if screen.reminders < MAX_CARD_REMINDERS else None
        case JurisdictionChoice() | CertificateChoice() | CopiesChoice():
            return TimerName.MENU
        case OptionChoice():
            return TimerName.OPTIONS
        case Confirmation():
            return TimerName.CONFIRM
        case Fetching():
            return TimerName.FETCH
        case Payment():
            return TimerName.PAYMENT
        case Printing():
            return TimerName.PRINTING
        case Done():
            return TimerName.DONE_REMINDER
        case Refunding():
            return TimerName.REFUND
        case OutOfService():
            return None
        case OwedSlip():
            return None  # the slip screen stays until "I have the slip" (never taken away)
        case MatchingNumberEntry():
            return TimerName.MATCHING_NUMBER
        case ReadingFacts():
            return TimerName.CARD_READ
        case RegistrationForm() | RegistrationReview():
            return TimerName.REGISTRATION_FORM
        case Submitting() | CheckingStatus():
            return TimerName.CENTER_CALL
        case RegistrationReceipt() | StatusResult():
            return TimerName.RECEIPT
        case StatusEntry():
            return TimerName.STATUS_ENTRY
        case _:
            assert_never(screen)


def is_activity(event: Event) -> bool:
    """The resident did something: an intent, or a coin or bill put in."""
    return isinstance(event, (_INTENTS, MoneyInserted | EscrowHeld))


def _next_item(old: FlowState, new: FlowState) -> bool:
    """A basket's next item is being fetched: the fetch watchdog covers one item at a time
    (each issuance may take the center client's whole budget)."""
    return (
        isinstance(old.screen, Fetching)
        and isinstance(new.screen, Fetching)
        and old.screen.item != new.screen.item
    )


def arm_timer(old: FlowState, new: FlowState, event: Event) -> Outcome:
    """Start, restart or cancel the screen timer after a step from ``old`` to ``new``."""
    name = timer_for(new)
    seconds = new.settings.timeouts.seconds(name) if name is not None else None
    if name is None or seconds is None:
        if new.timer is None:
            return new, ()
        return replace(new, timer=None), (CancelTimer(),)
    fired = (
        isinstance(event, TimerFired)
        and old.timer is not None
        and event.serial == old.timer.serial
        and event.name is old.timer.name
    )
    restart = (
        new.timer is None
        or new.timer.name is not name
        or type(old.screen) is not type(new.screen)
        or _next_item(old, new)
        or old.prompt != new.prompt
        or fired
        or (TIMEOUTS[name].kind is TimerKind.IDLE and is_activity(event))
    )
    if not restart:
        return new, ()
    serial = new.timer_serial + 1
    armed = replace(new, timer=ActiveTimer(name, serial), timer_serial=serial)
    return armed, (StartTimer(name, seconds, serial),)
