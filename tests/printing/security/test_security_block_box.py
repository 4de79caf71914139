"""The back's block cropped before its flat field and blur: the box holds the block, the
sync search and the flat field's reach, and leaves the page's margins out."""

from __future__ import annotations

import numpy as np

from printing.security.layout import BLOCK_COLS, BLOCK_ROWS
from printing.verify.locate import SYNC_SEARCH_MODULES, _block_box, flat_field_step


def test_block_box_holds_the_block_and_its_sync_search_on_the_flat_fields_cells() -> None:
    module_px = 3.1
    angle = np.deg2rad(1.5)
    c, s = np.cos(angle) * module_px, np.sin(angle) * module_px
    homography = np.array([[c, -s, 150.0], [s, c, 120.0], [0, 0, 1]])
    shape = (3700, 2700)
    x0, y0, x1, y1 = _block_box(homography, module_px, shape)
    step = flat_field_step(module_px)
    assert x0 % step == 0
    assert y0 % step == 0
    corners = np.array([[0, 0], [BLOCK_COLS, 0], [BLOCK_COLS, BLOCK_ROWS], [0, BLOCK_ROWS]], float)
    mapped = corners @ homography[:2, :2].T + homography[:2, 2]
    reach = SYNC_SEARCH_MODULES * module_px
    assert x0 <= max(0, mapped[:, 0].min() - reach)
    assert y0 <= max(0, mapped[:, 1].min() - reach)
    assert x1 >= min(shape[1], mapped[:, 0].max() + reach)
    assert y1 >= min(shape[0], mapped[:, 1].max() + reach)
    assert (x1 - x0) * (y1 - y0) < 0.8 * shape[0] * shape[1]  # the margins are left out
    # A block entirely off the image: the whole image (locating then fails as before).
    away = homography.copy()
    away[0, 2] = 10_000.0
    assert _block_box(away, module_px, shape) == (0, 0, shape[1], shape[0])
