"""The one font the security layer draws with: IPAex Gothic, embedded as a subset.

Gothic rather than the certificate's Mincho: the serial, the back's explanation and the
hidden word 複写 need even, heavy strokes (thin Mincho hairlines would break up into single
dots in the pantograph). Looked up like printing.documents does: ``KONBINI_FONT_DIR`` if set
(a packaged kiosk bundles its fonts), else the Debian path of fonts-ipaexfont-gothic.
"""

from __future__ import annotations

import os
import threading
from functools import cache
from pathlib import Path

from PIL import ImageFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from .errors import SecurityPrintingError

FONT_NAME = "KSB-IPAexGothic"
_FILE_NAME = "ipaexg.ttf"
_DEBIAN_PATH = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")
FONT_DIR_ENV = "KONBINI_FONT_DIR"
_lock = threading.Lock()


def gothic_path() -> Path:
    folder = os.environ.get(FONT_DIR_ENV)
    path = Path(folder) / _FILE_NAME if folder else _DEBIAN_PATH
    if not path.is_file():
        raise SecurityPrintingError(f"font {path} is missing (Debian: fonts-ipaexfont-gothic)")
    return path


def register_gothic() -> str:
    """Register the font with reportlab (once per process) and return its name."""
    with _lock:
        if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(gothic_path())))
    return FONT_NAME


@cache
def pil_gothic(size_px: int) -> ImageFont.FreeTypeFont:
    """The same font for rasterising glyph masks (pantograph word, latent 証)."""
    return ImageFont.truetype(str(gothic_path()), size_px)
