"""What the staff flow reacts to: staff's intents on the staff screens and the results of its
effects. A closed union (:data:`StaffEvent`) of frozen dataclasses; typed digits are left out of
``repr``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from kiosk.flow.state import StaffAccess
from kiosk.journal.operations import CashCountKind, OwedEntry
from kiosk.operations.status import CashLevels, DeviceStatus
from kiosk.payment import Denomination
from kiosk.problems import ServiceStop
from kiosk.staff.state import StaffTimer
from kiosk.staff.views import ClosingView, CountResult, DayChoice
from printing.faults import PrinterFault


class StaffPage(StrEnum):
    """The pages of the staff menu."""

    STATUS = "status"
    TEST_PAGE = "test_page"
    SERVICE = "service"
    OWED = "owed"
    CASH = "cash"
    CLOSING = "closing"
    RESTART = "restart"


# --- intents -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenStaff:
    """The hidden gesture or key of the profile: open the staff login."""


@dataclass(frozen=True)
class StaffDigit:
    digit: str = field(repr=False)


@dataclass(frozen=True)
class StaffBackspace:
    pass


@dataclass(frozen=True)
class StaffClear:
    """Remove every digit typed."""


@dataclass(frozen=True)
class StaffEnter:
    """Send what was typed (staff number, PIN, a count)."""


@dataclass(frozen=True)
class StaffBack:
    """Back to the menu (on a page), or leave the login (before it)."""


@dataclass(frozen=True)
class StaffExit:
    """End the staff session: the kiosk serves residents again."""


@dataclass(frozen=True)
class ShowPage:
    page: StaffPage


@dataclass(frozen=True)
class SwitchLanguage:
    """The staff screens in Japanese or English."""

    language: str


@dataclass(frozen=True)
class Refresh:
    """Read the page's facts again (status, levels, the owed list)."""


@dataclass(frozen=True)
class PrintTestPage:
    pass


@dataclass(frozen=True)
class TakeOutOfService:
    stop: ServiceStop


@dataclass(frozen=True)
class PutBackInService:
    pass


@dataclass(frozen=True)
class ChooseOwed:
    entry: int


@dataclass(frozen=True)
class ConfirmPaidBack:
    """The chosen entry was paid to the resident (its whole amount)."""


@dataclass(frozen=True)
class StartCount:
    kind: CashCountKind


@dataclass(frozen=True)
class EditCount:
    """Type the pieces counted of ``denomination`` (then digits, then StaffEnter)."""

    denomination: Denomination


@dataclass(frozen=True)
class SubmitCount:
    pass


@dataclass(frozen=True)
class CloseDay:
    day: date


@dataclass(frozen=True)
class CloseWithoutCenter:
    """The center cannot be reached: close the day with the center's side marked missing."""


@dataclass(frozen=True)
class PrintDayReport:
    """Print the day report (again)."""


@dataclass(frozen=True)
class ConfirmRestart:
    pass


StaffIntent = (
    OpenStaff
    | StaffDigit
    | StaffBackspace
    | StaffClear
    | StaffEnter
    | StaffBack
    | StaffExit
    | ShowPage
    | SwitchLanguage
    | Refresh
    | PrintTestPage
    | TakeOutOfService
    | PutBackInService
    | ChooseOwed
    | ConfirmPaidBack
    | StartCount
    | EditCount
    | SubmitCount
    | CloseDay
    | CloseWithoutCenter
    | PrintDayReport
    | ConfirmRestart
)

# --- results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessChanged:
    """The resident flow's answer to request ``request``: staff wait for a transaction to end,
    or have the kiosk."""

    access: StaffAccess
    request: int


@dataclass(frozen=True)
class PinChecked:
    """The runtime checked a staff number and PIN against the profile's salted hashes."""

    staff_id: str
    ok: bool


@dataclass(frozen=True)
class StaffCardSeen:
    """A card on the reader: the staff member it names (None: not a staff card)."""

    staff_id: str | None


@dataclass(frozen=True)
class StatusRead:
    status: DeviceStatus


@dataclass(frozen=True)
class TestPagePrinted:
    fault: PrinterFault | None  # None: it came out


@dataclass(frozen=True)
class ServiceApplied:
    """The journal recorded the change and the resident flow was told."""

    stop: ServiceStop | None


@dataclass(frozen=True)
class OwedRead:
    entries: tuple[OwedEntry, ...]


@dataclass(frozen=True)
class PaidBackRecorded:
    entry: int
    entries: tuple[OwedEntry, ...]  # the open entries after it


@dataclass(frozen=True)
class CashRead:
    levels: CashLevels | None  # None: the unit cannot say (or counter payment)


@dataclass(frozen=True)
class CountRecorded:
    result: CountResult


@dataclass(frozen=True)
class DaysRead:
    days: tuple[DayChoice, ...]


@dataclass(frozen=True)
class ClosingUpdated:
    view: ClosingView


@dataclass(frozen=True)
class StaffJournalFailed:
    """A staff record could not be written: the action did not happen."""

    detail: str


@dataclass(frozen=True)
class StaffTimerFired:
    name: StaffTimer
    serial: int


StaffResult = (
    AccessChanged
    | PinChecked
    | StaffCardSeen
    | StatusRead
    | TestPagePrinted
    | ServiceApplied
    | OwedRead
    | PaidBackRecorded
    | CashRead
    | CountRecorded
    | DaysRead
    | ClosingUpdated
    | StaffJournalFailed
    | StaffTimerFired
)

StaffEvent = StaffIntent | StaffResult
