"""The state database: concurrent writers, a corrupt or foreign file."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hw_sim.municipality.state import STATE_FILE, StateError, WorldState

from .conftest import jst


def test_numbers_stay_unique_with_several_writers(tmp_path: Path) -> None:
    # Separate WorldState objects: as the center's processes each open their own.
    states = [WorldState(tmp_path) for _ in range(4)]

    def register(index: int) -> str:
        return states[index % 4].add_registration(
            code="401307",
            prefix="401307261120",
            card_identifier=f"CARD{index}",
            submitted_at=jst(2026, 11, 20, 15, 0),
            decided_at=jst(2026, 11, 25, 9, 0),
            outcome="登録完了",
            register_id=None,
            person_id=None,
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(register, range(40)))
    assert len(set(numbers)) == 40
    assert min(numbers) == "4013072611200002"
    assert states[0].registration(numbers[0]) is not None


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    (tmp_path / STATE_FILE).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StateError, match=STATE_FILE):
        WorldState(tmp_path)


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    WorldState(tmp_path)
    with sqlite3.connect(tmp_path / STATE_FILE) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    with pytest.raises(StateError, match="schema version 99"):
        WorldState(tmp_path)
