"""Time of the kiosk's print path through a real (private) cupsd and the capture queue.

Starts its own private cupsd (hw_sim.stack.PrivateCupsd, needs root like the tests), then
measures with the kiosk's adapter (printing.cups.CupsPrinter):

- ``check_printer``: one status request (what the flow pays before taking money);
- ``inspect``: the PDF check in ``submit`` (pikepdf: PDF, pages, A4);
- ``submit``: inspect + printer check + create job + send the document;
- ``submit→completed``: ``submit`` and ``track`` until IPP ``completed`` (pdftopdf and the
  capture backend included), at the default poll interval and at 10 ms to show how much of it
  is polling granularity;
- the daemon's cold start (config, start, queues).

Documents: a 4-page A4 test PDF (reportlab, IPAex Mincho) and a real 住民票 front
(printing.documents). Run:

    .venv/bin/python benchmarks/print_path.py            # N=30 jobs per case
    .venv/bin/python benchmarks/print_path.py -n 100 --json
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runnable from a checkout

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from hw_sim.stack import PrivateCupsd, traversable_tmpdir
from printing.cups import POLL_INTERVAL_S, CupsPrinter, inspect_document

IPAEX_MINCHO = "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"


def sample_document(pages: int) -> bytes:
    pdfmetrics.registerFont(TTFont("IPAexM", IPAEX_MINCHO))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=True)
    for page in range(1, pages + 1):
        pdf.setFont("IPAexM", 20)
        pdf.drawString(60, 760, f"住民票の写し（試験） {page}/{pages}")
        pdf.rect(14, 14, A4[0] - 28, A4[1] - 28)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def certificate_front() -> bytes:
    from printing.documents import render, samples

    return render(samples.juminhyo())


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(values) * 1000, 2),
        "p90_ms": round(p90(values) * 1000, 2),
        "n": len(values),
    }


def submit_times(printer: CupsPrinter, pdf: bytes, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        job = printer.submit(pdf, title_hash="bench", copies_hint=1)
        times.append(time.perf_counter() - start)
        printer.track(job, time.monotonic() + 60)  # one job at a time, as on a kiosk
    return times


def print_job_times(printer: CupsPrinter, pdf: bytes, repeat: int) -> list[float]:
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        job = printer.submit(pdf, title_hash=f"bench{i}", copies_hint=1)
        outcome = printer.track(job, time.monotonic() + 60)
        if not outcome.completed:
            raise SystemExit(f"job {job.job_id} did not complete: {outcome}")
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=30, help="jobs per case (default 30)")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args()

    rundir = traversable_tmpdir("kiosk-bench-cupsd-")
    daemon = PrivateCupsd(rundir)
    results: dict[str, dict[str, float]] = {}
    try:
        start = time.perf_counter()
        daemon.start()
        results["cupsd cold start"] = summary([time.perf_counter() - start])
        printer = CupsPrinter(daemon.capture_queue, server=daemon.address)
        fine = CupsPrinter(daemon.capture_queue, server=daemon.address, poll_interval_s=0.01)
        documents = {"test 4 pages": sample_document(4), "住民票 front": certificate_front()}

        printer.check_printer()  # warm: connection open
        results["check_printer"] = summary(timed(printer.check_printer, args.n * 10))
        for name, pdf in documents.items():
            kib = len(pdf) // 1024
            results[f"inspect, {name} ({kib} KiB)"] = summary(
                timed(lambda pdf=pdf: inspect_document(pdf), args.n)
            )
            results[f"submit, {name}"] = summary(submit_times(printer, pdf, args.n))
            results[f"submit→completed, {name}, poll {POLL_INTERVAL_S * 1000:.0f} ms"] = summary(
                print_job_times(printer, pdf, args.n)
            )
            results[f"submit→completed, {name}, poll 10 ms"] = summary(
                print_job_times(fine, pdf, args.n)
            )
    finally:
        daemon.stop()
        shutil.rmtree(rundir, ignore_errors=True)

    if args.json:
        print(json.dumps(results, indent=1, ensure_ascii=False))
        return 0
    width = max(map(len, results))
    print(f"{'case':<{width}}  {'median ms':>10}  {'p90 ms':>8}  {'n':>5}")
    for name, row in results.items():
        print(f"{name:<{width}}  {row['median_ms']:>10.2f}  {row['p90_ms']:>8.2f}  {row['n']:>5}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
