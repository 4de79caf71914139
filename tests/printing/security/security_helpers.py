"""Helpers shared by the security-printing tests (imported by name: ``conftest`` modules of
several test folders would shadow each other)."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
from cryptography.hazmat.primitives.asymmetric import ec
from PIL import Image

from printing import documents
from printing.security import LAYOUT_VERSION, BackSideData, BackSideKeys, make_back_side
from printing.security.channel import ChannelParams

# A realistic office scan: a worn printer, a slightly crooked sheet, JPEG, some show-through.
OFFICE_SCAN = ChannelParams(
    dot_gain_sigma_px=0.6,
    toner_density=0.85,
    halftone="bayer",
    banding_amplitude=0.02,
    mottle=0.01,
    fading=0.9,
    scan_dpi=300,
    rotation_deg=1.3,
    scale=1.004,
    shift_mm=(2.0, -1.5),
    warp_mm=0.3,
    warp_period_mm=200,
    warp_phase=(0.3, 1.1, 2.0, 0.7),
    blur_sigma_px=0.9,
    show_through=0.05,
    gain=0.95,
    bias=0.03,
    gamma=1.1,
    noise_sigma=4,
    jpeg_quality=75,
    seed=11,
)


def front_scan_of(office: ChannelParams) -> ChannelParams:
    """The front of the same sheet through the same scanner: laid the other way, no
    show-through (the back's print is not behind a front scan), the next noise seed."""
    return replace(
        office, rotation_deg=-0.8, shift_mm=(-1.0, 2.5), show_through=0.0, seed=office.seed + 1
    )


SERIAL = "131202-241203-000001-1"
VERIFICATION_CODE = "K7QM2XD94RTPH3WC"  # printing.security.vcode: 16 Crockford base32 letters
ISSUER = "東京都練馬区長"
ISSUED_ON = date(2024, 12, 3)


def key(seed: int) -> ec.EllipticCurvePrivateKey:
    # Fixed private scalars: deterministic keys make the composed jobs byte-stable.
    return ec.derive_private_key(0x1F2E3D4C5B6A7988 + seed, ec.SECP256R1())


def backs_for(
    rendered: documents.Rendered,
    keys: BackSideKeys,
    serial: str = SERIAL,
    *,
    layout_version: int = LAYOUT_VERSION,
    verification_code: str = VERIFICATION_CODE,
) -> tuple[BackSideData, ...]:
    area = documents.document_layout().content
    return tuple(
        make_back_side(
            rendered.pdf,
            index,
            serial=serial,
            issuer=ISSUER,
            canonical_text=rendered.canonical_text,
            keys=keys,
            content_area_mm=(area.left_mm, area.top_mm, area.width_mm, area.height_mm),
            issued_on=ISSUED_ON,
            verification_code=verification_code if layout_version >= 2 else None,
            layout_version=layout_version,
        )
        for index in range(rendered.page_count)
    )


def render_600(pdf: bytes, page: int, folder: Path) -> np.ndarray:
    """One page at the printer's 600 dpi in grey, rendered by poppler's pdftoppm."""
    source = folder / f"render-{page}.pdf"
    source.write_bytes(pdf)
    prefix = folder / f"render-{page}"
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "600",
            "-gray",
            "-png",
            "-singlefile",
            "-f",
            str(page),
            "-l",
            str(page),
            str(source),
            str(prefix),
        ],
        check=True,
        timeout=120,
    )
    with Image.open(f"{prefix}.png") as image:
        return np.asarray(image.convert("L"), dtype=np.uint8).copy()
