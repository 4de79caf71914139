"""The private daemons start on a machine that has never run them, and their generated
configuration passes the daemons' own checkers.

Guards for issue 9 (a fresh Debian machine, current security updates): without systemd
nothing makes /run/pcscd, and CUPS 2.4.2-3+deb12u11 refuses a directive with no value.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hw_sim.pki import JpkiTestPki
from hw_sim.stack import PrivateCupsd, traversable_tmpdir
from hw_sim.stack.apdulog import copy_bounded, mask_line

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def cupsd_config() -> Iterator[PrivateCupsd]:
    """A private cupsd's generated files (written, not started)."""
    folder = traversable_tmpdir("kiosk-test-cupsconf-")
    daemon = PrivateCupsd(folder, cups_pdf=True)
    daemon._write_config()
    yield daemon
    shutil.rmtree(folder, ignore_errors=True)


def cupsd_check(conf: Path, files: Path) -> subprocess.CompletedProcess[str]:
    """``cupsd -t``: cupsd's own configuration check (exit 0 only when both files are OK)."""
    return subprocess.run(
        ["cupsd", "-t", "-c", str(conf), "-s", str(files)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


# cupsd -t prints these for directives it cannot use (cups/conf.c); any of them is a broken
# configuration even where an older cupsd would still start with it.
CUPSD_CONFIG_ERRORS = re.compile(r"Missing value|Unknown directive|contains errors|not allowed")


def test_generated_cupsd_configuration_passes_cupsd_t(cupsd_config: PrivateCupsd) -> None:
    etc = cupsd_config.layout.etc
    result = cupsd_check(etc / "cupsd.conf", etc / "cups-files.conf")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert not CUPSD_CONFIG_ERRORS.search(output), output


def test_generated_cupsd_files_have_no_directive_without_a_value(
    cupsd_config: PrivateCupsd,
) -> None:
    """The cause of the deb12u11 break, checked without depending on the installed cupsd."""
    etc = cupsd_config.layout.etc
    for name in ("cupsd.conf", "cups-files.conf"):
        for number, line in enumerate((etc / name).read_text().splitlines(), 1):
            text = line.strip()
            if not text or text.startswith(("#", "<")):
                continue
            assert len(text.split(None, 1)) == 2, f"{name}:{number}: {text!r} has no value"


def test_cupsd_t_catches_an_empty_directive(cupsd_config: PrivateCupsd, tmp_path: Path) -> None:
    """The check above can fail: the installed cupsd refuses what the old file held."""
    etc = cupsd_config.layout.etc
    broken = tmp_path / "cups-files.conf"
    broken.write_text((etc / "cups-files.conf").read_text() + "Printcap\nNoSuchDirective 1\n")
    result = cupsd_check(etc / "cupsd.conf", broken)
    assert result.returncode != 0
    assert CUPSD_CONFIG_ERRORS.search(result.stdout + result.stderr)


@pytest.mark.pcscd
def test_private_pcscd_starts_where_run_is_an_empty_tmpfs(tmp_path: Path) -> None:
    """A machine that never ran pcscd: /run is empty. The private pcscd still starts, serves
    its readers and a PIN verification, leaves the host's /run as it was, and its APDU log is
    0600 with the PIN masked."""
    host_had_run_pcscd = Path("/run/pcscd").exists()
    pki = JpkiTestPki.load_or_create(tmp_path / "pki")
    folder = traversable_tmpdir("kiosk-test-freshrun-")
    try:
        script = (
            "mount -t tmpfs -o mode=0755 fresh-run /run && "
            f"exec '{sys.executable}' -m tests.hw_sim.stack.fresh_run_probe '{folder}' "
            f"'{pki.folder}'"
        )
        result = subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            check=False,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["run_entries_before"] == []  # the namespace's /run really was empty
    assert seen["readers"] == ["Virtual PCD 00 00", "Virtual PCD 00 01"]
    assert seen["pin_verified"] is True
    assert seen["log_mode"] == "0o600"
    assert "APDU: 00 20 00 80 04 ** ** ** **" in seen["log"]
    assert "31 32 33 34" not in seen["log"]  # the PIN "1234"
    assert Path("/run/pcscd").exists() == host_had_run_pcscd


def test_apdu_log_masks_every_secret_bearing_command() -> None:
    verify = b"00000036 APDU: 00 20 00 80 04 31 32 33 34 \n"
    assert mask_line(verify) == b"00000036 APDU: 00 20 00 80 04 ** ** ** ** \n"
    change = b"1 APDU: 00 24 01 80 08 31 32 33 34 35 36 37 38\n"
    assert b"31" not in mask_line(change)
    reset = b"1 APDU: 00 2C 00 80 04 39 39 39 39\n"
    assert b"39" not in mask_line(reset)
    tries = b"1 APDU: 00 20 00 80\n"  # VERIFY without data: how many tries are left
    assert mask_line(tries) == tries
    select = b"1 APDU: 00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01\n"
    assert mask_line(select) == select
    assert mask_line(b"00000266 SW: 90 00\n") == b"00000266 SW: 90 00\n"


def test_apdu_log_is_owner_only_and_bounded(tmp_path: Path) -> None:
    log = tmp_path / "pcscd.log"
    log.write_text("left by an older run\n")
    os.chmod(log, 0o644)
    line = b"00000044 SW: 90 00 " + b"x" * 80 + b"\n"
    copy_bounded(iter([line] * 1000), log, max_bytes=4096)
    assert os.stat(log).st_mode & 0o777 == 0o600
    rotated = log.with_name("pcscd.log.1")
    assert os.stat(rotated).st_mode & 0o777 == 0o600
    assert log.stat().st_size <= 4096
    assert rotated.stat().st_size <= 4096
