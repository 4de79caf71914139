"""A character's scan against its own glyph: correlation, and no blob of ink one has and the
other lacks (a stroke added or taken away: 大 → 太, 目 → 日).

Thresholds calibrated on the simulated office channel (benchmarks/security_calibrate.py,
benchmarks/security_robustness.py --tamper).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from printing.security._cv import cv2

CELL_SEARCH_PX = 2  # a character's cell is matched within ±2 px of its stretch's offset
GLYPH_MIN_CORRELATION = 0.55  # a character's scan against its own glyph
# … and against the page's other characters: blur, toner and halftone lower every character's
# correlation alike, a character that is not its glyph lowers its own. On the simulated office
# channel (24 draws of seed 1) genuine characters lay at most 0.10 below their page's median,
# near-identical substitutes at σ 1–1.4 px 0.20 (丁 → 了) and 0.34 (都 → 梅) below it; 村 → 材
# (0.09) is not told from a genuine character this way.
GLYPH_MAX_DROP = 0.15
# Two weaker signs together: a character under the page's median by SUSPECT_DROP with a blob
# of SUSPECT_BLOB_EM2 (after the second look, below) is not its glyph either — 村 → 材 at
# σ 0.7–1.4 px (0.076–0.098 under the median, blobs 0.0041–0.0056 em²). Genuine characters
# with a blob of 0.0035 em² or more lay at most 0.048 under their median (a sharp scan's 県,
# 0.0042 em², seed 3), those 0.06 under it had blobs of at most 0.0016 em² (60 held-out office
# fronts, seed 2). 木 → 本 (0.047 under, 0.0052 em²) is not told from that 県.
SUSPECT_DROP = 0.06
SUSPECT_BLOB_EM2 = 0.0035
# Reading (glyphread.py, fields.py): a character with any sign — any of the above, or a lesser
# one: READ_DROP under the page's median, a blob of SUSPECT_BLOB_EM2 — is read among its font's
# characters. It is another character, named, when one fits it READ_MARGIN better than the
# signed one and fits like the page's characters (within READ_FIT_DROP of the median: seed 1's
# substitutes read within 0.09 of it; a genuine 月 missing its top stroke on a seed-5 label
# fitted 且 0.11 better, but 且 itself lay 0.145 under). Otherwise only signs no degradation of
# a genuine print gave on the calibration scans take it for another character, 〓 — cells read
# as themselves on seeds 1, 2, 3 and 5 lay up to 0.26 under the median (that 月; a label off its
# place on a page without a fitted map, 0.29 and 0.37) or had blobs up to 0.011 em² (a seed-5
# 区), never both a drop over GLYPH_MAX_DROP and a blob of BLOB_MIN_EM2:
# STRONG_DROP under the median, a blob of STRONG_BLOB_EM2, those two together, a correlation
# under GLYPH_MIN_CORRELATION — a stroke added that makes no character (a bar across 県: 0.28
# under, 0.014 em²). At most MAX_READS_PER_PAGE cells are read per page, the most suspect
# first; the rest are judged by the signs as before reading existed.
READ_DROP = 0.04
READ_MARGIN = 0.02
READ_FIT_DROP = 0.10
STRONG_DROP = 0.30
STRONG_BLOB_EM2 = 0.016
MAX_READS_PER_PAGE = 16
MIN_CELLS_FOR_MEDIAN = 20  # a page with fewer characters to compare has no reliable median
BLOB_MIN_EM2 = 0.006  # a blob this large (in em²) is a stroke the glyph has not (or lacks)
BLOB_SCAN_INK, BLOB_SCAN_FAINT = 0.55, 0.25  # scan ink (local_ink) that is firm, that is any
BLOB_GLYPH_SOLID, BLOB_GLYPH_FAINT = 0.55, 0.15  # of the glyph's darkest
# The second look at a cell with a blob (SUSPECT_BLOB_EM2 or more): the page's one blur estimate
# (scanblur.py, in coarse steps) and a linear tone leave a Mincho hairline fainter in the
# template than in a heavy, blurred print — the ends of 本's strokes stood out by 0.0064 em²
# on σ 1.2–1.4 px scans. The glyph is drawn again at each of these blurs, as is and with its
# faint strokes raised (coverage ** SECOND_LOOK_TONE), and judged against the one that fits
# the cell best: a stroke added or missing stays a blob against every drawing of the signed
# glyph.
SECOND_LOOK_BLURS = (0.6, 0.9, 1.2, 1.6, 2.1)
SECOND_LOOK_TONE = 0.6
MISSING_INK = 0.25  # a cell with this little of its glyph's ink is blank
SMALL_GLYPH_EM2 = 0.02  # punctuation: its presence is checked, its shape is not


def ncc(
    patch: npt.NDArray[np.float32], template: npt.NDArray[np.float32]
) -> tuple[float, int, int]:
    """The best normalised correlation of ``template`` in ``patch``, and where (x, y)."""
    if float(template.max()) - float(template.min()) < 1e-3:
        return 0.0, CELL_SEARCH_PX, CELL_SEARCH_PX
    result = cv2.matchTemplate(patch, template, cv2.TM_CCOEFF_NORMED)
    _, score, _, (x, y) = cv2.minMaxLoc(result)
    return float(score), int(x), int(y)


def _largest_blob(mask: npt.NDArray[np.bool_]) -> int:
    if not mask.any():
        return 0
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return int(stats[1:, cv2.CC_STAT_AREA].max()) if count > 1 else 0


def residual_blob(patch: npt.NDArray[np.float32], template: npt.NDArray[np.float32]) -> int:
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


def second_look(
    patch: npt.NDArray[np.float32],
    draw: Callable[[float], npt.NDArray[np.float32]],
) -> tuple[float, int]:
    """The cell's correlation with the drawing of its glyph that fits it best (``draw(blur)``
    at SECOND_LOOK_BLURS, each as is and toned, see there), and the largest blob against
    that drawing."""
    best: tuple[float, int, int, npt.NDArray[np.float32]] | None = None
    for blur in SECOND_LOOK_BLURS:
        template = draw(blur)
        peak = max(float(template.max()), 1e-6)
        toned = np.asarray((template / peak) ** SECOND_LOOK_TONE, np.float32)
        for candidate in (template, toned):
            score, x, y = ncc(patch, candidate)
            if best is None or score > best[0]:
                best = (score, x, y, candidate)
    assert best is not None
    score, x, y, template = best
    aligned = patch[y : y + template.shape[0], x : x + template.shape[1]]
    return score, residual_blob(aligned, template)
