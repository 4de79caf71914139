"""The front's page map (printing/verify/pagemap.py): where the signed runs are on a scan.

A page whose text sits in its upper third and whose only other anchor is the serial code at its
foot (a 戸籍's second page) is the hard case: a fit the code's corners carry alone turns the page
about them, and a corner read a few pixels off (blur) is then a degree at the top.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt
import pytest

from printing.security._cv import cv2
from printing.security.facts import FONT_MINCHO, TextRun, origins, run_end
from printing.verify.glyphs import Frame, downsample, draw, render_runs, supersampled
from printing.verify.pagemap import (
    PT_PER_MM,
    REFINE_DPI,
    PageMap,
    _better,
    _measure,
    fit_map,
    homogeneous,
    local_affine,
    page_frame,
    project,
)

SCAN_DPI = 300.0
WARP_MM = 0.5
LINES = (
    "東京都練馬区石神井町五丁目",
    "令和元年５月１日",
    "山田　さくら",
    "昭和３０年１０月２０日",
    "【出生地】東京都練馬区",
    "【届出人】母",
    "これは、戸籍に記録されている事項の全部を",
)


def _runs() -> list[TextRun]:
    runs = []
    for line, text in enumerate(LINES * 2):
        x = 60.0 if line % 2 == 0 else 250.0
        runs.append(TextRun(f"line[{line}]", text, x, 60.0 + 21.0 * line, 10.5, FONT_MINCHO))
    return runs


def _similarity(degrees: float, scale: float, dx: float, dy: float) -> npt.NDArray[np.float64]:
    """Page pt → scan px."""
    k = scale * SCAN_DPI / 72
    c, s = np.cos(np.radians(degrees)) * k, np.sin(np.radians(degrees)) * k
    return np.array([[c, -s, dx], [s, c, dy]])


def _warp(
    xs: npt.NDArray[np.float32], ys: npt.NDArray[np.float32]
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """The paper's warp (scan px) at scan (xs, ys): 0.5 mm along a 180-mm wave, as the office
    envelope draws it."""
    amplitude, period = WARP_MM / 25.4 * SCAN_DPI, 180 / 25.4 * SCAN_DPI
    return (
        amplitude * np.sin(2 * np.pi * ys / period),
        amplitude * np.sin(2 * np.pi * xs / period + 1.0),
    )


def _scan(runs: list[TextRun], truth: npt.NDArray[np.float64]) -> npt.NDArray[np.float32]:
    """The runs printed and scanned through ``truth`` (affine, or a homography: a camera),
    blurred like a poor office scanner."""
    frame = page_frame(SCAN_DPI)
    page = render_runs(runs, frame)
    k = 72 / SCAN_DPI  # page px → pt
    px_to_scan = homogeneous(truth) @ np.array([[k, 0, 0], [0, k, 0], [0, 0, 1]])
    size = (frame.width, frame.height)
    scan = cv2.warpPerspective(page, px_to_scan, size, flags=cv2.INTER_LINEAR)
    ys, xs = np.mgrid[0 : frame.height, 0 : frame.width].astype(np.float32)
    map_x = xs + _warp(xs, ys)[0]
    map_y = ys + _warp(xs, ys)[1]
    warped = cv2.remap(scan, map_x, map_y, cv2.INTER_LINEAR)
    return np.asarray(cv2.GaussianBlur(warped, (0, 0), 1.35), np.float32)


def _error_px(page_map: PageMap, truth: npt.NDArray[np.float64], runs: list[TextRun]) -> float:
    """The largest distance (scan px) between where the map and the truth put the runs."""
    worst = 0.0
    for run in runs:
        # At the run's middle, where it was measured (a long line's ends warp apart).
        x, y = (run.x_pt + run_end(run)) / 2, run.baseline_pt - 0.35 * run.size_pt
        point = np.array([x, y])
        mapped = project(page_map.shifted(x, y), point)
        printed = project(
            truth, point
        )  # where the scan has it before the warp, which moves it back
        moved = printed - np.array(_warp(np.float32(printed[0]), np.float32(printed[1])))
        worst = max(worst, float(np.linalg.norm(mapped - moved)))
    return worst


@pytest.mark.parametrize("corner_error_px", [0.0, 3.0])
def test_the_runs_carry_the_fit_not_the_serial_codes_corners(corner_error_px: float) -> None:
    """Runs in the upper third, the serial code at the foot with two corners read a few pixels
    off: the map puts every run within a pixel of where it is, from an ECC-like start a third of
    a degree out."""
    runs = _runs()
    truth = _similarity(-1.74, 1.008, 40.0, 90.0)
    ink = _scan(runs, truth)
    left, top, side = 15.0 * PT_PER_MM, 283.0 * PT_PER_MM, 9.8 * PT_PER_MM
    corners_pt = np.array(
        [[left, top], [left + side, top], [left + side, top + side], [left, top + side]]
    )
    corners_px = corners_pt @ truth[:, :2].T + truth[:, 2]
    corners_px[:2, 1] += corner_error_px  # the top edge read low: the code looks turned
    start = _similarity(-1.74 + 0.3, 1.008, 40.0, 90.0)

    page_map = fit_map(runs, ink, start, (corners_pt, corners_px))

    assert _error_px(page_map, truth, runs) < 3.0


def _perspective(corner_offsets_mm: list[tuple[float, float]]) -> npt.NDArray[np.float64]:
    """Page pt → scan px of a photo: the page's corners moved by ``corner_offsets_mm``
    (clockwise from the top-left), after a turn of 2° and an offset."""
    width, height = 210 * PT_PER_MM, 297 * PT_PER_MM
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float64)
    placed = project(_similarity(2.0, 1.0, 60.0, 30.0), corners)
    placed += np.array(corner_offsets_mm) / 25.4 * SCAN_DPI
    return np.asarray(
        cv2.getPerspectiveTransform(corners.astype(np.float32), placed.astype(np.float32)),
        np.float64,
    )


def _spread_runs() -> list[TextRun]:
    """A form's runs down the whole page, in two columns (a 住民票)."""
    runs = []
    for line in range(26):
        text = LINES[line % len(LINES)]
        x = 60.0 if line % 2 == 0 else 300.0
        runs.append(TextRun(f"line[{line}]", text, x, 60.0 + 28.0 * line, 10.5, FONT_MINCHO))
    return runs


@pytest.mark.parametrize(
    "corner_offsets_mm",
    [
        [(2.5, 3.5), (-2.5, 3.5), (0.0, 0.0), (0.0, 0.0)],  # tilted back: the top is narrower
        [(2.0, -3.0), (-1.5, 2.5), (2.5, -3.5), (-2.0, 3.0)],  # the camera envelope's worst
    ],
    ids=["keystone", "skewed"],
)
def test_a_photographed_page_is_mapped_in_perspective(
    corner_offsets_mm: list[tuple[float, float]],
) -> None:
    """A page photographed at an angle (corners up to 3.5 mm out of a similarity): from an
    affine start, the map puts every run within 3 px of where it is — the similarity the map
    was before put the page's far runs 10–20 px off (every field there flagged)."""
    runs = _spread_runs()
    truth = _perspective(corner_offsets_mm)
    ink = _scan(runs, truth)
    start = local_affine(truth, 300.0, 420.0)  # what ECC's affine fit gets at best

    page_map = fit_map(runs, ink, start)

    assert np.any(page_map.homography[2, :2]), "fitted as a similarity"
    assert _error_px(page_map, truth, runs) < 3.0


@pytest.mark.parametrize(("dx_px", "dy_px"), [(0.7, -0.9), (-1.3, 0.4), (0.0, 0.5)])
def test_a_run_is_placed_to_a_fraction_of_a_pixel(dx_px: float, dy_px: float) -> None:
    """A run measured at 150 dpi on a 300-dpi scan: its move to half a scan pixel, not
    to the two scan pixels of one 150-dpi step (consistent runs then fell outside the fit's
    2-px tolerance)."""
    runs = _runs()
    k = SCAN_DPI / 72
    start = np.array([[k, 0.0, 0.0], [0.0, k, 0.0]])
    frame = page_frame(SCAN_DPI)
    page = render_runs(runs, frame)
    moved = cv2.warpAffine(
        page, np.array([[1.0, 0, dx_px], [0, 1.0, dy_px]]), (frame.width, frame.height)
    )
    signed = render_runs(runs, page_frame(REFINE_DPI))
    for run in runs[:4]:
        here = _measure(run, signed, page, start, 6.0)
        there = _measure(run, signed, np.asarray(moved, np.float32), start, 6.0)
        assert here is not None
        assert there is not None
        offset_px = (there[1] - here[1]) * k
        assert abs(offset_px[0] - dx_px) < 0.5, offset_px
        assert abs(offset_px[1] - dy_px) < 0.5, offset_px


def test_a_runs_neighbours_are_drawn_wherever_they_reach_its_frame() -> None:
    """render_runs leaves out the runs and characters that cannot reach the frame (the
    verifier draws a page's runs into every run's small frame): what it draws is what every
    character drawn gives, in a frame cut across lines and characters."""
    runs = [
        *_runs(),
        TextRun("title", "証明書", 100.0, 82.0, 24.0, FONT_MINCHO),  # large, between two lines
    ]
    for frame in (
        Frame(95.0, 50.0, 300, 120, 300.0),
        Frame(240.0, 70.0, 90, 50, 300.0),
        Frame(20.0, 30.0, 40, 20, 300.0),
    ):
        everything = supersampled(frame)
        for run in runs:
            for cluster, x in origins(run):
                draw(everything, frame, cluster, run.font, run.size_pt, x, run.baseline_pt)
        expected = downsample(everything, frame)
        assert expected.any() or frame.width == 40
        assert np.array_equal(render_runs(runs, frame), expected)


def test_a_homography_that_swings_one_run_far_off_is_not_the_page_map() -> None:
    """Perspective terms fitted to a flatbed scan's warp can bring most runs closer and swing a
    few at the page's foot far off (a 戸籍's serial line 34 px off, the similarity's worst run
    7 px): the similarity stays. The same homography, close everywhere, is taken."""
    k = 300 / 72
    similarity = np.array([[k, 0, 10], [0, k, 20], [0, 0, 1.0]])
    homography = similarity @ np.array([[1, 0, 0], [0, 1, 0], [0, 0.000012, 1.0]])
    runs = np.array([[x, y] for y in np.linspace(60, 780, 6) for x in np.linspace(60, 530, 4)])
    tolerance_px = 0.5 * 300 / 25.4
    in_perspective = project(homography, runs)  # up to 36 px from the similarity at the foot
    assert _better(homography, similarity, runs, in_perspective, tolerance_px)
    swung = in_perspective.copy()
    swung[-1] = project(similarity, runs[-1:])[0]  # the foot's run where the similarity has it
    assert not _better(homography, similarity, runs, swung, tolerance_px)


def test_a_page_without_a_fitted_map_names_one_differing_field() -> None:
    """A short page (a 住民票's second page: ten runs) gets no fitted page map; a forged field on
    it is named (the fields read on the registration's map), a capture where four fields differ
    at once is sent back for a rescan, a fitted map keeps the share rule."""
    from printing.verify.fields import RECAPTURE_MIN_FIELDS, _recapture

    unfitted = PageMap(np.eye(3), np.zeros((0, 2)), np.zeros((0, 2)))
    assert _recapture(unfitted, 0, 10) == ""
    assert _recapture(unfitted, 1, 10) == ""
    assert _recapture(unfitted, RECAPTURE_MIN_FIELDS - 1, 30) == ""
    assert "could not be fitted" in _recapture(unfitted, RECAPTURE_MIN_FIELDS, 30)
    fitted = replace(unfitted, runs_measured=40, runs_fitted=38)
    assert _recapture(fitted, RECAPTURE_MIN_FIELDS, 30) == ""
    assert "fields differ at once" in _recapture(fitted, 15, 30)
