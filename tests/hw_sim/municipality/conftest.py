"""A world per test (its own state folder) over one world built per session."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from hw_sim.municipality import World
from hw_sim.municipality.runtime import WorldRuntime
from hw_sim.personas import get_persona
from hw_sim.pki import auth_identifier
from hw_sim.world.builder import build_world
from hw_sim.world.calendar import JST
from hw_sim.world.records import WorldData


@pytest.fixture(scope="session")
def world_data() -> WorldData:
    return build_world()


@pytest.fixture
def world(world_data: WorldData, tmp_path: Path) -> Iterator[World]:
    opened = World(WorldRuntime.open(tmp_path / "state", world_data))
    yield opened
    opened.close()


def card(persona_id: str) -> str:
    """The card identifier (auth certificate CN) of a persona."""
    return auth_identifier(get_persona(persona_id))


def holder(world: World, persona_id: str) -> tuple[str, str]:
    located = world.locate_card_holder(card(persona_id))
    assert located is not None, persona_id
    return located


def jst(*args: int) -> datetime:
    return datetime(*args, tzinfo=JST)  # type: ignore[misc]


def pdf_text(pdf: bytes) -> str:
    """The PDF's text (pdftotext, poppler-utils) without any whitespace, for searching."""
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
    )
    return re.sub(r"\s+", "", result.stdout.decode("utf-8"))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)
