"""The center's back-side step: ``printing.security.make_back_side`` for every page of a copy.

The envelope carries each page's back-side data as opaque bytes with a format name
(kiosk.center.wire.BackSidePage); this module is the one place that knows how
``printing.security`` serialises its ``BackSideData``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hw_sim.center.keys import CenterKeys

# (front_pdf, page_index, serial, issuer, canonical_text) -> (format, data)
PageMaker = Callable[[bytes, int, str, str, str], tuple[str, bytes]]


def real_page_maker(keys: CenterKeys) -> PageMaker:
    """The production maker: ``printing.security.make_back_side`` with the center's keys."""
    from printing import security  # heavy (rasteriser); imported in render workers only

    back_side_keys = security.BackSideKeys(
        scramble_master_key=keys.scramble_master_key,
        signing_key=keys.document_key,
        key_id=keys.document_key_id,
    )

    def make(
        front_pdf: bytes, page_index: int, serial: str, issuer: str, text: str
    ) -> tuple[str, bytes]:
        data: Any = security.make_back_side(
            front_pdf,
            page_index,
            serial=serial,
            issuer=issuer,
            canonical_text=text,
            keys=back_side_keys,
        )
        return security.BACK_SIDE_FORMAT, data.to_bytes()

    return make
