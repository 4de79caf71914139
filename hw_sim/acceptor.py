"""A simulated fee acceptor: coins and bills, escrow, a change inventory, jams and refunds.

Implements :class:`kiosk.payment.FeeAcceptor` for the developer profile and the tests. The
"resident" side (insert a piece, empty the tray) and the "staff" side (jam, clear, refill) are
plain methods, used by tests and the dev dock. Events are delivered in order on a dispatcher
thread of its own, as a real device driver would deliver them from its serial thread; every
method is thread-safe.

Behaviour kept faithful to common Japanese kiosk acceptors:

- Coins drop straight in and are recycled for change; bills stop in the escrow until the host
  accepts (stacked) or returns them. 1000-yen bills are recycled by default, larger bills go to
  the cash box and never come back out.
- The 2000-yen bill is not accepted by default (most kiosk validators do not take it).
- A jam stops everything: nothing more is taken and payouts stop (partially, if the jam
  happens mid-payout), which the results report as short.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import Counter
from collections.abc import Iterable, Mapping

from kiosk.payment import (
    AcceptorEvent,
    AcceptorJammed,
    AcceptorListener,
    CashLevels,
    ChangeDispensed,
    Denomination,
    EscrowHeld,
    EscrowReturned,
    MoneyInserted,
    MoneyRefunded,
    MoneyRejected,
    RejectReason,
    TrayEmptied,
    denomination_of,
    plan_change,
)

log = logging.getLogger(__name__)

# A modest float a store loads each morning: enough change for a day of 200–450 yen fees.
DEFAULT_FLOAT: Mapping[Denomination, int] = {
    Denomination.Y500: 20,
    Denomination.Y100: 50,
    Denomination.Y50: 20,
    Denomination.Y10: 100,
    Denomination.Y5: 20,
    Denomination.Y1: 50,
    Denomination.Y1000: 20,
}

DEFAULT_ACCEPTED: tuple[Denomination, ...] = tuple(
    d for d in Denomination if d is not Denomination.Y2000
)


class SimulatedAcceptor:
    """A fee acceptor in memory (see the module docstring)."""

    def __init__(
        self,
        inventory: Mapping[Denomination, int] | None = None,
        *,
        accepted: Iterable[Denomination] = DEFAULT_ACCEPTED,
        recycled_bills: Iterable[Denomination] = (Denomination.Y1000,),
        tray_sensor: bool = True,
    ) -> None:
        self._lock = threading.RLock()
        self._inventory: Counter[Denomination] = Counter(
            DEFAULT_FLOAT if inventory is None else inventory
        )
        self._cashbox: Counter[Denomination] = Counter()
        self._accepted = frozenset(accepted)
        self._recycled = frozenset(recycled_bills)
        self._tray_sensor = tray_sensor
        self._tray: list[Denomination | int] = []
        self._enabled = False
        self._amount_due = 0
        self._escrow: Denomination | None = None
        self._jammed = False
        self._jam_after_pieces: int | None = None
        self._listener: AcceptorListener | None = None
        self._outbox: queue.Queue[AcceptorEvent | None] = queue.Queue()
        self._dispatcher = threading.Thread(
            target=self._dispatch, name="simulated-acceptor", daemon=True
        )
        self._dispatcher.start()

    # --- FeeAcceptor --------------------------------------------------------------------------

    def set_listener(self, listener: AcceptorListener | None) -> None:
        with self._lock:
            self._listener = listener

    def enable(self, amount_due_yen: int) -> None:
        if amount_due_yen <= 0:
            raise ValueError("the amount due must be positive")
        with self._lock:
            self._enabled = True
            self._amount_due = amount_due_yen
            log.info("acceptor enabled for %d yen", amount_due_yen)

    def disable(self) -> None:
        with self._lock:
            self._enabled = False
            self._amount_due = 0
            if self._escrow is not None:
                self._give_back_escrow()

    def accept_escrow(self) -> None:
        with self._lock:
            bill = self._escrow
            if bill is None:
                log.warning("accept_escrow with an empty escrow ignored")
                return
            self._escrow = None
            (self._inventory if bill in self._recycled else self._cashbox)[bill] += 1
            self._emit(MoneyInserted(bill))

    def return_escrow(self) -> None:
        with self._lock:
            if self._escrow is None:
                log.warning("return_escrow with an empty escrow ignored")
                return
            self._give_back_escrow()

    def dispense_change(self, amount_yen: int) -> None:
        with self._lock:
            self._emit(ChangeDispensed(amount_yen, self._pay_out(amount_yen)))

    def refund(self, amount_yen: int) -> None:
        with self._lock:
            if self._escrow is not None:
                self._give_back_escrow()
            self._emit(MoneyRefunded(amount_yen, self._pay_out(amount_yen)))

    # --- the resident's side ------------------------------------------------------------------

    def insert(self, yen: int) -> None:
        """The resident puts in a piece worth ``yen`` (any int: unknown values are rejected)."""
        with self._lock:
            piece = denomination_of(yen)
            if piece is None:
                self._tray.append(yen)
                self._emit(MoneyRejected(RejectReason.UNRECOGNISED))
            elif self._jammed or not self._enabled:
                self._tray.append(piece)
                self._emit(MoneyRejected(RejectReason.NOT_ENABLED))
            elif piece not in self._accepted:
                self._tray.append(piece)
                self._emit(MoneyRejected(RejectReason.NOT_ACCEPTED))
            elif piece.is_bill:
                if self._escrow is not None:
                    self._tray.append(piece)  # the validator does not draw in a second bill
                    self._emit(MoneyRejected(RejectReason.NOT_ENABLED))
                else:
                    self._escrow = piece
                    self._emit(EscrowHeld(piece))
            else:
                self._inventory[piece] += 1
                self._emit(MoneyInserted(piece))

    def insert_counterfeit(self) -> None:
        """A piece the validator does not recognise (foreign coin, fake bill)."""
        self.insert(0)

    def take_tray(self) -> list[Denomination | int]:
        """The resident empties the return tray; returns what was in it."""
        with self._lock:
            taken, self._tray = self._tray, []
            if self._tray_sensor and taken:
                self._emit(TrayEmptied())
            return taken

    # --- the staff's side and fault injection -------------------------------------------------

    def jam(self) -> None:
        """A piece jams now: the acceptor stops taking and paying out."""
        with self._lock:
            self._jammed = True
            self._emit(AcceptorJammed())

    def jam_after(self, pieces: int) -> None:
        """Jam during the next payout after ``pieces`` pieces came out."""
        with self._lock:
            self._jam_after_pieces = pieces

    def clear_jam(self) -> None:
        with self._lock:
            self._jammed = False

    def refill(self, pieces: Mapping[Denomination, int]) -> None:
        with self._lock:
            self._inventory.update(pieces)

    def collect(self) -> dict[Denomination, int]:
        """Staff empty the cash box (a collection); returns what was in it."""
        with self._lock:
            taken = {d: n for d, n in self._cashbox.items() if n > 0}
            self._cashbox.clear()
            return taken

    def cash_levels(self) -> CashLevels:
        """The unit's own count (kiosk.payment.ReportsCashLevels)."""
        with self._lock:
            return CashLevels(
                change={d: n for d, n in self._inventory.items() if n > 0},
                cash_box={d: n for d, n in self._cashbox.items() if n > 0},
                fault="jammed" if self._jammed else None,
            )

    def empty_inventory(self) -> None:
        """Take every piece out of the change inventory (to test running out of change)."""
        with self._lock:
            self._inventory.clear()

    @property
    def inventory(self) -> dict[Denomination, int]:
        with self._lock:
            return {d: n for d, n in self._inventory.items() if n > 0}

    @property
    def cashbox(self) -> dict[Denomination, int]:
        with self._lock:
            return {d: n for d, n in self._cashbox.items() if n > 0}

    @property
    def tray_yen(self) -> int:
        """Value of the recognised pieces lying in the return tray."""
        with self._lock:
            return sum(int(p) for p in self._tray if isinstance(p, Denomination))

    @property
    def escrow(self) -> Denomination | None:
        with self._lock:
            return self._escrow

    @property
    def enabled(self) -> bool:
        with self._lock:
            return self._enabled

    def close(self) -> None:
        """Stop the dispatcher thread after the events already queued were delivered."""
        self._outbox.put(None)
        self._dispatcher.join(timeout=5)

    # --- internals ----------------------------------------------------------------------------

    def _give_back_escrow(self) -> None:
        bill = self._escrow
        assert bill is not None
        self._escrow = None
        self._tray.append(bill)
        self._emit(EscrowReturned(bill))

    def _pay_out(self, amount_yen: int) -> int:
        """Move pieces for ``amount_yen`` (or less) from the inventory to the tray; the yen paid."""
        if amount_yen < 0:
            raise ValueError("amount must not be negative")
        if self._jammed:
            return 0
        plan = plan_change(amount_yen, self._inventory)
        paid = 0
        count = 0
        for piece, number in sorted(plan.pieces.items(), reverse=True):
            for _ in range(number):
                if self._jam_after_pieces is not None and count >= self._jam_after_pieces:
                    self._jam_after_pieces = None
                    self._jammed = True
                    self._emit(AcceptorJammed())
                    return paid
                self._inventory[piece] -= 1
                self._tray.append(piece)
                paid += int(piece)
                count += 1
        if plan.short_yen:
            log.warning("change inventory short by %d yen", plan.short_yen)
        return paid

    def _emit(self, event: AcceptorEvent) -> None:
        self._outbox.put(event)

    def _dispatch(self) -> None:
        while True:
            event = self._outbox.get()
            if event is None:
                return
            with self._lock:
                listener = self._listener
            if listener is None:
                continue
            try:
                listener(event)
            except Exception:  # a faulty listener must not kill the device thread
                log.exception("acceptor listener failed on %r", event)
