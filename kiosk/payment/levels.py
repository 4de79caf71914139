"""What a cash unit holds, as it counts it: a small typed status the staff screens and the
fleet's metrics read from the fee acceptor side (refill and collection, kiosk/staff)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from kiosk.payment.money import Denomination


@dataclass(frozen=True)
class CashLevels:
    """The cash unit's own count: pieces per denomination in the change stores (hoppers,
    recyclers) and in the cash box, and a fault if it has one. From the acceptor side
    (:class:`ReportsCashLevels`); a unit that cannot count says None per store."""

    change: Mapping[Denomination, int] | None
    cash_box: Mapping[Denomination, int] | None
    fault: str | None = None

    def change_yen(self) -> int | None:
        return None if self.change is None else sum(int(d) * n for d, n in self.change.items())

    def cash_box_yen(self) -> int | None:
        if self.cash_box is None:
            return None
        return sum(int(d) * n for d, n in self.cash_box.items())


@runtime_checkable
class ReportsCashLevels(Protocol):
    """A fee acceptor that can say what it holds (the simulated one; a real unit's driver)."""

    def cash_levels(self) -> CashLevels:
        """The unit's count now (never raises: a fault is a field)."""


__all__ = ["CashLevels", "ReportsCashLevels"]
