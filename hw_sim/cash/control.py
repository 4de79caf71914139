"""The cash simulator as its own process, and its control client (tests, the dev dock, the
developer profile)::

    sim = CashSimProcess(folder, SimConfig())
    devices = sim.start()              # {"id003": ".../id003", "cctalk": ".../cctalk", …}
    control = sim.control()
    control.insert(1000)               # a bill into the validator
    control.insert(100)                # a coin into the coin acceptor
    control.take_tray()                # the resident takes what came back
    sim.kill()                         # a power cut; sim.start() powers it up again

The control methods mirror hw_sim.acceptor.SimulatedAcceptor's resident side (``insert``,
``take_tray``, ``tray_yen``) so kiosk.app.demo.Driver drives either.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from hw_sim.cash.server import DEVICES_FILE, SimConfig, wait_ready

CONTROL_TIMEOUT_S = 10.0


class CashSimError(Exception):
    """The simulator refused a control request or is not running."""


class CashSimControl:
    """A connection to a running simulator's control socket (thread-safe)."""

    def __init__(self, socket_path: Path) -> None:
        self.socket_path = socket_path
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._reader: Any = None

    def request(self, op: str, **fields: Any) -> Any:
        line = json.dumps({"op": op, **fields}).encode() + b"\n"
        with self._lock:
            for attempt in (1, 2):  # one reconnection: the simulator may have restarted
                try:
                    if self._sock is None:
                        self._connect()
                    assert self._sock is not None
                    self._sock.sendall(line)
                    answer = self._reader.readline()
                    if not answer:
                        raise OSError("the simulator closed the control connection")
                    break
                except OSError as exc:
                    self._disconnect()
                    if attempt == 2:
                        raise CashSimError(f"cash simulator: {exc}") from exc
        reply = json.loads(answer)
        if not reply.get("ok"):
            raise CashSimError(reply.get("error", "refused"))
        return reply.get("result")

    def close(self) -> None:
        with self._lock:
            self._disconnect()

    def _connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(CONTROL_TIMEOUT_S)
        sock.connect(str(self.socket_path))
        self._sock = sock
        self._reader = sock.makefile("rb")

    def _disconnect(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._reader.close()
                self._sock.close()
        self._sock = None
        self._reader = None

    # --- the resident's side (as SimulatedAcceptor) -------------------------------------------

    def insert(self, yen: int) -> str:
        """A bill (1000 yen and up) into the validator, a coin (below) into the acceptor."""
        if yen >= 1000:
            return str(self.request("insert_bill", yen=yen))
        return str(self.request("insert_coin", yen=yen))

    def insert_counterfeit(self, bill: bool = False) -> str:
        return str(self.request("insert_bill" if bill else "insert_coin", yen=0))

    def take_tray(self) -> list[int]:
        return [int(v) for v in self.request("take_tray")]

    @property
    def enabled(self) -> bool:
        """Both slots take money (the validator not inhibited, the coins' master inhibit off)."""
        state = self.state()
        validator, coins = state["validator"], state["coins"]["acceptor"]
        return not validator["inhibited"] and bool(coins["master_enabled"])

    @property
    def tray_yen(self) -> int:
        state = self.state()
        return int(sum(state["validator"]["bezel"]) + sum(state["coins"]["tray"]))

    # --- staff and faults ---------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        return dict(self.request("state"))

    def jam_validator(self, where: str = "acceptor", *, next_bill: bool = False) -> None:
        self.request("jam_validator", where=where, next=next_bill)

    def jam(self) -> None:
        """The coin acceptor jams (the dev dock's generic "jam")."""
        self.request("jam_coins")

    def clear_jam(self) -> None:
        self.request("clear")

    def hopper_empty(self, address: int) -> None:
        self.request("hopper_empty", address=address)

    def hopper_fill(self, address: int, coins: int) -> None:
        self.request("hopper_fill", address=address, coins=coins)

    def hopper_jam(self, address: int, after: int = 0) -> None:
        self.request("hopper_jam", address=address, after=after)

    def hopper_stall(self, address: int) -> None:
        """The hopper's motor stops mid-payout without it noticing (no coin, no timeout)."""
        self.request("hopper_stall", address=address)

    def power_cut(self, device: str = "all") -> None:
        self.request("power_cut", device=device)

    def line(self, device: str, **faults: Any) -> None:
        """Line faults on ``device`` ("id003" or "cctalk"): noise, garbage (hex), delay_s, mute."""
        self.request("line", device=device, **faults)


class CashSimProcess:
    """``python -m hw_sim.cash serve`` as a child process."""

    def __init__(self, folder: Path, config: SimConfig | None = None) -> None:
        self.folder = folder
        self.config = config or SimConfig()
        self.proc: subprocess.Popen[bytes] | None = None
        self.devices: dict[str, Any] = {}
        self._control: CashSimControl | None = None

    def start(self, timeout_s: float = 15.0) -> dict[str, Any]:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / DEVICES_FILE).unlink(missing_ok=True)
        self.config.save(self.folder)
        log = open(self.folder / "sim.log", "ab")  # noqa: SIM115 - the child keeps it open
        with log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "hw_sim.cash", "--dir", str(self.folder), "serve"],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self.devices = wait_ready(self.folder, timeout_s)
        except TimeoutError:
            self.kill()
            raise
        return self.devices

    def control(self) -> CashSimControl:
        if self._control is None:
            self._control = CashSimControl(self.folder / "control.sock")
        return self._control

    @property
    def id003_path(self) -> Path:
        return Path(self.devices["id003"])

    @property
    def cctalk_path(self) -> Path:
        return Path(self.devices["cctalk"])

    def kill(self) -> None:
        """SIGKILL: the cash unit loses power."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        if self._control is not None:
            self._control.close()

    def stop(self) -> None:
        if self._control is not None:
            self._control.close()
            self._control = None
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.proc = None


def wait_for(predicate: Any, what: str, timeout_s: float = 10.0) -> None:
    """Poll ``predicate()`` until true (tests)."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.02)


__all__ = ["CashSimControl", "CashSimError", "CashSimProcess", "SimConfig", "wait_for"]
