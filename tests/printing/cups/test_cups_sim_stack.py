"""The simulated side: scripts/daemons, the fault switch and the backend's own robustness."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hw_sim.stack import PrinterFaults, PrivateCupsd, SimFault, traversable_tmpdir
from hw_sim.stack.cupsd import free_tcp_port
from hw_sim.stack.pcscd import free_port_pair
from printing.cups import CupsPrinter

ROOT = Path(__file__).resolve().parents[3]
DAEMONS = ROOT / "scripts" / "daemons"

pytestmark = pytest.mark.cupsd


@pytest.fixture
def rundir() -> Iterator[Path]:
    path = traversable_tmpdir("kiosk-test-daemons-")
    yield path
    subprocess.run([str(DAEMONS), "stop", "--dir", str(path)], timeout=60, check=False)
    shutil.rmtree(path, ignore_errors=True)


def daemons(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DAEMONS), *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_scripts_daemons_start_status_stop_is_idempotent(rundir: Path) -> None:
    cups_port, vpcd_port = free_tcp_port(), free_port_pair()
    ports = ["--cups-port", str(cups_port), "--vpcd-port", str(vpcd_port)]
    started = daemons("start", "--dir", str(rundir), *ports)
    assert started.returncode == 0, started.stderr
    env_sh = (rundir / "env.sh").read_text()
    assert f"export CUPS_SERVER=127.0.0.1:{cups_port}" in env_sh
    assert f"export KIOSK_VPCD_PORTS={vpcd_port},{vpcd_port + 1}" in env_sh
    assert f"PCSCLITE_CSOCK_NAME={rundir}/pcscd/sock/pcscd.comm" in env_sh
    assert "KIOSK_PRINTER_QUEUE=KioskCapture" in env_sh
    assert env_sh.splitlines()[1] in started.stdout  # printed, too

    again = daemons("start", "--dir", str(rundir), *ports)
    assert again.returncode == 0
    assert "already running" in again.stdout

    status = daemons("status", "--dir", str(rundir))
    assert status.returncode == 0
    assert "pcscd: up" in status.stdout
    assert "cupsd: up" in status.stdout

    # the queue works for a client that uses what env.sh says
    printer = CupsPrinter("KioskCapture", server=f"127.0.0.1:{cups_port}")
    assert printer.check_printer().ready
    fault = daemons("fault", "--dir", str(rundir), "media-jam")
    assert fault.returncode == 0
    assert printer.check_printer().fault is not None
    assert daemons("fault", "--dir", str(rundir), "clear").returncode == 0
    assert printer.check_printer().ready
    printer.close()

    stopped = daemons("stop", "--dir", str(rundir))
    assert stopped.returncode == 0
    assert "stopped" in stopped.stdout
    assert not (rundir / "env.sh").exists()
    assert daemons("status", "--dir", str(rundir)).returncode == 3
    assert "not running" in daemons("stop", "--dir", str(rundir)).stdout
    assert printer.check_printer().fault is not None  # really gone


def test_fault_switch_reads_back_and_survives_a_garbled_control_file(
    cupsd: PrivateCupsd, faults: PrinterFaults
) -> None:
    plan = faults.set(SimFault.MEDIA_JAM, after_pages=3, mode="wait", page_delay_s=0.5)
    assert faults.current() == plan
    assert plan.reason() == "media-jam-error"
    faults.control_file.write_text("{not json")
    assert faults.current().fault is None
    with pytest.raises(ValueError, match="negative"):
        faults.set(SimFault.MEDIA_JAM, after_pages=-1)


def test_the_backend_prints_normally_when_its_control_file_is_garbage(
    cupsd: PrivateCupsd, faults: PrinterFaults, test_pdf: Callable[..., bytes]
) -> None:
    printer = CupsPrinter(cupsd.capture_queue, server=cupsd.address, poll_interval_s=0.05)
    garbled = (
        '{"fault": "lava", "after_pages": 0}',
        '{"fault": "media-jam", "after_pages": "x"}',
        '{"fault": "media-jam", "mode": "wait", "after_pages": 1.5}',
        "[1, 2]",
        "\x00\xff",
    )
    for garbage in garbled:
        faults.control_file.write_text(garbage)
        job = printer.submit(test_pdf(pages=2), title_hash="garbage", copies_hint=1)
        outcome = printer.track(job, time.monotonic() + 15)
        assert outcome.completed, garbage
    printer.close()


def test_the_backend_answers_device_discovery_and_refuses_bad_invocations(
    cupsd: PrivateCupsd,
) -> None:
    backend = cupsd.layout.serverbin / "backend" / "kioskfault"
    assert os.stat(backend).st_mode & 0o777 == 0o700  # CUPS runs 0700 backends as root
    listed = subprocess.run([str(backend)], capture_output=True, text=True, timeout=30)
    assert listed.stdout.startswith("direct kioskfault ")
    wrong = subprocess.run([str(backend), "1", "2"], capture_output=True, text=True, timeout=30)
    assert wrong.returncode == 1
    assert "usage" in wrong.stderr
    no_uri = subprocess.run(
        [str(backend), "1", "u", "t", "1", ""],
        capture_output=True,
        text=True,
        timeout=30,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert no_uri.returncode == 4
    assert "bad device URI" in no_uri.stderr


def test_a_failed_job_leaves_its_metadata_for_inspection(
    cupsd: PrivateCupsd, faults: PrinterFaults, test_pdf: Callable[..., bytes]
) -> None:
    printer = CupsPrinter(cupsd.capture_queue, server=cupsd.address, poll_interval_s=0.05)
    faults.set(SimFault.MEDIA_JAM, after_pages=1)
    job = printer.submit(test_pdf(pages=3), title_hash="meta", copies_hint=1)
    printer.track(job, time.monotonic() + 15)
    meta = json.loads((cupsd.capture_dir() / f"job-{job.job_id}.json").read_text())
    assert meta["outcome"] == "fault:media-jam"
    assert (meta["pages"], meta["pages_printed"]) == (3, 1)
    assert (cupsd.capture_dir() / f"job-{job.job_id}.failed.pdf").exists()
    printer.close()
