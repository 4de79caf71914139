"""Load benchmark of the simulated issuance center: many kiosks at once on loopback.

Each simulated kiosk is a thread with its own TLS client certificate and its own
``CenterClient``; it signs challenges with persona keys in-process (no card reader, so the
center is what is measured) and runs full issuances: challenge → session (signature, chain,
OCSP, J-LIS lookup) → offer → issuance (municipality PDF + back sides + signed envelope,
verified by the client) → completion → end of session.

Three phases, each ``--duration`` seconds:

1. ``paced``: full issuances, kiosks starting over ``--ramp`` seconds and pausing
   ``--think`` seconds on average between steps (PIN entry, choosing, paying, printing), as
   kiosks in stores do. The latency a resident feels, with ``--kiosks`` kiosks at once.
2. ``auth_offer_stress``: every kiosk loops challenge → session → offer → end with no pause:
   the center's authentication capacity (closed loop: latency = kiosks / throughput).
3. ``issuance_stress``: full issuances with no pause: issuance throughput, bounded by
   rendering; the per-step cost comes from the center's Server-Timing header.

    nice .venv/bin/python benchmarks/center_load.py --kiosks 50 --duration 60

Everything runs on this machine: the center's event loop, its render workers, the OCSP
responder, and the kiosks' client threads share the same cores. Figures are for the machine
they were measured on; see docs/center-protocol.md ("Performance") for a recorded run.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding  # noqa: E402

from hw_sim.center.process import CenterProcess  # noqa: E402
from hw_sim.pki import JpkiTestPki  # noqa: E402
from kiosk.center import wire  # noqa: E402
from kiosk.center.client import CenterClient, CenterConfig, new_idempotency_key  # noqa: E402
from printing.certificates import (  # noqa: E402
    CertificateKind,
    CertificateRequest,
    JuminhyoOptions,
    Jurisdiction,
)

T = TypeVar("T")
# Residents who can be issued a 住民票 (no refusal in the simulated world).
PERSONAS = (
    "normal",
    "rare-chars",
    "foreign",
    "one-try-left",
    "slow",
    "honseki",
    "android",
    "iphone",
)
BUSINESS_MORNING = datetime.fromisoformat("2026-11-26T10:00:00+09:00")
CALLS = ("challenge", "session", "offer", "issuance", "completion", "end_session")


@dataclass
class Recorder:
    """Latencies per call (seconds), errors, and server-side timings of issuances."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    server_steps: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    server_calls: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    issuances: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def failed(self, exc: Exception) -> None:
        """Count a failed loop round (a call's own failure is counted again by its name)."""
        with self.lock:
            self.errors[f"round: {type(exc).__name__}"] += 1

    def timed(self, name: str, call: Callable[[], T], client: CenterClient | None = None) -> T:
        started = time.perf_counter()
        try:
            result = call()
        except Exception as exc:
            with self.lock:
                self.errors[f"{name}: {type(exc).__name__}"] += 1
            raise
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latencies[name].append(elapsed)
            if client is not None and name != "issuance":
                self.server_calls[name].append(sum(client.last_server_timing.values()) / 1000)
        return result


@dataclass
class Kiosk:
    client: CenterClient
    certificate: bytes
    sign: Callable[[bytes], bytes]


def make_kiosks(center: CenterProcess, pki: JpkiTestPki, count: int) -> list[Kiosk]:
    personas = list(PERSONAS)
    keys = {}
    for persona in personas:
        credentials = pki.credentials(persona)
        keys[persona] = (
            credentials.auth_cert.public_bytes(serialization.Encoding.DER),
            credentials.auth_key,
        )
    kiosks = []
    for index in range(count):
        kiosk_id = f"bench-{index + 1:03d}"
        files = center.kiosk_files(kiosk_id, register=True)
        config = CenterConfig(
            base_url=center.endpoints["center_url"],
            ca_path=Path(center.endpoints["ca_path"]),
            cert_path=Path(files["cert_path"]),
            key_path=Path(files["key_path"]),
        )
        certificate, key = keys[personas[index % len(personas)]]

        def sign(message: bytes, key: Any = key) -> bytes:
            return key.sign(message, padding.PKCS1v15(), hashes.SHA256())  # type: ignore[no-any-return]

        kiosks.append(Kiosk(CenterClient(config), certificate, sign))
    return kiosks


def authenticate(kiosk: Kiosk, recorder: Recorder) -> wire.SessionGrant:
    challenge = recorder.timed(
        "challenge", lambda: kiosk.client.challenge(wire.AuthPurpose.ISSUANCE)
    )
    signature = kiosk.sign(challenge.message())
    return recorder.timed(
        "session",
        partial(kiosk.client.open_session, challenge, kiosk.certificate, signature),
        kiosk.client,
    )


@dataclass(frozen=True)
class Pace:
    """How a kiosk paces itself: a start offset (kiosks do not start in step) and a pause
    between calls (a resident entering the PIN, choosing, paying; 0 = none)."""

    start_offset_s: float = 0.0
    think_mean_s: float = 0.0

    def think(self, stop: threading.Event) -> None:
        if self.think_mean_s > 0:
            stop.wait(random.expovariate(1 / self.think_mean_s))


def auth_offer_loop(kiosk: Kiosk, recorder: Recorder, stop: threading.Event, pace: Pace) -> None:
    stop.wait(pace.start_offset_s)
    while not stop.is_set():
        try:
            session = authenticate(kiosk, recorder)
            pace.think(stop)
            recorder.timed("offer", partial(kiosk.client.offer, session), kiosk.client)
            recorder.timed("end_session", partial(kiosk.client.end_session, session))
            pace.think(stop)
        except Exception as exc:  # the kiosk carries on; the failure is counted
            recorder.failed(exc)
            time.sleep(0.1)


def issuance_loop(
    kiosk: Kiosk, recorder: Recorder, stop: threading.Event, pace: Pace, copies: int
) -> None:
    request = CertificateRequest(
        CertificateKind.JUMINHYO, Jurisdiction.RESIDENCE, JuminhyoOptions(), copies
    )
    stop.wait(pace.start_offset_s)
    while not stop.is_set():
        try:
            session = authenticate(kiosk, recorder)
            pace.think(stop)
            recorder.timed("offer", partial(kiosk.client.offer, session), kiosk.client)
            pace.think(stop)
            result = recorder.timed(
                "issuance", partial(kiosk.client.issue, session, request, new_idempotency_key())
            )
            envelope = result.envelope
            report = wire.CompletionReport(
                wire.CompletionOutcome.PRINTED,
                copies,
                envelope.total_fee_yen,
                0,
                0,
                None,
                envelope.issued_at,
            )
            pace.think(stop)  # paying and printing
            recorder.timed(
                "completion",
                partial(kiosk.client.complete, envelope.issuance_id, report, new_idempotency_key()),
            )
            recorder.timed("end_session", partial(kiosk.client.end_session, session))
            with recorder.lock:
                recorder.issuances += 1
                for step, ms in result.server_timing.items():
                    recorder.server_steps[step].append(ms / 1000)
        except Exception as exc:
            recorder.failed(exc)
            time.sleep(0.1)


def run_phase(
    kiosks: list[Kiosk],
    duration: float,
    target: Callable[..., None],
    *extra: Any,
    ramp_s: float = 0.0,
    think_mean_s: float = 0.0,
) -> tuple[Recorder, float]:
    """Run ``target`` on every kiosk for ``duration`` seconds (after the ramp)."""
    recorder = Recorder()
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=target,
            args=(kiosk, recorder, stop, Pace(ramp_s * index / len(kiosks), think_mean_s), *extra),
            daemon=True,
        )
        for index, kiosk in enumerate(kiosks)
    ]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(ramp_s + duration)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    return recorder, time.perf_counter() - began


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(recorder: Recorder, elapsed: float) -> dict[str, Any]:
    calls = {}
    for name in CALLS:
        values = recorder.latencies.get(name)
        if not values:
            continue
        calls[name] = {
            "count": len(values),
            "p50_ms": round(statistics.median(values) * 1000, 1),
            "p95_ms": round(percentile(values, 0.95) * 1000, 1),
            "max_ms": round(max(values) * 1000, 1),
        }
        inside = recorder.server_calls.get(name)
        if inside:  # time inside the center's handler (Server-Timing), without queueing
            calls[name]["center_p50_ms"] = round(statistics.median(inside) * 1000, 1)
            calls[name]["center_p95_ms"] = round(percentile(inside, 0.95) * 1000, 1)
    steps = {
        name: round(statistics.mean(values) * 1000, 1)
        for name, values in recorder.server_steps.items()
    }
    work = sum(v for k, v in steps.items() if k != "queue")
    return {
        "seconds": round(elapsed, 1),
        "issuances": recorder.issuances,
        "issuances_per_s": round(recorder.issuances / elapsed, 2),
        "calls": calls,
        "issuance_server_mean_ms": steps,
        "issuance_step_share": {
            k: round(v / work, 3) for k, v in steps.items() if k != "queue" and work
        },
        "errors": dict(recorder.errors),
    }


def print_table(title: str, result: dict[str, Any]) -> None:
    rate = f"{result['issuances']} issuances ({result['issuances_per_s']}/s)"
    print(f"\n== {title}: {result['seconds']} s, {rate}")
    print(f"{'call':<12}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}   in-center p50/p95 ms")
    for name, row in result["calls"].items():
        line = f"{name:<12}{row['count']:>7}{row['p50_ms']:>9}{row['p95_ms']:>9}{row['max_ms']:>9}"
        if "center_p50_ms" in row:
            line += f"   {row['center_p50_ms']} / {row['center_p95_ms']}"
        print(line)
    if result["issuance_server_mean_ms"]:
        print("issuance, center side (mean ms):", result["issuance_server_mean_ms"])
        print("share of the work per step:", result["issuance_step_share"])
    if result["errors"]:
        print("errors:", result["errors"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=50)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per phase")
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--ramp", type=float, default=10.0, help="paced phase: start spread (s)")
    parser.add_argument("--think", type=float, default=2.0, help="paced phase: mean pause (s)")
    parser.add_argument("--workers", type=int, default=2, help="the center's render processes")
    parser.add_argument("--state-dir", type=Path, default=None, help="default: a temporary folder")
    parser.add_argument("--pki-dir", type=Path, default=None, help="default: <state-dir>/pki")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="center-load-") as scratch:
        state_dir = args.state_dir or Path(scratch) / "center"
        pki_dir = args.pki_dir or state_dir.parent / "pki"
        pki = JpkiTestPki.load_or_create(pki_dir)
        center = CenterProcess(state_dir, pki_dir, workers=args.workers, cwd=REPO)
        print(f"starting the center ({args.workers} render workers) …", flush=True)
        center.start()
        try:
            center.set_clock(BUSINESS_MORNING)
            kiosks = make_kiosks(center, pki, args.kiosks)
            n = len(kiosks)
            print(f"{n} kiosks, {args.duration:.0f} s per phase", flush=True)
            results = {}
            phases = [
                (
                    "paced",
                    f"full issuances, {n} kiosks, started over {args.ramp:.0f} s, "
                    f"{args.think:.1f} s mean pause between steps",
                    issuance_loop,
                    {"ramp_s": args.ramp, "think_mean_s": args.think},
                ),
                ("auth_offer_stress", f"auth+offer, {n} kiosks, no pauses", auth_offer_loop, {}),
                ("issuance_stress", f"full issuances, {n} kiosks, no pauses", issuance_loop, {}),
            ]
            for key, title, loop, pacing in phases:
                extra = (args.copies,) if loop is issuance_loop else ()
                recorder, elapsed = run_phase(kiosks, args.duration, loop, *extra, **pacing)
                results[key] = summary(recorder, elapsed)
                print_table(title, results[key])
            for kiosk in kiosks:
                kiosk.client.close()
        finally:
            center.stop()
    if args.json:
        args.json.write_text(json.dumps({"kiosks": args.kiosks, **results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
