"""Finding the kiosk's jobs again by the title hash their names carry (what a restarted kiosk
does to settle a print it did not see end), against the real private cupsd."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

import cups
import pytest

from hw_sim.stack import PrinterFaults, PrivateCupsd
from printing.cups import CupsPrinter
from printing.faults import JobState, PrinterError, PrinterFault, QueuedJob

pytestmark = pytest.mark.cupsd


def wait_state(
    printer: CupsPrinter, title: str, state: JobState, timeout: float = 20.0
) -> QueuedJob:
    deadline = time.monotonic() + timeout
    while True:
        [job] = printer.find_jobs(title)
        if job.state is state:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job stayed {job.state}")
        time.sleep(0.05)


def unique(label: str) -> str:
    """A title no other test of the session used (CUPS keeps every job's history)."""
    return f"{label}-{secrets.token_hex(4)}"


def test_jobs_are_found_by_title_in_every_state(
    printer: CupsPrinter, faults: PrinterFaults, test_pdf: Callable[..., bytes]
) -> None:
    faults.slow(0.4)
    done_title, busy_title = unique("done"), unique("busy")
    done = printer.submit(test_pdf(pages=2), title_hash=done_title, copies_hint=1)
    printing = printer.submit(test_pdf(pages=4), title_hash=busy_title, copies_hint=2)
    assert printer.find_jobs(unique("other")) == ()
    completed = wait_state(printer, done_title, JobState.COMPLETED)
    assert completed.job_id == done.job_id
    assert completed.job_name == done.job_name
    assert completed.pages_printed == 2
    assert completed.finished
    busy = wait_state(printer, busy_title, JobState.PROCESSING)
    assert busy.job_id == printing.job_id
    assert not busy.finished
    assert printer.cancel(printing)
    cancelled = wait_state(printer, busy_title, JobState.CANCELED)
    assert cancelled.finished
    assert cancelled.pages_printed is not None


def test_a_title_is_not_a_prefix_of_another(
    printer: CupsPrinter, faults: PrinterFaults, test_pdf: Callable[..., bytes]
) -> None:
    short = unique("abc")
    printer.submit(test_pdf(pages=1), title_hash=f"{short}-long", copies_hint=1)
    assert printer.find_jobs(short) == ()
    assert len(printer.find_jobs(f"{short}-long")) == 1


def test_jobs_are_found_by_a_client_that_is_not_their_owner(
    cupsd: PrivateCupsd, faults: PrinterFaults, test_pdf: Callable[..., bytes]
) -> None:
    """job-name is one of CUPS' private job values: another user (a reinstalled kiosk under a
    new account) does not get it, but the document name, set to the same, stays visible."""
    owner = CupsPrinter(cupsd.capture_queue, server=cupsd.address, call_timeout_s=2.0)
    title = unique("mine")
    job = owner.submit(test_pdf(pages=1), title_hash=title, copies_hint=1)

    class Stranger(CupsPrinter):
        def _connect(self) -> Any:
            cups.setUser("somebody-else")
            return super()._connect()

    stranger = Stranger(cupsd.capture_queue, server=cupsd.address, call_timeout_s=2.0)
    try:
        [found] = stranger.find_jobs(title)
        hidden = stranger._call(lambda c: c.getJobAttributes(job.job_id))
    finally:
        stranger.close()
        owner.close()
    assert found.job_id == job.job_id
    assert "job-name" not in hidden  # the trap: matching on job-name alone finds nothing
    assert hidden["document-name-supplied"] == job.job_name


def test_an_unreachable_cupsd_is_an_error_not_an_empty_answer(cupsd: PrivateCupsd) -> None:
    nobody = CupsPrinter("KioskCapture", server="127.0.0.1:9", call_timeout_s=1.0)
    with pytest.raises(PrinterError) as raised:
        nobody.find_jobs("any")
    assert raised.value.fault is PrinterFault.UNREACHABLE
