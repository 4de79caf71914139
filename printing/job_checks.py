"""What a print job must be before any printer sees it: an A4 portrait PDF, named by a plain
hash. Shared by every printer implementation (printing.cups, printing.memory); no ``cups``.
"""

from __future__ import annotations

import io
import re

import pikepdf

from printing.faults import InvalidJobError

# ISO 216 A4 in PostScript points (210 × 297 mm); PDF writers round differently.
A4_POINTS = (595.276, 841.890)
A4_TOLERANCE_PT = 2.0
# The job's name: letters, digits, "-" and "_" (a salted hash), so it carries no personal data.
TITLE_HASH = re.compile(r"[0-9A-Za-z_-]{1,64}")


def check_title_hash(title_hash: str) -> None:
    """Raise :class:`InvalidJobError` unless ``title_hash`` is a plain hash (1-64 of
    ``[0-9A-Za-z_-]``)."""
    if not TITLE_HASH.fullmatch(title_hash):
        raise InvalidJobError("title_hash must be 1-64 letters, digits, '-' or '_'")


def inspect_document(pdf: bytes) -> int:
    """Check that ``pdf`` is a PDF whose every page is A4 portrait; return its page count.

    Raises :class:`InvalidJobError` otherwise: the queue never scales (``print-scaling=none``),
    so any other size would print cut or misplaced.
    """
    if not pdf.startswith(b"%PDF-"):
        raise InvalidJobError("not a PDF")
    try:
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            pages = list(doc.pages)
            if not pages:
                raise InvalidJobError("the PDF has no pages")
            for number, page in enumerate(pages, 1):
                box = [float(v) for v in page.mediabox]
                width, height = abs(box[2] - box[0]), abs(box[3] - box[1])
                if int(page.obj.get("/Rotate", 0)) % 180:
                    width, height = height, width
                if (
                    abs(width - A4_POINTS[0]) > A4_TOLERANCE_PT
                    or abs(height - A4_POINTS[1]) > A4_TOLERANCE_PT
                ):
                    raise InvalidJobError(f"page {number} is {width:.1f}×{height:.1f} pt, not A4")
            return len(pages)
    except InvalidJobError:
        raise
    except Exception as exc:  # pikepdf raises several types for damaged files; all mean "bad"
        raise InvalidJobError(f"unreadable PDF: {exc}") from exc


__all__ = ["A4_POINTS", "A4_TOLERANCE_PT", "TITLE_HASH", "check_title_hash", "inspect_document"]
