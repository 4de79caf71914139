"""Digits read, not thresholded: a scan's digit cell against the ten digit templates.

The document font is known, and so is each digit's place and size: the ten templates of that
font, size and place (full- or half-width as signed), blurred like the print, are correlated
with the scan's cell; the best one is the digit read. A changed digit then reports what it was
changed to (security-printing.md, "The front, field by field").
"""

from __future__ import annotations

import unicodedata

import numpy as np
import numpy.typing as npt

DIGITS_FULL = "０１２３４５６７８９"
DIGITS_HALF = "0123456789"


def is_digit(cluster: str) -> bool:
    """A single full- or half-width decimal digit."""
    return (
        len(cluster) == 1
        and unicodedata.category(cluster) == "Nd"
        and (cluster in DIGITS_FULL or cluster in DIGITS_HALF)
    )


def digit_set(cluster: str) -> str:
    """The ten digits of ``cluster``'s width (full or half)."""
    return DIGITS_FULL if cluster in DIGITS_FULL else DIGITS_HALF


def _unit_rows(rows: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    centred = rows - rows.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    return np.asarray(centred / np.maximum(norms, 1e-6), np.float32)


def read_digit(
    patch: npt.NDArray[np.float32],
    templates: list[npt.NDArray[np.float32]],
    bx: int,
    by: int,
) -> list[float]:
    """Each digit template's best normalised correlation with the patch within ±1 px of where
    the signed digit fitted best (one matrix product instead of ten searches)."""
    h, w = templates[0].shape
    views = [
        patch[y : y + h, x : x + w].ravel()
        for y in range(max(0, by - 1), min(patch.shape[0] - h, by + 1) + 1)
        for x in range(max(0, bx - 1), min(patch.shape[1] - w, bx + 1) + 1)
    ]
    scan = _unit_rows(np.array(views, np.float32))
    glyphs = _unit_rows(np.array([t.ravel() for t in templates], np.float32))
    return [float(v) for v in (glyphs @ scan.T).max(axis=1)]
