"""Supplies and one-off faults through a real private cupsd: the toner level the backend reports
with a job (``ATTR: marker-…``, filter(7)) reaches the kiosk's printer status — what the staff
status page and the metrics show — and a fault set ``once`` strikes one job, the next prints."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from hw_sim.stack import PrinterFaults
from hw_sim.stack.printer_faults import SimFault
from printing.cups import CupsPrinter
from printing.faults import JobState

pytestmark = pytest.mark.cupsd


def print_one(printer: CupsPrinter, pdf: bytes) -> bool:
    job = printer.submit(pdf, title_hash="supplies", copies_hint=1)
    return printer.track(job, time.monotonic() + 15).completed


@pytest.mark.parametrize(("percent", "low"), [(8, True), (64, False)])
def test_the_toner_level_reaches_the_printer_status(
    printer: CupsPrinter,
    faults: PrinterFaults,
    test_pdf: Callable[..., bytes],
    percent: int,
    low: bool,
) -> None:
    faults.set(None, toner_percent=percent)
    assert print_one(printer, test_pdf(pages=1))  # the backend reports supplies with a job
    deadline = time.monotonic() + 10
    while True:
        markers = printer.check_printer().markers
        if markers and markers[0].percent == percent:
            break
        assert time.monotonic() < deadline, markers
        time.sleep(0.1)
    (toner,) = markers
    assert toner.kind == "toner"
    assert toner.low_level == 10
    assert toner.low is low


def test_a_fault_set_once_strikes_one_job(
    printer: CupsPrinter, faults: PrinterFaults, test_pdf: Callable[..., bytes]
) -> None:
    faults.set(SimFault.CANCEL, once=True)
    job = printer.submit(test_pdf(pages=1), title_hash="first", copies_hint=1)
    first = printer.track(job, time.monotonic() + 15)
    assert not first.completed
    assert first.job_state in (JobState.CANCELED, JobState.ABORTED)
    assert faults.current().fault is None  # the backend cleared it
    faults.resume_printer()  # a backend failure may stop the queue, as staff would restart it
    assert print_one(printer, test_pdf(pages=1))
