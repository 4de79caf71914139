"""``python -m hw_sim.stack``: run the private daemons for the developer profile and manual tests.

    python -m hw_sim.stack start  [--dir var/run] [--only pcscd|cupsd] [--log-apdus]
    python -m hw_sim.stack status [--dir var/run]
    python -m hw_sim.stack stop   [--dir var/run]
    python -m hw_sim.stack fault  [--dir var/run] media-empty|media-jam|…|clear [--after-pages N]

``start`` launches a small supervisor (``serve``) in its own session; the supervisor starts a
private pcscd with the vpcd reader (:class:`PrivatePcscd`) and a private cupsd with its queues
(:class:`PrivateCupsd`), writes ``<dir>/env.sh`` with what a client needs, and stops both when
it gets SIGTERM (``stop``). The same classes serve the test fixtures. ``scripts/daemons`` is a
thin wrapper over this module.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from hw_sim.stack.cups_layout import CupsAdminError
from hw_sim.stack.cupsd import PrivateCupsd
from hw_sim.stack.pcscd import PrivatePcscd, free_port_pair
from hw_sim.stack.printer_faults import PrinterFaults, SimFault

START_TIMEOUT_S = 30.0  # both daemons are up in well under a second; generous
STOP_TIMEOUT_S = 30.0
DEFAULT_VPCD_PORT = 35963  # vsmartcard's own default (real-stack.md)
DEFAULT_CUPS_PORT = 8631  # near IPP's 631, unprivileged


def _tcp_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("0.0.0.0", port))  # noqa: S104 - vpcd binds all interfaces; test the same
        except OSError:
            return False
    return True


class Paths:
    def __init__(self, base: Path) -> None:
        self.base = base.absolute()
        self.pidfile = self.base / "daemons.pid"
        self.state = self.base / "daemons.json"
        self.env_sh = self.base / "env.sh"
        self.log = self.base / "daemons.log"
        self.pcscd = self.base / "pcscd"
        self.cupsd = self.base / "cupsd"


def _supervisor_pid(paths: Paths) -> int | None:
    """The running supervisor's pid, or None (a stale pid file is removed)."""
    try:
        pid = int(paths.pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        cmdline = b""
    if b"hw_sim.stack" not in cmdline or b"serve" not in cmdline:
        paths.pidfile.unlink(missing_ok=True)
        return None
    return pid


def _env_lines(env: dict[str, str]) -> str:
    return "".join(f"export {k}={shlex.quote(v)}\n" for k, v in sorted(env.items()))


def serve(
    paths: Paths, only: str | None, cups_port: int, vpcd_port: int, log_apdus: bool = False
) -> int:
    """Run the daemons in the foreground until SIGTERM or SIGINT."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    paths.base.mkdir(parents=True, exist_ok=True)
    pcscd: PrivatePcscd | None = None
    cupsd: PrivateCupsd | None = None
    env: dict[str, str] = {}
    try:
        if only in (None, "pcscd"):
            port = vpcd_port if _tcp_free(vpcd_port) and _tcp_free(vpcd_port + 1) else None
            pcscd = PrivatePcscd(paths.pcscd, port=port or free_port_pair(), log_apdus=log_apdus)
            pcscd.start()
            env.update(pcscd.env)
            env["KIOSK_VPCD_PORTS"] = ",".join(str(p) for p in pcscd.vpcd_ports)
        if only in (None, "cupsd"):
            cupsd = PrivateCupsd(
                paths.cupsd, port=cups_port if _tcp_free(cups_port) else None, cups_pdf=True
            )
            cupsd.start()
            env.update(cupsd.env)
            env["KIOSK_CUPSD_DIR"] = str(cupsd.rundir)
            env["KIOSK_PRINTER_QUEUE"] = cupsd.capture_queue
            if cupsd.pdf_queue:
                env["KIOSK_PDF_QUEUE"] = cupsd.pdf_queue
    except Exception as exc:
        print(f"daemons: start failed: {exc}", file=sys.stderr, flush=True)
        for daemon in (cupsd, pcscd):
            if daemon is not None:
                daemon.stop()
        return 1
    paths.env_sh.write_text("# written by python -m hw_sim.stack start\n" + _env_lines(env))
    paths.state.write_text(
        json.dumps(
            {
                "pid": os.getpid(),
                "env": env,
                "pcscd_running": pcscd is not None and pcscd.running,
                "cupsd_pid": cupsd.pid if cupsd else None,
                "capture_dir": str(cupsd.capture_dir()) if cupsd else None,
                "cups_pdf_dir": str(cupsd.layout.cups_pdf_dir)
                if cupsd and cupsd.pdf_queue
                else None,
            },
            indent=1,
        )
    )
    paths.pidfile.write_text(f"{os.getpid()}\n")
    print("daemons: ready", flush=True)
    try:
        while not stop.wait(1.0):
            for name, daemon in (("pcscd", pcscd), ("cupsd", cupsd)):
                if daemon is not None and not daemon.running:
                    print(f"daemons: {name} exited", file=sys.stderr, flush=True)
    finally:
        for daemon in (cupsd, pcscd):
            if daemon is not None:
                daemon.stop()
        for path in (paths.pidfile, paths.state, paths.env_sh):
            path.unlink(missing_ok=True)
        print("daemons: stopped", flush=True)
    return 0


def start(paths: Paths, args: argparse.Namespace) -> int:
    if (pid := _supervisor_pid(paths)) is not None:
        print(f"daemons: already running (supervisor pid {pid})")
        print(paths.env_sh.read_text() if paths.env_sh.exists() else "", end="")
        return 0
    paths.base.mkdir(parents=True, exist_ok=True)
    argv = [
        sys.executable,
        "-m",
        "hw_sim.stack",
        "serve",
        "--dir",
        str(paths.base),
        "--cups-port",
        str(args.cups_port),
        "--vpcd-port",
        str(args.vpcd_port),
    ]
    if args.only:
        argv += ["--only", args.only]
    if args.log_apdus:
        argv.append("--log-apdus")
    with open(paths.log, "ab") as log:
        proc = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            print(f"daemons: failed to start; see {paths.log}:", file=sys.stderr)
            print(paths.log.read_text(errors="replace")[-1500:], file=sys.stderr)
            return 1
        if paths.pidfile.exists() and paths.env_sh.exists():
            print(f"daemons: started (supervisor pid {proc.pid}); source {paths.env_sh}")
            print(paths.env_sh.read_text(), end="")
            return 0
        time.sleep(0.05)
    print("daemons: not ready in time; stopping", file=sys.stderr)
    proc.terminate()
    return 1


def stop(paths: Paths) -> int:
    pid = _supervisor_pid(paths)
    if pid is None:
        print("daemons: not running")
        return 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            print("daemons: stopped")
            return 0
        time.sleep(0.05)
    print(f"daemons: supervisor {pid} did not stop in {STOP_TIMEOUT_S:.0f} s", file=sys.stderr)
    return 1


def status(paths: Paths) -> int:
    pid = _supervisor_pid(paths)
    if pid is None:
        print("daemons: not running")
        return 3  # LSB: program is not running
    state = json.loads(paths.state.read_text()) if paths.state.exists() else {}
    env = state.get("env", {})
    print(f"daemons: running (supervisor pid {pid})")
    if "PCSCLITE_CSOCK_NAME" in env:
        up = Path(env["PCSCLITE_CSOCK_NAME"]).exists()
        print(f"  pcscd: {'up' if up else 'DOWN'}, vpcd ports {env.get('KIOSK_VPCD_PORTS')}")
    if "CUPS_SERVER" in env:
        host, _, port = env["CUPS_SERVER"].partition(":")
        with socket.socket() as s:
            s.settimeout(1.0)
            up = s.connect_ex((host, int(port))) == 0
        print(
            f"  cupsd: {'up' if up else 'DOWN'} at {env['CUPS_SERVER']}, "
            f"captures in {state.get('capture_dir')}"
        )
    print(_env_lines(env), end="")
    return 0


def fault(paths: Paths, args: argparse.Namespace) -> int:
    faults = PrinterFaults(paths.cupsd, queue=args.queue)
    action = args.action
    if action == "clear":
        faults.clear()
    elif action == "stop-printer":
        faults.stop_printer(args.reason)
    elif action == "reject":
        faults.reject_jobs(args.reason)
    elif action == "slow":
        faults.slow(args.page_delay)
    else:
        faults.set(
            SimFault(action),
            after_pages=args.after_pages,
            mode=args.mode,
            severity=args.severity,
            page_delay_s=args.page_delay,
        )
    print(f"printer {args.queue}: {faults.current()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m hw_sim.stack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("start", "serve", "stop", "status", "fault"):
        cmd = sub.add_parser(name)
        cmd.add_argument("--dir", type=Path, default=Path("var/run"))
        if name in ("start", "serve"):
            cmd.add_argument("--only", choices=("pcscd", "cupsd"))
            cmd.add_argument("--cups-port", type=int, default=DEFAULT_CUPS_PORT)
            cmd.add_argument("--vpcd-port", type=int, default=DEFAULT_VPCD_PORT)
            cmd.add_argument(
                "--log-apdus",
                action="store_true",
                help="pcscd logs every APDU to <dir>/pcscd/pcscd.log (0600, bounded, PINs "
                "masked; the card's answers hold the test personas' names and addresses)",
            )
        if name == "fault":
            cmd.add_argument(
                "action",
                choices=[*(f.value for f in SimFault), "clear", "stop-printer", "reject", "slow"],
            )
            cmd.add_argument("--after-pages", type=int, default=0)
            cmd.add_argument("--mode", choices=("stop", "wait"), default="stop")
            cmd.add_argument("--severity", choices=("error", "warning", "report"), default="error")
            cmd.add_argument("--page-delay", type=float, default=0.0)
            cmd.add_argument("--reason", default="Stopped from the command line")
            cmd.add_argument("--queue", default="KioskCapture")
    args = parser.parse_args(argv)
    paths = Paths(args.dir)
    if args.command == "serve":
        return serve(paths, args.only, args.cups_port, args.vpcd_port, args.log_apdus)
    if args.command == "start":
        return start(paths, args)
    if args.command == "stop":
        return stop(paths)
    if args.command == "status":
        return status(paths)
    try:
        return fault(paths, args)
    except CupsAdminError as exc:
        print(
            f"fault: {exc} (is the private cupsd running? scripts/daemons status)", file=sys.stderr
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
