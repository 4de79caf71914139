"""The page pattern is packed band by band (to keep the kiosk's memory peak low); the bands
must put together exactly the pattern of the whole page, at every supported resolution."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from printing.security import PrintCalibration
from printing.security.calibration import SUPPORTED_DEVICE_DPI
from printing.security.pantograph import page_pantograph_packed, pantograph, word_cells


@pytest.mark.parametrize("dpi", SUPPORTED_DEVICE_DPI)
def test_packed_bands_equal_the_whole_page_pattern(dpi: int) -> None:
    calibration = PrintCalibration(device_dpi=dpi)
    # A page a few bands tall whose height is not a multiple of the band or the cell pitch,
    # so that the last band and the last, partial cell row are covered.
    width, height = 1237, 1777
    whole = pantograph(width, height, calibration)
    packed = zlib.decompress(page_pantograph_packed(width, height, calibration))
    rows = np.unpackbits(
        np.frombuffer(packed, dtype=np.uint8).reshape(height, -1), axis=1, count=width
    ).astype(bool)
    assert np.array_equal(~rows, whole)
    assert whole.any()
    assert not whole.all()


def test_a_band_is_those_rows_of_the_page() -> None:
    calibration = PrintCalibration()
    width, height = 800, 2000
    whole = word_cells(width, height, calibration)
    first = calibration.word_pitch_px * 90  # a band across a row of words (~810–1110 px)
    band = word_cells(width, height, calibration, (first, first + 297))
    assert np.array_equal(band, whole[first : first + 297])
    assert band.any()


def test_a_band_off_the_cell_grid_is_refused() -> None:
    calibration = PrintCalibration()
    with pytest.raises(ValueError, match="cell boundary"):
        word_cells(800, 1000, calibration, (calibration.word_pitch_px + 1, 504))
    with pytest.raises(ValueError, match="cell boundary"):
        word_cells(800, 1000, calibration, (0, 500))
