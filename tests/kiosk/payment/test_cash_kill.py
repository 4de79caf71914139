"""Exactly once across crashes: the kiosk killed with SIGKILL at every step of the money path,
restarted on the same journal, cash ledger and simulated devices (whose state survived in their
own process), and every yen checked — kept for a printed certificate, back in the resident's
hands (the tray, the bezel), or owed by staff in the journal; never twice, never lost.

The kiosk process is tests/kiosk/payment/cash_kill_kiosk.py: the real runner, flow, payment
service, cash unit driver, journal and ledger, with stand-ins for card, center and printer.
A resident pays 300 yen with a 1000-yen bill (change 700 from the hoppers), or puts in two
100-yen coins and cancels (a refund of 200). Two cases also cut the cash unit's power (its
process killed and started again on its state: the hoppers' non-volatile counters survive).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from hw_sim.cash import CashSimProcess, SimConfig, wait_for
from kiosk.journal import Journal

ROOT = Path(__file__).resolve().parents[3]
FEE = 300

# (the resident's script, where the kiosk dies, whether the cash unit loses power too)
KILL_POINTS = [
    ("pay-bill", "escrow", False),  # the bill waits in the escrow: given back at the restart
    ("pay-bill", "stacking", False),  # STACK sent, VEND VALID not seen yet
    ("pay-bill", "vend-valid", False),  # stacked and noted, not acknowledged
    ("pay-bill", "bill-credited", False),  # handed to the kiosk, not journaled
    ("pay-bill", "bill-journaled", False),  # journaled, not confirmed to the driver
    ("pay-bill", "change-intent", False),  # change journaled, not sent to a hopper
    ("pay-bill", "change-paying", False),  # a hopper paying the change
    ("pay-bill", "change-unjournaled", False),  # change paid, its outcome not journaled
    ("coins-cancel", "coin-credited", False),  # the second coin not journaled
    ("coins-cancel", "refund-paying", False),  # a hopper paying the refund
    ("coins-cancel", "refund-unjournaled", False),  # refund paid, its outcome not journaled
    ("pay-bill", "stacking", True),  # and a power cut mid-stack
    ("pay-bill", "change-paying", True),  # and a power cut mid-payout
]
INSERTED = {"pay-bill": 1000, "coins-cancel": 200}


def run_kiosk(folder: Path, run: str, kill_at: str = "") -> subprocess.CompletedProcess[str]:
    argv = [
        sys.executable,
        "-m",
        "tests.kiosk.payment.cash_kill_kiosk",
        "--folder",
        str(folder),
        "--run",
        run,
    ]
    if kill_at:
        argv += ["--kill-at", kill_at]
    with open(folder / "kiosk.log", "a") as log:
        return subprocess.run(
            argv,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            timeout=180,
            check=False,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )


def settled(state: dict[str, Any]) -> bool:
    """The devices are at rest: no coin still leaving a hopper, no bill moving."""
    hoppers = state["coins"]["hoppers"].values()
    return all(not h["remaining"] for h in hoppers) and state["validator"]["phase"] in (
        "idle",
        "escrow",  # waits for the restarted kiosk to say STACK or RETURN
        "vend_valid",  # waits for the restarted kiosk's ACK
    )


@pytest.mark.slow
@pytest.mark.parametrize(("run", "point", "power_cut"), KILL_POINTS)
def test_a_kill_at_every_money_step_loses_no_yen_and_pays_none_twice(
    run: str, point: str, power_cut: bool
) -> None:
    folder = Path(tempfile.mkdtemp(prefix="kill-", dir="/tmp"))
    config = SimConfig(hoppers=[(3, 100, 40), (4, 10, 60)], coin_s=0.12)
    sim = CashSimProcess(folder / "sim", config)
    sim.start()
    try:
        first = run_kiosk(folder, run, point)
        assert f"KILLED at {point}" in first.stdout, (first.stdout, (folder / "kiosk.log"))
        assert first.returncode == -9
        control = sim.control()
        if power_cut:
            sim.kill()
            sim.start()
            control = sim.control()
        wait_for(lambda: settled(control.state()), "the devices at rest", 30)
        again = run_kiosk(folder, "restart")
        assert again.returncode == 0, (folder / "kiosk.log").read_text()[-3000:]
        check_every_yen(folder, control.state(), INSERTED[run])
        # A second restart changes nothing: what was settled stays settled, once.
        before = journal_rows(folder)
        assert run_kiosk(folder, "restart").returncode == 0
        assert journal_rows(folder) == before
    finally:
        sim.stop()
    shutil.rmtree(folder, ignore_errors=True)  # kept when the test fails: its kiosk.log


def check_every_yen(folder: Path, state: dict[str, Any], inserted: int) -> None:
    with Journal(folder / "journal.sqlite3") as journal:
        summaries = journal.transactions_opened(*_all_time())
    assert len(summaries) == 1
    summary = summaries[0]
    coins_out = sum(state["coins"]["tray"])
    bills_back = sum(state["validator"]["bezel"])
    kept = summary.kept_yen
    owed = summary.staff_owed_yen
    # Every yen the resident put in: kept for a printed certificate, back in their hands, or owed.
    assert kept + coins_out + bills_back + owed == inserted, (summary, state)
    # The journal says exactly what physically left the hoppers (nothing claimed twice).
    assert summary.change_dispensed_yen + summary.refunded_yen == coins_out, (summary, state)
    # What the journal holds as taken in is what is in the machine.
    assert summary.received_yen == inserted - bills_back
    assert summary.unsettled_yen == 0
    assert summary.closed is not None
    assert kept in (0, FEE)
    print(
        f"\nkill outcome: inserted {inserted}, kept {kept}, coins back {coins_out},"
        f" bills back {bills_back}, owed by staff {owed}"
    )
    ledger = json.loads((folder / "ledger.json").read_text())
    assert ledger["credits"] == [], ledger  # every credit confirmed journaled
    assert ledger["payouts"] == {}, ledger  # every payout result too
    hoppers = state["coins"]["hoppers"]
    paid_coins = hoppers["3"]["dispense_count"] * 100 + hoppers["4"]["dispense_count"] * 10
    assert paid_coins == coins_out


def journal_rows(folder: Path) -> list[tuple[Any, ...]]:
    import sqlite3

    with sqlite3.connect(folder / "journal.sqlite3") as db:
        return db.execute(
            "SELECT txn_id, step, phase, requested_yen, actual_yen FROM steps ORDER BY seq"
        ).fetchall()


def _all_time() -> tuple[Any, Any]:
    from datetime import UTC, datetime

    return datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
