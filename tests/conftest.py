"""Fixtures shared by the whole suite: private daemons (real pcscd + vpcd), Qt offscreen, the
kiosk's PyInstaller bundle (built once per run, for the bundle test and the package tests).

Each test session starts its own daemons in temporary folders on free ports, so the suite
never touches the machine's own pcscd, cupsd, readers or queues, and two suites can run at once.
"""

from __future__ import annotations

import os
import subprocess
import sys
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


@pytest.fixture(scope="session")
def kiosk_bundle(tmp_path_factory: pytest.TempPathFactory) -> KioskBundle:
    """The kiosk bundle, built once per test run (about a minute) and shared.

    ``KIOSK_TEST_BUNDLE=DIR`` (a PyInstaller build folder holding ``dist/kiosk`` and
    ``build/kiosk``) reuses a bundle while iterating on the package tests; the suite itself
    always builds its own.
    """
    reuse = os.environ.get("KIOSK_TEST_BUNDLE")
    if reuse:
        return KioskBundle(Path(reuse) / "dist" / "kiosk", Path(reuse) / "build")
    base = tmp_path_factory.mktemp("bundle")
    dist, work = base / "dist", base / "build"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "ERROR",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
            str(REPO / "kiosk.spec"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    return KioskBundle(dist / "kiosk", work)
