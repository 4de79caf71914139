"""The print and scan blur of a front, measured on its text (layout version 2).

Glyph and digit templates are blurred by it before they are compared with the scan: a sharp
template against a blurred scan would make every thin stroke look missing.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt

from printing.security._cv import cv2
from printing.security.facts import TextRun, origins, run_end

from .frontink import smooth
from .glyphs import Frame, render_runs, renderable
from .pagemap import PageMap, warp_into
from .runcheck import FIELD_DPI, RUN_SEARCH_PT, SEGMENT_CLUSTERS

BLUR_CANDIDATES = (0.9, 1.2, 1.6, 2.1)  # the scan's own blur and SCAN_SMOOTH_PX together


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


def estimate_blur(runs: list[TextRun], ink: npt.NDArray[np.float32], page_map: PageMap) -> float:
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
        scan = smooth(warp_into(ink, affine, wide))
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
