"""The world is built once per test session (it is deterministic and read-only)."""

from __future__ import annotations

import pytest

from hw_sim.world.builder import build_world
from hw_sim.world.records import WorldData


@pytest.fixture(scope="session")
def world_data() -> WorldData:
    return build_world()
