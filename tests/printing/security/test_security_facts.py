"""The signed facts of a page (layout v2): read from the real PDF by PDFium, keyed from the
canonical text, drawn again at the same places, and their compact wire form."""

from __future__ import annotations

import contextlib
import zlib

import cbor2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printing import documents
from printing.documents import samples
from printing.security.errors import SignedCodeError
from printing.security.facts import (
    FONT_MINCHO,
    ZDICT,
    PageFacts,
    Picture,
    TextRun,
    decode_facts,
    encode_facts,
    fit,
    has_digit,
)
from printing.security.facts_pdf import canonical_facts, document_facts
from printing.security.source import render_page_grey
from printing.verify.glyphs import Frame, render_runs

SAMPLES = samples.every_type()


@pytest.fixture(scope="module")
def rendered() -> dict[str, documents.Rendered]:
    return {name: documents.render_document(doc) for name, doc in SAMPLES.items()}  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_printed_fact_is_keyed(name: str, rendered: dict[str, documents.Rendered]) -> None:
    """Every fact of the canonical text printed as text has runs under its key, and their
    text is the fact's value (spaces a line break removed aside)."""
    document = rendered[name]
    pages = document_facts(document.pdf, document.canonical_text)
    assert len(pages) == document.page_count
    keyed: dict[str, str] = {}
    for page in pages:
        for key, value in page.fields().items():
            keyed.setdefault(key, value)
    _, items = canonical_facts(document.canonical_text)
    # Not text on the page: the municipality code, and what the seal images draw.
    not_text = {
        "issuer.municipality_code",
        "issuer.seal",
        "seal.text",
        "seal.shape",
        "seal.size_mm",
    }
    for key, value in items:
        if key in not_text:
            continue
        assert key in keyed, (key, value)
        squeeze = str.maketrans("", "", " \u3000")
        assert keyed[key].translate(squeeze) == value.translate(squeeze), key


def test_a_short_fact_is_not_taken_from_inside_a_word(
    rendered: dict[str, documents.Rendered],
) -> None:
    """「子」 (a relationship) is never the 子 of 「花子」: runs keyed as a relationship are
    whole relationships."""
    document = rendered["juminhyo_large"]
    for page in document_facts(document.pdf, document.canonical_text):
        for run in page.runs:
            if run.key.endswith(".relationship"):
                assert run.text in {"世帯主", "妻", "子", "母", "父", "夫"}, run
            if run.key.endswith(".name"):
                assert len(run.text) > 2, run


@pytest.mark.parametrize("name", ["juminhyo", "inkan", "income_tax", "koseki_all"])
def test_runs_drawn_again_fall_on_the_printed_text(
    name: str, rendered: dict[str, documents.Rendered]
) -> None:
    """The runs, drawn with the fonts at their signed origins, cover the page's own text:
    positions, spread labels (均等割り), IPAmj characters (𠮷) and all."""
    document = rendered[name]
    page = document_facts(document.pdf, document.canonical_text)[0]
    dpi = 150
    printed = 1 - render_page_grey(document.pdf, 0, dpi).astype(np.float32) / 255
    frame = Frame(0, 0, printed.shape[1], printed.shape[0], dpi)
    drawn = render_runs(list(page.runs), frame)
    text_ink = drawn > 0.5
    assert text_ink.sum() > 1000
    # Everything drawn is printed (2-px tolerance for anti-aliasing)...
    grown = np.asarray(
        __import__("cv2").dilate((printed > 0.3).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    )
    assert np.mean(grown[text_ink]) > 0.995
    # ... and the printed text inside the runs' boxes is drawn.
    boxes = np.zeros_like(text_ink)
    for run in page.runs:
        y0, y1 = (
            int((run.baseline_pt - 0.8 * run.size_pt) * dpi / 72),
            int(run.baseline_pt * dpi / 72),
        )
        x0 = int(run.x_pt * dpi / 72) + 2
        boxes[y0:y1, x0 : x0 + int(len(run.text) * 0.5 * run.size_pt * dpi / 72)] = True
    covered = __import__("cv2").dilate(text_ink.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    inside = (printed > 0.5) & boxes
    assert np.mean(covered[inside]) > 0.9  # the boxes are rough: rules and seals cross them


def test_wire_form_round_trips_within_a_unit(rendered: dict[str, documents.Rendered]) -> None:
    document = rendered["juminhyo_foreign"]
    page = document_facts(document.pdf, document.canonical_text)[0]
    back = decode_facts(encode_facts(page))
    assert back.complete
    assert len(back.runs) == len(page.runs)
    assert back.fields() == page.fields()
    for a, b in zip(page.runs, back.runs, strict=True):
        assert (a.key, a.text, a.font) == (b.key, b.text, b.font)
        assert abs(a.x_pt - b.x_pt) <= 0.01
        assert abs(a.baseline_pt - b.baseline_pt) <= 0.02
        assert abs(a.gap_pt - b.gap_pt) <= 0.0005
    assert len(encode_facts(page)) < 1500  # the densest sample page; two codes hold 1 808 B


def _deflate(raw: bytes) -> bytes:
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, ZDICT)
    return deflater.compress(raw) + deflater.flush()


@pytest.mark.parametrize(
    "item",
    [
        [2, True, [], [], []],  # unknown format
        [1, True, ["k"], [[2, "x", 0, 0, 100, 0]], []],  # key index beyond the keys
        [1, True, [], [[0, "", 0, 0, 100, 0]], []],  # empty text
        [1, True, [], [[0, "a\nb", 0, 0, 100, 0]], []],  # a line break in a run
        [1, True, [], [[0, "x", 10**9, 0, 100, 0]], []],  # far off the page
        [1, True, [], [[0, "x", 0, 0, 0, 0]], []],  # no size
        [1, True, [], [[0, "x", 0, 0, 100]], []],  # short run
        [1, "yes", [], [], []],
        [1, True, [], [], [[0, 0, 10]]],
    ],
)
def test_malformed_facts_are_refused(item: list[object]) -> None:
    with pytest.raises(SignedCodeError):
        decode_facts(_deflate(cbor2.dumps(item)))


def test_a_deflate_bomb_is_refused() -> None:
    bomb = _deflate(cbor2.dumps([1, True, [], [[0, "x" * 300, 0, 0, 100, 0]] * 1000, []]))
    assert len(bomb) < 2000
    with pytest.raises(SignedCodeError, match="too long"):
        decode_facts(bomb)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    with contextlib.suppress(SignedCodeError):
        decode_facts(data)


def test_what_does_not_fit_is_dropped_least_important_first() -> None:
    label = TextRun("", "以下余白" * 20, 10, 100, 10.5, FONT_MINCHO)
    name = TextRun("members[0].name", "山田　太郎" * 10, 10, 120, 10.5, FONT_MINCHO)
    date = TextRun("members[0].birth_date", "昭和５０年６月２１日生", 10, 140, 10.5, FONT_MINCHO)
    rng = np.random.default_rng(7)  # text that does not deflate away
    texts = ["".join(chr(0x4E00 + int(c)) for c in rng.integers(0, 20000, 40)) for _ in range(30)]
    notes = [TextRun(f"notes[{i}]", t, 10, 160 + i, 10.5, FONT_MINCHO) for i, t in enumerate(texts)]
    page = PageFacts((label, name, date, *notes), (Picture(1, 2, 3, 4),))
    whole = len(encode_facts(page))
    kept, encoded = fit(page, whole)
    assert kept == page
    assert kept.complete
    kept, encoded = fit(page, 400)
    assert not kept.complete
    assert len(encoded) <= 400
    assert date in kept.runs
    assert name in kept.runs
    assert label not in kept.runs
    assert all(has_digit(r.text) or "name" in r.key for r in kept.runs)
    with pytest.raises(SignedCodeError):
        fit(page, 10)
