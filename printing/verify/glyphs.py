"""The signed text runs drawn again, in the certificate's own fonts, at their places.

The verifier knows the fonts (IPAex明朝 and IPAmj明朝 for the municipality's page, IPAex Gothic
for the kiosk's serial line) and every run's origin, size and letter gap from the signed facts:
rendering them gives the page as signed, to register a front scan on and to compare it with
glyph by glyph. Glyphs come from FreeType (Pillow; libraqm shapes variation sequences), at
twice the target resolution and then averaged down, each placed at its own origin (to a
quarter of a pixel at 300 dpi), so the widths are the ones the renderer used.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import numpy.typing as npt
from PIL import ImageFont

from printing.security._cv import cv2
from printing.security.facts import FONT_GOTHIC, FONT_MINCHO, FONT_MINCHO_MJ, TextRun, origins

SUPERSAMPLE = 2
REACH_EM = 2.0  # no glyph's ink lies this far (in ems) from its origin
PT_PER_INCH = 72.0
RENDERABLE_FONTS = (FONT_MINCHO, FONT_MINCHO_MJ, FONT_GOTHIC)
_lock = threading.Lock()


@cache
def _font(font: int, size_px: float) -> ImageFont.FreeTypeFont:
    if font == FONT_GOTHIC:
        from printing.security.fonts import gothic_path

        path = str(gothic_path())
    else:
        from printing.documents.fonts import FALLBACK_FONT, TEXT_FONT, font_path

        path = str(font_path(FALLBACK_FONT if font == FONT_MINCHO_MJ else TEXT_FONT))
    return ImageFont.truetype(path, size_px, layout_engine=ImageFont.Layout.RAQM)


def _glyph_font(cluster: str, font: int) -> int:
    """The font that actually has ``cluster`` (the municipality's renderer falls back to IPAmj
    per character, printing.documents.fonts)."""
    if font == FONT_GOTHIC:
        return font
    from printing.documents.fonts import FALLBACK_FONT, drawable

    found = drawable(cluster)
    return FONT_MINCHO_MJ if found and found[0] == FALLBACK_FONT else FONT_MINCHO


@dataclass(frozen=True)
class Glyph:
    """A glyph's coverage (0..1) at SUPERSAMPLE × the target resolution, and where its top-left
    pixel is relative to the origin (baseline, left)."""

    coverage: npt.NDArray[np.float32]
    left: int
    top: int


@cache
def glyph(cluster: str, font: int, size_px: float) -> Glyph:
    """One cluster's glyph at ``size_px`` (the supersampled em, in pixels)."""
    face = _font(_glyph_font(cluster, font), size_px)
    with _lock:  # FreeType faces are not thread-safe
        mask, offset = face.getmask2(cluster, mode="L", anchor="ls")
    width, height = mask.size
    data = np.frombuffer(bytes(mask), dtype=np.uint8).reshape(height, width) if width else None
    coverage = (
        np.zeros((1, 1), np.float32)
        if data is None
        else np.asarray(data, dtype=np.float32) / np.float32(255)
    )
    return Glyph(coverage, int(offset[0]), int(offset[1]))


def renderable(run: TextRun) -> bool:
    return run.font in RENDERABLE_FONTS


@dataclass(frozen=True)
class Frame:
    """A window on the page at ``dpi``: pixel (0, 0) is at (x_pt, y_pt) from the top-left."""

    x_pt: float
    y_pt: float
    width: int
    height: int
    dpi: float

    @property
    def px_per_pt(self) -> float:
        return self.dpi / PT_PER_INCH


def draw(
    canvas: npt.NDArray[np.float32],
    frame: Frame,
    cluster: str,
    font: int,
    size_pt: float,
    x_pt: float,
    baseline_pt: float,
) -> None:
    """Add one cluster's coverage to ``canvas`` (SUPERSAMPLE × the frame's size)."""
    scale = frame.px_per_pt * SUPERSAMPLE
    item = glyph(cluster, font, round(size_pt * scale * 4) / 4)
    x = round((x_pt - frame.x_pt) * scale) + item.left
    y = round((baseline_pt - frame.y_pt) * scale) + item.top
    h, w = item.coverage.shape
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + w, canvas.shape[1]), min(y + h, canvas.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    piece = item.coverage[y0 - y : y1 - y, x0 - x : x1 - x]
    np.maximum(canvas[y0:y1, x0:x1], piece, out=canvas[y0:y1, x0:x1])


def downsample(canvas: npt.NDArray[np.float32], frame: Frame) -> npt.NDArray[np.float32]:
    return np.asarray(
        cv2.resize(canvas, (frame.width, frame.height), interpolation=cv2.INTER_AREA),
        dtype=np.float32,
    )


def supersampled(frame: Frame) -> npt.NDArray[np.float32]:
    return np.zeros((frame.height * SUPERSAMPLE, frame.width * SUPERSAMPLE), np.float32)


def render_runs(runs: list[TextRun], frame: Frame) -> npt.NDArray[np.float32]:
    """The runs' ink coverage (0..1) in ``frame``. Runs and characters that cannot reach the
    frame are not drawn: a run's neighbours are drawn into many small frames (runcheck), most
    of them out of sight. A glyph stays within REACH_EM of its origin, generously."""
    canvas = supersampled(frame)
    right = frame.x_pt + frame.width / frame.px_per_pt
    bottom = frame.y_pt + frame.height / frame.px_per_pt
    for run in runs:
        reach = REACH_EM * run.size_pt
        if (
            not renderable(run)
            or run.baseline_pt + reach < frame.y_pt
            or run.baseline_pt - reach > bottom
        ):
            continue
        for cluster, x in origins(run):
            if frame.x_pt - reach < x < right + reach:
                draw(canvas, frame, cluster, run.font, run.size_pt, x, run.baseline_pt)
    return downsample(canvas, frame)


def render_cluster(
    cluster: str, run: TextRun, x_pt: float, frame: Frame
) -> npt.NDArray[np.float32]:
    """One cluster alone, at its place, in ``frame``."""
    canvas = supersampled(frame)
    draw(canvas, frame, cluster, run.font, run.size_pt, x_pt, run.baseline_pt)
    return downsample(canvas, frame)


def render_cell(
    cluster: str,
    font: int,
    size_pt: float,
    x_pt: float,
    baseline_pt: float,
    frame: Frame,
    blur: float,
) -> npt.NDArray[np.float32]:
    """One cluster in a small ``frame`` (a character's cell), blurred by ``blur`` px: the
    template a scan's cell is compared with. Cached by the glyph's whole-pixel offset in the
    frame — the same template for every cell where a character sits alike."""
    scale = frame.px_per_pt * SUPERSAMPLE
    size = round(size_pt * scale * 4) / 4
    ox = round((x_pt - frame.x_pt) * scale)
    oy = round((baseline_pt - frame.y_pt) * scale)
    return _cell(cluster, font, size, ox, oy, frame.width, frame.height, blur)


@lru_cache(maxsize=50_000)
def _cell(
    cluster: str, font: int, size: float, ox: int, oy: int, width: int, height: int, blur: float
) -> npt.NDArray[np.float32]:
    pad = int(np.ceil(3 * blur))
    canvas = np.zeros(
        ((height + 2 * pad) * SUPERSAMPLE, (width + 2 * pad) * SUPERSAMPLE), np.float32
    )
    item = glyph(cluster, font, size)
    x = ox + pad * SUPERSAMPLE + item.left
    y = oy + pad * SUPERSAMPLE + item.top
    h, w = item.coverage.shape
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + w, canvas.shape[1]), min(y + h, canvas.shape[0])
    if x1 > x0 and y1 > y0:
        canvas[y0:y1, x0:x1] = item.coverage[y0 - y : y1 - y, x0 - x : x1 - x]
    small = cv2.resize(canvas, (width + 2 * pad, height + 2 * pad), interpolation=cv2.INTER_AREA)
    blurred = cv2.GaussianBlur(small, (0, 0), blur) if blur > 0 else small
    out = np.ascontiguousarray(blurred[pad : pad + height, pad : pad + width], dtype=np.float32)
    out.setflags(write=False)
    return out
