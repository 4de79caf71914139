"""konbini-kiosk-cash.socket and .service: the socket the store profile's cash-unit bridge
connects to is made by systemd and handed to the vendor's daemon by socket activation. Here
``systemd-socket-activate`` plays systemd's part (it listens, and on the first connection
starts the service's command with the socket as descriptor 3): the package's cash-daemon
wrapper starts the reference daemon (hw_sim.acceptor_bridge), and the kiosk's bridge driver
gets its hello through the activated socket."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path

from kiosk.payment.bridge import BridgeAcceptor
from tests.deploy.test_units import settings

REPO = Path(__file__).resolve().parents[2]
SOCKET_UNIT = REPO / "deploy" / "systemd" / "konbini-kiosk-cash.socket"
WRAPPER = REPO / "deploy" / "bin" / "cash-daemon"


def test_the_socket_unit_is_where_the_store_profile_looks() -> None:
    unit = settings(SOCKET_UNIT)
    store = tomllib.loads((REPO / "profiles" / "store.toml").read_text())
    assert unit["ListenStream"] == [store["payment"]["device"]]
    assert unit["SocketGroup"] == ["konbini-kiosk"]
    assert unit["SocketMode"] == ["0660"]  # whoever can write to it can pay out money
    assert unit["Accept"] == ["no"]  # one daemon owns the unit; the kiosk is its one client


def test_the_vendor_daemon_gets_the_socket_by_activation(tmp_path: Path) -> None:
    path = tmp_path / "acceptor.sock"
    daemon = f"{sys.executable} -m hw_sim.acceptor_bridge --socket {path} --daemon"
    activator = subprocess.Popen(
        ["systemd-socket-activate", "--listen", str(path), "-E", f"KIOSK_CASH_DAEMON={daemon}",
         "-E", f"PYTHONPATH={REPO}", str(WRAPPER)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    acceptor = None
    try:
        deadline = time.monotonic() + 10
        while not path.exists() and activator.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert path.exists(), "systemd-socket-activate did not listen"
        acceptor = BridgeAcceptor(path)
        assert acceptor.wait_connected(20), "no hello through the activated socket"
    finally:
        if acceptor is not None:
            acceptor.close()
        activator.terminate()
        output = activator.communicate(timeout=30)[0]
    assert "the socket systemd passed" in output, output


def test_the_wrapper_says_what_is_missing() -> None:
    run = subprocess.run(
        [str(WRAPPER)], env={"PATH": os.environ["PATH"]}, capture_output=True, text=True
    )
    assert run.returncode == 78
    assert "KIOSK_CASH_DAEMON is not set" in run.stderr
