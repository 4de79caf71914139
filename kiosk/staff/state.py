"""The staff flow's state: which staff screen is up and what it shows.

Like the resident flow (kiosk/flow): immutable, one dataclass per screen, the typed staff
number and PIN marked personal (masked in logs, dropped as soon as they are sent).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from kiosk.journal.operations import CashCountKind, OwedEntry
from kiosk.operations.status import CashLevels, DeviceStatus
from kiosk.payment import Denomination
from kiosk.problems import ServiceStop
from kiosk.staff.views import ClosingView, CountResult, DayChoice
from printing.faults import PrinterFault

PERSONAL = {"personal": True}
PIN_MIN, PIN_MAX = 4, 8  # a staff PIN: 4–8 digits (the profile holds only its salted hash)
STAFF_NUMBER_MAX = 8  # digits of a staff number as typed
PIECES_MAX = 9999  # pieces of one denomination in one refill or collection


class StaffTimer(StrEnum):
    IDLE = "idle"  # no staff action: the session ends by itself
    LOCKOUT = "lockout"  # too many wrong PINs: the staff login stays locked
    WAIT = "wait"  # waiting for the resident's transaction to end: give up after a while


@dataclass(frozen=True)
class StaffSettings:
    """The staff flow's part of the profile ([staff]); the PIN hashes stay with the runtime."""

    staff_ids: tuple[str, ...]  # who may log in (their PIN hashes are checked by the runtime)
    max_wrong_pins: int = 5
    lockout_s: float = 900.0
    idle_s: float = 180.0
    wait_s: float = 600.0
    card_login: bool = False  # a staff card on the reader names the staff member
    card_required: bool = False  # and the staff number cannot be typed instead


# --- screens --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Closed:
    """No staff screen: the residents' kiosk."""


@dataclass(frozen=True)
class Waiting:
    """The kiosk was asked for: a banner (over the residents' screens) until it is free."""

    resident: bool = False  # a resident is being served: staff wait for the transaction to end


class LoginStage(StrEnum):
    STAFF_NUMBER = "staff_number"
    PIN = "pin"


@dataclass(frozen=True)
class Login:
    stage: LoginStage = LoginStage.STAFF_NUMBER
    staff_id: str = field(default="", repr=False, metadata=PERSONAL)
    entry: str = field(default="", repr=False, metadata=PERSONAL)
    checking: bool = False
    wrong: bool = False  # the last staff number and PIN did not match
    tries_left: int | None = None
    by_card: bool = False  # the staff member was named by a staff card
    unknown_card: bool = False  # a card was placed that is no staff card

    @property
    def masked(self) -> str:
        return "●" * len(self.entry)


@dataclass(frozen=True)
class LockedOut:
    """Too many wrong PINs: staff login is locked for a while (the profile says how long).
    A banner over the residents' screens: the kiosk serves residents meanwhile."""


@dataclass(frozen=True)
class Menu:
    pass


@dataclass(frozen=True)
class Status:
    status: DeviceStatus | None = None  # None while reading


class TestPageState(StrEnum):
    READY = "ready"
    PRINTING = "printing"
    PRINTED = "printed"
    FAILED = "failed"


@dataclass(frozen=True)
class TestPage:
    state: TestPageState = TestPageState.READY
    fault: PrinterFault | None = None


@dataclass(frozen=True)
class Service:
    """Out of service (with a reason residents read) or back in service."""

    busy: bool = False


@dataclass(frozen=True)
class Owed:
    """Money owed to residents: the open entries; one chosen to record as paid back."""

    entries: tuple[OwedEntry, ...] | None = None  # None while reading
    chosen: int | None = None  # the entry number waiting for confirmation
    busy: bool = False
    paid: int | None = None  # the entry just recorded as paid back


@dataclass(frozen=True)
class Cash:
    """The cash unit's levels; a refill or collection being counted; its recorded result."""

    levels: CashLevels | None = None
    kind: CashCountKind | None = None  # a count in progress
    before: CashLevels | None = None  # the unit's count when the count began
    counts: tuple[tuple[Denomination, int], ...] = ()
    editing: Denomination | None = None
    entry: str = ""  # digits typed for ``editing``
    busy: bool = False
    result: CountResult | None = None
    read: bool = False  # the levels were read (levels None then: the unit cannot say)


@dataclass(frozen=True)
class Closing:
    days: tuple[DayChoice, ...] | None = None  # None while reading
    view: ClosingView | None = None  # a closing running or its result


@dataclass(frozen=True)
class Restart:
    confirmed: bool = False


StaffScreen = (
    Closed
    | Waiting
    | Login
    | LockedOut
    | Menu
    | Status
    | TestPage
    | Service
    | Owed
    | Cash
    | Closing
    | Restart
)


@dataclass(frozen=True)
class ActiveStaffTimer:
    name: StaffTimer
    serial: int


@dataclass(frozen=True)
class StaffState:
    settings: StaffSettings
    screen: StaffScreen = field(default_factory=Closed)
    staff_id: str | None = None  # who is logged in
    wrong_pins: int = 0  # since the last good PIN or the end of a lockout
    locked: bool = False
    stop: ServiceStop | None = None  # out of service, and why (as journaled)
    language: str = "ja"  # the staff screens' language: ja or en
    message: str = ""  # a one-line result or error code for the screen (staff.texts)
    timers: tuple[ActiveStaffTimer, ...] = ()
    timer_serial: int = 0
    closing_day: date | None = None  # the day whose closing runs in the background
    request: int = 0  # the last request for the kiosk (RequestKiosk / AccessChanged)


STAFF_LANGUAGES = ("ja", "en")


def initial_staff_state(settings: StaffSettings, stop: ServiceStop | None = None) -> StaffState:
    """At start-up: no staff screen; ``stop`` is the service state the journal holds."""
    return StaffState(settings=settings, stop=stop)


__all__ = [
    "PIECES_MAX",
    "PIN_MAX",
    "PIN_MIN",
    "STAFF_LANGUAGES",
    "STAFF_NUMBER_MAX",
    "ActiveStaffTimer",
    "Cash",
    "Closed",
    "Closing",
    "LockedOut",
    "Login",
    "LoginStage",
    "Menu",
    "Owed",
    "Restart",
    "Service",
    "StaffScreen",
    "StaffSettings",
    "StaffState",
    "StaffTimer",
    "Status",
    "TestPage",
    "TestPageState",
    "Waiting",
    "initial_staff_state",
]
