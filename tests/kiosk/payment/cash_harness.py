"""The simulated cash unit (its own process, two pseudo-terminals) and the kiosk's real driver
on it: fixtures and helpers for the cash unit's tests (tests/kiosk/payment/test_cash_*.py, the
kill matrix and the end-to-end tests)."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from hw_sim.cash import CashSimControl, CashSimProcess, SimConfig, SimulatorCipher
from kiosk.payment import AcceptorEvent
from kiosk.payment.cash_unit import CashUnit, CashUnitConfig
from kiosk.payment.cctalk import CoinSettings
from kiosk.payment.cctalk_wire import Checksum

SIMULATOR_CIPHER = SimulatorCipher()  # the simulated encrypting hoppers' cipher
WAIT_S = 20.0  # generous: the machine is shared, and the simulator paces bytes at 9600 baud


@dataclass
class Events:
    """What the driver reported, in order (thread-safe)."""

    items: list[AcceptorEvent] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, event: AcceptorEvent) -> None:
        with self.lock:
            self.items.append(event)

    def of(self, kind: type) -> list[Any]:
        with self.lock:
            return [e for e in self.items if isinstance(e, kind)]

    def wait(self, kind: type, count: int = 1, timeout_s: float = WAIT_S) -> list[Any]:
        deadline = time.monotonic() + timeout_s
        while len(found := self.of(kind)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} {kind.__name__}, got {self.items}")
            time.sleep(0.02)
        return found

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


@dataclass
class CashRig:
    """A simulator process and a driver on it, with a ledger in the test's folder."""

    folder: Path
    sim: CashSimProcess
    events: Events
    unit: CashUnit | None = None

    @property
    def control(self) -> CashSimControl:
        return self.sim.control()

    @property
    def ledger_path(self) -> Path:
        return self.folder / "cash-ledger.json"

    def start_unit(self, cipher: Any = SIMULATOR_CIPHER, **coin_settings: Any) -> CashUnit:
        """The kiosk's driver on the simulator (``cipher``: the hoppers' dispense cipher)."""
        if self.unit is not None:
            self.unit.close()
        settings = CoinSettings(
            checksum=Checksum(self.sim.config.checksum),
            echo=self.sim.config.echo,
            hopper_addresses=tuple(h[0] for h in self.sim.config.hoppers),
            **coin_settings,
        )
        config = CashUnitConfig(
            self.sim.id003_path, self.sim.cctalk_path, self.ledger_path, settings
        )
        self.unit = CashUnit(config, cipher=cipher)
        self.unit.set_listener(self.events)
        assert self.unit.wait_ready(WAIT_S), "the cash unit did not connect"
        return self.unit

    def state(self) -> dict[str, Any]:
        return self.control.state()

    def wait_sim(self, predicate: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        deadline = time.monotonic() + WAIT_S
        while not predicate(state := self.state()):
            if time.monotonic() > deadline:
                raise AssertionError(f"simulator never reached: {what} ({state})")
            time.sleep(0.05)
        return state

    def close(self) -> None:
        if self.unit is not None:
            self.unit.close()
        self.sim.stop()


@pytest.fixture
def make_cash_rig() -> Iterator[Callable[..., CashRig]]:
    rigs: list[CashRig] = []

    def make(config: SimConfig | None = None, *, start: bool = True) -> CashRig:
        folder = Path(tempfile.mkdtemp(prefix="cash-", dir="/tmp"))  # short pty link paths
        sim = CashSimProcess(folder / "sim", config or SimConfig())
        sim.start()
        rig = CashRig(folder, sim, Events())
        rigs.append(rig)
        if start:
            rig.start_unit()
        return rig

    yield make
    for rig in rigs:
        rig.close()
        shutil.rmtree(rig.folder, ignore_errors=True)


def tray(state: dict[str, Any]) -> list[int]:
    """Everything lying in the resident's reach: bills in the bezel, coins in the tray."""
    return sorted([*state["validator"]["bezel"], *state["coins"]["tray"]])


def hopper_coins(state: dict[str, Any], address: int) -> int:
    return int(state["coins"]["hoppers"][str(address)]["coins"])
