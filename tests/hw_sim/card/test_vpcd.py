"""The virtual card as a real card in a private pcscd through vpcd: pcscd sees it, APDUs
round-trip, slots are driven in-process and through the CLI, removal in the middle of a slow
command, state kept across a restart of the card process."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from smartcard.Exceptions import CardConnectionException

from hw_sim.card import CardDock
from hw_sim.pki import JpkiTestPki
from hw_sim.stack import PrivatePcscd
from tests.hw_sim.card.pcsc_helpers import card_present, close, connect, tx, wait_absent

pytestmark = pytest.mark.pcscd

SELECT_JPKI = "00A4040C0AD392F000260100000001"


@pytest.fixture
def dock(pcscd: PrivatePcscd, pki: JpkiTestPki, tmp_path: Path) -> Iterator[CardDock]:
    with CardDock("127.0.0.1", pcscd.port, state_dir=tmp_path / "cards", pki_dir=pki.folder) as d:
        yield d
    for slot in (0, 1):  # leave the readers empty for the next test
        assert wait_absent(slot)


def test_pcscd_sees_the_card_and_apdus_round_trip(dock: CardDock, pki: JpkiTestPki) -> None:
    dock.insert(0, "normal")
    conn = connect(0)
    try:
        assert bytes(conn.getATR()) == bytes.fromhex("3BDA13FF8131FB468012392F31C173C601C03B")
        assert tx(conn, SELECT_JPKI) == (b"", 0x9000)
        assert tx(conn, "00A4020C02000A")[1] == 0x9000
        der = b""
        while True:
            data, sw = tx(conn, bytes([0x00, 0xB0, len(der) >> 8, len(der) & 0xFF, 0x00]))
            if sw == 0x6B00:
                break
            assert sw == 0x9000
            der += data
        expected = pki.credentials("normal").auth_cert.public_bytes(serialization.Encoding.DER)
        assert der[: len(expected)] == expected
        assert len(der) == 3808
        assert tx(conn, "00A4020C020018")[1] == 0x9000
        assert tx(conn, "00200080") == (b"", 0x63C3)
    finally:
        close(conn)
    assert dock.slot_status(0).apdus >= 17


def test_both_slots_and_removal(dock: CardDock) -> None:
    dock.insert(0, "normal")
    dock.insert(1, "juki-card")
    first, second = connect(0), connect(1)
    assert tx(first, SELECT_JPKI)[1] == 0x9000
    assert tx(second, SELECT_JPKI)[1] == 0x9000
    tx(second, "00A4020C020006")
    assert tx(second, "00B0000010")[0] == b"JPKIAPICCTOKEN  "
    assert bytes(second.getATR()) == bytes.fromhex("3BE000FF8131FE4514")
    close(first)
    close(second)
    dock.remove(1)
    assert wait_absent(1)
    assert card_present(0)
    status = dock.status()
    assert status[0].persona == "normal"
    assert status[0].connected
    assert status[1].persona is None


def test_removal_during_a_slow_command(dock: CardDock) -> None:
    dock.insert(0, "slow", delay_s=2.0)
    conn = connect(0)
    outcome: dict[str, object] = {}

    def send() -> None:
        started = time.monotonic()
        try:
            outcome["answer"] = tx(conn, SELECT_JPKI)
        except CardConnectionException as exc:
            outcome["error"] = exc
        outcome["after"] = time.monotonic() - started

    worker = threading.Thread(target=send)
    worker.start()
    time.sleep(0.3)
    dock.remove(0)
    worker.join(10)
    close(conn)  # the connection died with the card
    assert not worker.is_alive()
    assert "answer" not in outcome, "the slow card answered although it was pulled out"
    assert isinstance(outcome["error"], CardConnectionException)
    assert wait_absent(0)
    dock.insert(0, "normal")  # the reader works again with another card
    again = connect(0)
    assert tx(again, SELECT_JPKI)[1] == 0x9000
    close(again)


def test_disconnect_powers_the_card_off_and_clears_the_pin(dock: CardDock) -> None:
    dock.insert(0, "normal")
    conn = connect(0)
    tx(conn, SELECT_JPKI)
    tx(conn, "00A4020C020018")
    assert tx(conn, "002000800431323334")[1] == 0x9000
    close(conn)  # pyscard unpowers the card
    deadline = time.monotonic() + 3
    while dock.slot_status(0).powered and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not dock.slot_status(0).powered
    conn = connect(0)
    tx(conn, SELECT_JPKI)
    tx(conn, "00A4020C020017")
    assert tx(conn, "802A008005000000000000")[1] == 0x6982  # 5 bytes + Le: PIN needed again
    close(conn)


# -- the CLI and the long-running serve process ---------------------------------------------


def _cli(control: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hw_sim.card", "--control", str(control), *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


class Served:
    def __init__(self, pcscd: PrivatePcscd, pki: JpkiTestPki, tmp: Path) -> None:
        self.control = tmp / "dock.sock"
        self.argv = [
            sys.executable, "-m", "hw_sim.card", "--control", str(self.control), "serve",
            "--port", str(pcscd.port), "--state-dir", str(tmp / "cards"),
            "--pki-dir", str(pki.folder),
        ]  # fmt: skip
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            self.argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=dict(os.environ),
        )  # fmt: skip
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        while line and not line.startswith("card dock:"):
            line = self.proc.stdout.readline()
        assert line.startswith("card dock:"), line

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None


@pytest.fixture
def served(pcscd: PrivatePcscd, pki: JpkiTestPki, tmp_path: Path) -> Iterator[Served]:
    server = Served(pcscd, pki, tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        for slot in (0, 1):
            assert wait_absent(slot)


def test_cli_inserts_and_removes_in_both_slots(served: Served) -> None:
    result = _cli(served.control, "insert", "--slot", "1", "--persona", "normal")
    assert result.returncode == 0, result.stderr
    assert "slot 1" in result.stdout
    assert "normal" in result.stdout
    assert _cli(served.control, "insert", "--slot", "0", "--persona", "child").returncode == 0
    conn = connect(1)
    assert tx(conn, SELECT_JPKI)[1] == 0x9000
    close(conn)
    close(connect(0))  # the child's card is seen in slot 0 too
    refused = _cli(served.control, "insert", "--slot", "0", "--persona", "blocked")
    assert refused.returncode == 1
    assert "remove it first" in refused.stderr
    status = _cli(served.control, "status")
    assert "slot 0 (port" in status.stdout
    assert "child" in status.stdout
    assert _cli(served.control, "remove", "--slot", "1").returncode == 0
    assert wait_absent(1)
    assert _cli(served.control, "remove", "--slot", "0").returncode == 0
    assert wait_absent(0)
    unknown = _cli(served.control, "insert", "--slot", "0", "--persona", "nobody")
    assert unknown.returncode == 1
    assert "unknown persona" in unknown.stderr


def test_cli_without_a_dock_says_so(tmp_path: Path) -> None:
    result = _cli(tmp_path / "none.sock", "status")
    assert result.returncode == 1
    assert "no card dock" in result.stderr


def test_state_persists_across_a_restart_of_the_card_process(served: Served) -> None:
    assert _cli(served.control, "insert", "--slot", "0", "--persona", "normal").returncode == 0
    conn = connect(0)
    tx(conn, SELECT_JPKI)
    tx(conn, "00A4020C020018")
    assert tx(conn, "002000800430303030")[1] == 0x63C2
    close(conn)
    served.stop()
    assert wait_absent(0)
    served.start()
    assert _cli(served.control, "insert", "--slot", "0", "--persona", "normal").returncode == 0
    conn = connect(0)
    tx(conn, SELECT_JPKI)
    tx(conn, "00A4020C020018")
    assert tx(conn, "00200080")[1] == 0x63C2
    close(conn)
    assert _cli(served.control, "remove", "--slot", "0").returncode == 0
    assert _cli(served.control, "reset", "--persona", "normal").returncode == 0
