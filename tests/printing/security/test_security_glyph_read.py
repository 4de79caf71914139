"""A suspect character read among its font's characters (printing/verify/glyphread.py) and the
page's decision on it (printing/verify/fields.py): cells cut from simulated office scans
(tests/printing/security/reference/glyph_cells.*, as in test_security_glyph_second_look.py).

A genuine 本 on a blurred scan and a 年 under a fold on a sharp one, whose blobs took them for
other characters, read as themselves and are cleared; a genuine 県 with the print's own blob
reads as itself;
鈴木 → 鈴本 (missed by every sign) and 中村 → 中材 read as 本 and 材 and are named so; a stroke
added that makes no character is still taken for another one; a page reads a bounded number of
cells."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from printing.security.facts import FONT_MINCHO, TextRun
from printing.verify import runcheck
from printing.verify.fields import _unlike_the_page
from printing.verify.glyphcheck import (
    BLOB_MIN_EM2,
    MAX_READS_PER_PAGE,
    READ_MARGIN,
    ncc,
    residual_blob,
)
from printing.verify.glyphread import Reading, confusable_with, jis_characters
from printing.verify.glyphs import Frame
from printing.verify.runcheck import UNREADABLE, CellView, RunResult

REFERENCE = Path(__file__).parent / "reference"
CELLS = np.load(REFERENCE / "glyph_cells.npz")
META = json.loads((REFERENCE / "glyph_cells.json").read_text())


def _view(name: str) -> CellView:
    """The reference cell as the field comparison keeps it (at the page's blur)."""
    meta = META[name]
    args = (meta["signed"], meta["font"], meta["size_pt"], meta["x_pt"], meta["baseline_pt"])
    patch = CELLS[name].astype(np.float32) / 255
    return CellView(*args, Frame(*meta["frame"]), meta["page_blur_px"], patch)


def _signs(view: CellView) -> tuple[float, float]:
    """The cell's correlation with its signed glyph and its blob (em²), at the page's blur."""
    template = view.draw(view.cluster)
    score, x, y = ncc(view.patch, template)
    aligned = view.patch[y : y + template.shape[0], x : x + template.shape[1]]
    em = view.size_pt * view.frame.px_per_pt
    return score, residual_blob(aligned, template) / em**2


def test_the_candidates_are_jis_x_0208_kana_and_kanji() -> None:
    characters = jis_characters()
    assert len(characters) > 6_500
    for ch in "あアー々木本材村東束鈴齋邉":
        assert ch in characters
    assert "𠮷" not in characters  # an IPAmj name character: the page's own characters add it
    assert len(set(characters)) == len(characters)


@pytest.mark.parametrize(("name", "printed"), [("ki_as_hon", "本"), ("mura_as_zai", "材")])
def test_a_substituted_character_is_read_as_what_is_printed(name: str, printed: str) -> None:
    reading = _view(name).read("")

    assert reading.character == printed
    assert reading.margin >= READ_MARGIN


@pytest.mark.parametrize("name", ["hon_genuine", "ken_genuine", "nen_fold"])
def test_a_degraded_genuine_character_reads_as_itself(name: str) -> None:
    reading = _view(name).read("")

    assert reading.character == META[name]["signed"]
    assert reading.margin == 0.0


def _page(median: float, suspect: CellView | None, signs: tuple[float, float]) -> list[RunResult]:
    """A page of characters at ``median`` and a name whose second character is the cell."""
    text = "東京都練馬区石神井町五丁目八番十五号令和元年五月一日生"
    others = RunResult(
        TextRun("address", text, 60.0, 100.0, 10.5, FONT_MINCHO),
        list(text),
        set(),
        (60.0, 90.0, 200.0, 11.0),
        len(text),
        [(i, median + 0.005 * (i % 3 - 1), 0.0) for i in range(len(text))],
    )
    signed = "中" + (suspect.cluster if suspect else "村")
    name = RunResult(
        TextRun("name", signed, 60.0, 80.0, 13.0, FONT_MINCHO),
        list(signed),
        set(),
        (60.0, 70.0, 26.0, 13.0),
        2,
        [(0, median, 0.0), (1, *signs)],
        {1: suspect} if suspect else {},
    )
    # As runcheck leaves it: a sign alone took the cell for another character
    if signs[0] < 0.55 or signs[1] >= BLOB_MIN_EM2:
        name.flagged.add(1)
        name.cells[1] = UNREADABLE
        name.reasons.add("glyph")
    return [others, name]


@pytest.mark.parametrize("name", ["hon_genuine", "nen_fold"])
def test_a_genuine_blob_that_flagged_a_page_is_cleared_by_reading(name: str) -> None:
    """A blurred 本's blob against the page's template, a fold's blob across a sharp 年: over
    BLOB_MIN_EM2, a sign alone flagged the page; read, the cell is what was signed."""
    view = _view(name)
    signs = _signs(view)
    assert signs[1] >= BLOB_MIN_EM2
    page = _page(META[name]["page_median"], view, signs)
    assert page[1].reasons == {"glyph"}

    _unlike_the_page(page)

    assert page[1].read == "中" + view.cluster
    assert all(not result.reasons for result in page)


@pytest.mark.parametrize(("name", "printed"), [("ki_as_hon", "本"), ("mura_as_zai", "材")])
def test_the_page_names_the_character_printed(name: str, printed: str) -> None:
    view = _view(name)
    page = _page(META[name]["page_median"], view, _signs(view))

    _unlike_the_page(page)

    assert page[1].read == "中" + printed
    assert page[1].reasons == {"glyph"}
    assert not page[0].reasons


def test_a_stroke_that_makes_no_character_is_still_caught() -> None:
    """県 with a heavy diagonal stroke across it: whatever the font's characters fit, the signs
    are ones no genuine print gave."""
    view = _view("ken_genuine")
    patch = view.patch.copy()
    size = min(patch.shape)
    for i in range(size):
        patch[i, max(0, i - 2) : i + 2] = 1.0
    stroked = CellView(
        view.cluster, view.font, view.size_pt, view.x_pt, view.baseline_pt, view.frame,
        view.blur, patch,
    )  # fmt: skip
    page = _page(META["ken_genuine"]["page_median"], stroked, _signs(stroked))

    _unlike_the_page(page)

    assert page[1].reasons == {"glyph"}
    assert page[1].read[1] != view.cluster


class _Counted(CellView):
    reads = 0

    def read(self, page_characters: str) -> Reading:
        type(self).reads += 1
        return Reading(self.cluster, 0.9, 0.9)


def test_a_page_reads_a_bounded_number_of_cells() -> None:
    """A page of suspect cells (a bad scan): MAX_READS_PER_PAGE are read, the rest are judged
    by their signs alone."""
    view = _view("ken_genuine")
    count = MAX_READS_PER_PAGE + 10
    text = "県" * count
    fields = (view.cluster, view.font, view.size_pt, view.x_pt, view.baseline_pt, view.frame)
    result = RunResult(
        TextRun("address", text, 60.0, 100.0, 10.5, FONT_MINCHO),
        list(text),
        set(),
        (60.0, 90.0, 200.0, 11.0),
        count,
        [(i, 0.5, 0.0) for i in range(count)],  # under GLYPH_MIN_CORRELATION: flagged by runcheck
        {i: _Counted(*fields, view.blur, view.patch) for i in range(count)},
        set(range(count)),
    )
    _Counted.reads = 0

    _unlike_the_page([result])

    assert _Counted.reads == MAX_READS_PER_PAGE
    # read as themselves but under GLYPH_MIN_CORRELATION (strong) or past the bound: all flagged
    assert result.read == UNREADABLE * count


def test_confusables_are_one_reading() -> None:
    assert set(confusable_with("一")) >= {"一", "ー", "―"}
    assert confusable_with("木") == "木"


def test_readings_are_logged_for_calibration(monkeypatch: pytest.MonkeyPatch) -> None:
    log: list[dict[str, object]] = []
    monkeypatch.setattr(runcheck, "CELL_LOG", log)
    view = _view("ki_as_hon")
    _unlike_the_page(_page(META["ki_as_hon"]["page_median"], view, _signs(view)))

    assert [entry["reading"] for entry in log] == ["本"]
