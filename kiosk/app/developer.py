"""The developer profile's simulated world: the only kiosk module that imports ``hw_sim``.

What it starts, all under the checkout's ``var/`` (docs/architecture.md, "Runtime folders"):

- the private daemons (``python -m hw_sim.stack start --dir var/run``: pcscd with the vpcd
  reader, cupsd with the capture queue), unless they already run — their environment
  (``PCSCLITE_CSOCK_NAME``, ``CUPS_SERVER`` …) is exported before the first PC/SC call;
- the simulated issuance center in its own process (``python -m hw_sim.center serve``, state in
  ``var/center``, with its OCSP validity service), unless one already runs there; its business
  clock keeps today's date and pins the time of day to a morning on which every certificate of
  every municipality is open (hw_sim.municipality.opening: the next such day when today is a
  weekend, a holiday, the year-end closure or a maintenance day), so the demo works at any hour
  and prints today's date; ``--center-clock`` chooses another moment, or the system clock;
- the card dock (virtual cards into the vpcd slots, PIN counters in ``var/cards``), the
  simulated fee acceptor — in-process, or with ``payment.driver = "id003+cctalk"`` the
  simulated cash unit on pseudo-terminals in ``var/run/cash`` (its own process, joined if it
  runs; its devices keep their state across kiosk restarts) for the real driver —, the printer
  fault switch;
- a copy of every printed job (the capture queue's PDF) in ``var/out/printed/``.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cardio.monitor import MonitorEvent, MonitorEventKind
from hw_sim.acceptor import SimulatedAcceptor
from hw_sim.card import (
    IN_PROCESS_READER,
    CardDock,
    CardRemovedError,
    InProcessReader,
    InProcessTransport,
)
from hw_sim.cash import CashSimControl, CashSimError, CashSimProcess, SimConfig, SimulatorCipher
from hw_sim.center import CenterProcess
from hw_sim.stack import PrinterFaults
from kiosk.app.wiring import StartupError
from kiosk.center.client import CenterConfig
from kiosk.center.wire import JST
from kiosk.payment.cash_unit import CashUnit, CashUnitConfig
from kiosk.runtime.printer import IssuedJob
from printing.faults import JobHandle, PrintOutcome

log = logging.getLogger(__name__)

DAEMONS_START_TIMEOUT_S = 60.0
KIOSK_ID = "kiosk-0001"  # registered by the simulated center by default


@dataclass(frozen=True)
class DaemonEnv:
    """Where the private daemons listen (from ``var/run/daemons.json``)."""

    env: dict[str, str]
    cupsd_dir: Path
    capture_dir: Path
    queue: str
    cups_server: str
    vpcd_ports: tuple[int, int]

    def export(self) -> None:
        """Point this process's PC/SC and CUPS clients at the private daemons."""
        os.environ.update(self.env)


def ensure_daemons(run_dir: Path) -> DaemonEnv:
    """Start the private pcscd and cupsd (if not running) and read their environment."""
    run_dir = run_dir.absolute()
    state = run_dir / "daemons.json"
    result = subprocess.run(
        [sys.executable, "-m", "hw_sim.stack", "start", "--dir", str(run_dir)],
        capture_output=True,
        text=True,
        timeout=DAEMONS_START_TIMEOUT_S,
        check=False,
    )
    if result.returncode != 0 or not state.exists():
        raise StartupError(f"private daemons did not start: {result.stderr.strip()[-800:]}")
    data = json.loads(state.read_text())
    env = {str(k): str(v) for k, v in data["env"].items()}
    try:
        low, high = (int(p) for p in env["KIOSK_VPCD_PORTS"].split(","))
        return DaemonEnv(
            env=env,
            cupsd_dir=Path(env["KIOSK_CUPSD_DIR"]),
            capture_dir=Path(data["capture_dir"]),
            queue=env["KIOSK_PRINTER_QUEUE"],
            cups_server=env["CUPS_SERVER"],
            vpcd_ports=(low, high),
        )
    except (KeyError, ValueError) as exc:
        raise StartupError(f"{state}: incomplete ({exc})") from None


class DeveloperCenter:
    """The simulated center of the developer profile: the one already running in the state
    folder (``endpoints.json`` names a live process that answers), or a new
    :class:`hw_sim.center.CenterProcess` that this kiosk stops again when it exits."""

    def __init__(self, state_dir: Path, pki_dir: Path, *, workers: int = 1) -> None:
        self.process = CenterProcess(
            state_dir.absolute(),
            pki_dir.absolute(),
            # A developer may switch the profile to counter payment (city hall).
            kiosks=(f"{KIOSK_ID}=kiosk,counter",),
            workers=workers,
        )
        self.started_here = False

    @property
    def endpoints(self) -> dict[str, Any]:
        return self.process.endpoints

    def ensure_running(self) -> dict[str, Any]:
        existing = _read_json(self.process.state_dir / "endpoints.json")
        if existing and _alive(int(existing.get("pid", 0))):
            self.process.endpoints = existing
            try:
                self.process.admin("GET", "/admin/status")
            except (OSError, ValueError):
                log.info("the center in %s does not answer: starting one", self.process.state_dir)
            else:
                log.info("using the simulated center already running (pid %s)", existing["pid"])
                return existing
        try:
            endpoints = self.process.start()
        except (RuntimeError, TimeoutError) as exc:
            raise StartupError(f"the simulated center did not start: {exc}") from None
        self.started_here = True
        return endpoints

    def kiosk_config(self, kiosk_id: str = KIOSK_ID) -> CenterConfig:
        """This kiosk's TLS material, issued and registered by the center if new."""
        kiosk = self.endpoints.get("kiosks", {}).get(kiosk_id)
        if kiosk is None:
            kiosk = self.process.kiosk_files(kiosk_id, register=True)
        return CenterConfig(
            base_url=self.endpoints["center_url"],
            ca_path=Path(self.endpoints["ca_path"]),
            cert_path=Path(kiosk["cert_path"]),
            key_path=Path(kiosk["key_path"]),
        )

    def set_clock(self, moment: datetime | None) -> None:
        """The center's business clock (municipality hours): ``moment`` now, or system time."""
        self.process.set_clock(moment)

    def stop(self) -> None:
        """Stop the center if this kiosk started it (a joined one keeps running)."""
        if self.started_here:
            self.process.stop()
            self.started_here = False


@dataclass
class DeveloperWorld:
    """The simulators of one developer kiosk (see the module docstring)."""

    var_dir: Path
    daemons: DaemonEnv
    center: DeveloperCenter
    dock: CardDock
    acceptor: SimulatedAcceptor
    faults: PrinterFaults
    printed: list[Path] = field(default_factory=list)
    in_process_cards: InProcessCards | None = None
    center_clock: datetime | None = None  # the business time set at start (None: system)
    cash: CashSimProcess | None = None  # the simulated ID-003 + ccTalk cash unit
    cash_started_here: bool = False

    @property
    def cash_ports(self) -> tuple[Path, Path]:
        """The simulated bill validator's and coin bus's device paths (pseudo-terminals)."""
        assert self.cash is not None
        return self.cash.id003_path, self.cash.cctalk_path

    @property
    def money(self) -> SimulatedAcceptor | CashSimControl:
        """What the dev dock and the demo put money into (the resident's side)."""
        return self.cash.control() if self.cash is not None else self.acceptor

    @property
    def out_dir(self) -> Path:
        return self.var_dir / "out"

    @property
    def issuer_key_path(self) -> Path:
        return self.var_dir / "pki" / "kenmen-issuer.pub.pem"

    def keep_printed(self, job: IssuedJob, handle: JobHandle, outcome: PrintOutcome) -> None:
        """Copy the capture queue's PDF of a finished job to ``var/out/printed/``."""
        source = self.daemons.capture_dir / f"job-{handle.job_id}.pdf"
        if not outcome.completed:
            source = source.with_suffix(".failed.pdf")
        if not source.exists():
            log.warning("captured job %d not found in %s", handle.job_id, source.parent)
            return
        target_dir = self.out_dir / "printed"
        target_dir.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        suffix = "" if outcome.completed else "-failed"
        target = target_dir / f"{stamp}-job{handle.job_id}{suffix}.pdf"
        shutil.copyfile(source, target)
        self.printed.append(target)
        log.info("printed job copied to %s", target)

    def reset_card(self, persona_id: str) -> None:
        """The persona's card as issued (PIN counters): out of both readers first."""
        for slot in (0, 1):
            self.dock.remove(slot)
        if self.in_process_cards is not None:
            self.in_process_cards.reader.remove(0)
        self.dock.reset_card(persona_id)  # the same card folder as the in-process reader's

    @property
    def cards(self) -> CardDock | InProcessReader:
        """Where the dev dock and the demo insert cards (vpcd, or the in-process reader)."""
        return self.in_process_cards.reader if self.in_process_cards is not None else self.dock

    def close(self) -> None:
        self.dock.close()
        if self.in_process_cards is not None:
            self.in_process_cards.close()
        self.acceptor.close()
        if self.cash is not None and self.cash_started_here:
            self.cash.stop()
        self.center.stop()


def business_morning(now: datetime | None = None) -> datetime:
    """The developer center's default business time: the JST date of ``now`` (default: the
    system clock; 15:00 UTC is already the next day in Japan) at a morning when the whole
    simulated world is open, or the next day that is."""
    from hw_sim.municipality.opening import business_morning as first_open_morning
    from hw_sim.world.loader import load_municipalities

    day = (now or datetime.now(UTC)).astimezone(JST).date()
    return first_open_morning(load_municipalities().values(), day)


def start_world(
    var_dir: Path,
    *,
    center_clock: datetime | None = None,
    use_system_clock: bool = False,
    start_center: bool = True,
    center_workers: int = 1,
    cash_unit: bool = False,
) -> DeveloperWorld:
    """Start (or join) everything the developer profile simulates. The center's business
    clock: ``center_clock``, else the system clock with ``use_system_clock``, else
    :func:`business_morning`."""
    var_dir = var_dir.absolute()
    daemons = ensure_daemons(var_dir / "run")
    daemons.export()
    center = DeveloperCenter(var_dir / "center", var_dir / "pki", workers=center_workers)
    clock = None if use_system_clock else center_clock or business_morning()
    if start_center:
        center.ensure_running()
        center.set_clock(clock)
        if clock is not None:
            log.info("simulated center business time: %s", clock.isoformat())
    dock = CardDock(
        port=daemons.vpcd_ports[0], state_dir=var_dir / "cards", pki_dir=var_dir / "pki"
    )
    faults = PrinterFaults(daemons.cupsd_dir, queue=daemons.queue)
    world = DeveloperWorld(var_dir, daemons, center, dock, SimulatedAcceptor(), faults)
    world.center_clock = clock if start_center else None
    if cash_unit:
        world.cash, world.cash_started_here = ensure_cash_simulator(var_dir / "run" / "cash")
    return world


def ensure_cash_simulator(folder: Path) -> tuple[CashSimProcess, bool]:
    """The simulated cash unit running in ``folder`` (joined), or started there; whether this
    kiosk started it. Its state persists in the folder, so it powers up with what it held."""
    sim = CashSimProcess(
        folder, SimConfig.load(folder) if (folder / "config.json").exists() else SimConfig()
    )
    running = _read_json(folder / "devices.json")
    if running and _alive(int(running.get("pid", 0))):
        sim.devices = running
        try:
            sim.control().request("ping")
        except CashSimError:
            log.info("the cash simulator in %s does not answer: starting one", folder)
        else:
            return sim, False
    try:
        sim.start()
    except TimeoutError as exc:
        raise StartupError(f"the simulated cash unit did not start: {exc}") from None
    return sim, True


def simulated_cash_unit(world: DeveloperWorld, config: CashUnitConfig) -> CashUnit:
    """The real driver on the simulated cash unit's pseudo-terminals. Its encrypting hoppers
    use the simulator's cipher (hw_sim.cash.cipher): no manufacturer's cipher ships."""
    return CashUnit(config, cipher=SimulatorCipher())


def persona_pin(persona_id: str) -> str:
    """The 4-digit PIN of a persona's virtual card (hw_sim.personas)."""
    from hw_sim.personas import get_persona

    return get_persona(persona_id).auth_pin


class _InProcessConnection:
    """An in-process card as the card service's connection; removal is cardio's CardRemoved."""

    def __init__(self, transport: InProcessTransport) -> None:
        self._transport = transport

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        import cardio

        try:
            return self._transport.transmit(apdu)
        except CardRemovedError:
            raise cardio.CardRemoved("the in-process card was removed") from None

    def close(self) -> None:
        self._transport.close()


class InProcessCards:
    """The in-process reader (:class:`hw_sim.card.InProcessReader`, ``simulators.card =
    "in_process"``: no pcscd) as the card service reaches a reader: a connector whose errors are
    cardio's, and a monitor that reports its insertions and removals as cardio's monitor does.

    ``reader`` has the card dock's interface: the dev dock, the demo and tests insert cards
    there.
    """

    def __init__(self, reader: InProcessReader) -> None:
        self.reader = reader

    @classmethod
    def in_folder(cls, var_dir: Path) -> InProcessCards:
        """The reader of the developer world in ``var_dir`` (its card folder and test PKI)."""
        return cls(InProcessReader(var_dir / "cards", var_dir / "pki"))

    def connector(self, reader: str) -> _InProcessConnection:
        """The card service's :data:`~kiosk.runtime.card.Connector`."""
        import cardio

        try:
            return _InProcessConnection(self.reader.connect())
        except CardRemovedError:
            raise cardio.CardRemoved("no card in the in-process reader") from None

    def monitor(self, callback: Callable[[MonitorEvent], None]) -> _InProcessMonitor:
        """The card service's :data:`~kiosk.runtime.card.MonitorFactory`."""
        return _InProcessMonitor(self.reader, callback)

    def close(self) -> None:
        self.reader.close()


class _InProcessMonitor:
    def __init__(self, reader: InProcessReader, callback: Callable[[MonitorEvent], None]) -> None:
        self._reader = reader
        self._callback = callback

    def start(self) -> None:
        self._reader.watch(self._report)
        if self._reader.card is not None:  # a card already in when the kiosk starts
            self._report(True)

    def stop(self) -> None:
        self._reader.watch(None)

    def _report(self, present: bool) -> None:
        kind = MonitorEventKind.CARD_INSERTED if present else MonitorEventKind.CARD_REMOVED
        self._callback(MonitorEvent(kind, IN_PROCESS_READER))


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


__all__ = [
    "IN_PROCESS_READER",
    "DaemonEnv",
    "DeveloperCenter",
    "DeveloperWorld",
    "InProcessCards",
    "business_morning",
    "ensure_daemons",
    "persona_pin",
    "start_world",
]


def dev_dock(world: DeveloperWorld) -> Any:
    """The developer dock panel (hw_sim.devdock, Qt) on this world's simulators."""
    from hw_sim.devdock import DevDock

    cash = world.cash.control() if world.cash is not None else None
    acceptor = world.acceptor if cash is None else None
    return DevDock(card_dock=world.cards, acceptor=acceptor, printer=world.faults, cash=cash)
