"""A real composed print job (printing.security: front with copy-deterrent background and
serial, scrambled back with code and latent image) through the private cupsd."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from hw_sim.stack import PrinterFaults, PrivateCupsd
from printing.cups import CupsPrinter
from printing.faults import PrinterFault
from printing.security import compose_job
from tests.print_samples import inkan_copies

pytestmark = pytest.mark.cupsd


@pytest.fixture(scope="module")
def two_copies() -> bytes:
    """Two copies of a one-page 印鑑登録証明書: front, back, front, back."""
    return compose_job(inkan_copies("131202-241203-000001-1", "131202-241203-000001-2"))


def test_a_composed_duplex_job_prints_whole_and_unchanged(
    printer: CupsPrinter,
    cupsd: PrivateCupsd,
    two_copies: bytes,
    render: Callable[[Path, Path], list[np.ndarray]],
    tmp_path: Path,
) -> None:
    job = printer.submit(two_copies, title_hash="0123abcd", copies_hint=2)
    assert job.pages == 4
    outcome = printer.track(job, time.monotonic() + 30)
    assert outcome.completed
    assert (outcome.pages_printed, outcome.sheets_printed) == (4, 2)  # duplex: 2 sheets
    assert outcome.copies_completed(pages_per_copy=2) == 2

    submitted = tmp_path / "job.pdf"
    submitted.write_bytes(two_copies)
    want = render(submitted, tmp_path)
    got = render(cupsd.capture_dir() / f"job-{job.job_id}.pdf", tmp_path)
    assert len(got) == len(want) == 4
    for page_got, page_want in zip(got, want, strict=True):
        assert page_got.shape == page_want.shape
        # pdftopdf re-wraps each page with a few thousandths of a point of offset; on the fine
        # patterns that moves the anti-aliasing of a few dozen pixels, nothing more.
        assert np.count_nonzero(np.abs(page_got - page_want) > 32) <= page_got.size * 0.001


def test_a_jam_in_the_second_copy_leaves_one_copy_to_charge(
    printer: CupsPrinter, faults: PrinterFaults, two_copies: bytes
) -> None:
    faults.set("media-jam", after_pages=3)  # the second copy's back never printed
    job = printer.submit(two_copies, title_hash="0123abcd", copies_hint=2)
    outcome = printer.track(job, time.monotonic() + 30)
    assert outcome.fault is PrinterFault.JAM
    assert outcome.pages_printed == 3
    assert outcome.copies_completed(pages_per_copy=2) == 1  # refund the other
