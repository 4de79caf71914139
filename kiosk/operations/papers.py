"""The papers the kiosk hands a resident or staff besides certificates: the slip of money owed
(the resident's proof), the receipt (領収書), the printer test page — and how they reach a
printer.

A slip or receipt goes to the receipt printer where the profile has one (``lp`` to the receipt
queue, an 80 mm roll), else to the A4 certificate printer (through ``printing.cups``, which takes
A4 only, tracked to its end). Printed papers stay Japanese with an English line, like the
counter ticket: they are read by store staff and kept by the resident.

They carry no personal data: a reference (the transaction id), amounts, money codes, times,
the kiosk's id.
"""

from __future__ import annotations

import io
import logging
import math
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Protocol

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from kiosk.problems import OwedCode
from printing.certificates import CertificateKind
from printing.faults import JobHandle, PrinterError, PrinterFault, PrinterStatus, PrintOutcome

log = logging.getLogger(__name__)

JST = timezone(timedelta(hours=9), "JST")
ROLL_WIDTH_MM = 80.0  # the common receipt roll
LP_TIMEOUT_S = 15.0  # spooling a few kB to the local cupsd takes milliseconds
# A one-sheet paper on the A4 printer: its warm-up (PrintTiming's default) and one sheet.
A4_PAPER_DEADLINE_S = 120.0

# Why a staff code, in the resident's words on the slip (Japanese; English below it).
OWED_CAUSES: dict[OwedCode, tuple[str, str]] = {
    OwedCode.CHANGE_SHORT: ("おつりの一部をお返しできませんでした", "change not paid in full"),
    OwedCode.REFUND_SHORT: ("返金の一部をお返しできませんでした", "refund not paid in full"),
    OwedCode.REFUND_NO_ANSWER: ("返金ができませんでした", "refund not paid"),
    OwedCode.RECOVERED: ("停電等の後に未返金が判明しました", "found after a restart"),
}


class PaperError(Exception):
    """The paper could not be handed to the print system (or did not come out)."""


class A4Printer(Protocol):
    """What an A4 paper needs of ``printing.cups.CupsPrinter``."""

    def check_printer(self) -> PrinterStatus: ...

    def submit(self, pdf: bytes, *, title_hash: str, copies_hint: int) -> JobHandle: ...

    def track(
        self,
        job: JobHandle,
        deadline: float,
        *,
        cancel_on_failure: bool = True,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> PrintOutcome: ...


def lp_print(
    pdf: bytes, *, queue: str, server: str | None, title: str, options: Sequence[str] = ()
) -> None:
    """Spool ``pdf`` to a CUPS queue with ``lp`` (``server``: host:port, or the default);
    raises :class:`PaperError` when CUPS refuses it."""
    lp = shutil.which("lp")
    if lp is None:
        raise PaperError("lp not found (Debian: cups-client)")
    argv = [lp]
    if server:
        argv += ["-h", server]
    argv += ["-d", queue, "-t", title, "-o", "job-sheets=none,none"]
    for option in options:
        argv += ["-o", option]
    argv.append("-")
    try:
        result = subprocess.run(
            argv, input=pdf, capture_output=True, timeout=LP_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PaperError(f"lp failed: {type(exc).__name__}") from None
    if result.returncode != 0:
        detail = result.stderr.decode(errors="replace").strip()
        raise PaperError(f"lp refused the job: {detail[-200:]}")


def print_a4(printer: A4Printer, pdf: bytes, title: str) -> JobHandle:
    """Print a one-page A4 paper and wait until it came out; raises :class:`PrinterError`."""
    job = printer.submit(pdf, title_hash=title, copies_hint=1)
    outcome = printer.track(job, time.monotonic() + A4_PAPER_DEADLINE_S)
    if not outcome.completed:
        raise PrinterError(outcome.fault or PrinterFault.PRINTER_ERROR, "paper not printed")
    return job


@dataclass(frozen=True)
class OwedSlip:
    kiosk_id: str
    reference: str  # the transaction id: staff find the journal entries by it
    yen: int
    codes: tuple[OwedCode, ...]
    at: datetime


@dataclass(frozen=True)
class Receipt:
    kiosk_id: str
    reference: str
    amount_yen: int
    kind: CertificateKind
    copies: int
    at: datetime
    also: tuple[tuple[CertificateKind, int], ...] = ()  # a basket's other certificates

    @property
    def certificates(self) -> tuple[tuple[CertificateKind, int], ...]:
        return ((self.kind, self.copies), *self.also)


Line = tuple[float, str, float]  # (font size, text, space after in mm)


def slip_lines(slip: OwedSlip) -> list[Line]:
    when = slip.at.astimezone(JST).strftime("%Y年%m月%d日 %H:%M")
    lines: list[Line] = [
        (15, "お預かり金 返金票", 1),
        (9, "Money owed to you", 5),
        (11, "この端末がお返しできなかった金額", 1),
        (24, f"{slip.yen:,}円", 2),
        (9, f"Amount the kiosk could not pay back: {slip.yen:,} yen", 5),
    ]
    for code in slip.codes:
        japanese, english = OWED_CAUSES[code]
        lines += [(12, f"コード Code {code.value}", 0.5), (9, japanese, 0.5), (8, english, 2)]
    lines += [
        (10, "参照番号 Reference", 0.5),
        (10, slip.reference, 2),
        (10, f"日時 {when}", 1),
        (10, f"端末 Kiosk: {slip.kiosk_id}", 5),
        (10, "この票を店員にお見せください。", 1),
        (10, "店員が上記の金額をお支払いします。", 2),
        (8, "Show this slip to a member of staff,", 0.5),
        (8, "who will pay you this amount.", 0),
    ]
    return lines


def _certificate_lines(receipt: Receipt) -> list[Line]:
    """「但し 住民票の写し 2通の」 and its English line; a basket lists each certificate
    (「但し 住民票の写し 2通、」「印鑑登録証明書 1通の」)."""
    certificates = receipt.certificates
    last = len(certificates) - 1
    lines: list[Line] = []
    for n, (kind, copies) in enumerate(certificates):
        lead, end = ("但し " if n == 0 else ""), ("の" if n == last else "、")
        lines.append((10, f"{lead}{kind.title_ja} {copies}通{end}", 1))
    lines.append((10, "交付手数料として上記正に領収いたしました。", 2))
    for n, (kind, copies) in enumerate(certificates):
        lead = "Fee for " if n == 0 else ""
        lines.append((8, f"{lead}{copies} × {kind.name_msgid}", 4 if n == last else 0.5))
    return lines


def receipt_lines(receipt: Receipt) -> list[Line]:
    when = receipt.at.astimezone(JST).strftime("%Y年%m月%d日 %H:%M")
    return [
        (16, "領 収 書", 1),
        (9, "Receipt", 5),
        (24, f"{receipt.amount_yen:,}円", 1),
        (9, "（非課税）", 4),
        *_certificate_lines(receipt),
        (10, f"日時 {when}", 1),
        (10, "取引番号 Reference", 0.5),
        (10, receipt.reference, 2),
        (10, f"端末 Kiosk: {receipt.kiosk_id}", 0),
    ]


def render_roll(lines: list[Line], title: str) -> bytes:
    """The lines centred on an 80 mm roll, as tall as they need."""
    height = 16 * mm + sum(size * 0.3528 * mm * 1.25 + after * mm for size, _, after in lines)
    return _render(lines, title, (ROLL_WIDTH_MM * mm, height), top=8 * mm)


def render_a4(lines: list[Line], title: str) -> bytes:
    """The lines in a framed block at the top of an A4 page (cut or fold it off)."""
    return _render(lines, title, A4, top=30 * mm, frame=True)


def _render(
    lines: list[Line], title: str, size: tuple[float, float], *, top: float, frame: bool = False
) -> bytes:
    from printing.security.fonts import register_gothic

    font = register_gothic()
    width, height = size
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=size, invariant=True)
    page.setTitle(title)
    y = height - top
    centre = width / 2
    block_top = y + 6 * mm
    for font_size, text, after in lines:
        y -= font_size * 0.3528 * mm  # points → mm
        page.setFont(font, font_size)
        page.drawCentredString(centre, y, text)
        y -= font_size * 0.3528 * mm * 0.25 + after * mm
    if frame:
        page.setLineWidth(0.8)
        page.rect(35 * mm, y - 4 * mm, width - 70 * mm, block_top - y + 4 * mm)
    page.showPage()
    page.save()
    return out.getvalue()


class ResidentPapers:
    """Prints slips and receipts: on the receipt queue (``lp``) if there is one, else on the A4
    printer. Every method raises :class:`PaperError` or :class:`PrinterError` when the paper did
    not reach (or come out of) the printer."""

    def __init__(
        self,
        kiosk_id: str,
        *,
        a4: A4Printer,
        receipt_queue: str | None,
        cups_server: str | None,
        clock: Callable[[], datetime],
    ) -> None:
        self.kiosk_id = kiosk_id
        self._a4 = a4
        self._queue = receipt_queue
        self._server = cups_server
        self._clock = clock

    def print_owed_slip(self, txn_id: str, yen: int, codes: tuple[OwedCode, ...]) -> None:
        slip = OwedSlip(self.kiosk_id, txn_id, yen, codes, self._clock())
        self._print(slip_lines(slip), "返金票", "slip")

    def print_receipt(
        self,
        txn_id: str,
        amount_yen: int,
        kind: CertificateKind,
        copies: int,
        also: tuple[tuple[CertificateKind, int], ...] = (),
    ) -> None:
        receipt = Receipt(self.kiosk_id, txn_id, amount_yen, kind, copies, self._clock(), also)
        self._print(receipt_lines(receipt), "領収書", "receipt")

    def _print(self, lines: list[Line], title: str, name: str) -> None:
        if self._queue is not None:
            pdf = render_roll(lines, title)
            media = f"media=Custom.{ROLL_WIDTH_MM:g}x{_height_mm(pdf):g}mm"
            lp_print(pdf, queue=self._queue, server=self._server, title=name, options=[media])
        else:
            print_a4(self._a4, render_a4(lines, title), name)
        log.info("%s printed", name)


def _height_mm(pdf: bytes) -> int:
    """The roll length of a one-page PDF made by :func:`render_roll` (its MediaBox)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        height = float(doc.pages[0].mediabox[3]) - float(doc.pages[0].mediabox[1])
    return math.ceil(height / float(mm))


__all__ = [
    "A4Printer",
    "OwedSlip",
    "PaperError",
    "Receipt",
    "ResidentPapers",
    "lp_print",
    "print_a4",
    "receipt_lines",
    "render_a4",
    "render_roll",
    "slip_lines",
]


def render_test_page(kiosk_id: str, at: datetime) -> bytes:
    """An A4 test page: frame and corner marks (print area, no scaling), a grey scale (toner),
    fine lines (the drum), and text in both print fonts. Nothing personal."""
    from printing.security.fonts import register_gothic

    font = register_gothic()
    width, height = A4
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=True)
    page.setTitle("テストページ")
    margin = 10 * mm
    page.setLineWidth(0.5)
    page.rect(margin, margin, width - 2 * margin, height - 2 * margin)
    for x, y in ((margin, margin), (width - margin, margin), (margin, height - margin),
                 (width - margin, height - margin)):  # fmt: skip
        page.line(x - 5 * mm, y, x + 5 * mm, y)
        page.line(x, y - 5 * mm, x, y + 5 * mm)
    page.setFont(font, 18)
    page.drawCentredString(width / 2, height - 35 * mm, "テストページ Test page")
    page.setFont(font, 10)
    when = at.astimezone(JST).strftime("%Y-%m-%d %H:%M")
    page.drawCentredString(width / 2, height - 45 * mm, f"{kiosk_id}  {when}")
    for step in range(11):  # grey scale, 0–100 %
        page.setFillGray(1 - step / 10)
        page.rect(25 * mm + step * 15 * mm, height - 80 * mm, 14 * mm, 20 * mm, fill=1, stroke=1)
    page.setFillGray(0)
    for index in range(40):  # fine lines 0.1–0.5 pt
        page.setLineWidth(0.1 + (index % 5) * 0.1)
        y = height - 100 * mm - index * 2 * mm
        page.line(25 * mm, y, width - 25 * mm, y)
    page.setFont(font, 11)
    y = 90 * mm
    for text in (
        "あいうえお アイウエオ 住民票の写し 印鑑登録証明書 戸籍証明書",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz 0123456789",
        "用紙・トナー・両面印刷を確認してください。Check paper, toner and duplex.",
    ):
        page.drawCentredString(width / 2, y, text)
        y -= 10 * mm
    page.showPage()
    # The back: the same frame, so a duplex printer shows both sides line up.
    page.setLineWidth(0.5)
    page.rect(margin, margin, width - 2 * margin, height - 2 * margin)
    page.setFont(font, 14)
    page.drawCentredString(width / 2, height / 2, "裏面 Back side")
    page.showPage()
    page.save()
    return out.getvalue()
