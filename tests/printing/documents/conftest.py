"""Helpers for the document tests: the real poppler tools (pdftotext, pdffonts, pdftoppm) on
rendered PDFs."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from doc_helpers import PdfText, squash
from PIL import Image


def _run(args: list[str]) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout


@pytest.fixture
def pdf_file(tmp_path: Path) -> Callable[[bytes], Path]:
    counter = iter(range(10**6))

    def write(pdf: bytes) -> Path:
        path = tmp_path / f"doc{next(counter)}.pdf"
        path.write_bytes(pdf)
        return path

    return write


@pytest.fixture
def pdf_text(pdf_file: Callable[[bytes], Path]) -> PdfText:
    """pdftotext -layout of a PDF (one page with ``page=``); ``raw=True`` gives the text in
    drawing order instead (each cell's lines together, whatever the columns beside it)."""

    def extract(pdf: bytes, page: int | None = None, raw: bool = False) -> str:
        args = ["pdftotext", "-raw" if raw else "-layout", "-enc", "UTF-8"]
        if page is not None:
            args += ["-f", str(page), "-l", str(page)]
        return _run([*args, str(pdf_file(pdf)), "-"])

    return extract


@pytest.fixture
def pdf_squashed(pdf_text: PdfText) -> PdfText:
    """The extracted text without any whitespace: robust against the layout's spacing
    (spread labels, column gaps, line breaks inside a cell)."""

    def extract(pdf: bytes, page: int | None = None, raw: bool = False) -> str:
        return squash(pdf_text(pdf, page, raw))

    return extract


@pytest.fixture
def pdf_fonts(pdf_file: Callable[[bytes], Path]) -> Callable[[bytes], list[dict[str, str]]]:
    """The rows of ``pdffonts``: name, type, emb, sub, uni."""

    def fonts(pdf: bytes) -> list[dict[str, str]]:
        lines = _run(["pdffonts", str(pdf_file(pdf))]).splitlines()[2:]
        rows = []
        for line in lines:
            parts = line.split()
            # name type [type words] encoding emb sub uni object ID
            rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
        return rows

    return fonts


@pytest.fixture
def pdf_pages(
    pdf_file: Callable[[bytes], Path], tmp_path: Path
) -> Callable[..., list[Image.Image]]:
    """The pages as images (pdftoppm) at ``dpi``: grayscale, or RGB with ``color=True``."""

    def pages(pdf: bytes, dpi: int = 50, color: bool = False) -> list[Image.Image]:
        path = pdf_file(pdf)
        prefix = tmp_path / f"{path.stem}-page"
        mode = [] if color else ["-gray"]
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), *mode, "-png", str(path), str(prefix)],
            check=True,
            timeout=120,
        )
        files = sorted(tmp_path.glob(f"{prefix.name}-*.png"))
        return [Image.open(f).convert("RGB" if color else "L") for f in files]

    return pages
