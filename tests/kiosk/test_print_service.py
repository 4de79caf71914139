"""The print service (kiosk/runtime/printer.py) against the in-memory printer (printing.memory):
the printer check, composing the issued certificate into the job (a real 印鑑登録証明書 front and
its back side from printing.security), printing it with progress, and every way it can fail —
each ending in exactly the flow event the flow waits for."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from kiosk.flow import Event
from kiosk.flow import events as ev
from kiosk.journal import serial_digest
from kiosk.runtime import IssuedCertificate, IssuedJob, PrintService, PrintTiming, TransactionFacts
from printing.faults import JobHandle, JobState, PrinterFault, PrintOutcome
from printing.memory import MemoryPrinter
from printing.security import CopyToPrint
from tests.print_samples import inkan_copies

SALT = b"s" * 32
SERIAL = "131202-241203-000001-1"
WAIT_S = 30.0  # composing takes a second or two on a loaded machine
QUICK = PrintTiming(warm_up_s=2.0, per_sheet_s=0.5)


@pytest.fixture(scope="module")
def copy() -> CopyToPrint:
    """One copy of a one-page 印鑑登録証明書 as the center sends it: front and back side."""
    [made] = inkan_copies(SERIAL)
    return made


def issued(copy: CopyToPrint, txn_id: str = "t-1", copies: int = 2) -> IssuedCertificate:
    return IssuedCertificate(txn_id, "ISS-1", (copy,) * copies, 1, SERIAL)


class Harness:
    def __init__(self) -> None:
        self.printer = MemoryPrinter()
        self.facts = TransactionFacts()
        self.done: list[tuple[IssuedJob, JobHandle, PrintOutcome]] = []
        self.service = PrintService(
            self.printer,
            self.facts,
            salt=SALT,
            timing=QUICK,
            on_job_done=lambda job, handle, outcome: self.done.append((job, handle, outcome)),
            clock=lambda: datetime(2026, 4, 15, 10, 0, tzinfo=UTC),
        )
        self.events: queue.Queue[Event] = queue.Queue()
        self.service.start(self.events.put)

    def next(self) -> Event:
        return self.events.get(timeout=WAIT_S)

    def until(self, kind: type) -> list[Event]:
        seen = [self.next()]
        while not isinstance(seen[-1], kind):
            seen.append(self.next())
        return seen

    def quiet(self) -> bool:
        try:
            self.events.get(timeout=0.3)
        except queue.Empty:
            return True
        return False


@pytest.fixture
def harness() -> Iterator[Harness]:
    made = Harness()
    yield made
    made.service.stop()
    assert made.printer.closed


def compose(harness: Harness, issued_certificate: IssuedCertificate) -> ev.CertificateReady:
    harness.facts.put_issued(issued_certificate)
    harness.service.compose(issued_certificate.txn_id)
    ready = harness.next()
    assert isinstance(ready, ev.CertificateReady)
    return ready


def test_the_printer_check_says_ready_or_which_fault(harness: Harness) -> None:
    harness.service.check()
    assert harness.next() == ev.PrinterReady()
    harness.printer.set_condition(PrinterFault.OUT_OF_PAPER)
    harness.service.check()
    assert harness.next() == ev.PrinterNotReady(PrinterFault.OUT_OF_PAPER)


def test_compose_then_print_two_copies(harness: Harness, copy: CopyToPrint) -> None:
    certificate = issued(copy)
    assert certificate.sides_per_copy == 2  # one page a copy, printed duplex
    ready = compose(harness, certificate)
    # The digest names the job, not the serial.
    assert ready == ev.CertificateReady("t-1", serial_digest(SERIAL, SALT))
    assert harness.facts.take_issued("t-1") is None  # handed over once: the service owns it
    assert harness.printer.jobs == []  # nothing printed before the fee
    harness.service.print_certificate("t-1", 2)
    events = harness.until(ev.PrintFinished)
    assert events[-1] == ev.PrintFinished(4)
    assert all(isinstance(e, ev.PrintProgress) for e in events[:-1])
    assert events[:-1]
    [job] = harness.printer.jobs
    assert (job.state, job.sides) == (JobState.COMPLETED, 4)
    assert job.handle.job_name.startswith(f"kiosk-{ready.document_digest}-")
    assert [found.job_id for found in harness.printer.find_jobs(ready.document_digest)] == [
        job.handle.job_id
    ]  # what a restarted kiosk would look for
    [(observed, _handle, outcome)] = harness.done
    assert observed.pdf == job.pdf
    assert outcome.completed
    # The job was printed once: a second PrintCertificate finds nothing to print.
    harness.service.print_certificate("t-1", 2)
    assert harness.next() == ev.PrintFailed(PrinterFault.REJECTED_DOCUMENT, 0)


def test_a_jam_in_the_second_copy_counts_the_first_as_printed(
    harness: Harness, copy: CopyToPrint
) -> None:
    compose(harness, issued(copy))
    harness.printer.fail_at_side(4, PrinterFault.JAM)  # sides 1-3 out: one whole copy
    harness.service.print_certificate("t-1", 2)
    events = harness.until(ev.PrintFailed)
    assert events[-1] == ev.PrintFailed(PrinterFault.JAM, 2)
    assert harness.printer.jobs[0].cancelled_by_kiosk  # never comes out after the refund


def test_a_printer_that_refuses_the_job_prints_nothing(harness: Harness, copy: CopyToPrint) -> None:
    compose(harness, issued(copy))
    harness.printer.set_condition(PrinterFault.DOOR_OPEN)  # opened after the check
    harness.service.print_certificate("t-1", 2)
    assert harness.next() == ev.PrintFailed(PrinterFault.DOOR_OPEN, 0)
    assert harness.printer.jobs == []


def test_a_stalled_printer_fails_at_the_print_deadline(harness: Harness, copy: CopyToPrint) -> None:
    compose(harness, issued(copy, copies=1))
    harness.printer.stall()
    harness.service.print_certificate("t-1", 1)
    assert harness.until(ev.PrintFailed)[-1] == ev.PrintFailed(PrinterFault.TIMEOUT, 0)


def test_data_the_composer_cannot_use_is_unprintable_not_a_crash(
    harness: Harness, copy: CopyToPrint
) -> None:
    for txn_id, bad in (
        ("front", replace(copy, front_pdf=b"%PDF-1.7 not a document")),
        ("backs", replace(copy, back_sides=())),  # a page without its back side
        ("other", replace(copy, back_sides=(copy.back_sides[0], copy.back_sides[0]))),
    ):
        harness.facts.put_issued(IssuedCertificate(txn_id, "ISS", (bad,), 1, SERIAL))
        harness.service.compose(txn_id)
        assert harness.next() == ev.CertificateUnprintable(txn_id)
    harness.service.compose("never-issued")
    assert harness.next() == ev.CertificateUnprintable("never-issued")
    # The worker is still alive for the next resident.
    assert compose(harness, issued(copy, "t-2", 1)).txn_id == "t-2"


def test_a_job_composed_for_a_wiped_session_is_dropped(harness: Harness, copy: CopyToPrint) -> None:
    harness.facts.put_issued(issued(copy))
    harness.service.compose("t-1")
    harness.service.wipe()  # the resident cancelled while the job was being composed
    assert harness.quiet()  # no CertificateReady for a transaction that is gone
    harness.service.print_certificate("t-1", 2)
    assert harness.next() == ev.PrintFailed(PrinterFault.REJECTED_DOCUMENT, 0)
    assert harness.printer.jobs == []


def test_wipe_forgets_a_composed_job_not_printed(harness: Harness, copy: CopyToPrint) -> None:
    compose(harness, issued(copy))
    harness.service.wipe()
    harness.service.print_certificate("t-1", 2)
    assert harness.next() == ev.PrintFailed(PrinterFault.REJECTED_DOCUMENT, 0)
