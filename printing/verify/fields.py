"""Comparing a scan of the front with the signed facts, field by field (layout version 2).

The back's signed code says, for its page, every text run the front prints: the fact it
belongs to, the text, its origin, size and font (printing.security.facts). So the verifier needs
neither OCR of a whole page nor the scramble key to check the front:

1. **Register** the scan on the page: the kiosk's serial QR code (its place is fixed by
   compose) gives rotation — an upside-down scan included —, scale (the scan's real
   resolution) and offset; an affine ECC fit of the scan's ink to the signed text rendered at
   75 dpi refines it. Without the QR code, a coarse search over both orientations.
2. **Per run**, at 300 dpi: the run (and its neighbours) rendered in the certificate's fonts
   at their signed places, the scan resampled into the same frame; the run's offset found
   within ±0.7 mm (paper warp, folds).
3. **Per character**, within ±2 px: a digit is *read* — the scan's glyph against the ten digit
   templates of that font, size and place; the read digit must be the signed one. Any other
   character is compared with its own glyph: normalised correlation, and no blob of ink the
   glyph lacks or lacks where the glyph has ink (a dot added to 大 makes 太).
4. **Around the run**: ink where the signed page has none (a digit added before an amount,
   after a date), once rules and the seal's box are set aside.

Every run with a difference names its fact; the verdict lists them (key, what the scan shows —
digits as read, 〓 for a character that is not the signed one —, the signed value).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from printing.security._cv import cv2
from printing.security.facts import (
    FONT_GOTHIC,
    PageFacts,
    Picture,
    TextRun,
    advance,
    origins,
    run_end,
)

from .glyphs import Frame, render_cell, render_runs, renderable
from .images import ScanImage
from .locate import flat_field

PT_PER_MM = 72 / 25.4
FIELD_DPI = 300.0
VIEW_DPI = 100.0  # the registered front kept for the side-by-side image
REGISTRATION_DPI = 50.0
# Below this a 10.5-pt digit is under 20 px tall and 5/6, 3/8 blur together: ask for a rescan.
MIN_FRONT_DPI = 180.0
MAX_WORKING_DPI = 400.0
MIN_REGISTRATION_SCORE = 0.45
RUN_SEARCH_PT = 2.0  # ±0.7 mm: warp and folds the global fit leaves
CELL_SEARCH_PX = 2
PAPER_COVERAGE = 0.25  # below this a pixel is paper: pantograph tint, show-through
MIN_LOCAL_BLACK = 0.55  # never stretch fainter ink than this to full black (tint, dots)
LOCAL_BLACK_EM = 0.35
# Calibrated on the simulated office channel (benchmarks/security_robustness.py --tamper):
GLYPH_MIN_CORRELATION = 0.55  # a character's scan against its own glyph
BLOB_MIN_EM2 = 0.006  # a blob this large (in em²) is a stroke the glyph has not (or lacks)
BLOB_SCAN_INK, BLOB_SCAN_FAINT = 0.55, 0.25  # scan ink (local_ink) that is firm, that is any
BLOB_GLYPH_SOLID, BLOB_GLYPH_FAINT = 0.55, 0.15  # of the glyph's darkest
EXTRA_MIN_EM2 = 0.03  # ink around a run, where the signed page has none
EXTRA_INK = 0.5
LINE_EM = 0.9  # straight ink this long is a rule of the form, not a character
MISSING_INK = 0.25  # a cell with this little of its glyph's ink is blank
SMALL_GLYPH_EM2 = 0.02  # punctuation: its presence is checked, its shape is not
UNREADABLE = "〓"  # geta mark: a character that is not the signed one
DIGITS_FULL = "０１２３４５６７８９"
# Per-character measurements, for calibrating the thresholds above (benchmarks/
# security_calibrate.py sets a list here; None in use).
CELL_LOG: list[dict[str, object]] | None = None
DIGITS_HALF = "0123456789"


@dataclass(frozen=True)
class DifferingField:
    """One fact whose printed characters differ from the signed ones."""

    key: str  # the fact key; "" for printed text that is no fact (a label), "serial"
    printed: str  # as read from the scan: digits read, 〓 for other differing characters
    signed: str
    box_mm: tuple[float, float, float, float]  # x, y, w, h on the page (top-left origin)
    reasons: tuple[str, ...]  # digit, glyph, missing, added

    def to_record(self) -> dict[str, object]:
        return {
            "field": self.key or "(printed text)",
            "printed": self.printed,
            "signed": self.signed,
            "box_mm": [round(v, 1) for v in self.box_mm],
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class FieldComparison:
    """The front compared with the signed facts of its page."""

    registered: bool
    registration_score: float
    scan_dpi: float
    differing: tuple[DifferingField, ...] = ()
    fields_checked: int = 0
    characters_checked: int = 0
    not_checked: tuple[str, ...] = ()  # keys of runs in a font the verifier cannot draw
    page_to_scan: npt.NDArray[np.float64] | None = field(default=None, repr=False)
    rotated: bool = False  # the scan was upside down
    front_view: npt.NDArray[np.uint8] | None = field(default=None, repr=False)  # VIEW_DPI page


def serial_run(serial_line: str, right_pt: float, baseline_pt: float, size_pt: float) -> TextRun:
    """The kiosk's serial line (発行番号 … （１／２）) as a run: right-aligned at ``right_pt``."""
    probe = TextRun("serial", serial_line, 0.0, baseline_pt, size_pt, FONT_GOTHIC)
    return TextRun(
        "serial", serial_line, right_pt - run_end(probe), baseline_pt, size_pt, FONT_GOTHIC
    )


# --- ink ---------------------------------------------------------------------------------------
RULE_MM = 7.0  # straight ink longer than this is a rule of the form (no stroke of a 13-pt
# kanji is): the signed facts have no rules, and a match that sees them slides towards them


def front_ink(scan: ScanImage) -> npt.NDArray[np.float32]:
    """Ink coverage 0..1 of a front scan: flat-fielded, the page's black stretched to 1, the
    form's rules taken out (horizontal and vertical ink longer than RULE_MM)."""
    flat = flat_field(scan.grey, scan.dpi / 100)
    black = float(np.percentile(flat[::3, ::3], 0.5))  # a ninth of the pixels: the same level
    ink = np.clip((1.0 - flat) / max(1.0 - black, 0.2), 0, 1).astype(np.float32)
    length = max(15, round(RULE_MM / 25.4 * scan.dpi))
    rules = np.maximum(
        cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, length), np.uint8)),
        cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((length, 1), np.uint8)),
    )
    rules = cv2.dilate(rules, np.ones((3, 3), np.uint8))  # their blurred edges too
    return np.asarray(np.clip(ink - rules, 0, 1), np.float32)


SCAN_SMOOTH_PX = 0.8  # a halftone's dither and the scanner's noise, smoothed before comparing


def _smooth(image: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    return np.asarray(cv2.GaussianBlur(image, (0, 0), SCAN_SMOOTH_PX), np.float32)


def local_ink(ink: npt.NDArray[np.float32], em_px: float) -> npt.NDArray[np.float32]:
    """Ink normalised by the darkest ink close around (a third of an em: narrower than a
    low-toner streak, so half a glyph inside a streak is not judged by the dark half outside
    it), fading or a stain's tint do not make strokes look thinner or missing; then paper (the
    pantograph's tint, show-through) set to 0."""
    reach = max(3, int(em_px * LOCAL_BLACK_EM) | 1)
    black = cv2.GaussianBlur(cv2.dilate(ink, np.ones((reach, reach), np.uint8)), (0, 0), reach / 4)
    normal = np.clip(ink / np.maximum(black, MIN_LOCAL_BLACK), 0, 1)
    return np.asarray(np.clip((normal - PAPER_COVERAGE) / (1 - PAPER_COVERAGE), 0, 1), np.float32)


# --- registration --------------------------------------------------------------------------------
PAGE_WIDTH_PT = 210 * PT_PER_MM
PAGE_HEIGHT_PT = 297 * PT_PER_MM


def page_frame(dpi: float) -> Frame:
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
    starts = [] if anchor is None else [anchor]
    starts.extend(_coarse(expected, ink, scan_dpi))
    best = (-1.0, None)
    for start in starts:
        score, refined = _ecc(expected, ink, start, frame)
        if score >= MIN_REGISTRATION_SCORE:
            return score, refined
        best = max(best, (score, None), key=lambda b: b[0])
    return best


REFINE_DPI = 150.0
REFINE_SEARCH_PT = 6.0  # ±2 mm: what an affine fit to the whole page leaves at its edges
MIN_RUN_MATCH = 0.5
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
    centre = np.array([frame.x_pt + frame.width / 2 / k, frame.y_pt + frame.height / 2 / k])
    return centre, centre + (np.array([x, y]) - search) / k


Landmarks = tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]  # page pt, scan px


def _fit(
    runs: list[TextRun],
    ink: npt.NDArray[np.float32],
    affine: npt.NDArray[np.float64],
    reach_pt: float,
    landmarks: Landmarks | None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]] | None:
    """(affine, run centres, where the scan has them) from the runs measured within
    ``reach_pt`` and the landmarks (each counted four times: a QR code's corners are exact)."""
    page = render_runs(runs, page_frame(REFINE_DPI))
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
    if fitted is None or int(inliers.sum()) < 6:
        return None
    return np.asarray(fitted, np.float64), centres, scan


def _fit_map(
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
    first = _fit(runs, ink, affine, 2 * REFINE_SEARCH_PT, landmarks)
    if first is None:
        return PageMap(affine, np.zeros((0, 2)), np.zeros((0, 2)))
    second = _fit(runs, ink, first[0], REFINE_SEARCH_PT, landmarks) or first
    fitted, centres, scan = second
    inverse = np.linalg.inv(fitted[:, :2])
    offsets = (scan - (centres @ fitted[:, :2].T + fitted[:, 2])) @ inverse.T
    keep = np.abs(offsets).max(axis=1) < REFINE_SEARCH_PT * 0.7
    return PageMap(fitted, centres[keep], offsets[keep])


def scale_dpi(affine: npt.NDArray[np.float64]) -> float:
    """The scan's resolution the page → scan map implies (px per inch)."""
    return float(np.sqrt(abs(np.linalg.det(affine[:2, :2])))) * 72


def rotated(affine: npt.NDArray[np.float64]) -> bool:
    return float(affine[0, 0]) < 0


# --- per run ---------------------------------------------------------------------------------
@dataclass
class _RunResult:
    run: TextRun
    read: str
    reasons: set[str]
    box_pt: tuple[float, float, float, float]
    checked: int


def _is_digit(cluster: str) -> bool:
    return (
        len(cluster) == 1
        and unicodedata.category(cluster) == "Nd"
        and (cluster in DIGITS_FULL or cluster in DIGITS_HALF)
    )


def _ncc(
    patch: npt.NDArray[np.float32], template: npt.NDArray[np.float32]
) -> tuple[float, int, int]:
    if float(template.max()) - float(template.min()) < 1e-3:
        return 0.0, CELL_SEARCH_PX, CELL_SEARCH_PX
    result = cv2.matchTemplate(patch, template, cv2.TM_CCOEFF_NORMED)
    _, score, _, (x, y) = cv2.minMaxLoc(result)
    return float(score), int(x), int(y)


def _unit_rows(rows: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    centred = rows - rows.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    return np.asarray(centred / np.maximum(norms, 1e-6), np.float32)


def _read_digit(
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


def _largest_blob(mask: npt.NDArray[np.bool_]) -> int:
    if not mask.any():
        return 0
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return int(stats[1:, cv2.CC_STAT_AREA].max()) if count > 1 else 0


def _residual_blob(patch: npt.NDArray[np.float32], template: npt.NDArray[np.float32]) -> int:
    """The largest blob of ink the scan has where the glyph has none, or of the glyph's solid
    strokes the scan lacks — each a pixel away from the other's ink (residual misregistration,
    stroke weight; the scan's side two pixels). Two levels per side, because Mincho's strokes
    range from solid to hairline:
    *extra* is firm scan ink (BLOB_SCAN_INK) outside even the glyph's faint hairlines
    (BLOB_GLYPH_FAINT), *missing* is the glyph's solid ink (BLOB_GLYPH_SOLID) where the scan has
    not even faint ink (BLOB_SCAN_FAINT): a hairline a halftone broke up is neither, a stroke
    added (大 → 太, 日 → 目) or taken away (目 → 日) is one."""
    glyph = template / max(float(template.max()), 1e-6)
    faint_glyph = cv2.dilate((glyph > BLOB_GLYPH_FAINT).astype(np.uint8), np.ones((3, 3))) > 0
    # Two pixels of reach for the scan: a stroke printed as sparse dots (a halftone in a
    # low-toner streak) is still a stroke.
    faint_scan = cv2.dilate((patch > BLOB_SCAN_FAINT).astype(np.uint8), np.ones((5, 5))) > 0
    extra = (patch > BLOB_SCAN_INK) & ~faint_glyph
    missing = (glyph > BLOB_GLYPH_SOLID) & ~faint_scan
    return max(_largest_blob(extra), _largest_blob(missing))


def _picture_mask(pictures: tuple[Picture, ...], frame: Frame) -> npt.NDArray[np.bool_]:
    mask = np.zeros((frame.height, frame.width), bool)
    k = frame.px_per_pt
    for p in pictures:
        x0 = max(0, int((p.x_pt - frame.x_pt) * k))
        y0 = max(0, int((p.y_pt - frame.y_pt) * k))
        x1 = int(np.ceil((p.x_pt + p.width_pt - frame.x_pt) * k))
        y1 = int(np.ceil((p.y_pt + p.height_pt - frame.y_pt) * k))
        if x1 > x0 and y1 > y0:
            mask[y0:y1, x0:x1] = True
    return mask


def _extra_ink(
    scan: npt.NDArray[np.float32],
    expected: npt.NDArray[np.float32],
    masked: npt.NDArray[np.bool_],
    em_px: float,
) -> list[tuple[int, int, int, int]]:
    """Boxes (x, y, w, h) of ink the signed page does not have, rules of the form aside."""
    grown = cv2.dilate((expected > 0.08).astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    candidate = ((scan > EXTRA_INK) & ~grown & ~masked).astype(np.uint8)
    if not candidate.any():
        return []
    length = max(3, int(LINE_EM * em_px))
    ink = (scan > EXTRA_INK).astype(np.uint8)
    lines = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, length), np.uint8)) | (
        cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((length, 1), np.uint8))
    )
    candidate &= ~cv2.dilate(lines, np.ones((5, 5), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(candidate, connectivity=8)
    least = EXTRA_MIN_EM2 * em_px * em_px
    return [
        tuple(int(v) for v in stats[i, :4])  # type: ignore[misc]
        for i in range(1, count)
        if stats[i, cv2.CC_STAT_AREA] >= least
    ]


SEGMENT_CLUSTERS = 6  # characters aligned together: ~2 cm of a line at 10.5 pt …
SEGMENT_PT = 60.0  # … and never wider than this (a spread title's letters are far apart)


def _segments(cells: list[tuple[str, float]]) -> list[int]:
    """Where each stretch of a run aligned on its own begins (indexes into ``cells``)."""
    starts = [0]
    for index, (_, x) in enumerate(cells):
        first = cells[starts[-1]][1]
        if index - starts[-1] >= SEGMENT_CLUSTERS or x - first > SEGMENT_PT:
            starts.append(index)
    return starts


def _offset(
    scan_wide: npt.NDArray[np.float32],
    expected: npt.NDArray[np.float32],
    search: int,
    c0: int,
    c1: int,
    around: tuple[int, int] | None = None,
) -> tuple[int, int]:
    """Where columns c0..c1 of ``expected`` sit in ``scan_wide`` (its frame has ``search`` px
    more on every side): the best normalised correlation, within ±search (or ±search/2 of
    ``around``)."""
    template = expected[:, c0:c1]
    if float(template.std()) < 1e-3:
        return around or (search, search)
    if around is None:
        window = scan_wide[:, c0 : c1 + 2 * search]
        ox = oy = 0
    else:
        reach = max(2, search // 2)
        ox = max(0, around[0] - reach)
        oy = max(0, around[1] - reach)
        window = scan_wide[
            oy : around[1] + reach + expected.shape[0], ox + c0 : around[0] + reach + c1
        ]
    if window.shape[0] < template.shape[0] or window.shape[1] < template.shape[1]:
        return around or (search, search)
    result = cv2.matchTemplate(window, template, cv2.TM_CCOEFF_NORMED)
    _, _, _, (x, y) = cv2.minMaxLoc(result)
    return min(ox + x, 2 * search), min(oy + y, 2 * search)


def _compare_run(
    run: TextRun,
    others: list[TextRun],
    ink: npt.NDArray[np.float32],
    affine: npt.NDArray[np.float64],
    pictures: tuple[Picture, ...],
    blur: float,
) -> _RunResult:
    size = run.size_pt
    left, right = run.x_pt - size, run_end(run) + size
    top, bottom = run.baseline_pt - 1.2 * size, run.baseline_pt + 0.5 * size
    frame = Frame(
        left,
        top,
        round((right - left) * FIELD_DPI / 72),
        round((bottom - top) * FIELD_DPI / 72),
        FIELD_DPI,
    )
    k = frame.px_per_pt
    search = round(RUN_SEARCH_PT * k)
    wide = Frame(
        left - RUN_SEARCH_PT,
        top - RUN_SEARCH_PT,
        frame.width + 2 * search,
        frame.height + 2 * search,
        FIELD_DPI,
    )
    near = [o for o in others if o is not run and abs(o.baseline_pt - run.baseline_pt) < 3 * size]
    expected = np.maximum(render_runs([run], frame), render_runs(near, frame))
    blurred = cv2.GaussianBlur(expected, (0, 0), blur)
    scan_wide = local_ink(_smooth(warp_into(ink, affine, wide)), size * k)
    masked = _picture_mask(pictures, frame)
    em = size * k
    reasons: set[str] = set()
    read: list[str] = []
    checked = 0
    m = CELL_SEARCH_PX
    cells = origins(run)
    # Each stretch of the run on its own, within the whole ±RUN_SEARCH_PT around the page map's
    # prediction: a long line drifts (warp), and one offset for it all would be a compromise.
    shifts: list[tuple[int, int]] = []
    scan = np.zeros_like(blurred)  # the scan, each stretch at its own offset
    starts = _segments(cells)
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(cells)
        chunk = cells[start:end]
        c0 = max(0, int((chunk[0][1] - left) * k) - m)
        c1 = min(frame.width, int((chunk[-1][1] - left + size) * k) + m)
        sx, sy = _offset(scan_wide, blurred, search, c0, c1)
        shifts.extend([(sx, sy)] * len(chunk))
        b0 = 0 if start == 0 else int((chunk[0][1] - left) * k)
        b1 = frame.width if end == len(cells) else int((cells[end][1] - left) * k)
        scan[:, b0:b1] = scan_wide[sy : sy + frame.height, sx + b0 : sx + b1]
    for (cluster, x), (sx, sy) in zip(cells, shifts, strict=True):
        width = advance(cluster, size, run.font)
        x0 = int((x - left) * k)
        x1 = int(np.ceil((x + width - left) * k))
        y0 = int((run.baseline_pt - 0.9 * size - top) * k)
        y1 = int(np.ceil((run.baseline_pt + 0.15 * size - top) * k))
        cell = (slice(y0, y1), slice(x0, x1))
        if cluster.isspace() or masked[cell].mean() > 0.2:
            read.append(cluster)
            continue
        cell_frame = Frame(left + x0 / k, top + y0 / k, x1 - x0, y1 - y0, FIELD_DPI)
        glyph = render_cell(cluster, run.font, size, x, run.baseline_pt, cell_frame, blur)
        patch = scan_wide[sy + y0 - m : sy + y1 + m, sx + x0 - m : sx + x1 + m]
        if patch.shape[0] < glyph.shape[0] + 2 * m or patch.shape[1] < glyph.shape[1] + 2 * m:
            read.append(cluster)
            continue
        checked += 1
        expected_ink = float(glyph.sum())
        score, bx, by = _ncc(patch, glyph)
        aligned = patch[by : by + glyph.shape[0], bx : bx + glyph.shape[1]]
        if float(aligned.sum()) < MISSING_INK * expected_ink:
            reasons.add("missing")
            read.append("")
            continue
        if expected_ink < SMALL_GLYPH_EM2 * em * em and not _is_digit(cluster):
            read.append(cluster)  # a hyphen, a comma: there, but too small to tell apart
            continue
        if _is_digit(cluster):
            digits = DIGITS_FULL if cluster in DIGITS_FULL else DIGITS_HALF
            templates = [
                render_cell(digit, run.font, size, x, run.baseline_pt, cell_frame, blur)
                for digit in digits
            ]
            scores = _read_digit(patch, templates, bx, by)
            best = digits[int(np.argmax(scores))]
            read.append(best)
            if best != cluster:
                reasons.add("digit")
            if CELL_LOG is not None:
                ranked = sorted(scores, reverse=True)
                CELL_LOG.append({"key": run.key, "cluster": cluster, "read": best,
                                 "margin": ranked[0] - ranked[1], "ncc": score})  # fmt: skip
            continue
        blob = _residual_blob(aligned, glyph)
        if CELL_LOG is not None:
            CELL_LOG.append({"key": run.key, "cluster": cluster, "ncc": score,
                             "blob_em2": blob / (em * em)})  # fmt: skip
        if score < GLYPH_MIN_CORRELATION or blob >= BLOB_MIN_EM2 * em * em:
            reasons.add("glyph")
            read.append(UNREADABLE)
        else:
            read.append(cluster)
    extra = _extra_ink(scan, blurred, masked, em)
    if extra:
        reasons.add("added")
        start = int((run.x_pt - left) * k)
        end = int((run_end(run) - left) * k)
        before = any(x + w / 2 < start for x, _, w, _ in extra)
        after = any(x + w / 2 > end for x, _, w, _ in extra)
        read = ([UNREADABLE] if before else []) + read + ([UNREADABLE] if after else [])
    box = (run.x_pt, run.baseline_pt - 0.9 * size, run_end(run) - run.x_pt, 1.05 * size)
    return _RunResult(run, "".join(read), reasons, box, checked)


def _blur_samples(runs: list[TextRun], count: int = 8) -> list[TextRun]:
    """Short stretches (≤ SEGMENT_CLUSTERS characters) of the longest runs: a whole long line
    drifts with the paper's warp, and a blurrier template forgives the drift — it must not be
    what decides the blur."""
    out: list[TextRun] = []
    for run in sorted((r for r in runs if renderable(r)), key=lambda r: -len(r.text)):
        cells = origins(run)
        for start in range(0, len(cells) - SEGMENT_CLUSTERS + 1, 3 * SEGMENT_CLUSTERS):
            piece = cells[start : start + SEGMENT_CLUSTERS]
            text = "".join(cluster for cluster, _ in piece)
            if text.strip():
                out.append(replace(run, text=text, x_pt=piece[0][1]))
            if len(out) >= count:
                return out
    return out


def _estimate_blur(runs: list[TextRun], ink: npt.NDArray[np.float32], page_map: PageMap) -> float:
    """The print and scan blur (px at FIELD_DPI) that best matches short stretches of text."""
    totals = dict.fromkeys(BLUR_CANDIDATES, 0.0)
    for run in _blur_samples(runs):
        size = run.size_pt
        frame = Frame(
            run.x_pt - size,
            run.baseline_pt - 1.2 * size,
            round((run_end(run) - run.x_pt + 2 * size) * FIELD_DPI / 72),
            round(1.7 * size * FIELD_DPI / 72),
            FIELD_DPI,
        )
        expected = render_runs([run], frame)
        search = round(RUN_SEARCH_PT * frame.px_per_pt)
        wide = Frame(
            frame.x_pt - RUN_SEARCH_PT,
            frame.y_pt - RUN_SEARCH_PT,
            frame.width + 2 * search,
            frame.height + 2 * search,
            FIELD_DPI,
        )
        affine = page_map.shifted(run.x_pt, run.baseline_pt)
        scan = _smooth(warp_into(ink, affine, wide))
        for sigma in BLUR_CANDIDATES:
            template = cv2.GaussianBlur(expected, (0, 0), sigma)
            if float(template.std()) < 1e-3:
                continue
            totals[sigma] += float(cv2.matchTemplate(scan, template, cv2.TM_CCOEFF_NORMED).max())
    if not any(totals.values()):
        return BLUR_CANDIDATES[1]
    # Halftone and noise make a blurrier template look a little better everywhere: the least
    # blur within 1 % of the best.
    best = max(totals.values())
    return min(s for s in BLUR_CANDIDATES if totals[s] >= best - 0.01 * abs(best))


BLUR_CANDIDATES = (0.9, 1.2, 1.6, 2.1)  # the scan's own blur and SCAN_SMOOTH_PX together


def page_runs(
    facts: PageFacts,
    serial_line: str,
    serial_right_pt: float,
    serial_baseline_pt: float,
    serial_size_pt: float,
) -> list[TextRun]:
    """What the front prints as text: the page's signed runs and the kiosk's serial line."""
    return [
        *facts.runs,
        serial_run(serial_line, serial_right_pt, serial_baseline_pt, serial_size_pt),
    ]


def compare_fields(
    ink: npt.NDArray[np.float32],
    scan_dpi: float,
    runs: list[TextRun],
    pictures: tuple[Picture, ...],
    anchor: npt.NDArray[np.float64] | None,
    landmarks: Landmarks | None = None,
) -> FieldComparison:
    """Register the front's ink on the signed page and compare every run (module docstring).
    ``anchor`` is a first page → scan map (from the serial QR code), ``landmarks`` that code's
    corners (page pt, scan px)."""
    score, affine = register(ink, scan_dpi, runs, anchor)
    if affine is None:
        return FieldComparison(False, score, scan_dpi)
    page_map = _fit_map(runs, ink, affine, landmarks)
    affine = page_map.affine
    dpi = scale_dpi(affine)
    if dpi < MIN_FRONT_DPI:
        return FieldComparison(True, score, dpi, page_to_scan=affine, rotated=rotated(affine))
    blur = _estimate_blur(runs, ink, page_map)
    results = [
        _compare_run(run, runs, ink, page_map.shifted(run.x_pt, run.baseline_pt), pictures, blur)
        for run in runs
        if renderable(run)
    ]
    by_key: dict[str, list[_RunResult]] = {}
    for result in results:
        by_key.setdefault(result.run.key, []).append(result)
    differing = []
    for key, group in by_key.items():
        reasons = set().union(*(r.reasons for r in group))
        if not reasons:
            continue
        if not key:  # unkeyed text (labels): each differing run on its own
            group = [r for r in group if r.reasons]
        x0 = min(r.box_pt[0] for r in group)
        y0 = min(r.box_pt[1] for r in group)
        x1 = max(r.box_pt[0] + r.box_pt[2] for r in group)
        y1 = max(r.box_pt[1] + r.box_pt[3] for r in group)
        differing.append(
            DifferingField(
                key,
                "".join(r.read for r in group),
                "".join(r.run.text for r in group),
                (x0 / PT_PER_MM, y0 / PT_PER_MM, (x1 - x0) / PT_PER_MM, (y1 - y0) / PT_PER_MM),
                tuple(sorted(reasons)),
            )
        )
    return FieldComparison(
        registered=True,
        registration_score=score,
        scan_dpi=dpi,
        differing=tuple(differing),
        fields_checked=len({r.run.key for r in results if r.checked}),
        characters_checked=sum(r.checked for r in results),
        not_checked=tuple(sorted({r.key for r in runs if not renderable(r)})),
        page_to_scan=affine,
        rotated=rotated(affine),
        front_view=np.round((1 - warp_into(ink, affine, page_frame(VIEW_DPI))) * 255).astype(
            np.uint8
        ),
    )
