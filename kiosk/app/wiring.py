"""Assembly: the parts a profile chose → a running :class:`~kiosk.runtime.Runner`.

Every deployment goes through :func:`assemble`: the store and city-hall profiles with real
devices, the developer profile with simulators, and the end-to-end tests with the simulators of
their fixtures. What differs is only which parts are passed in (kiosk/app/profiles.py chooses).
This module imports no Qt and no simulator.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from kiosk.audit import add_observer
from kiosk.center import wire
from kiosk.center.client import CenterClient, CenterConfig
from kiosk.center.errors import CenterError
from kiosk.center.transport import CallObserver
from kiosk.config import StaffConfig
from kiosk.flow import FlowSettings
from kiosk.flow.state import StaffAccess
from kiosk.journal import Journal, JournalError
from kiosk.operations.closing import DayCloser
from kiosk.operations.metrics import FlowFacts, KioskMetrics
from kiosk.operations.papers import ResidentPapers
from kiosk.operations.status import FaultLog
from kiosk.payment import FeeAcceptor, RecoverableAcceptor, ReportsCashLevels
from kiosk.payment.cash_status import ReportsCashStatus
from kiosk.problems import staff_code
from kiosk.runtime import (
    CardService,
    CenterService,
    PaymentService,
    PrintService,
    PrintTiming,
    ReaderChoice,
    ReminderPlayer,
    Runner,
    Services,
    TicketPrinter,
    Timers,
    TransactionFacts,
    recover_open_transactions,
)
from kiosk.runtime.card import Connector, MonitorFactory
from kiosk.runtime.cash_recovery import reconcile_cash
from kiosk.runtime.center import HealthTiming, RetryPolicy
from kiosk.runtime.context import Clock
from kiosk.runtime.monitoring import POLL_INTERVAL_S, DevicePoller
from kiosk.runtime.print_recovery import interrupted_prints
from kiosk.runtime.printer import JobObserver, Printer
from kiosk.runtime.staff import StaffParts, StaffPost, StaffRunner
from kiosk.staff.credentials import StaffDirectory
from printing.security import PrintCalibration

log = logging.getLogger(__name__)

SALT_BYTES = 32  # the kiosk's secret for serial digests (kiosk.journal.serial_digest: ≥ 16)
# How long the start waits for a cash unit with its own ledger to read its devices (an ID-003
# validator initialises in about a second; a device that is not there is not waited for longer).
CASH_RECOVERY_WAIT_S = 10.0


class StartupError(Exception):
    """The kiosk cannot start with this profile; the message says what to fix."""


def system_clock() -> datetime:
    """The machine's clock, timezone-aware (the runtime's :data:`~kiosk.runtime.context.Clock`)."""
    return datetime.now(UTC)


@dataclass
class KioskParts:
    """Everything a kiosk is made of, chosen by a profile (or a test).

    Every implementation is named here, none is a default: the card connector and monitor
    (kiosk.app.pcsc, or the developer profile's in-process reader), the center client, the
    printer, the sound, the clock and the jitter of report retries. What may be left out is
    configuration (None: the runtime's documented constants) or a part this kiosk does not have.
    """

    settings: FlowSettings
    center: CenterConfig
    printer: Printer
    journal_path: Path
    salt: bytes
    card_connector: Connector
    card_monitor: MonitorFactory | None  # None: no monitor (a reader that reports nothing)
    center_client: Callable[[CenterConfig], CenterClient]
    sound: ReminderPlayer
    clock: Clock
    jitter: Callable[[], float]  # [0, 1): the completion-report retries' jitter
    reader: ReaderChoice = field(default_factory=ReaderChoice)
    acceptor: FeeAcceptor | None = None  # None: counter payment (city hall)
    ticket_printer: TicketPrinter | None = None
    issuer_public_key: Any = None  # the 券面事項入力補助AP issuer key (EF 0003 signature)
    print_timing: PrintTiming | None = None
    calibration: PrintCalibration | None = None
    verification_service: str = ""  # where a certificate's back says to verify it
    on_job_done: JobObserver | None = None
    report_retry: RetryPolicy | None = None  # None: kiosk.runtime.center.report's constants
    health_timing: HealthTiming | None = None  # None: kiosk.runtime.center.health's constants
    receipt_queue: str | None = None  # slips and receipts on this roll queue (else A4)
    cups_server: str | None = None  # the cupsd of lp for the receipt queue (None: default)
    staff: StaffConfig = field(default_factory=StaffConfig)
    metrics_port: int | None = None  # the Prometheus endpoint on 127.0.0.1 (None: off)
    # Told of every center call (the metrics, added by assemble_operations): a list shared with
    # the center clients that assemble makes, so an observer added later still hears them.
    center_observers: list[CallObserver] = field(default_factory=list)


def check_private_file(path: Path, name: str) -> None:
    """Refuse to start with a secret that others on the machine may read or change.

    ``name`` is the profile key that names the file, for the message. A kiosk's private key
    readable by another account is a stolen kiosk identity (docs/running.md, store checklist).
    """
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise StartupError(f"{name} = {path}: {exc.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise StartupError(
            f"{name} = {path}: group or others may read or write it "
            f"(mode {stat.S_IMODE(mode):04o}); it must be readable by the kiosk's user only: "
            f"chmod 600 {path}"
        )


def kiosk_id_of(config: CenterConfig) -> str:
    """The kiosk's id (the CN of its client certificate); checks the TLS material loads and
    that the private key is the kiosk user's alone."""
    check_private_file(Path(config.key_path), "center.client_key")
    try:
        with CenterClient(config) as client:
            return client.kiosk_id
    except CenterError as exc:
        raise StartupError(f"center TLS material: {exc}") from None


def assemble(parts: KioskParts) -> Runner:
    """Open the journal, close what a crash left open, and build the runner (not started)."""
    kiosk_id = kiosk_id_of(parts.center)
    acceptor = parts.acceptor
    try:
        journal = Journal(parts.journal_path)
        settled: list[str] = []
        if isinstance(acceptor, RecoverableAcceptor):
            # First what the cash unit's own ledger knows (money a kill left between a device
            # and the journal), then the journal's own recovery.
            settled = reconcile_cash(journal, acceptor.recovery(CASH_RECOVERY_WAIT_S), kiosk_id)
        # Prints a crash interrupted are settled from CUPS once the print service runs
        # (kiosk/runtime/print_recovery.py); everything else is settled now.
        interrupted = interrupted_prints(journal)
        held = {item.txn_id for item in interrupted}
        recovered = recover_open_transactions(
            journal, kiosk_id, hold=held, payment=parts.settings.payment
        )
    except JournalError as exc:
        raise StartupError(f"journal {parts.journal_path}: {exc}") from None
    if settled and isinstance(acceptor, RecoverableAcceptor):
        acceptor.confirm(settled)
    if recovered:
        log.warning("%d completion report(s) to send after a restart", len(recovered))
    if interrupted:
        log.warning("%d interrupted print(s) to settle with CUPS", len(interrupted))
    facts = TransactionFacts()
    center_config = parts.center
    make_client = parts.center_client
    observers = parts.center_observers

    def observe(call: str, seconds: float, outcome: str) -> None:
        for observer in list(observers):
            observer(call, seconds, outcome)

    def client() -> CenterClient:
        if make_client is CenterClient:
            return CenterClient(center_config, observe=observe)
        return make_client(center_config)  # a test's client

    papers = ResidentPapers(
        kiosk_id,
        a4=parts.printer,
        receipt_queue=parts.receipt_queue,
        cups_server=parts.cups_server,
        clock=parts.clock,
    )
    services = Services(
        card=CardService(
            facts,
            parts.reader,
            connector=parts.card_connector,
            monitor_factory=parts.card_monitor,
            clock=parts.clock,
            issuer_public_key=parts.issuer_public_key,
        ),
        center=CenterService(
            client,
            facts,
            report_retry=parts.report_retry,
            health_timing=parts.health_timing,
            clock=parts.clock,
            jitter=parts.jitter,
        ),
        printer=PrintService(
            parts.printer,
            facts,
            salt=parts.salt,
            calibration=parts.calibration,
            verification_service=parts.verification_service,
            timing=parts.print_timing,
            ticket_printer=parts.ticket_printer,
            on_job_done=parts.on_job_done,
            clock=parts.clock,
            papers=papers,
        ),
        payment=PaymentService(parts.acceptor) if parts.acceptor is not None else None,
        timers=Timers(),
        sound=parts.sound,
        journal=journal,
    )
    return Runner(
        parts.settings,
        services,
        kiosk_id=kiosk_id,
        recovered=recovered,
        interrupted=interrupted,
    )


@dataclass
class Operations:
    """Store operations beside the resident runner: staff mode, the device poll, the metrics
    endpoint (docs/operations.md). Made by :func:`assemble_operations`, started after the
    runner, stopped before it."""

    staff: StaffRunner
    metrics: KioskMetrics
    poller: DevicePoller
    faults: FaultLog
    metrics_port: int | None
    restart: Callable[[], None] = lambda: log.error("no restart hook set")  # the app sets it
    _server: Any = None
    _unobserve: list[Callable[[], None]] = field(default_factory=list)

    def start(self, post: StaffPost) -> None:
        self._unobserve = [
            add_observer(self.faults.observe),
            add_observer(self.metrics.observe_audit),
        ]
        self.staff.start(post)
        self.poller.start()
        if self.metrics_port is not None:
            try:
                self._server = self.metrics.serve(self.metrics_port)
            except OSError as exc:  # the kiosk serves residents without its metrics
                log.error("metrics port %d: %s", self.metrics_port, exc.strerror)

    @property
    def metrics_url(self) -> str | None:
        """Where the metrics are served (None: not served)."""
        if self._server is None:
            return None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/metrics"

    def stop(self) -> None:
        for remove in self._unobserve:
            remove()
        self.poller.stop()
        self.staff.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def assemble_operations(
    parts: KioskParts,
    runner: Runner,
    *,
    poll_interval_s: float = POLL_INTERVAL_S,
) -> Operations:
    """Staff mode, metrics and the device poll for an assembled runner."""
    services = runner.services
    journal = services.journal
    kiosk_id = runner.kiosk_id
    config = parts.center
    make_client = parts.center_client
    clock = parts.clock

    def settlement(day: date) -> wire.Settlement:
        with make_client(config) as client:
            return client.settlement(day)

    closer = DayCloser(
        journal=journal,
        settlement=settlement,
        printer=parts.printer,
        folder=journal.path.parent / "closings",
        kiosk_id=kiosk_id,
        clock=clock,
    )
    faults = FaultLog(clock)
    acceptor = parts.acceptor
    cash = acceptor if isinstance(acceptor, ReportsCashLevels) else None
    cash_unit = acceptor.status if isinstance(acceptor, ReportsCashStatus) else None
    operations: Operations

    def restart() -> None:
        operations.restart()

    staff = StaffRunner(
        parts.staff.settings(),
        StaffParts(
            directory=StaffDirectory(parts.staff.members),
            journal=journal,
            closer=closer,
            printer=parts.printer,
            cards=services.card,
            cash=cash,
            faults=faults,
            restart=restart,
            kiosk_id=kiosk_id,
            clock=clock,
            cash_unit=cash_unit,
        ),
        runner,
    )

    def flow_facts() -> FlowFacts:
        state = runner.state
        problem = state.center.problem
        return FlowFacts(
            state.service_stop,
            state.staff_access is StaffAccess.OPEN,
            state.center.available,
            staff_code(problem) if problem is not None else None,
        )

    metrics = KioskMetrics(journal.path, flow_facts)
    parts.center_observers.append(metrics.observe_center)
    poller = DevicePoller(staff.read_status, metrics.update_devices, poll_interval_s)
    operations = Operations(staff, metrics, poller, faults, parts.metrics_port)
    return operations


def load_or_create_salt(path: Path) -> bytes:
    """The kiosk's serial-digest salt: read from ``path``, or made once (mode 0600).

    It must stay the same for the kiosk's life so that journal lines can be matched with the
    center's serials by someone who holds it, and must not leave the kiosk.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = secrets.token_bytes(SALT_BYTES)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
        return data
    except OSError as exc:
        raise StartupError(f"salt {path}: {exc.strerror}") from None
    check_private_file(path, "journal.serial_salt_path")
    if len(data) < 16:
        raise StartupError(f"salt {path}: at least 16 bytes needed")
    return data


def load_issuer_key(path: Path | None) -> Any:
    """The 券面事項入力補助AP issuer's public key, or None when not configured."""
    if path is None:
        return None
    from cardio import load_issuer_public_key

    try:
        return load_issuer_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise StartupError(f"card issuer key {path}: {exc}") from None


__all__ = [
    "KioskParts",
    "Operations",
    "StartupError",
    "assemble",
    "assemble_operations",
    "check_private_file",
    "kiosk_id_of",
    "load_issuer_key",
    "load_or_create_salt",
    "system_clock",
]
