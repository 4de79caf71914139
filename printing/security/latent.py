"""The anti-forgery image: a cherry blossom hiding a circled 証 (security-printing.md §3.3).

The flower is drawn in a CMY-only colour; the circled 証 inside its centre is drawn in a
visually matched colour that contains K. To the eye both are the same pink; in near infrared
CMY toner is transparent and carbon-black K absorbs, so an IR camera (the "special viewer"
practitioners use) sees only the 証. A copier scans colour and separates it again with its own
black generation, which no longer knows which areas had K: the copy loses the 証.

Drawn as vector paths with DeviceCMYK fills (``setFillColorCMYK``), which pass to the printer
unchanged when colour management is off (§3.3: "The device must receive DeviceCMYK unchanged").
"""

from __future__ import annotations

import math

from reportlab.pdfgen.canvas import Canvas

from .calibration import PrintCalibration
from .fonts import register_gothic

LATENT_GLYPH = "証"
PETALS = 5
# Proportions of the flower, as fractions of its radius.
_CENTRE_DISC = 0.44
_RING_RADIUS = 0.33
_RING_WIDTH = 0.055
_GLYPH_SIZE = 0.40
_STAMEN_RADIUS = 0.52
_STAMEN_DOT = 0.035
# A deeper CMY-only pink for the stamens: visible detail that carries no K.
_STAMEN_CMYK = (0.15, 0.75, 0.45, 0.0)


def _petal(canvas: Canvas, cx: float, cy: float, radius: float, angle: float) -> None:
    """One notched petal pointing at ``angle`` (radians), as a closed path, filled."""
    # Petal outline in local coordinates (x across, y along the petal), base at the centre.
    outline = [
        ((0.0, 0.0),),
        ((-0.55, 0.35), (-0.47, 0.95), (-0.17, 0.98)),
        ((0.0, 0.84),),
        ((0.17, 0.98),),
        ((0.47, 0.95), (0.55, 0.35), (0.0, 0.0)),
    ]
    cos_a, sin_a = math.cos(angle), math.sin(angle)

    def place(point: tuple[float, float]) -> tuple[float, float]:
        x, y = point
        return (cx + radius * (x * sin_a + y * cos_a), cy + radius * (-x * cos_a + y * sin_a))

    path = canvas.beginPath()
    path.moveTo(*place(outline[0][0]))
    for segment in outline[1:]:
        if len(segment) == 3:
            (x1, y1), (x2, y2), (x3, y3) = (place(p) for p in segment)
            path.curveTo(x1, y1, x2, y2, x3, y3)
        else:
            path.lineTo(*place(segment[0]))
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)


def draw_sakura(
    canvas: Canvas, cx: float, cy: float, radius: float, calibration: PrintCalibration
) -> None:
    """The flower with its latent mark, centred at (cx, cy) in points, of the given radius."""
    canvas.saveState()
    canvas.setFillColorCMYK(*calibration.flower_cmyk)
    for index in range(PETALS):
        _petal(canvas, cx, cy, radius, math.pi / 2 + index * 2 * math.pi / PETALS)
    canvas.circle(cx, cy, radius * _CENTRE_DISC, stroke=0, fill=1)

    # The latent mark: same visual colour, with K.
    canvas.setFillColorCMYK(*calibration.latent_cmyk)
    canvas.setStrokeColorCMYK(*calibration.latent_cmyk)
    canvas.setLineWidth(radius * _RING_WIDTH)
    canvas.circle(cx, cy, radius * _RING_RADIUS, stroke=1, fill=0)
    font = register_gothic()
    size = radius * _GLYPH_SIZE
    canvas.setFont(font, size)
    # IPAex glyphs sit on the baseline with their visual centre ~0.38 em above it.
    canvas.drawCentredString(cx, cy - 0.38 * size, LATENT_GLYPH)

    canvas.setFillColorCMYK(*_STAMEN_CMYK)
    for index in range(PETALS):
        angle = math.pi / 2 + (index + 0.5) * 2 * math.pi / PETALS
        sx = cx + radius * _STAMEN_RADIUS * math.cos(angle)
        sy = cy + radius * _STAMEN_RADIUS * math.sin(angle)
        canvas.circle(sx, sy, radius * _STAMEN_DOT, stroke=0, fill=1)
    canvas.restoreState()
