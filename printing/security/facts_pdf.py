"""Center side: a front PDF's text runs and pictures, and which fact each run prints.

PDFium reads every character the page draws with its origin, size and font, and the boxes of
its images (the seals). Characters of one text object (one ``drawString``) form a piece;
pieces that continue each other on one baseline — the font runs of one line, or the letters of
a spread label (均等割り: one piece per letter, an even gap) — merge into a run, but only when
every character's origin is reproduced exactly from the fonts' advance widths (within
:data:`POSITION_TOLERANCE_PT`), so the verifier can place every glyph from the run alone.

Fact keys come from the canonical text (printing.documents: one ``key=value`` line per printed
fact, in printed order). Each value is looked for in the document's characters in that order,
as a whole word — not inside a longer word (「子」 in 「花子」) — ignoring the spaces a line
break removed; a header repeated on later pages takes its key by equality. Text that matches no
fact (labels, the title's decoration, 以下余白) stays in the page's facts without a key.
"""

from __future__ import annotations

import ctypes
import hashlib
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, replace

from .errors import BackSideGenerationError
from .facts import FONTS, PageFacts, Picture, TextRun, advance, clusters, printable

POSITION_TOLERANCE_PT = 0.02
PAGE_WIDTH_PT = 595.3  # A4
SPACES = frozenset(" \u3000")
# Keys of the canonical text's preamble that are printed wherever the renderer repeats them
# (the title on every page; the document number is no longer printed: the kiosk's serial line,
# 「発行番号 <document number>-<copy>」, carries it and is checked as the "serial" run).
PREAMBLE_KEYS = ("title", "document_number")
_SKIPPED_CHARS = frozenset({0x0D, 0x0A, 0xFFFE, 0xFFFF})
_MIN_FALLBACK_CHARS = 4  # a fact found out of printed order must be this long to be trusted


@dataclass
class _Piece:
    text: str
    x: float
    y: float  # baseline from the top edge
    size: float
    font: int


def _font_id(name: bytes) -> int:
    text = name.decode("latin-1").split("+", 1)[-1]
    for index, known in enumerate(FONTS):
        if text.startswith(known):
            return index
    return 255


def _page_pieces(page: object, height: float) -> list[_Piece]:
    import pypdfium2.raw as c

    textpage = page.get_textpage()  # type: ignore[attr-defined]
    raw = textpage.raw
    x, y = ctypes.c_double(), ctypes.c_double()
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    pieces: list[_Piece] = []
    last_object: int | None = None
    try:
        for index in range(textpage.count_chars()):
            if c.FPDFText_IsGenerated(raw, index):
                continue
            code = c.FPDFText_GetUnicode(raw, index)
            if code in _SKIPPED_CHARS:
                continue
            if 0xDC00 <= code <= 0xDFFF and pieces and "\ud800" <= pieces[-1].text[-1] <= "\udbff":
                high = ord(pieces[-1].text[-1])
                pair = 0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00)
                pieces[-1].text = pieces[-1].text[:-1] + chr(pair)
                continue
            text_object = ctypes.cast(c.FPDFText_GetTextObject(raw, index), ctypes.c_void_p).value
            if text_object == last_object and pieces:
                pieces[-1].text += chr(code)
                continue
            last_object = text_object
            c.FPDFText_GetCharOrigin(raw, index, ctypes.byref(x), ctypes.byref(y))
            c.FPDFText_GetFontInfo(raw, index, name, len(name), ctypes.byref(flags))
            pieces.append(
                _Piece(
                    chr(code),
                    x.value,
                    height - y.value,
                    float(c.FPDFText_GetFontSize(raw, index)),
                    _font_id(name.value),
                )
            )
    finally:
        textpage.close()
    return [p for p in pieces if printable(p.text)]


def _width(text: str, size: float, font: int) -> float:
    return sum(advance(cluster, size, font) for cluster in clusters(text))


@dataclass
class _Run:
    """A run being built, with where its pieces start (a word boundary for the matcher)."""

    run: TextRun
    starts: set[int]


def _merge(pieces: list[_Piece]) -> list[_Run]:
    """Pieces that continue each other exactly become one run (see the module docstring)."""
    runs: list[_Run] = []
    for piece in pieces:
        if runs and piece.font < 255:
            last = runs[-1].run
            same_line = (
                abs(last.baseline_pt - piece.y) < POSITION_TOLERANCE_PT
                and last.size_pt == piece.size
                and last.font == piece.font
            )
            count = len(clusters(last.text))
            end = last.x_pt + _width(last.text, last.size_pt, last.font)
            gap = last.gap_pt
            continues = same_line and abs(end + gap * count - piece.x) < POSITION_TOLERANCE_PT
            if continues and gap and len(clusters(piece.text)) != 1:
                continues = False
            if same_line and not continues and count == 1 and gap == 0:
                # A spread label: one piece per letter, an even gap (at most a page wide).
                gap = piece.x - end
                continues = len(clusters(piece.text)) == 1 and 0 < gap < PAGE_WIDTH_PT
            if continues:
                runs[-1].starts.add(len(last.text))
                runs[-1].run = replace(last, text=last.text + piece.text, gap_pt=gap)
                continue
        runs.append(_Run(TextRun("", piece.text, piece.x, piece.y, piece.size, piece.font), {0}))
    return runs


def _pictures(page: object, height: float) -> tuple[Picture, ...]:
    import pypdfium2.raw as c

    boxes = []
    for item in page.get_objects(filter=[c.FPDF_PAGEOBJ_IMAGE]):  # type: ignore[attr-defined]
        left, bottom, right, top = item.get_bounds()
        boxes.append(Picture(left, height - top, right - left, top - bottom))
    return tuple(boxes)


def read_pages(front_pdf: bytes) -> list[tuple[list[_Run], tuple[Picture, ...]]]:
    """Every page's text runs (without keys, with their pieces' starts) and picture boxes."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(front_pdf)
    except pdfium.PdfiumError as exc:
        raise BackSideGenerationError("front PDF cannot be opened") from exc
    try:
        pages = []
        for page in document:
            height = page.get_height()
            pages.append((_merge(_page_pieces(page, height)), _pictures(page, height)))
            page.close()
        return pages
    finally:
        document.close()


# --- which fact each character prints ----------------------------------------------------------
def canonical_facts(canonical_text: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(preamble facts, printed facts) of a canonical text, values unescaped."""
    preamble: list[tuple[str, str]] = []
    items: list[tuple[str, str]] = []
    for line in canonical_text.split("\n")[1:]:
        key, separator, value = line.partition("=")
        if not separator:
            continue
        value = value.replace("\\n", "\n").replace("\\\\", "\\")
        (preamble if key in PREAMBLE_KEYS or key == "kind" else items).append((key, value))
    return [p for p in preamble if p[0] != "kind"], items


def _normal(ch: str) -> str:
    return unicodedata.normalize("NFC", ch)


def _is_word(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LN"


@dataclass
class _Char:
    page: int
    ch: str
    starts_piece: bool  # the first character of a drawn string
    ends_piece: bool


class _Matcher:
    def __init__(self, pages: list[list[_Run]]) -> None:
        self.chars: list[_Char] = []
        for page_number, runs in enumerate(pages):
            for built in runs:
                text = built.run.text
                for index, ch in enumerate(text):
                    ends = index + 1 == len(text) or index + 1 in built.starts
                    self.chars.append(_Char(page_number, ch, index in built.starts, ends))
        self.owner: list[str | None] = [None] * len(self.chars)
        self.visible = [i for i, c in enumerate(self.chars) if c.ch not in SPACES]
        self.stream = "".join(_normal(self.chars[i].ch)[:1] for i in self.visible)

    def _bounded(self, first: int, last: int) -> bool:
        before = self.chars[first - 1] if first > 0 else None
        start = self.chars[first].starts_piece or before is None or not _is_word(before.ch)
        after = self.chars[last + 1] if last + 1 < len(self.chars) else None
        end = self.chars[last].ends_piece or after is None or not _is_word(after.ch)
        return start and end

    def free(self, first: int, last: int) -> bool:
        return all(owner is None for owner in self.owner[first : last + 1])

    def occurrences(self, value: str, start: int = 0) -> list[tuple[int, int, int]]:
        """(stream end, first char, last char) of each bounded, unclaimed occurrence."""
        needle = "".join(_normal(ch)[:1] for ch in value if ch not in SPACES)
        found = []
        at = self.stream.find(needle, start) if needle else -1
        while at != -1:
            first = self.visible[at]
            last = self.visible[at + len(needle) - 1]
            if self._bounded(first, last) and self.free(first, last):
                found.append((at + len(needle), first, last))
            at = self.stream.find(needle, at + 1)
        return found

    def claim(self, key: str, first: int, last: int) -> None:
        for index in range(first, last + 1):
            self.owner[index] = key


def _assign(pages: list[list[_Run]], canonical_text: str) -> list[list[str | None]]:
    """Per page, per character of its runs (concatenated), the fact key it prints.

    Three passes: a value printed as a whole run (a table cell) — the only such run, or the
    next one in printed order; then a value inside a run, as a whole word, in printed order
    (long values also out of order); then runs that repeat a matched value (a header on
    every page)."""
    matcher = _Matcher(pages)
    preamble, items = canonical_facts(canonical_text)
    for key, value in preamble:
        for _, first, last in matcher.occurrences(value):
            matcher.claim(key, first, last)
    spans = _line_spans(pages)
    run_cursor = 0
    left: list[tuple[str, str]] = []
    for key, value in items:
        wanted = _strip(value)
        free = [
            n
            for n, (text, first, last) in enumerate(spans)
            if text == wanted and wanted and matcher.free(first, last)
        ]
        later = [n for n in free if n >= run_cursor]
        chosen = free[0] if len(free) == 1 else (later[0] if later else None)
        if chosen is None:
            left.append((key, value))
            continue
        matcher.claim(key, spans[chosen][1], spans[chosen][2])
        run_cursor = max(run_cursor, chosen + 1)
    cursor = 0
    for key, value in left:
        found = matcher.occurrences(value, cursor)
        if found:
            end, first, last = found[0]
            matcher.claim(key, first, last)
            cursor = end
        elif len(_strip(value)) >= _MIN_FALLBACK_CHARS:
            anywhere = matcher.occurrences(value)
            if anywhere:
                matcher.claim(key, anywhere[0][1], anywhere[0][2])
    claimed = set(matcher.owner)
    # Only values long enough not to be a label as well (the label 「世帯主」 in the header row
    # of a page is not the relationship 「世帯主」 of a member).
    values: dict[str, str] = {}  # the first fact with a value: the header's, printed first
    for key, value in items:
        if key in claimed and len(_strip(value)) >= 4:
            values.setdefault(_strip(value), key)
    for text, first, last in spans:
        repeated = values.get(text)
        if repeated and matcher.free(first, last):
            matcher.claim(repeated, first, last)
    owners: list[list[str | None]] = [[] for _ in pages]
    for char, owner in zip(matcher.chars, matcher.owner, strict=True):
        owners[char.page].append(owner)
    return owners


def _line_spans(pages: list[list[_Run]]) -> list[tuple[str, int, int]]:
    """(stripped text, first char, last char) of every printed line: runs that continue each
    other exactly on one baseline, whatever their fonts (𠮷 from IPAmj, 田 from IPAex)."""
    spans: list[tuple[str, int, int]] = []
    start = 0
    previous: TextRun | None = None
    for page_runs in pages:
        previous = None
        for built in page_runs:
            run = built.run
            continues = (
                previous is not None
                and abs(previous.baseline_pt - run.baseline_pt) < POSITION_TOLERANCE_PT
                and previous.size_pt == run.size_pt
                and previous.gap_pt == run.gap_pt == 0
                and abs(
                    previous.x_pt + _width(previous.text, run.size_pt, previous.font) - run.x_pt
                )
                < POSITION_TOLERANCE_PT
            )
            text = _strip(run.text)
            if continues and spans:
                spans[-1] = (spans[-1][0] + text, spans[-1][1], start + len(run.text) - 1)
            else:
                spans.append((text, start, start + len(run.text) - 1))
            start += len(run.text)
            previous = run
    return spans


def _strip(text: str) -> str:
    return "".join(_normal(ch)[:1] for ch in text if ch not in SPACES)


def _split(run: TextRun, owners: list[str | None]) -> list[TextRun]:
    """``run`` cut where the fact changes; spaces between facts stay with the fact before."""
    pieces: list[tuple[str, str]] = []  # (key, text)
    for ch, owner in zip(run.text, owners, strict=True):
        key = owner or ""
        if pieces and (pieces[-1][0] == key or (ch in SPACES and not owner)):
            pieces[-1] = (pieces[-1][0], pieces[-1][1] + ch)
        else:
            pieces.append((key, ch))
    out = []
    x = run.x_pt
    for key, text in pieces:
        out.append(TextRun(key, text, x, run.baseline_pt, run.size_pt, run.font, run.gap_pt))
        for cluster in clusters(text):
            x += advance(cluster, run.size_pt, run.font) + run.gap_pt
    return out


_CACHE_LOCK = threading.Lock()
_CACHE: OrderedDict[bytes, tuple[PageFacts, ...]] = OrderedDict()
_CACHE_SIZE = 4  # the pages of one certificate are made one after another, for each copy


def document_facts(front_pdf: bytes, canonical_text: str) -> tuple[PageFacts, ...]:
    """The signed facts of every page of ``front_pdf`` (cached for the pages and copies of a
    certificate, which the center makes one after another)."""
    digest = hashlib.sha256(front_pdf + b"\0" + canonical_text.encode("utf-8")).digest()
    with _CACHE_LOCK:
        if digest in _CACHE:
            _CACHE.move_to_end(digest)
            return _CACHE[digest]
    pages = read_pages(front_pdf)
    owners = _assign([runs for runs, _ in pages], canonical_text)
    result = []
    for (runs, pictures), page_owners in zip(pages, owners, strict=True):
        split: list[TextRun] = []
        offset = 0
        for built in runs:
            text = built.run.text
            split.extend(_split(built.run, page_owners[offset : offset + len(text)]))
            offset += len(text)
        result.append(PageFacts(tuple(split), pictures))
    facts = tuple(result)
    with _CACHE_LOCK:
        _CACHE[digest] = facts
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return facts
