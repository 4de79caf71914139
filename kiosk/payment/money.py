"""Japanese yen denominations and the change plan.

Amounts are whole yen (int) everywhere: the yen has no minor unit in circulation (ISO 4217
JPY, exponent 0). The denominations are the coins and bills in circulation that a fee acceptor
may take: coins of 1, 5, 10, 50, 100, 500 yen; bills of 1000, 2000, 5000, 10000 yen (Bank of
Japan, 現在発行されている銀行券・貨幣).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum


class Denomination(IntEnum):
    """A coin or bill in circulation, valued in yen."""

    Y1 = 1
    Y5 = 5
    Y10 = 10
    Y50 = 50
    Y100 = 100
    Y500 = 500
    Y1000 = 1000
    Y2000 = 2000
    Y5000 = 5000
    Y10000 = 10000

    @property
    def is_bill(self) -> bool:
        """Bills go through the escrow; coins drop straight into the acceptor."""
        return self >= Denomination.Y1000


COINS: tuple[Denomination, ...] = tuple(d for d in Denomination if not d.is_bill)
BILLS: tuple[Denomination, ...] = tuple(d for d in Denomination if d.is_bill)


def denomination_of(yen: int) -> Denomination | None:
    """The denomination worth ``yen``, or None for a value no Japanese coin or bill has."""
    try:
        return Denomination(yen)
    except ValueError:
        return None


@dataclass(frozen=True)
class ChangePlan:
    """What to pay out for an amount: pieces per denomination and what could not be paid."""

    pieces: Mapping[Denomination, int]
    short_yen: int

    @property
    def paid_yen(self) -> int:
        return sum(int(d) * n for d, n in self.pieces.items())


def plan_change(amount_yen: int, inventory: Mapping[Denomination, int]) -> ChangePlan:
    """The pieces from ``inventory`` that pay ``amount_yen``, or as much of it as possible.

    Greedy (largest piece first) pays exactly whenever an exact payment exists for a series
    where each denomination divides the next, but the 2000-yen bill breaks that: 6000 yen from
    one 5000 and three 2000s is exact only without the 5000. So greedy runs first and, if it
    comes up short, a bounded knapsack (binary-split counts) finds the largest payable sum not
    above the amount with the fewest pieces.
    """
    if amount_yen < 0:
        raise ValueError("amount must not be negative")
    stock = {d: max(0, int(n)) for d, n in inventory.items() if int(n) > 0}
    greedy = _greedy(amount_yen, stock)
    if greedy.short_yen == 0:
        return greedy
    exact = _knapsack(amount_yen, stock)
    return exact if exact.short_yen < greedy.short_yen else greedy


def _greedy(amount_yen: int, stock: Mapping[Denomination, int]) -> ChangePlan:
    pieces: dict[Denomination, int] = {}
    remaining = amount_yen
    for denomination in sorted(stock, reverse=True):
        count = min(stock[denomination], remaining // int(denomination))
        if count:
            pieces[denomination] = count
            remaining -= count * int(denomination)
    return ChangePlan(pieces, remaining)


def _knapsack(amount_yen: int, stock: Mapping[Denomination, int]) -> ChangePlan:
    # Binary splitting turns "up to n pieces of d" into items of 1, 2, 4, ... pieces.
    items: list[tuple[Denomination, int]] = []
    for denomination, count in stock.items():
        chunk = 1
        while count > 0:
            take = min(chunk, count)
            items.append((denomination, take))
            count -= take
            chunk *= 2
    unreachable = amount_yen + 1
    fewest = [0] + [unreachable] * amount_yen  # fewest pieces that sum to each value
    choice: list[list[tuple[Denomination, int]] | None] = [[]] + [None] * amount_yen
    for denomination, count in items:
        value = int(denomination) * count
        for total in range(amount_yen, value - 1, -1):
            before = choice[total - value]
            if before is not None and fewest[total - value] + count < fewest[total]:
                fewest[total] = fewest[total - value] + count
                choice[total] = [*before, (denomination, count)]
    payable = max(total for total in range(amount_yen + 1) if choice[total] is not None)
    pieces: dict[Denomination, int] = {}
    for denomination, count in choice[payable] or []:
        pieces[denomination] = pieces.get(denomination, 0) + count
    return ChangePlan(pieces, amount_yen - payable)
