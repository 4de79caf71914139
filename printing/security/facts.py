"""The signed facts of one front page (layout version 2): every printed text run, where it is.

A forger edits the front: a digit of a birth date, an amount, one kanji of a name. Layout v1
signed only the canonical text (or its hash), so a verifier could tell *that* something is
signed but not *where* each fact is printed. Layout v2 signs, per page, every run of text the
page prints: the fact key it belongs to (``members[0].birth_date``, ``income[1].revenue``; ""
for printed text that is no fact — labels, the title), the text as printed, its origin on the
page, size and font, plus the boxes of the page's pictures (the official seal). From that a
verifier holding only the issuer's public key can render the signed page and compare it with
a scan of the front field by field (``printing.verify.fields``), and a reader can see the
signed facts side by side with the scan.

Wire form (inside the COSE payload, key ``pf``): the CBOR array ``[1, complete, keys, runs,
pictures]``, raw-deflated with a preset dictionary (:data:`ZDICT`, part of layout v2):

* ``keys``: the distinct fact keys of the page; a run names one by its index + 1 (0: no fact);
* ``runs``: ``[key, text, x, dy, size, font]`` (+ ``gap`` for spread text): ``x`` the origin of
  the first character from the page's left edge and ``dy`` the baseline from the previous
  run's (the first from the top edge), both in 1/50 pt; ``size`` in 1/10 pt; ``font`` an index
  of :data:`FONTS`; ``gap`` in 1/1000 pt, added after every character (均等割り labels). Every
  character's origin follows from the font's advance widths, which the verifier has;
* ``pictures``: ``[x, y, w, h]`` in 1/50 pt from the top-left corner;
* ``complete``: False when runs were left out to fit the codes (never for this project's
  certificates; see :func:`fit`), so a verifier says which text is not signed.
"""

from __future__ import annotations

import unicodedata
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from typing import Any

import cbor2

from .errors import SignedCodeError

FACTS_FORMAT = 1
POSITION_UNIT = 50  # per point: 0.007 mm, a tenth of a pixel at 300 dpi
SIZE_UNIT = 10
GAP_UNIT = 1000  # the gap adds up over a spread label's letters
# Fonts a run may name; the verifier renders them from the same files (printing.documents,
# printing.security.fonts). A run in another font is signed but cannot be rendered.
FONT_MINCHO, FONT_MINCHO_MJ, FONT_GOTHIC = 0, 1, 2
FONTS = ("IPAexMincho", "IPAmjMincho", "IPAexGothic")
MAX_RUNS = 4000
MAX_RUN_CHARS = 400
MAX_KEYS = 2000
MAX_KEY_CHARS = 96
MAX_PICTURES = 64
MAX_INFLATED_BYTES = 256 * 1024  # a guard against deflate bombs
PAGE_LIMIT_PT = 2000  # no A4 coordinate is near this


# Preset dictionary of layout v2: what certificate pages repeat (deflate finds the most recent
# entries cheapest, so the commonest go last). Changing it changes the format: a new version.
_ZDICT_WORDS = """
konbini-certificate-text 戸籍の附票の写し 戸籍全部事項証明書 戸籍個人事項証明書 所得・課税証明書
納税証明書 住民票記載事項証明書 印鑑登録証明書 住民票の写し 上記のとおり証明する。
この写しは、世帯全員の住民票の原本と相違ないことを証明する。 【届出人】 【届出日】 【出生地】
【出生日】 【婚姻日】 【従前戸籍】 【配偶者氏名】 【編製日】 身分事項 出生 婚姻 父 母 長男 長女
特別区民税 市民税 都民税 府民税 県民税 道民税 給与 控除 課税標準額 所得割額 均等割額 合計 円
年度 年分 外国人住民 国籍・地域 在留資格 在留期間 在留カード等の番号 個人番号 住民票コード 省略
前住所 本籍 筆頭者 続柄 世帯主 住民となった年月日 住所を定めた年月日 届出 転入 転居 から転居
以下余白 発行番号 氏名 生年月日 性別 男 女 住所 生 丁目 番地 番 号 東京都 大阪府 神奈川県 埼玉県
千葉県 区 市 町 村 長 明治 大正 平成 昭和 令和 元年 年 月 日 issuer.municipality_code
issuer.seal issuer issued_on certification document_number title notes[ history[ events[
details[ entries[ persons[ lines[ income[ deductions[ .address .since .kind .relationship
.became_resident_on .address_since .address_notified_on .previous_address .honseki .hittosha
.sex .kana .name .birth_date members[ address head name birth_date ０１２３４５６７８９
（１／１） （１／２） （２／２）
"""
ZDICT = "\x00".join(_ZDICT_WORDS.split()).encode("utf-8")


@dataclass(frozen=True)
class TextRun:
    """One run of text on the page: one font and size, one baseline, one fact (or none)."""

    key: str  # the canonical fact key, "" for text that is no fact (labels, titles)
    text: str
    x_pt: float  # origin of the first character, from the page's left edge
    baseline_pt: float  # from the page's top edge
    size_pt: float
    font: int
    gap_pt: float = 0.0  # extra advance after every character (spread labels)


@dataclass(frozen=True)
class Picture:
    """A picture on the page (the official seal, a seal impression), top-left origin, pt."""

    x_pt: float
    y_pt: float
    width_pt: float
    height_pt: float


@dataclass(frozen=True)
class PageFacts:
    """The signed facts of one page: its text runs and picture boxes."""

    runs: tuple[TextRun, ...]
    pictures: tuple[Picture, ...] = ()
    complete: bool = True

    def fields(self) -> dict[str, str]:
        """Fact key → the printed value (its runs' texts, in order); printed order."""
        values: dict[str, str] = {}
        for run in self.runs:
            if run.key:
                values[run.key] = values.get(run.key, "") + run.text
        return values

    def __repr__(self) -> str:  # runs are personal data: never in logs
        return f"PageFacts(runs={len(self.runs)}, pictures={len(self.pictures)})"


# --- wire form ---------------------------------------------------------------------------------
def _units(value: float, unit: int) -> int:
    return round(value * unit)


def encode_facts(facts: PageFacts) -> bytes:
    """The compact form: CBOR, raw deflate with :data:`ZDICT`."""
    keys: list[str] = []
    index: dict[str, int] = {}
    runs: list[list[Any]] = []
    previous_y = 0
    for run in facts.runs:
        if run.key and run.key not in index:
            keys.append(run.key)
            index[run.key] = len(keys)
        y = _units(run.baseline_pt, POSITION_UNIT)
        item: list[Any] = [
            index.get(run.key, 0),
            run.text,
            _units(run.x_pt, POSITION_UNIT),
            y - previous_y,
            _units(run.size_pt, SIZE_UNIT),
            run.font,
        ]
        if run.gap_pt:
            item.append(_units(run.gap_pt, GAP_UNIT))
        previous_y = y
        runs.append(item)
    pictures = [
        [_units(v, POSITION_UNIT) for v in (p.x_pt, p.y_pt, p.width_pt, p.height_pt)]
        for p in facts.pictures
    ]
    raw = cbor2.dumps([FACTS_FORMAT, facts.complete, keys, runs, pictures])
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, ZDICT)
    return deflater.compress(raw) + deflater.flush()


def _fail(message: str) -> SignedCodeError:
    return SignedCodeError(f"signed page facts: {message}")


def _int(value: object, low: int, high: int, name: str) -> int:
    if type(value) is not int or not low <= value <= high:
        raise _fail(f"{name} out of range")
    return value


def printable(text: str) -> bool:
    """No control, format-breaking or surrogate characters (U+3000 and IVS are fine)."""
    return all(unicodedata.category(ch) not in ("Cc", "Cs", "Zl", "Zp") for ch in text)


def _text(value: object, limit: int, name: str) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= limit or not printable(value):
        raise _fail(f"{name} is not printable text")
    return value


def decode_facts(data: bytes) -> PageFacts:
    """Parse the compact form strictly; ``SignedCodeError`` for anything malformed."""
    inflater = zlib.decompressobj(-15, zdict=ZDICT)
    try:
        raw = inflater.decompress(data, MAX_INFLATED_BYTES + 1)
    except zlib.error as exc:
        raise _fail("not deflated data") from exc
    if len(raw) > MAX_INFLATED_BYTES or not inflater.eof:
        raise _fail("too long or truncated")
    try:
        item = cbor2.loads(raw)
    except (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError) as exc:
        raise _fail("not CBOR") from exc
    if not (isinstance(item, list) and len(item) == 5 and item[0] == FACTS_FORMAT):
        raise _fail("not format 1")
    _, complete, keys, runs, pictures = item
    if not isinstance(complete, bool) or not all(isinstance(v, list) for v in (keys, runs)):
        raise _fail("malformed")
    if not isinstance(pictures, list) or len(pictures) > MAX_PICTURES:
        raise _fail("malformed pictures")
    if len(keys) > MAX_KEYS or len(runs) > MAX_RUNS:
        raise _fail("too many keys or runs")
    names = [""] + [_text(k, MAX_KEY_CHARS, "key") for k in keys]
    limit = PAGE_LIMIT_PT * POSITION_UNIT
    out: list[TextRun] = []
    y = 0
    for run in runs:
        if not isinstance(run, list) or len(run) not in (6, 7):
            raise _fail("malformed run")
        key = _int(run[0], 0, len(names) - 1, "run key")
        text = _text(run[1], MAX_RUN_CHARS, "run text")
        x = _int(run[2], -limit, limit, "run x")
        y += _int(run[3], -limit, limit, "run y")
        if not -limit <= y <= limit:
            raise _fail("run y out of range")
        size = _int(run[4], 1, 1000, "run size")
        font = _int(run[5], 0, 255, "run font")
        gap = _int(run[6], 0, 100_000, "run gap") if len(run) == 7 else 0
        out.append(
            TextRun(
                names[key],
                text,
                x / POSITION_UNIT,
                y / POSITION_UNIT,
                size / SIZE_UNIT,
                font,
                gap / GAP_UNIT,
            )
        )
    boxes = []
    for box in pictures:
        if not (isinstance(box, list) and len(box) == 4):
            raise _fail("malformed picture")
        values = [_int(v, -limit, limit, "picture") for v in box]
        boxes.append(Picture(*(v / POSITION_UNIT for v in values)))
    return PageFacts(tuple(out), tuple(boxes), complete)


# --- geometry the verifier needs -----------------------------------------------------------------
def clusters(text: str) -> list[str]:
    """The characters of ``text``, each with its variation selector (one glyph each)."""
    from printing.documents._ivs import split_clusters

    return list(split_clusters(text))


@cache
def _gothic_width() -> Callable[[str, float], float]:
    from reportlab.pdfbase import pdfmetrics

    from .fonts import register_gothic

    name = register_gothic()
    return lambda text, size: float(pdfmetrics.stringWidth(text, name, size))


@lru_cache(maxsize=100_000)
def advance(cluster: str, size_pt: float, font: int) -> float:
    """The advance width of one cluster, pt: the widths the renderer drew with."""
    if font == FONT_GOTHIC:
        return _gothic_width()(cluster, size_pt)
    from printing.documents.fonts import string_width

    return string_width(cluster, size_pt)


def origins(run: TextRun) -> list[tuple[str, float]]:
    """(cluster, x origin in pt) of every character of ``run``."""
    return list(_origins(run))


@lru_cache(maxsize=4096)
def _origins(run: TextRun) -> tuple[tuple[str, float], ...]:
    """``origins``, made once per run: the verifier draws a page's runs many times over (into
    each neighbour's frame) and the advances come from the fonts' metrics, character by
    character."""
    out = []
    x = run.x_pt
    for cluster in clusters(run.text):
        out.append((cluster, x))
        x += advance(cluster, run.size_pt, run.font) + run.gap_pt
    return tuple(out)


def run_end(run: TextRun) -> float:
    """The x where ``run``'s last character's advance ends (its gap excluded)."""
    cells = origins(run)
    if not cells:
        return run.x_pt
    cluster, x = cells[-1]
    return x + advance(cluster, run.size_pt, run.font)


# --- what a page's facts may leave out to fit -------------------------------------------------
NAME_ADDRESS_PARTS = ("name", "kana", "address", "head", "honseki", "hittosha", "alias")


def has_digit(text: str) -> bool:
    return any(unicodedata.category(ch) == "Nd" for ch in text)


def importance(run: TextRun) -> int:
    """0 (kept last) … 3 (left out first): digits, then names and addresses, then other
    facts, then printed text that is no fact."""
    if has_digit(run.text):
        return 0
    last = run.key.rsplit(".", 1)[-1].split("[", 1)[0]
    if run.key and last in NAME_ADDRESS_PARTS:
        return 1
    return 2 if run.key else 3


def fit(facts: PageFacts, budget: int) -> tuple[PageFacts, bytes]:
    """The facts and their encoding, within ``budget`` bytes: whole if they fit, else without
    the least important runs (``complete`` False). Raises ``SignedCodeError`` when even the
    digits alone do not fit."""
    encoded = encode_facts(facts)
    if len(encoded) <= budget:
        return facts, encoded
    for level in (3, 2, 1):
        kept = tuple(r for r in facts.runs if importance(r) < level)
        reduced = replace(facts, runs=kept, complete=False)
        encoded = encode_facts(reduced)
        if len(encoded) <= budget:
            return reduced, encoded
    raise SignedCodeError(f"the page's signed facts need {len(encoded)} B, {budget} B fit")


def fact_keys(runs: Sequence[TextRun]) -> list[str]:
    """The distinct keys of ``runs`` in printed order ("" excluded)."""
    return list(dict.fromkeys(run.key for run in runs if run.key))
