"""A long run the page map leaves turned drifts along its length (printing/verify/runcheck.py):
each stretch is found again around the one before it when its fit lies on the edge of the
search, so a genuine line that drifted past ±RUN_SEARCH_PT is read as signed, and a character
substituted in its drifted tail is still not its glyph."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from printing.security._cv import cv2
from printing.security.facts import FONT_MINCHO, TextRun, origins
from printing.verify.glyphs import Frame, render_runs
from printing.verify.runcheck import RUN_SEARCH_PT, SEGMENT_CLUSTERS, UNREADABLE, compare_run

DPI = 300.0
K = DPI / 72
# A 住民票 note of held-out seed 3 (draw 22): the map left it drifting about 3 px a stretch
TEXT = "平成１１年１月２５日　転居　神奈川県横浜市港北区日吉９丁目１４番２号から転居"
SIGNED = TextRun("members[1].notes[5]", TEXT, 60.0, 100.0, 10.5, FONT_MINCHO)
DRIFT_PT = 0.8  # per stretch, down and to the left: the tail ends ~4 pt off


def _drifted_scan(text: str) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float64]]:
    """``text`` printed at the signed run's place, each stretch of SEGMENT_CLUSTERS characters
    DRIFT_PT further off than the one before; the page → scan map (identity at DPI)."""
    run = TextRun(SIGNED.key, text, SIGNED.x_pt, SIGNED.baseline_pt, SIGNED.size_pt, SIGNED.font)
    cells = origins(run)
    pieces = []
    for number, start in enumerate(range(0, len(cells), SEGMENT_CLUSTERS)):
        stretch = cells[start : start + SEGMENT_CLUSTERS]
        pieces.append(
            TextRun(
                run.key,
                "".join(cluster for cluster, _ in stretch),
                stretch[0][1] - DRIFT_PT * number * 0.6,
                run.baseline_pt + DRIFT_PT * number,
                run.size_pt,
                run.font,
            )
        )
    frame = Frame(0.0, 0.0, round(560 * K), round(140 * K), DPI)
    ink = cv2.GaussianBlur(render_runs(pieces, frame), (0, 0), 0.8)
    return np.asarray(ink, np.float32), np.array([[K, 0.0, 0.0], [0.0, K, 0.0]])


def test_the_drift_outgrows_the_first_search() -> None:
    stretches = -(-len(TEXT) // SEGMENT_CLUSTERS)
    assert DRIFT_PT * (stretches - 1) > RUN_SEARCH_PT


def test_a_genuine_line_that_drifted_reads_as_signed() -> None:
    ink, affine = _drifted_scan(TEXT)

    result = compare_run(SIGNED, [SIGNED], ink, affine, (), 0.8)

    assert result.reasons == set()
    assert result.read == TEXT


def test_a_kanji_substituted_in_the_drifted_tail_is_named() -> None:
    forged = TEXT[:-1] + "届"  # the last 居 → 届
    ink, affine = _drifted_scan(forged)

    result = compare_run(SIGNED, [SIGNED], ink, affine, (), 0.8)

    assert result.read.endswith("転" + UNREADABLE)
    assert "glyph" in result.reasons
