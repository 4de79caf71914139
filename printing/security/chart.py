"""The per-printer calibration chart (security-printing.md §3.2: "print a ladder of dot-size
and pitch pairs and choose visually", as Canon's two-stage test print does; §3.3: "match the
pair on the target printer with a measured test chart").

Print it on the kiosk's printer with every driver enhancement off; then

* pantograph ladder: pick the patch whose hidden 複写 is invisible on the print and shows
  clearly on a copy from the store's copier;
* latent-ink ladder: pick the patch whose inner disc (with K) cannot be told from its ring
  (without K) by eye, and shows strongly under an IR camera.

Each patch is labelled with the ``PrintCalibration`` values it stands for.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace

import pikepdf
from reportlab.pdfgen.canvas import Canvas

from .calibration import PrintCalibration
from .errors import CalibrationError
from .fonts import register_gothic
from .layout import PAGE_HEIGHT_PT, PAGE_WIDTH_PT
from .pantograph import pantograph_patch
from .pdfmasks import Placement, image_mask, k_form

MM = 72 / 25.4
PATCH_MM = (40.0, 24.0)
# (background dot, background pitch, word dot, word pitch): equal nominal coverage, plus
# neighbours that compensate dot gain either way.
PANTOGRAPH_LADDER = (
    (1, 4, 3, 11),  # the default (PrintCalibration): hidden across σ 0.3–0.7
    (1, 3, 3, 9),
    (1, 3, 2, 6),
    (1, 3, 4, 12),
    (1, 3, 3, 10),
    (1, 4, 3, 12),
    (1, 4, 2, 8),
    (2, 5, 4, 10),
    (2, 6, 6, 18),
)
LATENT_K_STEPS = (0.10, 0.15, 0.20, 0.25, 0.30)
MAGENTA_NUDGES = (-0.04, 0.0, 0.04)


def matched_latent(
    flower_cmy: tuple[float, float, float], k: float, magenta_nudge: float = 0.0
) -> tuple[float, float, float, float]:
    """The K-containing colour that matches ``flower_cmy`` under the subtractive model
    (1 − c)(1 − k) = 1 − c' per channel; a printer needs a nudge found on the chart."""
    c, m, y = flower_cmy
    if k > min(c, m, y):
        raise CalibrationError("K cannot exceed the flower's grey component")
    matched = [1 - (1 - v) / (1 - k) for v in (c, m, y)]
    matched[1] = min(1.0, max(0.0, matched[1] + magenta_nudge))
    return (matched[0], matched[1], matched[2], k)


def _pantograph_patches(base: PrintCalibration) -> Iterator[tuple[PrintCalibration, str]]:
    for bg_dot, bg_pitch, word_dot, word_pitch in PANTOGRAPH_LADDER:
        try:
            calibration = replace(
                base,
                background_dot_px=bg_dot,
                background_pitch_px=bg_pitch,
                word_dot_px=word_dot,
                word_pitch_px=word_pitch,
            )
        except CalibrationError:
            continue
        label = f"bg {bg_dot}/{bg_pitch}  word {word_dot}/{word_pitch} px"
        yield calibration, label


def calibration_chart(base: PrintCalibration | None = None) -> bytes:
    """An A4 PDF: the pantograph ladder and the latent-ink ladder, labelled."""
    base = base or PrintCalibration()
    font = register_gothic()
    out = io.BytesIO()
    canvas = Canvas(
        out,
        pagesize=(PAGE_WIDTH_PT, PAGE_HEIGHT_PT),
        invariant=True,
        initialFontName=font,
        initialFontSize=8,
    )
    canvas.setFillColorCMYK(0, 0, 0, 1)
    canvas.setFont(font, 11)
    canvas.drawString(
        15 * MM, PAGE_HEIGHT_PT - 15 * MM, "印刷調整チャート / print calibration chart"
    )
    canvas.setFont(font, 7)
    canvas.drawString(
        15 * MM,
        PAGE_HEIGHT_PT - 21 * MM,
        f"device {base.device_dpi} dpi — print with toner saving, smoothing and "
        "colour matching off",
    )
    patches = list(_pantograph_patches(base))
    positions = []
    for index, (_calibration, label) in enumerate(patches):
        column, row = index % 4, index // 4
        x = (15 + column * (PATCH_MM[0] + 5)) * MM
        y = PAGE_HEIGHT_PT - (30 + row * (PATCH_MM[1] + 9) + PATCH_MM[1]) * MM
        positions.append((x, y))
        canvas.drawString(x, y - 4 * MM, label)

    flower = base.flower_cmyk[:3]
    top = 30 + 2 * (PATCH_MM[1] + 9) + 10
    canvas.setFont(font, 9)
    canvas.drawString(
        15 * MM,
        PAGE_HEIGHT_PT - top * MM,
        "潜像インキ / latent ink: the disc has K, the ring has none",
    )
    canvas.setFont(font, 6.5)
    for row, k in enumerate(LATENT_K_STEPS):
        for column, nudge in enumerate(MAGENTA_NUDGES):
            try:
                latent = matched_latent(flower, k, nudge)
            except CalibrationError:
                continue
            cx = (35 + column * 60) * MM
            cy = PAGE_HEIGHT_PT - (top + 13 + row * 29) * MM
            canvas.setFillColorCMYK(*flower, 0)
            canvas.circle(cx, cy, 9 * MM, stroke=0, fill=1)
            canvas.setFillColorCMYK(*latent)
            canvas.circle(cx, cy, 5.5 * MM, stroke=0, fill=1)
            canvas.setFillColorCMYK(0, 0, 0, 1)
            values = ", ".join(f"{v:.3f}" for v in latent)
            canvas.drawString(cx + 11 * MM, cy + 1 * MM, f"K {k:.2f}  M {nudge:+.2f}")
            canvas.drawString(cx + 11 * MM, cy - 3 * MM, f"({values})")
    canvas.showPage()
    canvas.save()

    pdf = pikepdf.Pdf.open(io.BytesIO(out.getvalue()))
    page = pdf.pages[0]
    width_px = round(PATCH_MM[0] / 25.4 * base.device_dpi)
    height_px = round(PATCH_MM[1] / 25.4 * base.device_dpi)
    placements = [
        Placement(
            image_mask(pdf, pantograph_patch(width_px, height_px, calibration)),
            x,
            y,
            PATCH_MM[0] * MM,
            PATCH_MM[1] * MM,
        )
        for (calibration, _), (x, y) in zip(patches, positions, strict=True)
    ]
    form = k_form(pdf, (PAGE_WIDTH_PT, PAGE_HEIGHT_PT), placements)
    name = page.add_resource(form, pikepdf.Name.XObject, pikepdf.Name("/KsbChart"))
    page.contents_add(f"q {name} Do Q".encode("ascii"))
    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True)
    return buffer.getvalue()
