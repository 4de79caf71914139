"""What the staff screens show of work the runtime does: closing a day, counting cash.

Plain values carried by the staff flow's result events and state (no I/O).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from kiosk.journal.operations import CashCountKind, ClosingStep
from kiosk.operations.reconcile import Line, Totals
from printing.faults import PrinterFault


class DayState(StrEnum):
    OPEN = "open"  # not closed yet
    INTERRUPTED = "interrupted"  # a closing started and did not finish (power cut, restart)
    CLOSED = "closed"


@dataclass(frozen=True)
class DayChoice:
    """A business day staff may close: its state and how many transactions it has."""

    day: date
    state: DayState
    transactions: int
    last_step: ClosingStep | None = None  # how far an interrupted closing got


class ClosingPhase(StrEnum):
    RUNNING = "running"
    CENTER_UNREACHABLE = "center_unreachable"  # retry, or close with the center's side missing
    DONE = "done"
    FAILED = "failed"  # the journal could not record a step: nothing is lost, try again


@dataclass(frozen=True)
class ClosingView:
    """Where closing ``day`` stands, and its result once reconciled."""

    day: date
    phase: ClosingPhase
    step: ClosingStep | None = None  # the last step journaled
    totals: Totals | None = None
    differences: tuple[Line, ...] = ()
    center_missing: bool = False
    csv_name: str = ""
    printed: bool | None = None  # the day report: None while not tried yet
    print_fault: PrinterFault | None = None
    detail: str = ""  # for staff: why the center could not be reached, what failed


@dataclass(frozen=True)
class CountLine:
    """One denomination of a refill or collection as recorded."""

    denomination: int
    counted: int
    unit_count: int | None

    @property
    def difference(self) -> int | None:
        return None if self.unit_count is None else self.counted - self.unit_count


@dataclass(frozen=True)
class CountResult:
    count_id: str
    kind: CashCountKind
    lines: tuple[CountLine, ...]

    @property
    def differences(self) -> tuple[CountLine, ...]:
        return tuple(line for line in self.lines if line.difference)

    @property
    def difference_yen(self) -> int:
        return sum(line.denomination * (line.difference or 0) for line in self.lines)


__all__ = [
    "ClosingPhase",
    "ClosingView",
    "CountLine",
    "CountResult",
    "DayChoice",
    "DayState",
]
