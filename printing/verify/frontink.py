"""The front scan's ink, as the field comparison sees it (layout version 2).

Coverage 0..1 from the scan's grey: flat-fielded (yellowing, uneven lighting), the page's black
stretched to 1, the form's rules taken out (the signed facts have none); per run, normalised
by the darkest ink close around, so fading, a low-toner streak or a stain's tint do not make
strokes look thinner or missing, and paper (the pantograph's tint, show-through) set to 0.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from printing.security._cv import cv2

from .images import ScanImage
from .locate import flat_field

PAPER_COVERAGE = 0.25  # below this a pixel is paper: pantograph tint, show-through
MIN_LOCAL_BLACK = 0.55  # never stretch fainter ink than this to full black (tint, dots)
LOCAL_BLACK_EM = 0.35
RULE_MM = 7.0  # straight ink longer than this is a rule of the form (no stroke of a 13-pt
# kanji is): the signed facts have no rules, and a match that sees them slides towards them


def front_ink(
    scan: ScanImage, flat: npt.NDArray[np.float32] | None = None
) -> npt.NDArray[np.float32]:
    """Ink coverage 0..1 of a front scan: flat-fielded (``flat``, if the caller has it
    already: ``flat_field(scan.grey, scan.dpi / 100)``), the page's black stretched to 1, the
    form's rules taken out (horizontal and vertical ink longer than RULE_MM)."""
    if flat is None:
        flat = flat_field(scan.grey, scan.dpi / 100)
    black = float(np.percentile(flat[::3, ::3], 0.5))  # a ninth of the pixels: the same level
    stretch = 1 / max(1.0 - black, 0.2)
    # (1 − flat)·stretch clipped to 0..1, in OpenCV's vector loops (a page is 9 Mpx), in place:
    # every new page-sized array is 38 MB of fresh pages for the kernel to map.
    ink = flat * np.float32(-stretch)
    np.add(ink, np.float32(stretch), out=ink)
    cv2.min(ink, 1.0, dst=ink)
    cv2.max(ink, 0.0, dst=ink)
    length = max(15, round(RULE_MM / 25.4 * scan.dpi))
    # The openings on 8 bits: a quarter of the float work (OpenCV's SIMD), and a rule's level
    # to 1/255 is plenty for taking it out.
    ink_u8 = cv2.convertScaleAbs(ink, alpha=255)
    rules = cv2.max(
        cv2.morphologyEx(ink_u8, cv2.MORPH_OPEN, np.ones((1, length), np.uint8)),
        cv2.morphologyEx(ink_u8, cv2.MORPH_OPEN, np.ones((length, 1), np.uint8)),
    )
    rules = cv2.dilate(rules, np.ones((3, 3), np.uint8))  # their blurred edges too
    # ink − rules / 255 clipped at 0, in place, a band of rows at a time: the rules' coverage as
    # float32 (by a table of the 256 levels: cv2.multiply's own values) in a band-sized buffer
    # rather than a page-sized array of fresh pages.
    band = np.empty((RULE_BAND_ROWS, ink.shape[1]), np.float32)
    for y0 in range(0, ink.shape[0], RULE_BAND_ROWS):
        rows = slice(y0, min(y0 + RULE_BAND_ROWS, ink.shape[0]))
        coverage = band[: rows.stop - y0]
        cv2.LUT(rules[rows], _RULE_COVERAGE, dst=coverage)
        cv2.subtract(ink[rows], coverage, dst=ink[rows])
        cv2.max(ink[rows], 0.0, dst=ink[rows])
    return ink


RULE_BAND_ROWS = 256
# An 8-bit rule level k as coverage 0..1: cv2.multiply(k, 1 / 255) into float32, every k.
_RULE_COVERAGE = cv2.multiply(
    np.arange(256, dtype=np.uint8).reshape(1, -1), 1 / 255, dtype=cv2.CV_32F
)


SCAN_SMOOTH_PX = 0.8  # a halftone's dither and the scanner's noise, smoothed before comparing


def smooth(image: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """``image`` smoothed by SCAN_SMOOTH_PX."""
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
