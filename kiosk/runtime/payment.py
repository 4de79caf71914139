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
from concurrent.futures import ThreadPoolExecutor

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
    ReportsAvailability,
)

log = logging.getLogger(__name__)

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
        self._executor: ThreadPoolExecutor | None = None

    def start(self, post: Post) -> None:
        self._post = post
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-acceptor")
        self.acceptor.set_listener(self._on_event)
        if isinstance(self.acceptor, ReportsAvailability):
            self.acceptor.set_availability_listener(self._on_availability)

    def stop(self) -> None:
        self.acceptor.set_listener(None)
        if isinstance(self.acceptor, ReportsAvailability):
            self.acceptor.set_availability_listener(None)
        if self._executor is not None:
            self._executor.submit(self._disable_quietly)
            self._executor.shutdown(wait=True)
            self._executor = None

    def execute(self, effect: AcceptorEffect) -> None:
        executor = self._executor
        if executor is None:
            log.error("acceptor command before the service started")
            return
        executor.submit(self._run, effect)

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

    def _run(self, effect: AcceptorEffect) -> None:
        acceptor = self.acceptor
        try:
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
            self._on_event(_failure_event(effect))
        except Exception:
            log.exception("acceptor %s failed unexpectedly", type(effect).__name__)
            self._on_event(_failure_event(effect))


def _failure_event(effect: AcceptorEffect) -> AcceptorEvent:
    """What the flow must hear when a command could not be carried out."""
    match effect:
        case fx.DispenseChange(yen=yen):
            return ChangeDispensed(yen, 0)  # nothing paid out: staff owe it
        case fx.Refund(yen=yen):
            return MoneyRefunded(yen, 0)
        case _:
            return AcceptorJammed()  # it cannot take or hold money: stop and refund


__all__ = ["PaymentService"]
