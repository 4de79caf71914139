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
from dataclasses import dataclass, field

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

from .glyphs import Frame, render_cluster, render_runs, renderable
from .images import ScanImage
from .locate import flat_field

PT_PER_MM = 72 / 25.4
FIELD_DPI = 300.0
REGISTRATION_DPI = 75.0
# Below this a 10.5-pt digit is under 20 px tall and 5/6, 3/8 blur together: ask for a rescan.
MIN_FRONT_DPI = 180.0
MAX_WORKING_DPI = 400.0
MIN_REGISTRATION_SCORE = 0.45
RUN_SEARCH_PT = 2.0  # ±0.7 mm: warp and folds the global fit leaves
CELL_SEARCH_PX = 2
PAPER_COVERAGE = 0.25  # below this a pixel is paper: pantograph tint, show-through
# Calibrated on the simulated office channel (benchmarks/security_robustness.py --tamper):
GLYPH_MIN_CORRELATION = 0.55  # a character's scan against its own glyph
BLOB_RESIDUAL = 0.45  # coverage difference that counts towards a blob
BLOB_MIN_EM2 = 0.012  # a blob this large (in em²) is a stroke the glyph has not (or lacks)
EXTRA_MIN_EM2 = 0.03  # ink around a run, where the signed page has none
EXTRA_INK = 0.5
LINE_EM = 0.9  # straight ink this long is a rule of the form, not a character
MISSING_INK = 0.25  # a cell with this little of its glyph's ink is blank
UNREADABLE = "〓"  # geta mark: a character that is not the signed one
DIGITS_FULL = "０１２３４５６７８９"
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


def serial_run(serial_line: str, right_pt: float, baseline_pt: float, size_pt: float) -> TextRun:
    """The kiosk's serial line (発行番号 … （１／２）) as a run: right-aligned at ``right_pt``."""
    probe = TextRun("serial", serial_line, 0.0, baseline_pt, size_pt, FONT_GOTHIC)
    return TextRun(
        "serial", serial_line, right_pt - run_end(probe), baseline_pt, size_pt, FONT_GOTHIC
    )


# --- ink ---------------------------------------------------------------------------------------
def front_ink(scan: ScanImage) -> npt.NDArray[np.float32]:
    """Ink coverage 0..1 of a front scan: flat-fielded, black stretched, paper tint removed."""
    flat = flat_field(scan.grey, scan.dpi / 100)
    black = float(np.percentile(flat, 0.5))
    ink = np.clip((1.0 - flat) / max(1.0 - black, 0.2), 0, 1)
    return np.asarray(np.clip((ink - PAPER_COVERAGE) / (1 - PAPER_COVERAGE), 0, 1), np.float32)


# --- registration --------------------------------------------------------------------------------
PAGE_WIDTH_PT = 210 * PT_PER_MM
PAGE_HEIGHT_PT = 297 * PT_PER_MM


def _page_frame(dpi: float) -> Frame:
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
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 80, 1e-5)
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
    frame = _page_frame(small)
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
    frame = _page_frame(REGISTRATION_DPI)
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
    if float(template.std()) < 1e-3 or float(patch.std()) < 1e-3:
        return 0.0, CELL_SEARCH_PX, CELL_SEARCH_PX
    result = cv2.matchTemplate(patch, template, cv2.TM_CCOEFF_NORMED)
    _, score, _, (x, y) = cv2.minMaxLoc(result)
    return float(score), int(x), int(y)


def _largest_blob(mask: npt.NDArray[np.bool_]) -> int:
    if not mask.any():
        return 0
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return int(stats[1:, cv2.CC_STAT_AREA].max()) if count > 1 else 0


def _residual_blob(patch: npt.NDArray[np.float32], template: npt.NDArray[np.float32]) -> int:
    """The largest blob of ink one of the two has and the other has not (after a tone fit)."""
    t = template.ravel()
    a = np.vstack([t, np.ones_like(t)]).T
    (gain, offset), *_ = np.linalg.lstsq(a, patch.ravel(), rcond=None)
    residual = np.abs(patch - (gain * template + offset))
    mask = residual > BLOB_RESIDUAL
    mask = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)) > 0
    return _largest_blob(mask)


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


SEGMENT_CLUSTERS = 6  # characters aligned together: ~2 cm of a line at 10.5 pt


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
    return ox + x, oy + y


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
    scan_wide = warp_into(ink, affine, wide)
    masked = _picture_mask(pictures, frame)
    em = size * k
    reasons: set[str] = set()
    read: list[str] = []
    checked = 0
    m = CELL_SEARCH_PX
    cells = origins(run)
    # The run's offset, then each stretch of it on its own: a long line drifts (warp, scale).
    dx, dy = _offset(scan_wide, blurred, search, 0, frame.width)
    shifts: list[tuple[int, int]] = []
    scan = np.zeros_like(blurred)  # the scan, each stretch at its own offset
    for start in range(0, len(cells), SEGMENT_CLUSTERS):
        chunk = cells[start : start + SEGMENT_CLUSTERS]
        c0 = max(0, int((chunk[0][1] - left) * k) - m)
        c1 = min(frame.width, int((chunk[-1][1] - left + size) * k) + m)
        sx, sy = _offset(scan_wide, blurred, search, c0, c1, (dx, dy))
        shifts.extend([(sx, sy)] * len(chunk))
        b0 = 0 if start == 0 else int((chunk[0][1] - left) * k)
        b1 = (
            frame.width
            if start + SEGMENT_CLUSTERS >= len(cells)
            else int((cells[start + SEGMENT_CLUSTERS][1] - left) * k)
        )
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
        glyph = cv2.GaussianBlur(render_cluster(cluster, run, x, frame), (0, 0), blur)[cell]
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
        if _is_digit(cluster):
            digits = DIGITS_FULL if cluster in DIGITS_FULL else DIGITS_HALF
            scores = []
            for digit in digits:
                template = cv2.GaussianBlur(render_cluster(digit, run, x, frame), (0, 0), blur)
                scores.append(_ncc(patch, template[cell])[0])
            best = digits[int(np.argmax(scores))]
            read.append(best)
            if best != cluster:
                reasons.add("digit")
            continue
        blob = _residual_blob(aligned, glyph)
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


def _estimate_blur(
    runs: list[TextRun], ink: npt.NDArray[np.float32], affine: npt.NDArray[np.float64]
) -> float:
    """The print and scan blur (px at FIELD_DPI) that best matches the longest runs."""
    sample = sorted((r for r in runs if renderable(r)), key=lambda r: -len(r.text))[:4]
    if not sample:
        return 1.0
    totals = dict.fromkeys(BLUR_CANDIDATES, 0.0)
    for run in sample:
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
        scan = warp_into(ink, affine, wide)
        for sigma in BLUR_CANDIDATES:
            template = cv2.GaussianBlur(expected, (0, 0), sigma)
            if float(template.std()) < 1e-3:
                continue
            totals[sigma] += float(cv2.matchTemplate(scan, template, cv2.TM_CCOEFF_NORMED).max())
    return max(totals, key=lambda s: totals[s])


BLUR_CANDIDATES = (0.6, 1.0, 1.5, 2.1)


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
) -> FieldComparison:
    """Register the front's ink on the signed page and compare every run (module docstring)."""
    score, affine = register(ink, scan_dpi, runs, anchor)
    if affine is None:
        return FieldComparison(False, score, scan_dpi)
    dpi = scale_dpi(affine)
    if dpi < MIN_FRONT_DPI:
        return FieldComparison(True, score, dpi, page_to_scan=affine, rotated=rotated(affine))
    blur = _estimate_blur(runs, ink, affine)
    results = [
        _compare_run(run, runs, ink, affine, pictures, blur) for run in runs if renderable(run)
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
    )
