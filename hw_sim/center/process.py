"""Run the simulated center as a child process and steer it (for tests, benchmarks and the
developer profile): ``python -m hw_sim.center serve`` on loopback with OS-chosen ports, found
through its ``endpoints.json``, steered through the loopback admin endpoint.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from datetime import date, datetime
from pathlib import Path
from typing import Any

from hw_sim.center.server import ENDPOINTS_FILE, ServerConfig
from hw_sim.processes import stop_process
from kiosk.center.wire import JST

START_TIMEOUT_S = 120.0  # world load + persona credentials + spawn of the render workers
STOP_TIMEOUT_S = 30.0
ADMIN_TIMEOUT_S = 30.0


class CenterProcess:
    """One ``python -m hw_sim.center serve`` child process and its endpoints."""

    def __init__(
        self,
        state_dir: Path,
        pki_dir: Path,
        *,
        kiosks: tuple[str, ...] = ("kiosk-0001",),
        workers: int = 2,
        port: int = 0,
        page_maker: str = ServerConfig.page_maker_factory,
        world_factory: str = ServerConfig.world_factory,
        cwd: Path | None = None,
    ) -> None:
        self.state_dir = Path(state_dir)
        self.pki_dir = Path(pki_dir)
        self.kiosks = kiosks
        self.workers = workers
        self.port = port
        self.page_maker = page_maker
        self.world_factory = world_factory
        self.cwd = cwd
        self.proc: subprocess.Popen[bytes] | None = None
        self.endpoints: dict[str, Any] = {}

    @property
    def log_path(self) -> Path:
        return self.state_dir / "server.log"

    def argv(self) -> list[str]:
        argv = [
            sys.executable,
            "-m",
            "hw_sim.center",
            "--state-dir",
            str(self.state_dir),
            "serve",
            "--pki-dir",
            str(self.pki_dir),
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--page-maker",
            self.page_maker,
            "--world-factory",
            self.world_factory,
        ]
        for kiosk in self.kiosks:
            argv += ["--kiosk", kiosk]
        return argv

    def start(self) -> dict[str, Any]:
        """Start the child and wait until it has written its endpoints."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        endpoints_file = self.state_dir / ENDPOINTS_FILE
        endpoints_file.unlink(missing_ok=True)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.argv(), cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the center exited: {self.log_path.read_text()[-3000:]}")
            if endpoints_file.exists():
                endpoints: dict[str, Any] = json.loads(endpoints_file.read_text())
                if endpoints.get("pid") == self.proc.pid:
                    self.endpoints = endpoints
                    return endpoints
            time.sleep(0.1)
        self.stop()
        raise TimeoutError("the center did not start in time")

    def stop(self) -> None:
        """SIGTERM, then wait (SIGKILL after STOP_TIMEOUT_S)."""
        if self.proc is not None:
            stop_process(self.proc, STOP_TIMEOUT_S)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- steering ------------------------------------------------------------------------------
    def admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Call the admin endpoint; returns its ``result``."""
        url = self.endpoints["admin_url"]
        if not url.startswith("http://127.0.0.1:"):
            raise ValueError("the admin endpoint is loopback only")
        request = urllib.request.Request(  # noqa: S310 - loopback http URL checked above
            url + path,
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=ADMIN_TIMEOUT_S) as answer:  # noqa: S310
            return json.loads(answer.read()).get("result")

    def fault(self, kind: str, **rule: Any) -> None:
        self.admin("POST", "/admin/faults", {"kind": kind, **rule})

    def set_clock(self, moment: datetime | None) -> None:
        self.admin("POST", "/admin/clock", {"now": moment.isoformat() if moment else None})

    def business_now(self) -> datetime:
        """The center's business clock now (what issuances are booked and settled by)."""
        status = self.admin("GET", "/admin/status")
        return datetime.fromisoformat(status["business_now"])

    def business_day(self) -> date:
        """The center's business day now: the JST date of its business clock."""
        return self.business_now().astimezone(JST).date()

    def kiosk_files(self, kiosk_id: str, *, register: bool = False) -> dict[str, str]:
        """Paths of a kiosk's certificate, key and the center CA (issued if missing)."""
        result: dict[str, str] = self.admin(
            "POST", "/admin/kiosks", {"kiosk_id": kiosk_id, "register": register}
        )
        return result
