"""The payment service: the fee acceptor's commands on a worker, its events straight to the flow.

The acceptor interface (kiosk.payment.FeeAcceptor) says commands return at once and results
arrive as events from the driver's thread; a real driver may still block on its serial line, so
commands run on one worker thread, in the order the flow gave them. The acceptor's events are
flow events as they are. A command the acceptor refuses (``AcceptorError``: offline, protocol
error) becomes the event that tells the flow the truth: nothing was paid out (the rest is owed
by staff), or the acceptor cannot take money (treated as a jam).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from kiosk.flow import Event
from kiosk.flow import effects as fx
from kiosk.flow.events import AcceptorAvailabilityChanged
from kiosk.payment import (
    AcceptorError,
    AcceptorEvent,
    AcceptorJammed,
    ChangeDispensed,
    FeeAcceptor,
    MoneyRefunded,
    RecoverableAcceptor,
    ReportsAvailability,
)
from kiosk.runtime.worker import DeviceWorker

log = logging.getLogger(__name__)

# Stopping waits this long for the commands queued and the final disable: a payout in progress
# finishes within it on a working unit (the driver has its own timeouts); a unit that hangs is
# abandoned with its worker, and the journal tells the recovery what may have been paid.
ACCEPTOR_STOP_S = 5.0

Post = Callable[[Event], None]
AcceptorEffect = (
    fx.EnableAcceptor
    | fx.DisableAcceptor
    | fx.AcceptEscrow
    | fx.ReturnEscrow
    | fx.DispenseChange
    | fx.Refund
)


class PaymentService:
    """Executes the flow's acceptor effects on one worker thread."""

    def __init__(self, acceptor: FeeAcceptor) -> None:
        self.acceptor = acceptor
        self._post: Post | None = None
        self._worker: DeviceWorker | None = None

    def start(self, post: Post) -> None:
        self._post = post
        self._worker = DeviceWorker("kiosk-acceptor")
        self.acceptor.set_listener(self._on_event)
        if isinstance(self.acceptor, ReportsAvailability):
            self.acceptor.set_availability_listener(self._on_availability)

    def stop(self) -> None:
        self.acceptor.set_listener(None)
        if isinstance(self.acceptor, ReportsAvailability):
            self.acceptor.set_availability_listener(None)
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.submit(self._disable_quietly)
            worker.stop(ACCEPTOR_STOP_S)

    def execute(self, effect: AcceptorEffect, ref: str = "") -> None:
        """Queue ``effect``; ``ref`` names a payout for an acceptor with a ledger of its own
        (the journal intent's name: kiosk.runtime.runner.payout_ref)."""
        worker = self._worker
        if worker is None:
            log.error("acceptor command before the service started")
            return
        worker.submit(lambda: self._run(effect, ref))

    def confirm(self, ref: str) -> None:
        """The journal holds what the acceptor's event ``ref`` said: the acceptor may forget it."""
        acceptor = self.acceptor
        worker = self._worker
        if not isinstance(acceptor, RecoverableAcceptor) or worker is None:
            return
        worker.submit(lambda: self._confirm(acceptor, ref))

    def _confirm(self, acceptor: RecoverableAcceptor, ref: str) -> None:
        try:
            acceptor.confirm((ref,))
        except Exception:  # kept by the acceptor: the next start checks it against the journal
            log.exception("the acceptor could not forget %s", ref)

    def _on_event(self, event: AcceptorEvent) -> None:
        post = self._post
        if post is not None:
            post(event)

    def _on_availability(self, available: bool) -> None:
        post = self._post
        if post is not None:
            post(AcceptorAvailabilityChanged(available))

    def _disable_quietly(self) -> None:
        try:
            self.acceptor.disable()
        except AcceptorError:
            log.warning("the acceptor could not be disabled on shutdown")

    def _run(self, effect: AcceptorEffect, ref: str = "") -> None:
        acceptor = self.acceptor
        try:
            if ref and isinstance(acceptor, RecoverableAcceptor):
                if isinstance(effect, fx.DispenseChange):
                    acceptor.dispense_change_ref(effect.yen, ref)
                    return
                if isinstance(effect, fx.Refund):
                    acceptor.refund_ref(effect.yen, ref)
                    return
            match effect:
                case fx.EnableAcceptor(amount_due_yen=due):
                    acceptor.enable(due)
                case fx.DisableAcceptor():
                    acceptor.disable()
                case fx.AcceptEscrow():
                    acceptor.accept_escrow()
                case fx.ReturnEscrow():
                    acceptor.return_escrow()
                case fx.DispenseChange(yen=yen):
                    acceptor.dispense_change(yen)
                case fx.Refund(yen=yen):
                    acceptor.refund(yen)
        except (AcceptorError, ValueError) as exc:
            log.error("acceptor refused %s: %s", type(effect).__name__, exc)
            self._on_event(_failure_event(effect, ref))
        except Exception:
            log.exception("acceptor %s failed unexpectedly", type(effect).__name__)
            self._on_event(_failure_event(effect, ref))


def _failure_event(effect: AcceptorEffect, ref: str = "") -> AcceptorEvent:
    """What the flow must hear when a command could not be carried out."""
    match effect:
        case fx.DispenseChange(yen=yen):
            return ChangeDispensed(yen, 0, ref)  # nothing paid out: staff owe it
        case fx.Refund(yen=yen):
            return MoneyRefunded(yen, 0, ref)
        case _:
            return AcceptorJammed()  # it cannot take or hold money: stop and refund


__all__ = ["PaymentService"]
