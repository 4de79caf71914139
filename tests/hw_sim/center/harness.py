"""The simulated center as a real process for tests: started with ``python -m hw_sim.center
serve`` on loopback (ports chosen by the OS), steered through its admin endpoint, reached by
the kiosk's real client over mutual TLS.

Fixtures here are imported by the center's test modules (hw_sim and e2e); see
tests/hw_sim/center/conftest.py and tests/e2e/test_center_*.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from hw_sim.pki import JpkiTestPki
from kiosk.center import wire
from kiosk.center.client import CenterClient, CenterConfig

REPO = Path(__file__).resolve().parents[3]
START_TIMEOUT_S = 120.0  # world load + persona credentials + spawn of the render workers
STANDIN_PAGE_MAKER = "tests.hw_sim.center.standins:page_maker"
REAL_PAGE_MAKER = "hw_sim.center.backside:real_page_maker"
KIOSKS = ("kiosk-0001", "kiosk-0002", "kiosk-0003")
# A weekday morning inside every municipality's hours (not a holiday, no recurring maintenance).
BUSINESS_MORNING = datetime.fromisoformat("2026-11-26T10:00:00+09:00")


class RunningCenter:
    """One ``python -m hw_sim.center serve`` process and its endpoints."""

    def __init__(
        self,
        state_dir: Path,
        pki_dir: Path,
        *,
        page_maker: str,
        workers: int = 2,
        kiosks: tuple[str, ...] = KIOSKS,
        world_factory: str | None = None,
    ) -> None:
        self.state_dir = state_dir
        self.pki_dir = pki_dir
        self.page_maker = page_maker
        self.workers = workers
        self.kiosks = kiosks
        self.world_factory = world_factory
        self.proc: subprocess.Popen[bytes] | None = None
        self.endpoints: dict[str, Any] = {}
        self.log_path = state_dir / "server.log"

    def start(self) -> None:
        endpoints_file = self.state_dir / "endpoints.json"
        endpoints_file.unlink(missing_ok=True)
        self.state_dir.mkdir(parents=True, exist_ok=True)
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
            "0",
            "--workers",
            str(self.workers),
            "--page-maker",
            self.page_maker,
        ]
        for kiosk in self.kiosks:
            argv += ["--kiosk", kiosk]
        if self.world_factory:
            argv += ["--world-factory", self.world_factory]
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child for its lifetime
        self.proc = subprocess.Popen(argv, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"center exited: {self.log_path.read_text()[-3000:]}")
            if endpoints_file.exists():
                endpoints = json.loads(endpoints_file.read_text())
                if endpoints.get("pid") == self.proc.pid:
                    self.endpoints = endpoints
                    return
            time.sleep(0.1)
        self.stop()
        raise TimeoutError("the center did not start in time")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    # -- steering ------------------------------------------------------------------------------
    def admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - the loopback admin URL of our server
            self.endpoints["admin_url"] + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - loopback
            return json.loads(answer.read()).get("result")

    def fault(self, kind: str, **rule: Any) -> None:
        self.admin("POST", "/admin/faults", {"kind": kind, **rule})

    def set_clock(self, moment: datetime | None) -> None:
        self.admin("POST", "/admin/clock", {"now": moment.isoformat() if moment else None})

    def reset(self) -> None:
        """Back to a quiet center: no faults, no delays, no maintenance, business morning."""
        self.admin("DELETE", "/admin/faults")
        self.admin("DELETE", "/admin/center-maintenance")
        self.set_clock(BUSINESS_MORNING)

    def kiosk_config(self, kiosk_id: str = "kiosk-0001") -> CenterConfig:
        kiosk = self.admin("POST", "/admin/kiosks", {"kiosk_id": kiosk_id, "register": False})
        return CenterConfig(
            base_url=self.endpoints["center_url"],
            ca_path=Path(self.endpoints["ca_path"]),
            cert_path=Path(kiosk["cert_path"]),
            key_path=Path(kiosk["key_path"]),
        )

    def client(self, kiosk_id: str = "kiosk-0001", **kwargs: Any) -> CenterClient:
        return CenterClient(self.kiosk_config(kiosk_id), **kwargs)


@dataclass(frozen=True)
class PersonaKey:
    """A persona's card key held in-process (to test the center without a card reader)."""

    certificate: bytes
    sign: Callable[[bytes], bytes]


def persona_key(pki: JpkiTestPki, persona: str) -> PersonaKey:
    credentials = pki.credentials(persona)
    key = credentials.auth_key

    def sign(message: bytes) -> bytes:
        return key.sign(message, padding.PKCS1v15(), hashes.SHA256())

    return PersonaKey(credentials.auth_cert.public_bytes(serialization.Encoding.DER), sign)


def open_session(
    client: CenterClient,
    pki: JpkiTestPki,
    persona: str,
    purpose: wire.AuthPurpose = wire.AuthPurpose.ISSUANCE,
) -> wire.SessionGrant:
    key = persona_key(pki, persona)
    return client.authenticate(purpose, key.certificate, key.sign)


# -- fixtures --------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def center_pki(tmp_path_factory: pytest.TempPathFactory) -> JpkiTestPki:
    """The JPKI-TEST PKI shared by the virtual cards and the center in these tests."""
    return JpkiTestPki.load_or_create(tmp_path_factory.mktemp("center-pki"))


@pytest.fixture(scope="session")
def running_center(
    tmp_path_factory: pytest.TempPathFactory, center_pki: JpkiTestPki
) -> Iterator[RunningCenter]:
    """One simulated center for the session, making real back sides (printing.security)."""
    center = RunningCenter(
        tmp_path_factory.mktemp("center"), center_pki.folder, page_maker=REAL_PAGE_MAKER
    )
    center.start()
    try:
        yield center
    finally:
        center.stop()


@pytest.fixture
def center(running_center: RunningCenter) -> Iterator[RunningCenter]:
    """The session's center, reset to a quiet business morning before and after each test."""
    running_center.reset()
    try:
        yield running_center
    finally:
        if running_center.proc is not None and running_center.proc.poll() is None:
            running_center.reset()


@pytest.fixture
def client(center: RunningCenter) -> Iterator[CenterClient]:
    with center.client() as kiosk:
        yield kiosk


def env_without_proxies() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}


# -- the virtual card through pcscd + vpcd ---------------------------------------------------
class CardReader:
    """Persona cards put into the private pcscd's first vpcd slot and used through cardio.pcsc,
    as the kiosk uses a real reader."""

    def __init__(self, pcscd: Any, pki: JpkiTestPki, state_dir: Path) -> None:
        from cardio.pcsc import PcscContext
        from hw_sim.card.dock import CardDock

        self.dock = CardDock(port=pcscd.vpcd_ports[0], state_dir=state_dir, pki_dir=pki.folder)
        self.context = PcscContext()

    def answer(
        self, client: CenterClient, persona_id: str, purpose: wire.AuthPurpose
    ) -> tuple[wire.Challenge, bytes, bytes, Any]:
        """Insert the card, read it, verify the PIN, sign the challenge, pull the card."""
        from cardio import CollationNumberB, JpkiSession, KenmenHojoSession, UserPin
        from hw_sim.personas import get_persona
        from tests.cardio.pcsc_cards import READER, wait_for_card

        persona = get_persona(persona_id)
        self.dock.insert(0, persona_id)
        try:
            wait_for_card(self.context, present=True)
            with self.context.connect(READER) as connection:
                session = JpkiSession(connection)
                certificate = session.read_certificate()
                with UserPin(persona.auth_pin) as pin:
                    session.verify_pin(pin)
                challenge = client.challenge(purpose)
                signature = session.sign_sha256(challenge.message())
                facts = None
                if purpose is wire.AuthPurpose.REGISTRATION:
                    with CollationNumberB(persona.shogo_b) as number:
                        facts = KenmenHojoSession(connection).read(number).facts
        finally:
            self.dock.remove(0)
            wait_for_card(self.context, present=False)
        return challenge, certificate, signature, facts

    def session(
        self,
        client: CenterClient,
        persona_id: str,
        purpose: wire.AuthPurpose = wire.AuthPurpose.ISSUANCE,
    ) -> wire.SessionGrant:
        challenge, certificate, signature, _ = self.answer(client, persona_id, purpose)
        return client.open_session(challenge, certificate, signature)

    def close(self) -> None:
        self.dock.close()
        self.context.release()


@pytest.fixture(scope="module")
def card_reader(
    pcscd: Any, center_pki: JpkiTestPki, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CardReader]:
    reader = CardReader(pcscd, center_pki, tmp_path_factory.mktemp("cards"))
    try:
        yield reader
    finally:
        reader.close()
