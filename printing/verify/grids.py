"""Displacement grids of the verifier: shifts measured at evenly spaced points of a scan (tiles
of the front, sync markers of the back), completed where a point gave nothing, smoothed, and
interpolated to every pixel or module. Shared by front.py and locate.py."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from printing.security._cv import cv2

Grid = npt.NDArray[np.float32]  # (rows, columns, components): NaN where nothing was measured
Coordinates = npt.NDArray[np.floating[Any]]  # fractional grid positions, one per output pixel


def fill_and_smooth(grid: Grid) -> Grid:
    """Each component's missing cells take the median of their measured neighbours, growing
    inwards (0 where nothing at all was measured); then a 3 × 3 median rejects outliers."""
    return np.stack(
        [cv2.medianBlur(_fill_missing(grid[..., k]), 3) for k in range(grid.shape[-1])], axis=-1
    )


def interpolate(grid: Grid, at_x: Coordinates, at_y: Coordinates) -> Grid:
    """The grid's values at fractional grid coordinates: ``at_x`` one per output column, ``at_y``
    one per output row (bilinear; beyond the edges the edge value)."""
    shape = (at_y.size, at_x.size)
    map_x = np.broadcast_to(at_x[None, :], shape).astype(np.float32)
    map_y = np.broadcast_to(at_y[:, None], shape).astype(np.float32)
    return np.stack(
        [
            cv2.remap(
                np.ascontiguousarray(grid[..., k]),
                map_x,
                map_y,
                cv2.INTER_LINEAR,
                borderMode=cv2.BORDER_REPLICATE,
            )
            for k in range(grid.shape[-1])
        ],
        axis=-1,
    )


def _fill_missing(plane: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    grid = plane.astype(np.float32, copy=True)
    for _ in range(max(grid.shape)):
        missing = np.isnan(grid)
        if not missing.any():
            break
        padded = np.pad(grid, 1, constant_values=np.nan)
        stack = np.stack(
            [
                padded[dy : dy + grid.shape[0], dx : dx + grid.shape[1]]
                for dy in range(3)
                for dx in range(3)
            ]
        )
        counts = np.sum(~np.isnan(stack), axis=0)
        # The medians only where they are used (missing cells with a measured neighbour), by a
        # sort (NaN last) and the middle of the measured values: np.nanmedian's numbers, without
        # its masked arrays (most of its time on grids this small).
        target = missing & (counts > 0)
        values = np.sort(stack[:, target], axis=0)
        known = counts[target]
        cells = np.arange(known.size)
        low, high = values[(known - 1) // 2, cells], values[known // 2, cells]
        grid[target] = (low + high) / np.float32(2)
        if np.isnan(grid).all():
            break
    return np.ascontiguousarray(np.nan_to_num(grid), dtype=np.float32)


__all__ = ["Grid", "fill_and_smooth", "interpolate"]
