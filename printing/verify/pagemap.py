"""Where the signed page is on a front scan: the page map (layout version 2).

1. **A first fit**: the kiosk's serial QR code (its place is fixed by compose) gives rotation —
   an upside-down scan included —, scale (the scan's real resolution) and offset; an affine ECC
   fit of the scan's ink to the signed text rendered at REGISTRATION_DPI refines it. Without
   the QR code, a coarse template search over both orientations.
2. **The runs**: every signed run is found on the scan around that fit (at REFINE_DPI, the
   signed page around it as the template) and a similarity is fitted to them and to the
   serial code's corners by RANSAC, twice (±12 pt, then ±6 pt).
3. **The warp** that fit leaves — paper warp, folds — is the measured runs' offsets,
   interpolated between them (PageMap.shifted).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from printing.security._cv import cv2
from printing.security.facts import TextRun, run_end

from .glyphs import Frame, render_runs, renderable

PT_PER_MM = 72 / 25.4
REGISTRATION_DPI = 50.0
MIN_REGISTRATION_SCORE = 0.45
PAGE_WIDTH_PT = 210 * PT_PER_MM
PAGE_HEIGHT_PT = 297 * PT_PER_MM


def page_frame(dpi: float) -> Frame:
    """The whole A4 page at ``dpi``."""
    return Frame(0.0, 0.0, round(PAGE_WIDTH_PT * dpi / 72), round(PAGE_HEIGHT_PT * dpi / 72), dpi)


def _to_page(affine: npt.NDArray[np.float64], frame: Frame) -> npt.NDArray[np.float64]:
    """frame px → scan px, from ``affine`` (page pt → scan px)."""
    k = 1 / frame.px_per_pt
    to_pt = np.array([[k, 0, frame.x_pt], [0, k, frame.y_pt], [0, 0, 1]])
    return np.asarray(np.vstack([affine, [0, 0, 1]]) @ to_pt, np.float64)[:2]


def warp_into(
    image: npt.NDArray[np.float32], affine: npt.NDArray[np.float64], frame: Frame
) -> npt.NDArray[np.float32]:
    """``image`` (a scan) resampled into ``frame`` (page coordinates) by ``affine``."""
    return np.asarray(
        cv2.warpAffine(
            image,
            _to_page(affine, frame),
            (frame.width, frame.height),
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=0.0,
        ),
        np.float32,
    )


def _ecc(
    expected: npt.NDArray[np.float32],
    scan_ink: npt.NDArray[np.float32],
    affine: npt.NDArray[np.float64],
    frame: Frame,
) -> tuple[float, npt.NDArray[np.float64]]:
    """Refine ``affine`` (page pt → scan px) by ECC on the whole page at ``frame``."""
    warped = warp_into(scan_ink, affine, frame)
    template = cv2.GaussianBlur(expected, (0, 0), 1.2)
    image = cv2.GaussianBlur(warped, (0, 0), 1.2)
    warp = np.eye(2, 3, dtype=np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 40, 1e-4)
    try:
        score, warp = cv2.findTransformECC(
            template, image, warp, cv2.MOTION_AFFINE, criteria, None, 5
        )
    except cv2.error:
        return -1.0, affine
    # frame px → (warped) frame px → scan px
    k = frame.px_per_pt
    pt_to_frame = np.array([[k, 0, 0], [0, k, 0], [0, 0, 1]])
    frame_to_scan = np.vstack([_to_page(affine, frame), [0, 0, 1]])
    refined = frame_to_scan @ np.vstack([warp, [0, 0, 1]]) @ pt_to_frame
    return float(score), np.asarray(refined[:2], np.float64)


def _coarse(
    expected: npt.NDArray[np.float32], scan_ink: npt.NDArray[np.float32], scan_dpi: float
) -> list[npt.NDArray[np.float64]]:
    """Page pt → scan px guesses by template matching: both orientations, ±10 % scale."""
    small = 36.0
    factor = small / scan_dpi  # image px per scan px
    image = cv2.resize(scan_ink, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    frame = page_frame(small)
    page = cv2.resize(expected, (frame.width, frame.height), interpolation=cv2.INTER_AREA)
    ys, xs = np.nonzero(page > 0.05)
    if ys.size == 0:
        return []
    y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
    crop = page[y0:y1, x0:x1]
    guesses: list[tuple[float, npt.NDArray[np.float64]]] = []
    for rotated in (False, True):
        for scale in (0.9, 0.95, 1.0, 1.05, 1.1):
            template = crop[::-1, ::-1] if rotated else crop
            template = cv2.resize(
                np.ascontiguousarray(template),
                None,
                fx=scale,
                fy=scale,
                interpolation=cv2.INTER_AREA,
            )
            if template.shape[0] >= image.shape[0] or template.shape[1] >= image.shape[1]:
                continue
            result = cv2.matchTemplate(image, template, cv2.TM_CCOEFF_NORMED)
            _, score, _, (bx, by) = cv2.minMaxLoc(result)
            s = scale * frame.px_per_pt / factor  # scan px per pt
            if rotated:
                affine = np.array(
                    [[-s, 0, (bx + scale * x1) / factor], [0, -s, (by + scale * y1) / factor]]
                )
            else:
                affine = np.array(
                    [[s, 0, (bx - scale * x0) / factor], [0, s, (by - scale * y0) / factor]]
                )
            guesses.append((float(score), affine))
    guesses.sort(key=lambda g: -g[0])
    return [g[1] for g in guesses[:2]]


def register(
    ink: npt.NDArray[np.float32],
    scan_dpi: float,
    runs: list[TextRun],
    anchor: npt.NDArray[np.float64] | None,
) -> tuple[float, npt.NDArray[np.float64] | None]:
    """(ECC score, page pt → scan px) of the best start that converges, or (score, None)."""
    frame = page_frame(REGISTRATION_DPI)
    expected = render_runs(runs, frame)

    def starts() -> Iterator[npt.NDArray[np.float64]]:
        if anchor is not None:
            yield anchor
        yield from _coarse(expected, ink, scan_dpi)  # searched only when the anchor fails

    best = (-1.0, None)
    for start in starts():
        score, refined = _ecc(expected, ink, start, frame)
        if score >= MIN_REGISTRATION_SCORE:
            return score, refined
        best = max(best, (score, None), key=lambda b: b[0])
    return best


REFINE_DPI = 150.0
REFINE_SEARCH_PT = 6.0  # ±2 mm: what an affine fit to the whole page leaves at its edges
MIN_RUN_MATCH = 0.5
MIN_RUN_INLIERS = 3  # a short page (a 住民票's second page) has ten runs, warped apart
WARP_REACH_PT = 42.0  # 15 mm: how far a measured run's offset tells about its neighbours'


@dataclass(frozen=True)
class PageMap:
    """Page pt → scan px: an affine map, and the paper's warp left over by it (the offsets of
    measured runs, interpolated between them)."""

    affine: npt.NDArray[np.float64]
    points: npt.NDArray[np.float64]  # (n, 2) run centres, pt
    offsets: npt.NDArray[np.float64]  # (n, 2) their offsets from the affine map, pt

    def shifted(self, x_pt: float, y_pt: float) -> npt.NDArray[np.float64]:
        """The affine map moved by the warp around (x, y)."""
        if not len(self.points):
            return self.affine
        distance2 = np.sum((self.points - [x_pt, y_pt]) ** 2, axis=1)
        weight = np.exp(-distance2 / (2 * WARP_REACH_PT**2))
        if float(weight.sum()) < 0.05:
            return self.affine
        shift = (weight[:, None] * self.offsets).sum(axis=0) / weight.sum()
        moved = self.affine.copy()
        moved[:, 2] += self.affine[:, :2] @ shift
        return moved


CONTEXT_EM = 0.6  # around a measured run: its neighbours make the match unambiguous


def _measure(
    run: TextRun,
    page: npt.NDArray[np.float32],
    ink: npt.NDArray[np.float32],
    affine: npt.NDArray[np.float64],
    reach_pt: float = REFINE_SEARCH_PT,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None:
    """(centre, where the scan has it) in page pt, for one run, at REFINE_DPI. The template is
    the signed page (``page``, drawn once at REFINE_DPI) around the run, with what surrounds it:
    a small line (kana over a name) alone can slide onto its big neighbour."""
    k = REFINE_DPI / 72
    size = run.size_pt
    margin = CONTEXT_EM * size
    x0 = max(0, int((run.x_pt - margin) * k))
    y0 = max(0, int((run.baseline_pt - 0.9 * size - margin) * k))
    x1 = min(page.shape[1], int((run_end(run) + margin) * k))
    y1 = min(page.shape[0], int((run.baseline_pt + 0.2 * size + margin) * k))
    template = cv2.GaussianBlur(page[y0:y1, x0:x1], (0, 0), 1.0)
    if template.size == 0 or float(template.std()) < 1e-3:
        return None
    frame = Frame(x0 / k, y0 / k, x1 - x0, y1 - y0, REFINE_DPI)
    m = reach_pt
    search = round(m * k)
    wide = Frame(
        frame.x_pt - search / k,
        frame.y_pt - search / k,
        frame.width + 2 * search,
        frame.height + 2 * search,
        REFINE_DPI,
    )
    result = cv2.matchTemplate(warp_into(ink, affine, wide), template, cv2.TM_CCOEFF_NORMED)
    _, score, _, (x, y) = cv2.minMaxLoc(result)
    if score < MIN_RUN_MATCH:
        return None
    # To a fraction of a pixel: a whole pixel here is two of a 300-dpi scan, as much as the
    # fit's tolerance, and whole-pixel offsets left consistent runs outside it (issue 12: a
    # blurred, rotated 戸籍 page whose fit then followed the serial code's corners alone).
    found = np.array([x + _vertex(result[y, :], x), y + _vertex(result[:, x], y)])
    centre = np.array([frame.x_pt + frame.width / 2 / k, frame.y_pt + frame.height / 2 / k])
    return centre, centre + (found - search) / k


def _vertex(profile: npt.NDArray[np.float32], at: int) -> float:
    """Sub-pixel offset of a maximum from a parabola through it and its neighbours."""
    if not 0 < at < profile.size - 1:
        return 0.0
    left, mid, right = float(profile[at - 1]), float(profile[at]), float(profile[at + 1])
    denominator = left - 2 * mid + right
    return float(np.clip(0.5 * (left - right) / denominator, -0.5, 0.5)) if denominator < 0 else 0.0


Landmarks = tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]  # page pt, scan px


def _fit(
    runs: list[TextRun],
    page: npt.NDArray[np.float32],
    ink: npt.NDArray[np.float32],
    affine: npt.NDArray[np.float64],
    reach_pt: float,
    landmarks: Landmarks | None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]] | None:
    """(affine, run centres, where the scan has them) from the runs measured within
    ``reach_pt`` and the landmarks (each counted four times: a QR code's corners are exact);
    ``page`` is the signed page drawn at REFINE_DPI."""
    measured = [
        found
        for run in runs
        if renderable(run) and not run.text.isspace()
        for found in [_measure(run, page, ink, affine, reach_pt)]
        if found is not None
    ]
    if len(measured) < 6:
        return None
    centres = np.array([c for c, _ in measured])
    scan = np.array([affine @ np.array([*moved, 1.0]) for _, moved in measured])
    source, target = centres, scan
    if landmarks is not None:
        source = np.vstack([centres, *([landmarks[0]] * 4)])
        target = np.vstack([scan, *([landmarks[1]] * 4)])
    # A similarity (rotation, one scale, offset), not a full affine map: a scanner does not
    # shear, and the runs of a form crowd into a few columns, which leave a shear (a rotation
    # error of a third of a degree: 2 pt at the end of a line) free to fit their noise.
    fitted, inliers = cv2.estimateAffinePartial2D(
        source.astype(np.float32),
        target.astype(np.float32),
        method=cv2.RANSAC,
        ransacReprojThreshold=2.0,
    )
    # The runs must carry the fit: the landmarks' copies alone are enough inliers for RANSAC,
    # and a QR code's corners read a few pixels off (blur) turn a map fitted to them alone by a
    # degree at the top of the page.
    if (
        fitted is None
        or int(inliers.sum()) < 6
        or int(inliers[: len(centres)].sum()) < MIN_RUN_INLIERS
    ):
        return None
    return np.asarray(fitted, np.float64), centres, scan


def fit_map(
    runs: list[TextRun],
    ink: npt.NDArray[np.float32],
    affine: npt.NDArray[np.float64],
    landmarks: Landmarks | None = None,
) -> PageMap:
    """The page → scan map fitted again (RANSAC) to where the runs really are, and the warp it
    leaves. ECC on the whole page favours where the text is: a page whose text ends at the top
    can be a few points off at its foot (the 発行番号, the serial), so the runs are measured
    twice — widely, then closely around the first fit — and the serial QR code's corners, at
    the foot, weigh in."""
    page = render_runs(runs, page_frame(REFINE_DPI))
    first = _fit(runs, page, ink, affine, 2 * REFINE_SEARCH_PT, landmarks)
    if first is None:
        return PageMap(affine, np.zeros((0, 2)), np.zeros((0, 2)))
    second = _fit(runs, page, ink, first[0], REFINE_SEARCH_PT, landmarks) or first
    fitted, centres, scan = second
    inverse = np.linalg.inv(fitted[:, :2])
    offsets = (scan - (centres @ fitted[:, :2].T + fitted[:, 2])) @ inverse.T
    keep = np.abs(offsets).max(axis=1) < REFINE_SEARCH_PT * 0.7
    return PageMap(fitted, centres[keep], offsets[keep])


def scale_dpi(affine: npt.NDArray[np.float64]) -> float:
    """The scan's resolution the page → scan map implies (px per inch)."""
    return float(np.sqrt(abs(np.linalg.det(affine[:2, :2])))) * 72


def rotated(affine: npt.NDArray[np.float64]) -> bool:
    """Whether the page → scan map turns the page upside down."""
    return float(affine[0, 0]) < 0
