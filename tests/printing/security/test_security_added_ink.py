"""Ink around a run where the signed page has none (printing/verify/runcheck.py): a character
added on the line is found, the foot of a form's rule the rule filter left is not."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from printing.verify.runcheck import ADDED_BELOW_EM, _extra_ink

EM = 43.75  # 10.5 pt at 300 dpi
BASELINE = 1.2 * EM  # compare_run's frame: 1.2 em above the baseline, 0.5 em below
HEIGHT = round(1.7 * EM)


def _frame() -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
    """A run's frame: the signed name at x 60..200 (scan and template alike), no picture."""
    scan = np.zeros((HEIGHT, 262), np.float32)
    top, bottom = round(BASELINE - 0.85 * EM), round(BASELINE)
    scan[top:bottom, 60:200:12] = 1.0  # strokes of the signed characters
    return scan, scan.copy(), np.zeros(scan.shape, bool)


def test_a_digit_added_before_the_run_is_found() -> None:
    scan, expected, masked = _frame()
    top, bottom = round(BASELINE - 0.7 * EM), round(BASELINE)
    scan[top:bottom, 30:34] = 1.0  # a "1": a stem and its flag
    scan[top : top + 5, 25:34] = 1.0

    boxes = _extra_ink(scan, expected, masked, EM, BASELINE)

    assert len(boxes) == 1
    x, _, w, _ = boxes[0]
    assert x <= 25
    assert x + w >= 34


def test_a_rule_foot_below_the_line_is_not_a_character() -> None:
    """The folded 住民票 (office, --genuine --seed 2, draw 16): a 4-px wide piece of the
    column's rule, the rule filter having taken its straight middle, from just above the
    baseline to 0.47 em below it."""
    scan, expected, masked = _frame()
    scan[round(BASELINE - 0.1 * EM) : HEIGHT - 1, 25:29] = 1.0

    assert _extra_ink(scan, expected, masked, EM, BASELINE) == []


def test_ink_within_the_band_below_the_baseline_still_counts() -> None:
    scan, expected, masked = _frame()
    bottom = round(BASELINE + (ADDED_BELOW_EM - 0.05) * EM)
    scan[round(BASELINE - 0.6 * EM) : bottom, 30:36] = 1.0

    assert len(_extra_ink(scan, expected, masked, EM, BASELINE)) == 1
