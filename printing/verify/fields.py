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

The steps live in their own modules: pagemap.py (1), runcheck.py (2, 4), digits.py and
glyphcheck.py (3), frontink.py (the scan's ink), scanblur.py (the blur templates are given);
this module gathers the runs' results into the differing fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from printing.security.facts import FONT_GOTHIC, PageFacts, Picture, TextRun, run_end

from . import runcheck
from .glyphcheck import (
    BLOB_MIN_EM2,
    GLYPH_MAX_DROP,
    GLYPH_MIN_CORRELATION,
    MAX_READS_PER_PAGE,
    MIN_CELLS_FOR_MEDIAN,
    READ_DROP,
    READ_FIT_DROP,
    READ_MARGIN,
    STRONG_BLOB_EM2,
    STRONG_DROP,
    SUSPECT_BLOB_EM2,
    SUSPECT_DROP,
)
from .glyphs import renderable
from .pagemap import (
    PT_PER_MM,
    Landmarks,
    PageMap,
    fit_map,
    page_frame,
    register,
    rotated,
    scale_dpi,
    warp_into,
)
from .runcheck import UNREADABLE, RunResult, compare_run
from .scanblur import estimate_blur

VIEW_DPI = 100.0  # the registered front kept for the side-by-side image
# Below this a 10.5-pt digit is under 20 px tall and 5/6, 3/8 blur together: ask for a rescan.
MIN_FRONT_DPI = 180.0
# A capture on which this share of the checked fields (and at least RECAPTURE_MIN_FIELDS), or as
# many fields without a fitted page map, differ at once is a bad capture, not a forgery (a forger
# changes a date or an amount, not the page): a recapture is asked for, not a list of every field.
RECAPTURE_FIELD_SHARE = 0.5
RECAPTURE_MIN_FIELDS = 4


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
    page_to_scan: npt.NDArray[np.float64] | None = field(default=None, repr=False)  # 3 × 3
    rotated: bool = False  # the scan was upside down
    recapture: str = ""  # why the capture is too poor to judge its fields ("": it is not)
    map_fit: tuple[int, int, float] = (0, 0, 0.0)  # runs fitted, runs found, RMS residual px
    front_view: npt.NDArray[np.uint8] | None = field(default=None, repr=False)  # VIEW_DPI page


def serial_run(serial_line: str, right_pt: float, baseline_pt: float, size_pt: float) -> TextRun:
    """The kiosk's serial line (発行番号 … （１／２）) as a run: right-aligned at ``right_pt``."""
    probe = TextRun("serial", serial_line, 0.0, baseline_pt, size_pt, FONT_GOTHIC)
    return TextRun(
        "serial", serial_line, right_pt - run_end(probe), baseline_pt, size_pt, FONT_GOTHIC
    )


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


def _suspects(
    results: list[RunResult], median: float | None
) -> list[tuple[RunResult, int, float, float]]:
    """Every cell with a sign against it, the most suspect first (those a sign alone took for
    another character, then by the drop under the page's median): (run, index, correlation,
    blob em²)."""
    found = []
    for result in results:
        for index, score, blob in result.glyph_scores:
            drop = 0.0 if median is None else median - score
            flagged = index in result.flagged
            if flagged or blob >= SUSPECT_BLOB_EM2 or (median is not None and drop >= READ_DROP):
                found.append((flagged, drop, result, index, score, blob))
    found.sort(key=lambda item: (not item[0], -item[1]))
    return [(result, index, score, blob) for _, _, result, index, score, blob in found]


def _by_signs(flagged: bool, score: float, blob: float, median: float | None) -> bool:
    """A cell not read is another character by its signs alone (as before reading)."""
    if flagged:
        return True
    if median is None:
        return False
    return score < median - GLYPH_MAX_DROP or (
        score < median - SUSPECT_DROP and blob >= SUSPECT_BLOB_EM2
    )


def _strong(score: float, blob: float, median: float | None) -> bool:
    """Signs no degradation of a genuine print gave (glyphcheck.STRONG_DROP): another
    character even when no character of the font fits better (a stroke added that makes none)."""
    drop = 0.0 if median is None else median - score
    return (
        score < GLYPH_MIN_CORRELATION
        or blob >= STRONG_BLOB_EM2
        or drop >= STRONG_DROP
        or (drop > GLYPH_MAX_DROP and blob >= BLOB_MIN_EM2)
    )


def _unlike_the_page(results: list[RunResult], max_reads: int = MAX_READS_PER_PAGE) -> None:
    """Each character with a sign against it (glyphcheck.READ_DROP …) read among its font's
    characters, at most ``max_reads`` per page: another character that fits it READ_MARGIN
    better, and well (READ_FIT_DROP), is what the cell shows (its read value); else strong
    signs alone make it 〓, and a character read as itself is cleared. Cells not read (past the
    bound, or kept without their scan) are judged by their signs as before. In place."""
    scores = [score for result in results for _, score, _ in result.glyph_scores]
    median = float(np.median(scores)) if len(scores) >= MIN_CELLS_FOR_MEDIAN else None
    page_characters = "".join(sorted({ch for result in results for ch in result.run.text}))
    reads = 0
    for result, index, score, blob in _suspects(results, median):
        view = result.views.get(index)
        printed: str | None
        if view is None or reads >= max_reads:
            by_signs = _by_signs(index in result.flagged, score, blob, median)
            printed = UNREADABLE if by_signs else None
        else:
            reads += 1
            reading = view.read(page_characters)
            if runcheck.CELL_LOG is not None:
                # (keys of their own: the digits' "margin" and the cells' "blob_em2" are read by
                # benchmarks/security_calibrate.py)
                runcheck.CELL_LOG.append({"key": result.run.key, "cluster": view.cluster,
                    "reading": reading.character, "reading_margin": reading.margin,
                    "reading_ncc": reading.score, "signed_ncc": score, "signed_blob": blob,
                    "median": median})  # fmt: skip
            fits = reading.score >= (
                GLYPH_MIN_CORRELATION if median is None else median - READ_FIT_DROP
            )
            if reading.margin >= READ_MARGIN and fits:
                printed = reading.character
            else:
                printed = UNREADABLE if _strong(score, blob, median) else None
        if printed is None:
            result.flagged.discard(index)
            if view is not None:
                result.cells[index] = view.cluster
        else:
            result.flagged.add(index)
            result.cells[index] = printed
    for result in results:
        if result.flagged:
            result.reasons.add("glyph")
        else:
            result.reasons.discard("glyph")


def _recapture(page_map: PageMap, differing: int, checked: int) -> str:
    """Why a capture with ``differing`` fields (of ``checked``) is too poor to judge them, or ""
    (see RECAPTURE_FIELD_SHARE)."""
    if not differing:
        return ""
    # Without a fitted map the fields are read on the registration's map: a short page (a
    # 住民票's second page, ten runs) is never fitted and one field differing there is a
    # forgery to name (issue 12: every edit on two seed-1 pages was "rescan" instead).
    if page_map.runs_measured == 0 and differing >= RECAPTURE_MIN_FIELDS:
        return "the page map could not be fitted to the printed runs"
    if differing >= max(RECAPTURE_MIN_FIELDS, RECAPTURE_FIELD_SHARE * checked):
        return f"{differing} of {checked} fields differ at once"
    return ""


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
    page_map = fit_map(runs, ink, affine, landmarks)
    affine = page_map.affine
    dpi = scale_dpi(affine)
    if dpi < MIN_FRONT_DPI:
        return FieldComparison(
            True, score, dpi, page_to_scan=page_map.homography, rotated=rotated(affine)
        )
    blur = estimate_blur(runs, ink, page_map)
    results = [
        compare_run(run, runs, ink, page_map.shifted(run.x_pt, run.baseline_pt), pictures, blur)
        for run in runs
        if renderable(run)
    ]
    _unlike_the_page(results)
    by_key: dict[str, list[RunResult]] = {}
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
    fields_checked = len({r.run.key for r in results if r.checked})
    return FieldComparison(
        registered=True,
        registration_score=score,
        scan_dpi=dpi,
        differing=tuple(differing),
        fields_checked=fields_checked,
        characters_checked=sum(r.checked for r in results),
        not_checked=tuple(sorted({r.key for r in runs if not renderable(r)})),
        page_to_scan=page_map.homography,
        rotated=rotated(affine),
        recapture=_recapture(page_map, len(differing), fields_checked),
        map_fit=(page_map.runs_fitted, page_map.runs_measured, page_map.residual_px),
        front_view=np.round(
            (1 - warp_into(ink, page_map.homography, page_frame(VIEW_DPI))) * 255
        ).astype(np.uint8),
    )
