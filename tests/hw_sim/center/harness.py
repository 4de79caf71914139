"""The simulated center as a real process for tests: started with ``python -m hw_sim.center
serve`` on loopback (ports chosen by the OS), steered through its admin endpoint, reached by
the kiosk's real client over mutual TLS.

Fixtures here are imported by the center's test modules (hw_sim and e2e); see
tests/hw_sim/center/conftest.py and tests/e2e/test_center_*.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from hw_sim.center.process import CenterProcess
from hw_sim.center.server import ServerConfig
from hw_sim.pki import JpkiTestPki
from kiosk.center import wire
from kiosk.center.client import CenterClient, CenterConfig

REPO = Path(__file__).resolve().parents[3]
STANDIN_PAGE_MAKER = "tests.hw_sim.center.standins:page_maker"
REAL_PAGE_MAKER = "hw_sim.center.backside:real_page_maker"
# kiosk-0001 plays both roles in the tests (store and city hall); kiosk-0002 is a store kiosk,
# kiosk-0003 a city-hall kiosk with counter payment only (hw_sim.center.admin.kiosk_spec).
KIOSKS = ("kiosk-0001=kiosk,counter", "kiosk-0002=kiosk", "kiosk-0003=counter")
# The center's business clock in tests: a weekday morning inside every municipality's hours (not
# a holiday, no recurring maintenance), so refusal and offer tests are deterministic. It is the
# center's clock only — certificates, sessions and the kiosk use the system's — so a test that
# needs the business day asks the center (RunningCenter.business_day()), never the system date;
# tests/e2e/test_any_day.py runs the kiosk on business days far from today.
BUSINESS_MORNING = datetime.fromisoformat("2026-11-26T10:00:00+09:00")


class RunningCenter(CenterProcess):
    """The center process, with the kiosk client's view of it for tests."""

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
        super().__init__(
            state_dir,
            pki_dir,
            kiosks=kiosks,
            workers=workers,
            page_maker=page_maker,
            world_factory=world_factory or ServerConfig.world_factory,
            cwd=REPO,
        )

    def reset(self) -> None:
        """Back to a quiet center: no faults, no delays, no maintenance, business morning."""
        self.admin("DELETE", "/admin/faults")
        self.admin("DELETE", "/admin/center-maintenance")
        self.admin("DELETE", "/admin/verification-limits")
        self.set_clock(BUSINESS_MORNING)

    def kiosk_config(self, kiosk_id: str = "kiosk-0001") -> CenterConfig:
        kiosk = self.kiosk_files(kiosk_id)
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


@contextmanager
def center_of_its_own(
    state_dir: Path, pki_dir: Path, *, page_maker: str, **options: Any
) -> Iterator[RunningCenter]:
    """A one-worker center a module keeps to itself (state it cannot undo, a world of its own),
    started and quiet; stopped after."""
    server = RunningCenter(state_dir, pki_dir, page_maker=page_maker, workers=1, **options)
    server.start()
    server.reset()
    try:
        yield server
    finally:
        server.stop()


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
