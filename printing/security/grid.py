"""The module block: source bits → scrambled data sites → the 1-bit block image, and back.

Shared by the center (which builds the block) and the verifier (which reads it): the layout's
fixed modules (fiducials, sync markers), the public pilots and the keyed data sites.
"""

from __future__ import annotations

import io

import numpy as np
import numpy.typing as npt
from PIL import Image

from .keys import Scrambler
from .layout import BLOCK_COLS, BLOCK_ROWS, block_geometry, check_pattern


def source_bits(raster: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """The bits a page's block carries: its source raster (row-major) then the check pattern."""
    return np.concatenate([raster.astype(bool).ravel(), check_pattern()])


def build_block(raster: npt.NDArray[np.bool_], scrambler: Scrambler) -> npt.NDArray[np.bool_]:
    """The block (rows × cols, True = ink) for a source raster under a page's scrambler."""
    geometry = block_geometry()
    block = geometry.fixed_bits.copy().ravel()
    block[geometry.pilot_index] = geometry.pilot_bits
    block[geometry.data_index] = scrambler.scramble(source_bits(raster))
    return block.reshape(BLOCK_ROWS, BLOCK_COLS)


def layout_mismatches(block: npt.NDArray[np.bool_]) -> int:
    """How many fixed or pilot modules of a block differ from the layout (0 for a good block)."""
    geometry = block_geometry()
    flat = block.ravel()
    fixed = int(
        np.count_nonzero(
            flat[geometry.reserved.ravel()] != geometry.fixed_bits[geometry.reserved].ravel()
        )
    )
    pilots = int(np.count_nonzero(flat[geometry.pilot_index] != geometry.pilot_bits))
    return fixed + pilots


def encode_block_png(block: npt.NDArray[np.bool_]) -> bytes:
    """1-bit PNG of the block (black = ink), ~86 kB for layout v1's noise-like content."""
    image = Image.fromarray(~block).convert("1")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def decode_block_png(data: bytes) -> npt.NDArray[np.bool_]:
    """The block from its PNG; the caller checks the size (see ``BackSideData``)."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return ~np.asarray(image.convert("1"), dtype=bool)
