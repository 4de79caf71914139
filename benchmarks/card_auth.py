"""Benchmark of the kiosk's card authentication through the real PC/SC stack.

    .venv/bin/python benchmarks/card_auth.py [--runs 30] [--monitor-cycles 5]

Starts a private pcscd with vpcd and the virtual card process (``python -m hw_sim.card serve``)
with the ``normal`` persona, then measures over N cold sessions (connect exclusive → … →
power off):

* the authentication sequence: certificate, tries, verify, sign — APDU count and median time;
* the driver's own time: the sequence's wall time minus the time spent inside ``transmit``
  (pcscd, vpcd and the virtual card);
* the same with the token check (medium detection) first;
* the monitor's event latency: card insert/remove (dock request → event) and reader reappearance
  after a pcscd restart (daemon ready → event).

Targets (docs/card.md): ≤ 14 APDUs for the sequence, driver's own time < 5 ms. Nothing is
asserted; the figures are printed.
"""

from __future__ import annotations

import argparse
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(CHECKOUT))

from hw_sim.stack import PrivatePcscd  # noqa: E402 - after sys.path is set
from hw_sim.stack.pcscd import VPCD_READER_NAMES  # noqa: E402

READER = VPCD_READER_NAMES[0]
PIN = "1234"  # the normal persona's PIN (hw_sim/personas.py)
CHALLENGE = b"center nonce 7f3a | kiosk K-0001 | 2026-11-26T10:00:00+09:00"


@dataclass
class TimedTransport:
    """Counts APDUs and the time spent inside the wrapped transport's ``transmit``."""

    inner: object
    apdus: int = 0
    in_transmit: float = 0.0

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        started = time.perf_counter()
        try:
            return self.inner.transmit(apdu)  # type: ignore[attr-defined, no-any-return]
        finally:
            self.in_transmit += time.perf_counter() - started
            self.apdus += 1


@dataclass
class Sample:
    apdus: int
    total_ms: float
    transmit_ms: float

    @property
    def driver_ms(self) -> float:
        return self.total_ms - self.transmit_ms


@dataclass
class Series:
    samples: list[Sample] = field(default_factory=list)
    connect_ms: list[float] = field(default_factory=list)

    def line(self, label: str) -> str:
        def med(values: list[float]) -> float:
            return statistics.median(values)

        def p90(values: list[float]) -> float:
            return statistics.quantiles(values, n=10)[-1] if len(values) >= 2 else values[0]

        apdus = {s.apdus for s in self.samples}
        total = [s.total_ms for s in self.samples]
        driver = [s.driver_ms for s in self.samples]
        transmit = [s.transmit_ms for s in self.samples]
        return (
            f"{label:<34} APDUs {'/'.join(map(str, sorted(apdus))):>5}  "
            f"total {med(total):6.2f} ms (p90 {p90(total):6.2f})  "
            f"in transmit {med(transmit):6.2f} ms  "
            f"driver {med(driver):5.2f} ms (p90 {p90(driver):5.2f})  "
            f"connect+power-off {med(self.connect_ms):5.2f} ms"
        )


def authenticate(transport: TimedTransport, *, token_check: bool) -> None:
    """The kiosk's sequence (docs/card.md): certificate, tries, verify, sign."""
    from cardio import JpkiSession, UserPin

    session = JpkiSession(transport)
    if token_check:
        session.read_token_info()
    session.read_certificate()
    session.get_pin_tries()
    with UserPin(PIN) as pin:
        session.verify_pin(pin)
    session.sign_sha256(CHALLENGE)


def measure(runs: int, token_check: bool) -> Series:
    from cardio.pcsc import PcscContext

    context = PcscContext()
    series = Series()
    for _ in range(runs):
        connect_started = time.perf_counter()
        connection = context.connect(READER)
        connect_ms = (time.perf_counter() - connect_started) * 1000
        transport = TimedTransport(connection)
        started = time.perf_counter()
        authenticate(transport, token_check=token_check)
        total = time.perf_counter() - started
        close_started = time.perf_counter()
        connection.close()  # SCARD_UNPOWER_CARD
        connect_ms += (time.perf_counter() - close_started) * 1000
        series.samples.append(Sample(transport.apdus, total * 1000, transport.in_transmit * 1000))
        series.connect_ms.append(connect_ms)
    context.release()
    return series


def dock(control: Path, command: str) -> float:
    """Ask the card process to insert/remove the card in slot 0; return when it is done."""
    from hw_sim.card.control import send_request

    request: dict[str, object] = {"cmd": command, "slot": 0}
    if command == "insert":
        request["persona"] = "normal"
    answer = send_request(control, request)
    if not answer.get("ok"):
        raise RuntimeError(f"card dock refused {command}: {answer.get('error')}")
    return time.monotonic()


def wait_for_event(events: queue.Queue[object], predicate: Callable[[object], bool]) -> object:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            event = events.get(timeout=deadline - time.monotonic())
        except queue.Empty:
            break
        if predicate(event):
            return event
    raise TimeoutError("monitor event did not arrive within 10 s")


def monitor_latency(pcscd: PrivatePcscd, control: Path, cycles: int) -> dict[str, list[float]]:
    from cardio.monitor import CardMonitor, MonitorEvent, MonitorEventKind

    events: queue.Queue[object] = queue.Queue()
    results: dict[str, list[float]] = {"insert": [], "remove": [], "reader after restart": []}

    def is_kind(kind: MonitorEventKind) -> Callable[[object], bool]:
        return lambda e: isinstance(e, MonitorEvent) and e.kind is kind and e.reader == READER

    with CardMonitor(events.put):
        wait_for_event(events, is_kind(MonitorEventKind.READER_ADDED))
        dock(control, "remove")
        wait_for_event(events, is_kind(MonitorEventKind.CARD_REMOVED))
        for _ in range(cycles):
            # The dock holds a re-inserted card back until 1 s after the last removal (pcscd
            # misses faster swaps, hw_sim/card/vpcd.py REINSERT_GAP_S): wait that out so the
            # figure is the monitor's latency, not the dock's gap.
            time.sleep(1.2)
            started = dock(control, "insert")  # the card is in the slot from here on
            event = wait_for_event(events, is_kind(MonitorEventKind.CARD_INSERTED))
            results["insert"].append(event.at - started)  # type: ignore[attr-defined]
            time.sleep(0.3)
            started = dock(control, "remove")  # the card is out from here on
            event = wait_for_event(events, is_kind(MonitorEventKind.CARD_REMOVED))
            results["remove"].append(event.at - started)  # type: ignore[attr-defined]
        for _ in range(max(1, cycles // 2)):
            pcscd.stop()
            wait_for_event(
                events, lambda e: getattr(e, "kind", None) is MonitorEventKind.SERVICE_LOST
            )
            pcscd.start()
            ready = time.monotonic()
            event = wait_for_event(events, is_kind(MonitorEventKind.READER_ADDED))
            results["reader after restart"].append(event.at - ready)  # type: ignore[attr-defined]
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--monitor-cycles", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="card-bench-") as folder:
        root = Path(folder)
        pcscd = PrivatePcscd(root / "pcscd", log_apdus=False)
        pcscd.start()
        pcscd.export_env()  # before the first PC/SC context of this process
        control = root / "dock.sock"
        env = {**os.environ, "PYTHONPATH": str(CHECKOUT)}
        card_process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hw_sim.card",
                "--control",
                str(control),
                "serve",
                "--port",
                str(pcscd.port),
                "--state-dir",
                str(root / "cards"),
                "--pki-dir",
                str(root / "pki"),
                "--insert",
                "0=normal",
            ],
            cwd=CHECKOUT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            from cardio.errors import CardRemoved
            from cardio.pcsc import PcscContext

            deadline = time.monotonic() + 60  # the first run makes the test PKI (RSA keys)
            while True:
                try:
                    PcscContext().connect(READER).close()
                    break
                except CardRemoved:
                    if time.monotonic() > deadline or card_process.poll() is not None:
                        raise RuntimeError("the virtual card never appeared") from None
                    time.sleep(0.1)
            measure(3, token_check=False)  # warm-up
            auth = measure(args.runs, token_check=False)
            with_token = measure(args.runs, token_check=True)
            print(f"card authentication through pcscd + vpcd + virtual card, {args.runs} runs")
            print(auth.line("certificate+tries+verify+sign"))
            print(with_token.line("token check + the same"))
            latencies = monitor_latency(pcscd, control, args.monitor_cycles)
            for name, values in latencies.items():
                ms = [v * 1000 for v in values]
                print(
                    f"monitor {name:<22} median {statistics.median(ms):6.1f} ms  "
                    f"max {max(ms):6.1f} ms  (n={len(ms)})"
                )
        finally:
            card_process.terminate()
            card_process.wait(10)
            pcscd.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
