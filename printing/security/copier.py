"""Simulated photocopies and the infrared view, to check the copy-evident features.

* ``photocopy``: a monochrome copier scans the printed page (optics blur, its own resolution),
  thresholds it in text mode and prints the result — which loses the pantograph's isolated
  dots and keeps its clusters (security-printing.md §3.1–3.2).
* ``viewing_contrast``: what a reader sees at arm's length (a ~0.3 mm low-pass): the mean
  darkness inside the hidden word's cells minus that of the background cells;
  ``outline_contrast`` the same for a band along the word's edge (an outline can show the
  word's shape where its area is hidden).
* ``render_cmyk``: a page's CMYK separations, rendered by Ghostscript (``tiff32nc``), whose K
  plane is the "IR view" — carbon-black K absorbs near infrared, CMY toners do not (§3.3).
* ``colour_copy_k``: the K plane after a colour copier re-separates a scan of the page with its
  own black generation, which knows nothing of which pink had K: the latent 証 is lost.

Models, not measurements: re-calibrate on real prints and copies (§3.2: "Calibrate per
printer"). Needs the ``verify`` extra (OpenCV) and Ghostscript (Debian ``ghostscript``).
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

from ._cv import cv2
from .calibration import PrintCalibration
from .channel import ChannelParams, print_page
from .pantograph import word_cells

PRINT_DPI = 600
EYE_SIGMA_MM = 0.3  # reading distance ~35 cm: detail below ~0.5 mm blends
GHOSTSCRIPT_TIMEOUT_S = 120


@dataclass(frozen=True)
class CopierModel:
    """A monochrome office copier in text mode."""

    scan_dpi: float = 600.0
    optics_sigma_px: float = 1.0  # at the scan resolution: a 600-dpi copier's MTF
    threshold: float = 0.72  # reflectance below this prints black (background suppression)


def printed_reflectance(
    render_600: npt.NDArray[np.uint8], dot_gain_sigma_px: float = 0.5
) -> npt.NDArray[np.float32]:
    """Paper reflectance (1 = white) of a page printed from its 600-dpi grey render."""
    params = ChannelParams(dot_gain_sigma_px=dot_gain_sigma_px)
    ink = print_page(render_600, params, np.random.default_rng(0))
    return np.asarray(1.0 - ink.astype(np.float32) / 255, dtype=np.float32)


def photocopy(
    reflectance: npt.NDArray[np.float32], copier: CopierModel | None = None
) -> npt.NDArray[np.float32]:
    """The copy's reflectance at 600 dpi: scan, threshold, print again."""
    copier = copier or CopierModel()
    h, w = reflectance.shape
    factor = copier.scan_dpi / PRINT_DPI
    scanned = cv2.resize(reflectance, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    scanned = cv2.GaussianBlur(scanned, (0, 0), copier.optics_sigma_px)
    black = (scanned < copier.threshold).astype(np.uint8) * 255
    copy_render = 255 - cv2.resize(black, (w, h), interpolation=cv2.INTER_NEAREST)
    return printed_reflectance(np.asarray(copy_render, dtype=np.uint8))


def viewing_contrast(
    reflectance: npt.NDArray[np.float32],
    calibration: PrintCalibration,
    region: tuple[slice, slice] | None = None,
) -> float:
    """How much darker the hidden word looks than its background from a reading distance
    (> 0: the word shows darker; 0: invisible), in units of reflectance.

    The word's strokes are thinner than the eye's blur is wide, so no pixel sees "only word":
    the contrast is the slope of seen darkness against the blurred word mask (a least-squares
    fit), i.e. the difference between a large area of word and of background.
    ``region`` limits the measurement (600-dpi pixel slices).
    """
    h, w = reflectance.shape
    sigma = EYE_SIGMA_MM / 25.4 * PRINT_DPI
    seen = 1.0 - cv2.GaussianBlur(reflectance, (0, 0), sigma)
    word = cv2.GaussianBlur(word_cells(w, h, calibration).astype(np.float32), (0, 0), sigma)
    if region is not None:
        seen, word = seen[region], word[region]
    spread = float(word.var())
    if spread < 1e-4:
        raise ValueError("the region holds no word or no background")
    return float(np.mean((seen - seen.mean()) * (word - word.mean())) / spread)


def outline_contrast(
    reflectance: npt.NDArray[np.float32], calibration: PrintCalibration, band_mm: float = 0.5
) -> float:
    """The largest darkness difference, seen from a reading distance, between a ``band_mm``
    band along one side of the hidden word's strokes (above, below, left or right of them,
    inside or outside) and the background far from the word: where the word's area is hidden,
    its outline can still show — a light or dark contour where the two screens meet, often on
    one side only (an embossed look), which a band all around the word would average away."""
    h, w = reflectance.shape
    sigma = EYE_SIGMA_MM / 25.4 * PRINT_DPI
    seen = 1.0 - cv2.GaussianBlur(reflectance, (0, 0), sigma)
    word = word_cells(w, h, calibration)
    band = max(1, round(band_mm / 25.4 * PRINT_DPI))
    # Away from the area's edges: the blur and the rolls below wrap or fade there.
    inside = np.zeros_like(word)
    margin = band + int(3 * sigma)
    inside[margin:-margin, margin:-margin] = True
    grown = cv2.dilate(word.astype(np.uint8), np.ones((8 * band + 1, 8 * band + 1), np.uint8))
    far = (grown == 0) & inside
    if not far.any():
        raise ValueError("the area holds no background far from the word")
    base = float(seen[far].mean())
    worst = 0.0
    for axis in (0, 1):
        for sign in (1, -1):
            # Pixels whose neighbour ``1..band`` px away along (axis, sign) is on the other side
            # of the word's edge: one side's outer band (outside) and inner band (inside).
            reach = np.zeros_like(word)
            for step in range(1, band + 1):
                reach |= np.roll(word, sign * step, axis=axis)
            for side in (reach & ~word, word & ~_rolled_all(word, sign, axis, band)):
                side &= inside
                if side.sum() > band * band:
                    worst = max(worst, abs(float(seen[side].mean()) - base))
    return worst


def _rolled_all(
    mask: npt.NDArray[np.bool_], sign: int, axis: int, band: int
) -> npt.NDArray[np.bool_]:
    """True where ``mask`` holds at every 1..band px away along (axis, sign)."""
    every = np.ones_like(mask)
    for step in range(1, band + 1):
        every &= np.roll(mask, -sign * step, axis=axis)
    return every


def render_cmyk(pdf: bytes, page: int, dpi: int = 200) -> npt.NDArray[np.float32]:
    """One page's CMYK separations (H × W × 4, 0..1 ink) by Ghostscript's tiff32nc device,
    which passes DeviceCMYK through unchanged."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        target = Path(folder) / "out.tif"
        source.write_bytes(pdf)
        subprocess.run(
            [
                "gs",
                "-q",
                "-dNOPAUSE",
                "-dBATCH",
                "-dSAFER",
                "-sDEVICE=tiff32nc",
                f"-r{dpi}",
                f"-dFirstPage={page}",
                f"-dLastPage={page}",
                f"-sOutputFile={target}",
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=GHOSTSCRIPT_TIMEOUT_S,
        )
        with Image.open(target) as image:
            return np.asarray(image, dtype=np.float32) / np.float32(255)


def cmyk_to_rgb(cmyk: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Subtractive model of how the toner layers reflect visible light (§3.3)."""
    k = cmyk[..., 3:4]
    return np.asarray((1 - cmyk[..., :3]) * (1 - k), dtype=np.float32)


def colour_copy_k(
    cmyk: npt.NDArray[np.float32], gcr: float = 0.8, noise: float = 0.01, seed: int = 0
) -> npt.NDArray[np.float32]:
    """The K plane of a colour copy: scan to RGB (blur, noise), separate again with grey
    component replacement ``gcr`` — the copier's own black generation."""
    rgb = cv2.GaussianBlur(cmyk_to_rgb(cmyk), (0, 0), 0.8)
    rgb = rgb + np.random.default_rng(seed).normal(0, noise, rgb.shape).astype(np.float32)
    cmy = np.clip(1 - rgb, 0, 1)
    return np.asarray(gcr * cmy.min(axis=-1), dtype=np.float32)
