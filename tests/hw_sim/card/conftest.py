"""Fixtures of the virtual-card tests: one test PKI per session (made in a temporary folder),
fresh cards per test, APDU helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hw_sim.card import CardProfile, CardStateStore, InProcessTransport, build_card
from hw_sim.personas import get_persona
from hw_sim.pki import JpkiTestPki
from tests.hw_sim.card.helpers import Card


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> JpkiTestPki:
    return JpkiTestPki.load_or_create(tmp_path_factory.mktemp("pki"))


MakeCard = Callable[..., Card]


@pytest.fixture
def make_card(pki: JpkiTestPki, tmp_path: Path) -> Iterator[MakeCard]:
    """Build a persona's card (fresh state in a per-test folder) and power it on."""
    transports: list[InProcessTransport] = []
    store = CardStateStore(tmp_path / "cards")

    def make(persona: str = "normal", **profile_options: object) -> Card:
        profile = CardProfile.for_persona(get_persona(persona)).with_options(**profile_options)
        card = build_card(persona, pki, store, profile)
        transport = InProcessTransport(card)
        transports.append(transport)
        return Card(transport)

    yield make
    for transport in transports:
        transport.close()


@pytest.fixture
def card(make_card: MakeCard) -> Card:
    """The ``normal`` persona's card, powered on."""
    return make_card("normal")
