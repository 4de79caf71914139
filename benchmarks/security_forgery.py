"""Forged fronts for the tamper benchmark (security-printing.md §8 metric 6, issue 12).

A forger who holds a genuine certificate changes one value and prints the page again on a
background they reproduced perfectly (pantograph, serial and its code: the genuine ones): the
best a forger can do, and the hardest front for the verifier. Every numeric field of every
certificate type is a target — a digit changed (to a look-alike half of the time: 1→7, 3→8,
5→6 …), two neighbouring digits swapped, a digit added, a digit removed — and so is one kanji
of a name or address (a look-alike when there is one: 太→大, 田→由 …). The edited field is set
again in the certificate's own font and size at its place (right-aligned amounts stay
right-aligned), as a forger with the font would; everything else is the genuine page.

    fronts = ForgedFronts(pdf, page_index, backs)      # renders the layers once
    forged = fronts.forge(run, "digit_changed", rng)   # → (Forgery, 600-dpi grey page) or None
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from printing.security import BackSideData, CopyToPrint, compose_job
from printing.security.facts import NAME_ADDRESS_PARTS, TextRun, has_digit, run_end
from printing.verify.glyphs import Frame, render_runs

DPI = 600
DIGIT_KINDS = ("digit_changed", "digits_swapped", "digit_added", "digit_removed")
FULL = "０１２３４５６７８９"
HALF = "0123456789"
# Digits a forger would pick to keep the shape: each one's closest look-alikes.
LOOK_ALIKE_DIGITS = {
    "0": "86", "1": "74", "2": "73", "3": "85", "4": "19", "5": "63",
    "6": "580", "7": "12", "8": "305", "9": "47",
}  # fmt: skip
LOOK_ALIKE_KANJI = {
    "大": "太犬", "太": "大犬", "田": "由甲申", "由": "田甲", "木": "本末", "本": "木末",
    "子": "予", "土": "士", "人": "入八", "日": "目曰", "目": "日自", "王": "玉主",
    "玉": "王主", "川": "州", "千": "干", "東": "束", "郎": "朗", "北": "比", "市": "巾",
    "丁": "了", "健": "建", "隆": "降", "紀": "記", "鈴": "鉛", "崎": "埼", "佐": "左",
    "村": "材", "島": "鳥", "高": "髙", "髙": "高", "橋": "矯", "輔": "補", "陽": "湯",
    "一": "二", "二": "三", "三": "二", "花": "苑", "美": "姜", "代": "伐",
    "区": "匡", "町": "叮", "谷": "容", "山": "出", "原": "源", "野": "甥",
}  # fmt: skip
COMMON_KANJI = "上下中山川田林森村石井木本竹松梅桜原野口北南東西"


def _blank_pdf(pages: int) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=True)
    for _ in range(pages):
        canvas.showPage()
    canvas.save()
    return out.getvalue()


@dataclass(frozen=True)
class Forgery:
    kind: str  # one of DIGIT_KINDS, or "kanji"
    key: str  # the fact the forger changed
    original: str  # the run as printed
    forged: str

    def to_record(self) -> dict[str, str]:
        return {"kind": self.kind, "key": self.key, "original": self.original,
                "forged": self.forged}  # fmt: skip


def digit_targets(runs: tuple[TextRun, ...]) -> list[TextRun]:
    """The runs of numeric fields: a fact key and at least one digit."""
    return [run for run in runs if run.key and has_digit(run.text)]


def kanji_targets(runs: tuple[TextRun, ...]) -> list[TextRun]:
    """Runs of names and addresses (their kanji are what a forger substitutes)."""
    return [
        run
        for run in runs
        if run.key
        and _leaf(run.key) in NAME_ADDRESS_PARTS
        and any(_is_kanji(ch) for ch in run.text)
    ]


def _leaf(key: str) -> str:
    return key.rsplit(".", 1)[-1].split("[", 1)[0]


def _is_kanji(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _other_digit(digit: str, rng: random.Random) -> str:
    digits = FULL if digit in FULL else HALF
    value = digits.index(digit)
    if rng.random() < 0.5:
        return digits[int(rng.choice(LOOK_ALIKE_DIGITS[str(value)]))]
    return digits[rng.choice([d for d in range(10) if d != value])]


def edit_digits(text: str, kind: str, rng: random.Random) -> str | None:
    """``text`` with one digit edit of ``kind``; None when the text allows none."""
    positions = [i for i, ch in enumerate(text) if ch in FULL or ch in HALF]
    if not positions:
        return None
    if kind == "digit_changed":
        i = rng.choice(positions)
        return text[:i] + _other_digit(text[i], rng) + text[i + 1 :]
    if kind == "digits_swapped":
        pairs = [i for i in positions if i + 1 in positions and text[i] != text[i + 1]]
        if not pairs:
            return None
        i = rng.choice(pairs)
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == "digit_added":
        i = rng.choice(positions)
        digits = FULL if text[i] in FULL else HALF
        at = i if rng.random() < 0.5 else i + 1
        return text[:at] + digits[rng.randint(1, 9)] + text[at:]
    if kind == "digit_removed":
        runs = [i for i in positions if i + 1 in positions or i - 1 in positions]
        if not runs:
            return None
        i = rng.choice(runs)
        return text[:i] + text[i + 1 :]
    raise ValueError(kind)


def edit_kanji(text: str, rng: random.Random) -> str | None:
    positions = [i for i, ch in enumerate(text) if _is_kanji(ch)]
    if not positions:
        return None
    i = rng.choice(positions)
    alike = LOOK_ALIKE_KANJI.get(text[i], "")
    pool = alike if alike and rng.random() < 0.5 else COMMON_KANJI.replace(text[i], "")
    return text[:i] + rng.choice(pool) + text[i + 1 :]


def render(pdf: bytes, page: int, dpi: int = DPI) -> npt.NDArray[np.uint8]:
    """One page in 8-bit grey, by PDFium (what the benchmarks print)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        bitmap = document[page].render(scale=dpi / 72, grayscale=True)
        return np.array(bitmap.to_numpy(), dtype=np.uint8)
    finally:
        document.close()


class ForgedFronts:
    """One page's genuine layers at 600 dpi, to print forged values on."""

    def __init__(self, front_pdf: bytes, page_index: int, backs: tuple[BackSideData, ...]):
        marks = compose_job([CopyToPrint(_blank_pdf(len(backs)), backs)])
        self.background = render(marks, 2 * page_index)
        self.page = render(front_pdf, page_index)

    def genuine(self) -> npt.NDArray[np.uint8]:
        return np.minimum(self.background, self.page)

    def forge(
        self, run: TextRun, kind: str, rng: random.Random
    ) -> tuple[Forgery, npt.NDArray[np.uint8]] | None:
        forged_text = (
            edit_kanji(run.text, rng) if kind == "kanji" else edit_digits(run.text, kind, rng)
        )
        if forged_text is None or forged_text == run.text:
            return None
        page = self.page.copy()
        k = DPI / 72
        size = run.size_pt
        top = run.baseline_pt - 0.92 * size
        bottom = run.baseline_pt + 0.22 * size
        page[int(top * k) : int(np.ceil(bottom * k)),
             int(run.x_pt * k) : int(np.ceil(run_end(run) * k))] = 255  # fmt: skip
        x = run.x_pt
        if run.text.endswith("円"):  # amounts are right-aligned in their cells
            probe = TextRun(run.key, forged_text, 0.0, run.baseline_pt, size, run.font, run.gap_pt)
            x = run_end(run) - run_end(probe)
        new = TextRun(run.key, forged_text, x, run.baseline_pt, size, run.font, run.gap_pt)
        left = min(x, run.x_pt) - size
        frame = Frame(left, top - size, round((run_end(new) - left + 2 * size) * k),
                      round((bottom - top + 2 * size) * k), DPI)  # fmt: skip
        coverage = render_runs([new], frame)
        y0, x0 = round(frame.y_pt * k), round(frame.x_pt * k)
        window = page[y0 : y0 + frame.height, x0 : x0 + frame.width]
        ink = np.round((1 - coverage[: window.shape[0], : window.shape[1]]) * 255).astype(np.uint8)
        np.minimum(window, ink, out=window)
        forgery = Forgery(kind, run.key, run.text, forged_text)
        return forgery, np.minimum(self.background, page)
