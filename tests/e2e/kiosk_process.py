"""A whole kiosk in its own process, for the tests that kill it (``kill -9``) or stop it
(SIGTERM): ``python -m tests.e2e.kiosk_process CONFIG.json``.

It is assembled like the e2e fixture's kiosk (kiosk.app.wiring.assemble: the real card driver
on the test session's pcscd + vpcd, the simulated center over mutual TLS, the private cupsd's
capture queue, a journal on disk, the simulated acceptor), runs its Qt window offscreen, and a
scripted resident (kiosk.app.demo.Driver) takes it to the point the test asks for. It then
prints one line ``AT <screen> <txn id>`` and runs the Qt loop as the real kiosk does
(kiosk/app/cli.py: SIGTERM and SIGINT end the loop, then ``runner.stop()``), until the test
kills or stops it. Screen changes after that are printed as ``SCREEN <name> <problem>`` lines.

CONFIG: ``{"goal": "printing" | "place_card", "center": {base_url, ca_path, cert_path,
key_path}, "cupsd": "127.0.0.1:port", "queue", "journal", "vpcd_port", "cards", "pki",
"issuer_key", "reader", "copies"}``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hw_sim.acceptor import SimulatedAcceptor
from hw_sim.card import CardDock
from kiosk.app.demo import FETCH_WAIT_S, Driver, pay_with
from kiosk.app.qt import application, make_window, quit_on_signals, start_on_qt
from kiosk.app.wiring import KioskParts, assemble, load_issuer_key
from kiosk.center.client import CenterConfig
from kiosk.domain import CertificateKind
from kiosk.flow import FlowSettings
from kiosk.flow import state as st
from kiosk.runtime import PrintTiming, ReaderChoice
from kiosk.runtime.runner import new_boot_id
from kiosk.sound import SilentReminderPlayer
from printing.cups import CupsPrinter

SALT = b"e2e-test-salt-0123456789abcdef"  # the e2e fixture's, so digests match across restarts


def parts_for(config: dict[str, Any], acceptor: SimulatedAcceptor) -> KioskParts:
    """The kiosk of CONFIG (also used by the tests for the restart, without a window)."""
    center = config["center"]
    return KioskParts(
        settings=FlowSettings(boot_id=new_boot_id()),
        center=CenterConfig(
            center["base_url"],
            Path(center["ca_path"]),
            Path(center["cert_path"]),
            Path(center["key_path"]),
        ),
        printer=CupsPrinter(
            config["queue"],
            server=config["cupsd"],
            poll_interval_s=0.05,
            unreachable_give_up_s=2.0,
            offline_grace_s=0.5,
        ),
        journal_path=Path(config["journal"]),
        salt=SALT,
        reader=ReaderChoice(config["reader"]),
        acceptor=acceptor,
        sound=SilentReminderPlayer(),
        issuer_public_key=load_issuer_key(Path(config["issuer_key"])),
        print_timing=PrintTiming(warm_up_s=30.0, per_sheet_s=10.0),
    )


def say(line: str) -> None:
    print(line, flush=True)


def main(config_path: str) -> int:
    config = json.loads(Path(config_path).read_text())
    acceptor = SimulatedAcceptor()
    runner = assemble(parts_for(config, acceptor))
    app = application(["kiosk-under-test"])
    dock = CardDock(port=config["vpcd_port"], state_dir=config["cards"], pki_dir=config["pki"])
    start_on_qt(runner)
    window = make_window(runner)
    window.show()
    driver = Driver(runner, window, app, dock=dock, acceptor=acceptor)
    try:
        if config["goal"] == "place_card":
            driver.to_place_card()
        else:
            driver.to_menu("normal", "1234")
            driver.order(CertificateKind.JUMINHYO, copies=int(config.get("copies", 2)))
            driver.confirm()
            state = driver.wait_for(st.Payment, timeout=FETCH_WAIT_S)
            assert state.txn is not None
            driver.insert_money(pay_with(state.txn.money.due_yen))
            driver.wait_for(st.Printing)
        txn = runner.state.txn
        say(f"AT {type(runner.state.screen).__name__} {txn.txn_id if txn else '-'}")
        seen: list[Any] = [None]

        def report() -> None:
            screen = runner.state.screen
            if screen is not seen[0]:
                seen[0] = screen
                problem = getattr(screen, "problem", None)
                say(f"SCREEN {type(screen).__name__} {problem.value if problem else '-'}")

        runner.subscribe(report)
        quit_on_signals(app)
        app.exec()
    finally:
        runner.stop()  # as kiosk/app/cli.py does when the loop ends
        window.close_source()
        dock.close()
        acceptor.close()
    say("STOPPED")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
