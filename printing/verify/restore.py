"""From module samples to the restored front (security-printing.md §7.3 steps 4–7).

Local normalisation (the scrambled block is ~50 % ink everywhere, so a local mean and spread
are a good reference for black and white), then a linear equaliser over each module's 5 × 5
neighbourhood, trained by least squares on the pilot modules — it learns the print–scan
channel's inter-module blur and tone. Then the inverse permutation and polarity, NL-means
denoising of the restored image (never a median filter: it erases thin strokes, §6.2), and the
check pattern as the automatic test of key and registration.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from printing.security._cv import cv2
from printing.security.keys import Scrambler
from printing.security.layout import (
    BLOCK_COLS,
    BLOCK_ROWS,
    CHECK_PATTERN_BITS,
    SourceGeometry,
    block_geometry,
    check_pattern,
)

NORMALISE_WINDOW = 33  # modules: ~8 mm, a sync cell, much larger than one glyph
# 5 × 5 taps: at 200 dpi with blur a module's ink spreads two modules away (3 × 3 taps left
# 12 % errors where 5 × 5 leaves 9 %, and 2.2 % → 0.7 % on a milder draw).
EQUALISER_TAPS = 5
FEATURES = EQUALISER_TAPS * EQUALISER_TAPS + 1
EQUALISER_REGIONS = (2, 2)  # one equaliser per region: toner and focus vary over the page
RIDGE = 1e-3
NLM_STRENGTH = 25  # h of cv2.fastNlMeansDenoising on 0..255 (§6.2: h = 20–30)
# Patches of 7 px compared within 11 px (OpenCV's default search is 21): the restored errors
# are isolated modules, whose like lies close by; a third of the time (0.37 → 0.14 s per page)
# for an image within 0.8 grey levels on average, no pixel more than 64 levels off.
NLM_TEMPLATE_PX, NLM_SEARCH_PX = 7, 11
SOFT_CLIP = 1.5


@dataclass(frozen=True)
class Equalised:
    soft: npt.NDArray[np.float32]  # rows × cols, + = ink
    pilot_error_rate: float  # decisions on held-out pilots that are wrong


def _pilot_features(
    padded: npt.NDArray[np.float32], rows: npt.NDArray[np.intp], cols: npt.NDArray[np.intp]
) -> npt.NDArray[np.float32]:
    """Each listed module's 5 × 5 neighbourhood (edge-padded) and a constant: the
    equaliser's inputs, for the pilots only."""
    taps = [
        padded[rows + dy, cols + dx] for dy in range(EQUALISER_TAPS) for dx in range(EQUALISER_TAPS)
    ]
    return np.stack([*taps, np.ones(rows.size, np.float32)], axis=-1)


def equalise(samples: npt.NDArray[np.float32]) -> Equalised:
    """Soft module values (+ = ink) from grey samples, trained on the pilots.

    The equaliser is linear in a module's 5 × 5 neighbourhood, so once trained (least squares
    on the pilots' neighbourhoods) it is applied as a correlation filter over its region
    (``cv2.filter2D``, edges replicated like the training's padding) — the same numbers as
    building every module's 26 features, without a 70-MB feature array."""
    mean = cv2.blur(samples, (NORMALISE_WINDOW, NORMALISE_WINDOW))
    square = cv2.blur(samples * samples, (NORMALISE_WINDOW, NORMALISE_WINDOW))
    spread = np.sqrt(np.maximum(square - mean * mean, 1e-6))
    z = ((mean - samples) / spread).astype(np.float32)  # ink positive
    reach = EQUALISER_TAPS // 2
    padded = np.pad(z, reach, mode="edge")
    geometry = block_geometry()
    pilots = geometry.pilot_index
    targets = np.where(geometry.pilot_bits, 1.0, -1.0)
    row_of = pilots // BLOCK_COLS
    col_of = pilots % BLOCK_COLS
    features = _pilot_features(padded, row_of, col_of)
    # Every other pilot trains, the rest measures: an honest error estimate.
    train = np.zeros(pilots.size, dtype=bool)
    train[::2] = True
    soft = np.empty((BLOCK_ROWS, BLOCK_COLS), dtype=np.float32)
    region_rows, region_cols = EQUALISER_REGIONS
    errors = 0
    held_out = 0
    for ry in range(region_rows):
        for rx in range(region_cols):
            y0, y1 = ry * BLOCK_ROWS // region_rows, (ry + 1) * BLOCK_ROWS // region_rows
            x0, x1 = rx * BLOCK_COLS // region_cols, (rx + 1) * BLOCK_COLS // region_cols
            inside = (row_of >= y0) & (row_of < y1) & (col_of >= x0) & (col_of < x1)
            chosen = inside & train
            a = features[chosen]
            weights = np.linalg.solve(a.T @ a + RIDGE * np.eye(FEATURES), a.T @ targets[chosen])
            kernel = weights[:-1].reshape(EQUALISER_TAPS, EQUALISER_TAPS).astype(np.float32)
            # The region with its neighbours' modules around it (the block's own edge padded).
            window = padded[y0 : y1 + 2 * reach, x0 : x1 + 2 * reach]
            filtered = cv2.filter2D(window, -1, kernel, borderType=cv2.BORDER_REPLICATE)
            soft[y0:y1, x0:x1] = filtered[reach:-reach, reach:-reach] + np.float32(weights[-1])
            test = inside & ~train
            decided = soft[row_of[test], col_of[test]] > 0
            errors += int(np.count_nonzero(decided != geometry.pilot_bits[test]))
            held_out += int(np.count_nonzero(test))
    return Equalised(
        soft=np.clip(soft, -SOFT_CLIP, SOFT_CLIP),
        pilot_error_rate=errors / max(held_out, 1),
    )


@dataclass(frozen=True)
class Restored:
    """The front as the back carries it."""

    ink_probability: npt.NDArray[np.float32]  # height × width, 0..1, before denoising
    check_agreement: float  # fraction of the check pattern restored right

    @cached_property
    def image(self) -> npt.NDArray[np.uint8]:
        """0 = ink … 255 = paper, NL-means denoised (§6.2: h = 20–30; never a median filter).
        Made when first asked for — to be shown or compared with a front —, not for the
        verdict on the back, which needs only the check pattern."""
        grey = np.round((1 - self.ink_probability) * 255).astype(np.uint8)
        denoised = cv2.fastNlMeansDenoising(
            grey,
            None,
            h=NLM_STRENGTH,
            templateWindowSize=NLM_TEMPLATE_PX,
            searchWindowSize=NLM_SEARCH_PX,
        )
        return np.asarray(denoised, dtype=np.uint8)


def unscramble(
    soft: npt.NDArray[np.float32], scrambler: Scrambler, source: SourceGeometry
) -> Restored:
    """Inverse permutation and polarity and the check pattern (§7.3 steps 6–7); the denoised
    image follows on demand (``Restored.image``)."""
    geometry = block_geometry()
    sites = soft.ravel()[geometry.data_index]
    length = source.pixel_count + CHECK_PATTERN_BITS
    values = scrambler.unscramble_soft(sites, length)
    check = values[source.pixel_count :] > 0
    agreement = float(np.mean(check == check_pattern()))
    raster = values[: source.pixel_count].reshape(source.height, source.width)
    # The equaliser is trained to ±1: −1 is paper, +1 ink.
    probability = np.clip((raster + 1) / 2, 0, 1).astype(np.float32)
    return Restored(ink_probability=probability, check_agreement=agreement)
