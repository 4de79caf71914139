"""The kiosk's own time: cold start, screen changes, authentication, the print hand-off, memory.

Runs the developer world in a runtime folder of its own (private pcscd + vpcd, private cupsd,
the simulated center as its own process on loopback: kiosk.app.developer) and the kiosk
in-process with its real window offscreen, driven like a resident (kiosk.app.demo.Driver):

- **cold start**: a new ``python -m kiosk … --start-only`` process until the start screen is
  up — the city-hall wiring (real devices only, with test TLS material) and the developer
  profile with its world already running;
- **screen change**: an intent on the UI thread → flow step → queued render of the new screen
  (Start ↔ Consent, and every screen change of a full issuance);
- **PIN accepted → fee screen**: from the card's PIN answer to the certificate menu with the
  municipality's fees on screen (challenge, card signature, power-off, center session + OCSP +
  offer). Measured up to the offer arriving, and up to the menu rendered after the card is taken
  (which adds pcscd's ≈0.4 s card-removal poll through vpcd, not the kiosk's time);
- **payment done → print job accepted**: from the coin that completes the payment to CUPS
  accepting the composed job (journal writes, change, submit), and on to the job completed;
- **peak memory**: the kiosk process's maximum RSS after all of the above, and the cold-start
  process's.

    .venv/bin/python benchmarks/kiosk_perf.py                 # 20 authentications
    .venv/bin/python benchmarks/kiosk_perf.py --runs 50 --json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runnable from a checkout
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
START_MARK = "start screen up"


def memory_mb() -> dict[str, float]:
    """This process's resident memory now and its peak (Linux /proc: VmRSS, VmHWM)."""
    values: dict[str, float] = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = round(int(rest.split()[0]) / 1024, 1)
    return values


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "median_ms": round(statistics.median(values) * 1000, 2),
        "p95_ms": round(percentile(values, 0.95) * 1000, 2),
        "max_ms": round(max(values) * 1000, 2),
    }


# -- cold start -------------------------------------------------------------------------------
def cold_start(profile: Path, extra_env: dict[str, str], runs: int) -> dict[str, Any]:
    times: list[float] = []
    peaks: list[float] = []
    for _ in range(runs):
        env = {**os.environ, **extra_env, "QT_QPA_PLATFORM": "offscreen"}
        env.pop("DISPLAY", None)
        started = time.monotonic()
        child = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "--profile", str(profile), "--start-only"],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert child.stderr is not None
        up: float | None = None
        for line in child.stderr:
            if START_MARK in line and up is None:
                up = time.monotonic() - started
                # "start screen up (peak RSS 151 MB)": the child's own VmHWM.
                peak = line.rsplit("peak RSS", 1)[-1].strip(" )\n").split()[0]
                peaks.append(float(peak))
        child.wait(timeout=120)
        if up is None or child.returncode != 0:
            raise RuntimeError(f"{profile.name}: the start screen did not come up")
        times.append(up)
    return {**summary(times), "peak_rss_mb": max(peaks)}


def write_tls(folder: Path, kiosk_id: str) -> dict[str, Path]:
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())

    def certificate(subject: str, public: Any, ca: bool) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(name(subject))
            .issuer_name(name("Bench CA"))
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
        )
        if ca:
            builder = builder.add_extension(x509.BasicConstraints(True, None), critical=True)
        return builder.sign(ca_key, hashes.SHA256())

    paths = {"ca": folder / "ca.pem", "cert": folder / "kiosk.pem", "key": folder / "kiosk.key"}
    pem = serialization.Encoding.PEM
    paths["ca"].write_bytes(certificate("Bench CA", ca_key.public_key(), True).public_bytes(pem))
    paths["cert"].write_bytes(certificate(kiosk_id, key.public_key(), False).public_bytes(pem))
    paths["key"].write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    paths["key"].chmod(0o600)  # the kiosk refuses a key others may read (kiosk/app/wiring.py)
    return paths


def write_cityhall(folder: Path) -> Path:
    tls = write_tls(folder / "tls", "bench-0001")
    profile = folder / "cityhall.toml"
    profile.write_text(
        textwrap.dedent(
            f"""\
            kind = "cityhall"
            kiosk_id = "bench-0001"
            [center]
            url = "https://center.example.invalid:8443"
            ca = "{tls["ca"]}"
            client_cert = "{tls["cert"]}"
            client_key = "{tls["key"]}"
            [printer]
            queue = "counter-a4"
            receipt_queue = "counter-receipt"
            verification_service = "https://verify.example.jp/"
            [payment]
            mode = "counter"
            [journal]
            path = "{folder / "kiosk" / "journal.sqlite"}"
            serial_salt_path = "{folder / "kiosk" / "salt"}"
            """
        )
    )
    return profile


def write_developer(var_dir: Path) -> Path:
    text = (REPO / "profiles" / "developer.toml").read_text()
    profile = var_dir / "developer.toml"
    profile.write_text(
        text.replace('"../var/kiosk/', f'"{var_dir}/kiosk/').replace(
            '"../var/center/', f'"{var_dir}/center/'
        )
    )
    return profile


# -- the running kiosk ------------------------------------------------------------------------
class TimedPrinter:
    """The real CUPS adapter, noting when CUPS accepted each job."""

    def __init__(self, printer: Any) -> None:
        self._printer = printer
        self.accepted: list[float] = []

    def submit(self, pdf: bytes, *, title_hash: str, copies_hint: int) -> Any:
        handle = self._printer.submit(pdf, title_hash=title_hash, copies_hint=copies_hint)
        self.accepted.append(time.monotonic())
        return handle

    def __getattr__(self, name: str) -> Any:
        return getattr(self._printer, name)


def in_process(var_dir: Path, runs: int) -> dict[str, Any]:
    from kiosk.app.demo import Driver
    from kiosk.app.profiles import DeveloperOptions, build
    from kiosk.app.qt import application, make_window, start_on_qt
    from kiosk.config import load_profile
    from kiosk.flow import events as ev
    from kiosk.flow import state as st
    from printing.certificates import CertificateKind

    config = load_profile(write_developer(var_dir))
    kiosk = build(config, DeveloperOptions(var_dir=var_dir))
    world = kiosk.world
    printer = TimedPrinter(kiosk.runner.services.printer._printer)
    kiosk.runner.services.printer._printer = printer  # type: ignore[assignment]
    app = application(["kiosk-bench"])
    start_on_qt(kiosk.runner)
    window = make_window(kiosk.runner)
    window.show()
    driver = Driver(kiosk.runner, window, app, dock=world.cards, acceptor=world.acceptor)
    results: dict[str, Any] = {}
    stages: dict[str, dict[str, float]] = {}
    try:
        world.reset_card("normal")
        driver.wait_for(st.Start)
        stages["start screen"] = memory_mb()

        # Screen change: Start ↔ Consent, intent to the new screen rendered.
        changes: list[float] = []
        for _ in range(max(40, runs * 2)):
            for intent, target in (
                (ev.ChooseService(ev.Service.ISSUE), st.Consent),
                (ev.Back(), st.Start),
            ):
                started = time.monotonic()
                window.send(intent)
                driver.wait_for(target)
                changes.append(time.monotonic() - started)

        # PIN accepted → fee screen; the order screens' changes on the way.
        marks: dict[str, float] = {}

        def note() -> None:
            state = kiosk.runner.current()
            if isinstance(state.screen, st.Authenticating) and "accepted" not in marks:
                marks["accepted"] = time.monotonic()  # the flow has just taken PinAccepted
            txn = state.txn
            if txn is not None and txn.money.paid and "paid" not in marks:
                marks["paid"] = time.monotonic()  # the coin that completed the payment

        kiosk.runner.subscribe(note)
        to_offer: list[float] = []
        to_menu: list[float] = []
        for _ in range(runs):
            marks.clear()
            driver.to_pin("normal")
            driver.enter_pin("1234")
            driver.wait_for(st.TakeCard)
            driver.take_card()
            driver.wait_until(lambda s: s.txn is not None and s.txn.offer is not None, "offer")
            to_offer.append(time.monotonic() - marks["accepted"])
            driver.wait_for(st.CertificateChoice)
            to_menu.append(time.monotonic() - marks["accepted"])
            for intent, target in (
                (ev.ChooseCertificate(CertificateKind.JUMINHYO), st.OptionChoice),
                (ev.Next(), st.CopiesChoice),
                (ev.Next(), st.Confirmation),
                (ev.Back(), st.CopiesChoice),
            ):
                started = time.monotonic()
                window.send(intent)
                driver.wait_for(target)
                changes.append(time.monotonic() - started)
            driver.cancel()
            driver.wait_for(st.Start)
        results["screen_change"] = summary(changes)
        results["pin_accepted_to_offer"] = summary(to_offer)
        results["pin_accepted_to_fee_screen"] = summary(to_menu)
        stages["after authentications and menus"] = memory_mb()

        # Payment done → print job accepted (and completed), over a few issuances.
        handoff: list[float] = []
        completed: list[float] = []
        for _ in range(max(3, runs // 4)):
            marks.clear()
            driver.to_menu("normal", "1234")
            driver.order(CertificateKind.JUMINHYO)
            driver.confirm()
            driver.wait_for(st.Payment, timeout=120)
            jobs_before = len(printer.accepted)
            driver.insert_money([100, 50])  # the 150-yen fee
            driver.wait_until(
                lambda s, before=jobs_before: len(printer.accepted) > before, "job accepted", 60
            )
            handoff.append(printer.accepted[-1] - marks["paid"])
            driver.wait_for(st.Done, timeout=60)
            completed.append(time.monotonic() - marks["paid"])
            driver.send(ev.Finish())
            driver.wait_for(st.Start)
        results["payment_done_to_job_accepted"] = summary(handoff)
        results["payment_done_to_printed"] = summary(completed)
        stages["after issuances (job composed, printed)"] = memory_mb()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        results["peak_rss_mb"] = round(rss, 1)
        results["memory_by_stage_mb"] = stages
    finally:
        kiosk.runner.stop()
        window.close_source()
        window.close()
        kiosk.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="authentications measured")
    parser.add_argument("--cold-starts", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true", help="the kiosk's log on stderr")
    args = parser.parse_args(argv)
    if args.verbose:
        import logging

        logging.basicConfig(level=logging.DEBUG, format="%(relativeCreated)7d %(name)s %(message)s")
        for noisy in ("cardio", "PIL", "urllib3", "pikepdf", "printing", "hw_sim.card"):
            logging.getLogger(noisy).setLevel(logging.INFO)

    from hw_sim.stack import traversable_tmpdir

    var_dir = traversable_tmpdir("kiosk-bench-")
    report: dict[str, Any] = {}
    try:
        report.update(in_process(var_dir, args.runs))
        from kiosk.app.developer import DeveloperCenter

        # The world keeps running for the developer cold start: the center is started again
        # (kiosk.close stopped the one this process started) and reused by every child.
        center = DeveloperCenter(var_dir / "center", var_dir / "pki")
        center.ensure_running()
        try:
            report["cold_start_cityhall"] = cold_start(
                write_cityhall(var_dir / "cityhall"), {}, args.cold_starts
            )
            report["cold_start_developer_world_running"] = cold_start(
                var_dir / "developer.toml", {"KIOSK_VAR_DIR": str(var_dir)}, args.cold_starts
            )
        finally:
            center.stop()
    finally:
        subprocess.run(
            [sys.executable, "-m", "hw_sim.stack", "stop", "--dir", str(var_dir / "run")],
            cwd=REPO,
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(var_dir, ignore_errors=True)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for name, value in report.items():
            print(f"{name:40} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
