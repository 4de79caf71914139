"""Fixtures of the driver suite: the test PKI and a card opener parametrised over the two ways
the virtual card is reached — in-process, and as a real card in pcscd through vpcd."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from cardio import Transport
from hw_sim.card import CardProfile, InProcessTransport, VirtualCard, build_card
from hw_sim.personas import get_persona
from hw_sim.pki import JpkiTestPki


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> JpkiTestPki:
    return JpkiTestPki.load_or_create(tmp_path_factory.mktemp("pki"))


class InProcessCards:
    """Opens persona cards in-process; the same card object is kept per persona within a test
    so PIN counters persist across power cycles, as on a real card."""

    backend = "inprocess"

    def __init__(self, pki: JpkiTestPki) -> None:
        self.pki = pki
        self._cards: dict[str, VirtualCard] = {}

    def card(self, persona: str) -> VirtualCard:
        if persona not in self._cards:
            self._cards[persona] = build_card(persona, self.pki)
        return self._cards[persona]

    @contextmanager
    def open(self, persona: str, *, fault: str | None = None) -> Iterator[Transport]:
        if fault is None:
            card = self.card(persona)
        else:  # a hostile card (hw_sim/card/hostile.py): a card of its own
            profile = CardProfile.for_persona(get_persona(persona)).with_fault(fault)
            card = build_card(persona, self.pki, profile=profile)
        transport = InProcessTransport(card)
        try:
            yield transport
        finally:
            transport.close()

    def close(self) -> None:
        self._cards.clear()


@pytest.fixture(params=["inprocess", "pcsc"])
def cards(request: pytest.FixtureRequest, pki: JpkiTestPki, tmp_path: Path) -> Iterator[object]:
    """A card opener for the backend of this parameter (``cards.open(persona)``)."""
    if request.param == "inprocess":
        opener = InProcessCards(pki)
    else:
        from tests.cardio.pcsc_cards import PcscCards

        opener = PcscCards(pki, request.getfixturevalue("pcscd"), tmp_path)
    try:
        yield opener
    finally:
        opener.close()
