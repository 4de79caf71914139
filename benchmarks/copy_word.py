"""How visible the hidden word 複写 is — on the original and on copies — for each patch of the
printer calibration chart (printing/security/chart.py, PANTOGRAPH_LADDER), measured at the
printer's resolution (600 dpi) with the print and copier models of printing/security/copier.py.

    .venv/bin/python benchmarks/copy_word.py [--size-mm 60] [--dot-gain 0.3,0.5,0.7]

Per patch: ``original`` is the word's contrast on the print seen from a reading distance (0:
hidden; < 0 lighter, > 0 darker than the background; units of reflectance), for each dot gain
of the printer model (σ in device px); ``outline`` is the largest contrast of a 1-mm band along
the word's edge against the background (an outline shows the word's shape even where its area
does not); ``copy@N`` is the word's contrast on a photocopy by an N-dpi copier in text mode.
docs/security-printing.md ("Hiding 複写 on the original") quotes a run.
"""

from __future__ import annotations

import argparse

import numpy as np

from printing.security.calibration import PrintCalibration
from printing.security.chart import _pantograph_patches
from printing.security.copier import (
    CopierModel,
    outline_contrast,
    photocopy,
    printed_reflectance,
    viewing_contrast,
)
from printing.security.pantograph import pantograph

COPIERS = (300.0, 600.0, 1200.0)


def measure(calibration: PrintCalibration, size_px: int, dot_gains: list[float]) -> list[str]:
    render = np.where(pantograph(size_px, size_px, calibration), 0, 255).astype(np.uint8)
    cells = []
    for gain in dot_gains:
        original = printed_reflectance(render, gain)
        cells.append(f"{viewing_contrast(original, calibration):+.3f}")
    original = printed_reflectance(render, 0.5)
    cells.append(f"{outline_contrast(original, calibration):.3f}")
    for dpi in COPIERS:
        copy = photocopy(original, CopierModel(scan_dpi=dpi))
        cells.append(f"{viewing_contrast(copy, calibration):+.3f}")
    return cells


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mm", type=float, default=60.0)
    parser.add_argument("--dot-gain", default="0.3,0.5,0.7")
    args = parser.parse_args(argv)
    gains = [float(v) for v in args.dot_gain.split(",")]
    size = int(args.size_mm / 25.4 * 600)
    head = [f"original σ={g}" for g in gains] + ["outline σ=0.5"]
    head += [f"copy@{int(d)}" for d in COPIERS]
    print("| patch | " + " | ".join(head) + " |")
    print("|---" * (len(head) + 1) + "|")
    default = PrintCalibration()
    for calibration, label in _pantograph_patches(default):
        mark = " (default)" if calibration == default else ""
        print(f"| {label}{mark} | " + " | ".join(measure(calibration, size, gains)) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
