"""A profile → the kiosk's parts: real devices for the store and the city hall, the simulated
world for the developer profile. The one place where that choice is made.

- **store**: the PC/SC reader (system pcscd), the CUPS queue (system cupsd), the fee acceptor's
  real driver (the cash-unit bridge, or the ID-003 + ccTalk cash unit driven directly), the
  operator's center over mutual TLS. No simulator code is imported: the
  developer world lives in kiosk/app/developer.py and is imported only for a developer profile
  (tests/kiosk/test_app_profiles.py checks this in a fresh interpreter). A profile naming an
  acceptor driver this program does not include refuses to start, saying which driver is
  missing: a store kiosk never falls back to a simulator.
- **cityhall**: the same, with counter payment (a numbered ticket on the receipt queue) where
  configured, and the accessibility options (no time limits; high contrast).
- **developer**: the simulated center (own process, var/center), the virtual card behind the
  private pcscd (or in-process), the simulated acceptor (in-process, or the simulated ID-003 +
  ccTalk cash unit on pseudo-terminals with the real driver), the private cupsd's capture queue
  (its PDFs copied to var/out/printed), and the dev dock.
"""

from __future__ import annotations

import logging
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.app.pcsc import pcsc_connector, pcsc_monitor
from kiosk.app.wiring import (
    KioskParts,
    Operations,
    StartupError,
    assemble,
    assemble_operations,
    kiosk_id_of,
    load_issuer_key,
    load_or_create_salt,
    system_clock,
)
from kiosk.center.client import CenterClient, CenterConfig
from kiosk.config import (
    AcceptorDriver,
    CardSimulator,
    CashUnitSettings,
    KioskConfig,
    PrinterSimulator,
    ProfileKind,
)
from kiosk.flow import PaymentMode
from kiosk.payment import FeeAcceptor
from kiosk.payment.bridge import BridgeAcceptor
from kiosk.payment.cash_unit import CashUnit, CashUnitConfig
from kiosk.payment.cctalk import CoinSettings
from kiosk.payment.cctalk_wire import Checksum
from kiosk.runtime import ReaderChoice, Runner
from kiosk.runtime.card import Connector, MonitorFactory
from kiosk.runtime.runner import new_boot_id
from kiosk.runtime.ticket import LpTicketPrinter
from kiosk.sound import AplayReminderPlayer
from printing.cups import CupsPrinter

log = logging.getLogger(__name__)

# The checkout's runtime folder (docs/architecture.md, "Runtime folders"); KIOSK_VAR_DIR moves it.
DEFAULT_VAR_DIR = Path(os.environ.get("KIOSK_VAR_DIR", Path(__file__).resolve().parents[2] / "var"))

# Fee acceptor drivers this program includes, by the profile's ``payment.driver``: the cash-unit
# bridge (the vendor's daemon on a Unix socket, docs/payment-bridge.md) and the JCM ID-003 bill
# validator with a ccTalk coin acceptor and hoppers, driven directly (docs/cash-hardware.md).
AcceptorFactory = Callable[[KioskConfig], FeeAcceptor]


def _bridge_acceptor(config: KioskConfig) -> FeeAcceptor:
    assert config.payment.device is not None  # kiosk.config: the bridge needs its socket
    acceptor = BridgeAcceptor(Path(config.payment.device))
    if not acceptor.wait_connected(BRIDGE_START_WAIT_S):
        # Not fatal: the daemon may start after the kiosk; the driver keeps trying, and a
        # payment attempted meanwhile fails safely (no money taken).
        log.error("cash unit bridge %s not connected yet; retrying", config.payment.device)
    return acceptor


BRIDGE_START_WAIT_S = 3.0


def cash_unit_config(
    config: KioskConfig, bill_validator: Path | None = None, coin_bus: Path | None = None
) -> CashUnitConfig:
    """The cash unit of ``config`` (the devices' paths may be given instead: the simulators').
    Its ledger lives beside the journal, on the same durable storage."""
    settings = config.payment.cash_unit
    assert settings is not None  # kiosk.config: id003+cctalk has its devices
    bills = bill_validator or _device(settings.bill_validator)
    coins = coin_bus or _device(settings.coin_bus)
    return CashUnitConfig(
        bill_validator=bills,
        coin_bus=coins,
        ledger=config.journal_path.with_name("cash-ledger.json"),
        coins=_coin_settings(settings),
    )


def _device(path: str | None) -> Path:
    assert path is not None  # kiosk.config: required unless simulated
    return Path(path)


def _coin_settings(settings: CashUnitSettings) -> CoinSettings:
    return CoinSettings(
        checksum=Checksum(settings.coin_checksum.value),
        echo=settings.coin_bus_echo,
        acceptor_address=settings.coin_acceptor_address,
        hopper_addresses=settings.hopper_addresses,
    )


def _cash_unit(config: KioskConfig) -> FeeAcceptor:
    # No hopper cipher ships with the program: a hopper that requires the encrypted dispense is
    # not used (docs/cash-hardware.md); the kiosk starts even if a device is not there yet
    # (the drivers keep trying; issuance is offered only once both answer).
    return CashUnit(cash_unit_config(config))


ACCEPTOR_DRIVERS: dict[AcceptorDriver, AcceptorFactory] = {
    AcceptorDriver.BRIDGE: _bridge_acceptor,
    AcceptorDriver.ID003_CCTALK: _cash_unit,
}


@dataclass
class Kiosk:
    """A built kiosk: the runner (not started), its profile, and for the developer profile the
    simulated world (card dock, acceptor, printer faults) that the dev dock and demo steer."""

    runner: Runner
    config: KioskConfig
    world: Any = None  # kiosk.app.developer.DeveloperWorld on the developer profile
    closers: list[Callable[[], None]] = field(default_factory=list)
    operations: Operations | None = None  # staff mode, metrics, the device poll

    def close(self) -> None:
        if self.operations is not None:
            self.operations.stop()
        for close in reversed(self.closers):
            try:
                close()
            except Exception:
                log.exception("closing %s failed", close)
        self.closers.clear()


@dataclass(frozen=True)
class DeveloperOptions:
    """How the developer world starts (scripts/dev and tests may change them)."""

    var_dir: Path = DEFAULT_VAR_DIR
    center_clock: datetime | None = None  # None: developer.business_morning() (today's date)
    use_system_clock: bool = False


def build(config: KioskConfig, developer: DeveloperOptions | None = None) -> Kiosk:
    """The kiosk for ``config`` (raises :class:`StartupError` with what to fix)."""
    if config.kind is ProfileKind.DEVELOPER:
        return _build_developer(config, developer or DeveloperOptions())
    return _build_real(config)


def _build_real(config: KioskConfig) -> Kiosk:
    acceptor = _real_acceptor(config)
    center = _center_config(config)
    _check_kiosk_id(config, center)
    ticket = None
    if config.payment.mode is PaymentMode.COUNTER:
        assert config.printer.receipt_queue is not None  # kiosk.config checks it
        ticket = LpTicketPrinter(config.printer.receipt_queue, clock=system_clock)
    parts = KioskParts(
        settings=config.flow_settings(new_boot_id()),
        center=center,
        printer=CupsPrinter(config.printer.queue),
        journal_path=config.journal_path,
        salt=load_or_create_salt(config.serial_salt_path),
        card_connector=pcsc_connector(),
        card_monitor=pcsc_monitor,
        center_client=CenterClient,
        sound=AplayReminderPlayer(),
        clock=system_clock,
        jitter=random.random,
        reader=ReaderChoice(config.reader.name_contains),
        acceptor=acceptor,
        ticket_printer=ticket,
        verification_service=config.printer.verification_service,
        receipt_queue=config.printer.receipt_queue,
        staff=config.staff,
        metrics_port=config.metrics_port,
    )
    closers: list[Callable[[], None]] = []
    if isinstance(acceptor, BridgeAcceptor | CashUnit):
        closers.append(acceptor.close)
    runner = assemble(parts)
    return Kiosk(runner, config, closers=closers, operations=assemble_operations(parts, runner))


def _developer_verification(config: KioskConfig, world: Any, simulated_center: bool) -> str:
    """Where the developer kiosk's backs say to verify: the profile's setting, else the
    simulated center's own verification listener (endpoints.json ``verification_url``), so
    that its printed 発行番号 and 検証コード can be checked there (printing.verify --online)."""
    if config.printer.verification_service or not simulated_center:
        return config.printer.verification_service
    return str(world.center.endpoints.get("verification_url", ""))


def _real_acceptor(config: KioskConfig) -> FeeAcceptor | None:
    if config.payment.mode is PaymentMode.COUNTER:
        return None
    driver = config.payment.driver
    assert driver is not None  # kiosk.config: mode "acceptor" needs a driver
    factory = ACCEPTOR_DRIVERS.get(driver)
    if factory is None:
        raise StartupError(
            f"payment.driver = {driver.value!r}: this program has no driver for that fee "
            "acceptor yet, so the kiosk cannot take money and does not start. Install a "
            "release with the driver, or use a city-hall profile with counter payment. "
            "(The simulated acceptor exists only for the developer profile.)"
        )
    return factory(config)


def _center_config(config: KioskConfig) -> CenterConfig:
    settings = config.center
    for name, path in (
        ("center.ca", settings.ca_path),
        ("center.client_cert", settings.cert_path),
        ("center.client_key", settings.key_path),
    ):
        if not path.is_file():
            raise StartupError(f"{name} = {path}: no such file")
    return CenterConfig(settings.base_url, settings.ca_path, settings.cert_path, settings.key_path)


def _check_kiosk_id(config: KioskConfig, center: CenterConfig) -> None:
    certified = kiosk_id_of(center)
    if certified != config.kiosk_id:
        raise StartupError(
            f"kiosk_id = {config.kiosk_id!r} but the client certificate is for {certified!r}"
        )


def _build_developer(config: KioskConfig, options: DeveloperOptions) -> Kiosk:
    from kiosk.app import developer  # the simulators: developer profile only

    simulators = config.simulators
    assert simulators is not None  # kiosk.config: a developer profile has [simulators]
    cash_sim = simulators.acceptor and config.payment.driver is AcceptorDriver.ID003_CCTALK
    world = developer.start_world(
        options.var_dir,
        center_clock=options.center_clock,
        use_system_clock=options.use_system_clock,
        start_center=simulators.center,
        cash_unit=cash_sim and config.payment.mode is PaymentMode.ACCEPTOR,
    )
    kiosk_closers: list[Callable[[], None]] = [world.close]
    try:
        if simulators.center:
            center = world.center.kiosk_config(config.kiosk_id)
        else:
            center = _center_config(config)
        _check_kiosk_id(config, center)
        card_connector: Connector
        card_monitor: MonitorFactory
        if simulators.card is CardSimulator.IN_PROCESS:
            cards = developer.InProcessCards.in_folder(world.var_dir)
            world.in_process_cards = cards
            card_connector, card_monitor = cards.connector, cards.monitor
            reader = ReaderChoice(developer.IN_PROCESS_READER)
        else:  # the virtual card in vpcd, on the private pcscd
            card_connector, card_monitor = pcsc_connector(), pcsc_monitor
            reader = ReaderChoice(config.reader.name_contains)
        if simulators.printer is PrinterSimulator.PRIVATE_CUPSD:
            printer = CupsPrinter(world.daemons.queue, server=world.daemons.cups_server)
            on_job_done = world.keep_printed
            ticket_server: str | None = world.daemons.cups_server
        else:
            printer = CupsPrinter(config.printer.queue)
            on_job_done = None
            ticket_server = None
        ticket = None
        if config.payment.mode is PaymentMode.COUNTER:
            queue = config.printer.receipt_queue or world.daemons.queue
            ticket = LpTicketPrinter(queue, server=ticket_server, clock=system_clock)
        acceptor: FeeAcceptor | None = None
        if world.cash is not None:
            unit = developer.simulated_cash_unit(world, cash_unit_config(config, *world.cash_ports))
            kiosk_closers.append(unit.close)
            acceptor = unit
        elif config.payment.mode is PaymentMode.ACCEPTOR:
            acceptor = world.acceptor if simulators.acceptor else _real_acceptor(config)
        parts = KioskParts(
            settings=config.flow_settings(new_boot_id()),
            center=center,
            printer=printer,
            journal_path=config.journal_path,
            salt=load_or_create_salt(config.serial_salt_path),
            card_connector=card_connector,
            card_monitor=card_monitor,
            center_client=CenterClient,
            sound=AplayReminderPlayer(),
            clock=system_clock,
            jitter=random.random,
            reader=reader,
            acceptor=acceptor,
            ticket_printer=ticket,
            issuer_public_key=load_issuer_key(world.issuer_key_path),
            verification_service=_developer_verification(config, world, simulators.center),
            on_job_done=on_job_done,
            receipt_queue=config.printer.receipt_queue,
            cups_server=ticket_server,
            staff=config.staff,
            metrics_port=config.metrics_port,
        )
        runner = assemble(parts)
        operations = assemble_operations(parts, runner)
    except BaseException:
        world.close()
        raise
    return Kiosk(runner, config, world, kiosk_closers, operations)


__all__ = ["ACCEPTOR_DRIVERS", "DeveloperOptions", "Kiosk", "build"]
