"""The cash unit simulator process: a JCM ID-003 bill validator and a ccTalk bus (coin acceptor
and hoppers) on two pseudo-terminals, steered through a Unix control socket.

    python -m hw_sim.cash serve --dir var/run/cash

It writes, in ``--dir``: ``id003`` and ``cctalk`` (symlinks to the two ptys: give them to the
driver as device paths), ``control.sock``, ``devices.json`` (those paths and the pid, written
last: its presence means ready) and ``state.json`` — the devices' physical state (bills in the
stacker and the bezel, coins in the hoppers, the cash box and the tray, the hoppers' lifetime
counters and last payout), rewritten durably on every change. It runs in its own process so
that killing the kiosk does not touch it; killing *it* is a power cut: started again on the
same folder, the devices power up with what they held.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hw_sim.cash.coin_bus import CoinBus, HopperTiming
from hw_sim.cash.pty_port import PtyPort
from hw_sim.cash.validator import Id003Validator, ValidatorTiming
from kiosk.payment import cctalk_wire, id003_wire

log = logging.getLogger(__name__)

DEVICES_FILE = "devices.json"
STATE_FILE = "state.json"
CONTROL_SOCKET = "control.sock"
TICK_S = 0.01
ID003_BITS_PER_BYTE = 11  # start, 8 data, even parity, stop (9600 8E1)
CCTALK_BITS_PER_BYTE = 10  # start, 8 data, stop (9600 8N1, ccTalk part 1)


@dataclass
class SimConfig:
    """What the process simulates (also written to ``config.json`` for a restart)."""

    hoppers: list[tuple[int, int, int]] = field(
        default_factory=lambda: [(3, 100, 40), (4, 10, 60)]
    )  # (address, coin yen, coins at first start)
    checksum: str = "simple"
    encrypted: list[int] = field(default_factory=list)  # hopper addresses that encrypt
    echo: bool = True  # a ccTalk bus is one wire: the host hears its own bytes
    coin_s: float = 0.08
    pace: bool = True  # send at 9600 baud's pace

    @classmethod
    def load(cls, folder: Path) -> SimConfig:
        raw = json.loads((folder / "config.json").read_text())
        raw["hoppers"] = [tuple(h) for h in raw["hoppers"]]
        return cls(**raw)

    def save(self, folder: Path) -> None:
        (folder / "config.json").write_text(json.dumps(self.__dict__))


class CashSimulator:
    """The two devices, their ports, the control socket and the state file."""

    def __init__(self, folder: Path, config: SimConfig) -> None:
        self.folder = folder
        self.config = config
        folder.mkdir(parents=True, exist_ok=True)
        saved = _read_json(folder / STATE_FILE) or {}
        self.lock = threading.RLock()
        self.validator = Id003Validator(ValidatorTiming(), saved.get("validator"))
        self.bus = CoinBus(
            config.hoppers,
            checksum=cctalk_wire.Checksum(config.checksum),
            encrypted=frozenset(config.encrypted),
            timing=HopperTiming(coin_s=config.coin_s),
            state=saved.get("coins"),
        )
        baud = 9600 if config.pace else 10**9
        self.id003_port = PtyPort(folder / "id003", bits_per_byte=ID003_BITS_PER_BYTE, baud=baud)
        self.cctalk_port = PtyPort(folder / "cctalk", bits_per_byte=CCTALK_BITS_PER_BYTE, baud=baud)
        self.stopped = threading.Event()
        self._save()

    # --- running ------------------------------------------------------------------------------

    def run(self) -> None:
        threads = [
            threading.Thread(target=self._serve_id003, name="id003", daemon=True),
            threading.Thread(target=self._serve_cctalk, name="cctalk", daemon=True),
            threading.Thread(target=self._tick, name="tick", daemon=True),
            threading.Thread(target=self._control, name="control", daemon=True),
        ]
        for thread in threads:
            thread.start()
        devices = {
            "pid": os.getpid(),
            "id003": str(self.id003_port.link),
            "cctalk": str(self.cctalk_port.link),
            "control": str(self.folder / CONTROL_SOCKET),
        }
        _write_atomic(self.folder / DEVICES_FILE, json.dumps(devices))
        self.stopped.wait()

    def stop(self) -> None:
        self.stopped.set()
        (self.folder / DEVICES_FILE).unlink(missing_ok=True)
        self.id003_port.close()
        self.cctalk_port.close()

    def _serve_id003(self) -> None:
        decoder = id003_wire.Decoder()
        port = self.id003_port
        while not self.stopped.is_set():
            for frame in decoder.feed(port.read(0.05)):
                with self.lock:
                    before = self.validator.snapshot()
                    answer = self.validator.handle(frame)
                    if self.validator.snapshot() != before:
                        self._save()  # what a command changed is kept before it is answered
                if answer is not None:
                    port.send(answer)

    def _serve_cctalk(self) -> None:
        decoder = cctalk_wire.Decoder(self.bus.checksum)
        port = self.cctalk_port
        while not self.stopped.is_set():
            received = port.read(0.05)
            if received and self.config.echo:
                port.send(received, answer=False)
            for frame in decoder.feed(received):
                if frame.destination == cctalk_wire.HOST_ADDRESS:
                    continue  # an answer (ours, echoed): not for a device
                with self.lock:
                    before = self.bus.snapshot()
                    answer = self.bus.handle(frame)
                    if self.bus.snapshot() != before:
                        self._save()  # e.g. a dispense accepted: kept before it is answered
                if answer is not None:
                    port.send(answer)

    def _tick(self) -> None:
        while not self.stopped.wait(TICK_S):
            with self.lock:
                self.validator.tick()
                self.bus.tick()
                if self.validator.changed or self.bus.changed:
                    self._save()

    def _save(self) -> None:
        state = {"validator": self.validator.snapshot(), "coins": self.bus.snapshot()}
        _write_atomic(self.folder / STATE_FILE, json.dumps(state, sort_keys=True), sync=True)
        self.validator.changed = self.bus.changed = False

    # --- control ------------------------------------------------------------------------------

    def _control(self) -> None:
        path = self.folder / CONTROL_SOCKET
        path.unlink(missing_ok=True)
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(path))
        os.chmod(path, 0o600)
        server.listen(4)
        server.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                client, _ = server.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._client, args=(client,), daemon=True).start()
        server.close()

    def _client(self, client: socket.socket) -> None:
        with client, client.makefile("rwb") as stream:
            for line in stream:
                try:
                    request = json.loads(line)
                    with self.lock:
                        reply: dict[str, Any] = {"ok": True, **self.command(request)}
                        self._save()
                except (ValueError, KeyError, TypeError) as exc:
                    reply = {"ok": False, "error": str(exc)}
                stream.write(json.dumps(reply).encode() + b"\n")
                stream.flush()

    def command(self, request: dict[str, Any]) -> dict[str, Any]:
        """One control request (see hw_sim.cash.control for the client side)."""
        op = request["op"]
        validator, bus = self.validator, self.bus
        actions: dict[str, Callable[[], Any]] = {
            "ping": lambda: None,
            "state": lambda: {"validator": validator.describe(), "coins": bus.describe()},
            "insert_bill": lambda: validator.insert(int(request["yen"])),
            "insert_coin": lambda: bus.insert(
                int(request["yen"]), variant=request.get("variant", "A")
            ),
            "take_tray": lambda: validator.take_bezel() + bus.take_tray(),
            "jam_validator": lambda: _jam(validator, request["where"], bool(request.get("next"))),
            "stacker_full": lambda: setattr(validator, "stacker_full", True),
            "stacker_open": lambda: setattr(validator, "stacker_open", True),
            "cheat_next": lambda: setattr(validator, "cheat_next", True),
            "failure": lambda: setattr(validator, "failure", int(request["code"])),
            "empty_stacker": lambda: validator.empty_stacker(),
            "jam_coins": lambda: bus.jam_acceptor(),
            "hopper_empty": lambda: _set_hopper(bus, request, coins=0),
            "hopper_fill": lambda: _set_hopper(bus, request, coins=int(request["coins"])),
            "hopper_jam": lambda: _set_hopper(bus, request, jam_after=int(request["after"])),
            "hopper_stall": lambda: _set_hopper(bus, request, stalled=True),
            "clear": lambda: _clear(validator, bus),
            "power_cut": lambda: _power_cut(self, request.get("device", "all")),
            "line": lambda: _line(self, request),
        }
        if op not in actions:
            raise KeyError(f"unknown op {op!r}")
        result = actions[op]()
        return {"result": result}


def _jam(validator: Id003Validator, where: str, next_bill: bool) -> None:
    if where not in ("acceptor", "stacker"):
        raise ValueError("where: acceptor or stacker")
    if next_bill:
        validator.jam_next = where
    else:
        validator.jam = where


def _clear(validator: Id003Validator, bus: CoinBus) -> None:
    validator.clear()
    bus.clear()


def _set_hopper(bus: CoinBus, request: dict[str, Any], **values: int | bool) -> None:
    hopper = bus.hoppers[int(request["address"])]
    for name, value in values.items():
        setattr(hopper, name, value)


def _power_cut(sim: CashSimulator, device: str) -> None:
    if device in ("validator", "all"):
        sim.validator.power_cut()
    if device in ("coins", "all"):
        sim.bus.power_cut()


def _line(sim: CashSimulator, request: dict[str, Any]) -> None:
    port = sim.id003_port if request["device"] == "id003" else sim.cctalk_port
    faults = port.faults
    faults.noise = float(request.get("noise", faults.noise))
    faults.delay_s = float(request.get("delay_s", faults.delay_s))
    faults.mute = bool(request.get("mute", faults.mute))
    if "garbage" in request:
        faults.garbage = bytes.fromhex(request["garbage"])


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _write_atomic(path: Path, text: str, *, sync: bool = False) -> None:
    temporary = path.with_name(path.name + ".new")
    with open(temporary, "w", encoding="utf-8") as out:
        out.write(text)
        if sync:
            out.flush()
            os.fsync(out.fileno())
    os.replace(temporary, path)


def serve(folder: Path, config: SimConfig) -> None:
    """Run until SIGTERM/SIGINT (SIGKILL: a power cut, see the module docstring)."""
    folder.mkdir(parents=True, exist_ok=True)
    config.save(folder)
    simulator = CashSimulator(folder, config)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: simulator.stopped.set())
    try:
        simulator.run()
    finally:
        with contextlib.suppress(Exception):
            simulator.stop()
        log.info("cash simulator stopped")


def wait_ready(folder: Path, timeout_s: float = 10.0) -> dict[str, Any]:
    """The devices file once the process wrote it."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        devices = _read_json(folder / DEVICES_FILE)
        if devices is not None:
            return devices
        time.sleep(0.02)
    raise TimeoutError(f"the cash simulator in {folder} did not start")


__all__ = [
    "CONTROL_SOCKET",
    "DEVICES_FILE",
    "STATE_FILE",
    "CashSimulator",
    "SimConfig",
    "serve",
    "wait_ready",
]
