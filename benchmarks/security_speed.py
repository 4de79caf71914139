"""Speed of security printing on this machine: back-side generation (center side, per page),
compose (kiosk side, per copy) and verification (per page).

Targets from the brief: compose < 0.3 s per copy, back-side generation < 0.5 s per page,
verification < 1.5 s per page.

    nice .venv/bin/python benchmarks/security_speed.py [--repeat 10]

Prints medians (and the first call, which builds per-process caches: the page pantograph, the
layout's pilot positions, the fonts and glyphs) with the machine's load average, since the
cores are shared, and for the verifier the median CPU time too (all threads of the process:
what another job on the machine does not inflate).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pypdfium2 as pdfium
from cryptography.hazmat.primitives.asymmetric import ec

from printing import documents
from printing.documents import samples
from printing.security import BackSideKeys, CopyToPrint, compose_job, make_back_side
from printing.security.channel import ChannelParams, simulate
from printing.verify import TrustStore, load_scan, verify_back
from printing.verify.heap import keep_freed_memory

KEYS = BackSideKeys(bytes(range(32)), ec.derive_private_key(777, ec.SECP256R1()), b"speed-1")
TRUST = TrustStore(KEYS.scramble_master_key, {KEYS.key_id: KEYS.signing_key.public_key()})
SCAN = ChannelParams(
    dot_gain_sigma_px=0.5,
    toner_density=0.9,
    scan_dpi=300,
    rotation_deg=1.0,
    warp_mm=0.3,
    blur_sigma_px=0.8,
    noise_sigma=3,
    jpeg_quality=85,
    seed=3,
)


CODE = "K7QM2XD94RTPH3WC"
CPU: dict[str, float] = {}  # the last timed function's median CPU time (all its threads)


def timed(function: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """(first call, median of the next ``repeat``) in seconds of wall-clock time; the median
    CPU time in ``CPU["median"]`` (what the machine's other load does not inflate)."""
    started = time.perf_counter()
    function()
    first = time.perf_counter() - started
    times, cpu = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        function()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    CPU["median"] = statistics.median(cpu)
    return first, statistics.median(times)


def render(pdf: bytes, page: int) -> np.ndarray:
    document = pdfium.PdfDocument(pdf)
    try:
        return np.array(document[page].render(scale=600 / 72, grayscale=True).to_numpy())
    finally:
        document.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    keep_freed_memory()  # as python -m printing.verify does
    results: dict[str, Any] = {"load_average_before": os.getloadavg()}
    certificates = {
        "inkan (1 page)": documents.render_document(samples.inkan()),
        "juminhyo (2 pages)": documents.render_document(samples.juminhyo()),
    }
    for name, rendered in certificates.items():
        area = documents.document_layout().content
        area_mm = (area.left_mm, area.top_mm, area.width_mm, area.height_mm)

        def backs(
            rendered: documents.Rendered = rendered, area_mm: tuple[float, ...] = area_mm
        ) -> tuple[Any, ...]:
            return tuple(
                make_back_side(
                    rendered.pdf,
                    index,
                    serial="131202-241203-000001-1",
                    issuer="東京都練馬区長",
                    canonical_text=rendered.canonical_text,
                    keys=KEYS,
                    content_area_mm=(area_mm[0], area_mm[1], area_mm[2], area_mm[3]),
                    verification_code=CODE,
                )
                for index in range(rendered.page_count)
            )

        first, median = timed(backs, args.repeat)
        results[f"back_side_per_page_s {name}"] = {
            "first": round(first / rendered.page_count, 3),
            "median": round(median / rendered.page_count, 3),
        }
        copy = CopyToPrint(rendered.pdf, backs())
        first, median = timed(lambda copy=copy: compose_job([copy]), args.repeat)
        results[f"compose_per_copy_s {name}"] = {
            "first": round(first, 3),
            "median": round(median, 3),
        }
        three = [copy, replace(copy), replace(copy)]
        _, median3 = timed(lambda three=three: compose_job(three), max(3, args.repeat // 3))
        results[f"compose_3_copies_s {name}"] = round(median3, 3)

    rendered = certificates["inkan (1 page)"]
    copy = CopyToPrint(
        rendered.pdf,
        tuple(
            make_back_side(
                rendered.pdf,
                0,
                serial="131202-241203-000001-1",
                issuer="東京都練馬区長",
                canonical_text=rendered.canonical_text,
                keys=KEYS,
                verification_code=CODE,
            )
            for _ in range(1)
        ),
    )
    job = compose_job([copy])
    back, front = render(job, 1), render(job, 0)
    back_scan = load_scan(simulate(back, SCAN, front))[0]
    front_scan = load_scan(simulate(front, replace(SCAN, seed=4), back))[0]
    public_only = TrustStore(None, TRUST.public_keys)
    cases = {
        "verify_back_per_page_s": lambda: verify_back(back_scan, TRUST),
        "verify_back_public_key_only_s": lambda: verify_back(back_scan, public_only),
        "verify_with_front_per_page_s": lambda: verify_back(back_scan, TRUST, front_scan),
        "verify_with_front_public_key_only_s": lambda: verify_back(
            back_scan, public_only, front_scan
        ),
    }
    for label, case in cases.items():
        first, median = timed(case, max(3, args.repeat // 2))
        results[label] = {
            "first": round(first, 3),
            "median": round(median, 3),
            "median_cpu": round(CPU["median"], 3),
        }
    results["load_average_after"] = os.getloadavg()
    results["cpus"] = os.cpu_count()
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
