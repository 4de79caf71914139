"""The PC/SC adapter against a real pcscd + vpcd: exclusive sessions, power-off on close, card
removal in the middle of a command, and recovery after a pcscd restart."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cardio import (
    CardInUse,
    CardRemoved,
    JpkiSession,
    NoReader,
    SecurityStatusNotSatisfied,
    ServiceUnavailable,
    UserPin,
)
from cardio import pcsc as cardio_pcsc
from cardio.pcsc import PcscContext
from hw_sim.pki import JpkiTestPki
from hw_sim.stack import PrivatePcscd
from tests.cardio.pcsc_cards import READER, PcscCards

pytestmark = pytest.mark.pcscd


@pytest.fixture
def dock(pki: JpkiTestPki, pcscd: PrivatePcscd, tmp_path: Path) -> Iterator[PcscCards]:
    cards = PcscCards(pki, pcscd, tmp_path)
    try:
        yield cards
    finally:
        cards.close()


def test_readers_are_listed(dock: PcscCards) -> None:
    assert READER in cardio_pcsc.list_readers()


def test_connection_is_exclusive(dock: PcscCards) -> None:
    dock.insert("normal")
    with dock.connect() as first:
        JpkiSession(first)
        with pytest.raises(CardInUse):
            PcscContext().connect(READER)


def test_close_powers_the_card_off(dock: PcscCards) -> None:
    """Without SCARD_UNPOWER_CARD pcscd would keep the verified PIN for the next client."""
    dock.insert("normal")
    with dock.connect() as connection:
        session = JpkiSession(connection)
        session.verify_pin(UserPin("1234"))
        session.sign_sha256(b"first client")
    with dock.connect() as connection, pytest.raises(SecurityStatusNotSatisfied):
        JpkiSession(connection).sign_sha256(b"second client")


def test_card_removed_during_a_command(dock: PcscCards) -> None:
    dock.insert("slow")
    connection = dock.connect()
    session = JpkiSession(connection)
    outcome: list[BaseException] = []

    def read() -> None:
        try:
            session.read_certificate()
        except BaseException as exc:
            outcome.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    time.sleep(0.3)  # inside the slow persona's APDUs
    dock.remove()
    reader.join(10)
    assert not reader.is_alive()
    assert len(outcome) == 1
    assert isinstance(outcome[0], CardRemoved)
    assert not connection.alive
    with pytest.raises(CardRemoved):  # the dead connection stays dead, no pyscard call
        connection.transmit(b"\x00\xa4\x04\x0c")
    connection.close()
    # A new card in the same reader gets a fresh, working connection.
    dock.insert("normal")
    with dock.connect() as fresh:
        assert JpkiSession(fresh).get_pin_tries() == 3


def test_no_card_in_reader(dock: PcscCards) -> None:
    with pytest.raises(CardRemoved):
        PcscContext().connect(READER)


def test_unknown_reader(dock: PcscCards) -> None:
    with pytest.raises(NoReader):
        PcscContext().connect("No Such Reader 00 00")


@pytest.mark.slow
def test_context_recovers_after_pcscd_restart(dock: PcscCards, pcscd: PrivatePcscd) -> None:
    context = PcscContext()
    assert READER in context.list_readers()
    pcscd.stop()
    try:
        with pytest.raises(ServiceUnavailable):
            context.list_readers()
    finally:
        pcscd.start()
    # The old context is stale; the adapter establishes a new one by itself.
    assert READER in context.list_readers()
    dock.insert("normal")
    with dock.connect() as connection:
        session = JpkiSession(connection)
        session.verify_pin(UserPin("1234"))
        session.sign_sha256(b"after restart")


@pytest.mark.slow
def test_session_during_restart_fails_typed_and_next_session_works(
    dock: PcscCards, pcscd: PrivatePcscd
) -> None:
    dock.insert("normal")
    connection = dock.connect()
    session = JpkiSession(connection)
    pcscd.restart()
    with pytest.raises((ServiceUnavailable, CardRemoved)):
        session.get_pin_tries()
    connection.close()
    dock.remove()  # vpcd already dropped the card's socket when pcscd stopped
    dock.insert("normal")
    with dock.connect() as fresh:
        assert JpkiSession(fresh).get_pin_tries() == 3
