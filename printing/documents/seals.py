"""Seal images generated from data: the municipality's official seal (職印) and a resident's
registered seal impression (印影).

Both are red ink on a transparent background (RGBA), so that printed over text or over the
security layer's background they only add ink. The characters are laid out as seals are: in
columns read from the right, each column's characters stretched to fill it, strokes thickened.
The ink texture (small voids, uneven density) is pseudo-random but seeded from the seal's own
data, so the same seal always gives the same image.
"""

from __future__ import annotations

import hashlib
import math
import threading
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, features

from printing.documents._ivs import split_clusters
from printing.documents.fonts import FALLBACK_FONT, TEXT_FONT, drawable, font_path
from printing.documents.inkan import SealImpression, SealShape

__all__ = ["IMAGE_DPI", "OFFICIAL_SEAL_MM", "impression_image", "official_seal_image"]

IMAGE_DPI = 400  # raster resolution of the seal images (well above the scramble's ~100 px/in)
OFFICIAL_SEAL_MM = 21.0  # 職印 of certificates: about 21 mm square
SEAL_RED = (200, 24, 32)  # 朱肉 red


def _px(mm: float) -> int:
    return max(1, round(mm / 25.4 * IMAGE_DPI))


# Variation sequences need a shaping engine that reads cmap format 14 (libraqm/HarfBuzz, in
# Pillow's wheels); without one the base character's usual glyph is drawn.
_RAQM = features.check("raqm")
_FONT_LOCK = threading.Lock()


@lru_cache(maxsize=16)
def _pil_font(name: str, size_px: int) -> ImageFont.FreeTypeFont:
    engine = ImageFont.Layout.RAQM if _RAQM else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(font_path(name)), size_px, layout_engine=engine)


def _glyph(cluster: str, size_px: int) -> Image.Image:
    """The ink of one character (or variation sequence), cropped to its bounding box (L)."""
    found = drawable(cluster)  # callers have checked the glyphs (require_glyphs)
    name = found[0] if found else TEXT_FONT
    if not _RAQM:
        cluster = cluster[0]
    canvas = Image.new("L", (size_px * 2, size_px * 2), 0)
    # One FreeType face per (font, size) is shared; FreeType faces are not thread-safe.
    with _FONT_LOCK:
        font = _pil_font(FALLBACK_FONT if name == FALLBACK_FONT else TEXT_FONT, size_px)
        ImageDraw.Draw(canvas).text((size_px // 2, size_px // 2), cluster, fill=255, font=font)
    box = canvas.getbbox()
    return canvas.crop(box) if box else canvas.crop((0, 0, 1, 1))


def _columns(text: str, n_columns: int) -> list[list[str]]:
    """Split ``text`` into columns of clusters, right column first; the first columns take
    the extra."""
    clusters = list(split_clusters(text))
    base, extra = divmod(len(clusters), n_columns)
    columns, start = [], 0
    for i in range(n_columns):
        count = base + (1 if i < extra else 0)
        columns.append(clusters[start : start + count])
        start += count
    return [c for c in columns if c]


def _lay_out(
    text: str, box: tuple[int, int, int, int], n_columns: int, stroke_px: int
) -> Image.Image:
    """The characters in columns inside ``box`` (left, top, right, bottom), as a mask."""
    left, top, right, bottom = box
    mask = Image.new("L", (right - left, bottom - top), 0)
    columns = _columns(text, n_columns)
    col_w = (right - left) / len(columns)
    for c, column in enumerate(columns):
        x0 = (right - left) - (c + 1) * col_w  # right to left
        cell_h = (bottom - top) / len(column)
        for r, ch in enumerate(column):
            # A lone character per row is not stretched wider than a little over square.
            cell_w_px = max(1, round(min(col_w, cell_h * 1.15) * 0.92))
            cell_h_px = max(1, round(cell_h * 0.92))
            glyph = _glyph(ch, max(cell_w_px, cell_h_px))
            glyph = glyph.resize((cell_w_px, cell_h_px), Image.Resampling.LANCZOS)
            if stroke_px > 0:
                glyph = glyph.filter(ImageFilter.MaxFilter(2 * stroke_px + 1))
            x = round(x0 + (col_w - cell_w_px) / 2)
            y = round(r * cell_h + (cell_h - cell_h_px) / 2)
            mask.paste(255, (x, y), glyph)
    full = Image.new("L", (box[2] + box[0], box[3] + box[1]), 0)
    full.paste(mask, (left, top))
    return full


def _ink(mask: Image.Image, seed_text: str) -> Image.Image:
    """Red ink through ``mask`` with a seeded texture of voids and uneven density (RGBA)."""
    seed = int.from_bytes(hashlib.sha256(seed_text.encode()).digest()[:8], "big")
    rng = np.random.default_rng(seed)
    w, h = mask.size
    noise = Image.fromarray((rng.random((h, w)) * 255).astype(np.uint8), "L")
    noise = noise.filter(ImageFilter.GaussianBlur(radius=max(1.0, w / 120)))
    texture = np.asarray(noise, dtype=np.float32)
    texture = (texture - texture.mean()) / (texture.std() + 1e-6)
    alpha = np.asarray(mask, dtype=np.float32) / 255.0
    alpha = alpha * np.clip(0.93 + 0.07 * texture, 0.0, 1.0)  # density varies by a few percent
    alpha[texture < -2.1] *= 0.15  # small voids where the paper did not take ink
    rgba = np.zeros((h, w, 4), dtype=np.uint8)
    rgba[..., 0], rgba[..., 1], rgba[..., 2] = SEAL_RED
    rgba[..., 3] = np.clip(alpha * 255.0, 0, 255).astype(np.uint8)
    return Image.fromarray(rgba, "RGBA")


@lru_cache(maxsize=64)
def official_seal_image(legend: str, size_mm: float = OFFICIAL_SEAL_MM) -> Image.Image:
    """The official seal (職印): a square with a heavy border and ``legend`` (e.g.
    「練馬区長之印」) in two to four columns. Check the legend's glyphs before calling."""
    side = _px(size_mm)
    border = max(2, round(side * 0.055))
    mask = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(mask)
    draw.rectangle((0, 0, side - 1, side - 1), fill=255)
    draw.rectangle((border, border, side - 1 - border, side - 1 - border), fill=0)
    inset = border + max(2, round(side * 0.04))
    n = len(list(split_clusters(legend)))
    n_columns = 2 if n <= 4 else 3 if n <= 9 else 4
    text = _lay_out(legend, (inset, inset, side - inset, side - inset), n_columns, side // 110)
    mask.paste(255, (0, 0), text)
    return _ink(mask, f"official|{legend}|{size_mm}")


@lru_cache(maxsize=64)
def impression_image(seal: SealImpression) -> Image.Image:
    """The registered seal's impression (印影) from its data, at its real size."""
    n = len(list(split_clusters(seal.text)))
    if seal.shape is SealShape.OVAL:
        width, height = _px(seal.size_mm * 0.62), _px(seal.size_mm)
    else:
        width = height = _px(seal.size_mm)
    border = max(2, round(min(width, height) * 0.06))
    mask = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(mask)
    if seal.shape is SealShape.SQUARE:
        draw.rectangle((0, 0, width - 1, height - 1), fill=255)
        draw.rectangle((border, border, width - 1 - border, height - 1 - border), fill=0)
        inset_x = inset_y = border + max(1, round(width * 0.05))
    else:
        draw.ellipse((0, 0, width - 1, height - 1), fill=255)
        draw.ellipse((border, border, width - 1 - border, height - 1 - border), fill=0)
        # The text block of a round seal: a box inside the ring (corners touch it, as real
        # seals' strokes join the rim).
        inset_x = round(width * (0.5 - 0.5 / math.sqrt(2)) + border * 0.4)
        inset_y = round(height * 0.12) + border
    n_columns = 1 if n <= 2 or seal.shape is SealShape.OVAL else 2 if n <= 6 else 3
    text = _lay_out(
        seal.text,
        (inset_x, inset_y, width - inset_x, height - inset_y),
        n_columns,
        max(1, min(width, height) // 90),
    )
    mask.paste(255, (0, 0), text)
    if seal.shape is not SealShape.SQUARE:  # keep the ink inside the outline
        clip = Image.new("L", (width, height), 0)
        ImageDraw.Draw(clip).ellipse((0, 0, width - 1, height - 1), fill=255)
        mask = Image.fromarray(np.minimum(np.asarray(mask), np.asarray(clip)), "L")
    return _ink(mask, f"impression|{seal.text}|{seal.shape.value}|{seal.size_mm}")
