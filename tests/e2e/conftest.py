"""Fixtures of the kiosk's end-to-end tests: the whole kiosk on the real stack.

Per session: the private pcscd with vpcd (tests/conftest.py ``pcscd``), a private cupsd with
the capture queue, the simulated center as its own process over mutual TLS (the center's test
harness, tests/hw_sim/center/harness.py), reset to a fixed weekday morning before each test.
Per test: a card dock with fresh PIN counters, a simulated fee acceptor (or, with
``cash_unit=``, the simulated ID-003 + ccTalk cash unit in its own process on pseudo-terminals
with the kiosk's real driver), a healthy printer, a journal in a temporary folder, and a kiosk
assembled by kiosk.app.wiring.assemble — the same assembly as the real profiles — with its Qt
window, driven by kiosk.app.demo.Driver.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cardio.pcsc import PcscContext
from hw_sim.acceptor import SimulatedAcceptor
from hw_sim.acceptor_bridge import AcceptorBridgeServer
from hw_sim.card import CardDock
from hw_sim.cash import CashSimControl, CashSimProcess, SimConfig, SimulatorCipher
from hw_sim.pki import JpkiTestPki
from hw_sim.stack import PrinterFaults, PrivateCupsd, PrivatePcscd, private_cupsd_session
from hw_sim.stack.pcscd import VPCD_READER_NAMES
from kiosk.app.demo import Driver
from kiosk.app.pcsc import pcsc_connector, pcsc_monitor
from kiosk.app.wiring import (
    KioskParts,
    Operations,
    assemble,
    assemble_operations,
    load_issuer_key,
    system_clock,
)
from kiosk.center.client import CenterClient
from kiosk.center.wire import JST
from kiosk.config import StaffConfig, StaffGesture
from kiosk.flow import FlowSettings, TimeoutSettings, TimerName
from kiosk.flow.state import PaymentMode
from kiosk.journal import Journal
from kiosk.payment import FeeAcceptor
from kiosk.payment.bridge import BridgeAcceptor
from kiosk.payment.cash_unit import CashUnit, CashUnitConfig
from kiosk.payment.cctalk import CoinSettings
from kiosk.runtime import HealthTiming, PrintTiming, ReaderChoice, RetryPolicy, Runner
from kiosk.runtime.runner import new_boot_id
from kiosk.runtime.ticket import LpTicketPrinter
from kiosk.sound import SilentReminderPlayer
from kiosk.staff.credentials import StaffMember, card_digest, parse_pin_hash
from printing.cups import CupsPrinter
from tests.cardio.pcsc_cards import wait_for_card
from tests.hw_sim.center.harness import RunningCenter

SALT = b"e2e-test-salt-0123456789abcdef"
# The staff of the kiosks under test: staff number 1001, PIN 2468, card 04A2241A7C5E80 (the
# developer world's staff card, hw_sim/card/staff.py); a cheap hash (N = 2^14) for speed.
STAFF_PIN = "2468"
STAFF = StaffConfig(
    members=(
        StaffMember(
            "1001",
            parse_pin_hash(
                "scrypt$16384$8$1$xDpw56QifnjL8LfAlzH+dA==$3Ky5S8/h1kidEKAh0JwxQMZnxuueRnt2ASRy75KB3oQ="
            ),
            card_digest(bytes.fromhex("04A2241A7C5E80")),
        ),
    ),
    open_key="F12",
    open_gesture=StaffGesture.CORNER_TAPS,
    card_login=True,
)


@pytest.fixture(scope="session")
def e2e_cupsd() -> Iterator[PrivateCupsd]:
    """A private cupsd with the capture queue for the kiosk tests."""
    yield from private_cupsd_session()


@pytest.fixture
def printer_faults(e2e_cupsd: PrivateCupsd) -> Iterator[PrinterFaults]:
    """The capture queue's fault switch; every test starts and ends with a healthy printer."""
    switch = PrinterFaults(e2e_cupsd.rundir)
    switch.cancel_all_jobs()
    switch.clear()
    yield switch
    switch.cancel_all_jobs()
    switch.clear()


@dataclass(frozen=True)
class LedgerTotals:
    issuances: int
    copies_printed: int  # paid at the kiosk
    refunded_yen: int
    refund_pending_yen: int
    open_issuances: int
    store_fee_yen: int = 0
    counter_copies_printed: int = 0  # printed against a city-hall counter ticket
    counter_fees_yen: int = 0


class CenterLedger:
    """This kiosk's totals at the simulated center over its business days around the test.

    The center books an issuance on its own business day (the JST date of its business clock,
    which tests set; never the system's date). The ledger asks the center for that day when it
    is made and sums it with the day before and after, so a test that runs across the center's
    midnight still compares before and after on the same days.
    """

    def __init__(self, center: RunningCenter, kiosk_id: str = "kiosk-0001") -> None:
        day = center.business_now().astimezone(JST).date()
        self.days = (day - timedelta(days=1), day, day + timedelta(days=1))
        self.center = center
        self.kiosk_id = kiosk_id

    def totals(self) -> LedgerTotals:
        with self.center.client(self.kiosk_id) as client:
            days = [client.settlement(day) for day in self.days]
        return LedgerTotals(
            issuances=sum(d.issuances for d in days),
            copies_printed=sum(d.copies_printed for d in days),
            refunded_yen=sum(d.refunded_yen for d in days),
            refund_pending_yen=sum(d.refund_pending_yen for d in days),
            open_issuances=sum(d.open_issuances for d in days),
            store_fee_yen=sum(d.store_fee_yen for d in days),
            counter_copies_printed=sum(d.counter_copies_printed for d in days),
            counter_fees_yen=sum(d.counter_fees_yen for d in days),
        )


@dataclass
class KioskUnderTest:
    """A running kiosk and the simulators around it."""

    runner: Runner
    driver: Driver
    dock: CardDock
    acceptor: SimulatedAcceptor
    faults: PrinterFaults
    center: RunningCenter
    cupsd: PrivateCupsd
    journal_path: Path
    sound: SilentReminderPlayer
    jobs_done: list[Any] = field(default_factory=list)
    ledger: CenterLedger | None = None  # the kiosk's totals at the center, days fixed at start
    bridge: AcceptorBridgeServer | None = None  # with cash_bridge: the daemon in front of acceptor
    cash: CashSimProcess | None = None  # with cash_unit: the simulated ID-003 + ccTalk cash unit
    cash_driver: CashUnit | None = None  # and the kiosk's driver on it
    operations: Operations | None = None  # with staff=True: staff mode, metrics, device poll
    console: Any = None  # with staff=True: the staff console over the window

    @property
    def cash_control(self) -> CashSimControl:
        assert self.cash is not None
        return self.cash.control()

    def journal(self) -> Journal:
        return Journal(self.journal_path)

    def totals(self) -> LedgerTotals:
        assert self.ledger is not None
        return self.ledger.totals()

    def captured(self, job_id: int, failed: bool = False) -> Path:
        name = f"job-{job_id}.failed.pdf" if failed else f"job-{job_id}.pdf"
        return self.cupsd.capture_dir() / name


MakeKiosk = Callable[..., KioskUnderTest]


@pytest.fixture
def make_kiosk(
    qapp: Any,
    pcscd: PrivatePcscd,
    center: RunningCenter,
    center_pki: JpkiTestPki,
    e2e_cupsd: PrivateCupsd,
    printer_faults: PrinterFaults,
    tmp_path: Path,
) -> Iterator[MakeKiosk]:
    """``make_kiosk(timeouts=..., payment=..., shots=..., report_retry=..., health_timing=...)``
    → a started kiosk with its window. ``on_job_done(job, handle, outcome)`` is called on the
    print worker as each certificate job ends, before the flow hears of it (a test puts a
    fault in force for the next item of a basket there)."""
    from kiosk.app.qt import make_window, start_on_qt

    made: list[tuple[Runner, Any, CardDock, SimulatedAcceptor]] = []
    reader_context = PcscContext()
    # A card of an earlier test may still be seen by pcscd (it polls vpcd every ~0.4 s): start
    # with an empty reader, or the new kiosk would try to read a card that is already gone.
    wait_for_card(reader_context, present=False)

    def make(
        *,
        timeouts: TimeoutSettings | None = None,
        payment: PaymentMode = PaymentMode.ACCEPTOR,
        shots: Path | None = None,
        print_timing: PrintTiming | None = None,
        tickets: bool = False,
        report_retry: RetryPolicy | None = None,
        health_timing: HealthTiming | None = None,
        cash_bridge: bool = False,
        cash_unit: SimConfig | None = None,
        staff: bool = False,
        metrics: bool = False,
        on_job_done: Callable[[Any, Any, Any], None] | None = None,
        clock: Callable[[], Any] | None = None,
    ) -> KioskUnderTest:
        dock = CardDock(
            port=pcscd.vpcd_ports[0], state_dir=tmp_path / "cards", pki_dir=center_pki.folder
        )
        acceptor = SimulatedAcceptor()
        kiosk_acceptor: FeeAcceptor = acceptor
        bridge: AcceptorBridgeServer | None = None
        if cash_bridge:  # the simulated unit behind the bridge daemon, the kiosk's real driver
            folder = Path(tempfile.mkdtemp(prefix="cash-", dir="/tmp"))  # short socket path
            bridge = AcceptorBridgeServer(acceptor, folder / "cash.sock")
            bridge_driver = BridgeAcceptor(folder / "cash.sock", reconnect_interval_s=0.2)
            assert bridge_driver.wait_connected(10)
            kiosk_acceptor = bridge_driver
            bridges.append((bridge_driver, bridge, folder))
        cash: CashSimProcess | None = None
        cash_driver: CashUnit | None = None
        money: Any = acceptor
        if cash_unit is not None:  # the real driver on the simulated cash unit's ptys
            folder = Path(tempfile.mkdtemp(prefix="cash-", dir="/tmp"))  # short pty links
            cash = CashSimProcess(folder / "sim", cash_unit)
            cash.start()
            coins = CoinSettings(hopper_addresses=tuple(h[0] for h in cash_unit.hoppers))
            config = CashUnitConfig(
                cash.id003_path, cash.cctalk_path, tmp_path / "kiosk" / "cash-ledger.json", coins
            )
            cash_driver = CashUnit(config, cipher=SimulatorCipher())
            assert cash_driver.wait_ready(20)
            kiosk_acceptor = cash_driver
            money = cash.control()
            cash_units.append((cash_driver, cash, folder))
        sound = SilentReminderPlayer()
        journal_path = tmp_path / "kiosk" / "journal.sqlite3"
        jobs: list[Any] = []

        def job_done(job: Any, handle: Any, outcome: Any) -> None:
            jobs.append((job, handle, outcome))
            if on_job_done is not None:
                on_job_done(job, handle, outcome)

        settings = FlowSettings(
            boot_id=new_boot_id(),
            payment=payment,
            timeouts=timeouts or TimeoutSettings(),
        )
        parts = KioskParts(
            settings=settings,
            center=center.kiosk_config("kiosk-0001"),
            printer=CupsPrinter(
                e2e_cupsd.capture_queue,
                server=e2e_cupsd.address,
                poll_interval_s=0.05,
                unreachable_give_up_s=2.0,
                offline_grace_s=0.5,
            ),
            journal_path=journal_path,
            salt=SALT,
            card_connector=pcsc_connector(),
            card_monitor=pcsc_monitor,
            center_client=CenterClient,
            sound=sound,
            clock=clock or system_clock,
            jitter=random.random,
            reader=ReaderChoice(VPCD_READER_NAMES[0]),
            acceptor=kiosk_acceptor if payment is PaymentMode.ACCEPTOR else None,
            ticket_printer=LpTicketPrinter(
                e2e_cupsd.capture_queue, server=e2e_cupsd.address, clock=system_clock
            )
            if tickets
            else None,
            issuer_public_key=load_issuer_key(center_pki.kenmen_issuer_public_pem_path),
            print_timing=print_timing or PrintTiming(warm_up_s=30.0, per_sheet_s=10.0),
            on_job_done=job_done,
            report_retry=report_retry,
            health_timing=health_timing,
            staff=STAFF if staff else StaffConfig(),
            metrics_port=0 if metrics else None,
        )
        runner = assemble(parts)
        start_on_qt(runner)
        window = make_window(runner, size=(1280, 800))
        window.show()
        operations: Operations | None = None
        console = None
        if staff:
            from kiosk.app.qt import start_operations_on_qt

            operations = assemble_operations(parts, runner)
            _bridge, console = start_operations_on_qt(
                operations, window, STAFF, lambda: restarts.append(runner)
            )
            opened.append(operations)
        driver = Driver(runner, window, qapp, dock=dock, acceptor=money, shots_dir=shots)
        made.append((runner, window, dock, acceptor))
        driver.pump(0.05)
        return KioskUnderTest(
            runner,
            driver,
            dock,
            acceptor,
            printer_faults,
            center,
            e2e_cupsd,
            journal_path,
            sound,
            jobs,
            CenterLedger(center),
            bridge,
            cash,
            cash_driver,
            operations,
            console,
        )

    bridges: list[tuple[BridgeAcceptor, AcceptorBridgeServer, Path]] = []
    cash_units: list[tuple[CashUnit, CashSimProcess, Path]] = []
    opened: list[Operations] = []
    restarts: list[Runner] = []
    yield make
    for operations in opened:
        operations.stop()
    for runner, window, dock, acceptor in made:
        dock.close()
        wait_for_card(reader_context, present=False)
        runner.stop()
        window.close_source()
        window.close()
        window.deleteLater()
        acceptor.close()
    for bridge_driver, bridge_server, folder in bridges:
        bridge_driver.close()
        bridge_server.close()
        shutil.rmtree(folder, ignore_errors=True)
    for cash_driver, cash_sim, folder in cash_units:
        cash_driver.close()
        cash_sim.stop()
        shutil.rmtree(folder, ignore_errors=True)
    qapp.processEvents()
    reader_context.release()


@pytest.fixture
def kiosk(make_kiosk: MakeKiosk) -> KioskUnderTest:
    """A kiosk with the standard timeouts, paying with the simulated acceptor."""
    return make_kiosk()


def short_timeouts(seconds: float = 0.4, *, prompt: float = 0.4) -> TimeoutSettings:
    """Every timer of the flow at ``seconds`` (the continue prompt at ``prompt``)."""
    overrides = tuple(
        (name, prompt if name is TimerName.CONTINUE_PROMPT else seconds) for name in TimerName
    )
    return TimeoutSettings(overrides=overrides)


def pdf_pages(pdf: Path, out: Path, dpi: int = 40) -> list[Path]:
    """Render every page of ``pdf`` to PNG with pdftoppm; returns the files in page order."""
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(out / "page")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return sorted(out.glob("page-*.png"))


def pdf_text(pdf: Path) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, timeout=60
    )
    return result.stdout.decode("utf-8", errors="replace")
