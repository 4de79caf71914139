"""Stand-ins for the center's unit tests only: a back-side maker that does not rasterise.

The end-to-end tests use the real ``printing.security.make_back_side``; this stand-in lets the
center's own tests exercise the protocol quickly. It is never used by the running product.
"""

from __future__ import annotations

import hashlib
from typing import Any

STANDIN_FORMAT = "test-standin/1"


def page_maker(keys: Any) -> Any:
    def make(
        front_pdf: bytes, page_index: int, serial: str, issuer: str, text: str
    ) -> tuple[str, bytes]:
        digest = hashlib.sha256(
            front_pdf + page_index.to_bytes(2, "big") + serial.encode()
        ).digest()
        return STANDIN_FORMAT, digest + serial.encode()

    return make
