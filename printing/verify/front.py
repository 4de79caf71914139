"""Comparing a scan of the front with the front restored from the back (§7.3 step 8).

The front carries no fiducials (it is the municipality's page), so it is registered to the
restored image: resampled to the source resolution, placed by the small serial code the kiosk
printed in the margin (whose position compose fixes), else by ORB features or template
matching; refined by an affine ECC, a bounded affine correction from 64-px blocks, and tiles
matched within ±12 px to follow paper warp. The comparison works in glyph-sized windows
(13 px, ~3.5 mm): 1 − the best normalised correlation over ±1-px shifts where both images hold
ink (robust to stroke weight, tone and residual misregistration), and real ink on one side
where the other is blank (a removed seal, an added line). Windows above the threshold are the
reported regions. It finds substituted kanji; it does not reliably find a single digit
changed into a similar one (docs/security-printing.md, "Tamper detection").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from printing.security._cv import cv2
from printing.security.compose import FRONT_SERIAL_PREFIX, front_serial_code_box
from printing.security.layout import SourceGeometry

from .errors import RegistrationError
from .grids import fill_and_smooth, interpolate
from .images import ScanImage
from .locate import flat_field

COARSE_FACTOR = 4
TILE_PX = 48  # ~13 mm at the source resolution: a few glyphs
TILE_SEARCH_PX = 12  # px: what the global fit can leave at a far, isolated line (~3 mm)
BLOCK_PX = 64  # blocks that check the global fit
BLOCK_SEARCH_PX = 16
PEAK_MARGIN = 0.02  # correlation a peak must exceed its surroundings by (2 px away)
# Every window above the threshold counts: the score is already a window (glyph) measure.
MIN_REGION_PX = 1
MIN_REGISTRATION_SCORE = 0.5
COMPARE_WINDOW = 13  # px at the source resolution, ~3.5 mm: one glyph at 10.5 pt
STRUCTURE_VARIANCE = 0.02  # ink variance in a window that makes it "text", not paper
BLANK_VARIANCE = 0.004  # a window this flat and this light holds no ink
BLANK_MEAN = 0.04
INK_MEAN = 0.2  # a window this dark holds ink
STRONG_INK = 0.6  # coverage only toner reaches (stains and shadows stay below ~0.4)
ONE_SIDED_SCORE = 1.0
MIN_LOCAL_BLACK = 0.45  # never stretch fainter ink than this to full black (tint, stains)
PAPER_COVERAGE = 0.25  # below this a front pixel is paper: pantograph tint, show-through
# Window score above which the front differs. Measured on the simulated office channel
# (benchmarks/security_robustness.py --tamper, 60 draws, docs/security-printing.md "Tamper
# detection"): genuine fronts score 0.39–0.79 (1/60 above), a substituted kanji 0.62–1.04 (31/43
# above), a day of birth ±1 the same as genuine (1/43): a changed digit is not found.
DIFFERENCE_THRESHOLD = 0.77
SCALES = tuple(1 + 0.02 * k for k in range(-10, 11))  # camera distance, dpi guess: ±20 %


@dataclass(frozen=True)
class FrontComparison:
    serial: str | None  # from the front's serial code, None if not found
    registered: bool
    registration_score: float  # normalised correlation of front and restored ink
    regions: tuple[tuple[int, int, int, int], ...]  # x, y, w, h in restored-image pixels
    differing_px: int
    front_image: npt.NDArray[np.uint8] | None  # the front resampled onto the restored image
    difference: npt.NDArray[np.bool_] | None
    max_score: float = 0.0  # largest window dissimilarity (threshold DIFFERENCE_THRESHOLD)


@dataclass(frozen=True)
class SerialCode:
    """The front's serial code as found on a scan: its serial and its corners (scan px,
    clockwise from top-left)."""

    serial: str
    corners: npt.NDArray[np.float32]


def front_serial(scan: ScanImage) -> SerialCode | None:
    """The serial the kiosk printed next to the front's serial line, from its small QR. Looked
    for first where compose prints it — the lower left corner, or the upper right on a sheet
    scanned upside down — then on the whole page."""
    image = scan.grey_u8
    h, w = image.shape
    corners = (
        (int(h * 0.78), h, 0, int(w * 0.42)),
        (0, int(h * 0.22), int(w * 0.58), w),
    )
    for y0, y1, x0, x1 in corners:
        found = _serial_code(image[y0:y1, x0:x1], x0, y0)
        if found is not None:
            return found
    return _serial_code(image, 0, 0)


def _serial_code(image: npt.NDArray[np.uint8], x0: int, y0: int) -> SerialCode | None:
    import zxingcpp

    qr_only = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    for barcode in zxingcpp.read_barcodes(np.ascontiguousarray(image), formats=qr_only):
        if barcode.text.startswith(FRONT_SERIAL_PREFIX):
            p = barcode.position
            corners = np.array(
                [
                    [c.x + x0, c.y + y0]
                    for c in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
                ],
                dtype=np.float32,
            )
            return SerialCode(barcode.text[len(FRONT_SERIAL_PREFIX) :], corners)
    return None


def _anchored_start(
    code: SerialCode, source: SourceGeometry, page_index: int, page_count: int, factor: float
) -> npt.NDArray[np.float32] | None:
    """restored px → page px from where the serial code is on the scan and where compose put
    it on the page: an absolute anchor (a page of repeated table rows can fool features)."""
    box = front_serial_code_box(code.serial, page_index, page_count, source.area_mm)
    if box is None:
        return None
    left, top, side = box
    page_mm = np.array(
        [[left, top], [left + side, top], [left + side, top + side], [left, top + side]],
        dtype=np.float32,
    )
    similarity, _ = cv2.estimateAffinePartial2D(page_mm, code.corners)
    if similarity is None:
        return None
    k = 25.4 / source.dpi
    area_left, area_top = source.area_mm[0], source.area_mm[1]
    restored_to_mm = np.array([[k, 0, area_left + 0.5 * k], [0, k, area_top + 0.5 * k], [0, 0, 1]])
    mm_to_scan = np.vstack([similarity, [0, 0, 1]])
    scan_to_page = np.diag([factor, factor, 1.0])
    return np.asarray(scan_to_page @ mm_to_scan @ restored_to_mm, dtype=np.float32)


def _mapped_start(
    page_to_scan: npt.NDArray[np.float64], source: SourceGeometry, factor: float
) -> npt.NDArray[np.float32]:
    """restored px → page px (the scan at the restored image's resolution) from a page map
    (page pt → scan px)."""
    k = 72 / source.dpi  # pt per restored px
    left, top = (v / 25.4 * 72 for v in source.area_mm[:2])
    restored_to_pt = np.array([[k, 0, left + 0.5 * k], [0, k, top + 0.5 * k], [0, 0, 1]])
    pt_to_scan = (  # affine, or a homography (a photographed front)
        page_to_scan if page_to_scan.shape == (3, 3) else np.vstack([page_to_scan, [0, 0, 1]])
    )
    scan_to_page = np.diag([factor, factor, 1.0])
    return np.asarray(scan_to_page @ pt_to_scan @ restored_to_pt, dtype=np.float32)


def _coverage(grey: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Ink coverage 0..1 from a flat-fielded grey image, black level stretched to full ink.

    The pantograph's tint (~10 % coverage) stays below every threshold used here.
    """
    black = float(np.percentile(grey, 0.5))
    return np.asarray(np.clip((1.0 - grey) / max(1.0 - black, 0.2), 0, 1), dtype=np.float32)


ECC_ITERATIONS = 60
# From the field comparison's page map (its runs fitted to a fraction of a pixel): no ECC
# iterations, only its score; the block refinement and the tiles below take what is left.
ECC_ITERATIONS_MAPPED = 0


def _ecc(
    template: npt.NDArray[np.float32],
    image: npt.NDArray[np.float32],
    warp: npt.NDArray[np.float32],
    iterations: int = ECC_ITERATIONS,
) -> tuple[float, npt.NDArray[np.float32]]:
    """ECC refinement of an *affine* fit (a flatbed scan is affine; a homography's extra
    freedom, fitted to content that sits mostly at the top of a page, bends the foot)."""
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, iterations, 1e-5)
    affine = (warp / warp[2, 2])[:2].astype(np.float32)
    if iterations == 0:
        return _ecc_score(template, image, affine), warp
    try:
        score, refined = cv2.findTransformECC(
            template, image, affine, cv2.MOTION_AFFINE, criteria, None, 3
        )
    except cv2.error:
        return -1.0, warp
    return float(score), np.vstack([refined, [0, 0, 1]]).astype(np.float32)


def _ecc_score(
    template: npt.NDArray[np.float32],
    image: npt.NDArray[np.float32],
    affine: npt.NDArray[np.float32],
) -> float:
    """What ECC would score ``affine`` at (its correlation coefficient, both images smoothed
    as its 3-px Gaussian does), without iterating."""
    h, w = template.shape
    warped = cv2.warpAffine(
        image, affine, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderValue=0.0
    )
    a = cv2.GaussianBlur(template, (3, 3), 0).ravel()
    b = cv2.GaussianBlur(warped, (3, 3), 0).ravel()
    a = a - a.mean()
    b = b - b.mean()
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / norm if norm > 0 else -1.0


def _local_shifts(
    restored: npt.NDArray[np.float32], front: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    """Dense residual shift of ``front`` (the restored frame plus TILE_SEARCH_PX on every
    side) against ``restored`` (paper warp, folds), per restored pixel.

    Overlapping tiles (edge to edge) are matched within ±TILE_SEARCH_PX, sub-pixel. A tile that
    cannot tell a shift along an axis (only horizontal rules, say, say nothing about x) gives
    no value on that axis; missing values take their neighbours' median, then a 3 × 3 median
    rejects outliers before smooth interpolation.
    """
    h, w = restored.shape
    ys, xs = _tile_starts(h), _tile_starts(w)
    shifts = np.full((len(ys), len(xs), 2), np.nan, np.float32)
    s = TILE_SEARCH_PX  # ``front`` is framed with this margin on every side
    padded = front
    for ty, y0 in enumerate(ys):
        for tx, x0 in enumerate(xs):
            tile = restored[y0 : y0 + TILE_PX, x0 : x0 + TILE_PX]
            if _std(tile) < 0.08:  # blank paper: nothing to align on
                continue
            window = padded[y0 : y0 + TILE_PX + 2 * s, x0 : x0 + TILE_PX + 2 * s]
            score = cv2.matchTemplate(window, tile, cv2.TM_CCOEFF_NORMED)
            _, best, _, (bx, by) = cv2.minMaxLoc(score)
            if best < 0.5:
                continue
            if _distinct(score[by, :], bx):
                shifts[ty, tx, 0] = bx - s + _peak(score[by, :], bx)
            if _distinct(score[:, bx], by):
                shifts[ty, tx, 1] = by - s + _peak(score[:, bx], by)
    smooth = fill_and_smooth(shifts)
    # Tiles are evenly spaced from edge to edge: tile i is centred at i·step + TILE/2.
    step_x = (w - TILE_PX) / max(len(xs) - 1, 1)
    step_y = (h - TILE_PX) / max(len(ys) - 1, 1)
    at_x = (np.arange(w, dtype=np.float32) - TILE_PX / 2) / step_x
    at_y = (np.arange(h, dtype=np.float32) - TILE_PX / 2) / step_y
    return interpolate(smooth, at_x, at_y)


def _std(image: npt.NDArray[np.float32]) -> float:
    """Standard deviation of a tile, in OpenCV's loop (double sums): NumPy's float32 pairwise
    one to ~10⁻⁷, without its overhead (~2,000 tiles and blocks per front)."""
    return float(cv2.meanStdDev(image)[1][0, 0])


def _tile_starts(length: int) -> list[int]:
    """Tile starts about half a tile apart, the first and last flush with the edges (the
    foot of a page often holds a single line — the 発行番号 — far from everything else)."""
    if length <= TILE_PX:
        return [0]
    count = int(np.ceil((length - TILE_PX) / (TILE_PX / 2))) + 1
    return [round(i * (length - TILE_PX) / (count - 1)) for i in range(count)]


def _distinct(profile: npt.NDArray[np.float32], at: int) -> bool:
    """Whether a correlation profile has a clear peak (not a ridge along a rule)."""
    # Slices, not a mask: this runs for every tile of every front (~1,700 per page).
    left, right = profile[: max(at - 1, 0)], profile[at + 2 :]
    if not left.size and not right.size:
        return False
    away = max(left.max(initial=-np.inf), right.max(initial=-np.inf))
    return float(profile[at] - away) > PEAK_MARGIN


def _peak(profile: npt.NDArray[np.float32], at: int) -> float:
    """Sub-pixel offset of a maximum from a parabola through it and its neighbours."""
    if not 0 < at < profile.size - 1:
        return 0.0
    left, mid, right = float(profile[at - 1]), float(profile[at]), float(profile[at + 1])
    denominator = left - 2 * mid + right
    return 0.5 * (left - right) / denominator if denominator < 0 else 0.0


def _feature_homography(
    restored: npt.NDArray[np.float32], page: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32] | None:
    """restored → page homography from ORB features (rotation, scale, offset of the scan)."""
    orb = cv2.ORB_create(
        nfeatures=4000, scaleFactor=1.2, nlevels=4, edgeThreshold=15, patchSize=15, fastThreshold=10
    )
    a = np.round(restored * 255).astype(np.uint8)
    b = np.round(page * 255).astype(np.uint8)
    keys_a, desc_a = orb.detectAndCompute(a, None)
    keys_b, desc_b = orb.detectAndCompute(b, None)
    if desc_a is None or desc_b is None or len(keys_a) < 20 or len(keys_b) < 20:
        return None
    matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
    good = []
    for pair in matcher.knnMatch(desc_a, desc_b, k=2):
        if len(pair) == 2 and pair[0].distance < 0.8 * pair[1].distance:
            good.append(pair[0])
    if len(good) < 20:
        return None
    src = np.array([keys_a[m.queryIdx].pt for m in good], dtype=np.float32)
    dst = np.array([keys_b[m.trainIdx].pt for m in good], dtype=np.float32)
    homography, inliers = cv2.findHomography(src, dst, cv2.RANSAC, 3.0)
    if homography is None or int(inliers.sum()) < 15 or not _plausible(homography):
        return None
    return np.asarray(homography, dtype=np.float32)


def _plausible(homography: npt.NDArray[np.float64]) -> bool:
    """A scan of a page: near-similarity, scale within SCALES' range, tilt of a few degrees."""
    linear = homography[:2, :2] / homography[2, 2]
    scale = float(np.sqrt(abs(np.linalg.det(linear))))
    perspective = float(np.abs(homography[2, :2]).max() / abs(homography[2, 2]))
    return (
        min(SCALES) * 0.9 < 1 / scale < max(SCALES) * 1.1
        and float(np.linalg.det(linear)) > 0
        and perspective < 2e-4
    )


def _window_scores(
    restored: npt.NDArray[np.float32],
    front: npt.NDArray[np.float32],
    front_raw: npt.NDArray[np.float32],
) -> npt.NDArray[np.float32]:
    """Per pixel, how unlike the two images are in the glyph-sized window around it.

    Where both have ink structure: 1 − the best normalised correlation over ±1 px shifts
    (robust to stroke weight, tone and residual misregistration). Where only one has ink:
    the ink it has and the other lacks (a removed seal, an added line).
    """
    a = cv2.GaussianBlur(restored, (0, 0), 0.7)
    b = cv2.GaussianBlur(front, (0, 0), 0.7)
    k = (COMPARE_WINDOW, COMPARE_WINDOW)
    mean_a = cv2.blur(a, k)
    var_a = cv2.blur(a * a, k) - mean_a * mean_a
    floor_a = np.maximum(var_a, 1e-4)
    # The shifted front's window mean and variance are the unshifted ones shifted: only the
    # covariance is filtered per shift. Shifted as views of the images padded by a pixel, not
    # copies: the padded border differs from a wrapped one only within the window's reach of
    # the edge, which the scores leave out (compare_front).
    mean_b0 = cv2.blur(b, k)
    var_b0 = cv2.blur(b * b, k) - mean_b0 * mean_b0
    padded = [np.pad(image, 1, mode="edge") for image in (b, mean_b0, var_b0)]
    h, w = a.shape
    best = np.full(a.shape, -1.0, np.float32)
    var_b_best = np.zeros_like(a)
    product = np.empty_like(a)
    spread = np.empty_like(a)
    better = np.empty(a.shape, bool)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            view = (slice(1 - dy, 1 - dy + h), slice(1 - dx, 1 - dx + w))
            shifted, mean_b, var_b = (image[view] for image in padded)
            # cov / √(floor_a · max(var_b, 10⁻⁴)), in place (the same float32 operations)
            cov = cv2.blur(np.multiply(a, shifted, out=product), k)
            cov -= np.multiply(mean_a, mean_b, out=product)
            np.maximum(var_b, 1e-4, out=spread)
            np.sqrt(np.multiply(floor_a, spread, out=spread), out=spread)
            ncc = np.divide(cov, spread, out=cov)
            np.greater(ncc, best, out=better)
            np.copyto(best, ncc, where=better)
            np.copyto(var_b_best, var_b, where=better)
    both = (var_a > STRUCTURE_VARIANCE) & (var_b_best > STRUCTURE_VARIANCE)
    # One side blank where the other has ink: a removed seal, an added or deleted line. The
    # front counts as blank only on its raw coverage (faint print is not absence).
    raw = cv2.GaussianBlur(front_raw, (0, 0), 0.7)
    mean_raw = cv2.blur(raw, k)
    blank_a = (var_a < BLANK_VARIANCE) & (mean_a < BLANK_MEAN)
    blank_b = (cv2.blur(raw * raw, k) - mean_raw * mean_raw < BLANK_VARIANCE) & (
        mean_raw < BLANK_MEAN
    )
    # Ink the restored image lacks must be real ink: dark somewhere in the window (a coffee
    # ring or a fold's shadow in a grey scan is a faint, even tint).
    strong = cv2.dilate(front_raw, np.ones(k, np.uint8)) > STRONG_INK
    one_sided = (blank_a & (mean_raw > INK_MEAN) & strong) | (blank_b & (mean_a > INK_MEAN))
    scores = np.where(both, 1 - best, 0.0)
    return np.where(one_sided, ONE_SIDED_SCORE, scores).astype(np.float32)


def _refine_by_blocks(
    restored: npt.NDArray[np.float32], page: npt.NDArray[np.float32], warp: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    """Correct a global fit that is good in the middle but off in a corner (ECC can settle so
    on repetitive tables): match distinctive blocks within ±BLOCK_SEARCH_PX and fit a
    correcting affine map to their offsets (RANSAC)."""
    h, w = restored.shape
    aligned = cv2.warpPerspective(
        page,
        warp,
        (w, h),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
    )
    s = BLOCK_SEARCH_PX
    padded = np.pad(aligned, s, mode="constant")
    source_points, target_points = [], []
    for y0 in _starts(h, BLOCK_PX, BLOCK_PX // 2):
        for x0 in _starts(w, BLOCK_PX, BLOCK_PX // 2):
            block = restored[y0 : y0 + BLOCK_PX, x0 : x0 + BLOCK_PX]
            if _std(block) < 0.1:
                continue
            window = padded[y0 : y0 + BLOCK_PX + 2 * s, x0 : x0 + BLOCK_PX + 2 * s]
            score = cv2.matchTemplate(window, block, cv2.TM_CCOEFF_NORMED)
            _, best, _, (bx, by) = cv2.minMaxLoc(score)
            if best < 0.6 or not (_distinct(score[by, :], bx) and _distinct(score[:, bx], by)):
                continue
            centre = (x0 + BLOCK_PX / 2, y0 + BLOCK_PX / 2)
            source_points.append(centre)
            target_points.append((centre[0] + bx - s, centre[1] + by - s))
    if len(source_points) < 8:
        return warp
    # Affine, not a homography: eight degrees of freedom fit a few wrong matches (a table row
    # matched one row off) and bend a page's foot by tens of pixels.
    affine, inliers = cv2.estimateAffine2D(
        np.array(source_points, np.float32),
        np.array(target_points, np.float32),
        method=cv2.RANSAC,
        ransacReprojThreshold=1.5,
    )
    if affine is None or int(inliers.sum()) < 8:
        return warp
    correction = np.vstack([affine, [0, 0, 1]])
    corners = np.array([[0, 0, 1], [w, 0, 1], [w, h, 1], [0, h, 1]], dtype=np.float64).T
    moved = correction @ corners - corners
    if float(np.abs(moved[:2]).max()) > BLOCK_SEARCH_PX:  # more than the search could see
        return warp
    return np.asarray(warp @ correction, dtype=np.float32)


def _starts(length: int, size: int, step: int) -> list[int]:
    """Window starts every ``step`` px, plus one flush with the far edge (content there is
    often a single line — the 発行番号 at a page's foot — that a fit must not miss)."""
    starts = list(range(0, max(length - size, 0) + 1, step))
    if starts[-1] != max(length - size, 0):
        starts.append(max(length - size, 0))
    return starts


def _coarse_placement(
    page: npt.NDArray[np.float32], template: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    """Scale and offset of the content area in the page, by template matching at ¼ size."""
    small_template = cv2.resize(
        template, None, fx=1 / COARSE_FACTOR, fy=1 / COARSE_FACTOR, interpolation=cv2.INTER_AREA
    )
    pad = max(small_template.shape) // 4
    best = (-2.0, 1.0, 0, 0)
    for scale in SCALES:
        small_page = cv2.resize(
            page,
            None,
            fx=scale / COARSE_FACTOR,
            fy=scale / COARSE_FACTOR,
            interpolation=cv2.INTER_AREA,
        )
        search = np.pad(small_page, pad, mode="constant")
        if search.shape[0] < small_template.shape[0] or search.shape[1] < small_template.shape[1]:
            continue
        scores = cv2.matchTemplate(search, small_template, cv2.TM_CCOEFF_NORMED)
        _, score, _, (bx, by) = cv2.minMaxLoc(scores)
        if score > best[0]:
            best = (score, scale, bx - pad, by - pad)
    _, scale, bx, by = best
    # Template pixel (x, y) ↔ page pixel ((x + bx·F) / scale, …): the ECC warp convention.
    return np.array(
        [
            [1 / scale, 0, bx * COARSE_FACTOR / scale],
            [0, 1 / scale, by * COARSE_FACTOR / scale],
            [0, 0, 1],
        ],
        dtype=np.float32,
    )


def compare_front(
    scan: ScanImage,
    restored: npt.NDArray[np.uint8],
    source: SourceGeometry,
    front_dpi: float,
    page: tuple[int, int] = (0, 1),
    ignore: npt.NDArray[np.bool_] | None = None,
    known_code: tuple[SerialCode | None] | None = None,
    flat: npt.NDArray[np.float32] | None = None,
    page_to_scan: npt.NDArray[np.float64] | None = None,
) -> FrontComparison:
    """Register the front scan onto the restored image and find where they differ.

    ``page`` is (index, count) of the page the back belongs to: with the serial, it says
    where compose printed the serial code, the anchor for the registration. ``ignore``
    (restored-image pixels) is left out of the comparison: layout v2 compares the text
    field by field (fields.py), and this comparison keeps what has no field — seals, rules,
    stamps. A caller that has looked for the serial code already passes what it found
    (``known_code``: a 1-tuple, its one item None when there is none), and one that has the
    scan flat-fielded (at ``front_dpi`` or at the scan's own guess of it) passes ``flat``:
    neither is made twice. A page map
    already fitted to the front (``page_to_scan``: page pt → scan px, the field comparison's)
    is the first start of the registration: closer than the serial code's, ECC settles
    sooner."""
    code = front_serial(scan) if known_code is None else known_code[0]
    serial = code.serial if code else None
    if flat is None:
        flat = flat_field(scan.grey, front_dpi / 100)
    factor = source.dpi / front_dpi
    image_ink = _coverage(
        cv2.resize(flat, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    )
    restored_ink = (1 - restored.astype(np.float32) / 255).astype(np.float32)
    h, w = restored_ink.shape
    if image_ink.shape[0] < h // 2 or image_ink.shape[1] < w // 2:
        raise RegistrationError("front scan is smaller than its content area")

    # 1. Placement from the serial code, else features (any rotation, scale, offset), else
    # template matching; 2. affine ECC on blurred ink (a wider basin of convergence).
    template = cv2.GaussianBlur(restored_ink, (0, 0), 1.5)
    image = cv2.GaussianBlur(image_ink, (0, 0), 1.5)
    score, warp = -1.0, np.eye(3, dtype=np.float32)

    def starts() -> Iterator[tuple[npt.NDArray[np.float32], int]]:
        if page_to_scan is not None:
            yield _mapped_start(page_to_scan, source, factor), ECC_ITERATIONS_MAPPED
        anchored = None if code is None else _anchored_start(code, source, *page, factor)
        if anchored is not None:
            yield anchored, ECC_ITERATIONS
        features = _feature_homography(restored_ink, image_ink)
        if features is not None:
            yield features, ECC_ITERATIONS
        yield _coarse_placement(image_ink, restored_ink), ECC_ITERATIONS

    for start, iterations in starts():
        score, warp = _ecc(template, image, start, iterations)
        if score >= MIN_REGISTRATION_SCORE:
            break
    if score < MIN_REGISTRATION_SCORE:
        return FrontComparison(serial, False, score, (), 0, None, None)
    warp = _refine_by_blocks(restored_ink, image_ink, warp)
    # The front onto the restored image's frame, with a margin: what the dense refinement
    # moves in from beyond the edge must be there (a 発行番号 line at the very foot).
    m = TILE_SEARCH_PX
    outset = np.array([[1, 0, -m], [0, 1, -m], [0, 0, 1]], dtype=np.float32)
    framed = cv2.warpPerspective(
        image_ink,
        warp @ outset,
        (w + 2 * m, h + 2 * m),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0.0,
    )

    # 3. Dense refinement for paper warp and folds.
    shifts = _local_shifts(
        cv2.GaussianBlur(restored_ink, (0, 0), 1.0), cv2.GaussianBlur(framed, (0, 0), 1.0)
    )
    grid_x, grid_y = np.meshgrid(
        np.arange(w, dtype=np.float32) + m, np.arange(h, dtype=np.float32) + m
    )
    aligned = cv2.remap(
        framed,
        grid_x + shifts[..., 0],
        grid_y + shifts[..., 1],
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0.0,
    )

    # 4. Stroke darkness varies with toner, fading and streaks: normalise it by the local
    # darkest ink (~4 mm around), then drop what is paper (pantograph tint, show-through).
    local_black = cv2.GaussianBlur(cv2.dilate(aligned, np.ones((15, 15), np.uint8)), (0, 0), 3)
    normalised = np.clip(aligned / np.maximum(local_black, MIN_LOCAL_BLACK), 0, 1)
    clean = np.clip((normalised - PAPER_COVERAGE) / (1 - PAPER_COVERAGE), 0, 1)
    # 5. Glyph-window dissimilarity; windows above the threshold form the regions.
    scores = _window_scores(restored_ink, clean, aligned)
    edge = COMPARE_WINDOW // 2 + 1
    scores[:edge] = scores[-edge:] = 0
    scores[:, :edge] = scores[:, -edge:] = 0
    if ignore is not None:
        scores[ignore] = 0
    difference = scores > DIFFERENCE_THRESHOLD
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(difference.astype(np.uint8), 8)
    regions = []
    differing = 0
    for label in range(1, count):
        x, y, bw, bh, area = (int(v) for v in stats[label])
        if area >= MIN_REGION_PX:
            regions.append((x, y, bw, bh))
            differing += area
    front_u8 = np.round((1 - np.clip(aligned, 0, 1)) * 255).astype(np.uint8)
    return FrontComparison(
        serial, True, score, tuple(regions), differing, front_u8, difference, float(scores.max())
    )
