"""The vector parts the kiosk draws with reportlab: the serial on the front, and on the back
the header, the cherry blossom with its latent image and the Japanese explanation.

Everything is DeviceCMYK, text K only (``setFillColorCMYK(0, 0, 0, 1)``): a DeviceGray or RGB
black may be printed as a CMY-rich black by colour management (§3.2). The images (module block,
QR codes, pantograph) are added afterwards as 1-bit image masks by ``compose``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.colors import CMYKColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame, Paragraph

from printing.jpdates import fullwidth_digits

from .calibration import PrintCalibration
from .errors import ComposeError
from .fonts import register_gothic
from .latent import draw_sakura
from .layout import (
    BAND_TOP_PX,
    BLOCK_COLS,
    BLOCK_LEFT_PX,
    HEADER_BASELINE_PX,
    MODULE_DEVICE_PX,
    PAGE_HEIGHT_PT,
    PAGE_WIDTH_PT,
    PT_PER_DEVICE_PX,
    QR_BOX_PX,
    SAKURA_LEFT_PX,
    SAKURA_SIZE_PX,
    code_boxes,
)
from .vcode import grouped

K_ONLY = (0.0, 0.0, 0.0, 1.0)
MM = 72 / 25.4
# One number on the certificate: the serial (発行番号 and the copy: 131202-261126-000042-1);
# the municipality's page prints none of its own (printing/documents/_engine.py).
SERIAL_LABEL = "発行番号"

EXPLANATION_TITLE = "この面（裏面）について"
EXPLANATION = (
    "この証明書は、マイナンバーカードを利用してコンビニエンスストア等のキオスク端末で"
    "交付されたものです。表面の地紋は、複写すると「複写」の文字が浮かび上がります。"
    "この面の砂嵐のような模様は、表面の証明内容を発行元の鍵で並べ替えたスクランブル画像です。"
    "この面全体を300dpi以上でスキャンして発行元の検証サービスに送ると、表面と同じ内容が"
    "復元されます。表面と見比べて、改ざんがないことを確認してください。"
    "右下の二次元コードには、発行番号と証明内容に対する発行元の電子署名が記録されています。"
    "左下の桜の図柄には、赤外線カメラで見ると「証」の文字が現れる潜像があり、"
    "複写したものでは現れません。"
)
# Layout v2: a narrower column beside two codes; says what the codes now carry and that the
# front's verification code allows an online check.
EXPLANATION_V2 = (
    "この証明書は、マイナンバーカードを利用してキオスク端末で交付されたものです。"
    "表面の地紋は、複写すると「複写」の文字が浮かび上がります。"
    "この面の砂嵐のような模様は、表面の証明内容を発行元の鍵で並べ替えた画像です。"
    "右下の二次元コードには、表面に印字された全ての文字（日付・金額・番号・氏名・住所など）"
    "とその位置が、発行元の電子署名付きで記録されています。表面と裏面を300dpiで読み取ると、"
    "検証ソフトが項目ごとに照合します。表面下部の発行番号と検証コードで、{where}に照会する"
    "こともできます。桜の図柄には赤外線カメラで「証」の文字が見える潜像があり、複写では"
    "現れません。"
)
# Where the online check goes: the service the deployment names on the line below the text
# (printer.verification_service, 「検証サービス：…」), else the issuer in general.
ONLINE_CHECK_AT = "下記の検証サービス"
ONLINE_CHECK_ISSUER = "発行元"
VERIFICATION_LABEL = "検証コード"
# Left edge of the verification-code line on the front: right of the serial QR code (at the
# content's left edge, at most 9.8 mm wide plus its 1.4-mm quiet zone, compose.py).
VERIFICATION_LINE_LEFT_MM = 28.0


def px_to_pt(px: float) -> float:
    return px * PT_PER_DEVICE_PX


def y_from_top(px: float) -> float:
    """PDF y (origin bottom-left) of a position given in device px from the top edge."""
    return PAGE_HEIGHT_PT - px_to_pt(px)


@dataclass(frozen=True)
class FrontMarks:
    """What the kiosk prints in the front's free margin."""

    serial: str
    page_index: int
    page_count: int
    content_area_mm: tuple[float, float, float, float]
    verification_code: str | None = None  # layout v2


@dataclass(frozen=True)
class BackMarks:
    serial: str
    issuer: str
    page_index: int
    page_count: int
    verification: str = ""  # where the verification service is (the deployment's), or ""
    layout_version: int = 1


def serial_line(serial: str, page_index: int, page_count: int) -> str:
    """「発行番号　<serial>　（１／２）」: the page count in the full-width style of the page's
    own header (printing/documents/_engine.py), so the certificate has one style."""
    page = f"（{fullwidth_digits(page_index + 1)}／{fullwidth_digits(page_count)}）"
    return f"{SERIAL_LABEL}　{serial}　{page}"


SERIAL_FONT_PT = 8.0


def front_serial_position(marks: FrontMarks) -> tuple[float, float]:
    """Baseline (x right edge, y) in points of the serial line on the front.

    Centred in the bottom margin when it is at least 8 mm tall, else in the top margin; right
    edge aligned with the content area.
    """
    left, top, width, height = marks.content_area_mm
    bottom_margin = 297.0 - (top + height)
    right_pt = (left + width) * MM
    baseline_mm = top + height + bottom_margin / 2 + 1.2 if bottom_margin >= 8.0 else top / 2 + 1.2
    return right_pt, PAGE_HEIGHT_PT - baseline_mm * MM


def draw_front_marks(canvas: Canvas, marks: FrontMarks) -> None:
    font = register_gothic()
    canvas.setFillColorCMYK(*K_ONLY)
    canvas.setFont(font, SERIAL_FONT_PT)
    x, y = front_serial_position(marks)
    canvas.drawRightString(x, y, serial_line(marks.serial, marks.page_index, marks.page_count))
    if marks.verification_code is not None:
        canvas.drawString(VERIFICATION_LINE_LEFT_MM * MM, y, verification_line(marks))


def verification_line(marks: FrontMarks) -> str:
    """「検証コード　K7QM-2XD9-4RTP-H3WC」: what the front prints for the online check."""
    return f"{VERIFICATION_LABEL}　{grouped(marks.verification_code or '')}"


def draw_back_marks(canvas: Canvas, marks: BackMarks, calibration: PrintCalibration) -> None:
    font = register_gothic()
    canvas.setFillColorCMYK(*K_ONLY)
    left = px_to_pt(BLOCK_LEFT_PX)
    right = px_to_pt(BLOCK_LEFT_PX + BLOCK_COLS * MODULE_DEVICE_PX)
    baseline = y_from_top(HEADER_BASELINE_PX)
    canvas.setFont(font, 9)
    canvas.drawString(left, baseline, "証明書　裏面　スクランブル画像・偽造防止情報")
    canvas.setFont(font, 8)
    canvas.drawRightString(
        right, baseline, serial_line(marks.serial, marks.page_index, marks.page_count)
    )

    radius = px_to_pt(SAKURA_SIZE_PX) / 2
    draw_sakura(
        canvas,
        px_to_pt(SAKURA_LEFT_PX) + radius,
        y_from_top(BAND_TOP_PX) - radius,
        radius,
        calibration,
    )

    text_left = px_to_pt(SAKURA_LEFT_PX + SAKURA_SIZE_PX) + 4 * MM
    text_right = px_to_pt(code_boxes(marks.layout_version)[0].left_px) - 2 * MM
    frame_top = y_from_top(BAND_TOP_PX)
    frame_height = px_to_pt(QR_BOX_PX)
    v1 = marks.layout_version == 1
    style = ParagraphStyle(
        "explanation",
        fontName=font,
        fontSize=6.8 if v1 else 6.0,
        leading=9.4 if v1 else 8.0,
        wordWrap="CJK",
        textColor=CMYKColor(*K_ONLY),
    )
    title = ParagraphStyle("title", parent=style, fontSize=8 if v1 else 7, leading=11 if v1 else 9)
    issuer = ParagraphStyle("issuer", parent=style, fontSize=7.2 if v1 else 6.6, leading=10)
    # The service line (≤ VERIFICATION_MAX characters, two or three lines when they are
    # full-width) takes the explanation's size so that the longest fits either column.
    frame = Frame(
        text_left,
        frame_top - frame_height,
        text_right - text_left,
        frame_height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        showBoundary=0,
    )
    story = [
        Paragraph(EXPLANATION_TITLE, title),
        Paragraph(EXPLANATION if v1 else explanation_v2(marks.verification), style),
        *(
            [Paragraph(f"検証サービス：{_escape(marks.verification)}", style)]
            if marks.verification
            else []
        ),
        Paragraph(f"発行者：{_escape(marks.issuer)}", issuer),
    ]
    frame.addFromList(story, canvas)
    if story:  # a flowable the frame could not hold: the layout constants are wrong
        raise ComposeError("the back's explanation does not fit its frame")


def explanation_v2(verification: str) -> str:
    """Layout v2's explanation; the online check points at the service named below it."""
    return EXPLANATION_V2.format(where=ONLINE_CHECK_AT if verification else ONLINE_CHECK_ISSUER)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def decorations_pdf(pages: list[FrontMarks | BackMarks], calibration: PrintCalibration) -> bytes:
    """One reportlab PDF with a page of vector marks per output page, fonts embedded once."""
    out = io.BytesIO()
    # The initial font would otherwise be Helvetica: a non-embedded font in every page.
    canvas = Canvas(
        out,
        pagesize=(PAGE_WIDTH_PT, PAGE_HEIGHT_PT),
        invariant=True,
        initialFontName=register_gothic(),
        initialFontSize=8,
    )
    canvas.setTitle("")
    for marks in pages:
        if isinstance(marks, FrontMarks):
            draw_front_marks(canvas, marks)
        else:
            draw_back_marks(canvas, marks, calibration)
        canvas.showPage()
    canvas.save()
    return out.getvalue()
