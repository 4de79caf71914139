"""The PDFs are well formed for other readers than poppler: qpdf's checker (pikepdf), PDFium
(pypdfium2, the renderer of the verifier and of Chromium) and Ghostscript (which CUPS filters
use)."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest

from printing.documents import render, samples

ALL_SAMPLES = samples.every_type()


@pytest.mark.parametrize("name", sorted(ALL_SAMPLES))
def test_structure_and_other_renderers(name: str, pdf_file: Callable[[bytes], Path]) -> None:
    doc = ALL_SAMPLES[name]
    pdf = render(doc)  # type: ignore[arg-type]
    with pikepdf.open(io.BytesIO(pdf)) as parsed:
        assert parsed.check_pdf_syntax() == []
        for page in parsed.pages:
            box = [float(v) for v in page.mediabox]
            assert box == pytest.approx([0, 0, 595.2756, 841.8898], abs=0.01)  # A4

    document = pdfium.PdfDocument(pdf)
    try:
        text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()
    compact = "".join(text.split()).replace("\u3000", "")
    # One number on a certificate: the kiosk prints it with the copy (the serial), the
    # municipality's page none of its own (issue 14); it is in the signed canonical text.
    assert doc.document_number not in compact  # type: ignore[attr-defined]
    assert "以下余白" in compact

    result = subprocess.run(
        ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=nullpage", str(pdf_file(pdf))],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0
    assert result.stderr == ""
    assert "Error" not in result.stdout
