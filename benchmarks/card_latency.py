"""Per-APDU latency of the virtual card: in-process, and as a real card through a private
pcscd + vpcd with and without TCP_NODELAY/TCP_QUICKACK; plus OpenSC reading the
authentication certificate.

    .venv/bin/python benchmarks/card_latency.py [--apdus 500]

Needs root (the private pcscd runs in its own mount namespace) and the Debian packages of
scripts/setup. Prints medians and 95th percentiles in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hw_sim.card import CardStateStore, InProcessTransport, VpcdLink, build_card
from hw_sim.pki import JpkiTestPki
from hw_sim.stack import PrivatePcscd

SELECT_JPKI = bytes.fromhex("00A4040C0AD392F000260100000001")
SELECT_AUTH_CERT = bytes.fromhex("00A4020C02000A")
READ_256 = bytes.fromhex("00B0000000")


def summary(name: str, samples: list[float]) -> None:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[int(len(ms) * 0.95) - 1]
    print(f"{name:46} median {statistics.median(ms):8.3f} ms   p95 {p95:8.3f} ms   n={len(ms)}")


def in_process(pki: JpkiTestPki, folder: Path, n: int) -> None:
    transport = InProcessTransport(build_card("normal", pki, CardStateStore(folder)))
    transport.transmit(SELECT_JPKI)
    transport.transmit(SELECT_AUTH_CERT)
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        transport.transmit(READ_256)
        samples.append(time.perf_counter() - started)
    transport.close()
    summary("in-process READ BINARY 256 B", samples)


def through_pcscd(pki: JpkiTestPki, folder: Path, pcscd: PrivatePcscd, n: int, tuned: bool) -> None:
    from smartcard.Exceptions import CardConnectionException, NoCardException
    from smartcard.System import readers

    card = build_card("normal", pki, CardStateStore(folder))
    link = VpcdLink(card, "127.0.0.1", pcscd.port, tcp_tuning=tuned)
    link.insert()
    try:
        deadline = time.monotonic() + 10
        while True:
            conn = readers()[0].createConnection()
            try:
                conn.connect()
                break
            except (NoCardException, CardConnectionException):
                conn.release()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        conn.transmit(list(SELECT_JPKI))
        conn.transmit(list(SELECT_AUTH_CERT))
        samples = []
        count = n if tuned else max(20, n // 20)  # untuned is ~40 ms per APDU
        for _ in range(count):
            started = time.perf_counter()
            _, sw1, _ = conn.transmit(list(READ_256))
            samples.append(time.perf_counter() - started)
            assert sw1 == 0x90
        conn.release()
        label = "NODELAY+QUICKACK" if tuned else "Nagle/delayed ACK (untuned)"
        summary(f"pcscd+vpcd READ BINARY 256 B, {label}", samples)
    finally:
        link.remove()


def opensc(pki: JpkiTestPki, folder: Path, pcscd: PrivatePcscd, runs: int) -> None:
    card = build_card("normal", pki, CardStateStore(folder))
    link = VpcdLink(card, "127.0.0.1", pcscd.port)
    link.insert()
    env = dict(os.environ, **pcscd.env)
    try:
        link.wait_connected(10)
        time.sleep(1.0)  # pcscd's polling notices the card
        samples = []
        apdus = []
        for _ in range(runs):
            before = link.apdus
            started = time.perf_counter()
            result = subprocess.run(
                ["pkcs15-tool", "--read-certificate", "01"],
                env=env,
                capture_output=True,
                check=False,
            )
            samples.append(time.perf_counter() - started)
            apdus.append(link.apdus - before)
            assert result.returncode == 0, result.stderr
            time.sleep(0.6)  # let pcscd power the card off: every run starts cold
        summary(
            f"pkcs15-tool --read-certificate 01 ({statistics.median(apdus):.0f} APDUs)", samples
        )
    finally:
        link.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--apdus", type=int, default=500)
    parser.add_argument("--opensc-runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pki = JpkiTestPki.load_or_create(folder / "pki")
        in_process(pki, folder / "cards", args.apdus)
        pcscd = PrivatePcscd(folder / "pcscd", log_apdus=False)
        pcscd.start()
        pcscd.export_env()
        try:
            through_pcscd(pki, folder / "cards", pcscd, args.apdus, tuned=True)
            through_pcscd(pki, folder / "cards", pcscd, args.apdus, tuned=False)
            opensc(pki, folder / "cards", pcscd, args.opensc_runs)
        finally:
            pcscd.stop()


if __name__ == "__main__":
    main()
