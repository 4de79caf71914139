"""The ID-003 bill validator driver against the simulated validator on a pseudo-terminal:
escrow, stack and VEND VALID (acknowledged once, credited once), return, inhibited and
counterfeit bills, jams, the stacker, cheating, failures, power cuts mid-stack, and a line
that goes silent, late or noisy."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from hw_sim.cash import SimConfig
from kiosk.payment import (
    AcceptorJammed,
    Denomination,
    EscrowHeld,
    EscrowReturned,
    MoneyInserted,
    MoneyRejected,
    RejectReason,
)
from tests.kiosk.payment.cash_harness import CashRig, tray

Y1000, Y2000, Y5000 = Denomination.Y1000, Denomination.Y2000, Denomination.Y5000
MakeRig = Callable[..., CashRig]


def stack_one(rig: CashRig, yen: int = 1000) -> MoneyInserted:
    assert rig.unit is not None
    count = len(rig.events.of(MoneyInserted))
    rig.control.insert(yen)
    held = rig.events.wait(EscrowHeld, len(rig.events.of(EscrowHeld)) + 1)[-1]
    assert held == EscrowHeld(Denomination(yen))
    rig.unit.accept_escrow()
    inserted: MoneyInserted = rig.events.wait(MoneyInserted, count + 1)[-1]
    return inserted


def test_a_bill_is_escrowed_stacked_and_credited_once(make_cash_rig: MakeRig) -> None:
    rig = make_cash_rig()
    assert rig.unit is not None
    rig.unit.enable(300)
    inserted = stack_one(rig, 1000)
    assert inserted.denomination is Y1000
    assert inserted.ref.startswith("bill-")
    state = rig.wait_sim(lambda s: s["validator"]["phase"] == "idle", "back to idle")
    assert state["validator"]["stacker"] == {"1000": 1}
    time.sleep(1.0)  # several more polls: VEND VALID was acknowledged, nothing more credited
    assert rig.events.of(MoneyInserted) == [inserted]
    ledger = json.loads(rig.ledger_path.read_text())
    assert ledger["credits"] == [{"ref": inserted.ref, "yen": 1000}]
    assert ledger["stacking"] is None
    rig.unit.confirm([inserted.ref])  # the kiosk journaled it
    assert json.loads(rig.ledger_path.read_text())["credits"] == []
    assert rig.unit.status().bills_in_stacker == 1


def test_the_kiosk_returns_a_bill_from_the_escrow(make_cash_rig: MakeRig) -> None:
    rig = make_cash_rig()
    assert rig.unit is not None
    rig.unit.enable(300)
    rig.control.insert(5000)
    rig.events.wait(EscrowHeld)
    rig.unit.return_escrow()
    assert rig.events.wait(EscrowReturned) == [EscrowReturned(Y5000)]
    state = rig.wait_sim(lambda s: s["validator"]["bezel"] == [5000], "the bill in the bezel")
    assert state["validator"]["stacker"] == {}
    assert not rig.events.of(MoneyInserted)


def test_2000_yen_is_inhibited_and_a_counterfeit_rejected(make_cash_rig: MakeRig) -> None:
    rig = make_cash_rig()
    assert rig.unit is not None
    rig.unit.enable(300)
    rig.control.insert(2000)
    assert rig.events.wait(MoneyRejected) == [MoneyRejected(RejectReason.NOT_ACCEPTED)]
    rig.wait_sim(lambda s: s["validator"]["phase"] == "idle", "the 2000 yen bill out")
    rig.control.insert_counterfeit(bill=True)
    assert rig.events.wait(MoneyRejected, 2)[1] == MoneyRejected(RejectReason.UNRECOGNISED)
    state = rig.wait_sim(lambda s: len(s["validator"]["bezel"]) == 2, "both bills back")
    assert sorted(state["validator"]["bezel"]) == [0, 2000]
    assert not rig.events.of(EscrowHeld)


def test_a_disabled_validator_takes_no_bill_and_disable_returns_the_escrow(
    make_cash_rig: MakeRig,
) -> None:
    rig = make_cash_rig()
    assert rig.unit is not None
    rig.control.insert(1000)  # not enabled: the bill stays in the bezel
    time.sleep(0.5)
    assert rig.state()["validator"]["bezel"] == [1000]
    rig.control.take_tray()
    rig.unit.enable(300)
    rig.control.insert(1000)
    rig.events.wait(EscrowHeld)
    rig.unit.disable()  # the resident cancels while the bill waits in the escrow
    assert rig.events.wait(EscrowReturned) == [EscrowReturned(Y1000)]
    assert tray(rig.wait_sim(lambda s: s["validator"]["bezel"], "returned")) == [1000]


def test_a_jam_in_the_stacker_after_stack_counts_the_bill_then_reports_the_jam(
    make_cash_rig: MakeRig,
) -> None:
    rig = make_cash_rig()
    assert rig.unit is not None
    rig.unit.enable(300)
    rig.control.jam_validator("stacker", next_bill=True)
    inserted = stack_one(rig, 1000)
    assert inserted.denomination is Y1000  # inside the machine: the resident's money
    rig.events.wait(AcceptorJammed)
    kinds = [type(e).__name__ for e in rig.events.items]
    assert kinds.index("MoneyInserted") < kinds.index("AcceptorJammed")
    assert rig.unit.status().bill_validator.fault == "jam in stacker"
    rig.events.clear()
    rig.unit.enable(300)  # the next resident: still jammed, the flow hears it at once
    rig.events.wait(AcceptorJammed)
    rig.control.clear_jam()
    rig.wait_sim(lambda s: s["validator"]["stacker"] == {"1000": 1}, "staff put it in the stacker")
    deadline = time.monotonic() + 10
    while rig.unit.status().bill_validator.fault and time.monotonic() < deadline:
        time.sleep(0.05)
    assert rig.unit.status().bill_validator.fault == ""
    assert len(rig.events.of(MoneyInserted)) == 0  # cleared: not credited again


def test_stacker_full_open_cheat_and_failure_are_reported(make_cash_rig: MakeRig) -> None:
    rig = make_cash_rig()
    assert rig.unit is not None
    rig.unit.enable(300)
    rig.control.request("cheat_next")
    rig.control.insert(1000)
    assert rig.events.wait(MoneyRejected) == [MoneyRejected(RejectReason.UNRECOGNISED)]
    rig.control.request("stacker_full")
    rig.events.wait(AcceptorJammed)
    assert rig.unit.status().bill_validator.fault == "stacker full"
    rig.control.clear_jam()
    rig.control.request("failure", code=0xA2)
    rig.events.wait(AcceptorJammed, 2)
    assert rig.unit.status().bill_validator.fault == "failure: stack motor failure"


def test_a_power_cut_mid_stack_credits_the_bill_once(make_cash_rig: MakeRig) -> None:
    rig = make_cash_rig()
    assert rig.unit is not None
    rig.unit.enable(300)
    rig.control.insert(1000)
    rig.events.wait(EscrowHeld)
    rig.control.request("line", device="id003", mute=True)  # the driver cannot see VEND VALID
    rig.unit.accept_escrow()
    rig.wait_sim(lambda s: s["validator"]["where"] == "stacked", "stacked, not acknowledged")
    rig.control.power_cut("validator")
    rig.control.request("line", device="id003", mute=False)
    inserted = rig.events.wait(MoneyInserted)
    assert inserted[0].denomination is Y1000
    rig.wait_sim(lambda s: s["validator"]["phase"] == "idle" and s["validator"]["powered_up"], "up")
    time.sleep(1.0)
    assert len(rig.events.of(MoneyInserted)) == 1  # power-up in the stacker + VEND VALID: once
    assert rig.state()["validator"]["stacker"] == {"1000": 1}


def test_a_power_cut_with_a_bill_in_the_escrow_gives_it_back(make_cash_rig: MakeRig) -> None:
    rig = make_cash_rig()
    assert rig.unit is not None
    rig.unit.enable(300)
    rig.control.insert(1000)
    rig.events.wait(EscrowHeld)
    rig.control.power_cut("validator")
    assert rig.events.wait(EscrowReturned) == [EscrowReturned(Y1000)]
    rig.wait_sim(lambda s: s["validator"]["bezel"] == [1000], "given back after the reset")
    assert not rig.events.of(MoneyInserted)


def test_a_silent_line_is_lost_and_found_again(make_cash_rig: MakeRig) -> None:
    rig = make_cash_rig()
    assert rig.unit is not None
    seen: list[bool] = []
    rig.unit.set_availability_listener(seen.append)
    rig.unit.enable(300)
    rig.control.request("line", device="id003", mute=True)
    rig.events.wait(AcceptorJammed)  # taking money when the line went: the flow must stop
    assert seen[-1] is False
    rig.control.request("line", device="id003", mute=False)
    assert rig.unit.wait_ready(20)
    assert seen[-1] is True


@pytest.mark.parametrize("fault", [{"noise": 0.02}, {"delay_s": 0.15}, {"garbage": "fc13fc0011"}])
def test_noise_late_answers_and_garbage_do_not_change_the_money(
    make_cash_rig: MakeRig, fault: dict[str, object]
) -> None:
    rig = make_cash_rig(SimConfig(hoppers=[(3, 100, 40), (4, 10, 60)]))
    assert rig.unit is not None
    rig.unit.enable(300)
    rig.control.request("line", device="id003", **fault)
    for _ in range(2):
        stack_one(rig, 1000)
        rig.wait_sim(lambda s: s["validator"]["phase"] == "idle", "idle")
    time.sleep(1.0)
    assert [e.denomination for e in rig.events.of(MoneyInserted)] == [Y1000, Y1000]
    assert rig.state()["validator"]["stacker"] == {"1000": 2}
    assert len({e.ref for e in rig.events.of(MoneyInserted)}) == 2
