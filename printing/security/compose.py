"""Kiosk side: the print job — every copy's fronts and backs, ready for long-edge duplex.

``compose_job`` is pure (data in, PDF bytes out, same bytes for the same input). For each copy
and each page: the municipality's front page unchanged (vector, its fonts embedded) on top of
the copy-deterrent background, with the serial in the free margin; then its back. The CUPS
adapter prints the result with ``sides=two-sided-long-edge``: each front/back pair is one sheet.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import pikepdf
import segno
from pikepdf import Name

from .backside import BackSideData
from .calibration import PrintCalibration
from .decorations import BackMarks, FrontMarks, decorations_pdf, front_serial_position
from .errors import ComposeError
from .layout import (
    BAND_TOP_PX,
    BLOCK_COLS,
    BLOCK_LEFT_PX,
    BLOCK_ROWS,
    BLOCK_TOP_PX,
    MODULE_DEVICE_PX,
    PAGE_HEIGHT_PT,
    PAGE_WIDTH_PT,
    PT_PER_DEVICE_PX,
    QR_QUIET_MODULES,
    SAKURA_LEFT_PX,
    SAKURA_SIZE_PX,
    code_boxes,
)
from .pantograph import page_pantograph_packed
from .pdfmasks import Placement, image_mask, k_form, packed_image_mask
from .qrchunks import split
from .signed_code import QR_ERROR_LEVEL

# The small code next to the front's serial: what it says, so a verifier can tell a front's
# serial from a scan without OCR (and a swapped back by serial mismatch).
FRONT_SERIAL_PREFIX = "KSB-SN:"
# 8 device px = 0.34 mm modules: a v3 code (serials up to 35 characters) is 9.8 mm, 15.2 mm with
# its quiet zone, and fits the 20 mm bottom margin of printing.documents' A4 layout.
SERIAL_QR_MODULE_DEVICE_PX = 8
PAGE_SIZE_TOLERANCE_PT = 2.0  # A4 within 0.7 mm: rounding in other PDF producers


@dataclass(frozen=True)
class CopyToPrint:
    """One copy of one certificate: its front PDF (from the municipality, via the center) and
    the back-side data of each of its pages, in page order."""

    front_pdf: bytes
    back_sides: tuple[BackSideData, ...]

    def __repr__(self) -> str:
        return f"CopyToPrint(front={len(self.front_pdf)} B, pages={len(self.back_sides)})"


def qr_matrix(data: bytes | str, *, max_version: int | None = None) -> npt.NDArray[np.bool_]:
    """QR modules (True = dark) of ``data`` in byte mode at level M, no quiet zone."""
    qr = segno.make(data, mode="byte", error=QR_ERROR_LEVEL, boost_error=False, micro=False)
    version = int(qr.version)
    if max_version is not None and version > max_version:
        raise ComposeError(f"QR version {version} exceeds {max_version}")
    return np.array([list(row) for row in qr.matrix], dtype=bool)


def _check_copy(copy: CopyToPrint, front: pikepdf.Pdf) -> None:
    backs = copy.back_sides
    if not backs:
        raise ComposeError("a copy needs back-side data for its pages")
    if len(front.pages) != len(backs):
        raise ComposeError(
            f"front has {len(front.pages)} page(s) but {len(backs)} back side(s) were given"
        )
    serials = {back.serial for back in backs}
    if len(serials) != 1:
        raise ComposeError("the back sides of one copy carry different serials")
    for index, back in enumerate(backs):
        if back.page_index != index or back.page_count != len(backs):
            raise ComposeError(
                f"back side {index} is for page {back.page_index + 1}/{back.page_count}"
            )
    if len({(back.layout_version, back.verification_code) for back in backs}) != 1:
        raise ComposeError("the back sides of one copy differ in layout or verification code")
    for page in front.pages:
        box = [float(v) for v in page.mediabox]
        width, height = box[2] - box[0], box[3] - box[1]
        if (
            abs(width - PAGE_WIDTH_PT) > PAGE_SIZE_TOLERANCE_PT
            or abs(height - PAGE_HEIGHT_PT) > PAGE_SIZE_TOLERANCE_PT
            or int(page.obj.get("/Rotate", 0)) % 360 != 0
        ):
            raise ComposeError("front pages must be A4 portrait without rotation")


def _front_marks(back: BackSideData) -> FrontMarks:
    return FrontMarks(
        back.serial,
        back.page_index,
        back.page_count,
        back.content_area_mm,
        back.verification_code,
    )


def _open_front(data: bytes) -> pikepdf.Pdf:
    try:
        return pikepdf.Pdf.open(io.BytesIO(data))
    except (pikepdf.PdfError, ValueError) as exc:
        raise ComposeError("front PDF cannot be opened") from exc


def _pt(px: float) -> float:
    return px * PT_PER_DEVICE_PX


def _back_placements(pdf: pikepdf.Pdf, back: BackSideData) -> list[Placement]:
    block = back.modules()
    block_w = _pt(BLOCK_COLS * MODULE_DEVICE_PX)
    block_h = _pt(BLOCK_ROWS * MODULE_DEVICE_PX)
    placements = [
        Placement(
            image_mask(pdf, block),
            _pt(BLOCK_LEFT_PX),
            PAGE_HEIGHT_PT - _pt(BLOCK_TOP_PX) - block_h,
            block_w,
            block_h,
        )
    ]
    boxes = code_boxes(back.layout_version)
    try:
        parts = split(back.signed_code, back.layout_version)
    except ValueError as exc:
        raise ComposeError(str(exc)) from exc
    # The parts fill the boxes from the right: one part goes where layout v1's code was.
    for part, box in zip(parts, boxes[len(boxes) - len(parts) :], strict=True):
        qr = qr_matrix(part, max_version=box.max_version)
        side_px = qr.shape[0] * box.module_px
        right_px = box.left_px + box.box_px - QR_QUIET_MODULES * box.module_px
        top_px = box.top_px + QR_QUIET_MODULES * box.module_px
        placements.append(
            Placement(
                image_mask(pdf, qr),
                _pt(right_px - side_px),
                PAGE_HEIGHT_PT - _pt(top_px + side_px),
                _pt(side_px),
                _pt(side_px),
            )
        )
    return placements


@lru_cache(maxsize=64)  # the verifier asks for each front twice (its anchor and landmarks)
def front_serial_code_box(
    serial: str,
    page_index: int,
    page_count: int,
    content_area_mm: tuple[float, float, float, float],
) -> tuple[float, float, float] | None:
    """Where the front's serial code is printed: (left, top, side) in mm from the page's
    top-left corner, the symbol without its quiet zone; None when the margin has no room.
    The verifier finds the front on a scan by it."""
    left, top, _width, height = content_area_mm
    bottom_margin_mm = 297.0 - (top + height)
    modules = qr_matrix(FRONT_SERIAL_PREFIX + serial).shape[0]
    side_pt = _pt(modules * SERIAL_QR_MODULE_DEVICE_PX)
    quiet_pt = _pt(QR_QUIET_MODULES * SERIAL_QR_MODULE_DEVICE_PX)
    if side_pt + 2 * quiet_pt > (bottom_margin_mm - 4) * 72 / 25.4:
        return None
    _, baseline = front_serial_position(FrontMarks(serial, page_index, page_count, content_area_mm))
    bottom_pt = baseline + 1.0 - side_pt / 2
    return (left, (PAGE_HEIGHT_PT - bottom_pt - side_pt) * 25.4 / 72, side_pt * 25.4 / 72)


def _front_serial_code(pdf: pikepdf.Pdf, marks: FrontMarks) -> list[Placement]:
    """The small serial QR left of the serial line, when the bottom margin has room."""
    box = front_serial_code_box(
        marks.serial, marks.page_index, marks.page_count, marks.content_area_mm
    )
    if box is None:
        return []
    left_mm, top_mm, side_mm = box
    side_pt = side_mm * 72 / 25.4
    y = PAGE_HEIGHT_PT - top_mm * 72 / 25.4 - side_pt
    qr = qr_matrix(FRONT_SERIAL_PREFIX + marks.serial)
    return [Placement(image_mask(pdf, qr), left_mm * 72 / 25.4, y, side_pt, side_pt)]


def _pantograph_forms(
    pdf: pikepdf.Pdf, calibration: PrintCalibration, layout_versions: set[int]
) -> tuple[pikepdf.Stream, dict[int, pikepdf.Stream]]:
    """The front's background and, per layout version, the back's (clipped to its areas)."""
    dpi = calibration.device_dpi
    width_px = round(PAGE_WIDTH_PT / 72 * dpi)
    height_px = round(PAGE_HEIGHT_PT / 72 * dpi)
    deflated = page_pantograph_packed(width_px, height_px, calibration)
    mask = packed_image_mask(pdf, deflated, width_px, height_px)
    page = (PAGE_WIDTH_PT, PAGE_HEIGHT_PT)
    whole = [Placement(mask, 0, 0, PAGE_WIDTH_PT, PAGE_HEIGHT_PT)]
    full = k_form(pdf, page, whole)
    backs = {
        version: k_form(pdf, page, whole, back_pantograph_areas(version))
        for version in sorted(layout_versions)
    }
    return full, backs


def back_pantograph_areas(layout_version: int = 1) -> list[tuple[float, float, float, float]]:
    """Where the back gets the copy-deterrent background: the header band and the text area,
    away from the block, the QR codes and the flower (§7.1.4: never under the scramble)."""
    gap = _pt(6 * MODULE_DEVICE_PX)  # 6 modules of white around the block and codes
    header_bottom = PAGE_HEIGHT_PT - _pt(BLOCK_TOP_PX) + gap
    text_left = _pt(SAKURA_LEFT_PX + SAKURA_SIZE_PX) + gap
    text_right = _pt(code_boxes(layout_version)[0].left_px)
    band_top = PAGE_HEIGHT_PT - _pt(BAND_TOP_PX)
    margin = 4 * 72 / 25.4
    return [
        (
            margin,
            header_bottom,
            PAGE_WIDTH_PT - 2 * margin,
            PAGE_HEIGHT_PT - margin - header_bottom,
        ),
        (text_left, margin, text_right - text_left, band_top - margin),
    ]


def _unique_xobject_name(page: pikepdf.Page, base: str) -> pikepdf.Name:
    existing = page.resources.get(Name.XObject, pikepdf.Dictionary())
    number = 0
    while f"/{base}{number}" in existing:
        number += 1
    return pikepdf.Name(f"/{base}{number}")


def _stamp(
    page: pikepdf.Page, *, under: Sequence[pikepdf.Object], over: Sequence[pikepdf.Object]
) -> None:
    """Draw Form XObjects under and over a page's own content, which stays untouched inside
    its own q/Q. Resource names are deterministic (pikepdf's add_underlay picks random ones,
    which would make two composes of the same job differ)."""

    def invoke(forms: Sequence[pikepdf.Object], base: str) -> bytes:
        calls = []
        for form in forms:
            name = _unique_xobject_name(page, base)
            page.add_resource(form, Name.XObject, name, replace_existing=False)
            calls.append(b"q " + str(name).encode("ascii") + b" Do Q")
        return b" ".join(calls)

    page.contents_add(invoke(under, "KsbUnder") + b" q\n", prepend=True)
    page.contents_add(b"\nQ " + invoke(over, "KsbOver") + b"\n")


# One line in the back's explanation box (6.8–7.2 pt, ≈70 mm wide): a URL or a short office name.
VERIFICATION_MAX = 80


def compose_job(
    copies: Sequence[CopyToPrint],
    calibration: PrintCalibration | None = None,
    verification: str = "",
) -> bytes:
    """The print job for ``copies``: per copy, per page, front then back (A4, long-edge duplex).

    ``verification`` says where the verification service is (the deployment's: a URL or an
    office, ≤ ``VERIFICATION_MAX`` characters); the back names it under its explanation.
    Raises ``ComposeError`` when a copy's front and back sides do not belong together.
    """
    if len(verification) > VERIFICATION_MAX or "\n" in verification:
        raise ComposeError(f"the verification service is one line of ≤ {VERIFICATION_MAX} chars")
    calibration = calibration or PrintCalibration()
    if not copies:
        raise ComposeError("nothing to print")
    fronts = [_open_front(copy.front_pdf) for copy in copies]
    marks: list[FrontMarks | BackMarks] = []  # decoration pages: front overlay, back
    for copy, front in zip(copies, fronts, strict=True):
        _check_copy(copy, front)
        for back in copy.back_sides:
            marks.append(_front_marks(back))
            marks.append(
                BackMarks(
                    back.serial,
                    back.issuer,
                    back.page_index,
                    back.page_count,
                    verification,
                    back.layout_version,
                )
            )
    decorations = pikepdf.Pdf.open(io.BytesIO(decorations_pdf(marks, calibration)))

    out = pikepdf.Pdf.new()
    page_size = (PAGE_WIDTH_PT, PAGE_HEIGHT_PT)
    versions = {back.layout_version for copy in copies for back in copy.back_sides}
    front_background, back_backgrounds = _pantograph_forms(out, calibration, versions)
    index = 0
    for copy, front in zip(copies, fronts, strict=True):
        for page_index, back in enumerate(copy.back_sides):
            front_marks = _front_marks(back)
            out.pages.append(front.pages[page_index])
            over = [out.copy_foreign(decorations.pages[index].as_form_xobject())]
            serial_code = _front_serial_code(out, front_marks)
            if serial_code:
                quiet = _pt(QR_QUIET_MODULES * SERIAL_QR_MODULE_DEVICE_PX)
                code = serial_code[0]
                white = (
                    code.x - quiet,
                    code.y - quiet,
                    code.width + 2 * quiet,
                    code.height + 2 * quiet,
                )
                over.append(k_form(out, page_size, serial_code, knockout=[white]))
            _stamp(out.pages[-1], under=[front_background], over=over)

            out.pages.append(decorations.pages[index + 1])
            _stamp(
                out.pages[-1],
                under=[back_backgrounds[back.layout_version]]
                if calibration.pantograph_on_back
                else [],
                over=[k_form(out, page_size, _back_placements(out, back))],
            )
            index += 2
    out.docinfo["/Title"] = "certificate print job"
    buffer = io.BytesIO()
    out.save(buffer, deterministic_id=True, compress_streams=True, linearize=False)
    return buffer.getvalue()
