"""What reading a suspect character costs (printing/verify/glyphread.py): the bank of a font's
JIS X 0208 characters, built once per process and font on the first page with a suspect cell,
and one reading (coarse ranking and READ_TOP_K candidates drawn and correlated), on the
reference cells of the tests (tests/printing/security/reference/glyph_cells.*). CPU time.

    nice -n 10 .venv/bin/python benchmarks/security_glyphread.py
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from printing.security.facts import FONT_GOTHIC, FONT_MINCHO
from printing.verify.glyphread import bank
from printing.verify.glyphs import Frame, glyph
from printing.verify.runcheck import CellView

REFERENCE = Path(__file__).parent.parent / "tests" / "printing" / "security" / "reference"


def _views() -> list[CellView]:
    cells = np.load(REFERENCE / "glyph_cells.npz")
    meta = json.loads((REFERENCE / "glyph_cells.json").read_text())
    views = []
    for name, m in meta.items():
        patch = cells[name].astype(np.float32) / 255
        args = (m["signed"], m["font"], m["size_pt"], m["x_pt"], m["baseline_pt"])
        views.append(CellView(*args, Frame(*m["frame"]), m["page_blur_px"], patch))
    return views


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20, help="readings of each cell")
    args = parser.parse_args()
    glyph("木", FONT_MINCHO, 88.0)  # the fonts and their character maps loaded, as in a verifier
    figures: dict[str, object] = {}
    for name, font in (("mincho", FONT_MINCHO), ("gothic", FONT_GOTHIC)):
        started = time.process_time()
        built = bank(font)
        figures[f"bank_{name}_cpu_s"] = round(time.process_time() - started, 3)
        figures["bank_characters"] = len(built.characters)
    views = _views()
    for view in views:  # each cell's templates drawn once, as a verifier's first page would
        view.read("")
    started = time.process_time()
    for _ in range(args.repeat):
        for view in views:
            view.read("")
    figures["reading_cpu_ms"] = round(
        1000 * (time.process_time() - started) / (args.repeat * len(views)), 2
    )
    started = time.process_time()
    for view in views:  # a new place: every candidate drawn afresh (glyphs' caches cold)
        moved = CellView(
            view.cluster, view.font, view.size_pt, view.x_pt + 0.37, view.baseline_pt,
            view.frame, view.blur, view.patch,
        )  # fmt: skip
        moved.read("")
    figures["reading_cold_cpu_ms"] = round(1000 * (time.process_time() - started) / len(views), 2)
    figures["load_average"] = [round(v, 2) for v in os.getloadavg()]
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
