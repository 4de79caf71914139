"""Fonts (embedded, per-character fallback, missing glyphs), the layout contract (nothing drawn
outside the content box) and deterministic output."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
import sys
from collections.abc import Callable

import numpy as np
import pytest
from doc_helpers import PdfText
from PIL import Image

from printing.certificates import JuminhyoOptions, Scope
from printing.documents import (
    A4_LAYOUT,
    MissingGlyphError,
    PersonName,
    check_glyphs,
    document_layout,
    render,
    samples,
)
from printing.documents.fonts import FALLBACK_FONT, TEXT_FONT, font_for

FontRows = Callable[[bytes], list[dict[str, str]]]
Pages = Callable[..., list[Image.Image]]

ALL_SAMPLES = samples.every_type()


@pytest.mark.parametrize("name", sorted(ALL_SAMPLES))
def test_every_font_is_embedded(name: str, pdf_fonts: FontRows) -> None:
    rows = pdf_fonts(render(ALL_SAMPLES[name]))  # type: ignore[arg-type]
    assert rows, "a certificate without text"
    for row in rows:
        assert row["emb"] == "yes", row
        assert row["uni"] == "yes", row  # a ToUnicode map: the text layer is searchable
        assert row["name"].split("+")[-1] in ("IPAexMincho", "IPAmjMincho"), row
    assert not any("Heisei" in r["name"] or "Helvetica" in r["name"] for r in rows)


def test_rare_characters_choose_the_font_that_has_them() -> None:
    # IPAex明朝 has 髙, 﨑 and 邉 (JIS X 0213 / IBM extensions); 𠮷 (U+20BB7) only IPAmj明朝.
    assert font_for("髙") == TEXT_FONT
    assert font_for("﨑") == TEXT_FONT
    assert font_for("邉") == TEXT_FONT
    assert font_for("𠮷") == FALLBACK_FONT
    assert font_for("ꙮ") is None  # Cyrillic multiocular O: in neither font


def _with_name(family: str, given: str = "太郎") -> object:
    household = samples.yamada_household()
    head = dataclasses.replace(household.members[0], name=PersonName(family, given))
    household = dataclasses.replace(household, members=(head, *household.members[1:]))
    return samples.juminhyo(household, JuminhyoOptions(scope=Scope.SELF))


def test_fallback_font_is_embedded_only_when_needed(
    pdf_fonts: FontRows, pdf_squashed: PdfText
) -> None:
    plain = render(_with_name("髙﨑邉"))  # type: ignore[arg-type]
    names = {r["name"].split("+")[-1] for r in pdf_fonts(plain)}
    assert names == {"IPAexMincho"}
    assert "髙﨑邉太郎" in pdf_squashed(plain)

    rare = render(_with_name("𠮷田"))  # type: ignore[arg-type]
    names = {r["name"].split("+")[-1] for r in pdf_fonts(rare)}
    assert names == {"IPAexMincho", "IPAmjMincho"}
    # The text layer gives back U+20BB7 itself (not 「₻」: see fonts._install_tounicode_fix).
    assert "𠮷田太郎" in pdf_squashed(rare)


def test_rare_character_is_drawn_not_a_blank(pdf_pages: Pages) -> None:
    """The 𠮷 of the name has ink: compare its page with the same page naming 吉田."""
    rare = np.asarray(pdf_pages(render(_with_name("𠮷田")), dpi=100)[0])  # type: ignore[arg-type]
    plain = np.asarray(pdf_pages(render(_with_name("吉田")), dpi=100)[0])  # type: ignore[arg-type]
    differs = np.nonzero(np.abs(rare.astype(int) - plain.astype(int)) > 64)
    assert differs[0].size > 0  # the glyphs differ (𠮷 has the longer lower stroke)...
    assert differs[0].size < 200  # ...in a few pixels, not a box or a missing character


def test_missing_glyph_is_a_typed_error_naming_field_and_code_point() -> None:
    doc = _with_name("山田", "ꙮ")
    with pytest.raises(MissingGlyphError) as info:
        check_glyphs(doc)  # type: ignore[arg-type]
    assert info.value.field == "members[0].name"
    assert info.value.code_point == 0xA66E
    with pytest.raises(MissingGlyphError):
        render(doc)  # type: ignore[arg-type]


def test_missing_glyph_in_other_fields() -> None:
    doc = dataclasses.replace(samples.inkan(), address="東京都練馬区\U00013000")
    with pytest.raises(MissingGlyphError) as info:
        render(doc)
    assert info.value.field == "address"
    assert info.value.code_point == 0x13000
    koseki = samples.koseki()
    bad = dataclasses.replace(koseki, honseki="東京都千代田区한")
    with pytest.raises(MissingGlyphError) as info:
        render(bad)
    assert info.value.field == "honseki"


@pytest.mark.parametrize("name", sorted(ALL_SAMPLES))
def test_nothing_is_drawn_outside_the_content_box(name: str, pdf_pages: Pages) -> None:
    doc = ALL_SAMPLES[name]
    layout = document_layout(doc)
    dpi = 50
    for page in pdf_pages(render(doc), dpi=dpi):  # type: ignore[arg-type]
        pixels = np.asarray(page)
        left, top, right, bottom = layout.content.to_pixels(dpi)
        outside = np.ones_like(pixels, dtype=bool)
        outside[top:bottom, left:right] = False
        # One pixel of tolerance for anti-aliasing at the box's edge.
        outside[max(top - 1, 0) : bottom + 1, max(left - 1, 0) : right + 1] = False
        assert pixels[outside].min() >= 250, "ink in the free margins"
        assert pixels[top:bottom, left:right].min() < 128, "no ink in the content box"


def test_layout_contract() -> None:
    layout = A4_LAYOUT
    assert (layout.page_width_mm, layout.page_height_mm) == (210.0, 297.0)
    assert layout.page.contains(layout.content)
    area = sum(b.width_mm * b.height_mm for b in layout.margins)
    content = layout.content.width_mm * layout.content.height_mm
    assert area + content == pytest.approx(210.0 * 297.0)
    for margin in layout.margins:
        assert margin.width_mm > 0
        assert margin.height_mm > 0
    assert layout.bottom_margin.height_mm >= 15  # room for the serial line and fiducials
    assert layout.content.to_pixels(100) == (59, 59, 768, 1091)
    x, y, w, h = layout.content.to_pdf_points(297.0)
    assert (round(x, 2), round(y, 2), round(w, 2), round(h, 2)) == (42.52, 56.69, 510.24, 742.68)


@pytest.mark.parametrize("name", sorted(ALL_SAMPLES))
def test_same_input_same_bytes(name: str) -> None:
    doc = ALL_SAMPLES[name]
    assert render(doc) == render(doc)  # type: ignore[arg-type]


def test_same_bytes_in_a_fresh_process() -> None:
    """No hidden state (caches, registration order, clock) changes the output."""
    doc = samples.inkan()
    here = hashlib.sha256(render(doc)).hexdigest()
    code = (
        "import hashlib; from printing.documents import render, samples; "
        "print(hashlib.sha256(render(samples.inkan())).hexdigest())"
    )
    there = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=120
    ).stdout.strip()
    assert here == there


def test_metadata_is_fixed() -> None:
    pdf = render(samples.juminhyo())
    assert b"/CreationDate (D:20000101000000" in pdf  # reportlab's invariant date
    assert b"konbini-kiosk printing.documents" in pdf


def test_concurrent_renders_match_sequential_ones() -> None:
    """A certificate server renders from several threads; reportlab's fonts are shared."""
    from concurrent.futures import ThreadPoolExecutor

    from printing.documents.seals import impression_image, official_seal_image

    docs = list(ALL_SAMPLES.values())
    expected = [render(d) for d in docs]  # type: ignore[arg-type]
    official_seal_image.cache_clear()  # the seals are drawn again, concurrently
    impression_image.cache_clear()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(render, docs * 3))  # type: ignore[arg-type]
    assert results == expected * 3


def test_missing_font_files_are_a_typed_error(tmp_path: object) -> None:
    """A server whose font folder lacks the fonts fails with FontUnavailableError (in a fresh
    process: the fonts are loaded once per process)."""
    code = (
        "from printing.documents import render, samples, FontUnavailableError\n"
        "try:\n"
        "    render(samples.inkan())\n"
        "except FontUnavailableError as exc:\n"
        "    print('FontUnavailableError', exc)\n"
    )
    env = {**os.environ, "KONBINI_FONT_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    ).stdout
    assert out.startswith("FontUnavailableError")
    assert "ipaexm.ttf" in out


def test_issuer_text_is_checked_too() -> None:
    issuer = dataclasses.replace(samples.NERIMA, head_name="豊玉　ꙮ")
    with pytest.raises(MissingGlyphError) as info:
        render(dataclasses.replace(samples.tax_payment(), issuer=issuer))
    assert info.value.field == "issuer"


def test_not_a_document_is_a_typed_error() -> None:
    from printing.documents import InvalidDocumentError

    with pytest.raises(InvalidDocumentError):
        render("住民票")  # type: ignore[arg-type]


def test_preload() -> None:
    from printing.documents import preload

    preload([samples.NERIMA, samples.CHIYODA])  # fonts and two seals, no error
    bad = dataclasses.replace(samples.NERIMA, seal_text="練馬区長之ꙮ")
    with pytest.raises(MissingGlyphError) as info:
        preload([bad])
    assert info.value.field == "issuer.seal"
