"""Fixtures shared by the whole suite: private daemons (real pcscd + vpcd), Qt offscreen, the
kiosk's PyInstaller bundle (built once per run, for the bundle test and the package tests).

Each test session starts its own daemons in temporary folders on free ports, so the suite
never touches the machine's own pcscd, cupsd, readers or queues, and two suites can run at once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Without a display Qt aborts the process (real-stack.md); set before any Qt import.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hw_sim.stack import PrivatePcscd
from tests.hw_sim.center.harness import center, center_pki, running_center

# The simulated center (a process of three, ~8 s of CPU to start) and its PKI, once per run for
# every module. Defined here only: a session fixture imported into another module is another
# fixture there, with its own cache — each importing module started a center of its own.
__all__ = ["center", "center_pki", "running_center"]

# Speed is measured in benchmarks, never asserted in tests: Hypothesis's per-example deadline and
# its "input generation too slow" check are timings, and failed on a loaded 2-core machine
# (tests/kiosk/payment/test_bridge_wire.py at load 10). Tests' own @settings inherit this.
settings.register_profile("kiosk", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("kiosk")


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivatePcscd]:
    """A private pcscd with the vpcd reader; this process's PC/SC clients are pointed at it.

    pcsc-lite reads PCSCLITE_CSOCK_NAME when the process establishes its first context, so
    every PC/SC test of the session shares this one daemon (restart it, do not replace it).
    """
    daemon = PrivatePcscd(tmp_path_factory.mktemp("pcscd"))
    daemon.start()
    daemon.export_env()
    try:
        yield daemon
    finally:
        daemon.stop()


REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class KioskBundle:
    """A PyInstaller build of kiosk.spec: ``folder`` is dist/kiosk, ``work`` its build folder."""

    folder: Path
    work: Path


class _BundleBuild:
    """PyInstaller on kiosk.spec in the background from the end of collection, when a test of
    the run needs the bundle: its minute of CPU on one core overlaps the tests that run before
    (tests/cardio), instead of keeping the other core idle while the first package test waits."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="kiosk-bundle-"))
        self.bundle = KioskBundle(self.base / "dist" / "kiosk", self.base / "build")
        self.log = self.base / "pyinstaller.log"
        with open(self.log, "w", encoding="utf-8") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "ERROR",
                 "--distpath", str(self.base / "dist"), "--workpath", str(self.base / "build"),
                 str(REPO / "kiosk.spec")],
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip

    def wait(self) -> KioskBundle:
        code = self.proc.wait(BUNDLE_BUILD_TIMEOUT_S)
        assert code == 0, self.log.read_text(encoding="utf-8")[-3000:]
        return self.bundle

    def discard(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)
        shutil.rmtree(self.base, ignore_errors=True)


BUNDLE_BUILD_TIMEOUT_S = 1200  # about a minute on a quiet box; the suite's own timeout is 300 s
_bundle_build: list[_BundleBuild] = []


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the bundle's build if a collected test needs it (and no bundle is reused)."""
    if os.environ.get("KIOSK_TEST_BUNDLE") or _bundle_build:
        return
    if any("kiosk_bundle" in getattr(item, "fixturenames", ()) for item in session.items):
        _bundle_build.append(_BundleBuild())


def pytest_sessionfinish(session: pytest.Session) -> None:
    while _bundle_build:
        _bundle_build.pop().discard()


@pytest.fixture(scope="session")
def kiosk_bundle() -> KioskBundle:
    """The kiosk bundle, built once per test run (about a minute, in the background from the
    start of the run: ``_BundleBuild``) and shared.

    ``KIOSK_TEST_BUNDLE=DIR`` (a PyInstaller build folder holding ``dist/kiosk`` and
    ``build/kiosk``) reuses a bundle while iterating on the package tests; the suite itself
    always builds its own.
    """
    reuse = os.environ.get("KIOSK_TEST_BUNDLE")
    if reuse:
        return KioskBundle(Path(reuse) / "dist" / "kiosk", Path(reuse) / "build")
    if not _bundle_build:  # a run whose collection did not see it coming (not expected)
        _bundle_build.append(_BundleBuild())
    return _bundle_build[0].wait()
