"""The adapter's translation layer on its own: malformed IPP answers and pycups exceptions
become kiosk values (the paths through a real cupsd are in test_cups_print_path.py)."""

from __future__ import annotations

import io
from typing import Any

import cups
import pikepdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printing._bounded import CallTimeout
from printing.cups import CupsPrinter, _fault_of_exception, inspect_document
from printing.faults import InvalidJobError, JobState, PrinterError, PrinterFault, PrinterState


@pytest.fixture
def adapter() -> CupsPrinter:
    return CupsPrinter("Q", server="127.0.0.1:9")  # never contacted in these tests


@pytest.mark.parametrize(
    ("attrs", "fault"),
    [
        ({}, PrinterFault.PRINTER_ERROR),  # nothing at all is not "ready"
        ({"printer-state": "3", "printer-is-accepting-jobs": True}, PrinterFault.PRINTER_ERROR),
        ({"printer-state": 7, "printer-is-accepting-jobs": True}, PrinterFault.PRINTER_ERROR),
        ({"printer-state": 3, "printer-is-accepting-jobs": 1}, PrinterFault.NOT_ACCEPTING),
        ({"printer-state": 3, "printer-is-accepting-jobs": True}, None),
        (
            {
                "printer-state": 3,
                "printer-is-accepting-jobs": True,
                "printer-state-reasons": "media-jam-error",
            },  # one value: a scalar in pycups
            PrinterFault.JAM,
        ),
        (
            {
                "printer-state": 5,
                "printer-is-accepting-jobs": True,
                "printer-state-reasons": ["paused", None, 42],
            },
            PrinterFault.STOPPED,
        ),
    ],
)
def test_printer_attributes_of_any_shape_give_a_status(
    adapter: CupsPrinter, attrs: dict[str, Any], fault: PrinterFault | None
) -> None:
    status = adapter._status_of(attrs)
    assert status.fault is fault
    assert status.ready is (fault is None)


def test_malformed_job_attributes_give_an_unknown_state_not_a_crash(
    adapter: CupsPrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    garbage = (
        {"job-state": "nine", "job-impressions-completed": True, "job-state-reasons": 5},
        {"printer-state": 4, "printer-is-accepting-jobs": True},
    )
    monkeypatch.setattr(adapter, "_call", lambda fn, timeout_s=None: garbage)
    snap = adapter.poll(1)
    assert snap.state is None
    assert snap.pages_printed is None
    assert snap.job_reasons == ()
    assert snap.printer.state is PrinterState.PROCESSING
    good = ({"job-state": 9, "job-impressions-completed": 4}, garbage[1])
    monkeypatch.setattr(adapter, "_call", lambda fn, timeout_s=None: good)
    assert adapter.poll(1).state is JobState.COMPLETED


@pytest.mark.parametrize(
    ("exc", "fault"),
    [
        (CallTimeout("slow"), PrinterFault.UNREACHABLE),
        (RuntimeError("failed to connect to server"), PrinterFault.UNREACHABLE),
        (cups.HTTPError(500), PrinterFault.UNREACHABLE),
        (ConnectionResetError(), PrinterFault.UNREACHABLE),
        (
            cups.IPPError(cups.IPP_SERVICE_UNAVAILABLE, "Service Unavailable"),
            PrinterFault.UNREACHABLE,
        ),
        (cups.IPPError(cups.IPP_NOT_FOUND, "not found"), PrinterFault.NO_QUEUE),
        (cups.IPPError(cups.IPP_NOT_ACCEPTING, "not accepting"), PrinterFault.NOT_ACCEPTING),
        (cups.IPPError(cups.IPP_DOCUMENT_FORMAT, "format"), PrinterFault.REJECTED_DOCUMENT),
        (cups.IPPError(cups.IPP_FORBIDDEN, "forbidden"), PrinterFault.PRINTER_ERROR),
        (cups.IPPError("no status"), PrinterFault.PRINTER_ERROR),
        (ValueError("anything else"), PrinterFault.PRINTER_ERROR),
    ],
)
def test_pycups_exceptions_map_to_faults(exc: BaseException, fault: PrinterFault) -> None:
    assert _fault_of_exception(exc, queue_op=True) is fault


def test_nothing_escapes_check_printer_or_cancel(
    adapter: CupsPrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(fn: object, timeout_s: float | None = None) -> None:
        raise MemoryError("libcups had a bad day")

    monkeypatch.setattr(adapter, "_call", explode)
    assert adapter.check_printer().fault is PrinterFault.PRINTER_ERROR
    assert adapter.cancel(5) is False


def test_a_lost_job_ends_tracking_as_cancelled(
    adapter: CupsPrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    from printing.cups import _JobGone

    def gone(fn: object, timeout_s: float | None = None) -> None:
        raise _JobGone

    monkeypatch.setattr(adapter, "_call", gone)
    with pytest.raises(PrinterError) as raised:
        adapter.poll(3)
    assert raised.value.fault is PrinterFault.CANCELLED


@given(st.binary(max_size=300).map(lambda tail: b"%PDF-1.7\n" + tail))
@settings(max_examples=200, deadline=None)
def test_any_damaged_pdf_is_an_invalid_job_not_a_crash(data: bytes) -> None:
    try:
        pages = inspect_document(data)
    except InvalidJobError:
        return
    assert pages >= 1


def test_a_pdf_with_a_malformed_media_box_is_an_invalid_job() -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595.276, 841.89))
    pdf.pages[0].obj["/MediaBox"] = pikepdf.Array([0, 0, pikepdf.Name("/A4"), 842])
    buffer = io.BytesIO()
    pdf.save(buffer)
    with pytest.raises(InvalidJobError):
        inspect_document(buffer.getvalue())
