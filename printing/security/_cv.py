"""OpenCV, typed as ``Any`` for mypy.

OpenCV's bundled stubs type every array result as ``Mat | ndarray[Any, dtype[integer |
floating]]``, which strict mypy then rejects wherever a float32 image is expected; casting each
of hundreds of calls would hide more than it checks. The modules that use OpenCV (the
simulated channel and the verifier, both under the ``verify`` extra) import it from here.
"""

from __future__ import annotations

from typing import Any

import cv2 as _cv2

cv2: Any = _cv2
