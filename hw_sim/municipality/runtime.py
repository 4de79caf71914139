"""The world at runtime: the static world (rebuilt deterministically) with its state database
and one server per municipality. ``hw_sim.municipality.api.World`` wraps it."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from pathlib import Path

from hw_sim.municipality.api import MunicipalityInfo, UnknownMunicipalityError
from hw_sim.municipality.server import SimulatedMunicipalityServer
from hw_sim.municipality.state import WorldState
from hw_sim.world.builder import build_world
from hw_sim.world.calendar import to_jst
from hw_sim.world.records import WorldData

log = logging.getLogger(__name__)


class WorldRuntime:
    def __init__(self, world: WorldData, state: WorldState) -> None:
        self.world = world
        self.state = state
        self._servers = {
            code: SimulatedMunicipalityServer(world, state, municipality)
            for code, municipality in world.municipalities.items()
        }

    @classmethod
    def open(cls, state_dir: Path, world: WorldData | None = None) -> WorldRuntime:
        """Build the world (or take a prebuilt one) and open the state in ``state_dir``."""
        built = world if world is not None else build_world()
        log.info(
            "world loaded: %d municipalities, %d residents",
            len(built.municipalities),
            len(built.residents),
        )
        return cls(built, WorldState(state_dir))

    def municipality_infos(self) -> list[MunicipalityInfo]:
        return [
            MunicipalityInfo(
                code=m.code,
                name=m.name,
                prefecture=m.prefecture,
                kana=m.kana,
                participates=m.participates,
                honseki_service=m.participates and m.honseki_service,
            )
            for m in sorted(self.world.municipalities.values(), key=lambda m: m.code)
        ]

    def server(self, code: str) -> SimulatedMunicipalityServer:
        try:
            return self._servers[code]
        except (KeyError, TypeError):
            raise UnknownMunicipalityError(f"no municipality {code!r} in the world") from None

    def locate_card_holder(self, card_identifier: str) -> tuple[str, str] | None:
        resident_id = (
            self.world.cards.get(card_identifier) if isinstance(card_identifier, str) else None
        )
        if resident_id is None:
            return None
        return self.world.residents[resident_id].municipality_code, resident_id

    def set_maintenance(self, code: str, start: datetime, end: datetime) -> None:
        self.server(code)
        start_jst, end_jst = to_jst(start), to_jst(end)
        if end_jst <= start_jst:
            raise ValueError("a maintenance window ends after it starts")
        self.state.add_maintenance(code, start_jst, end_jst)

    def clear_maintenance(self, code: str) -> None:
        self.server(code)
        self.state.clear_maintenance(code)

    def registration_municipality(self, application_number: str) -> str | None:
        if not isinstance(application_number, str) or not re.fullmatch(
            r"[0-9]{16}", application_number
        ):
            return None
        code = application_number[:6]
        return code if code in self.world.municipalities else None

    def close(self) -> None:
        """Nothing held open: connections are per operation."""
