"""Helpers shared by the security-printing tests (imported by name: ``conftest`` modules of
several test folders would shadow each other)."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import numpy as np
from cryptography.hazmat.primitives.asymmetric import ec
from PIL import Image

from printing import documents
from printing.security import LAYOUT_VERSION, BackSideData, BackSideKeys, make_back_side

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
