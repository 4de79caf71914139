"""Fixtures for the CUPS print path: a real private cupsd (session), its fault switch, an
adapter on its capture queue, and test documents made with reportlab.

The cupsd fixture's body lives in :func:`hw_sim.stack.cupsd.private_cupsd_session` so a
top-level conftest can offer the same daemon to every package later.
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from hw_sim.stack import PrinterFaults, PrivateCupsd, private_cupsd_session
from printing.cups import CupsPrinter

IPAEX_MINCHO = Path("/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf")
REFERENCE_DIR = Path(__file__).with_name("reference")


@pytest.fixture(scope="session")
def cupsd() -> Iterator[PrivateCupsd]:
    """A private cupsd (capture queue + cups-pdf queue) for the whole session."""
    yield from private_cupsd_session(cups_pdf=True)


@pytest.fixture
def faults(cupsd: PrivateCupsd) -> Iterator[PrinterFaults]:
    """The capture queue's fault switch; every test starts and ends with a healthy printer."""
    switch = PrinterFaults(cupsd.rundir)
    if not cupsd.running:
        cupsd.start()
    switch.cancel_all_jobs()
    switch.clear()
    yield switch
    if not cupsd.running:  # a test stopped the daemon: bring it back for the next one
        cupsd.start()
    switch.cancel_all_jobs()
    switch.clear()


@pytest.fixture
def printer(cupsd: PrivateCupsd, faults: PrinterFaults) -> Iterator[CupsPrinter]:
    """The kiosk's adapter on the capture queue, with short timeouts for tests."""
    adapter = CupsPrinter(
        cupsd.capture_queue,
        server=cupsd.address,
        call_timeout_s=2.0,
        poll_interval_s=0.05,
        unreachable_give_up_s=1.0,
        offline_grace_s=0.3,
    )
    yield adapter
    adapter.close()


def make_pdf(pages: int = 4, pagesize: tuple[float, float] = A4, label: str = "") -> bytes:
    """A deterministic multi-page A4 PDF with Japanese text (IPAex Mincho, embedded), a frame
    near the edges and a page-specific mark, so page order and placement show in a render."""
    if "IPAexM" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("IPAexM", str(IPAEX_MINCHO)))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=pagesize, invariant=True)
    width, height = pagesize
    for page in range(1, pages + 1):
        side = "おもて面" if page % 2 else "うら面"
        pdf.setLineWidth(2)
        pdf.rect(14, 14, width - 28, height - 28)  # 5 mm from the edges
        pdf.setFont("IPAexM", 26)
        pdf.drawString(60, height - 90, f"住民票の写し（試験印刷）{label}")
        pdf.setFont("IPAexM", 14)
        pdf.drawString(60, height - 130, f"{page}ページ／全{pages}ページ　{side}")
        pdf.drawString(60, height - 160, "東京都千代田区霞が関一丁目１番１号　試験　太郎")
        pdf.rect(60 + 40 * page, 300, 30, 30, fill=1)  # moves with the page number
        pdf.showPage()
    pdf.save()
    return out.getvalue()


@pytest.fixture
def test_pdf() -> Callable[..., bytes]:
    return make_pdf


@pytest.fixture
def letter_pdf() -> bytes:
    return make_pdf(pages=2, pagesize=LETTER)


def render_pages(pdf_path: Path, outdir: Path, dpi: int = 50) -> list[np.ndarray]:
    """Every page of a PDF as a grey-level array (pdftoppm, poppler-utils)."""
    prefix = outdir / pdf_path.stem
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf_path), str(prefix)],
        check=True,
        timeout=60,
    )
    files = sorted(outdir.glob(f"{pdf_path.stem}-*.png"))
    return [np.asarray(Image.open(f).convert("L"), dtype=np.int16) for f in files]


@pytest.fixture
def render() -> Callable[[Path, Path], list[np.ndarray]]:
    return render_pages
