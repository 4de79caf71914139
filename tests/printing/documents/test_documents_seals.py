"""Generated seal images: the official seal (職印) and the registered impression (印影)."""

from __future__ import annotations

import numpy as np
import pytest

from printing.documents import SealImpression, SealShape
from printing.documents.seals import (
    IMAGE_DPI,
    OFFICIAL_SEAL_MM,
    SEAL_RED,
    _glyph,
    impression_image,
    official_seal_image,
)


def _alpha(image: object) -> np.ndarray:
    return np.asarray(image)[..., 3].astype(int)


def test_official_seal_is_a_red_square_with_a_border_and_text() -> None:
    image = official_seal_image("練馬区長之印")
    side = round(OFFICIAL_SEAL_MM / 25.4 * IMAGE_DPI)
    assert image.mode == "RGBA"
    assert image.size == (side, side)
    pixels = np.asarray(image)
    inked = pixels[..., 3] > 128
    assert (pixels[inked][:, :3] == SEAL_RED).all()  # one ink colour, density in alpha only
    alpha = _alpha(image)
    # A heavy border: the outer ring is mostly ink ...
    ring = np.concatenate([alpha[2, :], alpha[-3, :], alpha[:, 2], alpha[:, -3]])
    assert (ring > 128).mean() > 0.85
    # ... and the legend fills the inside with ink, less densely than the border.
    inside = alpha[side // 6 : -side // 6, side // 6 : -side // 6]
    assert 0.15 < (inside > 128).mean() < 0.8


def test_legend_changes_the_image() -> None:
    a = np.asarray(official_seal_image("練馬区長之印"))
    b = np.asarray(official_seal_image("千代田区長之印"))
    assert (a != b).any()


def test_same_data_same_image() -> None:
    seal = SealImpression("山田", SealShape.ROUND, 15.0)
    first = impression_image(seal).tobytes()
    impression_image.cache_clear()
    assert impression_image(seal).tobytes() == first


@pytest.mark.parametrize("shape", list(SealShape))
def test_impression_shape_and_size(shape: SealShape) -> None:
    seal = SealImpression("髙橋", shape, 18.0)
    image = impression_image(seal)
    height_px = round(18.0 / 25.4 * IMAGE_DPI)
    assert image.height == height_px
    if shape is SealShape.OVAL:
        assert image.width < image.height * 0.75
    else:
        assert image.width == height_px
    alpha = _alpha(image)
    corner = alpha[: height_px // 12, : image.width // 12]
    if shape is SealShape.SQUARE:
        assert (corner > 128).any()  # the square's border reaches the corner
    else:
        assert (corner == 0).all()  # round and oval seals leave the corners bare
    assert (alpha > 128).mean() > 0.1


def test_impression_of_a_rare_character_uses_the_fallback_font() -> None:
    """𠮷 is only in IPAmj: its glyph is drawn from there and looks like 吉 with a longer lower
    stroke (a .notdef box or a blank would not overlap 吉 this well)."""
    size = 200
    rare = np.asarray(_glyph("𠮷", size).resize((size, size))) > 128
    plain = np.asarray(_glyph("吉", size).resize((size, size))) > 128
    overlap = (rare & plain).sum() / (rare | plain).sum()
    assert 0.5 < overlap < 1.0
