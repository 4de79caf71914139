"""``python -m kiosk --profile profiles/developer.toml --demo DIR``: one scripted issuance.

What ``scripts/dev`` runs without a display: the normal persona's card in the virtual reader,
the PIN, a 住民票, payment with coins and a bill on the simulated acceptor, printing on the
private cupsd — all through the real stack, offscreen. Written to DIR:

- ``screens/NN-<Screen>-<lang>.png`` — every screen the transaction passes (``--all-languages``:
  each in all seven languages), and ``gallery/`` — every other screen from the UI's gallery;
- ``certificate.pdf`` — the printed job as the printer received it, and
  ``certificate-<page>.png`` — its pages (front and back of each sheet).

Exit status 0 only if the transaction completed and the PDF was printed.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QApplication

from kiosk.app.demo import Driver, DriverError, run_scripted_transaction
from kiosk.app.profiles import Kiosk
from kiosk.center.wire import JST
from kiosk.ui import KioskWindow

log = logging.getLogger(__name__)

PAGE_DPI = 100  # enough to read the certificate and see the back's patterns
GALLERY_TIMEOUT_S = 600.0


def run_demo(
    kiosk: Kiosk,
    window: KioskWindow,
    app: QApplication,
    out_dir: Path,
    persona: str,
    all_languages: bool,
    size: tuple[int, int],
) -> int:
    from kiosk.app.developer import persona_pin

    world = kiosk.world
    if world is None:
        print("kiosk: --demo needs the developer profile's simulators", file=sys.stderr)
        return 1
    out_dir = out_dir.absolute()
    screens = out_dir / "screens"
    for old in (screens, out_dir / "gallery"):
        shutil.rmtree(old, ignore_errors=True)
    for old in out_dir.glob("certificate*"):
        old.unlink()
    world.reset_card(persona)  # PIN counters as issued, whatever an earlier session did
    window.show()
    driver = Driver(
        kiosk.runner, window, app, dock=world.cards, acceptor=world.money, shots_dir=screens
    )
    printed_before = len(world.printed)
    try:
        run_scripted_transaction(
            driver, persona=persona, pin=persona_pin(persona), all_languages=all_languages
        )
    except DriverError as exc:
        print(f"demo: FAILED: {exc}", file=sys.stderr)
        driver.photograph("failed")
        print(f"demo: screenshots so far in {screens}", file=sys.stderr)
        return 1
    finally:
        world.cards.remove(driver.slot)
    if len(world.printed) <= printed_before:
        print("demo: FAILED: the transaction ended but no PDF was printed", file=sys.stderr)
        return 1
    pdf = out_dir / "certificate.pdf"
    shutil.copyfile(world.printed[-1], pdf)
    pages = _render_pages(pdf, out_dir)
    if all_languages:
        _gallery(out_dir / "gallery", size)
    print(f"demo: transaction completed: {', '.join(driver.screens_seen)}")
    _say_business_day(world.center_clock)
    print(f"demo: {len(driver.shots)} screenshots in {screens}")
    print(f"demo: printed PDF {pdf} ({len(pages)} pages: {', '.join(p.name for p in pages)})")
    return 0


def _say_business_day(clock: datetime | None) -> None:
    """The certificate carries the center's business day: say so when it is not today."""
    if clock is None:
        return
    today = datetime.now(JST).date()
    day = clock.astimezone(JST).date()
    if day == today:
        print(f"demo: issued on today's business day, {day.isoformat()}")
    else:
        print(
            f"demo: issued on {day.isoformat()}, the next day every certificate of the simulated"
            f" world is open (today, {today.isoformat()}, some are closed: weekend, holiday,"
            " year-end or maintenance); --center-clock system uses today"
        )


def _render_pages(pdf: Path, out_dir: Path) -> list[Path]:
    subprocess.run(
        ["pdftoppm", "-r", str(PAGE_DPI), "-png", str(pdf), str(out_dir / "certificate")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return sorted(out_dir.glob("certificate-*.png"))


def _gallery(folder: Path, size: tuple[int, int]) -> None:
    """The UI's gallery: every screen (also those this transaction did not pass), every
    language, from its sample snapshots."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk.ui.gallery",
            "--out",
            str(folder),
            "--languages",
            "all",
            "--size",
            f"{size[0]}x{size[1]}",
        ],
        capture_output=True,
        text=True,
        timeout=GALLERY_TIMEOUT_S,
        check=False,
    )
    if result.returncode != 0:
        log.warning("gallery failed: %s", result.stderr.strip()[-500:])
    else:
        print(f"demo: gallery of every screen in every language in {folder}")


__all__ = ["run_demo"]
