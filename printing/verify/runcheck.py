"""One signed run compared with the front scan, character by character (layout version 2).

At FIELD_DPI the run (and its neighbours) are drawn in the certificate's fonts at their signed
places and blurred like the print; the scan is resampled into the same frame by the page map
moved by the warp around the run, and its ink normalised locally (frontink.local_ink). Each
stretch of ≤ SEGMENT_CLUSTERS characters is found on its own within ±RUN_SEARCH_PT, each
character within ±CELL_SEARCH_PX. A digit is read (digits.py), any other character compared
with its own glyph (glyphcheck.py); ink around the run where the signed page has none is a
character added (a digit before a right-aligned amount).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import numpy as np
import numpy.typing as npt

from printing.security._cv import cv2
from printing.security.facts import Picture, TextRun, advance, origins, run_end

from .digits import digit_set, is_digit, read_digit
from .frontink import local_ink, smooth
from .glyphcheck import (
    BLOB_MIN_EM2,
    CELL_SEARCH_PX,
    GLYPH_MIN_CORRELATION,
    MISSING_INK,
    SMALL_GLYPH_EM2,
    SUSPECT_BLOB_EM2,
    ncc,
    residual_blob,
    second_look,
)
from .glyphread import Reading, read_cell
from .glyphs import Frame, render_cell, render_runs
from .pagemap import warp_into

FIELD_DPI = 300.0
RUN_SEARCH_PT = 2.0  # ±0.7 mm: warp and folds the global fit leaves
# A stretch whose best fit lies on the edge of ±RUN_SEARCH_PT is searched again within
# ±RUN_SEARCH_PT of the stretch before it, up to ±RUN_TRACK_PT from the page map: a long line
# the map leaves turned drifts along its length (a held-out σ 0.79 scan's 住民票 note drifted
# 3 px a stretch and its last three stretches sat past the edge, six characters read as others).
RUN_TRACK_PT = 4.0
EXTRA_MIN_EM2 = 0.03  # ink around a run, where the signed page has none
EXTRA_INK = 0.5
LINE_EM = 0.9  # straight ink this long is a rule of the form, not a character
# A character added lies within this far above and below the baseline (em box 0.88 / 0.12,
# and the stretch's placement ±0.15 em)
ADDED_ABOVE_EM, ADDED_BELOW_EM = 1.05, 0.3
UNREADABLE = "〓"  # geta mark: a character that is not the signed one
# Per-character measurements, for calibrating the thresholds (benchmarks/
# security_calibrate.py sets a list here; None in use).
CELL_LOG: list[dict[str, object]] | None = None


@dataclass(frozen=True)
class CellView:
    """A character's cell kept for reading it (glyphread.py) once the page has judged its signs:
    the scan's search window (±CELL_SEARCH_PX around the stretch's placement) and how to draw
    a character there (the signed glyph's geometry and the page's blur)."""

    cluster: str
    font: int
    size_pt: float
    x_pt: float
    baseline_pt: float
    frame: Frame
    blur: float
    patch: npt.NDArray[np.float32]

    def draw(self, character: str) -> npt.NDArray[np.float32]:
        """``character`` at this cell's place, size and blur."""
        return render_cell(
            character, self.font, self.size_pt, self.x_pt, self.baseline_pt, self.frame, self.blur
        )

    def read(self, page_characters: str) -> Reading:
        """Which character of the font fits the cell best (glyphread.read_cell). The coarse
        ranking sees the cell where the stretch placed it, not where the signed glyph fitted
        best: a substitute's strokes need not lie where the signed glyph's fit (伊 → 井 on a
        seed-1 scan: 伊 fitted 4 px off 井, and 井 ranked 2,550th from there, 1st from here)."""
        m = CELL_SEARCH_PX
        aligned = self.patch[m : m + self.frame.height, m : m + self.frame.width]
        return read_cell(self.patch, aligned, self.cluster, self.font, self.draw, page_characters)


@dataclass
class RunResult:
    """One run as read from the scan: what it shows (digits read, 〓 for a character that is
    not the signed one), why it differs (empty: as signed), where, how many cells checked."""

    run: TextRun
    cells: list[str]  # per character as read ("" for one missing), 〓 around for ink added
    reasons: set[str]
    box_pt: tuple[float, float, float, float]
    checked: int
    # (index into ``cells``, correlation, largest blob in em²) of every character that matched
    # its own glyph: the page judges them together (fields.py: one far below the page's others,
    # or below them with a stroke's blob, is not its glyph)
    glyph_scores: list[tuple[int, float, float]] = field(default_factory=list)
    # The cells of ``glyph_scores`` by index, kept for reading (fields.py reads the suspect
    # ones); a cell without one is judged by its signs alone
    views: dict[int, CellView] = field(default_factory=dict)
    # Cells already taken for another character by a sign alone (a correlation under
    # GLYPH_MIN_CORRELATION, a blob of BLOB_MIN_EM2): the page's reading may clear them
    flagged: set[int] = field(default_factory=set)

    @property
    def read(self) -> str:
        """What the scan shows, as the verdict prints it."""
        return "".join(self.cells)


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
    baseline_px: float,
) -> list[tuple[int, int, int, int]]:
    """Boxes (x, y, w, h) of ink the signed page does not have that could be a character
    added on the line whose baseline is at row ``baseline_px``, rules of the form aside."""
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
    # A character added on the line stands on its baseline, within the em box (0.88 em above
    # it, 0.12 below) and the run's placement; ink reaching well past that belongs to
    # something taller than a line of text — what the rule filter left of a form's rule on a
    # rotated, warped sheet (a folded 住民票's rule foot beside the 筆頭者's name, 0.47 em
    # below the baseline, was read as a character added), a fold, a stamp: the image
    # comparison's to judge.
    top = baseline_px - ADDED_ABOVE_EM * em_px
    bottom = baseline_px + ADDED_BELOW_EM * em_px
    return [
        tuple(int(v) for v in stats[i, :4])  # type: ignore[misc]
        for i in range(1, count)
        if stats[i, cv2.CC_STAT_AREA] >= least
        and stats[i, cv2.CC_STAT_TOP] >= top
        and stats[i, cv2.CC_STAT_TOP] + stats[i, cv2.CC_STAT_HEIGHT] <= bottom
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
    reach: int = 0,
) -> tuple[int, int]:
    """Where columns c0..c1 of ``expected`` sit in ``scan_wide`` (its frame has ``search`` px
    more on every side): the best normalised correlation, within ±search (or ±reach of
    ``around``, ±search/2 when no reach is given)."""
    template = expected[:, c0:c1]
    if float(template.std()) < 1e-3:
        return around or (search, search)
    if around is None:
        window = scan_wide[:, c0 : c1 + 2 * search]
        ox = oy = 0
    else:
        reach = reach or max(2, search // 2)
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


def compare_run(
    run: TextRun,
    others: list[TextRun],
    ink: npt.NDArray[np.float32],
    affine: npt.NDArray[np.float64],
    pictures: tuple[Picture, ...],
    blur: float,
) -> RunResult:
    """``run`` read from the front's ``ink`` placed by ``affine`` (page pt → scan px, already
    moved by the warp around the run), templates blurred by ``blur`` px; ``others`` are drawn
    too where they come close (a neighbour's ink is no added ink), ``pictures`` not judged."""
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
    track = round(RUN_TRACK_PT * k)
    # The frame's samples where they were with the margin of ±RUN_SEARCH_PT alone (the same
    # scores where the first search suffices), with track − search pixels more around
    wide = Frame(
        left - RUN_SEARCH_PT - (track - search) / k,
        top - RUN_SEARCH_PT - (track - search) / k,
        frame.width + 2 * track,
        frame.height + 2 * track,
        FIELD_DPI,
    )
    near = [o for o in others if o is not run and abs(o.baseline_pt - run.baseline_pt) < 3 * size]
    expected = np.maximum(render_runs([run], frame), render_runs(near, frame))
    blurred = cv2.GaussianBlur(expected, (0, 0), blur)
    scan_wide = local_ink(smooth(warp_into(ink, affine, wide)), size * k)
    masked = _picture_mask(pictures, frame)
    em = size * k
    reasons: set[str] = set()
    read: list[str] = []
    glyph_scores: list[tuple[int, float, float]] = []
    views: dict[int, CellView] = {}
    flagged: set[int] = set()
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
        sx, sy = _offset(scan_wide, blurred, track, c0, c1, (track, track), search)
        if shifts and search in (abs(sx - track), abs(sy - track)):
            sx, sy = _offset(scan_wide, blurred, track, c0, c1, shifts[-1], search)
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
        score, bx, by = ncc(patch, glyph)
        aligned = patch[by : by + glyph.shape[0], bx : bx + glyph.shape[1]]
        if float(aligned.sum()) < MISSING_INK * expected_ink:
            reasons.add("missing")
            read.append("")
            continue
        if expected_ink < SMALL_GLYPH_EM2 * em * em and not is_digit(cluster):
            read.append(cluster)  # a hyphen, a comma: there, but too small to tell apart
            continue
        if is_digit(cluster):
            digits = digit_set(cluster)
            templates = [
                render_cell(digit, run.font, size, x, run.baseline_pt, cell_frame, blur)
                for digit in digits
            ]
            scores = read_digit(patch, templates, bx, by)
            best = digits[int(np.argmax(scores))]
            read.append(best)
            if best != cluster:
                reasons.add("digit")
            if CELL_LOG is not None:
                ranked = sorted(scores, reverse=True)
                CELL_LOG.append({"key": run.key, "cluster": cluster, "read": best,
                                 "margin": ranked[0] - ranked[1], "ncc": score})  # fmt: skip
            continue
        blob = residual_blob(aligned, glyph)
        if blob >= SUSPECT_BLOB_EM2 * em * em:
            draw = partial(render_cell, cluster, run.font, size, x, run.baseline_pt, cell_frame)
            score, blob = second_look(patch, draw)
        if CELL_LOG is not None:
            CELL_LOG.append({"key": run.key, "cluster": cluster, "ncc": score,
                             "blob_em2": blob / (em * em)})  # fmt: skip
        index = len(read)
        glyph_scores.append((index, score, blob / (em * em)))
        views[index] = CellView(
            cluster, run.font, size, x, run.baseline_pt, cell_frame, blur, patch.copy()
        )
        if score < GLYPH_MIN_CORRELATION or blob >= BLOB_MIN_EM2 * em * em:
            reasons.add("glyph")
            flagged.add(index)
            read.append(UNREADABLE)
        else:
            read.append(cluster)
    extra = _extra_ink(scan, blurred, masked, em, (run.baseline_pt - top) * k)
    if extra:
        reasons.add("added")
        start = int((run.x_pt - left) * k)
        end = int((run_end(run) - left) * k)
        before = any(x + w / 2 < start for x, _, w, _ in extra)
        after = any(x + w / 2 > end for x, _, w, _ in extra)
        read = ([UNREADABLE] if before else []) + read + ([UNREADABLE] if after else [])
        if before:
            glyph_scores = [(index + 1, score, blob) for index, score, blob in glyph_scores]
            views = {index + 1: view for index, view in views.items()}
            flagged = {index + 1 for index in flagged}
    box = (run.x_pt, run.baseline_pt - 0.9 * size, run_end(run) - run.x_pt, 1.05 * size)
    return RunResult(run, read, reasons, box, checked, glyph_scores, views, flagged)
