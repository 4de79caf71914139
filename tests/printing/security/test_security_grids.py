"""The displacement grids' fill: each missing cell takes the median of its measured
neighbours, growing inwards — the sorted middle gives np.nanmedian's numbers."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from printing.verify.front import _std
from printing.verify.grids import _fill_missing


def _reference(plane: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """The fill as np.nanmedian over every cell's 3 × 3 neighbourhood, cell by cell."""
    grid = plane.astype(np.float32, copy=True)
    while np.isnan(grid).any() and not np.isnan(grid).all():
        before = grid.copy()
        for y, x in zip(*np.nonzero(np.isnan(before)), strict=True):
            around = before[max(0, y - 1) : y + 2, max(0, x - 1) : x + 2]
            if not np.isnan(around).all():
                grid[y, x] = np.nanmedian(around)
    return np.nan_to_num(grid).astype(np.float32)


@pytest.mark.parametrize("seed", range(12))
def test_fill_missing_is_the_neighbours_nanmedian_growing_inwards(seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(1, 14)), int(rng.integers(1, 14)))
    plane = rng.normal(0, 3, shape).astype(np.float32)
    plane[rng.random(shape) < rng.uniform(0.1, 0.95)] = np.nan
    np.testing.assert_array_equal(_fill_missing(plane), _reference(plane))


def test_fill_missing_of_nothing_measured_is_zero() -> None:
    plane = np.full((3, 4), np.nan, np.float32)
    np.testing.assert_array_equal(_fill_missing(plane), np.zeros((3, 4), np.float32))


def test_tile_std_is_numpys_to_float_precision() -> None:
    rng = np.random.default_rng(5)
    page = (rng.random((200, 150)) < 0.2).astype(np.float32) * rng.random((200, 150), np.float32)
    tile = page[37:85, 20:68]  # a view into the page, as the tiles are
    assert abs(_std(tile) - float(tile.std())) < 1e-6
