"""1-bit images in the PDF as stencil masks painted with K only.

reportlab's ``drawImage`` turns a 1-bit image into 8-bit RGB (security-printing.md §3.2), which a
printer may render as CMY-rich black and resample. A PDF ``/ImageMask`` instead paints the
current fill colour — here DeviceCMYK (0, 0, 0, 1) — through a 1-bit stencil, with
``/Interpolate false`` so the RIP does not smooth the module edges.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pikepdf
from pikepdf import Name

K_FILL = b"0 0 0 1 k"


def image_mask(pdf: pikepdf.Pdf, ink: npt.NDArray[np.bool_]) -> pikepdf.Stream:
    """A stencil-mask image XObject (True = paint) owned by ``pdf``."""
    packed = np.packbits(~ink.astype(bool), axis=1)  # ImageMask: sample 0 paints (Decode [0 1])
    return packed_image_mask(pdf, zlib.compress(packed.tobytes(), 6), ink.shape[1], ink.shape[0])


def packed_image_mask(pdf: pikepdf.Pdf, deflated: bytes, width: int, height: int) -> pikepdf.Stream:
    """A stencil mask from rows already packed (0 = paint) and deflated."""
    return pikepdf.Stream(
        pdf,
        deflated,
        Type=Name.XObject,
        Subtype=Name.Image,
        Width=width,
        Height=height,
        ImageMask=True,
        BitsPerComponent=1,
        Interpolate=False,
        Filter=Name.FlateDecode,
    )


@dataclass(frozen=True)
class Placement:
    """An image mask drawn at (x, y, width, height) in points, origin bottom-left."""

    mask: pikepdf.Stream
    x: float
    y: float
    width: float
    height: float


def _num(value: float) -> bytes:
    return f"{value:.4f}".rstrip("0").rstrip(".").encode("ascii")


def k_form(
    pdf: pikepdf.Pdf,
    page_size: tuple[float, float],
    placements: Sequence[Placement],
    clip: Sequence[tuple[float, float, float, float]] = (),
    knockout: Sequence[tuple[float, float, float, float]] = (),
) -> pikepdf.Stream:
    """A page-sized Form XObject painting the masks in K, optionally clipped to rectangles,
    after painting ``knockout`` rectangles paper-white (no background dots inside a code)."""
    names: dict[str, pikepdf.Stream] = {}
    ops = [b"q"]
    if knockout:
        ops.append(b"0 0 0 0 k")
        for x, y, w, h in knockout:
            ops.append(b" ".join([_num(x), _num(y), _num(w), _num(h), b"re f"]))
    ops.append(K_FILL)
    if clip:
        for x, y, w, h in clip:
            ops.append(b" ".join([_num(x), _num(y), _num(w), _num(h), b"re"]))
        ops.append(b"W n")
    for index, placement in enumerate(placements):
        name = f"/M{index}"
        names[name] = placement.mask
        ops.append(
            b"q "
            + b" ".join(
                [
                    _num(placement.width),
                    b"0 0",
                    _num(placement.height),
                    _num(placement.x),
                    _num(placement.y),
                    b"cm",
                ]
            )
            + b" "
            + name.encode("ascii")
            + b" Do Q"
        )
    ops.append(b"Q")
    return pikepdf.Stream(
        pdf,
        b"\n".join(ops),
        Type=Name.XObject,
        Subtype=Name.Form,
        BBox=[0, 0, page_size[0], page_size[1]],
        Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(names)),
    )
