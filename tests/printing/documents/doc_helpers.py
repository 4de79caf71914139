"""Plain helpers of the document tests (imported by name: this folder is on sys.path)."""

from __future__ import annotations

import re
from collections.abc import Callable

PdfText = Callable[..., str]


def squash(text: str) -> str:
    """``text`` without spaces, ideographic spaces and line breaks."""
    return re.sub(r"[\s\u3000]+", "", text)
