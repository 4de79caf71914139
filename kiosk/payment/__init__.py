"""Payment: the fee-acceptor interface, the events it reports, and yen denominations.

The real device driver and the simulator (``hw_sim.acceptor``) implement :class:`FeeAcceptor`;
the transaction flow consumes the events. City-hall kiosks may take no money at all (counter
payment against a numbered ticket): then no acceptor is configured.
"""

from kiosk.payment.acceptor import (
    AcceptorError,
    AcceptorListener,
    AvailabilityListener,
    CashRecovery,
    FeeAcceptor,
    RecoverableAcceptor,
    RecoveredCredit,
    RecoveredPayout,
    ReportsAvailability,
)
from kiosk.payment.events import (
    AcceptorEvent,
    AcceptorJammed,
    ChangeDispensed,
    EscrowHeld,
    EscrowReturned,
    MoneyInserted,
    MoneyRefunded,
    MoneyRejected,
    RejectReason,
    TrayEmptied,
)
from kiosk.payment.levels import CashLevels, ReportsCashLevels
from kiosk.payment.money import BILLS, COINS, ChangePlan, Denomination, denomination_of, plan_change

__all__ = [
    "BILLS",
    "COINS",
    "AcceptorError",
    "AcceptorEvent",
    "AcceptorJammed",
    "AcceptorListener",
    "AvailabilityListener",
    "CashLevels",
    "CashRecovery",
    "ChangeDispensed",
    "ChangePlan",
    "Denomination",
    "EscrowHeld",
    "EscrowReturned",
    "FeeAcceptor",
    "MoneyInserted",
    "MoneyRefunded",
    "MoneyRejected",
    "RecoverableAcceptor",
    "RecoveredCredit",
    "RecoveredPayout",
    "RejectReason",
    "ReportsAvailability",
    "ReportsCashLevels",
    "TrayEmptied",
    "denomination_of",
    "plan_change",
]
