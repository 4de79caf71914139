"""The print path end to end against a real private cupsd: submit, track, capture, compare.

Every test goes through libcups/pycups, cupsd, pdftopdf and our kioskfault backend: what the
capture folder holds is what a printer would have received.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hw_sim.stack import PrinterFaults, PrivateCupsd
from printing.cups import JOB_OPTIONS, CupsPrinter
from printing.faults import InvalidJobError, JobState, PrinterError, PrinterFault

pytestmark = pytest.mark.cupsd

REFERENCE = Path(__file__).with_name("reference")


def wait_for(path: Path, timeout_s: float = 10.0) -> Path:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} did not appear"
        time.sleep(0.02)
    return path


def capture_meta(cupsd: PrivateCupsd, job_id: int) -> dict[str, object]:
    path = wait_for(cupsd.capture_dir() / f"job-{job_id}.json")
    meta: dict[str, object] = json.loads(path.read_text())
    return meta


def test_a_job_prints_and_the_capture_renders_like_the_submitted_pdf(
    printer: CupsPrinter,
    cupsd: PrivateCupsd,
    test_pdf: Callable[..., bytes],
    render: Callable[[Path, Path], list[np.ndarray]],
    tmp_path: Path,
) -> None:
    pdf = test_pdf(pages=4)
    status = printer.check_printer()
    assert status.ready
    assert status.fault is None

    job = printer.submit(pdf, title_hash="0f1e2d3c4b5a", copies_hint=2)
    outcome = printer.track(job, time.monotonic() + 15)

    assert outcome.completed
    assert outcome.fault is None
    assert outcome.job_state is JobState.COMPLETED
    assert (outcome.pages_printed, outcome.sheets_printed, outcome.pages_total) == (4, 2, 4)
    captured = wait_for(cupsd.capture_dir() / f"job-{job.job_id}.pdf")
    submitted = tmp_path / "submitted.pdf"
    submitted.write_bytes(pdf)
    want = render(submitted, tmp_path)
    got = render(captured, tmp_path)
    assert len(got) == len(want) == 4
    for page_got, page_want in zip(got, want, strict=True):
        assert page_got.shape == page_want.shape == (585, 414)  # A4 at 50 dpi (pdftoppm rounds up)
        assert np.abs(page_got - page_want).max() <= 8  # same geometry, no scaling, no shift


def test_the_capture_matches_the_stored_reference_rendering(
    printer: CupsPrinter,
    cupsd: PrivateCupsd,
    test_pdf: Callable[..., bytes],
    render: Callable[[Path, Path], list[np.ndarray]],
    tmp_path: Path,
) -> None:
    job = printer.submit(test_pdf(pages=2, label="REF"), title_hash="ref", copies_hint=1)
    assert printer.track(job, time.monotonic() + 15).completed
    pages = render(wait_for(cupsd.capture_dir() / f"job-{job.job_id}.pdf"), tmp_path)
    for number, page in enumerate(pages, 1):
        reference = np.asarray(
            Image.open(REFERENCE / f"test-document-p{number}.png").convert("L"), dtype=np.int16
        )
        assert page.shape == reference.shape
        differing = np.count_nonzero(np.abs(page - reference) > 48)
        # Anti-aliasing may move with a poppler update; a shifted, scaled or missing element
        # changes thousands of pixels.
        assert differing <= page.size * 0.002, f"page {number}: {differing} pixels differ"


def test_the_job_keeps_a4_duplex_no_scaling_and_carries_no_personal_name(
    printer: CupsPrinter, cupsd: PrivateCupsd, test_pdf: Callable[..., bytes]
) -> None:
    job = printer.submit(test_pdf(pages=2), title_hash="abc_DEF-123", copies_hint=1)
    assert printer.track(job, time.monotonic() + 15).completed
    meta = capture_meta(cupsd, job.job_id)
    options = meta["options"]
    assert isinstance(options, dict)
    assert options["sides"] == "two-sided-long-edge"
    assert options["Duplex"] == "DuplexNoTumble"  # the PPD's duplex took the IPP sides
    assert options["media"] == "iso_a4_210x297mm"
    assert options["PageSize"] == "A4"
    assert options["print-scaling"] == "none"
    assert options["number-up"] == "1"
    assert job.job_name.startswith("kiosk-abc_DEF-123-")
    assert meta["title"] == job.job_name  # what CUPS and the printer saw as the job's name
    assert options.get("fit-to-page", "false") == "false"  # CUPS drops false booleans
    assert JOB_OPTIONS["copies"] == "1"
    assert options.get("copies", "1") == "1"


def test_out_of_paper_before_a_job_is_seen_and_nothing_is_submitted(
    printer: CupsPrinter, cupsd: PrivateCupsd, faults: PrinterFaults, test_pdf: Callable[..., bytes]
) -> None:
    before = sorted(cupsd.capture_dir().iterdir())
    faults.set("media-empty")

    status = printer.check_printer()
    assert not status.ready
    assert status.fault is PrinterFault.OUT_OF_PAPER
    assert "media-empty-error" in status.reasons
    with pytest.raises(PrinterError) as raised:
        printer.submit(test_pdf(pages=2), title_hash="abc", copies_hint=1)
    assert raised.value.fault is PrinterFault.OUT_OF_PAPER
    time.sleep(0.3)
    assert sorted(cupsd.capture_dir().iterdir()) == before


def test_out_of_paper_during_a_job_reports_the_pages_printed_and_cancels(
    printer: CupsPrinter, cupsd: PrivateCupsd, faults: PrinterFaults, test_pdf: Callable[..., bytes]
) -> None:
    faults.set("media-empty", after_pages=2)  # a driver that stops the queue (exit 4)
    job = printer.submit(test_pdf(pages=4), title_hash="abc", copies_hint=2)
    outcome = printer.track(job, time.monotonic() + 15)

    assert not outcome.completed
    assert outcome.fault is PrinterFault.OUT_OF_PAPER
    assert outcome.pages_printed == 2
    assert outcome.sheets_printed == 1
    assert outcome.cancelled_by_kiosk
    assert outcome.job_state is JobState.CANCELED
    assert printer.check_printer().fault is PrinterFault.OUT_OF_PAPER  # until staff fix it
    assert capture_meta(cupsd, job.job_id)["pages_printed"] == 2

    faults.clear()  # paper refilled, queue resumed: the cancelled job must not come out now
    assert printer.check_printer().ready
    time.sleep(0.5)
    assert not (cupsd.capture_dir() / f"job-{job.job_id}.pdf").exists()


def test_out_of_paper_on_a_printer_that_holds_the_job_as_ipp_printers_do(
    printer: CupsPrinter, faults: PrinterFaults, test_pdf: Callable[..., bytes]
) -> None:
    # The job stays "processing" and CUPS shows media-empty-warning (real-stack.md).
    faults.set("media-empty", after_pages=1, mode="wait", severity="warning")
    job = printer.submit(test_pdf(pages=3), title_hash="abc", copies_hint=1)
    outcome = printer.track(job, time.monotonic() + 15)
    assert outcome.fault is PrinterFault.OUT_OF_PAPER
    assert outcome.pages_printed == 1
    assert "media-empty-warning" in outcome.reasons
    assert outcome.cancelled_by_kiosk
    assert outcome.job_state is JobState.CANCELED


@pytest.mark.parametrize(
    ("fault", "expected", "reason"),
    [
        ("media-jam", PrinterFault.JAM, "media-jam-error"),
        ("door-open", PrinterFault.DOOR_OPEN, "door-open-error"),
        ("toner-empty", PrinterFault.TONER_EMPTY, "toner-empty-error"),
    ],
)
def test_a_condition_during_a_job_is_reported_in_kiosk_terms(
    printer: CupsPrinter,
    faults: PrinterFaults,
    test_pdf: Callable[..., bytes],
    fault: str,
    expected: PrinterFault,
    reason: str,
) -> None:
    faults.set(fault, after_pages=1)
    job = printer.submit(test_pdf(pages=2), title_hash="abc", copies_hint=1)
    outcome = printer.track(job, time.monotonic() + 15)
    assert outcome.fault is expected
    assert reason in outcome.reasons
    assert outcome.pages_printed == 1
    status = printer.check_printer()
    assert status.fault is expected
    assert not status.ready


def test_a_lasting_offline_printer_is_a_fault_after_the_grace_period(
    printer: CupsPrinter, faults: PrinterFaults, test_pdf: Callable[..., bytes]
) -> None:
    faults.set("offline", after_pages=0, mode="wait")
    assert printer.check_printer().fault is PrinterFault.OFFLINE  # before the job, too
    faults.set("offline", after_pages=1, mode="wait")  # healthy at submit, offline mid-job
    job = printer.submit(test_pdf(pages=2), title_hash="abc", copies_hint=1)
    started = time.monotonic()
    outcome = printer.track(job, time.monotonic() + 15)
    assert outcome.fault is PrinterFault.OFFLINE
    assert "offline-report" in outcome.reasons
    assert time.monotonic() - started >= printer.offline_grace_s


def test_a_stopped_printer_is_not_ready_and_refuses_a_job(
    printer: CupsPrinter, faults: PrinterFaults, test_pdf: Callable[..., bytes]
) -> None:
    faults.stop_printer("paper tray being refilled")
    status = printer.check_printer()
    assert status.fault is PrinterFault.STOPPED
    assert not status.ready
    assert status.message == "paper tray being refilled"
    with pytest.raises(PrinterError) as raised:
        printer.submit(test_pdf(pages=1), title_hash="abc", copies_hint=1)
    assert raised.value.fault is PrinterFault.STOPPED


def test_a_printer_stopped_while_printing_ends_the_job_as_stopped(
    printer: CupsPrinter, faults: PrinterFaults, test_pdf: Callable[..., bytes]
) -> None:
    faults.slow(0.3)
    job = printer.submit(test_pdf(pages=4), title_hash="abc", copies_hint=1)
    deadline = time.monotonic() + 10
    while (printer.poll(job.job_id).pages_printed or 0) < 1:  # printing has begun
        assert time.monotonic() < deadline
        time.sleep(0.02)
    faults.stop_printer("stopped by staff")
    outcome = printer.track(job, time.monotonic() + 15)
    assert outcome.fault is PrinterFault.STOPPED
    assert outcome.pages_printed is not None
    assert 1 <= outcome.pages_printed < 4
    assert outcome.cancelled_by_kiosk


def test_a_queue_not_accepting_jobs_is_reported_and_submit_fails(
    printer: CupsPrinter, faults: PrinterFaults, test_pdf: Callable[..., bytes]
) -> None:
    faults.reject_jobs("maintenance")
    assert printer.check_printer().fault is PrinterFault.NOT_ACCEPTING
    with pytest.raises(PrinterError) as raised:
        printer.submit(test_pdf(pages=1), title_hash="abc", copies_hint=1)
    assert raised.value.fault is PrinterFault.NOT_ACCEPTING


def test_an_aborted_job_is_reported_with_what_was_printed(
    printer: CupsPrinter, cupsd: PrivateCupsd, faults: PrinterFaults, test_pdf: Callable[..., bytes]
) -> None:
    faults.set("abort", after_pages=1)
    job = printer.submit(test_pdf(pages=2), title_hash="abc", copies_hint=1)
    outcome = printer.track(job, time.monotonic() + 15)
    assert outcome.fault is PrinterFault.ABORTED
    assert outcome.job_state is JobState.ABORTED
    assert outcome.pages_printed == 1
    assert not outcome.cancelled_by_kiosk  # it ended by itself
    assert printer.check_printer().ready  # abort-job policy: the queue goes on


def test_a_job_cancelled_by_the_printer_is_reported_as_cancelled(
    printer: CupsPrinter, faults: PrinterFaults, test_pdf: Callable[..., bytes]
) -> None:
    faults.set("cancel", after_pages=0)
    job = printer.submit(test_pdf(pages=2), title_hash="abc", copies_hint=1)
    outcome = printer.track(job, time.monotonic() + 15)
    assert outcome.fault is PrinterFault.CANCELLED
    assert outcome.job_state is JobState.CANCELED
    assert outcome.pages_printed == 0


def test_deadline_exceeded_cancels_the_job(
    printer: CupsPrinter, cupsd: PrivateCupsd, faults: PrinterFaults, test_pdf: Callable[..., bytes]
) -> None:
    faults.slow(0.4)
    job = printer.submit(test_pdf(pages=4), title_hash="abc", copies_hint=1)
    started = time.monotonic()
    outcome = printer.track(job, started + 0.7)
    assert outcome.fault is PrinterFault.TIMEOUT
    assert time.monotonic() - started < 3.0
    assert outcome.cancelled_by_kiosk
    assert outcome.job_state is JobState.CANCELED
    assert outcome.pages_printed is not None
    assert outcome.pages_printed < 4
    time.sleep(1.0)
    assert not (cupsd.capture_dir() / f"job-{job.job_id}.pdf").exists()


def test_cancel_from_another_thread_ends_tracking_as_cancelled(
    printer: CupsPrinter, faults: PrinterFaults, test_pdf: Callable[..., bytes]
) -> None:
    import threading

    faults.slow(0.3)
    job = printer.submit(test_pdf(pages=4), title_hash="abc", copies_hint=1)
    progress: list[tuple[int, int]] = []
    results = []
    tracker = threading.Thread(
        target=lambda: results.append(
            printer.track(job, time.monotonic() + 15, on_progress=lambda *p: progress.append(p))
        )
    )
    tracker.start()
    time.sleep(0.5)
    assert printer.cancel(job)
    tracker.join(10)
    (outcome,) = results
    assert outcome.fault is PrinterFault.CANCELLED
    assert not outcome.cancelled_by_kiosk
    assert progress
    assert progress[0][1] == 4
    assert [p[0] for p in progress] == sorted({p[0] for p in progress})  # only increases
    assert printer.cancel(job.job_id)  # by id (journal recovery); an ended job: harmless


def test_progress_is_reported_page_by_page(
    printer: CupsPrinter, faults: PrinterFaults, test_pdf: Callable[..., bytes]
) -> None:
    faults.slow(0.3)  # well above the 50 ms poll, even on a loaded machine
    job = printer.submit(test_pdf(pages=3), title_hash="abc", copies_hint=1)
    progress: list[tuple[int, int]] = []
    outcome = printer.track(job, time.monotonic() + 15, on_progress=lambda *p: progress.append(p))
    assert outcome.completed
    assert [p for p, _ in progress][-1] == 3
    assert {1, 2, 3} <= {p for p, _ in progress}


def test_bad_documents_and_names_are_refused_before_cups_sees_them(
    printer: CupsPrinter, cupsd: PrivateCupsd, letter_pdf: bytes, test_pdf: Callable[..., bytes]
) -> None:
    before = sorted(cupsd.capture_dir().iterdir())
    with pytest.raises(InvalidJobError, match="not a PDF"):
        printer.submit(b"hello", title_hash="abc", copies_hint=1)
    with pytest.raises(InvalidJobError, match="not A4"):
        printer.submit(letter_pdf, title_hash="abc", copies_hint=1)
    with pytest.raises(InvalidJobError, match=r"unreadable|no pages"):
        printer.submit(b"%PDF-1.4\n%%EOF\n", title_hash="abc", copies_hint=1)
    with pytest.raises(InvalidJobError, match="title_hash"):
        printer.submit(test_pdf(pages=1), title_hash="試験太郎", copies_hint=1)
    with pytest.raises(InvalidJobError, match="title_hash"):
        printer.submit(test_pdf(pages=1), title_hash="a b", copies_hint=1)
    time.sleep(0.2)
    assert sorted(cupsd.capture_dir().iterdir()) == before


def test_a_missing_queue_is_reported(cupsd: PrivateCupsd, test_pdf: Callable[..., bytes]) -> None:
    missing = CupsPrinter("NoSuchQueue", server=cupsd.address, call_timeout_s=2.0)
    assert missing.check_printer().fault is PrinterFault.NO_QUEUE
    with pytest.raises(PrinterError) as raised:
        missing.submit(test_pdf(pages=1), title_hash="abc", copies_hint=1)
    assert raised.value.fault is PrinterFault.NO_QUEUE


def test_the_cups_pdf_queue_writes_a_pdf_file(
    cupsd: PrivateCupsd, faults: PrinterFaults, test_pdf: Callable[..., bytes]
) -> None:
    assert cupsd.pdf_queue is not None
    pdf_printer = CupsPrinter(cupsd.pdf_queue, server=cupsd.address, poll_interval_s=0.05)
    job = pdf_printer.submit(test_pdf(pages=2), title_hash="devpdf", copies_hint=1)
    outcome = pdf_printer.track(job, time.monotonic() + 30)
    assert outcome.completed
    files = list(cupsd.layout.cups_pdf_dir.glob(f"*job_{job.job_id}.pdf"))
    assert len(files) == 1
    assert files[0].read_bytes().startswith(b"%PDF-")


def test_a_real_certificate_front_prints_unchanged(
    printer: CupsPrinter,
    cupsd: PrivateCupsd,
    render: Callable[[Path, Path], list[np.ndarray]],
    tmp_path: Path,
) -> None:
    from printing.documents import render as render_certificate
    from printing.documents import samples

    pdf = render_certificate(samples.juminhyo())  # as the municipality server makes it
    job = printer.submit(pdf, title_hash="juminhyo", copies_hint=1)
    outcome = printer.track(job, time.monotonic() + 30)
    assert outcome.completed
    assert outcome.pages_printed == job.pages
    submitted = tmp_path / "front.pdf"
    submitted.write_bytes(pdf)
    want = render(submitted, tmp_path)
    got = render(wait_for(cupsd.capture_dir() / f"job-{job.job_id}.pdf"), tmp_path)
    assert len(got) == len(want) == job.pages
    for page_got, page_want in zip(got, want, strict=True):
        assert page_got.shape == page_want.shape
        assert np.abs(page_got - page_want).max() <= 8
