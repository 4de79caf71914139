"""Pictures for a reader: the front scan beside the page as signed, differing fields boxed.

Layout v2 only (its back signs every text run of the page): the registered front, the signed
facts drawn in the certificate's fonts at their places, and — with the master key — the front
restored from the scramble, all on the same A4 frame at 100 dpi; each differing field gets a
red box with its number on both the scan and the signed page, and a legend below says, in
Japanese, which field it is, what the scan shows and what was signed.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

from printing.security._cv import cv2
from printing.security.fonts import pil_gothic
from printing.security.signed_code import SignedPayload

from .fields import VIEW_DPI, DifferingField
from .glyphs import render_runs
from .labels import field_label
from .pagemap import page_frame
from .restore import Restored

GAP_PX = 12
RED = (220, 30, 30)
LEGEND_LINE_PX = 26


def signed_page(payload: SignedPayload, dpi: float = VIEW_DPI) -> npt.NDArray[np.uint8]:
    """The page as its back signs it (text runs and the serial line; pictures outlined)."""
    from .frontcheck import expected_runs

    frame = page_frame(dpi)
    ink = render_runs(expected_runs(payload), frame)
    page = np.round((1 - ink) * 255).astype(np.uint8)
    if payload.page_facts is not None:
        k = dpi / 72
        for picture in payload.page_facts.pictures:
            x0, y0 = round(picture.x_pt * k), round(picture.y_pt * k)
            x1 = round((picture.x_pt + picture.width_pt) * k)
            y1 = round((picture.y_pt + picture.height_pt) * k)
            cv2.rectangle(page, (x0, y0), (x1, y1), 160, 1)
    return page


def _restored_on_page(
    restored: Restored, payload: SignedPayload, shape: tuple[int, int]
) -> npt.NDArray[np.uint8]:
    page = np.full(shape, 255, np.uint8)
    source = payload.source
    factor = VIEW_DPI / source.dpi
    image = cv2.resize(restored.image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    x0 = round(source.area_mm[0] / 25.4 * VIEW_DPI)
    y0 = round(source.area_mm[1] / 25.4 * VIEW_DPI)
    h = min(image.shape[0], shape[0] - y0)
    w = min(image.shape[1], shape[1] - x0)
    page[y0 : y0 + h, x0 : x0 + w] = image[:h, :w]
    return page


def _box(field: DifferingField) -> tuple[int, int, int, int]:
    k = VIEW_DPI / 25.4
    x, y, w, h = field.box_mm
    pad = 4
    return (
        round(x * k) - pad,
        round(y * k) - pad,
        round((x + w) * k) + pad,
        round((y + h) * k) + pad,
    )


def side_by_side_v2(
    payload: SignedPayload,
    front_view: npt.NDArray[np.uint8] | None,
    differing: tuple[DifferingField, ...],
    restored: Restored | None,
) -> npt.NDArray[np.uint8]:
    """front scan | signed page | restored front (when there is one), with the legend below;
    RGB."""
    signed = signed_page(payload)
    panels = [signed]
    if front_view is not None:
        panels.insert(0, front_view)
    if restored is not None:
        panels.append(_restored_on_page(restored, payload, signed.shape))
    height, width = signed.shape
    legend_px = LEGEND_LINE_PX * (len(differing) + 1) + GAP_PX if differing else 0
    total_w = len(panels) * width + (len(panels) - 1) * GAP_PX
    sheet = Image.new("RGB", (total_w, height + legend_px), (128, 128, 128))
    for number, panel in enumerate(panels):
        sheet.paste(Image.fromarray(panel).convert("RGB"), (number * (width + GAP_PX), 0))
    draw = ImageDraw.Draw(sheet)
    font = pil_gothic(18)
    for index, field in enumerate(differing, start=1):
        x0, y0, x1, y1 = _box(field)
        for number in range(len(panels)):
            dx = number * (width + GAP_PX)
            draw.rectangle((x0 + dx, y0, x1 + dx, y1), outline=RED, width=2)
            draw.text((x1 + dx + 3, y0 - 2), str(index), fill=RED, font=font)
    if differing:
        draw.rectangle((0, height, total_w, height + legend_px), fill=(255, 255, 255))
        y = height + GAP_PX // 2
        draw.text((8, y), "赤枠の項目: 表面の印字 → 署名された値", fill=(0, 0, 0), font=font)
        for index, field in enumerate(differing, start=1):
            y += LEGEND_LINE_PX
            text = (
                f"{index}. {field_label(field.key)}：{field.printed or '（空白）'} → {field.signed}"
            )
            draw.text((8, y), text, fill=RED, font=font)
    return np.asarray(sheet, dtype=np.uint8)
