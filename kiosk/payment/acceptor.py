"""The fee-acceptor interface every driver (real device, simulator) implements.

Commands return at once; results and everything the resident does arrive as
:data:`~kiosk.payment.events.AcceptorEvent` values on the listener, from the driver's own thread.
The listener must be quick and thread-safe (the kiosk runner puts the event on its queue).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from kiosk.payment.events import AcceptorEvent

AcceptorListener = Callable[[AcceptorEvent], None]


class AcceptorError(Exception):
    """The acceptor cannot carry out a command (device offline, protocol error)."""


@runtime_checkable
class FeeAcceptor(Protocol):
    """Takes coins and bills for one amount due, pays change and refunds."""

    def set_listener(self, listener: AcceptorListener | None) -> None:
        """Where events go; None drops them (a driver keeps no backlog)."""

    def enable(self, amount_due_yen: int) -> None:
        """Start taking money for ``amount_due_yen`` (> 0)."""

    def disable(self) -> None:
        """Stop taking money; a piece inserted from now on is given back (MoneyRejected)."""

    def accept_escrow(self) -> None:
        """Stack the bill held in the escrow (→ MoneyInserted)."""

    def return_escrow(self) -> None:
        """Give back the bill held in the escrow (→ EscrowReturned)."""

    def dispense_change(self, amount_yen: int) -> None:
        """Pay out change (→ ChangeDispensed, possibly short)."""

    def refund(self, amount_yen: int) -> None:
        """Pay back money taken in this transaction (→ MoneyRefunded, possibly short)."""


AvailabilityListener = Callable[[bool], None]


@runtime_checkable
class ReportsAvailability(Protocol):
    """An acceptor that can lose its device (the cash-unit bridge's daemon) says when it can
    and cannot be commanded; the kiosk offers issuance only while it can."""

    def set_availability_listener(self, listener: AvailabilityListener | None) -> None:
        """Called at once with the current availability, then on every change (from the
        driver's thread); None stops it."""


@dataclass(frozen=True)
class RecoveredCredit:
    """Money a device took in and handed to the kiosk, not confirmed journaled."""

    ref: str
    yen: int


@dataclass(frozen=True)
class RecoveredPayout:
    """A payout whose result the devices know (``paid_yen`` of ``requested_yen``)."""

    ref: str
    kind: str  # "change" | "refund"
    requested_yen: int
    paid_yen: int


@dataclass(frozen=True)
class CashRecovery:
    """What a driver with a ledger of its own knows at start about money the kiosk may not
    have journaled (kiosk/runtime/cash_recovery.py settles it against the journal)."""

    credits: tuple[RecoveredCredit, ...] = ()
    payouts: tuple[RecoveredPayout, ...] = ()
    unknown_payouts: tuple[str, ...] = ()  # running when the kiosk stopped; the hoppers can't tell


@runtime_checkable
class RecoverableAcceptor(Protocol):
    """A fee acceptor that keeps its own durable ledger (kiosk.payment.cash_unit): credits and
    payouts carry a reference, the kiosk confirms each one once it is journaled, and after a
    restart the driver says what was not confirmed."""

    def dispense_change_ref(self, amount_yen: int, ref: str) -> None:
        """dispense_change, the result carrying ``ref`` (the journal's name for the intent)."""

    def refund_ref(self, amount_yen: int, ref: str) -> None:
        """refund, likewise."""

    def confirm(self, refs: Collection[str]) -> None:
        """The kiosk journaled what the events with these references said: forget them."""

    def recovery(self, timeout_s: float) -> CashRecovery:
        """Wait (bounded) until the devices were read at start, then what is unconfirmed."""
