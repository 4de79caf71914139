"""A simulated print–scan channel (security-printing.md §8) for tests and benchmarks.

Print (dot gain, toner density, halftone, banding, low-toner streaks, paper mottle), aging
(yellowing, fading, a fold with a geometric step and a shadow, stains), scan or camera capture
(resolution, rotation, scale, translation, perspective, smooth warp, optics blur, motion blur,
vignetting, show-through of the front, tone curve, noise, JPEG). Input is a page rendered at the
printer's 600 dpi (grey, 255 = paper); output is the encoded scan, decoded again so that the
verifier sees real JPEG artefacts.

This is a model, not a printer: the halftone is a simple screen, toner scatter is a Gaussian,
and error diffusion is stood in for by a white-noise threshold (a Floyd–Steinberg pass over a
35-Mpx page in Python would dominate the benchmark). Re-calibrate on real prints (§6.2 "Limits").

Needs the ``verify`` extra (OpenCV). Not used by the kiosk.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from printing.security._cv import cv2

PRINT_DPI = 600
A4_MM = (210.0, 297.0)
Halftone = Literal["none", "bayer", "clustered", "noise"]
Envelope = Literal["office", "lowres", "camera", "clean"]
ENVELOPES: tuple[Envelope, ...] = ("office", "lowres", "camera", "clean")


@dataclass(frozen=True)
class ChannelParams:
    """One draw of every degradation; ``asdict`` of it is stored with each benchmark result."""

    # print
    dot_gain_sigma_px: float = 0.3  # toner spread, device px at 600 dpi
    toner_density: float = 1.0
    halftone: Halftone = "none"
    banding_amplitude: float = 0.0  # ± fraction of density
    banding_period_mm: float = 10.0
    streaks: tuple[tuple[float, float, float], ...] = ()  # (x mm, width mm, density factor)
    mottle: float = 0.0  # ± fraction of paper reflectance, low frequency
    # aging
    yellowing_delta_e: float = 0.0
    fading: float = 1.0  # ink contrast factor (≤ 1)
    fold: tuple[float, float, float, float] | None = None  # (x0 mm, angle deg, step mm, shadow)
    stains: tuple[tuple[float, float, float], ...] = ()  # (x mm, y mm, radius mm) coffee rings
    # capture
    camera: bool = False
    scan_dpi: float = 300.0
    rotation_deg: float = 0.0
    scale: float = 1.0
    shift_mm: tuple[float, float] = (0.0, 0.0)
    perspective: tuple[float, ...] = ()  # 8 corner offsets, fraction of page size
    warp_mm: float = 0.0  # amplitude of the smooth warp
    warp_period_mm: float = 200.0
    warp_phase: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    blur_sigma_px: float = 0.5  # scan px
    motion_blur_px: float = 0.0
    vignetting: float = 0.0
    show_through: float = 0.0
    gain: float = 1.0
    bias: float = 0.0
    gamma: float = 1.0
    noise_sigma: float = 0.0  # grey levels (0..255)
    jpeg_quality: int | None = None  # None = PNG (lossless)
    colour: bool = False  # deliver an RGB scan (yellowing and stains are then coloured)
    seed: int = 0

    def to_record(self) -> dict[str, Any]:
        return asdict(self)


# --- sampling the envelopes (§8 "Degradations" and "Pass criteria") ---------------------------


def sample_params(envelope: Envelope, rng: np.random.Generator, seed: int) -> ChannelParams:
    """A random combined draw of every axis within ``envelope``."""
    if envelope == "clean":
        return ChannelParams(seed=seed)
    u = rng.uniform
    streaks = tuple(
        (float(u(20, 190)), float(u(1, 3)), float(u(0.6, 0.9)))
        for _ in range(int(rng.integers(0, 3)))
    )
    stains = tuple(
        (float(u(20, 190)), float(u(20, 280)), float(u(8, 20)))
        for _ in range(int(rng.integers(0, 3)) if rng.random() < 0.3 else 0)
    )
    fold = (
        (
            float(u(60, 150)),
            float(u(-20, 20)) + 90 * int(rng.integers(0, 2)),
            float(u(-0.3, 0.3)),
            float(u(0.03, 0.15)),
        )
        if rng.random() < 0.3
        else None
    )
    common: dict[str, Any] = dict(
        dot_gain_sigma_px=float(u(0.3, 1.0)),
        toner_density=float(u(0.75, 1.0)),
        halftone=str(rng.choice(["none", "bayer", "clustered", "noise"])),
        banding_amplitude=float(u(0.0, 0.05)),
        banding_period_mm=float(u(3, 30)),
        streaks=streaks,
        mottle=float(u(0.0, 0.03)),
        yellowing_delta_e=float(u(5, 15)) if rng.random() < 0.5 else 0.0,
        fading=float(u(0.7, 1.0)),
        fold=fold,
        stains=stains,
        warp_phase=tuple(float(v) for v in u(0, 2 * math.pi, 4)),
        gain=float(u(0.8, 1.1)),
        bias=float(u(0.0, 0.1)),
        gamma=float(u(0.8, 1.3)),
        colour=bool(rng.random() < 0.5),
        seed=seed,
    )
    if envelope in ("office", "lowres"):
        return ChannelParams(
            **common,
            scan_dpi=300.0 if envelope == "office" else 200.0,
            rotation_deg=float(u(-3, 3)),
            scale=float(u(0.99, 1.01)),
            shift_mm=(float(u(-4, 4)), float(u(-4, 4))),
            warp_mm=float(u(0.1, 0.5)),
            warp_period_mm=float(u(140, 300)),
            blur_sigma_px=float(u(0.5, 1.5)),
            show_through=float(u(0.0, 0.10)),
            noise_sigma=float(u(2, 6)),
            jpeg_quality=int(rng.integers(60, 96)) if rng.random() < 0.7 else None,
        )
    return ChannelParams(  # camera: 12 MP at 25–35 cm, ≤3° tilt
        **common,
        camera=True,
        scan_dpi=float(u(250, 330)),
        rotation_deg=float(u(-5, 5)),
        scale=1.0,
        shift_mm=(float(u(-5, 5)), float(u(-5, 5))),
        perspective=tuple(float(v) for v in u(-0.012, 0.012, 8)),
        warp_mm=float(u(0.1, 0.5)),
        warp_period_mm=float(u(140, 300)),
        blur_sigma_px=float(u(0.5, 1.5)),
        motion_blur_px=float(u(0, 1.5)),
        vignetting=float(u(0, 0.2)),
        show_through=float(u(0.0, 0.10)),
        noise_sigma=float(u(2, 8)),
        jpeg_quality=int(rng.integers(70, 96)),
    )


# --- the stages ---------------------------------------------------------------------------


def _halftone_cell(kind: Halftone) -> npt.NDArray[np.float64]:
    if kind == "bayer":
        base = np.array([[0, 2], [3, 1]])
        for _ in range(3):  # 16 × 16 Bayer matrix
            base = np.block([[4 * base, 4 * base + 2], [4 * base + 3, 4 * base + 1]])
        return np.asarray((base + 0.5) / base.size, dtype=np.float64)
    # clustered: 150 lpi at 600 dpi, a 4 × 4 spot that grows from the centre
    yy, xx = np.mgrid[0:4, 0:4] - 1.5
    order = np.argsort(np.argsort((xx**2 + yy**2).ravel())).reshape(4, 4)
    return np.asarray((order + 0.5) / 16, dtype=np.float64)


def print_page(
    render: npt.NDArray[np.uint8], p: ChannelParams, rng: np.random.Generator
) -> npt.NDArray[np.uint8]:
    """Ink coverage (0..255) on paper at 600 dpi after halftoning and toner spread."""
    if render.ndim != 2 or render.dtype != np.uint8:
        raise ValueError("the page render must be 8-bit grey (H × W)")
    coverage = 255 - render
    if p.halftone != "none":
        # Only grey pixels (anti-aliased edges, the flower) meet the screen.
        ys, xs = np.nonzero((coverage > 0) & (coverage < 255))
        if p.halftone == "noise":
            threshold = rng.random(ys.size)
        else:
            cell = _halftone_cell(p.halftone)
            threshold = cell[ys % cell.shape[0], xs % cell.shape[1]]
        coverage[ys, xs] = np.where(coverage[ys, xs] / 255.0 > threshold, 255, 0)
    if p.dot_gain_sigma_px > 0:
        coverage = cv2.GaussianBlur(coverage, (0, 0), p.dot_gain_sigma_px)
    # Toner scatter (the blur) and dot gain: partial coverage prints darker than its area,
    # 1 − (1 − c)² (an isolated 1-px dot prints as a soft spot of about twice its area);
    # then toner density and fading scale the whole.
    levels = np.arange(256, dtype=np.float32) / 255
    lut = (1 - (1 - levels) ** 2) * p.toner_density * p.fading
    return np.asarray(cv2.LUT(coverage, np.round(lut * 255).astype(np.uint8)), dtype=np.uint8)


def _page_grid_mm(shape: tuple[int, int], dpi: float) -> tuple[npt.NDArray[np.float32], ...]:
    ys = (np.arange(shape[0], dtype=np.float32) + 0.5) * 25.4 / dpi
    xs = (np.arange(shape[1], dtype=np.float32) + 0.5) * 25.4 / dpi
    return ys[:, None], xs[None, :]


def _smooth_noise(
    shape: tuple[int, int], cell: int, rng: np.random.Generator
) -> npt.NDArray[np.float32]:
    noise = rng.standard_normal((shape[0] // cell + 2, shape[1] // cell + 2)).astype(np.float32)
    smooth = cv2.resize(noise, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC)
    return np.asarray(smooth, dtype=np.float32)


# Yellowed paper: ΔE*ab is mostly a b* shift; b* 10 ≈ blue −8 %, green −1.5 % (sRGB).
_YELLOW_PER_10_DE = np.array([0.0, 0.015, 0.08], dtype=np.float32)
_STAIN_ABSORPTION = np.array([0.15, 0.35, 0.6], dtype=np.float32)  # coffee: absorbs blue most
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)  # ITU-R BT.601, as cv2's RGB2GRAY


def age_and_light(
    ink: npt.NDArray[np.float32],
    dpi: float,
    p: ChannelParams,
    rng: np.random.Generator,
    front_ink: npt.NDArray[np.float32] | None,
) -> npt.NDArray[np.float32]:
    """Reflectance of the aged sheet: (H, W, 3) for a colour draw, else (H, W)."""
    y_mm, x_mm = _page_grid_mm((ink.shape[0], ink.shape[1]), dpi)
    density = np.ones((ink.shape[0], 1), dtype=np.float32)
    if p.banding_amplitude:
        density = density * (
            1 + p.banding_amplitude * np.sin(2 * np.pi * y_mm / p.banding_period_mm)
        )
    columns = np.ones((1, ink.shape[1]), dtype=np.float32)
    for x0, width, factor in p.streaks:
        columns = columns * np.where(np.abs(x_mm - x0) < width / 2, factor, 1.0)
    reflect = 1 - np.clip(ink * density * columns, 0, 1)
    paper = np.ones_like(ink)
    if p.mottle:
        mottle = np.clip(_smooth_noise(ink.shape, 32, rng), -2, 2) / 2
        paper = (paper * (1 + p.mottle * mottle)).astype(np.float32)
    if p.show_through and front_ink is not None:
        mirrored = cv2.GaussianBlur(front_ink[:, ::-1].copy(), (0, 0), dpi / 25.4 * 0.4)
        paper = paper * (1 - p.show_through * mirrored)
    if p.fold is not None:
        x0, angle, _step, shadow = p.fold
        nx, ny = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        dist = (x_mm - x0) * nx + (y_mm - 148.5) * ny
        paper = (paper * (1 - shadow * np.exp(-((dist / 0.8) ** 2)))).astype(np.float32)
    tint = np.ones(3, dtype=np.float32) - _YELLOW_PER_10_DE * (p.yellowing_delta_e / 10)
    stains = np.zeros_like(ink)
    for sx, sy, radius in p.stains:
        dist = np.sqrt((x_mm - sx) ** 2 + (y_mm - sy) ** 2)
        stains = stains + np.exp(-(((dist - radius) / 0.8) ** 2)) * 0.35 + (dist < radius) * 0.06
    base = reflect * paper
    if p.colour:
        rgb = base[..., None] * tint
        if p.stains:
            rgb = rgb * (1 - stains[..., None] * _STAIN_ABSORPTION)
        return np.asarray(rgb, dtype=np.float32)
    grey = base * float(tint @ _LUMA)
    if p.stains:
        grey = grey * (1 - stains * float(_STAIN_ABSORPTION @ _LUMA))
    return np.asarray(grey, dtype=np.float32)


_MAP_STEP = 8  # smooth parts of the geometry are computed on a coarse grid and interpolated


def _geometry_maps(
    out_shape: tuple[int, int],
    page_shape: tuple[int, int],
    dpi: float,
    p: ChannelParams,
    margin_px: float,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """For each output pixel, where it samples the page image (both at ``dpi``)."""
    h, w = out_shape
    ph, pw = page_shape
    # Page corners in the output: scale and rotate about the page centre, shift, perspective.
    corners = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], dtype=np.float64)
    centre = np.array([pw / 2, ph / 2])
    theta = math.radians(p.rotation_deg)
    rot = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    placed = (corners - centre) @ rot.T * p.scale + centre
    placed += np.array(p.shift_mm) / 25.4 * dpi + margin_px
    if p.perspective:
        placed += np.array(p.perspective).reshape(4, 2) * np.array([pw, ph])
    homography = cv2.getPerspectiveTransform(placed.astype(np.float32), corners.astype(np.float32))
    gh, gw = h // _MAP_STEP + 2, w // _MAP_STEP + 2
    xs = (np.arange(gw, dtype=np.float64) * _MAP_STEP)[None, :]
    ys = (np.arange(gh, dtype=np.float64) * _MAP_STEP)[:, None]
    hm = homography
    denominator = hm[2, 0] * xs + hm[2, 1] * ys + hm[2, 2]
    coarse_x = (hm[0, 0] * xs + hm[0, 1] * ys + hm[0, 2]) / denominator
    coarse_y = (hm[1, 0] * xs + hm[1, 1] * ys + hm[1, 2]) / denominator
    px_per_mm = dpi / 25.4
    if p.warp_mm:
        period = p.warp_period_mm * px_per_mm
        a, b, c, d = p.warp_phase
        amp = p.warp_mm * px_per_mm
        dx = (
            amp
            * np.sin(2 * np.pi * coarse_y / period + a)
            * np.cos(2 * np.pi * coarse_x / period + b)
        )
        dy = (
            amp
            * np.sin(2 * np.pi * coarse_x / period + c)
            * np.cos(2 * np.pi * coarse_y / period + d)
        )
        coarse_x, coarse_y = coarse_x + dx, coarse_y + dy
    # Grid node (i, j) is output pixel (i·step, j·step): scale the coarse maps up exactly so.
    full = (gw * _MAP_STEP, gh * _MAP_STEP)
    map_x = cv2.resize(coarse_x.astype(np.float32), full, interpolation=cv2.INTER_LINEAR)
    map_y = cv2.resize(coarse_y.astype(np.float32), full, interpolation=cv2.INTER_LINEAR)
    # cv2's linear resize samples at pixel centres: shift by half a step to align the nodes.
    half = _MAP_STEP // 2
    map_x = np.ascontiguousarray(np.pad(map_x, ((half, 0), (half, 0)), mode="edge")[:h, :w])
    map_y = np.ascontiguousarray(np.pad(map_y, ((half, 0), (half, 0)), mode="edge")[:h, :w])
    if p.fold is not None:
        x0, angle, step, _shadow = p.fold
        nx, ny = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        dist = (map_x / px_per_mm - x0) * nx + (map_y / px_per_mm - 148.5) * ny
        side = (dist > 0) * np.float32(step * px_per_mm)
        map_x = map_x + side * np.float32(nx)
        map_y = map_y + side * np.float32(ny)
    return map_x.astype(np.float32), map_y.astype(np.float32)


def capture(
    reflect: npt.NDArray[np.float32], dpi: float, p: ChannelParams, rng: np.random.Generator
) -> npt.NDArray[np.uint8]:
    """The scanner or camera: geometry, optics, tone, noise; 8-bit grey or RGB."""
    ph, pw = reflect.shape[:2]
    margin = 6 / 25.4 * dpi  # scanner bed around the page
    out_shape = (int(ph + 2 * margin), int(pw + 2 * margin))
    map_x, map_y = _geometry_maps(out_shape, (ph, pw), dpi, p, margin)
    lid = 0.93 if not p.camera else 0.35  # scanner lid vs a desk under a phone
    image = cv2.remap(
        reflect,
        map_x,
        map_y,
        interpolation=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(lid, lid, lid),
    )
    if p.blur_sigma_px > 0:
        image = cv2.GaussianBlur(image, (0, 0), p.blur_sigma_px)
    if p.motion_blur_px > 0:
        length = max(2, round(p.motion_blur_px * 2) + 1)
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2, :] = 1.0 / length
        rotation = cv2.getRotationMatrix2D(
            (length / 2 - 0.5, length / 2 - 0.5), float(rng.uniform(0, 180)), 1.0
        )
        kernel = cv2.warpAffine(kernel, rotation, (length, length))
        image = cv2.filter2D(image, -1, kernel / max(float(kernel.sum()), 1e-6))
    if p.vignetting:
        h, w = image.shape[:2]
        yy = ((np.arange(h, dtype=np.float32) - h / 2) / (h / 2))[:, None]
        xx = ((np.arange(w, dtype=np.float32) - w / 2) / (w / 2))[None, :]
        falloff = 1 - p.vignetting * (xx**2 + yy**2) / 2
        image = image * (falloff[..., None] if image.ndim == 3 else falloff)
    quantised = np.clip(image * 255, 0, 255).astype(np.uint8)
    levels = np.arange(256, dtype=np.float32) / 255
    tone = np.clip(np.clip(levels * p.gain + p.bias, 0, 1) ** p.gamma * 255, 0, 255)
    toned = cv2.LUT(quantised, tone.astype(np.uint8))
    if p.noise_sigma:
        noise = np.empty(toned.shape[:2], dtype=np.float32)
        cv2.randn(noise, 0.0, p.noise_sigma)
        if toned.ndim == 3:
            noise = noise[..., None]
        toned = np.clip(toned + noise, 0, 255).astype(np.uint8)
    return np.asarray(toned, dtype=np.uint8)


def encode(image: npt.NDArray[np.uint8], p: ChannelParams) -> bytes:
    """PNG or JPEG bytes of the capture."""
    pixels = cv2.cvtColor(image, cv2.COLOR_RGB2BGR) if image.ndim == 3 else image
    if p.jpeg_quality is None:
        ok, data = cv2.imencode(".png", pixels)
    else:
        ok, data = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, p.jpeg_quality])
    if not ok:
        raise RuntimeError("image encoding failed")
    return bytes(data.tobytes())


def simulate(
    render_600: npt.NDArray[np.uint8],
    p: ChannelParams,
    front_render_600: npt.NDArray[np.uint8] | None = None,
) -> bytes:
    """Print ``render_600`` (grey page at 600 dpi), age it, capture it: the encoded image."""
    rng = np.random.default_rng(p.seed)
    cv2.setRNGSeed(p.seed)
    ink = print_page(render_600, p, rng)
    dpi = p.scan_dpi
    size = (round(ink.shape[1] * dpi / PRINT_DPI), round(ink.shape[0] * dpi / PRINT_DPI))
    ink_scan = cv2.resize(ink, size, interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    front_ink = None
    if front_render_600 is not None and p.show_through:
        front_ink = (
            cv2.resize(255 - front_render_600, size, interpolation=cv2.INTER_AREA).astype(
                np.float32
            )
            / 255
        )
    reflect = age_and_light(ink_scan, dpi, p, rng, front_ink)
    return encode(capture(reflect, dpi, p, rng), p)
