"""The in-process reader (hw_sim.card.InProcessReader): the card dock's interface on one slot,
connections that power the card, removal at any moment, PIN counters kept in the card folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from hw_sim.card import CardRemovedError, DockError, InProcessReader
from hw_sim.pki import JpkiTestPki

SELECT_JPKI = bytes.fromhex("00A4040C0AD392F000260100000001")
VERIFY_AUTH_PIN = bytes.fromhex("0020008004")  # + 4 digits (the card's user PIN, jpki-card.md)


@pytest.fixture
def reader(pki: JpkiTestPki, tmp_path: Path) -> InProcessReader:
    return InProcessReader(tmp_path / "cards", pki.folder)


def test_insert_connect_and_remove(pki: JpkiTestPki, tmp_path: Path) -> None:
    changes: list[str] = []
    presence: list[bool] = []
    reader = InProcessReader(tmp_path, pki.folder, on_change=lambda: changes.append("x"))
    reader.watch(presence.append)
    with pytest.raises(CardRemovedError):
        reader.connect()  # an empty reader
    status = reader.insert(0, "normal")
    assert (status.persona, status.connected, status.powered) == ("normal", True, False)
    assert reader.wait_connected(0)
    transport = reader.connect()
    assert transport.atr
    assert reader.slot_status().powered
    assert transport.transmit(SELECT_JPKI)[1] == 0x9000
    assert reader.slot_status().apdus == 1
    reader.remove(0)  # pulled out with the connection open
    with pytest.raises(CardRemovedError):
        transport.transmit(SELECT_JPKI)
    assert reader.status()[0].persona is None
    assert presence == [True, False]
    assert len(changes) == 2
    reader.remove(0)  # empty: nothing happens, nobody is told
    assert presence == [True, False]


def test_dock_rules(reader: InProcessReader) -> None:
    with pytest.raises(DockError):
        reader.insert(1, "normal")  # one slot only
    with pytest.raises(DockError):
        reader.insert(0, "nobody")
    with pytest.raises(DockError):
        reader.insert(0, "normal", delay_s=61)
    reader.insert(0, "normal")
    with pytest.raises(DockError):
        reader.insert(0, "expired")  # take the first card out first
    with pytest.raises(DockError):
        reader.reset_card("normal")  # not while it is in the reader


def test_pin_counters_outlive_the_card_in_the_reader(reader: InProcessReader) -> None:
    reader.insert(0, "normal")
    transport = reader.connect()
    transport.transmit(SELECT_JPKI)
    select_auth_pin = bytes.fromhex("00A4020C020018")
    assert transport.transmit(select_auth_pin)[1] == 0x9000
    assert transport.transmit(VERIFY_AUTH_PIN + b"0000")[1] == 0x63C2  # wrong: 2 tries left
    reader.remove(0)
    reader.insert(0, "normal")  # the same card again: one try used
    again = reader.connect()
    again.transmit(SELECT_JPKI)
    again.transmit(select_auth_pin)
    assert again.transmit(bytes.fromhex("00200080"))[1] == 0x63C2
    reader.remove(0)
    reader.reset_card("normal")  # as the municipal office does
    reader.insert(0, "normal")
    fresh = reader.connect()
    fresh.transmit(SELECT_JPKI)
    fresh.transmit(select_auth_pin)
    assert fresh.transmit(bytes.fromhex("00200080"))[1] == 0x63C3
