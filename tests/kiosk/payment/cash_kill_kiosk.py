"""A kiosk process for the kill matrix (tests/kiosk/payment/test_cash_kill.py).

    python -m tests.kiosk.payment.cash_kill_kiosk --folder DIR --run pay-bill --kill-at vend-valid
    python -m tests.kiosk.payment.cash_kill_kiosk --folder DIR --run restart

The money path is the real one: the runner and the flow, the payment service, the cash unit
driver on the simulator's pseudo-terminals (its own process), the SQLite journal and the cash
ledger in DIR, and at start the same recovery as kiosk.app.wiring.assemble. The card, the
center and the printer answer at once from in-process stand-ins (the money path does not
depend on them; they are tested on the real stack in tests/e2e). The resident is the script
of ``--run``; ``--kill-at`` names the step at which the process sends itself SIGKILL.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hw_sim.cash import CashSimControl, SimulatorCipher
from kiosk.domain import CertificateKind, Jurisdiction
from kiosk.flow import Event, FlowSettings
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.journal import Journal
from kiosk.journal import records as rec
from kiosk.payment import EscrowHeld, MoneyInserted, RecoverableAcceptor
from kiosk.payment.cash_unit import CashUnit, CashUnitConfig
from kiosk.payment.cctalk import CoinSettings
from kiosk.payment.cctalk_hoppers import HopperPayouts
from kiosk.runtime import PaymentService, Runner, Services, ThreadLoop, Timers
from kiosk.runtime.cash_recovery import reconcile_cash
from kiosk.runtime.recovery import recover_open_transactions
from kiosk.sound import SilentReminderPlayer
from tests.kiosk.flow.conftest import PIN, make_offer

KIOSK = "kiosk-0001"
FEE = 300
log = logging.getLogger("kill-kiosk")


def die(point: str) -> None:
    print(f"KILLED at {point}", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


class Stand:
    """Card, center and printer that answer every effect at once (posting flow events)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.post: Callable[[Event], None] = lambda event: None

    def start(self, post: Callable[[Event], None]) -> None:
        self.post = post

    def __getattr__(self, method: str) -> Callable[..., None]:
        answers: dict[str, Callable[..., list[Event]]] = {
            "read_card": lambda: [ev.CardDetected(), ev.CardRead()],
            "read_pin_tries": lambda: [ev.PinTriesRead(3)],
            "verify_pin": lambda _pin: [ev.PinAccepted()],
            "request_challenge": lambda _purpose: [ev.ChallengeReceived(b"challenge")],
            "sign": lambda _message: [ev.ChallengeSigned(b"signature")],
            "authenticate": lambda _signature: [ev.OfferReceived(make_offer())],
            "release": lambda: [ev.CardRemoved()],
            "check": lambda: [ev.PrinterReady()],
            # No issuance id, as before the composing step: nothing of it journaled.
            "issue": lambda txn_id, _request, _left: [ev.CertificateIssued(txn_id, "", FEE, 2)],
            "compose": lambda txn_id: [ev.CertificateReady(txn_id, "d1g3st")],
            "print_certificate": lambda _txn_id, copies: [ev.PrintFinished(2 * copies)],
            "report": lambda effect: [ev.CompletionReported(effect.txn_id)],
        }

        def answer(*args: Any) -> None:
            for event in answers.get(method, lambda *_: [])(*args):
                self.post(event)

        return answer


def build(folder: Path) -> tuple[Runner, CashUnit, ThreadLoop[Event]]:
    devices = json.loads((folder / "sim" / "devices.json").read_text())
    config = json.loads((folder / "sim" / "config.json").read_text())
    coins = CoinSettings(hopper_addresses=tuple(h[0] for h in config["hoppers"]))
    unit = CashUnit(
        CashUnitConfig(
            Path(devices["id003"]), Path(devices["cctalk"]), folder / "ledger.json", coins
        ),
        cipher=SimulatorCipher(),
    )
    journal = Journal(folder / "journal.sqlite3")
    # As kiosk.app.wiring.assemble: the cash unit's ledger first, then the journal's recovery.
    assert isinstance(unit, RecoverableAcceptor)
    settled = reconcile_cash(journal, unit.recovery(20), KIOSK)
    recover_open_transactions(journal, KIOSK)
    unit.confirm(settled)
    services = Services(
        card=Stand("card"),  # type: ignore[arg-type]
        center=Stand("center"),  # type: ignore[arg-type]
        printer=Stand("printer"),  # type: ignore[arg-type]
        payment=PaymentService(unit),
        timers=Timers(),
        sound=SilentReminderPlayer(),
        journal=journal,
    )
    runner = Runner(FlowSettings(boot_id=os.urandom(8).hex()), services, kiosk_id=KIOSK)
    loop: ThreadLoop[Event] = ThreadLoop(runner.dispatch)
    runner.start(loop.post)
    return runner, unit, loop


def install_kill(point: str, unit: CashUnit, runner: Runner) -> None:
    """Wrap the step named ``point`` so that the process dies right there."""
    journal = runner.services.journal
    write = journal.write

    def journal_write(record: Any) -> None:
        if point == "change-unjournaled" and isinstance(record, rec.ChangeOutcome):
            die(point)
        if point == "refund-unjournaled" and isinstance(record, rec.RefundOutcome):
            die(point)
        write(record)
        if point == "bill-journaled" and isinstance(record, rec.MoneyIn) and record.yen >= 1000:
            die(point)
        if point == "change-intent" and isinstance(record, rec.ChangeIntent):
            die(point)

    journal.write = journal_write  # type: ignore[method-assign]
    listener = unit._listener
    assert listener is not None
    coins: list[MoneyInserted] = []

    def deliver(event: Any) -> None:
        if point == "escrow" and isinstance(event, EscrowHeld):
            die(point)
        if (
            point == "bill-credited"
            and isinstance(event, MoneyInserted)
            and event.ref.startswith("bill")
        ):
            die(point)
        if isinstance(event, MoneyInserted) and event.ref.startswith("coin"):
            coins.append(event)
            if point == "coin-credited" and len(coins) == 2:
                die(point)
        listener(event)

    unit.set_listener(deliver)
    stack = unit.validator._stack

    def stacking() -> None:
        stack()
        if point == "stacking":
            die(point)

    unit.validator._stack = stacking  # type: ignore[method-assign]
    credit = unit.ledger.credit_stacked

    def vend_valid() -> Any:
        result = credit()
        if point == "vend-valid" and result is not None:
            die(point)
        return result

    unit.ledger.credit_stacked = vend_valid  # type: ignore[method-assign]
    send = HopperPayouts._send_dispense

    def dispensing(self: HopperPayouts, hopper: Any, coins: int, counter: int) -> bool:
        accepted = send(self, hopper, coins, counter)
        if point in ("change-paying", "refund-paying") and accepted:
            time.sleep(0.15)  # a few coins out, most still to come
            die(point)
        return accepted

    HopperPayouts._send_dispense = dispensing  # type: ignore[method-assign]


def wait_for(runner: Runner, what: Callable[[st.FlowState], bool], name: str) -> st.FlowState:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = runner.state
        if what(state):
            return state
        time.sleep(0.02)
    raise SystemExit(f"timed out waiting for {name}: {runner.state.screen}")


def to_payment(runner: Runner, loop: ThreadLoop[Event]) -> None:
    post = loop.post
    wait_for(runner, lambda s: s.acceptor_available, "the cash unit")
    post(ev.ChooseService(ev.Service.ISSUE))
    post(ev.Agree())
    wait_for(runner, lambda s: isinstance(s.screen, st.PinEntry) and s.screen.tries_left, "PIN")
    for digit in PIN:
        post(ev.Digit(digit))
    post(ev.Submit())
    wait_for(
        runner, lambda s: isinstance(s.screen, st.JurisdictionChoice | st.CertificateChoice), "menu"
    )
    post(ev.ChooseJurisdiction(Jurisdiction.RESIDENCE))
    post(ev.ChooseCertificate(CertificateKind.JUMINHYO))
    post(ev.Next())
    post(ev.SetCopies(1))
    post(ev.Next())
    post(ev.ConfirmOrder())
    wait_for(runner, lambda s: isinstance(s.screen, st.Payment), "payment")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--run", choices=("pay-bill", "coins-cancel", "restart"), required=True)
    parser.add_argument("--kill-at", default="")
    args = parser.parse_args()
    log_format = "%(relativeCreated)6d %(threadName)s %(name)s: %(message)s"
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format=log_format)
    folder: Path = args.folder
    runner, unit, loop = build(folder)
    control = CashSimControl(folder / "sim" / "control.sock")
    if args.run == "restart":
        time.sleep(1.0)  # a payout result or stray event arriving late would show here
        print("RESTARTED", flush=True)
        runner.stop()
        unit.close()
        loop.stop()
        return 0
    install_kill(args.kill_at, unit, runner)
    to_payment(runner, loop)
    print(f"PAYMENT {runner.state.txn.txn_id if runner.state.txn else ''}", flush=True)
    deadline = time.monotonic() + 30  # the resident inserts once the slots are open
    while time.monotonic() < deadline:
        devices = control.state()
        if not devices["validator"]["inhibited"] and devices["coins"]["acceptor"]["master_enabled"]:
            break
        time.sleep(0.05)
    if args.run == "pay-bill":
        control.insert(1000)
        wait_for(runner, lambda s: isinstance(s.screen, st.Done), "done")
        wait_for(runner, lambda s: s.txn is not None and s.txn.reported, "reported")
    else:
        control.insert(100)
        wait_for(runner, lambda s: s.txn is not None and s.txn.money.paid_in_yen == 100, "100")
        control.insert(100)
        wait_for(runner, lambda s: s.txn is not None and s.txn.money.paid_in_yen == 200, "200")
        loop.post(ev.Cancel())
        wait_for(runner, lambda s: isinstance(s.screen, st.Cancelled | st.Fault), "cancelled")
    assert runner.wait_idle(20)
    time.sleep(0.5)
    print("FINISHED", flush=True)  # the kill point was never reached
    runner.stop()
    unit.close()
    loop.stop()
    threading.Event().wait(0.1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
