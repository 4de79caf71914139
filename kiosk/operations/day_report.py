"""The day report of a closed business day: a PDF for the A4 printer and a CSV for the
operator's tools, both written beside the journal.

The PDF (Japanese with English labels: store staff read it, the chain's office files it) has
the day's figures on both sides, every line that is not matched with its notes, the money still
owed to residents and the cash counts of the day. The CSV has one row per reconciled line
(matched ones too), for spreadsheets and the operator's back office. Neither carries personal
data: ids, amounts, counts and codes.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from kiosk.journal.operations import CashCounted, OwedEntry
from kiosk.operations.reconcile import Line, LineStatus, Note, Reconciliation

JST = timezone(timedelta(hours=9), "JST")

# How the report words each note (Japanese / English): the staff screens word them too.
NOTE_TEXT: dict[Note, tuple[str, str]] = {
    Note.NOT_AT_CENTER: ("センターの当日分にない", "not in the center's day"),
    Note.NOT_IN_JOURNAL: ("端末の記録にない", "not in the kiosk's journal"),
    Note.REPORT_LOST: ("完了報告がセンターにない", "completion report missing at the center"),
    Note.COPIES_DIFFER: ("印刷部数が異なる", "copies printed differ"),
    Note.PAID_DIFFERS: ("入金額が異なる", "amount paid differs"),
    Note.REFUND_DIFFERS: ("返金額が異なる", "refund differs"),
    Note.PAYMENT_PLACE_DIFFERS: ("支払場所が異なる", "payment place differs"),
    Note.UNSETTLED: ("行き先不明の現金", "money not accounted for"),
    Note.REPORT_PENDING: ("完了報告を送信中", "completion report still being sent"),
    Note.OWED_PAID_BACK: ("未返金分を係員が返金済み", "owed money paid back by staff"),
    Note.OWED_OPEN: ("未返金（係員が返金すること）", "owed money not paid back yet"),
    Note.CENTER_MISSING: ("センター側データなし", "center's settlement missing"),
}
STATUS_TEXT: dict[LineStatus, str] = {
    LineStatus.MATCHED: "一致 matched",
    LineStatus.EXPLAINED: "説明済 explained",
    LineStatus.UNEXPLAINED: "不明 UNEXPLAINED",
}

CSV_COLUMNS = (
    "business_date",
    "status",
    "notes",
    "txn_id",
    "issuance_id",
    "kind",
    "kiosk_copies",
    "kiosk_copies_printed",
    "kiosk_paid_yen",
    "kiosk_kept_yen",
    "kiosk_received_yen",
    "kiosk_change_yen",
    "kiosk_refunded_yen",
    "kiosk_owed_yen",
    "kiosk_paid_back_yen",
    "kiosk_unsettled_yen",
    "center_municipality",
    "center_copies",
    "center_fee_per_copy_yen",
    "center_outcome",
    "center_payment",
    "center_copies_printed",
    "center_paid_yen",
    "center_refunded_yen",
    "center_refund_pending_yen",
)


@dataclass(frozen=True)
class ReportHeader:
    kiosk_id: str
    closed_at: datetime
    staff_id: str


def csv_rows(result: Reconciliation) -> list[list[str | int]]:
    rows: list[list[str | int]] = []
    for line in result.lines:
        kiosk, center = line.kiosk, line.center
        report = center.completion if center is not None else None
        k: list[str | int] = (
            [
                kiosk.kind,
                kiosk.copies,
                kiosk.copies_printed,
                kiosk.paid_yen,
                kiosk.kept_yen,
                kiosk.received_yen,
                kiosk.change_yen,
                kiosk.refunded_yen,
                kiosk.owed_yen,
                kiosk.paid_back_yen,
                kiosk.unsettled_yen,
            ]
            if kiosk is not None
            else [""] * 11
        )
        c: list[str | int] = (
            [center.municipality_code, center.copies, center.fee_per_copy_yen]
            if center is not None
            else ["", "", ""]
        )
        r: list[str | int] = (
            [
                report.outcome.value,
                report.payment.value,
                report.copies_printed,
                report.amount_paid_yen,
                report.amount_refunded_yen,
                report.refund_pending_yen,
            ]
            if report is not None
            else ["open" if center is not None else "", "", "", "", "", ""]
        )
        notes = " ".join(note.value for note in line.notes)
        head: list[str | int] = [result.day.isoformat(), line.status.value, notes, line.txn_id]
        rows.append([*head, line.issuance_id or "", *k, *c, *r])
    return rows


def render_csv(result: Reconciliation) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(result))
    return out.getvalue().encode("utf-8")


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``path`` so that a reader (and a power cut) sees the old or the new file whole:
    a temporary file, fsync, rename, fsync of the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def yen(value: int | None) -> str:
    return "—" if value is None else f"{value:,}円"


class _Pages:
    """A4 pages of text lines with a running header (reportlab, IPAex Gothic)."""

    TOP = 275 * mm
    BOTTOM = 18 * mm
    LEFT = 15 * mm

    def __init__(self, title: str, header: str) -> None:
        from printing.security.fonts import register_gothic

        self.font = register_gothic()
        self.out = io.BytesIO()
        self.page = canvas.Canvas(self.out, pagesize=A4, invariant=True)
        self.page.setTitle(title)
        self.title = title
        self.header = header
        self.number = 0
        self.y = 0.0
        self._new_page()

    def _new_page(self) -> None:
        if self.number:
            self.page.showPage()
        self.number += 1
        self.page.setFont(self.font, 8)
        self.page.drawString(self.LEFT, 287 * mm, self.header)
        self.page.drawRightString(195 * mm, 287 * mm, f"{self.number}")
        self.y = self.TOP

    def text(self, value: str, size: float = 9, indent: float = 0, after: float = 1.5) -> None:
        height = size * 0.3528 * mm
        if self.y - height < self.BOTTOM:
            self._new_page()
        self.y -= height
        self.page.setFont(self.font, size)
        self.page.drawString(self.LEFT + indent * mm, self.y, value)
        self.y -= after * mm

    def columns(self, values: Sequence[str], widths: Sequence[float], size: float = 8) -> None:
        height = size * 0.3528 * mm
        if self.y - height < self.BOTTOM:
            self._new_page()
        self.y -= height
        self.page.setFont(self.font, size)
        x = self.LEFT
        for value, width in zip(values, widths, strict=True):
            self.page.drawString(x, self.y, value)
            x += width * mm
        self.y -= 1.2 * mm

    def rule(self) -> None:
        self.y -= 1 * mm
        self.page.setLineWidth(0.4)
        self.page.line(self.LEFT, self.y, 195 * mm, self.y)
        self.y -= 2 * mm

    def finish(self) -> bytes:
        self.page.showPage()
        self.page.save()
        return self.out.getvalue()


LINE_WIDTHS = (52, 34, 16, 26, 26, 26)


def render_pdf(
    result: Reconciliation,
    header: ReportHeader,
    owed_open: Sequence[OwedEntry],
    counts: Sequence[CashCounted],
) -> bytes:
    """The day report (A4, as many pages as the differences need)."""
    t = result.totals
    closed = header.closed_at.astimezone(JST).strftime("%Y-%m-%d %H:%M")
    pages = _Pages(
        f"日計表 {result.day.isoformat()}",
        f"日計表 Day report — {header.kiosk_id} — {result.day.isoformat()}",
    )
    pages.text("日計表 Day report", 16, after=2)
    pages.text(
        f"営業日 Business day: {result.day.isoformat()}    端末 Kiosk: {header.kiosk_id}", 10
    )
    pages.text(f"締め日時 Closed: {closed}    係員 Staff: {header.staff_id}", 10, after=3)
    if result.center_missing:
        pages.text("※ センターの精算データなしで締めました。", 10)
        pages.text("   Closed without the center's settlement: its side is missing.", 9, after=3)
    pages.rule()
    pages.text("集計 Totals", 12, after=2)
    summary = [
        ("取引 Transactions", str(t.transactions), "センター発行 Center issuances",
         "—" if t.center_issuances is None else str(t.center_issuances)),
        ("手数料（端末） Fees kept", yen(t.kiosk_kept_yen), "手数料（センター） Center fees",
         yen(t.center_fees_yen)),
        ("投入 Received", yen(t.kiosk_received_yen), "店舗手数料 Store fee",
         yen(t.center_store_fee_yen)),
        ("おつり Change", yen(t.kiosk_change_yen), "センター未返金 Center pending",
         yen(t.center_refund_pending_yen)),
        ("返金 Refunded", yen(t.kiosk_refunded_yen), "未返金 Owed", yen(t.owed_yen)),
        ("係員返金済 Paid back", yen(t.paid_back_yen), "未返金残 Owed open", yen(t.owed_open_yen)),
    ]  # fmt: skip
    for left, left_value, right, right_value in summary:
        pages.columns([left, left_value, right, right_value], (55, 30, 60, 30), 9)
    pages.text("", after=1)
    pages.text(
        f"一致 matched {t.matched}    説明済 explained {t.explained}    "
        f"不明 unexplained {t.unexplained}",
        11,
        after=3,
    )
    pages.rule()
    differences = result.differences
    pages.text(f"差異 Differences by transaction ({len(differences)})", 12, after=2)
    if not differences:
        pages.text("差異はありません。No difference.", 10)
    else:
        pages.columns(
            ["取引 Transaction", "発行 Issuance", "種類", "端末 kiosk", "センター center", "状態"],
            LINE_WIDTHS,
        )
        for line in differences:
            _difference(pages, line)
    pages.rule()
    pages.text(f"未返金 Money owed to residents, not paid back ({len(owed_open)})", 12, after=2)
    for entry in owed_open:
        at = entry.at.astimezone(JST).strftime("%Y-%m-%d %H:%M")
        pages.text(f"{entry.txn_id}  {entry.code.value}  {yen(entry.yen)}  {at}", 9)
    if not owed_open:
        pages.text("なし None.", 9)
    pages.rule()
    pages.text(f"現金の補充・回収 Cash refills and collections ({len(counts)})", 12, after=2)
    for count in counts:
        unit = "—" if count.unit_count is None else str(count.unit_count)
        diff = "" if not count.difference else f"  差異 difference {count.difference:+d}"
        pages.text(
            f"{count.kind.value} {count.count_id}  {count.denomination}円 × {count.counted}"
            f" (unit {unit}){diff}  {count.staff_id}",
            9,
        )
    if not counts:
        pages.text("なし None.", 9)
    return pages.finish()


def _difference(pages: _Pages, line: Line) -> None:
    kiosk, center = line.kiosk, line.center
    report = center.completion if center is not None else None
    kiosk_text = f"{kiosk.copies_printed}/{kiosk.copies}部 {yen(kiosk.paid_yen)}" if kiosk else "—"
    if center is None:
        center_text = "—"
    elif report is None:
        center_text = "open"
    else:
        center_text = f"{report.copies_printed}/{center.copies}部 {yen(report.amount_paid_yen)}"
    pages.columns(
        [
            line.txn_id or "—",
            (line.issuance_id or "—")[:20],
            kiosk.kind[:8] if kiosk else "",
            kiosk_text,
            center_text,
            STATUS_TEXT[line.status],
        ],
        LINE_WIDTHS,
    )
    for note in line.notes:
        japanese, english = NOTE_TEXT[note]
        pages.text(f"→ {japanese} / {english}", 8, indent=6, after=0.8)


__all__ = [
    "CSV_COLUMNS",
    "NOTE_TEXT",
    "ReportHeader",
    "csv_rows",
    "render_csv",
    "render_pdf",
    "write_atomically",
]
