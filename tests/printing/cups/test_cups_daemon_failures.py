"""cupsd itself failing: not running, stopped mid-job, hung. The adapter answers in bounded time
with a typed fault, and recovers when cupsd is back."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator

import pytest

from hw_sim.stack import PrinterFaults, PrivateCupsd
from printing.cups import CupsPrinter
from printing.faults import PrinterError, PrinterFault

pytestmark = pytest.mark.cupsd


@pytest.fixture
def frozen(cupsd: PrivateCupsd, faults: PrinterFaults) -> Iterator[Callable[[], None]]:
    """Freeze cupsd (SIGSTOP: it accepts connections in the kernel but never answers)."""
    pid = cupsd.pid
    assert pid is not None

    def freeze() -> None:
        os.kill(pid, signal.SIGSTOP)

    yield freeze
    os.kill(pid, signal.SIGCONT)


def test_cupsd_not_running_is_unreachable_at_once(
    printer: CupsPrinter, cupsd: PrivateCupsd, test_pdf: Callable[..., bytes]
) -> None:
    cupsd.stop()
    started = time.monotonic()
    status = printer.check_printer()
    assert status.fault is PrinterFault.UNREACHABLE
    assert not status.ready
    with pytest.raises(PrinterError) as raised:
        printer.submit(test_pdf(pages=1), title_hash="abc", copies_hint=1)
    assert raised.value.fault is PrinterFault.UNREACHABLE
    assert time.monotonic() - started < 1.0  # connection refused: no waiting

    cupsd.start()  # a service restart: the adapter reconnects by itself
    assert printer.check_printer().ready


def test_cupsd_going_away_while_tracking_is_reported_as_unreachable(
    printer: CupsPrinter,
    cupsd: PrivateCupsd,
    faults: PrinterFaults,
    test_pdf: Callable[..., bytes],
) -> None:
    faults.slow(0.5)
    job = printer.submit(test_pdf(pages=4), title_hash="abc", copies_hint=1)
    time.sleep(0.2)
    cupsd.stop()
    started = time.monotonic()
    outcome = printer.track(job, time.monotonic() + 30)
    assert outcome.fault is PrinterFault.UNREACHABLE
    assert not outcome.completed
    assert not outcome.cancelled_by_kiosk
    # gave up after unreachable_give_up_s, not at the 30 s deadline
    assert time.monotonic() - started < printer.unreachable_give_up_s + 2.0


def test_a_hung_cupsd_costs_one_call_timeout_not_a_hang(
    printer: CupsPrinter, frozen: Callable[[], None], cupsd: PrivateCupsd
) -> None:
    assert printer.check_printer().ready
    frozen()
    started = time.monotonic()
    status = printer.check_printer()
    elapsed = time.monotonic() - started
    assert status.fault is PrinterFault.UNREACHABLE
    assert printer.call_timeout_s <= elapsed < printer.call_timeout_s + 1.0
    assert cupsd.pid is not None
    os.kill(cupsd.pid, signal.SIGCONT)
    assert printer.check_printer().ready  # a fresh worker and connection


def test_a_hung_cupsd_during_submit_raises_unreachable_in_bounded_time(
    cupsd: PrivateCupsd, frozen: Callable[[], None], test_pdf: Callable[..., bytes]
) -> None:
    printer = CupsPrinter(
        cupsd.capture_queue, server=cupsd.address, call_timeout_s=1.0, submit_timeout_s=1.5
    )
    frozen()
    started = time.monotonic()
    with pytest.raises(PrinterError) as raised:
        printer.submit(test_pdf(pages=1), title_hash="abc", copies_hint=1)
    assert raised.value.fault is PrinterFault.UNREACHABLE
    assert time.monotonic() - started < 3.0


def test_a_submit_stuck_in_a_hung_cupsd_leaves_no_job_behind_when_cupsd_wakes(
    cupsd: PrivateCupsd,
    faults: PrinterFaults,
    frozen: Callable[[], None],
    test_pdf: Callable[..., bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    printer = CupsPrinter(
        cupsd.capture_queue, server=cupsd.address, call_timeout_s=0.5, submit_timeout_s=1.0
    )
    ready = printer.check_printer()
    assert ready.ready
    # cupsd hangs between the printer check and the job's creation
    monkeypatch.setattr(printer, "check_printer", lambda: ready)
    frozen()
    with pytest.raises(PrinterError) as raised:
        printer.submit(test_pdf(pages=1), title_hash="late", copies_hint=1)
    assert raised.value.fault is PrinterFault.UNREACHABLE
    before = {p.name for p in cupsd.capture_dir().glob("job-*.pdf")}
    assert cupsd.pid is not None
    os.kill(cupsd.pid, signal.SIGCONT)  # the abandoned worker's request now goes through…
    time.sleep(1.5)
    printed = {p.name for p in cupsd.capture_dir().glob("job-*.pdf")} - before
    assert printed == set()  # …and the job it created is cancelled, not printed
    assert faults.pending_jobs() == []
