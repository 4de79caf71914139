"""The copy-deterrent background (けん制文字, void pantograph), security-printing.md §3.1–3.2.

A 1-bit pattern at device resolution, printed K only: everywhere small dispersed dots, inside
the repeated word 複写 clustered dots of the same mean coverage. At reading distance both are
the same light tint; a copier low-passes and re-thresholds, losing the isolated dots and keeping
the clusters, so the word appears on the copy. It is a deterrent, not proof of originality
(§1.1, §3.2): the IR latent image is the originality test.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

from .calibration import PrintCalibration
from .fonts import pil_gothic

# Word tiling: staggered rows so that a copy shows the word wherever it is cut.
WORD_SPACING_X = 2.6  # × word width between word origins in a row
WORD_SPACING_Y = 3.2  # × word height between rows
STAGGER = 0.5  # every other row shifted by this fraction of the horizontal spacing


def word_mask(calibration: PrintCalibration) -> npt.NDArray[np.bool_]:
    """The word's glyphs as a mask at device resolution, tightly cropped."""
    height_px = round(calibration.word_height_mm / 25.4 * calibration.device_dpi)
    font = pil_gothic(height_px)
    left, top, right, bottom = (int(v) for v in font.getbbox(calibration.copy_word))
    image = Image.new("L", (right - left + 2, bottom - top + 2), 0)
    ImageDraw.Draw(image).text((1 - left, 1 - top), calibration.copy_word, fill=255, font=font)
    return np.asarray(image, dtype=np.uint8) > 127


def _screen(
    shape: tuple[int, int], dot: int, pitch: int, first_row: int = 0
) -> npt.NDArray[np.bool_]:
    """Square dots of ``dot`` px every ``pitch`` px, each centred in its ``pitch`` cell; rows
    counted from ``first_row`` so that a band of a page carries the same phase as the whole
    page. Centred, a word cell's cluster has the same gap to the background on every side: in
    the cell's corner it touched the background on two sides and left a gap on the other two,
    and the word looked embossed (a dark contour above and left, a light one below and right).
    """
    lead = (pitch - dot) // 2
    rows = ((np.arange(first_row, first_row + shape[0]) - lead) % pitch) < dot
    cols = ((np.arange(shape[1]) - lead) % pitch) < dot
    return np.asarray(rows[:, None] & cols[None, :], dtype=bool)


def latent_word_area(
    width_px: int,
    height_px: int,
    calibration: PrintCalibration,
    rows: tuple[int, int] | None = None,
) -> npt.NDArray[np.bool_]:
    """Where the clustered screen goes: the word tiled over a page of the given size.

    ``rows`` (first, end) limits the answer to that band of the page (page coordinates).
    """
    first, end = rows if rows is not None else (0, height_px)
    word = word_mask(calibration)
    wh, ww = word.shape
    step_x = round(ww * WORD_SPACING_X)
    step_y = round(wh * WORD_SPACING_Y)
    area = np.zeros((end - first, width_px), dtype=bool)
    for row, y in enumerate(range(-wh // 2, height_px, step_y)):
        y0, y1 = max(y, first), min(y + wh, end)
        if y1 <= y0:
            continue
        offset = round(step_x * STAGGER) if row % 2 else 0
        for x in range(-ww + offset % step_x, width_px, step_x):
            x0, x1 = max(x, 0), min(x + ww, width_px)
            if x1 > x0:
                area[y0 - first : y1 - first, x0:x1] |= word[y0 - y : y1 - y, x0 - x : x1 - x]
    return area


def pantograph(
    width_px: int,
    height_px: int,
    calibration: PrintCalibration,
    rows: tuple[int, int] | None = None,
) -> npt.NDArray[np.bool_]:
    """The background pattern (True = ink) for a page of ``width_px`` × ``height_px`` device px.

    The cluster screen is aligned to its own pitch so that every cluster inside the word is
    whole; the word's edge therefore follows cluster boundaries (no cut clusters, which would
    print lighter and outline the word on the original). ``rows`` (first, end: multiples of
    ``word_pitch_px``, or ``end`` the page's height) gives one band of the page, identical to
    those rows of the whole page.
    """
    first, end = rows if rows is not None else (0, height_px)
    shape = (end - first, width_px)
    background = _screen(
        shape, calibration.background_dot_px, calibration.background_pitch_px, first
    )
    clusters = _screen(shape, calibration.word_dot_px, calibration.word_pitch_px, first)
    return np.where(
        word_cells(width_px, height_px, calibration, (first, end)), clusters, background
    )


def pantograph_patch(
    width_px: int, height_px: int, calibration: PrintCalibration
) -> npt.NDArray[np.bool_]:
    """A calibration patch: the background screen with one whole word, centred."""
    word = word_mask(calibration)
    area = np.zeros((height_px, width_px), dtype=bool)
    wh, ww = min(word.shape[0], height_px), min(word.shape[1], width_px)
    y0, x0 = (height_px - wh) // 2, (width_px - ww) // 2
    area[y0 : y0 + wh, x0 : x0 + ww] = word[:wh, :ww]
    shape = (height_px, width_px)
    background = _screen(shape, calibration.background_dot_px, calibration.background_pitch_px)
    clusters = _screen(shape, calibration.word_dot_px, calibration.word_pitch_px)
    return np.where(_snap_to_cells(area, calibration.word_pitch_px), clusters, background)


def _snap_to_cells(area: npt.NDArray[np.bool_], pitch: int) -> npt.NDArray[np.bool_]:
    """Whole cluster cells: a cell belongs to the word when its centre does."""
    centre = pitch // 2
    cell_is_word = area[centre::pitch, centre::pitch]
    cells = np.repeat(np.repeat(cell_is_word, pitch, axis=0), pitch, axis=1)
    snapped = np.zeros(area.shape, dtype=bool)
    snapped[: cells.shape[0], : cells.shape[1]] = cells[: area.shape[0], : area.shape[1]]
    return snapped


def word_cells(
    width_px: int,
    height_px: int,
    calibration: PrintCalibration,
    rows: tuple[int, int] | None = None,
) -> npt.NDArray[np.bool_]:
    """The word area snapped to whole cluster cells (a cell is "word" when its centre is).

    ``rows`` as in ``pantograph``: a band from a cell boundary to a cell boundary or the
    page's foot.
    """
    first, end = rows if rows is not None else (0, height_px)
    pitch = calibration.word_pitch_px
    if first % pitch or (end != height_px and end % pitch):
        # A cell cut by the band's edge would be judged by a centre outside the band.
        raise ValueError("a band of the pattern must start and end on a cluster cell boundary")
    area = latent_word_area(width_px, height_px, calibration, rows)
    return _snap_to_cells(area, calibration.word_pitch_px)


# Rows per band when the page pattern is packed: a multiple of the usual cell pitches, small
# enough that a band's temporaries stay ~15 MB at 600 dpi (the whole A4 page at once added
# ~150 MB to the kiosk's peak and took 0.6 s instead of 0.25 s, docs/running.md "Figures").
_BAND_ROWS = 9 * 8 * 7


@lru_cache(maxsize=4)
def page_pantograph_packed(width_px: int, height_px: int, calibration: PrintCalibration) -> bytes:
    """Flate-compressed PDF ImageMask rows (0 = paint) of the page pattern; cached per printer.

    Built band by band so that the full-page boolean pattern never exists at once.
    """
    import zlib

    band_rows = _BAND_ROWS - _BAND_ROWS % calibration.word_pitch_px
    compressor = zlib.compressobj(6)
    chunks: list[bytes] = []
    for first in range(0, height_px, band_rows):
        band = pantograph(
            width_px, height_px, calibration, (first, min(first + band_rows, height_px))
        )
        chunks.append(compressor.compress(np.packbits(~band, axis=1).tobytes()))
    chunks.append(compressor.flush())
    return b"".join(chunks)
