"""A suspect character read among the characters of its font, as a digit is among the ten.

A degraded print (a fold's crease, a blurred or heavy scan) lowers a genuine character's
correlation with its glyph and leaves blobs against it — so does a forged one. But a forger
prints *another character*, and a degraded genuine character still fits its own glyph better
than any other. So a cell with a sign against it (runcheck, fields.py) is read: which character
of the document's font fits it best?

1. **Candidates**: the letters of JIS X 0208 (kana, ー and the iteration marks, full-width
   Latin, kanji of levels 1 and 2 — the code points enumerated by decoding EUC-JP's rows), the
   page's own signed letters (an IPAmj name character is no JIS one) and the signed character
   itself. Characters a reader cannot tell apart (CONFUSABLE) are one reading.
2. **Coarse ranking**: the cell and each candidate as BANK_PX × BANK_PX vectors of the em box
   (zero mean, unit length); one matrix product ranks them all. The bank of renderings is built
   once per process and font, on the first page with a suspect cell (about 0.9 s of CPU for
   the 6,584 characters, benchmarks/security_glyphread.py).
3. **Fine reading**: the READ_TOP_K best, and the signed character, drawn at the cell's own
   geometry and blur (glyphs.render_cell) and correlated with the scan within ±2 px, exactly as
   the signed glyph is; the one that correlates best is what the cell shows.

The decision (how much better another character must fit) is fields.py's.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import numpy.typing as npt

from printing.security._cv import cv2

from .glyphcheck import ncc
from .glyphs import _font, _glyph_font, _lock

BANK_PX = 24  # a candidate's coarse vector: the em box at 24 × 24
BANK_EM_PX = 48  # drawn at this em, then averaged down
# The cell as runcheck cuts it: 0.9 em above the baseline to 0.15 em below, one em wide
CELL_ABOVE_EM, CELL_BELOW_EM = 0.9, 0.15
BANK_BLUR_PX = 0.6  # at BANK_PX: a print's blur, so that a stroke's offset of a pixel matters less
READ_TOP_K = 16  # candidates drawn at the cell's geometry
READ_EXTRA_K = 4  # … and of the page's characters the bank lacks
# JIS X 0208 rows (ku) of characters a certificate prints: 1 punctuation and marks (of which the
# letters: ー, 々, 〆, ゝ …), 3 Latin letters, 4 hiragana, 5 katakana, 16–47 kanji level 1, 48–84
# level 2. Letters only: brackets and rules are near-identical bars (a genuine ） on a seed-3
# label fitted 〕 0.027 better than itself) and a forger gains nothing by changing one.
JIS_ROWS = (1, 3, 4, 5, *range(16, 85))
# Characters a reader cannot tell apart in this font (Unicode's confusables, UTS #39, the ones
# a certificate can print): a cell signed with one is never "read" as another of its group.
# On seed 1's office scans a genuine 一 fitted ー or ― up to 0.028 better than itself (a
# horizontal stroke a pixel longer or higher): no forger gains by that change, a clerk sees none.
CONFUSABLE = (
    "一ー―‐－",
    *("口ロ", "二ニ", "力カ", "工エ", "夕タ", "八ハ", "卜ト", "へヘ", "べベ", "ぺペ"),
)
_bank_lock = threading.Lock()


def confusable_with(character: str) -> str:
    """The characters read as ``character`` (itself included)."""
    return next((group for group in CONFUSABLE if character in group), character)


def _letter(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L")


def _is_latin(ch: str) -> bool:
    """A Latin letter, full- or half-width: read only among Latin letters, and a Japanese
    letter only among Japanese ones (a genuine 日 on a seed-2 scan fitted Ｈ 0.055 better than
    itself; a forger gains nothing by printing a Latin letter for a kanji)."""
    return ch.isascii() or "Ａ" <= ch <= "ｚ"


def jis_characters() -> str:
    """The letters of JIS_ROWS, by decoding every EUC-JP code point of those rows (a byte pair
    0xA1 + row − 1, 0xA1 + cell − 1 for cells 1–94); unassigned points are skipped."""
    found = []
    for row in JIS_ROWS:
        for cell in range(1, 95):
            try:
                ch = bytes((0xA0 + row, 0xA0 + cell)).decode("euc_jp")
            except UnicodeDecodeError:
                continue
            if len(ch) == 1 and _letter(ch):
                found.append(ch)
    return "".join(found)


def _unit(rows: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    centred = rows - rows.mean(axis=-1, keepdims=True)
    norms = np.linalg.norm(centred, axis=-1, keepdims=True)
    return np.asarray(centred / np.maximum(norms, 1e-6), np.float32)


def _coarse(box: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """An em box's image as the bank's vector."""
    small = cv2.resize(box, (BANK_PX, BANK_PX), interpolation=cv2.INTER_AREA)
    return _unit(cv2.GaussianBlur(small, (0, 0), BANK_BLUR_PX).ravel())


def _draw_em_box(ch: str, font: int) -> npt.NDArray[np.float32]:
    """``ch`` in its em box (BANK_EM_PX wide, CELL_ABOVE_EM + CELL_BELOW_EM tall), origin at
    the box's left on the baseline."""
    face = _font(_glyph_font(ch, font), float(BANK_EM_PX))
    with _lock:  # FreeType faces are not thread-safe
        mask, (left, top) = face.getmask2(ch, mode="L", anchor="ls")
    height = round((CELL_ABOVE_EM + CELL_BELOW_EM) * BANK_EM_PX)
    box = np.zeros((height, BANK_EM_PX), np.float32)
    width, rows = mask.size
    if not width or not rows:
        return box
    ink = np.frombuffer(bytes(mask), np.uint8).reshape(rows, width).astype(np.float32) / 255
    x, y = int(left), int(top) + round(CELL_ABOVE_EM * BANK_EM_PX)
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + width, box.shape[1]), min(y + rows, box.shape[0])
    if x1 > x0 and y1 > y0:
        box[y0:y1, x0:x1] = ink[y0 - y : y1 - y, x0 - x : x1 - x]
    return box


@dataclass(frozen=True)
class Bank:
    """A font's candidates and their coarse vectors (one row each)."""

    characters: str
    vectors: npt.NDArray[np.float32]
    index: frozenset[str]
    latin: npt.NDArray[np.bool_]  # per character: a Latin letter


@cache
def _bank(font: int) -> Bank:
    characters = jis_characters()
    vectors = np.stack([_coarse(_draw_em_box(ch, font)) for ch in characters])
    latin = np.array([_is_latin(ch) for ch in characters], bool)
    return Bank(characters, vectors, frozenset(characters), latin)


@lru_cache(maxsize=1024)
def _vector(ch: str, font: int) -> npt.NDArray[np.float32]:
    return _coarse(_draw_em_box(ch, font))


def bank(font: int) -> Bank:
    """The JIS X 0208 bank of ``font``, built on first use (once per process and font)."""
    with _bank_lock:
        return _bank(font)


@dataclass(frozen=True)
class Reading:
    """What a cell shows: the best-fitting character and its correlation, and the signed
    character's correlation (the same measurement, the same search)."""

    character: str
    score: float
    signed_score: float

    @property
    def margin(self) -> float:
        """How much better the character read fits than the signed one (0 when it is it)."""
        return self.score - self.signed_score


def read_cell(
    patch: npt.NDArray[np.float32],
    aligned: npt.NDArray[np.float32],
    signed: str,
    font: int,
    draw: Callable[[str], npt.NDArray[np.float32]],
    page_characters: str = "",
) -> Reading:
    """The character of ``font`` that fits the cell best. ``patch`` is the cell's search
    window (±2 px), ``aligned`` its em box as placed (for the coarse ranking); ``draw(ch)``
    draws ``ch`` at the cell's geometry and blur (the template the signed glyph was compared
    with); ``page_characters`` are candidates too."""
    signed_score = ncc(patch, draw(signed))[0]
    found = bank(font)
    cell = _coarse(np.asarray(aligned, np.float32))
    ranking = np.where(found.latin == _is_latin(signed), found.vectors @ cell, -np.inf)
    top = np.argpartition(-ranking, READ_TOP_K)[:READ_TOP_K]
    candidates = {found.characters[int(i)] for i in top}
    # The page's characters the bank lacks (an IPAmj name character), the best few of them
    extra = sorted(
        {
            ch
            for ch in page_characters
            if ch not in found.index and _letter(ch) and _is_latin(ch) == _is_latin(signed)
        }
    )
    if extra:
        vectors = np.stack([_vector(ch, font) for ch in extra])
        order = np.argsort(-(vectors @ cell))[:READ_EXTRA_K]
        candidates.update(extra[int(i)] for i in order)
    candidates.difference_update(confusable_with(signed))
    best, best_score = signed, signed_score
    for ch in sorted(candidates):
        score = ncc(patch, draw(ch))[0]
        if score > best_score:
            best, best_score = ch, score
    return Reading(best, best_score, signed_score)
