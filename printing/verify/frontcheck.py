"""The front of a layout-v2 certificate checked against its back's signed facts.

Glue between the verifier and the field comparison (fields.py): the front at a working
resolution, its serial code (which certificate, and the anchor of the registration), the page's
runs plus the kiosk's serial line, and — for the image comparison of what has no field (seals,
rules) — where the text is.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from printing.security._cv import cv2
from printing.security.compose import front_serial_code_box
from printing.security.decorations import (
    SERIAL_FONT_PT,
    FrontMarks,
    front_serial_position,
    serial_line,
)
from printing.security.facts import TextRun, run_end
from printing.security.layout import PAGE_HEIGHT_PT
from printing.security.signed_code import SignedPayload

from .fields import FieldComparison, compare_fields, page_runs
from .front import SerialCode, front_serial
from .frontink import front_ink
from .images import ScanImage
from .pagemap import PT_PER_MM, Landmarks


def expected_runs(payload: SignedPayload) -> list[TextRun]:
    """Every text run the front prints: the page's signed runs and the serial line."""
    assert payload.page_facts is not None
    marks = FrontMarks(
        payload.serial, payload.page_index, payload.page_count, payload.source.area_mm
    )
    right, baseline_pdf = front_serial_position(marks)
    return page_runs(
        payload.page_facts,
        serial_line(payload.serial, payload.page_index, payload.page_count),
        right,
        PAGE_HEIGHT_PT - baseline_pdf,
        SERIAL_FONT_PT,
    )


def code_corners(code: SerialCode, payload: SignedPayload) -> Landmarks | None:
    """The serial code's corners: where compose put them (page pt) and where the scan has
    them (px), clockwise from the symbol's top-left."""
    box = front_serial_code_box(
        code.serial, payload.page_index, payload.page_count, payload.source.area_mm
    )
    if box is None:
        return None
    left, top, side = box
    corners = np.array(
        [[left, top], [left + side, top], [left + side, top + side], [left, top + side]],
        np.float64,
    )
    return corners * PT_PER_MM, np.asarray(code.corners, np.float64)


def anchor(code: SerialCode, payload: SignedPayload) -> npt.NDArray[np.float64] | None:
    """Page pt → scan px from where the serial code is on the scan and where compose put it."""
    corners = code_corners(code, payload)
    if corners is None:
        return None
    similarity, _ = cv2.estimateAffinePartial2D(
        corners[0].astype(np.float32), corners[1].astype(np.float32)
    )
    return None if similarity is None else np.asarray(similarity, np.float64)


def check_front(
    front: ScanImage, payload: SignedPayload, flat: npt.NDArray[np.float32] | None = None
) -> tuple[FieldComparison, SerialCode | None]:
    """The front compared field by field with ``payload``'s facts, and its serial code;
    ``flat`` is the front flat-fielded (frontink.front_ink), if the caller has it."""
    code = front_serial(front)
    start = anchor(code, payload) if code is not None else None
    comparison = compare_fields(
        front_ink(front, flat),
        front.dpi,
        expected_runs(payload),
        payload.page_facts.pictures if payload.page_facts else (),
        start,
        code_corners(code, payload) if code is not None else None,
    )
    return comparison, code


def text_mask(payload: SignedPayload, shape: tuple[int, int]) -> npt.NDArray[np.bool_]:
    """Restored-image pixels where the page prints text (compared by fields, not by image)."""
    mask = np.zeros(shape, bool)
    if payload.page_facts is None:
        return mask
    source = payload.source
    k = source.dpi / 25.4 / PT_PER_MM  # restored px per pt
    left_pt = source.area_mm[0] * PT_PER_MM
    top_pt = source.area_mm[1] * PT_PER_MM
    for run in payload.page_facts.runs:
        size = run.size_pt
        x0 = int((run.x_pt - 0.3 * size - left_pt) * k)
        x1 = int(np.ceil((run_end(run) + 0.3 * size - left_pt) * k))
        y0 = int((run.baseline_pt - 1.05 * size - top_pt) * k)
        y1 = int(np.ceil((run.baseline_pt + 0.35 * size - top_pt) * k))
        mask[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)] = True
    return mask
