"""The cash unit driven directly: a JCM ID-003 bill validator and a ccTalk bus (coin acceptor,
payout hoppers), as one :class:`~kiosk.payment.FeeAcceptor` (``payment.driver =
"id003+cctalk"``, docs/cash-hardware.md).

Each serial port has its worker thread (kiosk.payment.id003, kiosk.payment.cctalk); this class
routes the flow's commands to them and their events to the kiosk. Bills are never paid out (the
validator has no recycler): change and refunds come from the hoppers. Both devices note what
they do in one cash ledger beside the journal (kiosk.payment.cash_ledger), which is what makes
a kill of the kiosk at any instant come out exactly (:meth:`recovery`, :meth:`confirm`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.payment.acceptor import (
    AcceptorError,
    AcceptorListener,
    AvailabilityListener,
    CashRecovery,
    RecoveredCredit,
    RecoveredPayout,
)
from kiosk.payment.cash_ledger import CashLedger
from kiosk.payment.cash_status import CashStatus
from kiosk.payment.cctalk import CcTalkBus, CoinSettings, DispenseCipher
from kiosk.payment.events import AcceptorEvent
from kiosk.payment.id003 import Id003Validator
from kiosk.payment.serial_link import SerialLink

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CashUnitConfig:
    """Where the devices are and how the bus is set up."""

    bill_validator: Path  # the ID-003 validator's serial device (9600 8E1)
    coin_bus: Path  # the ccTalk bus's serial device (9600 8N1)
    ledger: Path  # the cash ledger (beside the journal, on durable storage)
    coins: CoinSettings = field(default_factory=CoinSettings)


class CashUnit:
    """The fee acceptor over the two devices (see the module docstring)."""

    def __init__(self, config: CashUnitConfig, *, cipher: DispenseCipher | None = None) -> None:
        self.config = config
        self.ledger = CashLedger(config.ledger)
        self._lock = threading.Lock()
        self._listener: AcceptorListener | None = None
        self._availability_listener: AvailabilityListener | None = None
        self._available: bool | None = None
        self.validator = Id003Validator(
            SerialLink(config.bill_validator, parity="E"), self.ledger, self._deliver
        )
        self.coins = CcTalkBus(
            SerialLink(config.coin_bus, parity="N"),
            self.ledger,
            self._deliver,
            config.coins,
            cipher=cipher,
        )
        self.validator.on_connection = self._connection_changed
        self.coins.on_connection = self._connection_changed
        self.validator.start()
        self.coins.start()

    # --- FeeAcceptor --------------------------------------------------------------------------

    def set_listener(self, listener: AcceptorListener | None) -> None:
        with self._lock:
            self._listener = listener

    def enable(self, amount_due_yen: int) -> None:
        if amount_due_yen <= 0:
            raise ValueError("the amount due must be positive")
        self._require("enable")
        if not (self.validator.enable() and self.coins.enable()):
            raise AcceptorError("enable: a device did not take the command")

    def disable(self) -> None:
        # Both are told even if one fails; a device that is away takes nothing anyway (the
        # validator inhibits itself at power-up; coins seen later are handed over then).
        bills = self.validator.disable()  # a bill in the escrow goes back
        coins = self.coins.disable()
        if not (bills and coins):
            log.warning("cash unit: disable not confirmed (bills %s, coins %s)", bills, coins)

    def accept_escrow(self) -> None:
        self._require("accept_escrow", coins=False)
        if not self.validator.stack():
            raise AcceptorError("accept_escrow: the validator did not take the command")

    def return_escrow(self) -> None:
        if not self.validator.return_bill():
            raise AcceptorError("return_escrow: the validator did not take the command")

    def dispense_change(self, amount_yen: int) -> None:
        self.dispense_change_ref(amount_yen, "")

    def refund(self, amount_yen: int) -> None:
        self.refund_ref(amount_yen, "")

    # --- RecoverableAcceptor ------------------------------------------------------------------

    def dispense_change_ref(self, amount_yen: int, ref: str) -> None:
        self._payout("change", amount_yen, ref)

    def refund_ref(self, amount_yen: int, ref: str) -> None:
        self._payout("refund", amount_yen, ref)

    def confirm(self, refs: Collection[str]) -> None:
        self.ledger.confirm(set(refs))

    def recovery(self, timeout_s: float) -> CashRecovery:
        # The devices read their state at connection (a bill stacked, a payout running);
        # one that does not come within the time is not waited for.
        deadline = time.monotonic() + timeout_s
        for worker in (self.validator, self.coins):
            worker.connected.wait(max(0.0, deadline - time.monotonic()))
        while not self.coins.reconciled and time.monotonic() < deadline:
            time.sleep(0.05)
        credits = tuple(RecoveredCredit(c.ref, c.yen) for c in self.ledger.credits)
        payouts = tuple(
            RecoveredPayout(p.ref, p.kind, p.requested_yen, p.paid_yen)
            for p in self.ledger.payouts
            if p.done
        )
        unknown = tuple(p.ref for p in self.ledger.payouts if not p.done)
        return CashRecovery(credits, payouts, unknown)

    # --- ReportsAvailability ------------------------------------------------------------------

    def set_availability_listener(self, listener: AvailabilityListener | None) -> None:
        with self._lock:
            self._availability_listener = listener
        if listener is not None:
            listener(self.available)

    @property
    def available(self) -> bool:
        return self.validator.connected.is_set() and self.coins.connected.is_set()

    # --- staff --------------------------------------------------------------------------------

    def status(self) -> CashStatus:
        return CashStatus(
            bill_validator=self.validator.status,
            coin_acceptor=self.coins.acceptor_status,
            hoppers=self.coins.hoppers(),
            bills_in_stacker=self.ledger.bills_stacked,
            unconfirmed=tuple(c.ref for c in self.ledger.credits)
            + tuple(p.ref for p in self.ledger.payouts),
        )

    def wait_ready(self, timeout_s: float) -> bool:
        """Both devices answered (tests and the start of the kiosk)."""
        deadline = time.monotonic() + timeout_s
        while not self.available:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def close(self) -> None:
        self.validator.close()
        self.coins.close()

    # --- internals ----------------------------------------------------------------------------

    def _payout(self, kind: str, amount_yen: int, ref: str) -> None:
        if amount_yen < 0:
            raise ValueError("amount must not be negative")
        self._require(kind, bills=False)
        self.coins.payout(kind, amount_yen, ref)

    def _require(self, what: str, *, bills: bool = True, coins: bool = True) -> None:
        missing = []
        if bills and not self.validator.connected.is_set():
            missing.append("bill validator")
        if coins and not self.coins.connected.is_set():
            missing.append("coin bus")
        if missing:
            raise AcceptorError(f"{what}: {' and '.join(missing)} not connected")

    def _connection_changed(self, _connected: bool) -> None:
        available = self.available
        with self._lock:
            if available == self._available:
                return
            self._available = available
            listener = self._availability_listener
        if listener is not None:
            try:
                listener(available)
            except Exception:
                log.exception("availability listener failed")

    def _deliver(self, event: AcceptorEvent) -> None:
        with self._lock:
            listener = self._listener
        if listener is None:
            log.info("cash unit: %r with no listener", event)
            return
        try:
            listener(event)
        except Exception:  # a faulty listener must not stop a device's worker
            log.exception("acceptor listener failed on %r", event)


__all__ = ["CashUnit", "CashUnitConfig"]
