"""Where the signed page is on a front scan: the page map (layout version 2).

1. **A first fit**: the kiosk's serial QR code (its place is fixed by compose) gives rotation —
   an upside-down scan included —, scale (the scan's real resolution) and offset; an affine ECC
   fit of the scan's ink to the signed text rendered at REGISTRATION_DPI refines it. Without
   the QR code, a coarse template search over both orientations.
2. **The runs**: every signed run is found on the scan around that fit (at REFINE_DPI, the
   signed page around it as the template) and a similarity (rotation, one scale, offset: what
   a scanner makes) is fitted to them and to the serial code's corners by RANSAC, twice (±12
   pt, then ±6 pt) — or a homography, for a photographed page seen in perspective, when it is
   a plausible page that clearly more of the runs agree with (_better).
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
# A start that ECC takes no higher than this may have settled on a compromise (a photo's
# perspective, pulling a start from the serial code at the foot): the other starts are tried too.
CONFIDENT_REGISTRATION_SCORE = 0.6
PAGE_WIDTH_PT = 210 * PT_PER_MM
PAGE_HEIGHT_PT = 297 * PT_PER_MM


def page_frame(dpi: float) -> Frame:
    """The whole A4 page at ``dpi``."""
    return Frame(0.0, 0.0, round(PAGE_WIDTH_PT * dpi / 72), round(PAGE_HEIGHT_PT * dpi / 72), dpi)


def homogeneous(matrix: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """A page → scan map as 3 × 3: an affine map (2 × 3) gets its last row."""
    if matrix.shape == (3, 3):
        return np.asarray(matrix, np.float64)
    return np.asarray(np.vstack([matrix, [0.0, 0.0, 1.0]]), np.float64)


def project(
    matrix: npt.NDArray[np.float64], points: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """``points`` ((n, 2) or (2,), page pt) mapped by ``matrix`` (affine or homography)."""
    h = homogeneous(matrix)
    p = np.atleast_2d(np.asarray(points, np.float64))
    mapped = p @ h[:2, :2].T + h[:2, 2]
    w = p @ h[2, :2] + h[2, 2]
    out = np.asarray(mapped / w[:, None], np.float64)
    return out if np.ndim(points) > 1 else np.asarray(out[0], np.float64)


def local_affine(
    matrix: npt.NDArray[np.float64], x_pt: float, y_pt: float
) -> npt.NDArray[np.float64]:
    """The affine map that agrees with ``matrix`` (a homography) at (x, y) to first order."""
    h = homogeneous(matrix)
    w = h[2, 0] * x_pt + h[2, 1] * y_pt + h[2, 2]
    u, v = project(h, np.array([x_pt, y_pt]))
    jacobian = np.array(
        [
            [(h[0, 0] - u * h[2, 0]) / w, (h[0, 1] - u * h[2, 1]) / w],
            [(h[1, 0] - v * h[2, 0]) / w, (h[1, 1] - v * h[2, 1]) / w],
        ]
    )
    return np.hstack([jacobian, (np.array([u, v]) - jacobian @ [x_pt, y_pt])[:, None]])


def _to_page(matrix: npt.NDArray[np.float64], frame: Frame) -> npt.NDArray[np.float64]:
    """frame px → scan px (3 × 3), from ``matrix`` (page pt → scan px)."""
    k = 1 / frame.px_per_pt
    to_pt = np.array([[k, 0, frame.x_pt], [0, k, frame.y_pt], [0, 0, 1]])
    return np.asarray(homogeneous(matrix) @ to_pt, np.float64)


def warp_into(
    image: npt.NDArray[np.float32], matrix: npt.NDArray[np.float64], frame: Frame
) -> npt.NDArray[np.float32]:
    """``image`` (a scan) resampled into ``frame`` (page coordinates) by ``matrix`` (page pt →
    scan px: affine, 2 × 3, or a homography, 3 × 3)."""
    to_page = _to_page(matrix, frame)
    size = (frame.width, frame.height)
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    if matrix.shape == (3, 3) and np.any(matrix[2, :2]):
        warped = cv2.warpPerspective(
            image, to_page, size, flags=flags, borderMode=cv2.BORDER_CONSTANT, borderValue=0.0
        )
    else:
        warped = cv2.warpAffine(
            image, to_page[:2], size, flags=flags, borderMode=cv2.BORDER_CONSTANT, borderValue=0.0
        )
    return np.asarray(warped, np.float32)


def _ecc(
    expected: npt.NDArray[np.float32],
    scan_ink: npt.NDArray[np.float32],
    start: npt.NDArray[np.float64],
    frame: Frame,
    perspective: bool = False,
) -> tuple[float, npt.NDArray[np.float64]]:
    """Refine ``start`` (page pt → scan px) by ECC on the whole page at ``frame``: an affine
    map, or with ``perspective`` a homography (3 × 3)."""
    warped = warp_into(scan_ink, start, frame)
    template = cv2.GaussianBlur(expected, (0, 0), 1.2)
    image = cv2.GaussianBlur(warped, (0, 0), 1.2)
    motion = cv2.MOTION_HOMOGRAPHY if perspective else cv2.MOTION_AFFINE
    warp = np.eye(3 if perspective else 2, 3, dtype=np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 40, 1e-4)
    try:
        score, warp = cv2.findTransformECC(template, image, warp, motion, criteria, None, 5)
    except cv2.error:
        return -1.0, start
    # frame px → (warped) frame px → scan px
    k = frame.px_per_pt
    pt_to_frame = np.array([[k, 0, 0], [0, k, 0], [0, 0, 1]])
    frame_to_scan = _to_page(start, frame)
    refined = frame_to_scan @ homogeneous(np.asarray(warp, np.float64)) @ pt_to_frame
    refined = refined / refined[2, 2]
    return float(score), np.asarray(refined if perspective else refined[:2], np.float64)


COARSE_TURNS_DEG = (0.0, -4.0, 4.0)  # a photo is turned up to 5° (channel.py's camera envelope)


def _coarse(
    expected: npt.NDArray[np.float32], scan_ink: npt.NDArray[np.float32], scan_dpi: float
) -> list[npt.NDArray[np.float64]]:
    """Page pt → scan px guesses by template matching: both orientations, each turned by
    COARSE_TURNS_DEG (ECC does not turn a start by 4°), ±10 % scale."""
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
    centre = (image.shape[1] / 2, image.shape[0] / 2)
    guesses: list[tuple[float, npt.NDArray[np.float64]]] = []
    for turn in COARSE_TURNS_DEG:
        # The image turned back by ``turn``: an upright template then matches it.
        unturn = cv2.getRotationMatrix2D(centre, turn, 1.0)
        upright = cv2.warpAffine(image, unturn, (image.shape[1], image.shape[0])) if turn else image
        # upright small px → scan px
        to_scan = np.diag([1 / factor, 1 / factor, 1.0]) @ np.linalg.inv(homogeneous(unturn))
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
                result = cv2.matchTemplate(upright, template, cv2.TM_CCOEFF_NORMED)
                _, score, _, (bx, by) = cv2.minMaxLoc(result)
                s = scale * frame.px_per_pt  # small px per pt
                if rotated:
                    placed = np.array([[-s, 0, bx + scale * x1], [0, -s, by + scale * y1]])
                else:
                    placed = np.array([[s, 0, bx - scale * x0], [0, s, by - scale * y0]])
                guesses.append((float(score), (to_scan @ homogeneous(placed))[:2]))
    guesses.sort(key=lambda g: -g[0])
    return [g[1] for g in guesses[:2]]


def register(
    ink: npt.NDArray[np.float32],
    scan_dpi: float,
    runs: list[TextRun],
    anchor: npt.NDArray[np.float64] | None,
) -> tuple[float, npt.NDArray[np.float64] | None]:
    """(ECC score, page pt → scan px) of the first start ECC takes to a confident score, else
    of the best one that converges; (score, None) when none does."""
    frame = page_frame(REGISTRATION_DPI)
    expected = render_runs(runs, frame)

    def starts() -> Iterator[npt.NDArray[np.float64]]:
        if anchor is not None:
            yield anchor
        yield from _coarse(expected, ink, scan_dpi)  # searched only when the anchor is not enough

    best: tuple[float, npt.NDArray[np.float64] | None] = (-1.0, None)
    for start in starts():
        score, refined = _ecc(expected, ink, start, frame)
        if score >= CONFIDENT_REGISTRATION_SCORE:
            return score, refined
        if score > best[0]:
            best = (score, refined if score >= MIN_REGISTRATION_SCORE else None)
    return best


REFINE_DPI = 150.0
REFINE_SEARCH_PT = 6.0  # ±2 mm: what an affine fit to the whole page leaves at its edges
MIN_RUN_MATCH = 0.5
MIN_RUN_INLIERS = 3  # a short page (a 住民票's second page) has ten runs, warped apart
WARP_REACH_PT = 42.0  # 15 mm: how far a measured run's offset tells about its neighbours'


@dataclass(frozen=True)
class PageMap:
    """Page pt → scan px: a homography (a similarity for a flatbed scan), and the paper's warp
    left over by it (the offsets of measured runs, interpolated between them)."""

    homography: npt.NDArray[np.float64]  # 3 × 3
    points: npt.NDArray[np.float64]  # (n, 2) run centres, pt
    offsets: npt.NDArray[np.float64]  # (n, 2) their offsets from the homography, pt
    residual_px: float = 0.0  # RMS distance of the fit's runs from it, scan px (0: not fitted)
    runs_measured: int = 0  # runs found on the scan in the final fit
    runs_fitted: int = 0  # of them, those the map carries (RANSAC inliers)

    @property
    def affine(self) -> npt.NDArray[np.float64]:
        """The affine map that agrees with the homography at the page's centre."""
        return local_affine(self.homography, PAGE_WIDTH_PT / 2, PAGE_HEIGHT_PT / 2)

    def shifted(self, x_pt: float, y_pt: float) -> npt.NDArray[np.float64]:
        """The homography moved by the warp around (x, y) (3 × 3)."""
        if not len(self.points):
            return self.homography
        distance2 = np.sum((self.points - [x_pt, y_pt]) ** 2, axis=1)
        weight = np.exp(-distance2 / (2 * WARP_REACH_PT**2))
        if float(weight.sum()) < 0.05:
            return self.homography
        shift = (weight[:, None] * self.offsets).sum(axis=0) / weight.sum()
        return np.asarray(
            self.homography @ np.array([[1.0, 0, shift[0]], [0, 1.0, shift[1]], [0, 0, 1.0]]),
            np.float64,
        )


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


# The paper's warp (≤ 0.5 mm in the envelopes, channel.py) is left to the interpolated offsets:
# a homography held to the similarity's 2 px follows the few runs one bend of the paper keeps
# together and swings the rest of the page (issue 12: a folded 戸籍 photographed, 25 of 70 runs
# fitted, 10–20 px off elsewhere); held to the warp's size it is fitted to the whole page.
HOMOGRAPHY_TOLERANCE_MM = 0.5
MAX_PERSPECTIVE_MM = 10.0  # a homography that far from the similarity at a corner is not a page
# The homography is taken when it puts this share of the runs and landmarks (and at least
# PERSPECTIVE_GAIN_RUNS) more within COMPARE_TOLERANCE_PX (the similarity's RANSAC tolerance)
# than the similarity does. Measured on 24 office fronts (seed 2) and 10 camera fronts (seed 4):
# the homography gained 0–31 % on office scans (11.8 % on the one it swung off: an 印鑑登録証明書's
# serial line), 9–78 % on photos (13.6 % the least of those a similarity flagged). At the edge.
PERSPECTIVE_GAIN = 0.125
# ... and halves their median distance, near enough: photos 0.41–0.52 of the similarity's; a
# 200-dpi 戸籍 page's homography (0.875) gained 4 of 24 runs and swung its serial line.
PERSPECTIVE_MEDIAN_RATIO = 0.7
PERSPECTIVE_GAIN_RUNS = 2
COMPARE_TOLERANCE_PX = 2.0


@dataclass(frozen=True)
class _Fit:
    """One fit of the page map to the measured runs (and the serial code's corners)."""

    homography: npt.NDArray[np.float64]
    centres: npt.NDArray[np.float64]  # (n, 2) run centres, pt
    scan: npt.NDArray[np.float64]  # (n, 2) where the scan has them, px
    inliers: npt.NDArray[np.bool_]  # (n,) the runs that carry the fit
    perspective: bool  # the homography was taken, not the similarity


def _ransac(
    source: npt.NDArray[np.float64], target: npt.NDArray[np.float64], perspective: float
) -> tuple[npt.NDArray[np.float64] | None, npt.NDArray[np.bool_]]:
    """A similarity from ``source`` to ``target`` by RANSAC (2-px tolerance), or with
    ``perspective`` (its tolerance, px) a homography."""
    if perspective:
        fitted, inliers = cv2.findHomography(
            source.astype(np.float32),
            target.astype(np.float32),
            cv2.RANSAC,
            perspective,
        )
    else:
        fitted, inliers = cv2.estimateAffinePartial2D(
            source.astype(np.float32),
            target.astype(np.float32),
            method=cv2.RANSAC,
            ransacReprojThreshold=2.0,
        )
    if fitted is None or inliers is None:
        return None, np.zeros(len(source), bool)
    return homogeneous(np.asarray(fitted, np.float64)), inliers.ravel().astype(bool)


def _plausible(homography: npt.NDArray[np.float64], similarity: npt.NDArray[np.float64]) -> bool:
    """Whether a fitted homography is a page in perspective and not RANSAC's fit of a few
    crowded columns: within MAX_PERSPECTIVE_MM of the similarity at the page's corners, and
    not mirrored against it."""
    corners = np.array(
        [[0, 0], [PAGE_WIDTH_PT, 0], [PAGE_WIDTH_PT, PAGE_HEIGHT_PT], [0, PAGE_HEIGHT_PT]]
    )
    w = corners @ homography[2, :2] + homography[2, 2]
    if np.any(w <= 0.2) or np.any(w >= 5):
        return False
    px_per_mm = scale_dpi(similarity[:2]) / 25.4
    apart = np.linalg.norm(project(homography, corners) - project(similarity, corners), axis=1)
    local = local_affine(homography, PAGE_WIDTH_PT / 2, PAGE_HEIGHT_PT / 2)
    same_hand = np.linalg.det(local[:, :2]) * np.linalg.det(similarity[:2, :2]) > 0
    return bool(same_hand and float(apart.max()) < MAX_PERSPECTIVE_MM * px_per_mm)


def _better(
    homography: npt.NDArray[np.float64] | None,
    similarity: npt.NDArray[np.float64] | None,
    source: npt.NDArray[np.float64],
    target: npt.NDArray[np.float64],
    tolerance_px: float,
) -> bool:
    """Whether the homography is the page map: a plausible page that puts clearly more of the
    runs and landmarks (``source`` → ``target``) within COMPARE_TOLERANCE_PX than the
    similarity does (PERSPECTIVE_GAIN), or that the page agrees with where the similarity is
    off by more than the warp (``tolerance_px``, the homography's) for most of it — a paper's
    warp hides the photo's perspective from a 2-px count. A flatbed scan keeps the similarity:
    perspective terms fitted to its warp and noise swing the page's foot, where few runs are
    (issue 12: an 印鑑登録証明書 whose text ends at mid-page, its serial line 2 mm off)."""
    if homography is None or similarity is None or not _plausible(homography, similarity):
        return False
    apart = [np.linalg.norm(target - project(m, source), axis=1) for m in (homography, similarity)]
    # Closer on most runs but far off on a few: perspective terms fitted to a flatbed scan's
    # warp swing the page's foot (issue 12: a 戸籍's second page, 1.7°, its serial line 34 px off
    # where the similarity's worst run was 7 px). A page in perspective is closer everywhere.
    if float(apart[0].max()) > max(float(apart[1].max()), tolerance_px):
        return False
    median = [float(np.median(a)) for a in apart]
    if median[1] > tolerance_px and median[0] < 0.6 * median[1]:
        return True
    near = [int((a < COMPARE_TOLERANCE_PX).sum()) for a in apart]
    gain = max(PERSPECTIVE_GAIN_RUNS, PERSPECTIVE_GAIN * len(source))
    return near[0] >= near[1] + gain and median[0] < PERSPECTIVE_MEDIAN_RATIO * median[1]


def _fit(
    runs: list[TextRun],
    page: npt.NDArray[np.float32],
    ink: npt.NDArray[np.float32],
    start: npt.NDArray[np.float64],
    reach_pt: float,
    landmarks: Landmarks | None,
    perspective: bool | None = None,
) -> _Fit | None:
    """The page map fitted to the runs measured within ``reach_pt`` of ``start`` and the
    landmarks (each counted four times: a QR code's corners are exact); ``page`` is the signed
    page drawn at REFINE_DPI. ``perspective``: a homography (True) or the similarity (False)
    as an earlier fit chose, None to choose (_better)."""
    measured = [
        found
        for run in runs
        if renderable(run) and not run.text.isspace()
        for found in [_measure(run, page, ink, start, reach_pt)]
        if found is not None
    ]
    if len(measured) < 6:
        return None
    centres = np.array([c for c, _ in measured])
    scan = project(start, np.array([moved for _, moved in measured]))
    source, target = centres, scan
    if landmarks is not None:
        source = np.vstack([centres, *([landmarks[0]] * 4)])
        target = np.vstack([scan, *([landmarks[1]] * 4)])
    # A similarity (rotation, one scale, offset), not a full affine map: a scanner does not
    # shear, and the runs of a form crowd into a few columns, which leave a shear (a rotation
    # error of a third of a degree: 2 pt at the end of a line) free to fit their noise. A camera
    # sees the page in perspective: a homography, taken when it is a plausible page (its
    # perspective terms are then what the runs across the page agree on, not a column's noise).
    similarity, similar = _ransac(source, target, perspective=0.0)
    tolerance = HOMOGRAPHY_TOLERANCE_MM * scale_dpi(local_affine(start, 0.0, 0.0)) / 25.4
    homography, inliers = _ransac(source, target, tolerance)
    if perspective is None:
        perspective = _better(homography, similarity, source, target, tolerance)
    perspective = bool(
        perspective
        and homography is not None
        and similarity is not None
        and _plausible(homography, similarity)
    )
    if not perspective:
        homography, inliers = similarity, similar
    # The runs must carry the fit: the landmarks' copies alone are enough inliers for RANSAC,
    # and a QR code's corners read a few pixels off (blur) turn a map fitted to them alone by a
    # degree at the top of the page.
    if (
        homography is None
        or int(inliers.sum()) < 6
        or int(inliers[: len(centres)].sum()) < MIN_RUN_INLIERS
    ):
        return None
    return _Fit(homography, centres, scan, inliers[: len(centres)], perspective)


def fit_map(
    runs: list[TextRun],
    ink: npt.NDArray[np.float32],
    start: npt.NDArray[np.float64],
    landmarks: Landmarks | None = None,
) -> PageMap:
    """The page → scan map fitted again (RANSAC) to where the runs really are, and the warp it
    leaves. ECC on the whole page favours where the text is: a page whose text ends at the top
    can be a few points off at its foot (the 発行番号, the serial), so the runs are measured
    twice — widely, then closely around the first fit — and the serial QR code's corners, at
    the foot, weigh in. ``start`` (page pt → scan px) is affine or a homography."""
    page = render_runs(runs, page_frame(REFINE_DPI))
    first = _fit(runs, page, ink, start, 2 * REFINE_SEARCH_PT, landmarks)
    if first is None:
        return PageMap(homogeneous(start), np.zeros((0, 2)), np.zeros((0, 2)))
    # The model the wide fit chose is kept: run counts near a threshold would flip it.
    second = (
        _fit(runs, page, ink, first.homography, REFINE_SEARCH_PT, landmarks, first.perspective)
        or first
    )
    fitted = second.homography
    residual = np.linalg.norm(second.scan - project(fitted, second.centres), axis=1)
    offsets = project(np.asarray(np.linalg.inv(fitted), np.float64), second.scan) - second.centres
    keep = np.abs(offsets).max(axis=1) < REFINE_SEARCH_PT * 0.7
    return PageMap(
        fitted,
        second.centres[keep],
        offsets[keep],
        residual_px=float(np.sqrt(np.mean(residual[second.inliers] ** 2))),
        runs_measured=len(second.centres),
        runs_fitted=int(second.inliers.sum()),
    )


def scale_dpi(affine: npt.NDArray[np.float64]) -> float:
    """The scan's resolution the page → scan map (affine, 2 × 3) implies (px per inch)."""
    return float(np.sqrt(abs(np.linalg.det(affine[:2, :2])))) * 72


def rotated(affine: npt.NDArray[np.float64]) -> bool:
    """Whether the page → scan map turns the page upside down."""
    return float(affine[0, 0]) < 0
