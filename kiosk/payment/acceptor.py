"""The fee-acceptor interface every driver (real device, simulator) implements.

Commands return at once; results and everything the resident does arrive as
:data:`~kiosk.payment.events.AcceptorEvent` values on the listener, from the driver's own thread.
The listener must be quick and thread-safe (the kiosk runner puts the event on its queue).
"""

from __future__ import annotations

from collections.abc import Callable
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
