"""Snapshot tests: every sample's pages, rasterised, compared with the reference images in
``reference/`` (a layout change shows up here first).

After an intended change of the layout, look at the new pages, then update the references:

    UPDATE_DOCUMENT_SNAPSHOTS=1 .venv/bin/pytest tests/printing/documents -k snapshots
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from printing.documents import render, samples

REFERENCE = Path(__file__).with_name("reference")
DPI = 40  # enough to see every row and line move; small files
UPDATE = os.environ.get("UPDATE_DOCUMENT_SNAPSHOTS") == "1"
ALL_SAMPLES = samples.every_type()


@pytest.mark.parametrize("name", sorted(ALL_SAMPLES))
def test_pages_match_the_reference(name: str, pdf_pages: Callable[..., list[Image.Image]]) -> None:
    pages = pdf_pages(render(ALL_SAMPLES[name]), dpi=DPI)  # type: ignore[arg-type]
    references = sorted(REFERENCE.glob(f"{name}-p*.png"))
    if UPDATE:
        REFERENCE.mkdir(exist_ok=True)
        for old in references:
            old.unlink()
        for number, page in enumerate(pages, start=1):
            page.save(REFERENCE / f"{name}-p{number}.png", optimize=True)
        pytest.skip("references updated")
    assert len(pages) == len(references), "page count changed"
    for page, reference_file in zip(pages, references, strict=True):
        got = np.asarray(page).astype(int)
        want = np.asarray(Image.open(reference_file).convert("L")).astype(int)
        assert got.shape == want.shape
        differing = np.abs(got - want) > 48
        # Anti-aliasing may differ between poppler versions by a few pixels; a moved row or a
        # changed word differs by a hundred or more (text itself is checked by the text tests).
        assert differing.mean() < 0.0005, f"{reference_file.name}: {differing.sum()} px differ"
