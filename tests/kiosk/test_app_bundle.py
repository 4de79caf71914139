"""The PyInstaller bundle (kiosk.spec): it builds, carries no simulator code, and its self test
reaches the start screen offscreen with the bundled fonts and catalogs (about a minute). The
bundle is built once per run (tests/conftest.py ``kiosk_bundle``) and shared with the
package's tests (tests/deploy)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from kiosk.languages import LANGUAGES
from tests.conftest import KioskBundle

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


def test_bundle_builds_and_passes_its_self_test(kiosk_bundle: KioskBundle, tmp_path: Path) -> None:
    work = kiosk_bundle.work
    bundle = kiosk_bundle.folder
    internal = bundle / "_internal"
    for font in ("ipaexm.ttf", "ipamjm.ttf", "ipaexg.ttf"):
        assert (internal / "fonts" / font).is_file()
    assert len(list(internal.glob("locales/*/LC_MESSAGES/kiosk.mo"))) == len(LANGUAGES)
    toc = (work / "kiosk" / "PYZ-00.toc").read_text()
    assert "'kiosk.app.profiles'" in toc
    assert "'hw_sim" not in toc  # no simulator code in a kiosk bundle
    assert "'kiosk.app.developer'" not in toc

    assert (internal / "voices" / "mei_normal.htsvoice").is_file()  # audio guidance, Japanese
    # Debian's libraries are the machine's (security updates), not copies in the bundle.
    for library in ("libssl.so.3", "libcrypto.so.3", "libcups.so.2", "libglib-2.0.so.0"):
        assert not (internal / library).exists(), library
    assert not (internal / "PySide6/Qt/plugins/platformthemes/libqgtk3.so").exists()

    env = {
        k: v for k, v in os.environ.items() if k not in ("KONBINI_FONT_DIR", "KONBINI_VOICE_DIR")
    }
    env["QT_QPA_PLATFORM"] = "offscreen"
    run = subprocess.run(
        [
            str(bundle / "kiosk"),
            "--profile",
            str(internal / "profiles" / "store.toml"),
            "--selftest",
        ],
        cwd=tmp_path,  # not the checkout: everything must come from the bundle
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "selftest: passed" in run.stdout
    assert f"in {internal / 'fonts'}" in run.stdout  # the bundled fonts, not the system's
    # The city-hall profile turns audio guidance on: every language speaks from the bundle.
    cityhall = subprocess.run(
        [str(bundle / "kiosk"), "--profile", str(internal / "profiles" / "cityhall.toml"),
         "--selftest"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    assert cityhall.returncode == 0, cityhall.stdout + cityhall.stderr
    assert "voices: ok (audio guidance speaks ja, en" in cityhall.stdout
