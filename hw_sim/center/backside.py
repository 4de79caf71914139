"""The center's back-side step: ``printing.security.make_back_side`` for every page of a copy.

The envelope carries each page's back-side data as opaque bytes with a format name
(kiosk.center.wire.BackSidePage); this module is the one place that knows how
``printing.security`` serialises its ``BackSideData`` (``to_bytes``, JSON).
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date
from typing import Protocol

from hw_sim.center.keys import CenterKeys


class PageMaker(Protocol):
    """Makes the back side of one page; returns (format name, serialised data)."""

    def __call__(
        self,
        front_pdf: bytes,
        page_index: int,
        *,
        serial: str,
        issuer: str,
        canonical_text: str,
        page_count: int,
        issued_on: date,
        verification_code: str,
    ) -> tuple[str, bytes]: ...


def signed_code_of(format_name: str, data: bytes) -> bytes | None:
    """The signed code inside a page's back-side data (for the verification service), without
    decoding the module image; None for another format or data without one."""
    from printing.security import BACK_SIDE_FORMAT

    if format_name != BACK_SIDE_FORMAT:
        return None
    try:
        code = json.loads(data)["signed_code"]
        return base64.b64decode(code, validate=True) if isinstance(code, str) else None
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None


def real_page_maker(keys: CenterKeys) -> PageMaker:
    """The production maker: ``printing.security.make_back_side`` with the center's keys."""
    from printing import security  # heavy (rasteriser); imported in render workers only
    from printing.documents import document_layout

    # The content box every certificate page declares (printing.documents): what the back's
    # scramble holds. The municipality's IssuedDocument does not name its layout, so the
    # center asks for the documents' common one.
    box = document_layout().content
    content_area = (box.left_mm, box.top_mm, box.width_mm, box.height_mm)

    back_side_keys = security.BackSideKeys(
        scramble_master_key=keys.scramble_master_key,
        signing_key=keys.document_key,
        key_id=keys.document_key_id.encode("ascii"),
    )

    def make(
        front_pdf: bytes,
        page_index: int,
        *,
        serial: str,
        issuer: str,
        canonical_text: str,
        page_count: int,
        issued_on: date,
        verification_code: str,
    ) -> tuple[str, bytes]:
        data = security.make_back_side(
            front_pdf,
            page_index,
            serial=serial,
            issuer=issuer,
            canonical_text=canonical_text,
            keys=back_side_keys,
            page_count=page_count,
            issued_on=issued_on,
            content_area_mm=content_area,
            verification_code=verification_code,
        )
        return security.BACK_SIDE_FORMAT, data.to_bytes()

    return make
