"""The composed job looks as it should: rendered by pdftoppm and compared with the reference
images in ``reference/`` (front with pantograph and serial; back with header, block, flower,
explanation and code).

The front is a frozen copy of printing.documents' sample 印鑑登録証明書 (``reference/
inkan-certificate.pdf``), so changes in the documents package do not move these pictures; the
job is a pure function of its inputs (fixed test keys, RFC 6979 signatures), so any change in
the picture is a change in the security layer's output. After an intended change, look at the
new images, then regenerate them with

    KONBINI_UPDATE_REFERENCES=1 .venv/bin/pytest tests/printing/security/test_security_reference.py

and commit them with the change.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from security_helpers import backs_for

from printing import documents
from printing.documents import samples
from printing.security import BackSideKeys, CopyToPrint, compose_job

REFERENCE = Path(__file__).parent / "reference"
DPI = 50  # enough to see layout and shapes; the 600-dpi dots average to a tint
UPDATE = os.environ.get("KONBINI_UPDATE_REFERENCES") == "1"
# Mean absolute difference (grey levels) allowed between renders: poppler versions differ in
# anti-aliasing, not in layout.
MEAN_TOLERANCE = 1.5
# No 8 × 8 block (4 mm) may differ by more than this on average: a moved or missing element.
BLOCK_TOLERANCE = 24.0


@pytest.fixture(scope="module")
def reference_job(keys: BackSideKeys) -> bytes:
    frozen = REFERENCE / "inkan-certificate.pdf"
    rendered = documents.render_document(samples.inkan())
    if UPDATE:
        REFERENCE.mkdir(exist_ok=True)
        frozen.write_bytes(rendered.pdf)
    front = documents.Rendered(frozen.read_bytes(), 1, rendered.title, rendered.canonical_text)
    return compose_job([CopyToPrint(front.pdf, backs_for(front, keys))])


def _load(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("L"), dtype=np.float32)


@pytest.mark.parametrize(("page", "name"), [(1, "inkan-front"), (2, "inkan-back")])
def test_composed_pages_match_the_references(
    reference_job: bytes, rasterise: Callable[..., Path], page: int, name: str
) -> None:
    prefix = rasterise(reference_job, DPI, first=page, last=page)
    rendered_path = next(prefix.parent.glob(f"{prefix.name}*.png"))
    reference_path = REFERENCE / f"{name}.png"
    if UPDATE:
        REFERENCE.mkdir(exist_ok=True)
        reference_path.write_bytes(rendered_path.read_bytes())
    rendered, reference = _load(rendered_path), _load(reference_path)
    assert rendered.shape == reference.shape
    difference = np.abs(rendered - reference)
    assert difference.mean() < MEAN_TOLERANCE
    h, w = (s // 8 * 8 for s in difference.shape)
    blocks = difference[:h, :w].reshape(h // 8, 8, w // 8, 8).mean(axis=(1, 3))
    assert blocks.max() < BLOCK_TOLERANCE, np.unravel_index(blocks.argmax(), blocks.shape)


def test_reference_comparison_would_catch_a_change(
    reference_job: bytes, rasterise: Callable[..., Path]
) -> None:
    """The tolerances are not so loose that a missing element passes."""
    prefix = rasterise(reference_job, DPI, first=2, last=2)
    rendered = _load(next(prefix.parent.glob(f"{prefix.name}*.png")))
    damaged = rendered.copy()
    damaged[-90:-40, -90:-40] = 255  # the QR code's corner wiped
    difference = np.abs(damaged - _load(REFERENCE / "inkan-back.png"))
    h, w = (s // 8 * 8 for s in difference.shape)
    blocks = difference[:h, :w].reshape(h // 8, 8, w // 8, 8).mean(axis=(1, 3))
    assert blocks.max() >= BLOCK_TOLERANCE
