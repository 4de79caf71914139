"""The screen gallery: render every sample snapshot offscreen and write one PNG per screen and
language.

    python -m kiosk.ui.gallery --out DIR [--languages all|ja,en] [--size 1280x800]
                               [--only NAME,NAME] [--theme standard|high_contrast]
                               [--keypad-focus]

Files are named ``<sample>-<language>-<W>x<H>[-<theme>].png``. The window is the real
KioskWindow fed by a StateHolder; intents are ignored. Every screenshot goes through the layout
check (kiosk.ui.layout_check); the command lists what it finds and exits 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path

from kiosk.languages import LANGUAGES


def _parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1280x800, not {text!r}") from None
    if not (640 <= width <= 3840 and 480 <= height <= 2160):
        raise argparse.ArgumentTypeError("size out of range (640x480 … 3840x2160)")
    return width, height


def _parse_languages(text: str) -> tuple[str, ...]:
    if text == "all":
        return LANGUAGES
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [code for code in chosen if code not in LANGUAGES]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown language(s) {', '.join(unknown) or '(none)'}; use {', '.join(LANGUAGES)}"
        )
    return chosen


def render_gallery(
    out: Path,
    languages: tuple[str, ...],
    size: tuple[int, int],
    only: tuple[str, ...] = (),
    theme: str = "standard",
    problems: list[str] | None = None,
    keypad_focus: bool = False,
) -> list[Path]:
    """Write the PNGs; returns their paths. ``problems`` collects what the layout check
    (kiosk.ui.layout_check) finds on each screenshot, named by its file. ``keypad_focus``: the
    window navigates by keypad (the city-hall accessibility option), so each shot shows the
    focus on the screen's first button; the files are named ``<sample>-keypad-focus-…``."""
    from PySide6.QtWidgets import QApplication

    from kiosk.ui.kana_keyboard import shared_loader
    from kiosk.ui.layout_check import layout_problems
    from kiosk.ui.samples import samples
    from kiosk.ui.window import KioskWindow, StateHolder

    app = QApplication.instance() or QApplication([])
    chosen = [(name, state) for name, state in samples() if not only or name in only]
    if not chosen:
        raise SystemExit(f"no sample matches {', '.join(only)}")
    out.mkdir(parents=True, exist_ok=True)
    holder = StateHolder(chosen[0][1])
    window = KioskWindow(
        holder, lambda intent: None, size=size, theme=theme, keypad_navigation=keypad_focus
    )
    window.resize(*size)
    window.show()
    loader = shared_loader()
    loader.start()
    written: list[Path] = []
    for language in languages:
        for name, state in chosen:
            if name.startswith("registration-form") and not loader.done:
                _wait(app, lambda: loader.done)
            window.show_state(replace(state, language=language))
            for _ in range(5):  # layouts settle in a few passes (the first shot came out squeezed)
                app.processEvents()
            suffix = "" if theme == "standard" else f"-{theme}"
            shown = f"{name}-keypad-focus" if keypad_focus else name
            path = out / f"{shown}-{language}-{size[0]}x{size[1]}{suffix}.png"
            window.grab().save(str(path))
            written.append(path)
            if problems is not None:
                problems.extend(f"{path.name}: {p}" for p in layout_problems(window))
    window.close_source()
    window.close()
    return written


def _wait(app: object, done: object, timeout_s: float = 30.0) -> None:
    import time

    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout_s
    while not done() and time.monotonic() < deadline:  # type: ignore[operator]
        QApplication.processEvents()
        time.sleep(0.02)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kiosk.ui.gallery",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", type=Path, required=True, help="folder for the PNG files")
    parser.add_argument(
        "--languages",
        type=_parse_languages,
        default=LANGUAGES,
        help="all, or a comma-separated list such as ja,en (default: all)",
    )
    parser.add_argument(
        "--size", type=_parse_size, default=(1280, 800), help="window size WxH (default 1280x800)"
    )
    parser.add_argument("--only", default="", help="comma-separated sample names")
    parser.add_argument("--theme", default="standard", choices=("standard", "high_contrast"))
    parser.add_argument(
        "--keypad-focus",
        action="store_true",
        help="navigate by keypad: each shot shows the focus on the first button",
    )
    parser.add_argument("--list", action="store_true", help="list the sample names and exit")
    args = parser.parse_args(argv)
    if args.list:
        from kiosk.ui.samples import samples

        print("\n".join(name for name, _state in samples()))
        return 0
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    only = tuple(part for part in args.only.split(",") if part)
    problems: list[str] = []
    written = render_gallery(
        args.out, args.languages, args.size, only, args.theme, problems, args.keypad_focus
    )
    print(f"wrote {len(written)} screenshots to {args.out}", file=sys.stderr)
    for problem in problems:
        print(f"layout: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
