"""Fixtures of the driver suite: the test PKI and a card opener parametrised over the two ways
the virtual card is reached — in-process, and as a real card in pcscd through vpcd."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from cardio import Transport
from hw_sim.card import InProcessReader
from hw_sim.pki import JpkiTestPki


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> JpkiTestPki:
    return JpkiTestPki.load_or_create(tmp_path_factory.mktemp("pki"))


class InProcessCards:
    """Opens persona cards in the in-process reader (hw_sim.card.InProcessReader, the one the
    developer profile uses); PIN counters live in the reader's card folder, so they persist
    across power cycles, as on a real card."""

    backend = "inprocess"

    def __init__(self, pki: JpkiTestPki, state_dir: Path) -> None:
        self.reader = InProcessReader(state_dir, pki.folder)

    @contextmanager
    def open(self, persona: str, *, fault: str | None = None) -> Iterator[Transport]:
        """The persona's card (``fault``: a hostile card, hw_sim/card/hostile.py)."""
        self.reader.insert(0, persona, fault=fault)
        try:
            with self.reader.connect() as transport:
                yield transport
        finally:
            self.reader.remove(0)

    def close(self) -> None:
        self.reader.close()


@pytest.fixture(params=["inprocess", "pcsc"])
def cards(request: pytest.FixtureRequest, pki: JpkiTestPki, tmp_path: Path) -> Iterator[object]:
    """A card opener for the backend of this parameter (``cards.open(persona)``)."""
    if request.param == "inprocess":
        opener = InProcessCards(pki, tmp_path / "cards")
    else:
        from tests.cardio.pcsc_cards import PcscCards

        opener = PcscCards(pki, request.getfixturevalue("pcscd"), tmp_path)
    try:
        yield opener
    finally:
        opener.close()
