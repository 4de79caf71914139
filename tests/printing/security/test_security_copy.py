"""Photocopy simulation: 複写 appears on a copy and not on the original; the latent 証 is in the
original's K plane (the IR view, from Ghostscript's real CMYK separation) and gone from a colour
copy; the signed back still verifies on a copy (expected: originality is the IR feature's job).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from security_helpers import backs_for, render_600

from printing import documents
from printing.security import BackSideKeys, CopyToPrint, PrintCalibration, compose_job
from printing.security.channel import ChannelParams, simulate
from printing.security.copier import (
    CopierModel,
    cmyk_to_rgb,
    colour_copy_k,
    outline_contrast,
    photocopy,
    printed_reflectance,
    render_cmyk,
    viewing_contrast,
)
from printing.security.layout import BAND_TOP_PX, SAKURA_LEFT_PX, SAKURA_SIZE_PX
from printing.security.pantograph import pantograph, word_cells
from printing.verify import Outcome, TrustStore, load_scan, verify_back

CALIBRATION = PrintCalibration()


def _blank_band(certificate: np.ndarray) -> tuple[slice, slice]:
    """A tall band of the municipality's page with no ink: background only once composed.
    Within the content area: the bottom margin carries the kiosk's serial line, its code and
    (layout 2) the verification code, which are ink of their own."""
    content = documents.document_layout().content
    bottom = round((content.top_mm + content.height_mm) / 25.4 * 600)
    rows = np.flatnonzero((certificate[:bottom] < 250).sum(axis=1) == 0)
    # The longest run of ink-free rows in the lower half of the page.
    runs = np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)
    run = max(runs, key=len)
    assert len(run) > 600, "the fixture page needs ~25 mm of blank paper"
    return slice(int(run[0]), int(run[-1])), slice(0, certificate.shape[1])


def test_copy_shows_the_word_the_original_hides(
    inkan_pages: tuple[np.ndarray, np.ndarray], inkan: documents.Rendered, tmp_path: Path
) -> None:
    """On the composed front itself (rendered by pdftoppm at 600 dpi)."""
    front, _ = inkan_pages
    band = _blank_band(render_600(inkan.pdf, 1, tmp_path))
    original = printed_reflectance(front)  # the print model's dot gain (σ 0.5 device px)
    copy = photocopy(original, CopierModel(scan_dpi=600))
    seen_original = viewing_contrast(original, CALIBRATION, band)
    seen_copy = viewing_contrast(copy, CALIBRATION, band)
    assert abs(seen_original) < 0.015  # hidden on the print (about one just-noticeable step)
    assert seen_copy > 0.10  # 複写 stands out on the copy


@pytest.fixture(scope="module")
def patch_render() -> np.ndarray:
    size = int(60 / 25.4 * 600)
    return np.where(pantograph(size, size, CALIBRATION), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("dot_gain", [0.3, 0.5, 0.7])
def test_the_word_is_hidden_on_the_original(patch_render: np.ndarray, dot_gain: float) -> None:
    """At the printer's resolution, with the calibration chart's defaults and any dot gain of
    the print model: neither the word's area nor its outline shows (issue 14: 複写 was legible
    across the original)."""
    original = printed_reflectance(patch_render, dot_gain)
    assert abs(viewing_contrast(original, CALIBRATION)) < 0.015
    assert outline_contrast(original, CALIBRATION) < 0.015


def test_the_measure_finds_the_old_defaults_visible() -> None:
    """The earlier defaults (1-px dots every 3 px, 3×3 clusters every 9 px, the same nominal
    ink) print the word 4 % lighter at σ 0.5, with an outline: what the test above catches."""
    old = replace(CALIBRATION, background_pitch_px=3, word_pitch_px=9)
    size = int(60 / 25.4 * 600)
    original = printed_reflectance(np.where(pantograph(size, size, old), 0, 255).astype(np.uint8))
    assert viewing_contrast(original, old) < -0.03
    assert outline_contrast(original, old) > 0.02


@pytest.mark.parametrize(
    ("copier", "minimum"),
    [
        (CopierModel(scan_dpi=600), 0.10),
        (CopierModel(scan_dpi=300), 0.035),
        (CopierModel(scan_dpi=1200), 0.03),  # §3.2: 1200-dpi copiers weaken the effect
    ],
)
def test_a_copy_shows_the_word(
    patch_render: np.ndarray, copier: CopierModel, minimum: float
) -> None:
    original = printed_reflectance(patch_render, 0.5)
    assert viewing_contrast(photocopy(original, copier), CALIBRATION) > minimum


def test_pantograph_coverage_is_the_calibrated_one() -> None:
    size = int(50 / 25.4 * 600)
    pattern = pantograph(size, size, CALIBRATION)
    word = word_cells(size, size, CALIBRATION)
    assert word.any()
    assert not word.all()
    assert pattern[word].mean() == pytest.approx(CALIBRATION.word_coverage, abs=2e-3)
    assert pattern[~word].mean() == pytest.approx(CALIBRATION.background_coverage, abs=2e-3)


@pytest.fixture(scope="module")
def back_cmyk(inkan_job: bytes) -> np.ndarray:
    return render_cmyk(inkan_job, page=2, dpi=200)


def _flower_box(cmyk: np.ndarray) -> np.ndarray:
    scale = 200 / 600
    x0, y0 = int(SAKURA_LEFT_PX * scale), int(BAND_TOP_PX * scale)
    size = int(SAKURA_SIZE_PX * scale)
    return cmyk[y0 : y0 + size, x0 : x0 + size]


def test_latent_mark_is_in_the_k_plane_and_lost_by_a_colour_copy(back_cmyk: np.ndarray) -> None:
    box = _flower_box(back_cmyk)
    k = box[..., 3]
    colour = box[..., :3].sum(axis=-1)
    latent = k > 0.05  # the circled 証: the only K inside the flower
    flower = (colour > 0.3) & ~latent
    assert latent.sum() > 1000  # a ring and a glyph, not a speck
    assert flower.sum() > 10 * latent.sum()
    ir_original = float(k[latent].mean() - k[flower].mean())
    assert ir_original == pytest.approx(CALIBRATION.latent_cmyk[3], abs=0.01)
    copied = colour_copy_k(box)
    ir_copy = float(copied[latent].mean() - copied[flower].mean())
    assert abs(ir_copy) < 0.02


def test_latent_mark_is_invisible_to_the_eye(back_cmyk: np.ndarray) -> None:
    """Metamerism under the subtractive model (a printer needs its own match: the chart)."""
    box = _flower_box(back_cmyk)
    latent = box[..., 3] > 0.05
    petals = (box[..., :3].sum(axis=-1) > 0.3) & ~latent
    rgb = cmyk_to_rgb(box)
    difference = np.abs(rgb[latent].mean(axis=0) - np.median(rgb[petals], axis=0))
    assert difference.max() < 0.01


def test_everything_but_the_flower_is_k_only(back_cmyk: np.ndarray, inkan_job: bytes) -> None:
    """Text, module block, QR code and pantograph carry no C, M or Y (§3.2: K only)."""
    colour = back_cmyk[..., :3].max(axis=-1)
    scale = 200 / 600
    y0 = int(BAND_TOP_PX * scale)
    x1 = int((SAKURA_LEFT_PX + SAKURA_SIZE_PX) * scale) + 2
    colour[y0:, :x1] = 0  # the flower's corner
    assert colour.max() == 0
    front = render_cmyk(inkan_job, page=1, dpi=100)
    # The front's colour is the municipality's (its red seals); ours is K only: outside the
    # content area, nothing but K.
    area = documents.document_layout().content
    margin = front.copy()
    top = int(area.top_mm / 25.4 * 100)
    bottom = int((area.top_mm + area.height_mm) / 25.4 * 100)
    margin[top:bottom] = 0
    assert margin[..., :3].max() == 0
    assert margin[..., 3].max() > 0.9  # the serial and its code are there, in K


def test_signed_back_still_verifies_on_a_photocopy(
    inkan_pages: tuple[np.ndarray, np.ndarray], keys: BackSideKeys
) -> None:
    """Expected and documented: the scramble and the code prove the data, not the paper."""
    _, back = inkan_pages
    copy = photocopy(printed_reflectance(back, 0.5), CopierModel(scan_dpi=600))
    copy_render = np.round(copy * 255).astype(np.uint8)
    params = ChannelParams(
        dot_gain_sigma_px=0.0,
        scan_dpi=300,
        rotation_deg=0.7,
        blur_sigma_px=0.8,
        noise_sigma=3,
        jpeg_quality=85,
        seed=5,
    )
    verdict = verify_back(
        load_scan(simulate(copy_render, params))[0],
        TrustStore(keys.scramble_master_key, {keys.key_id: keys.signing_key.public_key()}),
    )
    assert verdict.outcome is Outcome.VERIFIED


def test_other_calibrations_compose(inkan: documents.Rendered, keys: BackSideKeys) -> None:
    calibration = replace(
        CALIBRATION,
        background_pitch_px=4,
        word_dot_px=3,
        word_pitch_px=12,
        latent_cmyk=(0.118, 0.412, 0.176, 0.15),
    )
    job = compose_job([CopyToPrint(inkan.pdf, backs_for(inkan, keys))], calibration)
    k = _flower_box(render_cmyk(job, page=2, dpi=200))[..., 3]
    assert k.max() == pytest.approx(0.15, abs=0.01)
