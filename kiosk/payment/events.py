"""What a fee acceptor reports. Frozen dataclasses; the flow consumes them as events."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kiosk.payment.money import Denomination


class RejectReason(StrEnum):
    """Why inserted money was given back at once (the resident sees it in the return tray)."""

    UNRECOGNISED = "unrecognised"  # foreign, damaged or counterfeit piece
    NOT_ENABLED = "not_enabled"  # inserted while the acceptor was not taking money
    NOT_ACCEPTED = "not_accepted"  # a denomination this machine does not take (e.g. 2000 yen)


@dataclass(frozen=True)
class MoneyInserted:
    """A piece was taken in for good (a coin, or a bill stacked from the escrow).

    ``ref``: a driver that keeps a ledger of its own (kiosk.payment.cash_unit) names the credit,
    and the kiosk journals it with that name so that a restart can tell whether it was recorded
    (kiosk.payment.acceptor.RecoverableAcceptor); "" for drivers without one.
    """

    denomination: Denomination
    ref: str = ""


@dataclass(frozen=True)
class EscrowHeld:
    """A bill waits in the escrow: the host answers with accept_escrow or return_escrow."""

    denomination: Denomination


@dataclass(frozen=True)
class EscrowReturned:
    """The bill in the escrow was given back (after return_escrow)."""

    denomination: Denomination


@dataclass(frozen=True)
class MoneyRejected:
    """A piece was given back without being counted."""

    reason: RejectReason


@dataclass(frozen=True)
class AcceptorJammed:
    """The acceptor stopped on a jam: it takes nothing more and may not pay out."""


@dataclass(frozen=True)
class ChangeDispensed:
    """Result of dispense_change: short when the inventory ran out or a jam stopped it."""

    requested_yen: int
    dispensed_yen: int
    ref: str = ""  # the payout's name, as given to RecoverableAcceptor.dispense_change_ref

    @property
    def short_yen(self) -> int:
        return self.requested_yen - self.dispensed_yen


@dataclass(frozen=True)
class MoneyRefunded:
    """Result of refund: what was paid back of what was asked; the rest is owed by staff."""

    requested_yen: int
    refunded_yen: int
    ref: str = ""  # as given to RecoverableAcceptor.refund_ref

    @property
    def short_yen(self) -> int:
        return self.requested_yen - self.refunded_yen


@dataclass(frozen=True)
class TrayEmptied:
    """The return tray sensor saw the tray emptied (acceptors without the sensor never send it)."""


AcceptorEvent = (
    MoneyInserted
    | EscrowHeld
    | EscrowReturned
    | MoneyRejected
    | AcceptorJammed
    | ChangeDispensed
    | MoneyRefunded
    | TrayEmptied
)
