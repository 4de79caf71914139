"""The JPKI validity service as its own process: the OCSP responder of hw_sim/center/ocsp.py
over HTTP on loopback, like the JPKI center is a system apart from the issuance center.

It knows the auth certificates the test PKI issued to personas (``good``, or ``revoked`` for
personas flagged so) and reads run-time revocations from the center's database (table
``revocations``, written by the admin endpoint) on every request, so a revocation counts at
once. Running apart keeps the responder's RSA signatures off the center's event loop.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from aiohttp import web
from cryptography import x509

from hw_sim.center.keys import CenterKeys
from hw_sim.center.ocsp import PERSONA_REVOCATION_TIME, OcspResponder, Revocation, ocsp_application
from hw_sim.personas import list_personas
from hw_sim.pki import JpkiTestPki

READY_TIMEOUT_S = 60.0  # persona credentials are made on first use (RSA key generation)
STOP_TIMEOUT_S = 10.0


def persona_serials(pki: JpkiTestPki) -> dict[str, int]:
    """Persona id → serial of its user-authentication certificate."""
    return {
        persona.id: pki.credentials(persona).auth_cert.serial_number for persona in list_personas()
    }


@dataclass(frozen=True)
class ValidityConfig:
    database: Path  # the center's center.sqlite3 (read only here)
    pki_dir: Path
    keys_dir: Path
    host: str = "127.0.0.1"
    port: int = 0


class StatusBook:
    """What the responder says about a serial: issued to a persona, revoked, or unknown."""

    def __init__(self, pki: JpkiTestPki, database: Path) -> None:
        serials = persona_serials(pki)
        flagged = {p.id for p in list_personas() if p.revoked}
        self._issued = set(serials.values())
        self._flagged = {serials[pid] for pid in flagged}
        self._db = sqlite3.connect(f"file:{database}?mode=ro", uri=True, check_same_thread=False)

    def __call__(self, serial: int) -> str | Revocation | None:
        row = self._db.execute(
            "SELECT revoked_at FROM revocations WHERE serial_hex = ?", (format(serial, "x"),)
        ).fetchone()
        if row is not None:
            return Revocation(datetime.fromisoformat(row[0]), x509.ReasonFlags.key_compromise)
        if serial in self._flagged:
            return Revocation(PERSONA_REVOCATION_TIME, x509.ReasonFlags.key_compromise)
        return "good" if serial in self._issued else None


def _serve(config: ValidityConfig, ready: Any) -> None:
    """Process entry point: serve until SIGTERM; report the bound port on ``ready``."""

    async def main() -> None:
        pki = JpkiTestPki.load_or_create(config.pki_dir)
        keys = CenterKeys(config.keys_dir)
        responder = OcspResponder(
            pki.auth_ca_cert, keys.ocsp_cert, keys.ocsp_key, StatusBook(pki, config.database)
        )
        runner = web.AppRunner(ocsp_application(responder), access_log=None, handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, config.host, config.port).start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.add_signal_handler(signal.SIGINT, stop.set)
        ready.put(int(runner.addresses[-1][1]))
        await stop.wait()
        await runner.cleanup()

    asyncio.run(main())


class ValidityProcess:
    """Start and stop the validity service process."""

    def __init__(self, config: ValidityConfig) -> None:
        self.config = config
        self._process: BaseProcess | None = None
        self.port = 0

    def start(self) -> str:
        """Start the process and return the responder's URL."""
        context = multiprocessing.get_context("spawn")
        ready = context.Queue()
        self._process = context.Process(
            target=_serve, args=(self.config, ready), name="jpki-validity", daemon=True
        )
        self._process.start()
        self.port = int(ready.get(timeout=READY_TIMEOUT_S))
        return f"http://{self.config.host}:{self.port}/ocsp"

    def stop(self) -> None:
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join(STOP_TIMEOUT_S)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
        self._process = None
