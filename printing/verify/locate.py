"""Finding the module block in a scan: fiducials, homography, local sync, module sampling.

security-printing.md §7.3 steps 1–4: flat-field the scan (paper colour, yellowing, vignetting),
detect the four ArUco fiducials (their ids give the orientation, so an upside-down or sideways
scan works), fit a homography from module to image coordinates, then correct it locally by
template-matching every sync marker within ±3 modules (a median-filtered displacement grid,
interpolated over the block), and sample each module's centre with a centre-weighted kernel.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from printing.security._cv import cv2
from printing.security.layout import (
    BLOCK_COLS,
    BLOCK_ROWS,
    FIDUCIAL_IDS,
    FIDUCIAL_MODULES,
    MODULE_MM,
    SYNC_OFFSET,
    SYNC_PERIOD,
    SYNC_SIZE,
    block_geometry,
    fiducial_origins,
)

from .errors import RegistrationError
from .grids import fill_and_smooth, interpolate

DETECTION_DPI = 150.0  # fiducial cells are 1.27 mm: 7.5 px at this resolution
ARUCO_WINDOW_PX = 23  # three cells: a fiducial's black border and its blocks, paper around
# The block rectified for the sync search at 2 px a module (a pixel centred on every module):
# under half the pixels of 3 px a module to normalise and correlate, the same search in modules.
RECTIFIED_PX_PER_MODULE = 2
SYNC_SEARCH_MODULES = 5  # §7.3.3 suggests ±3; warp 0.5 mm + fold 0.3 mm + fit error need more
COARSE_STEP_PX = 2  # coarse pass: whole-module steps, its cells' correlations summed 3 × 3
FINE_REACH_PX = 2  # fine pass: ±1 module around the coarse estimate, ½-module steps
MIN_KNOWN_PER_CELL = 20  # cells cut by a corner reserve have too few known modules
MIN_PILOT_CORRELATION = 0.3  # mean z × known value at the best offset (random data: ~0 ± 0.16)
MIN_FIDUCIALS = 3


@dataclass(frozen=True)
class Located:
    """The block found in a scan."""

    homography: npt.NDArray[np.float64]  # module (x, y) → image (x, y)
    module_px: float  # mean module pitch in scan pixels
    samples: npt.NDArray[np.float32]  # BLOCK_ROWS × BLOCK_COLS, 0 = black … 1 = white
    fiducials_found: int
    sync_found: int
    sync_total: int
    sync_shift_modules: float  # largest local correction applied (modules)


def flat_field_step(module_px: float) -> int:
    """The cell (px) flat_field takes the paper's brightness over: two scales with the same
    step give the same flat field."""
    return max(1, int(module_px * 4))


def flat_field(grey: npt.NDArray[np.float32], module_px: float) -> npt.NDArray[np.float32]:
    """Divide by the paper's brightness, estimated as a local maximum over ~4 mm (§7.3.1)."""
    step = flat_field_step(module_px)
    small = cv2.resize(
        grey,
        (max(1, grey.shape[1] // step), max(1, grey.shape[0] // step)),
        interpolation=cv2.INTER_AREA,
    )
    paper = cv2.dilate(small, np.ones((5, 5), np.uint8))
    paper = cv2.GaussianBlur(paper, (0, 0), 1.5)
    paper = cv2.resize(paper, (grey.shape[1], grey.shape[0]), interpolation=cv2.INTER_LINEAR)
    # grey / max(paper, 0.05) clipped to 0..1.2, in OpenCV's vector loops (a page is 9 Mpx)
    # and in place: every new page-sized array is 38 MB of fresh pages for the kernel to map.
    cv2.max(paper, 0.05, dst=paper)
    flat = cv2.divide(grey.astype(np.float32, copy=False), paper, dst=paper)
    cv2.min(flat, 1.2, dst=flat)
    return np.asarray(cv2.max(flat, 0.0, dst=flat), dtype=np.float32)


def _module_corner_points(marker_id: int) -> npt.NDArray[np.float32]:
    ox, oy = fiducial_origins()[marker_id]
    size = FIDUCIAL_MODULES
    return np.array(
        [[ox, oy], [ox + size, oy], [ox + size, oy + size], [ox, oy + size]], dtype=np.float32
    )


def find_fiducials(
    grey: npt.NDArray[np.float32],
    scan_dpi: float,
    decoded: npt.NDArray[np.uint8] | None = None,
) -> dict[int, npt.NDArray[np.float32]]:
    """ArUco markers 0..3 → their 4 corners in image pixels (refined at full resolution).
    ``decoded``: the 8-bit page ``grey`` is made from (grey = decoded / 255), if there is one."""
    scale = min(1.0, DETECTION_DPI / scan_dpi)
    if decoded is not None and decoded.shape == grey.shape:
        # k / 255 × 255 in float32 truncates back to k for every 8-bit k (a test says so): the
        # decoded page is the 8-bit image below, without 38 MB of float work.
        image8 = decoded
    else:
        scaled = grey * 255  # clipped in place: a page is 38 MB of float32
        image8 = np.clip(scaled, 0, 255, out=scaled).astype(np.uint8)
    small = cv2.resize(image8, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    dictionary = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
    parameters = cv2.aruco.DetectorParameters()
    # One adaptive-threshold window of ARUCO_WINDOW_PX, not OpenCV's three (3, 13 and 23 px):
    # a fiducial's cell is 7.5 px here, which a 3-px window cannot threshold.
    parameters.adaptiveThreshWinSizeMin = ARUCO_WINDOW_PX
    parameters.adaptiveThreshWinSizeMax = ARUCO_WINDOW_PX
    detector = cv2.aruco.ArucoDetector(dictionary, parameters)
    corners, ids, _ = detector.detectMarkers(small)
    found: dict[int, npt.NDArray[np.float32]] = {}
    if ids is None:
        return found
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 30, 0.01)
    window = max(2, round(0.6 / scale))
    for quad, marker in zip(corners, ids.ravel(), strict=True):
        marker_id = int(marker)
        if marker_id not in FIDUCIAL_IDS or marker_id in found:
            continue
        full = (quad.reshape(4, 2) / scale).astype(np.float32)
        refined = cv2.cornerSubPix(
            image8, full.reshape(-1, 1, 2).copy(), (window, window), (-1, -1), criteria
        )
        found[marker_id] = refined.reshape(4, 2)
    return found


def fit_homography(fiducials: dict[int, npt.NDArray[np.float32]]) -> npt.NDArray[np.float64]:
    if len(fiducials) < MIN_FIDUCIALS:
        raise RegistrationError(f"found {len(fiducials)} of 4 fiducials")
    src = np.concatenate([_module_corner_points(i) for i in sorted(fiducials)])
    dst = np.concatenate([fiducials[i] for i in sorted(fiducials)])
    homography, _ = cv2.findHomography(src, dst, 0)
    if homography is None:
        raise RegistrationError("fiducials are degenerate")
    # Sanity: the block must map to a convex quadrilateral of plausible size.
    outline = cv2.perspectiveTransform(
        np.array(
            [[[0, 0], [BLOCK_COLS, 0], [BLOCK_COLS, BLOCK_ROWS], [0, BLOCK_ROWS]]], dtype=np.float64
        ),
        homography,
    )[0]
    if not cv2.isContourConvex(outline.astype(np.float32)):
        raise RegistrationError("fiducials do not form a plausible block")
    return np.asarray(homography, dtype=np.float64)


def _rectify(
    grey: npt.NDArray[np.float32], homography: npt.NDArray[np.float64]
) -> npt.NDArray[np.float32]:
    r = RECTIFIED_PX_PER_MODULE
    # Rectified pixel (u, v) is at module coordinate (u/r + c, v/r + c): pixel r·m + r // 2 at
    # the centre of module m, where _correlations reads it.
    c = 0.5 - (r // 2) / r
    to_module = np.array([[1 / r, 0, c], [0, 1 / r, c], [0, 0, 1]])
    rectified = cv2.warpPerspective(
        grey,
        homography @ to_module,
        (BLOCK_COLS * r, BLOCK_ROWS * r),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return np.asarray(rectified, dtype=np.float32)


@dataclass(frozen=True)
class _KnownModules:
    """Per sync cell, the modules whose value the layout fixes: its marker and its pilots."""

    rows: npt.NDArray[np.intp]  # cells × K module rows
    cols: npt.NDArray[np.intp]
    values: npt.NDArray[np.float32]  # +1 ink, −1 paper, 0 padding
    count: npt.NDArray[np.float32]  # known modules per cell


@cache
def _known_modules() -> _KnownModules:
    geometry = block_geometry()
    grid_rows, grid_cols = geometry.sync_grid_shape
    marker = np.flatnonzero(geometry.reserved.ravel() & _marker_mask().ravel())
    index = np.concatenate([geometry.pilot_index, marker])
    value = np.concatenate([geometry.pilot_bits, geometry.fixed_bits.ravel()[marker]])
    rows, cols = np.divmod(index, BLOCK_COLS)
    cell = (rows // SYNC_PERIOD) * grid_cols + cols // SYNC_PERIOD
    order = np.argsort(cell, kind="stable")
    cell, rows, cols, value = cell[order], rows[order], cols[order], value[order]
    cells = grid_rows * grid_cols
    counts = np.bincount(cell, minlength=cells)
    width = int(counts.max())
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    slot = np.arange(cell.size) - start[cell]
    out_rows = np.zeros((cells, width), np.intp)
    out_cols = np.zeros((cells, width), np.intp)
    out_values = np.zeros((cells, width), np.float32)
    out_rows[cell, slot] = rows
    out_cols[cell, slot] = cols
    out_values[cell, slot] = np.where(value, 1.0, -1.0)
    return _KnownModules(out_rows, out_cols, out_values, np.maximum(counts, 1).astype(np.float32))


def _marker_mask() -> npt.NDArray[np.bool_]:
    mask = np.zeros((BLOCK_ROWS, BLOCK_COLS), dtype=bool)
    for cx, cy in block_geometry().sync_centres:
        if not np.isnan(cx):
            x, y = int(cx - SYNC_SIZE / 2), int(cy - SYNC_SIZE / 2)
            mask[y : y + SYNC_SIZE, x : x + SYNC_SIZE] = True
    return mask


def _normalised(rectified: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Ink-positive, locally zero-mean unit-variance (the scrambled block is ~50 % ink)."""
    size = (33 * RECTIFIED_PX_PER_MODULE,) * 2
    mean = cv2.blur(rectified, size)
    # (mean − x) / √max(E[x²] − mean², 1e-6) in OpenCV's vector loops, in place where it can
    # (the same float32 arithmetic as NumPy's, a third of the time on a 7-Mpx block).
    square = cv2.blur(cv2.multiply(rectified, rectified), size)
    variance = cv2.subtract(square, cv2.multiply(mean, mean), dst=square)
    spread = cv2.sqrt(cv2.max(variance, 1e-6, dst=variance), dst=variance)
    return np.asarray(cv2.divide(cv2.subtract(mean, rectified, dst=mean), spread, dst=mean))


def _correlations(
    z: npt.NDArray[np.float32],
    known: _KnownModules,
    base: npt.NDArray[np.intp],
    offsets: npt.NDArray[np.intp],
) -> npt.NDArray[np.float32]:
    """For each cell and candidate offset (rectified px), the mean of z × known value.

    ``z`` is padded once by the largest reach, so every offset is one scalar added to the known
    modules' flat indexes (no clipping per offset)."""
    r = RECTIFIED_PX_PER_MODULE
    reach = int(np.abs(base).max(initial=0) + np.abs(offsets).max(initial=0)) + 1
    padded = np.pad(z, reach, mode="edge")
    width = padded.shape[1]
    ys = known.rows * r + r // 2 + base[:, 1:2] + reach
    xs = known.cols * r + r // 2 + base[:, 0:1] + reach
    flat = padded.ravel()
    index = ys * width + xs
    weights = known.values / known.count[:, None]
    out = np.empty((known.rows.shape[0], offsets.shape[0]), np.float32)
    for k, (dx, dy) in enumerate(offsets):
        out[:, k] = (flat[index + (dy * width + dx)] * weights).sum(axis=1)
    return out


def pilot_displacements(rectified: npt.NDArray[np.float32]) -> tuple[npt.NDArray[np.float32], int]:
    """Per sync cell, where its known modules (marker and pilots) are, relative to the
    homography's prediction (rectified px, x/y); NaN where the cell cannot tell.

    Pilot-aided, not marker template matching: 40 known modules spread over an 8 mm cell give
    a far more distinctive correlation than one 4 × 4 marker, which at 200 dpi under blur is
    often matched by random data. A coarse pass sums each cell's correlation with its
    neighbours' (the warp is smooth over 3 cells), a fine pass then works per cell.
    """
    r = RECTIFIED_PX_PER_MODULE
    geometry = block_geometry()
    grid_rows, grid_cols = geometry.sync_grid_shape
    known = _known_modules()
    z = _normalised(rectified)
    cells = grid_rows * grid_cols
    reach = SYNC_SEARCH_MODULES * r
    steps = np.arange(-reach, reach + 1, COARSE_STEP_PX)
    coarse_offsets = np.array([(dx, dy) for dy in steps for dx in steps], np.intp)
    zero = np.zeros((cells, 2), np.intp)
    corr = _correlations(z, known, zero, coarse_offsets).reshape(grid_rows, grid_cols, -1)
    padded = np.pad(corr, ((1, 1), (1, 1), (0, 0)), mode="edge")
    summed = np.zeros_like(corr)
    for dy in range(3):
        for dx in range(3):
            summed += padded[dy : dy + grid_rows, dx : dx + grid_cols]
    best = np.argmax(summed.reshape(cells, -1), axis=1)
    base = coarse_offsets[best]

    fine_steps = np.arange(-FINE_REACH_PX, FINE_REACH_PX + 1)
    fine_offsets = np.array([(dx, dy) for dy in fine_steps for dx in fine_steps], np.intp)
    fine = _correlations(z, known, base, fine_offsets).reshape(
        cells, fine_steps.size, fine_steps.size
    )
    shifts = np.full((cells, 2), np.nan, np.float32)
    found = 0
    for cell in range(cells):
        if known.count[cell] < MIN_KNOWN_PER_CELL:
            continue
        surface = fine[cell]
        by, bx = np.unravel_index(int(np.argmax(surface)), surface.shape)
        if surface[by, bx] < MIN_PILOT_CORRELATION:
            continue
        sx = fine_steps[bx] + _parabola(surface[by, :], int(bx))
        sy = fine_steps[by] + _parabola(surface[:, bx], int(by))
        shifts[cell] = (base[cell, 0] + sx, base[cell, 1] + sy)
        found += 1
    return shifts.reshape(grid_rows, grid_cols, 2), found


def _parabola(profile: npt.NDArray[np.float32], at: int) -> float:
    if not 0 < at < profile.size - 1:
        return 0.0
    left, mid, right = float(profile[at - 1]), float(profile[at]), float(profile[at + 1])
    denominator = left - 2 * mid + right
    return 0.5 * (left - right) / denominator if denominator < 0 else 0.0


def _interpolate_grid(grid: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """The sync displacement at every module centre (bilinear, constant beyond the edges)."""
    centre = SYNC_OFFSET + SYNC_SIZE / 2
    at_x = (np.arange(BLOCK_COLS, dtype=np.float32) + 0.5 - centre) / SYNC_PERIOD
    at_y = (np.arange(BLOCK_ROWS, dtype=np.float32) + 0.5 - centre) / SYNC_PERIOD
    return interpolate(grid, at_x, at_y)


def _block_box(
    homography: npt.NDArray[np.float64], module_px: float, shape: tuple[int, ...]
) -> tuple[int, int, int, int]:
    """The block's bounding box in the scan (x0, y0, x1, y1 px), with a margin for the sync
    search (±SYNC_SEARCH_MODULES), the sampling blur and the flat field's reach (two of its
    cells), the origin on the flat field's cells; the whole scan if the box is empty."""
    corners = np.array(
        [[[0, 0], [BLOCK_COLS, 0], [BLOCK_COLS, BLOCK_ROWS], [0, BLOCK_ROWS]]], dtype=np.float64
    )
    outline = cv2.perspectiveTransform(corners, homography)[0]
    step = flat_field_step(module_px)
    margin = (SYNC_SEARCH_MODULES + 2) * module_px + 2 * step
    height, width = shape[:2]
    x0 = max(0, int((outline[:, 0].min() - margin) // step) * step)
    y0 = max(0, int((outline[:, 1].min() - margin) // step) * step)
    x1 = min(width, int(np.ceil(outline[:, 0].max() + margin)))
    y1 = min(height, int(np.ceil(outline[:, 1].max() + margin)))
    if x1 - x0 < step or y1 - y0 < step:
        return 0, 0, width, height
    return x0, y0, x1, y1


def locate_block(
    grey: npt.NDArray[np.float32],
    scan_dpi: float,
    decoded: npt.NDArray[np.uint8] | None = None,
) -> Located:
    """Find and sample the module block of a back in a grey scan (0 = black, 1 = white);
    ``decoded`` is the 8-bit page the grey was made from, if the caller has it."""
    fiducials = find_fiducials(grey, scan_dpi, decoded)
    homography = fit_homography(fiducials)
    # Module pitch in the scan from the homography (the scan dpi guess may be off).
    centre = cv2.perspectiveTransform(
        np.array(
            [
                [
                    [BLOCK_COLS / 2, BLOCK_ROWS / 2],
                    [BLOCK_COLS / 2 + 100, BLOCK_ROWS / 2],
                    [BLOCK_COLS / 2, BLOCK_ROWS / 2 + 100],
                ]
            ],
            dtype=np.float64,
        ),
        homography,
    )[0]
    module_px = float(
        (np.linalg.norm(centre[1] - centre[0]) + np.linalg.norm(centre[2] - centre[0])) / 200
    )
    if module_px < 1.2:
        raise RegistrationError(
            f"scan resolution too low: a module is {module_px:.2f} px "
            f"({module_px / MODULE_MM * 25.4:.0f} dpi); scan at 200 dpi or more"
        )
    # Only the block and a margin are flat-fielded and blurred (about a third of a page is
    # beyond it); `to_crop` is the homography onto the cropped image.
    x0, y0, x1, y1 = _block_box(homography, module_px, grey.shape)
    to_crop = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], np.float64) @ homography
    flat = flat_field(grey[y0:y1, x0:x1], module_px)
    # Centre-weighted sampling: a Gaussian of ~⅓ module before point sampling (§7.3.4).
    blurred = cv2.GaussianBlur(flat, (0, 0), 0.33 * module_px)
    rectified = _rectify(blurred, to_crop)
    r = RECTIFIED_PX_PER_MODULE
    shifts, sync_found = pilot_displacements(rectified)
    sync_total = int(np.count_nonzero(_known_modules().count >= MIN_KNOWN_PER_CELL))
    if sync_found < sync_total // 2:
        raise RegistrationError(f"only {sync_found} of {sync_total} sync markers found")
    smooth = fill_and_smooth(shifts)
    displacement = _interpolate_grid(smooth) / r  # modules
    mx = np.arange(BLOCK_COLS, dtype=np.float32)[None, :] + 0.5 + displacement[..., 0]
    my = np.arange(BLOCK_ROWS, dtype=np.float32)[:, None] + 0.5 + displacement[..., 1]
    points = np.stack([mx, my], axis=-1).reshape(1, -1, 2).astype(np.float64)
    image_points = cv2.perspectiveTransform(points, to_crop)[0].astype(np.float32)
    samples = cv2.remap(
        blurred,
        image_points[:, 0].reshape(BLOCK_ROWS, BLOCK_COLS),
        image_points[:, 1].reshape(BLOCK_ROWS, BLOCK_COLS),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return Located(
        homography=homography,
        module_px=module_px,
        samples=samples,
        fiducials_found=len(fiducials),
        sync_found=sync_found,
        sync_total=sync_total,
        sync_shift_modules=float(np.abs(smooth).max() / r) if smooth.size else 0.0,
    )
