"""Loading scans and photos (PNG, JPEG, TIFF, PDF) and reading the 2D codes in them."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, UnidentifiedImageError

from printing.security._cv import cv2

from .errors import UnreadableImageError

PDF_RENDER_DPI = 300.0
MAX_IMAGE_PIXELS = 120_000_000  # a 600-dpi A3 scan is ~70 Mpx; beyond is not a scan
A4_LONG_SIDE_MM = 297.0


@dataclass(frozen=True)
class ScanImage:
    """One page of a scan: grey 0..1 (0 = black), and the resolution it claims or we guess."""

    grey: npt.NDArray[np.float32]
    dpi: float
    dpi_from_file: bool
    # The 8-bit page ``grey`` was made from (grey = decoded / 255), when it was: ``grey_u8``
    # is then that page, not a third pass over 38 MB of float32.
    decoded: npt.NDArray[np.uint8] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def grey_u8(self) -> npt.NDArray[np.uint8]:
        """``grey`` as 8 bits (rounded), made once (the codes are looked for in it more than
        once): the decoded page itself when ``grey`` is that page / 255 — the same values."""
        if self.decoded is not None:
            return self.decoded
        scaled = self.grey * 255  # in place from here: a page is 38 MB of float32
        scaled += 0.5
        return np.clip(scaled, 0, 255, out=scaled).astype(np.uint8)


def _guess_dpi(shape: tuple[int, ...]) -> float:
    """A whole A4 page in the frame: its long side spans the image's long side."""
    return max(shape[0], shape[1]) / A4_LONG_SIDE_MM * 25.4


def _from_pil(image: Image.Image) -> ScanImage:
    info_dpi = image.info.get("dpi")
    decoded = np.asarray(image.convert("L"), dtype=np.uint8)
    grey = decoded.astype(np.float32) / np.float32(255)
    dpi_from_file = False
    dpi = _guess_dpi(grey.shape)
    if isinstance(info_dpi, tuple) and len(info_dpi) == 2:
        claimed = float(info_dpi[0])
        # Files often say 72 or 96 whatever they hold; trust only scanner-like values that
        # agree with a page-sized image.
        if 150 <= claimed <= 1200 and 0.6 < claimed / dpi < 1.6:
            dpi, dpi_from_file = claimed, True
    return ScanImage(grey=grey, dpi=dpi, dpi_from_file=dpi_from_file, decoded=decoded)


def load_scan(source: bytes | Path) -> list[ScanImage]:
    """Every page of a scan file: an image gives one page, a PDF one per page."""
    data = source.read_bytes() if isinstance(source, Path) else source
    if data[:5] == b"%PDF-":
        return _load_pdf(data)
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as image:
            frames = []
            for index in range(getattr(image, "n_frames", 1)):
                image.seek(index)
                frames.append(_from_pil(image))
            return frames
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise UnreadableImageError("not a readable image or PDF") from exc


def _load_pdf(data: bytes) -> list[ScanImage]:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise UnreadableImageError("PDF cannot be opened") from exc
    try:
        pages = []
        for page in document:
            bitmap = page.render(scale=PDF_RENDER_DPI / 72, grayscale=True)
            grey = np.array(bitmap.to_numpy(), dtype=np.float32) / np.float32(255)
            pages.append(
                ScanImage(
                    grey=grey[..., 0] if grey.ndim == 3 else grey,
                    dpi=PDF_RENDER_DPI,
                    dpi_from_file=True,
                )
            )
        return pages
    finally:
        document.close()


def read_codes(grey: npt.NDArray[np.uint8], *, as_text: bool = False) -> list[bytes | str]:
    """The QR codes zxing-cpp finds in an 8-bit grey image (bytes, or text)."""
    import zxingcpp

    found: list[bytes | str] = []
    for image in (grey, cv2.GaussianBlur(grey, (0, 0), 1.0)):
        for barcode in zxingcpp.read_barcodes(
            image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
        ):
            found.append(barcode.text if as_text else bytes(barcode.bytes))
        if found:
            break
    return found
