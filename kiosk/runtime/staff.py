"""The staff runtime: owns the staff flow's state (kiosk/staff), steps it, and executes its
effects — beside the resident runner (kiosk/runtime/runner.py), never inside it.

Threads, as for the resident flow: :meth:`StaffRunner.dispatch` runs on the UI thread (Qt) or a
ThreadLoop (tests); the effects run in order on one worker (``kiosk-staff``): the journal first
for every staff record (write-ahead: the action is taken only once it is recorded), the slow
PIN hash, the printer; a closing runs on a thread of its own (``kiosk-closing``) and reports
its progress. The two flows talk only through events: the resident runner is asked for the
kiosk (``StaffRequested``) and told when staff leave (``StaffReleased``) or change the service
(``ServiceStopChanged``); it answers through ``Runner.staff_access_listener``.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from kiosk.audit import record
from kiosk.flow.events import ServiceStopChanged, StaffReleased, StaffRequested
from kiosk.flow.state import StaffAccess
from kiosk.journal import CashCounted, CashCountKind, Journal, JournalError, OwedPaidBack
from kiosk.journal.operations import ServiceChanged
from kiosk.operations.closing import DayCloser
from kiosk.operations.papers import A4Printer, print_a4, render_test_page
from kiosk.operations.status import (
    CashLevels,
    CenterReport,
    DeviceStatus,
    DiskReport,
    FaultLog,
    PrinterReport,
    ReaderReport,
)
from kiosk.payment import Denomination
from kiosk.payment.cash_status import CashStatus
from kiosk.problems import staff_code
from kiosk.runtime.runner import Runner
from kiosk.staff import StaffSettings, StaffState, initial_staff_state, step
from kiosk.staff import effects as sx
from kiosk.staff import events as se
from kiosk.staff.credentials import StaffDirectory
from kiosk.staff.state import StaffTimer
from kiosk.staff.views import ClosingView, CountLine, CountResult
from printing.faults import PrinterError, PrinterFault

log = logging.getLogger(__name__)

StaffPost = Callable[[se.StaffEvent], None]
Listener = Callable[[], None]
STOP_WAIT_S = 5.0


class CashLevelSource(Protocol):
    """What the cash screen needs of the fee acceptor (kiosk.operations.status)."""

    def cash_levels(self) -> CashLevels: ...


class StaffCards(Protocol):
    """What the login needs of the card service (kiosk.runtime.card.CardService)."""

    def watch_staff_cards(self, seen: Callable[[bytes | None], None] | None) -> None: ...

    def reader_state(self) -> tuple[tuple[str, ...], bool, bool]: ...


@dataclass
class StaffParts:
    """Everything the staff screens act on (kiosk/app/wiring.py makes them)."""

    directory: StaffDirectory
    journal: Journal
    closer: DayCloser
    printer: A4Printer  # the A4 printer: test page, day report
    cards: StaffCards
    cash: CashLevelSource | None  # None: no acceptor (counter payment), or one that cannot count
    faults: FaultLog
    restart: Callable[[], None]  # stop cleanly and start the program again (the app's)
    kiosk_id: str
    clock: Callable[[], datetime]
    cash_unit: Callable[[], CashStatus] | None = None  # a unit driven directly: its devices


class StaffRunner:
    """Owns the staff flow (see the module docstring)."""

    def __init__(self, settings: StaffSettings, parts: StaffParts, resident: Runner) -> None:
        self.parts = parts
        self.resident = resident
        service = parts.journal.service()
        self._state = initial_staff_state(settings, service.stop if service else None)
        self._listeners: list[Listener] = []
        self._post: StaffPost | None = None
        self._worker: ThreadPoolExecutor | None = None
        self._closing: threading.Thread | None = None
        self._timers: dict[StaffTimer, threading.Timer] = {}
        self._timer_lock = threading.Lock()
        self._dispatching = False
        self._backlog: list[se.StaffEvent] = []
        resident.staff_access_listener = self._on_access

    # -- life cycle ------------------------------------------------------------------------------
    def start(self, post: StaffPost) -> None:
        """Start the worker; results come back through ``post`` (to :meth:`dispatch`)."""
        self._post = post
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-staff")
        if self._state.stop is not None:  # out of service across the restart, as journaled
            self.resident.post(ServiceStopChanged(self._state.stop))

    def stop(self) -> None:
        with self._timer_lock:
            timers, self._timers = list(self._timers.values()), {}
        for timer in timers:
            timer.cancel()
        if self._worker is not None:
            self._worker.shutdown(wait=False, cancel_futures=True)
            self._worker = None
        closing = self._closing
        if closing is not None:
            closing.join(STOP_WAIT_S)

    # -- the staff flow (UI thread) --------------------------------------------------------------
    @property
    def state(self) -> StaffState:
        return self._state

    def current(self) -> StaffState:
        return self._state

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def post(self, event: se.StaffEvent) -> None:
        """Thread-safe: deliver ``event`` to :meth:`dispatch` on the UI thread."""
        post = self._post
        if post is None:
            log.warning("staff event %s before start: dropped", type(event).__name__)
            return
        post(event)

    def dispatch(self, event: se.StaffEvent) -> None:
        """Step the staff flow (UI thread only; events sent by listeners queue behind)."""
        self._backlog.append(event)
        if self._dispatching:
            return
        self._dispatching = True
        try:
            while self._backlog:
                self._step(self._backlog.pop(0))
        finally:
            self._dispatching = False

    def _step(self, event: se.StaffEvent) -> None:
        old = self._state
        try:
            new, effects = step(old, event)
        except Exception:  # a staff flow bug must not take the kiosk down
            log.exception("staff step failed on %s", type(event).__name__)
            return
        self._state = new
        for effect in effects:
            self._handle(effect)
        for listener in list(self._listeners):
            try:
                listener()
            except Exception:
                log.exception("staff listener failed")

    def _on_access(self, access: StaffAccess, request: int) -> None:
        """The resident flow's answer (its sequencer thread)."""
        self.post(se.AccessChanged(access, request))

    # -- effects ---------------------------------------------------------------------------------
    def _handle(self, effect: sx.StaffEffect) -> None:
        """Quick effects here (UI thread); the rest in order on the worker."""
        match effect:
            case sx.StartStaffTimer(name=name, seconds=seconds, serial=serial):
                self._start_timer(name, seconds, serial)
            case sx.CancelStaffTimer(name=name):
                self._cancel_timer(name)
            case sx.StaffAudit(record=entry):
                record(entry, self.parts.kiosk_id)
            case sx.RequestKiosk(request=request):
                self.resident.post(StaffRequested(request))
            case sx.ReleaseKiosk():
                self.resident.post(StaffReleased())
            case sx.WatchStaffCard(on=on):
                self.parts.cards.watch_staff_cards(self._card_seen if on else None)
            case sx.RunClosing() | sx.ReprintDayReport():
                self._close(effect)
            case sx.RestartProgram():
                self.parts.restart()
            case _:
                self._submit(lambda: self._execute(effect))

    def _execute(self, effect: sx.StaffEffect) -> None:
        parts = self.parts
        journal = parts.journal
        try:
            match effect:
                case sx.CheckPin(staff_id=staff_id, pin=pin):
                    self.post(se.PinChecked(staff_id, parts.directory.check(staff_id, pin)))
                case sx.ReadStatus():
                    self.post(se.StatusRead(self.read_status()))
                case sx.PrintTestPageNow():
                    self.post(se.TestPagePrinted(self._test_page()))
                case sx.ApplyService(staff_id=staff_id, stop=stop):
                    journal.write(ServiceChanged(staff_id, stop))  # write-ahead
                    self.resident.post(ServiceStopChanged(stop))
                    self.post(se.ServiceApplied(stop))
                case sx.ReadOwed():
                    self.post(se.OwedRead(tuple(journal.owed_entries())))
                case sx.RecordPaidBack(staff_id=staff_id, entry=entry, yen=yen):
                    journal.write(OwedPaidBack(entry, staff_id, yen))
                    self.post(se.PaidBackRecorded(entry, tuple(journal.owed_entries())))
                case sx.ReadCash():
                    self.post(se.CashRead(self._cash_levels()))
                case sx.RecordCount():
                    self.post(se.CountRecorded(self._record_count(effect)))
                case sx.ReadDays():
                    self.post(se.DaysRead(parts.closer.days()))
                case _:
                    log.error("staff effect %s not executed here", type(effect).__name__)
        except JournalError as exc:
            log.error("staff record not written: %s", exc)
            self.post(se.StaffJournalFailed(str(exc)[:200]))

    def _submit(self, work: Callable[[], None]) -> None:
        worker = self._worker
        if worker is None:
            log.error("staff work before start")
            return

        def guarded() -> None:
            try:
                work()
            except Exception:
                log.exception("staff work failed")

        worker.submit(guarded)

    def _card_seen(self, card_id: bytes | None) -> None:
        staff_id = self.parts.directory.staff_of_card(card_id) if card_id else None
        self.post(se.StaffCardSeen(staff_id))

    # -- timers ----------------------------------------------------------------------------------
    def _start_timer(self, name: StaffTimer, seconds: float, serial: int) -> None:
        timer = threading.Timer(
            max(0.0, seconds), self.post, args=(se.StaffTimerFired(name, serial),)
        )
        timer.daemon = True
        timer.name = f"kiosk-staff-timer-{name.value}"
        with self._timer_lock:
            previous, self._timers[name] = self._timers.get(name), timer
        if previous is not None:
            previous.cancel()
        timer.start()

    def _cancel_timer(self, name: StaffTimer) -> None:
        with self._timer_lock:
            previous = self._timers.pop(name, None)
        if previous is not None:
            previous.cancel()

    # -- the work --------------------------------------------------------------------------------
    def read_status(self) -> DeviceStatus:
        """Every device as it is now (the status screen; also the metrics' device poll)."""
        parts = self.parts
        readers, present, available = parts.cards.reader_state()
        center = self.resident.state.center
        return DeviceStatus(
            at=parts.clock(),
            reader=ReaderReport(readers, present, available),
            printer=PrinterReport.of(parts.printer.check_printer()),
            cash=self._cash_levels(),
            center=CenterReport(
                center.available,
                staff_code(center.problem) if center.problem is not None else None,
                center.until,
            ),
            disk=disk_report(parts.journal.path),
            faults=parts.faults.last(),
            cash_unit=self._cash_unit(),
        )

    def _cash_unit(self) -> CashStatus | None:
        read = self.parts.cash_unit
        if read is None:
            return None
        try:
            return read()
        except Exception:  # a status screen never fails on a device
            log.exception("the cash unit's status could not be read")
            return None

    def _cash_levels(self) -> CashLevels | None:
        cash = self.parts.cash
        if cash is None:
            return None
        try:
            return cash.cash_levels()
        except Exception:  # a status screen never fails on a device
            log.exception("cash levels could not be read")
            return CashLevels(None, None, "unreadable")

    def _test_page(self) -> PrinterFault | None:
        pdf = render_test_page(self.parts.kiosk_id, self.parts.clock())
        try:
            print_a4(self.parts.printer, pdf, "test-page")
        except PrinterError as exc:
            return exc.fault
        return None

    def _record_count(self, effect: sx.RecordCount) -> CountResult:
        """Journal a refill or collection: each denomination with the pieces counted and what
        the unit counted for the same operation (a refill: its change stores grew by that much;
        a collection: its cash box held that much when the count began)."""
        after = self._cash_levels() if effect.kind is CashCountKind.REFILL else None
        before = effect.before
        count_id = uuid.uuid4().hex[:12]
        lines = []
        for piece, counted in effect.counts:
            unit = unit_count(effect.kind, piece, before, after)
            if not counted and not unit:
                continue
            lines.append(CountLine(int(piece), counted, unit))
        for line in lines:  # write-ahead: the result is shown only once it is recorded
            self.parts.journal.write(
                CashCounted(
                    count_id,
                    effect.kind,
                    effect.staff_id,
                    line.denomination,
                    line.counted,
                    line.unit_count,
                )
            )
        return CountResult(count_id, effect.kind, tuple(lines))

    def _close(self, effect: sx.RunClosing | sx.ReprintDayReport) -> None:
        running = self._closing
        if running is not None and running.is_alive():
            log.warning("a closing is already running")
            return
        closer = self.parts.closer

        def progress(view: ClosingView) -> None:
            self.post(se.ClosingUpdated(view))

        def run() -> None:
            try:
                if isinstance(effect, sx.RunClosing):
                    closer.close(
                        effect.day,
                        effect.staff_id,
                        without_center=effect.without_center,
                        progress=progress,
                    )
                else:
                    closer.reprint(effect.day, effect.staff_id, progress=progress)
            except Exception:
                log.exception("closing failed unexpectedly")

        thread = threading.Thread(target=run, name="kiosk-closing", daemon=True)
        self._closing = thread
        thread.start()


def unit_count(
    kind: CashCountKind,
    piece: Denomination,
    before: CashLevels | None,
    after: CashLevels | None,
) -> int | None:
    """The unit's own count of ``piece`` for a refill or collection (None: it cannot say)."""
    if kind is CashCountKind.COLLECTION:
        if before is None or before.cash_box is None:
            return None
        return before.cash_box.get(piece, 0)
    if before is None or after is None or before.change is None or after.change is None:
        return None
    return after.change.get(piece, 0) - before.change.get(piece, 0)


def disk_report(journal_path: Path) -> DiskReport:
    usage = shutil.disk_usage(journal_path.parent)
    size = 0
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):  # no WAL file yet
            size += journal_path.with_name(journal_path.name + suffix).stat().st_size
    return DiskReport(str(journal_path.parent), usage.free, usage.total, size)


__all__ = [
    "CashLevelSource",
    "StaffCards",
    "StaffParts",
    "StaffRunner",
    "disk_report",
    "unit_count",
]
