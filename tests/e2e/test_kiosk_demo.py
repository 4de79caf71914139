"""The README's first command without a display: ``python -m kiosk --profile developer --demo``
(what ``scripts/dev`` runs) starts the private daemons and the simulated center in its own
runtime folder, runs one issuance offscreen through the real stack, and leaves screenshots and
the printed certificate behind. It exits 0 only if the certificate was printed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hw_sim.stack import traversable_tmpdir
from kiosk.app.developer import business_morning
from printing.documents.jpdates import format_dual_date
from tests.e2e.conftest import pdf_text

pytestmark = [pytest.mark.slow, pytest.mark.pcscd, pytest.mark.cupsd]

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def var_dir() -> Iterator[Path]:
    """A runtime folder of its own (cupsd's filters must be able to traverse it)."""
    folder = traversable_tmpdir("kiosk-demo-var-")
    yield folder
    subprocess.run(
        [sys.executable, "-m", "hw_sim.stack", "stop", "--dir", str(folder / "run")],
        cwd=REPO,
        capture_output=True,
        timeout=60,
        check=False,
    )
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("card", ["vpcd", "in_process"])
def test_scripted_demo_prints_a_certificate(var_dir: Path, card: str) -> None:
    """Either card simulator of the developer profile: the virtual card behind pcscd + vpcd, or
    the in-process reader (hw_sim.card.InProcessReader, the one the tests use too)."""
    profile = var_dir / "developer.toml"
    text = (REPO / "profiles" / "developer.toml").read_text()
    assert 'card = "vpcd"' in text
    profile.write_text(
        text.replace('card = "vpcd"', f'card = "{card}"')
        .replace('"../var/kiosk/journal.sqlite"', f'"{var_dir}/kiosk/journal.sqlite"')
        .replace('"../var/kiosk/serial-salt"', f'"{var_dir}/kiosk/serial-salt"')
        .replace('"../var/center/', f'"{var_dir}/center/')
    )
    out = var_dir / "out" / "demo"
    env = {k: v for k, v in os.environ.items() if k not in ("PCSCLITE_CSOCK_NAME", "CUPS_SERVER")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("DISPLAY", None)
    days = {business_morning().date()}  # the business day the demo is expected to choose
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "--profile",
            str(profile),
            "--var",
            str(var_dir),
            "--demo",
            str(out),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert "demo: transaction completed" in result.stdout
    days.add(business_morning().date())  # the run may have crossed midnight JST
    shots = sorted((out / "screens").glob("*.png"))
    names = " ".join(p.name for p in shots)
    for screen in (
        "Start",
        "language-menu",
        "Consent",
        "PlaceCard",
        "PinEntry",
        "TakeCard",
        "CertificateChoice",
        "Confirmation",
        "Payment",
        "coins-inserted",
        "Done",
    ):
        assert screen in names
    pdf = out / "certificate.pdf"
    text = pdf_text(pdf).replace(" ", "").replace("\u3000", "")
    assert "住民票" in text
    # 交付日: today's date, or the next day the whole world is open — and the demo says which.
    issued = [day for day in days if format_dual_date(day) in text]
    assert issued, f"no 交付日 of {sorted(days)} on the certificate"
    assert f"demo: issued on {issued[0].isoformat()}" in result.stdout or (
        f"demo: issued on today's business day, {issued[0].isoformat()}" in result.stdout
    )
    pages = sorted(out.glob("certificate-*.png"))
    assert len(pages) == 2  # front and back of one sheet
    for page in pages:
        assert (np.asarray(Image.open(page).convert("L")) < 200).mean() > 0.005
    # The printed job also stays in the runtime folder, and the journal is closed.
    assert list((var_dir / "out" / "printed").glob("*.pdf"))
    assert (var_dir / "kiosk" / "audit.log").read_text().count("print-complete") == 1


def test_scripted_staff_demo_closes_a_day(var_dir: Path) -> None:
    """``--demo DIR --staff``: a resident's slip, then every staff screen; the day report as
    PDF, the CSV, the metrics scrape; exit 0 only if all of it happened."""
    import csv

    profile = var_dir / "developer.toml"
    text = (REPO / "profiles" / "developer.toml").read_text()
    profile.write_text(
        text.replace('"../var/kiosk/journal.sqlite"', f'"{var_dir}/kiosk/journal.sqlite"')
        .replace('"../var/kiosk/serial-salt"', f'"{var_dir}/kiosk/serial-salt"')
        .replace('"../var/center/', f'"{var_dir}/center/')
    )
    out = var_dir / "out" / "staff"
    env = {k: v for k, v in os.environ.items() if k not in ("PCSCLITE_CSOCK_NAME", "CUPS_SERVER")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("DISPLAY", None)
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "--profile", str(profile), "--var", str(var_dir),
         "--demo", str(out), "--staff"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-4000:]
    assert "demo: resident slip printed: " in result.stdout
    assert "0 unexplained; report printed" in result.stdout
    assert "difference +2 recorded" in result.stdout  # a refill count that disagrees
    names = " ".join(p.name for p in sorted((out / "screens").glob("*.png")))
    for screen in (
        "resident-slip",
        "staff-login",
        "staff-menu",
        "staff-status",
        "staff-test-page",
        "staff-service",
        "resident-start-out-of-service",
        "staff-owed",
        "staff-cash-recorded",
        "staff-closing-done",
        "staff-restart",
    ):
        assert screen in names
    assert "日計表" in pdf_text(out / "day-report.pdf")
    rows = list(csv.DictReader((out / "day-report.csv").read_text().splitlines()))
    assert rows
    assert {row["status"] for row in rows} <= {"matched", "explained"}
    scrape = (out / "metrics.txt").read_text()
    assert 'kiosk_money_yen_total{flow="paid_back"}' in scrape
    assert "kiosk_build_info" in scrape
    assert "kiosk_money_owed_unpaid_at_closing_yen 0.0" in scrape
    audit = (var_dir / "kiosk" / "audit.log").read_text()
    assert '"staff-paid-back"' in audit
    assert '"difference_yen": 200' in audit  # the refill's difference, audited with the staff id
    assert "2468" not in audit  # the staff PIN never
