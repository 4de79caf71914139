"""A whole kiosk in its own process, for the tests that kill it (``kill -9``) or stop it
(SIGTERM): ``python -m tests.e2e.kiosk_process CONFIG.json``.

It is assembled like the e2e fixture's kiosk (kiosk.app.wiring.assemble: the real card driver
on the test session's pcscd + vpcd, the simulated center over mutual TLS, the private cupsd's
capture queue, a journal on disk, the simulated acceptor), runs its Qt window offscreen, and a
scripted resident (kiosk.app.demo.Driver) takes it to the point the test asks for. It then
prints one line ``AT <screen> <txn id>`` and runs the Qt loop as the real kiosk does
(kiosk/app/cli.py: SIGTERM and SIGINT end the loop, then ``runner.stop()``), until the test
kills or stops it. Screen changes after that are printed as ``SCREEN <name> <problem>`` lines.

CONFIG (:func:`config_for`): ``{"goal": "printing" | "place_card" | "idle", "center": {base_url,
ca_path, cert_path, key_path}, "cupsd": "127.0.0.1:port", "queue", "journal", "vpcd_port",
"cards", "pki", "issuer_key", "reader", "copies"}``. The test's side: :class:`KioskProcess`.
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hw_sim.acceptor import SimulatedAcceptor
from hw_sim.card import CardDock
from kiosk.app.demo import FETCH_WAIT_S, Driver, pay_with
from kiosk.app.pcsc import pcsc_connector, pcsc_monitor
from kiosk.app.qt import application, make_window, quit_on_signals, start_on_qt
from kiosk.app.wiring import KioskParts, assemble, load_issuer_key, system_clock
from kiosk.center.client import CenterClient, CenterConfig
from kiosk.domain import CertificateKind
from kiosk.flow import FlowSettings
from kiosk.flow import state as st
from kiosk.runtime import PrintTiming, ReaderChoice
from kiosk.runtime.runner import new_boot_id
from kiosk.sound import SilentReminderPlayer
from printing.cups import CupsPrinter

SALT = b"e2e-test-salt-0123456789abcdef"  # the e2e fixture's, so digests match across restarts
REPO = Path(__file__).resolve().parents[2]


def config_for(
    pcscd: Any, center: Any, center_pki: Any, cupsd: Any, folder: Path, *, copies: int = 1
) -> dict[str, Any]:
    """The CONFIG of a kiosk process on the test session's daemons and center (kiosk-0001),
    its journal and cards in ``folder``."""
    from hw_sim.stack.pcscd import VPCD_READER_NAMES

    kiosk = center.kiosk_config("kiosk-0001")
    return {
        "center": {
            "base_url": kiosk.base_url,
            "ca_path": str(kiosk.ca_path),
            "cert_path": str(kiosk.cert_path),
            "key_path": str(kiosk.key_path),
        },
        "cupsd": cupsd.address,
        "queue": cupsd.capture_queue,
        "journal": str(folder / "kiosk" / "journal.sqlite3"),
        "vpcd_port": pcscd.vpcd_ports[0],
        "cards": str(folder / "cards"),
        "pki": str(center_pki.folder),
        "issuer_key": str(center_pki.kenmen_issuer_public_pem_path),
        "reader": VPCD_READER_NAMES[0],
        "copies": copies,
    }


class KioskProcess:
    """The kiosk of tests/e2e/kiosk_process.py, its output read line by line."""

    def __init__(self, config: dict[str, Any], folder: Path) -> None:
        path = folder / "kiosk.json"
        path.write_text(json.dumps(config))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.kiosk_process", str(path)],
            cwd=REPO,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
            stdout=subprocess.PIPE,
            stderr=open(folder / "kiosk.log", "w"),  # noqa: SIM115 - closed with the process
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.strip())

    def wait_line(self, prefix: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"the kiosk never said {prefix!r}") from None
            if line.startswith(prefix):
                return line

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.kill()


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
        card_connector=pcsc_connector(),
        card_monitor=pcsc_monitor,
        center_client=CenterClient,
        sound=SilentReminderPlayer(),
        clock=system_clock,
        jitter=random.random,
        reader=ReaderChoice(config["reader"]),
        acceptor=acceptor,
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
        if config["goal"] == "idle":  # a restart: recovery runs, nobody at the kiosk
            driver.wait_for(st.Start)
        elif config["goal"] == "place_card":
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
