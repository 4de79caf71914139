"""Render time of every certificate type (printing.documents), for the print-job budget.

The whole print job aims at under 0.3 s per copy including the security layers, so the front
page's rendering should stay well below that. Run:

    .venv/bin/python benchmarks/render_documents.py            # N=30 per type
    .venv/bin/python benchmarks/render_documents.py -n 100 --json

Reports per sample: pages, PDF size, median and 90th percentile of ``render`` (warm: fonts
registered, seal images cached as a long-running certificate server has them), its median CPU
time (steadier than wall-clock time on a shared machine), the median per page and of
``canonical_text``; and once, the cold first render of the process (font loading, first seal).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runnable from a checkout

from printing.documents import canonical_text, render_document, samples


def _time(fn: object, repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU times of ``repeat`` calls (CPU time is steadier on a shared host)."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()  # type: ignore[operator]
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=30, help="renders per type (default 30)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)

    docs = samples.every_type()
    first_name, first_doc = next(iter(docs.items()))
    start = time.perf_counter()
    render_document(first_doc)  # type: ignore[arg-type]
    cold = time.perf_counter() - start

    results = []
    for name, doc in docs.items():
        rendered = render_document(doc)  # type: ignore[arg-type]  # warm-up
        render_times, render_cpu = _time(lambda d=doc: render_document(d), args.n)  # type: ignore[misc]
        text_times, _ = _time(lambda d=doc: canonical_text(d), args.n)  # type: ignore[misc]
        results.append(
            {
                "sample": name,
                "pages": rendered.page_count,
                "pdf_kb": round(len(rendered.pdf) / 1024, 1),
                "render_median_ms": round(statistics.median(render_times) * 1000, 1),
                "render_p90_ms": round(_p90(render_times) * 1000, 1),
                "render_cpu_median_ms": round(statistics.median(render_cpu) * 1000, 1),
                "render_per_page_ms": round(
                    statistics.median(render_times) * 1000 / rendered.page_count, 1
                ),
                "canonical_median_ms": round(statistics.median(text_times) * 1000, 2),
            }
        )
    if args.json:
        print(
            json.dumps(
                {
                    "n": args.n,
                    "cold_first_render_ms": round(cold * 1000, 1),
                    "cold_sample": first_name,
                    "results": results,
                },
                indent=2,
            )
        )
        return 0
    print(f"printing.documents render benchmark, n={args.n} per sample")
    print(f"cold first render of the process ({first_name}): {cold * 1000:.0f} ms")
    header = (
        f"{'sample':<20}{'pages':>6}{'KiB':>8}{'median':>9}{'p90':>9}{'cpu':>9}"
        f"{'/page':>8}{'canon':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r['sample']:<20}{r['pages']:>6}{r['pdf_kb']:>8}"
            f"{r['render_median_ms']:>7} ms{r['render_p90_ms']:>6} ms"
            f"{r['render_cpu_median_ms']:>6} ms"
            f"{r['render_per_page_ms']:>5} ms{r['canonical_median_ms']:>5} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
