"""The ccTalk driver against the simulated bus on a pseudo-terminal: coin channels by name,
1 and 5 yen refused, the event counter (no event counted twice, lost events found), payouts
from two or three hoppers with one running empty or jamming, the encrypted dispense, the
emergency stop, both checksum modes, an echoing and a non-echoing bus, line noise."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from hw_sim.cash import SimConfig
from kiosk.payment import (
    AcceptorJammed,
    ChangeDispensed,
    MoneyInserted,
    MoneyRefunded,
    MoneyRejected,
    RejectReason,
)
from tests.kiosk.payment.cash_harness import CashRig, hopper_coins, tray

MakeRig = Callable[..., CashRig]


def inserted(rig: CashRig) -> list[int]:
    return [int(e.denomination) for e in rig.events.of(MoneyInserted)]


@pytest.mark.parametrize("checksum", ["simple", "crc16"])
def test_yen_coins_are_credited_once_and_1_and_5_yen_refused(
    make_cash_rig: MakeRig, checksum: str
) -> None:
    rig = make_cash_rig(SimConfig(checksum=checksum, echo=checksum == "simple"))
    assert rig.unit is not None
    rig.unit.enable(1000)
    for yen in (10, 50, 100, 500):
        rig.control.insert(yen)
    rig.control.request("insert_coin", yen=500, variant="B")  # the 2021 bicolour coin
    rig.events.wait(MoneyInserted, 5)
    rig.control.insert(1)
    rig.control.insert(5)
    rig.control.insert(0)  # a foreign coin
    rejected = rig.events.wait(MoneyRejected, 3)
    time.sleep(1.0)  # more polls read the same buffer: nothing is counted twice
    assert inserted(rig) == [10, 50, 100, 500, 500]
    assert rejected == [
        MoneyRejected(RejectReason.NOT_ACCEPTED),
        MoneyRejected(RejectReason.NOT_ACCEPTED),
        MoneyRejected(RejectReason.UNRECOGNISED),
    ]
    assert tray(rig.state()) == [0, 1, 5]
    refs = [e.ref for e in rig.events.of(MoneyInserted)]
    assert len(set(refs)) == 5
    ledger = json.loads(rig.ledger_path.read_text())
    assert [c["yen"] for c in ledger["credits"]] == [10, 50, 100, 500, 500]


def test_a_coin_while_disabled_is_refused(make_cash_rig: MakeRig) -> None:
    rig = make_cash_rig()
    rig.control.insert(100)
    assert rig.events.wait(MoneyRejected) == [MoneyRejected(RejectReason.NOT_ENABLED)]
    assert tray(rig.state()) == [100]


def test_events_beyond_the_buffer_are_found_lost(make_cash_rig: MakeRig) -> None:
    rig = make_cash_rig()
    assert rig.unit is not None
    rig.unit.enable(2000)
    rig.control.line("cctalk", mute=True)  # the driver hears nothing while 7 coins drop
    for _ in range(7):
        rig.control.insert(100)
    rig.control.line("cctalk", mute=False)
    rig.events.wait(MoneyInserted, 5)
    rig.events.wait(AcceptorJammed)
    assert inserted(rig) == [100] * 5  # the buffer holds five: two are known to be lost
    assert "2 coin events lost" in rig.unit.status().coin_acceptor.fault


def test_change_from_two_hoppers(make_cash_rig: MakeRig) -> None:
    rig = make_cash_rig()
    assert rig.unit is not None
    rig.unit.dispense_change_ref(780, "t/change/1")
    assert rig.events.wait(ChangeDispensed) == [ChangeDispensed(780, 780, "t/change/1")]
    state = rig.state()
    assert tray(state) == [10] * 8 + [100] * 7
    assert hopper_coins(state, 3) == 40 - 7
    assert hopper_coins(state, 4) == 60 - 8
    levels = {h.address: h.dispensed_total for h in rig.unit.status().hoppers}
    assert levels == {3: 7, 4: 8}


def test_a_hopper_empty_mid_change_the_rest_from_the_other(make_cash_rig: MakeRig) -> None:
    rig = make_cash_rig(SimConfig(hoppers=[(3, 100, 2), (4, 10, 60)]))
    assert rig.unit is not None
    rig.unit.dispense_change_ref(450, "t/change/1")
    assert rig.events.wait(ChangeDispensed) == [ChangeDispensed(450, 450, "t/change/1")]
    assert tray(rig.state()) == [10] * 25 + [100] * 2
    hoppers = {h.address: h for h in rig.unit.status().hoppers}
    assert hoppers[3].fault == "empty"
    ledger = json.loads(rig.ledger_path.read_text())
    steps = ledger["payouts"]["t/change/1"]["steps"]
    assert [(s["address"], s["coins"], s["paid_coins"]) for s in steps] == [
        (3, 4, 2),
        (4, 25, 25),
    ]


def test_both_hoppers_short_pays_what_there_is(make_cash_rig: MakeRig) -> None:
    rig = make_cash_rig(SimConfig(hoppers=[(3, 100, 1), (4, 10, 3)]))
    assert rig.unit is not None
    rig.unit.refund_ref(1000, "t/refund/1")
    assert rig.events.wait(MoneyRefunded) == [MoneyRefunded(1000, 130, "t/refund/1")]
    assert tray(rig.state()) == [10, 10, 10, 100]


def test_a_hopper_jam_mid_payout(make_cash_rig: MakeRig) -> None:
    rig = make_cash_rig()
    assert rig.unit is not None
    rig.control.hopper_jam(3, after=2)
    rig.unit.dispense_change_ref(500, "t/change/1")
    assert rig.events.wait(ChangeDispensed) == [ChangeDispensed(500, 500, "t/change/1")]
    assert tray(rig.state()) == [10] * 30 + [100] * 2
    assert {h.address: h.fault for h in rig.unit.status().hoppers}[3] == "jammed"


def test_a_stalled_hopper_gets_an_emergency_stop(
    make_cash_rig: MakeRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kiosk.payment.cctalk_hoppers.STALL_S", 1.0)
    rig = make_cash_rig(SimConfig(hoppers=[(3, 100, 40)]))
    assert rig.unit is not None
    rig.control.hopper_stall(3)  # the next payout never moves
    rig.unit.refund_ref(300, "t/refund/1")
    assert rig.events.wait(MoneyRefunded) == [MoneyRefunded(300, 0, "t/refund/1")]
    state = rig.state()["coins"]["hoppers"]["3"]
    assert state["last_unpaid"] == 3  # the emergency stop ended it with every coin unpaid
    assert "stalled" in {h.address: h.fault for h in rig.unit.status().hoppers}[3]


def test_three_hoppers_on_one_bus_with_an_encrypted_one(make_cash_rig: MakeRig) -> None:
    config = SimConfig(hoppers=[(3, 100, 10), (4, 10, 50), (5, 500, 5)], encrypted=[5])
    rig = make_cash_rig(config)
    assert rig.unit is not None
    rig.unit.dispense_change_ref(1660, "t/change/1")
    assert rig.events.wait(ChangeDispensed) == [ChangeDispensed(1660, 1660, "t/change/1")]
    assert tray(rig.state()) == [10] * 6 + [100] + [500] * 3


def test_an_encrypted_hopper_without_the_cipher_is_not_used(make_cash_rig: MakeRig) -> None:
    rig = make_cash_rig(SimConfig(hoppers=[(3, 100, 10), (4, 10, 50)], encrypted=[3]), start=False)
    unit = rig.start_unit(cipher=None)  # as shipped: no manufacturer's cipher
    unit.dispense_change_ref(200, "t/change/1")
    assert rig.events.wait(ChangeDispensed) == [ChangeDispensed(200, 200, "t/change/1")]
    assert tray(rig.state()) == [10] * 20  # all from the hopper that needs no cipher
    faults = {h.address: h.fault for h in unit.status().hoppers}
    assert "cipher" in faults[3]


def test_a_wrong_cipher_is_refused_by_the_hopper(make_cash_rig: MakeRig) -> None:
    class WrongCipher:
        name = "wrong"

        def security_bytes(self, cipher_key: bytes, rng: bytes, coins: int) -> bytes:
            return bytes(8)

    rig = make_cash_rig(SimConfig(hoppers=[(3, 100, 10), (4, 10, 50)], encrypted=[3]), start=False)
    unit = rig.start_unit(cipher=WrongCipher())
    unit.dispense_change_ref(100, "t/change/1")
    assert rig.events.wait(ChangeDispensed) == [ChangeDispensed(100, 100, "t/change/1")]
    assert tray(rig.state()) == [10] * 10
    assert {h.address: h.fault for h in unit.status().hoppers}[3] == "refused the dispense cipher"


@pytest.mark.parametrize("fault", [{"noise": 0.02}, {"delay_s": 0.1}, {"garbage": "0105ff00"}])
def test_noise_late_answers_and_garbage_on_the_bus(
    make_cash_rig: MakeRig, fault: dict[str, object]
) -> None:
    rig = make_cash_rig()
    assert rig.unit is not None
    rig.unit.enable(1000)
    rig.control.line("cctalk", **fault)
    for yen in (100, 50, 10):
        rig.control.insert(yen)
        time.sleep(0.3)
    rig.events.wait(MoneyInserted, 3)
    rig.unit.disable()
    rig.unit.dispense_change_ref(230, "t/change/1")
    assert rig.events.wait(ChangeDispensed) == [ChangeDispensed(230, 230, "t/change/1")]
    time.sleep(0.5)
    assert inserted(rig) == [100, 50, 10]
    assert sorted(tray(rig.state())) == [10, 10, 10, 100, 100]


def test_a_payout_cut_by_the_kiosk_stopping_is_settled_from_the_registers(
    make_cash_rig: MakeRig,
) -> None:
    rig = make_cash_rig()
    unit = rig.unit
    assert unit is not None
    unit.refund_ref(900, "t/refund/1")
    rig.wait_sim(lambda s: 0 < s["coins"]["hoppers"]["3"]["dispense_count"] < 9, "paying")
    unit.close()  # the kiosk stops mid-payout; the hopper goes on by itself
    rig.unit = None
    rig.wait_sim(lambda s: s["coins"]["hoppers"]["3"]["dispense_count"] == 9, "all paid")
    assert json.loads(rig.ledger_path.read_text())["payouts"]["t/refund/1"]["done"] is False
    again = rig.start_unit()
    recovery = again.recovery(20)
    assert [(p.ref, p.requested_yen, p.paid_yen) for p in recovery.payouts] == [
        ("t/refund/1", 900, 900)
    ]
    assert not rig.events.of(MoneyRefunded)  # settled for the recovery, not paid again
    assert tray(rig.state()) == [100] * 9
    again.confirm(["t/refund/1"])
    assert json.loads(rig.ledger_path.read_text())["payouts"] == {}


def test_a_line_lost_mid_payout_reports_what_the_registers_say_when_it_is_back(
    make_cash_rig: MakeRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kiosk.payment.cctalk_hoppers.STALL_S", 1.0)
    rig = make_cash_rig()
    assert rig.unit is not None
    rig.unit.refund_ref(800, "t/refund/1")
    rig.wait_sim(lambda s: s["coins"]["hoppers"]["3"]["dispense_count"] > 0, "paying")
    rig.control.line("cctalk", mute=True)
    rig.wait_sim(lambda s: s["coins"]["hoppers"]["3"]["dispense_count"] == 8, "all paid")
    time.sleep(2.0)  # the driver gave up on the line; it claims nothing meanwhile
    assert not rig.events.of(MoneyRefunded)
    rig.control.line("cctalk", mute=False)
    assert rig.events.wait(MoneyRefunded) == [MoneyRefunded(800, 800, "t/refund/1")]
