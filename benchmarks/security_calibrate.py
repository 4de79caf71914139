"""Calibration of the field comparison's thresholds (printing/verify/glyphcheck.py).

For random draws of an envelope over the corpus: the genuine front and a kanji-substituted
one go through the front-side channel and are compared with their page's signed facts
(``check_front``, the verifier's own path, without reading the back: the facts come from the
back-side data). Every character's measurements are logged (``runcheck.CELL_LOG``): the
normalised correlation with its glyph and the largest differing blob (em²) for kanji and kana;
the margin between the best and the second-best template for digits. Printed: their
distributions on genuine characters — per page, since one false character flags a page — and
on the substituted ones, i.e. where a threshold separates them.

    nice .venv/bin/python benchmarks/security_calibrate.py --envelope office --draws 40
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from security_forgery import ForgedFronts, kanji_targets
from security_robustness import pages

import printing.verify.runcheck as runcheck
from printing.security.channel import ENVELOPES, sample_params, simulate
from printing.security.signed_code import parse_signed_code
from printing.verify import load_scan
from printing.verify.frontcheck import check_front
from printing.verify.verifier import working_resolution


def measured(front: np.ndarray, params: Any, payload: Any) -> tuple[list[dict[str, Any]], Any]:
    runcheck.CELL_LOG = []
    scan = working_resolution(load_scan(simulate(front, params))[0])
    comparison, _ = check_front(scan, payload)
    log, runcheck.CELL_LOG = runcheck.CELL_LOG, None
    return log, comparison


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--envelope", choices=ENVELOPES, default="office")
    parser.add_argument("--draws", type=int, default=20)
    parser.add_argument("--corpus", type=int, default=16)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    corpus_pages = list(pages(args.corpus))
    genuine_pages: list[dict[str, float]] = []
    forged: list[dict[str, Any]] = []
    for draw in range(args.draws):
        page = corpus_pages[draw % len(corpus_pages)]
        params = replace(
            sample_params(args.envelope, rng, seed=args.seed * 100_000 + draw), show_through=0.0
        )
        payload = parse_signed_code(page.backs[page.index].signed_code).payload
        log, comparison = measured(page.front_600, params, payload)
        glyphs = [c for c in log if "blob_em2" in c]
        digits = [c for c in log if "margin" in c]
        genuine_pages.append(
            {
                "min_ncc": min((c["ncc"] for c in glyphs), default=1.0),
                "max_blob_em2": max((c["blob_em2"] for c in glyphs), default=0.0),
                "min_digit_margin": min((c["margin"] for c in digits), default=1.0),
                "digits_misread": sum(c["read"] != c["cluster"] for c in digits),
                "differing": [(d.key, d.reasons) for d in comparison.differing],
            }
        )
        if page.forger is None:
            page.forger = ForgedFronts(page.certificate.rendered.pdf, page.index, page.backs)
        targets = kanji_targets(payload.page_facts.runs)
        if targets:
            choice = targets[draw % len(targets)]
            made = page.forger.forge(choice, "kanji", random.Random(draw))  # noqa: S311
            if made is not None:
                forgery, front = made
                log, comparison = measured(front, params, payload)
                changed = [
                    i for i, (a, b) in enumerate(zip(forgery.original, forgery.forged, strict=True))
                    if a != b
                ]  # fmt: skip
                cells = [c for c in log if c["key"] == forgery.key and "blob_em2" in c]
                substitute = forgery.forged[changed[0]]
                hit = [c for c in cells if c["cluster"] == forgery.original[changed[0]]]
                forged.append(
                    {
                        "original": forgery.original[changed[0]],
                        "forged": substitute,
                        "cells": [(round(c["ncc"], 3), round(c["blob_em2"], 4)) for c in hit],
                        "named": forgery.key in [d.key for d in comparison.differing],
                    }
                )
        print(draw, json.dumps(genuine_pages[-1]), json.dumps(forged[-1:]), file=sys.stderr)
    ncc = np.array([p["min_ncc"] for p in genuine_pages])
    blob = np.array([p["max_blob_em2"] for p in genuine_pages])
    margin = np.array([p["min_digit_margin"] for p in genuine_pages])
    print(
        json.dumps(
            {
                "envelope": args.envelope,
                "pages": len(genuine_pages),
                "genuine_page_min_ncc": [
                    round(float(v), 3) for v in np.percentile(ncc, [0, 5, 50])
                ],
                "genuine_page_max_blob_em2": [
                    round(float(v), 4) for v in np.percentile(blob, [50, 95, 100])
                ],
                "genuine_page_min_digit_margin": [
                    round(float(v), 3) for v in np.percentile(margin, [0, 5, 50])
                ],
                "genuine_pages_flagged": sum(bool(p["differing"]) for p in genuine_pages),
                "kanji_named": f"{sum(f['named'] for f in forged)}/{len(forged)}",
                "forged_cells": forged,
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
