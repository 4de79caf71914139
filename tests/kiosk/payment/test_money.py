"""Yen denominations and the change plan."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.payment import BILLS, COINS, Denomination, denomination_of, plan_change


def test_the_denominations_in_circulation() -> None:
    assert [int(c) for c in COINS] == [1, 5, 10, 50, 100, 500]
    assert [int(b) for b in BILLS] == [1000, 2000, 5000, 10000]
    assert denomination_of(500) is Denomination.Y500
    assert denomination_of(20) is None


def test_change_uses_the_fewest_pieces() -> None:
    plan = plan_change(
        760, {Denomination.Y500: 5, Denomination.Y100: 5, Denomination.Y10: 50, Denomination.Y50: 5}
    )
    assert plan.short_yen == 0
    assert dict(plan.pieces) == {
        Denomination.Y500: 1,
        Denomination.Y100: 2,
        Denomination.Y50: 1,
        Denomination.Y10: 1,
    }


def test_change_finds_an_exact_payment_that_greedy_misses() -> None:
    # 6000 from one 5000 and three 2000s: greedy takes the 5000 and is short 1000.
    plan = plan_change(6000, {Denomination.Y5000: 1, Denomination.Y2000: 3})
    assert plan.short_yen == 0
    assert dict(plan.pieces) == {Denomination.Y2000: 3}


def test_change_reports_what_it_cannot_pay() -> None:
    plan = plan_change(760, {Denomination.Y100: 3})
    assert plan.paid_yen == 300
    assert plan.short_yen == 460
    assert plan_change(0, {}).short_yen == 0
    with pytest.raises(ValueError, match="negative"):
        plan_change(-1, {})


inventories = st.dictionaries(st.sampled_from(list(Denomination)), st.integers(0, 30))


@given(amount=st.integers(0, 9999), inventory=inventories)
def test_a_plan_never_pays_more_than_asked_or_more_than_it_has(
    amount: int, inventory: dict[Denomination, int]
) -> None:
    plan = plan_change(amount, inventory)
    assert plan.paid_yen + plan.short_yen == amount
    assert plan.short_yen >= 0
    for piece, count in plan.pieces.items():
        assert 0 < count <= inventory[piece]


@given(amount=st.integers(0, 9999))
def test_a_full_inventory_always_pays_exactly(amount: int) -> None:
    plan = plan_change(amount, {d: 20 for d in Denomination})
    assert plan.short_yen == 0
