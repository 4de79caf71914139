"""Stand-ins for the center's unit tests only: a back-side maker that does not rasterise.

The end-to-end tests use the real ``printing.security.make_back_side``; this stand-in lets the
center's own tests exercise the protocol quickly. It is never used by the running product.
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

STANDIN_FORMAT = "test-standin/1"


def page_maker(keys: Any) -> Any:
    def make(front_pdf: bytes, page_index: int, *, serial: str, **_: Any) -> tuple[str, bytes]:
        digest = hashlib.sha256(
            front_pdf + page_index.to_bytes(2, "big") + serial.encode()
        ).digest()
        return STANDIN_FORMAT, digest + serial.encode()

    return make


class EdgeWorld:
    """The real simulated world with J-LIS's card → resident mapping changed for four cards,
    to reach refusals no persona's household produces: a card J-LIS cannot place, a holder in
    a municipality that does not take part, a holder the municipality has no record of, and a
    holder in a municipality that issues 戸籍 on office days only. The municipality servers
    themselves are the real ones. Test use only (``serve --world-factory``).
    """

    REMAP: ClassVar[dict[str, tuple[str, str] | None]] = {
        "blocked": None,  # card_holder_unknown
        "one-try-left": ("231002", "231002-0001"),  # 名古屋市 does not participate
        "slow": ("022039", "022039-9999"),  # resident_not_found at 八戸市
        "first-6f00": ("022039", "022039-0001"),  # 八戸市: 戸籍 on office days only
    }

    def __init__(self, world: Any) -> None:
        from hw_sim.personas import get_persona
        from hw_sim.pki import auth_identifier

        self._world = world
        self._remap = {
            auth_identifier(get_persona(pid)): target for pid, target in self.REMAP.items()
        }

    @classmethod
    def load(cls, state_dir: Any) -> EdgeWorld:
        from hw_sim.municipality import World

        return cls(World.load(state_dir))

    def locate_card_holder(self, card_identifier: str) -> tuple[str, str] | None:
        if card_identifier in self._remap:
            return self._remap[card_identifier]
        return self._world.locate_card_holder(card_identifier)  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._world, name)
