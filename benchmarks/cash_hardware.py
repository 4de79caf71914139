"""Benchmark of the cash unit driven directly (kiosk.payment.cash_unit) on the simulated cash
unit's pseudo-terminals (hw_sim.cash, its own process, bytes paced at 9600 baud).

    .venv/bin/python benchmarks/cash_hardware.py [--idle-s 20] [--bills 20] [--payouts 10]

* idle polling: CPU time of the kiosk process per second of wall time while a driver polls an
  idle device — the ID-003 validator alone, the ccTalk bus alone (coin acceptor and two
  hoppers), both (the process does nothing else);
* VEND VALID → MoneyInserted: from the moment the simulated validator put the bill in the
  stacker and began answering VEND VALID to the moment the driver handed the credit (noted in
  its ledger first) to the kiosk's listener — what the flow's ``MoneyInserted`` waits for;
* payout: from ``dispense_change`` to the ``ChangeDispensed`` event for 450 yen (4 × ¥100 and
  5 × ¥10 from two hoppers, the simulator paying 12.5 coins a second), and from the last coin
  leaving the hopper to that event (the driver noticing the end on the hopper's status).

Clocks: CLOCK_MONOTONIC is shared by the two processes. Nothing is asserted; figures printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hw_sim.cash import CashSimProcess, SimConfig
from kiosk.payment import ChangeDispensed, EscrowHeld, MoneyInserted
from kiosk.payment.cash_ledger import CashLedger
from kiosk.payment.cash_unit import CashUnit, CashUnitConfig
from kiosk.payment.cctalk import CcTalkBus
from kiosk.payment.id003 import Id003Validator
from kiosk.payment.serial_link import SerialLink


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def idle_cpu(sim: CashSimProcess, folder: Path, seconds: float) -> None:
    ledger = CashLedger(folder / "idle-ledger.json")
    made = {
        "ID-003 validator": lambda: [
            Id003Validator(SerialLink(sim.id003_path, parity="E"), ledger, lambda e: None)
        ],
        "ccTalk bus (acceptor + 2 hoppers)": lambda: [
            CcTalkBus(SerialLink(sim.cctalk_path), ledger, lambda e: None)
        ],
    }
    made["both"] = lambda: made["ID-003 validator"]() + made["ccTalk bus (acceptor + 2 hoppers)"]()
    for name, make in made.items():
        workers = make()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.connected.wait(20)
        time.sleep(1.0)  # past the handshake
        cpu, wall = time.process_time(), time.monotonic()
        time.sleep(seconds)
        cpu, wall = time.process_time() - cpu, time.monotonic() - wall
        for worker in workers:
            worker.close()
        share = cpu / wall
        print(f"idle polling, {name}: {share * 100:.2f} % of one core ({share * 1e3:.1f} ms CPU/s)")


def credits_and_payouts(sim: CashSimProcess, folder: Path, bills: int, payouts: int) -> None:
    unit = CashUnit(CashUnitConfig(sim.id003_path, sim.cctalk_path, folder / "ledger.json"))
    arrived: dict[type, list[tuple[float, object]]] = {}
    lock = threading.Condition()

    def listen(event: object) -> None:
        with lock:
            arrived.setdefault(type(event), []).append((time.monotonic(), event))
            lock.notify_all()

    def wait(kind: type, count: int) -> tuple[float, object]:
        with lock:
            assert lock.wait_for(lambda: len(arrived.get(kind, [])) >= count, 30), kind
            return arrived[kind][count - 1]

    unit.set_listener(listen)
    assert unit.wait_ready(30)
    control = sim.control()
    latencies: list[float] = []
    unit.enable(100_000)
    for n in range(1, bills + 1):
        control.insert(1000)
        wait(EscrowHeld, n)
        unit.accept_escrow()
        at, _ = wait(MoneyInserted, n)
        stacked = control.state()["validator"]["stacked_at"]
        latencies.append(at - stacked)
        while control.state()["validator"]["phase"] != "idle":
            time.sleep(0.02)
    unit.disable()
    print(
        f"VEND VALID → MoneyInserted: median {statistics.median(latencies) * 1e3:.0f} ms, "
        f"p95 {percentile(latencies, 0.95) * 1e3:.0f} ms, max {max(latencies) * 1e3:.0f} ms "
        f"(bills={bills}; the validator is polled every 200 ms)"
    )
    totals: list[float] = []
    tails: list[float] = []
    for n in range(1, payouts + 1):
        control.hopper_fill(3, 40)
        control.hopper_fill(4, 60)
        start = time.monotonic()
        unit.dispense_change_ref(450, f"bench/change/{n}")
        at, event = wait(ChangeDispensed, n)
        assert isinstance(event, ChangeDispensed), event
        assert event.dispensed_yen == 450, event
        done = control.state()["coins"]["hoppers"]["4"]["completed_at"]
        totals.append(at - start)
        tails.append(at - done)
        unit.confirm([f"bench/change/{n}"])
    print(
        f"payout of 450 yen (9 coins, 2 hoppers): command → ChangeDispensed median "
        f"{statistics.median(totals) * 1e3:.0f} ms, p95 {percentile(totals, 0.95) * 1e3:.0f} ms; "
        f"last coin out → event median {statistics.median(tails) * 1e3:.0f} ms, "
        f"p95 {percentile(tails, 0.95) * 1e3:.0f} ms (payouts={payouts})"
    )
    unit.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--idle-s", type=float, default=20.0)
    parser.add_argument("--bills", type=int, default=20)
    parser.add_argument("--payouts", type=int, default=10)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="cash-bench-", dir="/tmp"))
    sim = CashSimProcess(folder / "sim", SimConfig(hoppers=[(3, 100, 40), (4, 10, 60)]))
    sim.start()
    try:
        idle_cpu(sim, folder, args.idle_s)
        credits_and_payouts(sim, folder, args.bills, args.payouts)
    finally:
        sim.stop()


if __name__ == "__main__":
    main()
