"""The in-memory printer (printing.memory): the same job checks, statuses and tracking loop as the
CUPS adapter, a simulated device with controls (a condition now, a fault at side N, a stall) and
a job history."""

from __future__ import annotations

import io
import threading
import time

import pikepdf
import pytest

from printing.faults import InvalidJobError, JobState, PrinterError, PrinterFault, PrinterState
from printing.memory import CONDITION_REASONS, JOB_ENDINGS, QUEUE_CONDITIONS, MemoryPrinter

A4 = (595.276, 841.89)
DEADLINE_S = 5.0


def a4_pdf(pages: int) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=A4)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def deadline(seconds: float = DEADLINE_S) -> float:
    return time.monotonic() + seconds


def test_a_job_prints_every_side_and_reports_progress() -> None:
    printer = MemoryPrinter(sides_per_poll=3)
    assert printer.check_printer().ready
    handle = printer.submit(a4_pdf(8), title_hash="abc123", copies_hint=2)
    assert (handle.pages, handle.copies_hint, handle.queue) == (8, 2, "memory")
    progress: list[tuple[int, int]] = []
    outcome = printer.track(handle, deadline(), on_progress=lambda d, t: progress.append((d, t)))
    assert outcome.completed
    assert outcome.fault is None
    assert (outcome.pages_printed, outcome.sheets_printed, outcome.pages_total) == (8, 4, 8)
    assert progress == [(3, 8), (6, 8), (8, 8)]
    [job] = printer.jobs
    assert (job.state, job.sides_printed, job.cancelled_by_kiosk) == (JobState.COMPLETED, 8, False)
    assert job.pdf.startswith(b"%PDF-")


def test_a_fault_at_side_n_leaves_n_minus_one_sides_and_stays_until_fixed() -> None:
    printer = MemoryPrinter()
    printer.fail_at_side(5, PrinterFault.JAM)
    handle = printer.submit(a4_pdf(8), title_hash="j", copies_hint=2)
    outcome = printer.track(handle, deadline())
    assert (outcome.completed, outcome.fault) == (False, PrinterFault.JAM)
    assert outcome.pages_printed == 4  # sides 1-4: the first copy of this 8-side job
    assert outcome.copies_completed(4) == 1
    assert outcome.cancelled_by_kiosk  # nothing comes out after the refund
    assert "media-jam-error" in outcome.reasons
    assert printer.jobs[0].state is JobState.CANCELED
    # The jam stays until someone clears it, as a real one does.
    status = printer.check_printer()
    assert (status.ready, status.fault) == (False, PrinterFault.JAM)
    with pytest.raises(PrinterError) as refused:
        printer.submit(a4_pdf(2), title_hash="k", copies_hint=1)
    assert refused.value.fault is PrinterFault.JAM
    printer.set_condition(None)
    assert printer.check_printer().ready
    second = printer.submit(a4_pdf(2), title_hash="k", copies_hint=1)
    assert printer.track(second, deadline()).completed  # the failure was for one job only


@pytest.mark.parametrize("fault", sorted(JOB_ENDINGS))
def test_the_print_system_can_end_a_job_itself(fault: PrinterFault) -> None:
    printer = MemoryPrinter()
    printer.fail_at_side(1, fault)
    handle = printer.submit(a4_pdf(2), title_hash="x", copies_hint=1)
    outcome = printer.track(handle, deadline())
    assert (outcome.fault, outcome.pages_printed, outcome.job_state) == (
        fault,
        0,
        JOB_ENDINGS[fault],
    )
    assert not outcome.cancelled_by_kiosk
    assert printer.check_printer().ready  # the device itself is fine


@pytest.mark.parametrize("fault", sorted(CONDITION_REASONS) + sorted(QUEUE_CONDITIONS))
def test_every_condition_is_reported_as_cups_would(fault: PrinterFault) -> None:
    printer = MemoryPrinter()
    printer.set_condition(fault)
    status = printer.check_printer()
    assert (status.ready, status.fault) == (False, fault)
    if fault is PrinterFault.STOPPED:
        assert status.state is PrinterState.STOPPED
    with pytest.raises(PrinterError) as refused:
        printer.submit(a4_pdf(1), title_hash="x", copies_hint=1)
    assert refused.value.fault is fault
    assert printer.jobs == []


def test_a_condition_while_printing_ends_tracking_with_it() -> None:
    printer = MemoryPrinter(sides_per_poll=1)
    handle = printer.submit(a4_pdf(6), title_hash="x", copies_hint=3)
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if done == 2:
            printer.set_condition(PrinterFault.DOOR_OPEN)  # staff open the door mid-job

    outcome = printer.track(handle, deadline(), on_progress=progress)
    assert (outcome.fault, outcome.pages_printed) == (PrinterFault.DOOR_OPEN, 2)
    assert seen == [1, 2]


def test_a_stalled_printer_ends_at_the_deadline_and_the_job_is_cancelled() -> None:
    printer = MemoryPrinter()
    printer.stall()
    handle = printer.submit(a4_pdf(2), title_hash="x", copies_hint=1)
    started = time.monotonic()
    outcome = printer.track(handle, deadline(0.2))
    assert outcome.fault is PrinterFault.TIMEOUT
    assert time.monotonic() - started < DEADLINE_S
    assert outcome.cancelled_by_kiosk
    assert printer.jobs[0].state is JobState.CANCELED


def test_an_unreachable_print_system_while_tracking_is_given_up() -> None:
    printer = MemoryPrinter(unreachable_give_up_s=0.05)
    handle = printer.submit(a4_pdf(2), title_hash="x", copies_hint=1)
    printer.set_condition(PrinterFault.UNREACHABLE)
    outcome = printer.track(handle, deadline())
    assert (outcome.completed, outcome.fault) == (False, PrinterFault.UNREACHABLE)
    assert outcome.pages_printed is None  # never seen


def test_bad_jobs_are_refused_as_cups_would_refuse_them() -> None:
    printer = MemoryPrinter()
    with pytest.raises(InvalidJobError):
        printer.submit(b"%PDF-1.7 damaged", title_hash="x", copies_hint=1)
    with pytest.raises(InvalidJobError):
        printer.submit(a4_pdf(1), title_hash="山田太郎", copies_hint=1)  # a name, not a hash
    letter = pikepdf.new()
    letter.add_blank_page(page_size=(612, 792))
    buffer = io.BytesIO()
    letter.save(buffer)
    with pytest.raises(InvalidJobError) as refused:
        printer.submit(buffer.getvalue(), title_hash="x", copies_hint=1)
    assert refused.value.fault is PrinterFault.REJECTED_DOCUMENT
    assert printer.jobs == []


def test_controls_refuse_what_cannot_happen() -> None:
    printer = MemoryPrinter()
    with pytest.raises(ValueError, match="not a printer condition"):
        printer.set_condition(PrinterFault.TIMEOUT)  # the kiosk's deadline, not the printer's
    with pytest.raises(ValueError, match="cannot happen in the middle of a job"):
        printer.fail_at_side(1, PrinterFault.NOT_ACCEPTING)
    with pytest.raises(ValueError, match="at least 1"):
        printer.fail_at_side(0, PrinterFault.JAM)


def test_the_history_is_safe_to_read_while_a_job_prints() -> None:
    printer = MemoryPrinter(sides_per_poll=1, poll_interval_s=0.001)
    handle = printer.submit(a4_pdf(40), title_hash="x", copies_hint=1)
    done = threading.Event()
    thread = threading.Thread(target=lambda: (printer.track(handle, deadline()), done.set()))
    thread.start()
    seen = []
    while not done.is_set():
        seen.append(printer.jobs[0].sides_printed)
    thread.join()
    assert seen == sorted(seen)  # progress only goes forward
    assert printer.jobs[0].sides_printed == 40


def test_jobs_are_found_again_by_their_hash_as_after_a_restart() -> None:
    printer = MemoryPrinter()
    printer.fail_at_side(2, PrinterFault.JAM)
    first = printer.submit(a4_pdf(2), title_hash="abc", copies_hint=1)
    printer.track(first, deadline())
    printer.set_condition(None)
    printer.submit(a4_pdf(2), title_hash="other", copies_hint=1)
    [found] = printer.find_jobs("abc")
    assert (found.job_id, found.state, found.pages_printed) == (
        first.job_id,
        JobState.CANCELED,
        1,
    )
    assert found.finished
    assert printer.find_jobs("nothing") == ()
    printer.set_condition(PrinterFault.UNREACHABLE)
    with pytest.raises(PrinterError):
        printer.find_jobs("abc")
