"""The simulated print–scan channel: draws within the §8 envelopes, reproducible by seed, and
the degradations it claims actually happen."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from printing.security.channel import ENVELOPES, ChannelParams, sample_params, simulate
from printing.verify import load_scan

PAGE = np.full((1200, 900), 255, np.uint8)  # 50 × 38 mm at 600 dpi
PAGE[300:900, 200:700] = 0  # a black square
PAGE[100:110, 100:800] = 0  # a 0.4-mm rule


@pytest.mark.parametrize("envelope", ENVELOPES)
def test_draws_stay_in_their_envelope(envelope: str) -> None:
    rng = np.random.default_rng(3)
    for seed in range(50):
        p = sample_params(envelope, rng, seed)  # type: ignore[arg-type]
        assert p.seed == seed
        if envelope == "clean":
            assert p == ChannelParams(seed=seed)
            continue
        assert 0.3 <= p.dot_gain_sigma_px <= 1.0
        assert 0.75 <= p.toner_density <= 1.0
        assert 0.7 <= p.fading <= 1.0
        assert 0.8 <= p.gain <= 1.1
        assert 0.8 <= p.gamma <= 1.3
        if envelope == "office":
            assert p.scan_dpi == 300
            assert abs(p.rotation_deg) <= 3
            assert abs(p.scale - 1) <= 0.01
            assert p.warp_mm <= 0.5
            assert p.noise_sigma <= 6
            assert p.jpeg_quality is None or p.jpeg_quality >= 60
            assert p.show_through <= 0.10
        if envelope == "lowres":
            assert p.scan_dpi == 200
        if envelope == "camera":
            assert p.camera
            assert 250 <= p.scan_dpi <= 330
            assert p.vignetting <= 0.2
            assert p.motion_blur_px <= 1.5


def _decode(data: bytes) -> np.ndarray:
    return load_scan(data)[0].grey


def test_same_seed_same_scan_and_the_scan_has_the_right_size() -> None:
    p = ChannelParams(scan_dpi=300, rotation_deg=2, noise_sigma=4, jpeg_quality=80, seed=9)
    first, second = simulate(PAGE, p), simulate(PAGE, p)
    assert first == second
    assert simulate(PAGE, replace(p, seed=10)) != first
    grey = _decode(first)
    # Half the 600-dpi size plus the 6-mm scanner bed on each side.
    assert grey.shape[0] == pytest.approx(600 + 2 * 6 / 25.4 * 300, abs=2)


def test_degradations_do_what_they_say() -> None:
    clean = _decode(simulate(PAGE, ChannelParams(scan_dpi=300, blur_sigma_px=0.0)))
    square = (slice(71 + 160, 71 + 440), slice(71 + 110, 71 + 340))  # inside, 300 dpi + bed
    assert clean[square].mean() < 0.05
    faded = _decode(
        simulate(
            PAGE, ChannelParams(scan_dpi=300, blur_sigma_px=0.0, fading=0.7, toner_density=0.8)
        )
    )
    assert faded[square].mean() > 0.35  # 0.56 ink density
    rotated = _decode(simulate(PAGE, ChannelParams(scan_dpi=300, rotation_deg=5)))
    assert not np.allclose(rotated, clean, atol=0.1)
    noisy = _decode(simulate(PAGE, ChannelParams(scan_dpi=300, noise_sigma=8, gain=0.85)))
    paper = (slice(71 + 500, 71 + 580), slice(71 + 20, 71 + 80))
    assert 0.025 < noisy[paper].std() < 0.04  # 8 grey levels, unclipped below white
    through = _decode(
        simulate(
            PAGE,
            ChannelParams(scan_dpi=300, show_through=0.15),
            front_render_600=PAGE[:, ::-1].copy(),
        )
    )
    assert through[square].mean() < 0.05


def test_bad_render_is_refused() -> None:
    with pytest.raises(ValueError, match="8-bit grey"):
        simulate(np.zeros((10, 10, 3), np.uint8), ChannelParams())
