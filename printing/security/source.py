"""The source raster of a front page (security-printing.md §7.1.1), made on the center side.

The content area of the page the kiosk prints is rendered in grey with PDFium (anti-aliased,
so coverage is exact) at the resolution ``layout.source_geometry`` picks, then binarised: a
pixel is ink when at least 30 % of it is covered, or when it is the core of a thin stroke.
Binary modules survive print and scan better than grey ones and do not fight the printer's
halftone (§7.1.1).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .errors import BackSideGenerationError
from .layout import SOURCE_INK_THRESHOLD, SourceGeometry, source_geometry

SOURCE_RIDGE_COVERAGE = 0.12

POINTS_PER_INCH = 72
MAX_PAGE_SIDE_MM = 600  # beyond A2 a "certificate page" is not one


def render_page_grey(front_pdf: bytes, page_index: int, dpi: float) -> npt.NDArray[np.uint8]:
    """A whole page in 8-bit grey at ``dpi``, with PDFium (the ``sim``/``verify`` extra)."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(front_pdf)
    except pdfium.PdfiumError as exc:
        raise BackSideGenerationError("front PDF cannot be opened") from exc
    try:
        if not 0 <= page_index < len(document):
            raise BackSideGenerationError(
                f"page {page_index} out of range: the front has {len(document)} page(s)"
            )
        page = document[page_index]
        width_pt, height_pt = page.get_size()
        if max(width_pt, height_pt) / POINTS_PER_INCH * 25.4 > MAX_PAGE_SIDE_MM:
            raise BackSideGenerationError("front page is implausibly large")
        bitmap = page.render(
            scale=dpi / POINTS_PER_INCH, grayscale=True, fill_color=(255, 255, 255, 255)
        )
        grey = np.array(bitmap.to_numpy(), dtype=np.uint8)
    finally:
        document.close()
    if grey.ndim == 3:
        grey = grey[..., 0]
    return grey


def page_count(front_pdf: bytes) -> int:
    """Number of pages of a PDF (PDFium)."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(front_pdf)
    except pdfium.PdfiumError as exc:
        raise BackSideGenerationError("front PDF cannot be opened") from exc
    try:
        return len(document)
    finally:
        document.close()


def crop_area(page_grey: npt.NDArray[np.uint8], geometry: SourceGeometry) -> npt.NDArray[np.uint8]:
    """The content area of a page rendered at ``geometry.dpi``, padded white past the edge."""
    left, top, _, _ = geometry.area_mm
    x0 = round(left / 25.4 * geometry.dpi)
    y0 = round(top / 25.4 * geometry.dpi)
    out = np.full((geometry.height, geometry.width), 255, dtype=np.uint8)
    piece = page_grey[y0 : y0 + geometry.height, x0 : x0 + geometry.width]
    out[: piece.shape[0], : piece.shape[1]] = piece
    return out


def binarise(grey: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """Ink (True) where coverage ≥ 30 %, plus thin-stroke ridges.

    Mincho's horizontal strokes are ~0.1 mm, under half a pixel at 95 dpi: one that straddles
    two pixel rows leaves ~15 % in each and a plain threshold drops it (日 becomes ||). So a
    pixel with ≥ SOURCE_RIDGE_COVERAGE that is the darkest across its column or row neighbours
    is ink too; the anti-aliased edge of a thick stroke is never such a maximum, so glyphs do
    not thicken.
    """
    coverage = 1.0 - grey.astype(np.float32) / 255
    ink = coverage >= 1.0 - SOURCE_INK_THRESHOLD
    padded = np.pad(coverage, 1, mode="edge")
    vertical_peak = (coverage >= padded[:-2, 1:-1]) & (coverage >= padded[2:, 1:-1])
    horizontal_peak = (coverage >= padded[1:-1, :-2]) & (coverage >= padded[1:-1, 2:])
    ridge = (coverage >= SOURCE_RIDGE_COVERAGE) & (vertical_peak | horizontal_peak)
    return np.asarray(ink | ridge, dtype=bool)


def source_raster(
    front_pdf: bytes, page_index: int, area_mm: tuple[float, float, float, float]
) -> tuple[SourceGeometry, npt.NDArray[np.bool_]]:
    """The geometry and the binary source raster of one front page's content area."""
    geometry = source_geometry(area_mm)
    page = render_page_grey(front_pdf, page_index, geometry.dpi)
    return geometry, binarise(crop_area(page, geometry))
