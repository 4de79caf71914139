"""Start the simulated center: HTTPS center (mTLS), JPKI validity service (OCSP) and the admin
endpoint, in one process with one event loop, plus the render process pool.

``endpoints.json`` in the state folder tells clients (tests, the kiosk's developer profile,
the CLI) where everything listens, so ports may be chosen by the OS (``port=0``).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import signal
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from hw_sim.center.admin import AdminContext, admin_application, kiosk_spec
from hw_sim.center.app import create_app
from hw_sim.center.faults import BusinessClock, FaultBoard
from hw_sim.center.http import IDEMPOTENCY_RETENTION, json_error_protocols
from hw_sim.center.keys import CenterKeys
from hw_sim.center.lgwan import Gateway
from hw_sim.center.render import WorkerConfig, es256
from hw_sim.center.service import CenterService
from hw_sim.center.state import AsyncStore, Store
from hw_sim.center.validity import ValidityClient
from hw_sim.center.validity_service import ValidityConfig, ValidityProcess, persona_serials
from hw_sim.center.verification import (
    DEFAULT_RETENTION_MONTHS,
    VerificationService,
    VerificationStore,
    verification_application,
)
from hw_sim.pki import JpkiTestPki
from kiosk.center import wire

log = logging.getLogger(__name__)

ENDPOINTS_FILE = "endpoints.json"
# Expired challenges and sessions, and idempotency records past their retention, are deleted
# this often (docs/center-protocol.md, "Idempotency": kept at least 7 days).
PURGE_INTERVAL_S = 600.0
# The developer kiosk plays a store kiosk and a city-hall kiosk with counter payment.
DEFAULT_KIOSKS = ("kiosk-0001=kiosk,counter",)


@dataclass
class ServerConfig:
    state_dir: Path
    pki_dir: Path
    world_dir: Path | None = None  # default: <state_dir>/world
    host: str = "127.0.0.1"
    port: int = 8443
    ocsp_port: int = 0
    admin_port: int = 0
    verification_port: int = 0  # the public verification listener (no client certificate)
    verification_retention_months: int = DEFAULT_RETENTION_MONTHS
    render_workers: int = 2
    # Registered at start (certificates made if missing): ``ID`` or ``ID=kiosk,counter``.
    kiosks: tuple[str, ...] = DEFAULT_KIOSKS
    world_factory: str = "hw_sim.municipality.api:World.load"
    page_maker_factory: str = "hw_sim.center.backside:real_page_maker"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def keys_dir(self) -> Path:
        return self.state_dir / "keys"

    @property
    def resolved_world_dir(self) -> Path:
        return self.world_dir or self.state_dir / "world"


def public_ssl_context(keys: CenterKeys) -> ssl.SSLContext:
    """TLS ≥ 1.2 with the center's server certificate and no client certificate: the
    verification service is for anyone who holds a certificate's paper."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(keys.server_cert_path, keys.server_key_path)
    context.verify_mode = ssl.CERT_NONE
    return context


def server_ssl_context(keys: CenterKeys) -> ssl.SSLContext:
    """TLS ≥ 1.2, the center's server certificate, client certificates required from the CA."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(keys.ca_path))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(keys.server_cert_path, keys.server_key_path)
    context.verify_mode = ssl.CERT_REQUIRED
    return context


class CenterServer:
    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self._runners: list[web.AppRunner] = []
        self._listeners: list[asyncio.Server] = []
        self._closers: list[Any] = []
        self.endpoints: dict[str, Any] = {}
        self._purger: asyncio.Task[None] | None = None

    async def start(self) -> dict[str, Any]:
        config = self.config
        config.state_dir.mkdir(parents=True, exist_ok=True)
        pki = JpkiTestPki.load_or_create(config.pki_dir)
        keys = CenterKeys.load_or_create(config.keys_dir, pki)
        store = AsyncStore(Store(config.state_dir / "center.sqlite3"))
        self._closers.append(store.close)
        sessions = AsyncStore(Store(config.state_dir / "sessions.sqlite3", durable=False))
        self._closers.append(sessions.close)
        faults = FaultBoard()
        clock = BusinessClock()

        # The JPKI validity service (OCSP), a process of its own.
        validity_process = ValidityProcess(
            ValidityConfig(
                database=config.state_dir / "center.sqlite3",
                pki_dir=config.pki_dir,
                keys_dir=config.keys_dir,
                host=config.host,
                port=config.ocsp_port,
            )
        )
        loop = asyncio.get_running_loop()
        ocsp_url = await loop.run_in_executor(None, validity_process.start)
        self._closers.append(validity_process.stop)
        serials = persona_serials(pki)

        http = aiohttp.ClientSession()
        self._closers.append(http.close)
        validity = ValidityClient(ocsp_url, [pki.auth_ca_cert], http)
        gateway = Gateway(
            WorkerConfig(
                world_dir=config.resolved_world_dir,
                keys_dir=config.keys_dir,
                pki_dir=config.pki_dir,
                world_factory=config.world_factory,
                page_maker_factory=config.page_maker_factory,
            ),
            faults=faults,
            render_workers=config.render_workers,
        )
        await gateway.start()
        self._closers.append(gateway.close)
        verification_store = VerificationStore(config.state_dir / "verification")
        self._closers.append(verification_store.close)
        verifications = VerificationService(
            verification_store, clock.now, config.verification_retention_months
        )
        service = CenterService(
            verifications=verifications,
            store=store,
            sessions=sessions,
            gateway=gateway,
            validity=validity,
            jpki_roots=[pki.auth_ca_cert],
            clock=clock,
        )
        await service.start()

        kiosks = {}
        for spec in config.kiosks:
            kiosk_id, modes = kiosk_spec(spec)
            credentials = keys.kiosk(kiosk_id)
            await store.call(
                store.store.register_kiosk,
                kiosk_id,
                credentials.fingerprint,
                datetime.now(UTC),
                modes,
            )
            kiosks[kiosk_id] = {
                "cert_path": str(credentials.cert_path),
                "key_path": str(credentials.key_path),
            }

        def resign(value: dict[str, Any]) -> dict[str, Any]:
            signature = es256(keys.envelope_key, wire.canonical(value["envelope"]))
            value["signature"]["value"] = base64.b64encode(signature).decode("ascii")
            return value

        center_port = await self._serve(
            create_app(service, faults, resign), config.host, config.port, server_ssl_context(keys)
        )
        verification_port = await self._serve(
            verification_application(verifications),
            config.host,
            config.verification_port,
            public_ssl_context(keys),
        )
        admin = AdminContext(service, faults, clock, keys, serials)
        admin_port = await self._serve(
            admin_application(admin), "127.0.0.1", config.admin_port, None
        )
        self.endpoints = {
            "center_url": f"https://{_url_host(config.host)}:{center_port}",
            "ocsp_url": ocsp_url,
            "admin_url": f"http://127.0.0.1:{admin_port}",
            "verification_url": f"https://{_url_host(config.host)}:{verification_port}",
            "ca_path": str(keys.ca_path),
            "kiosks": kiosks,
            "pid": os.getpid(),
        }
        self._purger = asyncio.create_task(self._purge_forever(store, sessions, verifications))
        target = config.state_dir / ENDPOINTS_FILE
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.endpoints, indent=2))
        tmp.replace(target)
        log.info(
            "center listening on %s (OCSP %s, admin %s)",
            self.endpoints["center_url"],
            ocsp_url,
            self.endpoints["admin_url"],
        )
        return self.endpoints

    async def _serve(
        self, app: web.Application, host: str, port: int, context: ssl.SSLContext | None
    ) -> int:
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        self._runners.append(runner)
        assert runner.server is not None
        # Not web.TCPSite: its connections would answer what the HTTP parser refuses in
        # aiohttp's plain text (hw_sim.center.http.json_error_protocols).
        listener = await asyncio.get_running_loop().create_server(
            json_error_protocols(runner.server), host, port, ssl=context, reuse_address=True
        )
        self._listeners.append(listener)
        return int(listener.sockets[0].getsockname()[1])

    async def _purge_forever(
        self, store: AsyncStore, sessions: AsyncStore, verifications: VerificationService
    ) -> None:
        while True:
            now = datetime.now(UTC)
            keep_since = now - IDEMPOTENCY_RETENTION
            try:
                await sessions.call(sessions.store.purge, now, keep_since)
                await store.call(store.store.purge, now, keep_since)
                await asyncio.get_running_loop().run_in_executor(
                    None, verifications.store.purge, verifications.now()
                )
            except Exception:  # a locked or full disk must not stop the center; retry later
                log.exception("purging expired state failed")
            await asyncio.sleep(PURGE_INTERVAL_S)

    async def stop(self) -> None:
        if self._purger is not None:
            self._purger.cancel()
        (self.config.state_dir / ENDPOINTS_FILE).unlink(missing_ok=True)
        for listener in self._listeners:
            listener.close()
        for runner in reversed(self._runners):
            await runner.cleanup()
        for closer in reversed(self._closers):
            result = closer()
            if asyncio.iscoroutine(result):
                await result


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def serve_forever(config: ServerConfig) -> None:
    """Run the center until SIGINT or SIGTERM."""

    async def main() -> None:
        server = CenterServer(config)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            endpoints = await server.start()
            print(json.dumps(endpoints), flush=True)
            await stop.wait()
        finally:
            await server.stop()

    asyncio.run(main())
