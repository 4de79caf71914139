"""Benchmark of the kiosk window, offscreen.

    .venv/bin/python benchmarks/ui_screens.py [--runs 5] [--size 1280x800]

Measures, in one process (QT_QPA_PLATFORM=offscreen):

* start-up: QApplication + KioskWindow construction + the start screen shown and painted;
* screen change: rendering a snapshot of another screen and painting it (``grab`` forces the
  paint), for every sample screen in turn, ``--runs`` rounds; the first visit of a screen
  (its view is built then) is reported apart from later visits (the view is re-used);
* a language switch of the shown screen (re-translate + style sheet + repaint).

Nothing is asserted; the figures are printed. Aim: screen change under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from dataclasses import replace

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", default="1280x800")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))

    started = time.perf_counter()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from kiosk.ui import KioskWindow, StateHolder
    from kiosk.ui.samples import samples

    imported = time.perf_counter()
    shots = samples()
    holder = StateHolder(shots[0][1])
    window = KioskWindow(holder, lambda intent: None, size=(width, height))
    window.show()
    app.processEvents()
    window.grab()
    shown = time.perf_counter()
    print(
        f"start-up: imports {_ms(imported - started)}, window + start screen "
        f"{_ms(shown - imported)}, total {_ms(shown - started)}"
    )

    first: list[float] = []
    later: list[float] = []
    for run in range(args.runs):
        for _name, state in shots[1:] + shots[:1]:
            t0 = time.perf_counter()
            window.show_state(state)
            app.processEvents()
            window.grab()
            (first if run == 0 else later).append(time.perf_counter() - t0)
    print(
        f"screen change, first visit (view built): median {_ms(statistics.median(first))}, "
        f"max {_ms(max(first))} over {len(first)} screens"
    )
    if later:
        q = statistics.quantiles(later, n=20)
        print(
            f"screen change, view re-used: median {_ms(statistics.median(later))}, "
            f"p95 {_ms(q[-1])}, max {_ms(max(later))} over {len(later)} changes"
        )

    switches: list[float] = []
    state = window.state
    assert state is not None
    for language in ("en", "ko", "zh_Hans", "es", "ja") * 2:
        t0 = time.perf_counter()
        window.show_state(replace(state, language=language))
        app.processEvents()
        window.grab()
        switches.append(time.perf_counter() - t0)
    print(f"language switch: median {_ms(statistics.median(switches))}, max {_ms(max(switches))}")
    window.close_source()


if __name__ == "__main__":
    main()
