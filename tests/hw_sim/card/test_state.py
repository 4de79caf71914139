"""Persistent card state: counters survive a new card object (a process restart), files are
written atomically and hold no PIN in clear; a damaged file does not brick the card."""

from __future__ import annotations

import json
from pathlib import Path

from hw_sim.card import CardStateStore, InProcessTransport, build_card
from hw_sim.pki import JpkiTestPki
from tests.hw_sim.card.helpers import JPKI, Card


def fresh(pki: JpkiTestPki, folder: Path, persona: str = "normal") -> Card:
    return Card(InProcessTransport(build_card(persona, pki, CardStateStore(folder))))


def test_blocked_pin_stays_blocked_after_restart(pki: JpkiTestPki, tmp_path: Path) -> None:
    card = fresh(pki, tmp_path)
    card.select_aid(JPKI)
    card.select_ef(0x0018)
    for _ in range(3):
        card.verify("0000")
    card.transport.close()
    again = fresh(pki, tmp_path)
    again.select_aid(JPKI)
    again.select_ef(0x0018)
    assert again.sw("00200080") == 0x63C0
    record = json.loads((tmp_path / "normal.json").read_text())
    assert record["tries"]["jpki-0018"] == 0
    assert not list(tmp_path.glob("*.tmp"))


def test_changed_pin_is_kept_as_a_digest(pki: JpkiTestPki, tmp_path: Path) -> None:
    card = fresh(pki, tmp_path)
    card.select_aid(JPKI)
    card.select_ef(0x0018)
    card.verify("1234")
    assert card.sw("0024018004" + b"8642".hex()) == 0x9000
    record = json.loads((tmp_path / "normal.json").read_text())
    entry = record["secrets"]["jpki-0018"]
    assert set(entry) == {"salt", "digest"}
    assert len(bytes.fromhex(entry["salt"])) == 16
    assert len(bytes.fromhex(entry["digest"])) == 32
    del record["secrets"]  # random hex may contain any digits; nothing else may hold the PIN
    assert "8642" not in json.dumps(record)
    again = fresh(pki, tmp_path)
    again.select_aid(JPKI)
    again.select_ef(0x0018)
    assert again.verify("8642") == 0x9000


def test_reset_restores_the_issued_state(pki: JpkiTestPki, tmp_path: Path) -> None:
    card = fresh(pki, tmp_path)
    card.select_aid(JPKI)
    card.select_ef(0x0018)
    card.verify("0000")
    CardStateStore(tmp_path).reset("normal")
    again = fresh(pki, tmp_path)
    again.select_aid(JPKI)
    again.select_ef(0x0018)
    assert again.sw("00200080") == 0x63C3


def test_scenario_tries_apply_until_the_card_changes_them(pki: JpkiTestPki, tmp_path: Path) -> None:
    card = fresh(pki, tmp_path, "one-try-left")
    card.select_aid(JPKI)
    card.select_ef(0x0018)
    assert card.verify("2580") == 0x9000  # right PIN: counter back to 3, persisted
    again = fresh(pki, tmp_path, "one-try-left")
    again.select_aid(JPKI)
    again.select_ef(0x0018)
    assert again.sw("00200080") == 0x63C3


def test_damaged_state_file_is_set_aside(pki: JpkiTestPki, tmp_path: Path) -> None:
    (tmp_path / "normal.json").write_text("{not json")
    card = fresh(pki, tmp_path)
    card.select_aid(JPKI)
    card.select_ef(0x0018)
    assert card.sw("00200080") == 0x63C3
    assert (tmp_path / "normal.damaged").exists()


def test_unsafe_card_ids_are_refused(tmp_path: Path) -> None:
    import pytest

    with pytest.raises(ValueError, match="safe file name"):
        CardStateStore(tmp_path).open("../etc/passwd")
