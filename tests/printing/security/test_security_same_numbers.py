"""Shortcuts of the verifier that must give the numbers the longer way gave: the decoded 8-bit
page reused (codes, fiducials), the image comparison's shifted windows as views, the front's
rules taken out a band of rows at a time."""

from __future__ import annotations

import io

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from printing.security._cv import cv2
from printing.verify import frontink
from printing.verify.front import COMPARE_WINDOW, _window_scores
from printing.verify.images import ScanImage, load_scan


def test_a_decoded_page_is_its_own_8_bit_grey() -> None:
    rng = np.random.default_rng(5)
    page = rng.integers(0, 256, (120, 90), dtype=np.uint8)
    page[0, :] = np.arange(90)  # every level somewhere
    page[1, :] = np.arange(166, 256)
    encoded = io.BytesIO()
    Image.fromarray(page).save(encoded, format="PNG", dpi=(300, 300))
    scan = load_scan(encoded.getvalue())[0]
    np.testing.assert_array_equal(scan.grey, page.astype(np.float32) / np.float32(255))
    rounded = np.clip(scan.grey * 255 + 0.5, 0, 255).astype(np.uint8)  # the float way
    np.testing.assert_array_equal(scan.grey_u8, rounded)
    np.testing.assert_array_equal(scan.grey_u8, page)


def test_every_8_bit_level_over_255_times_255_truncates_back_to_itself() -> None:
    # find_fiducials takes the decoded page for grey × 255 truncated (locate.py).
    levels = np.arange(256, dtype=np.uint8)
    grey = levels.astype(np.float32) / np.float32(255)
    np.testing.assert_array_equal(np.clip(grey * 255, 0, 255).astype(np.uint8), levels)


def _reference_scores(
    restored: npt.NDArray[np.float32],
    front: npt.NDArray[np.float32],
    front_raw: npt.NDArray[np.float32],
) -> npt.NDArray[np.float32]:
    """front._window_scores as it was with its shifts made by np.roll (issue 12's third
    session), the part that the views changed."""
    a = cv2.GaussianBlur(restored, (0, 0), 0.7)
    b = cv2.GaussianBlur(front, (0, 0), 0.7)
    k = (COMPARE_WINDOW, COMPARE_WINDOW)
    mean_a = cv2.blur(a, k)
    var_a = cv2.blur(a * a, k) - mean_a * mean_a
    floor_a = np.maximum(var_a, 1e-4)
    mean_b0 = cv2.blur(b, k)
    var_b0 = cv2.blur(b * b, k) - mean_b0 * mean_b0
    best = np.full(a.shape, -1.0, np.float32)
    var_b_best = np.zeros_like(a)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            shifted = np.roll(b, (dy, dx), (0, 1))
            mean_b = np.roll(mean_b0, (dy, dx), (0, 1))
            var_b = np.roll(var_b0, (dy, dx), (0, 1))
            cov = cv2.blur(a * shifted, k) - mean_a * mean_b
            ncc = cov / np.sqrt(floor_a * np.maximum(var_b, 1e-4))
            better = ncc > best
            np.copyto(best, ncc, where=better)
            np.copyto(var_b_best, var_b, where=better)
    scores = np.where((var_a > 0.02) & (var_b_best > 0.02), 1 - best, 0.0)
    return scores.astype(np.float32)


@pytest.mark.parametrize("seed", range(4))
def test_window_scores_by_views_are_the_rolled_ones_where_the_scores_count(seed: int) -> None:
    rng = np.random.default_rng(seed)
    h, w = (int(v) for v in rng.integers(40, 200, 2))
    restored = (rng.random((h, w)) > 0.7).astype(np.float32)
    moved = np.roll(restored, (int(rng.integers(-1, 2)), int(rng.integers(-1, 2))), (0, 1))
    front = np.clip(moved * 0.8 + rng.normal(0, 0.1, (h, w)), 0, 1).astype(np.float32)
    raw = np.clip(front + rng.normal(0, 0.05, (h, w)), 0, 1).astype(np.float32)
    scores = _window_scores(restored, front, raw)
    reference = _reference_scores(restored, front, raw)
    edge = COMPARE_WINDOW // 2 + 1  # compare_front sets the edge's scores to 0
    both = reference[edge:-edge, edge:-edge] > 0  # one-sided windows aside: not changed
    inner = scores[edge:-edge, edge:-edge]
    assert both.any()
    np.testing.assert_array_equal(inner[both], reference[edge:-edge, edge:-edge][both])


def test_the_rules_coverage_table_is_cv2_multiplys_own_values() -> None:
    rng = np.random.default_rng(11)
    rules = rng.integers(0, 256, (37, 1001), dtype=np.uint8)  # odd width: SIMD tails too
    by_table = cv2.LUT(rules, frontink._RULE_COVERAGE)
    np.testing.assert_array_equal(by_table, cv2.multiply(rules, 1 / 255, dtype=cv2.CV_32F))


def test_front_ink_by_bands_is_front_ink_in_one_piece(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(2)
    grey = np.clip(rng.normal(0.9, 0.05, (403, 300)), 0, 1).astype(np.float32)
    grey[100:104, 20:280] = 0.1  # a rule of the form
    grey[150:250, 140:143] = 0.15  # and a vertical one
    grey[300:330, 50:80] = 0.2  # ink that is no rule
    scan = ScanImage(grey, 300.0, True)
    in_bands = frontink.front_ink(scan)
    monkeypatch.setattr(frontink, "RULE_BAND_ROWS", grey.shape[0])
    np.testing.assert_array_equal(in_bands, frontink.front_ink(scan))
    monkeypatch.setattr(frontink, "RULE_BAND_ROWS", 7)
    np.testing.assert_array_equal(in_bands, frontink.front_ink(scan))
    assert float(in_bands[102, 150]) < 0.1 < float(in_bands[315, 65])  # the rule taken out
