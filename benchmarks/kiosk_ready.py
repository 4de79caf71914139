"""Boot to start screen: from the service manager starting the kiosk to READY=1, with the
PyInstaller bundle (what the package installs), on a NOTIFY_SOCKET of our own.

Each run does what konbini-kiosk.service does at a start: the release guard's ``pre-start``
(deploy/bin/release-guard, the system's Python, on a release tree of its own), then the
bundle's kiosk with ``--fullscreen --hide-cursor`` until it sends READY=1 (its start screen
shown and exposed by the compositor), then SIGTERM. Displays:

- ``cage``: the Wayland kiosk compositor (x11 backend on a private Xvfb, 1024x768; run as
  ``nobody``, cage refuses root), Qt on Wayland — the kiosk session;
- ``offscreen``: Qt's offscreen platform (no compositor), for comparison.

The profile is a city-hall one with test TLS material (benchmarks/kiosk_perf.py); no reader,
printer or center answers, as on a kiosk whose devices are still waking up: the kiosk shows
its start screen anyway. File caches are warm after the first run (that run is reported
apart: a first start after boot reads the bundle from disk).

    .venv/bin/python benchmarks/kiosk_ready.py                       # builds the bundle
    .venv/bin/python benchmarks/kiosk_ready.py --bundle dist/kiosk --runs 20 --json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from kiosk_perf import summary, write_cityhall  # noqa: E402

from tests.kiosk.notify_socket import NotifySocket  # noqa: E402

READY_TIMEOUT_S = 120


def build_bundle(work: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "ERROR",
         "--distpath", str(work / "dist"), "--workpath", str(work / "build"),
         str(REPO / "kiosk.spec")],
        cwd=REPO,
        check=True,
    )  # fmt: skip
    return work / "dist" / "kiosk"


def guard_tree(work: Path, bundle: Path) -> Path:
    """A release tree for the guard (KONBINI_KIOSK_ROOT): the bundle as the current release."""
    root = work / "guard-root"
    releases = root / "opt" / "konbini-kiosk" / "releases"
    releases.mkdir(parents=True)
    (releases / "bench").symlink_to(bundle)
    (root / "opt" / "konbini-kiosk" / "current").symlink_to("releases/bench")
    return root


class Cage:
    """cage on a private Xvfb, as nobody; the kiosk (root) connects to its socket."""

    def __init__(self, work: Path) -> None:
        self.runtime = work / "cage-runtime"
        self.runtime.mkdir(mode=0o700)
        shutil.chown(self.runtime, "nobody")
        read, write = os.pipe()
        self.xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-nolisten", "tcp", "-screen", "0", "1280x1024x24"],
            pass_fds=(write,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write)
        with os.fdopen(read) as numbers:
            display = numbers.readline().strip()
        self.cage = subprocess.Popen(
            ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "env", "-i",
             "PATH=/usr/bin:/bin", f"XDG_RUNTIME_DIR={self.runtime}", f"DISPLAY=:{display}",
             "WLR_BACKENDS=x11", "WLR_RENDERER=pixman", "WLR_LIBINPUT_NO_DEVICES=1",
             "cage", "-d", "--", "sleep", "infinity"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while not (self.runtime / "wayland-0").exists():
            if time.monotonic() > deadline or self.cage.poll() is not None:
                raise RuntimeError("cage did not start (Xvfb and cage installed? scripts/setup)")
            time.sleep(0.05)

    def env(self) -> dict[str, str]:
        return {
            "QT_QPA_PLATFORM": "wayland",
            "QT_WAYLAND_DISABLE_WINDOWDECORATION": "1",
            "XDG_RUNTIME_DIR": str(self.runtime),
            "WAYLAND_DISPLAY": "wayland-0",
        }

    def close(self) -> None:
        for process in (self.cage, self.xvfb):
            process.terminate()
            process.wait(30)


def guard(command: str, guard_root: Path) -> None:
    """deploy/bin/release-guard with the system's Python, its package from the checkout."""
    code = (
        f"import sys; sys.path.insert(0, {str(REPO / 'deploy')!r}); "
        f"from konbini_release.guard import main; sys.exit(main([{command!r}]))"
    )
    subprocess.run(
        ["/usr/bin/python3", "-IB", "-c", code],
        env={"KONBINI_KIOSK_ROOT": str(guard_root)},
        check=True,
        capture_output=True,
    )


def one_start(
    bundle: Path, profile: Path, guard_root: Path, display_env: dict[str, str], work: Path
) -> dict[str, float]:
    notify_path = work / "notify.sock"
    notify_path.unlink(missing_ok=True)
    manager = NotifySocket(notify_path)
    try:
        started = time.monotonic()
        guard("pre-start", guard_root)
        guarded = time.monotonic()
        env = {
            "PATH": os.environ["PATH"],
            "LANG": "C.UTF-8",
            "HOME": str(work),
            "XDG_CACHE_HOME": str(work / "cache"),
            "NOTIFY_SOCKET": str(notify_path),
            **display_env,
        }
        kiosk = subprocess.Popen(
            [str(bundle / "kiosk"), "--profile", str(profile), "--fullscreen", "--hide-cursor"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            if not manager.wait_for("READY=1", READY_TIMEOUT_S):
                raise RuntimeError("the kiosk never sent READY=1")
            ready = manager.times("READY=1")[0]
            guard("ready", guard_root)  # ExecStartPost
        finally:
            kiosk.terminate()
            kiosk.wait(60)
        return {"guard": guarded - started, "kiosk": ready - guarded, "total": ready - started}
    finally:
        manager.close()


def measure(bundle: Path, runs: int, display: str, work: Path) -> dict[str, Any]:
    profile = write_cityhall(work / display)
    guard_root = guard_tree(work / display, bundle)
    cage = Cage(work / display) if display == "cage" else None
    display_env = cage.env() if cage else {"QT_QPA_PLATFORM": "offscreen"}
    try:
        first = one_start(bundle, profile, guard_root, display_env, work)
        rest = [one_start(bundle, profile, guard_root, display_env, work) for _ in range(runs)]
    finally:
        if cage is not None:
            cage.close()
    return {
        "first_start_ms": round(first["total"] * 1000),
        "start_to_ready": summary([r["total"] for r in rest]),
        "release_guard": summary([r["guard"] for r in rest]),
        "kiosk_to_ready": summary([r["kiosk"] for r in rest]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, help="a built bundle (default: build one)")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--display", choices=["cage", "offscreen", "both"], default="both")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kiosk-ready-") as folder:
        work = Path(folder)
        os.chmod(work, 0o755)  # noqa: S103 - cage runs as nobody below it
        bundle = args.bundle.resolve() if args.bundle else build_bundle(work / "bundle")
        displays = ["cage", "offscreen"] if args.display == "both" else [args.display]
        results = {display: measure(bundle, args.runs, display, work) for display in displays}
    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    print(f"start → READY=1 with the bundle, {args.runs} warm runs (+ the first apart)")
    print(f"{'display':10} {'first':>8} {'median':>8} {'p95':>8} {'max':>8} {'guard':>8}")
    for display, result in results.items():
        total = result["start_to_ready"]
        print(
            f"{display:10} {result['first_start_ms']:>6} ms {total['median_ms']:>5.0f} ms "
            f"{total['p95_ms']:>5.0f} ms {total['max_ms']:>5.0f} ms "
            f"{result['release_guard']['median_ms']:>5.0f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
