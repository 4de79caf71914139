"""A character's second look (printing/verify/glyphcheck.py): cells cut from simulated office
scans (tests/printing/security/reference/glyph_cells.*, the scan's ink as the field comparison
sees it, 8-bit), each with its signed character and its page's blur and median correlation.

A genuine 本 on a blurred scan showed a blob at its strokes' ends against the page's one
template (a false flag); a near-identical substitute (村 → 材) passed both the correlation and
the blob test alone; a genuine 県 on a sharp scan has a blob and lies a little under its page's
median, and must pass."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from printing.security.facts import TextRun
from printing.verify.fields import _unlike_the_page
from printing.verify.glyphcheck import (
    BLOB_MIN_EM2,
    SUSPECT_BLOB_EM2,
    SUSPECT_DROP,
    ncc,
    residual_blob,
    second_look,
)
from printing.verify.glyphs import Frame, render_cell
from printing.verify.runcheck import UNREADABLE, RunResult

REFERENCE = Path(__file__).parent / "reference"
CELLS = np.load(REFERENCE / "glyph_cells.npz")
META = json.loads((REFERENCE / "glyph_cells.json").read_text())


def _cell(name: str) -> tuple[npt.NDArray[np.float32], partial[npt.NDArray[np.float32]], float]:
    """The scan's cell, a drawing of its signed glyph at a blur, and the em in px."""
    meta = META[name]
    frame = Frame(*meta["frame"])
    draw = partial(
        render_cell,
        meta["signed"],
        meta["font"],
        meta["size_pt"],
        meta["x_pt"],
        meta["baseline_pt"],
        frame,
    )
    em = meta["size_pt"] * frame.px_per_pt
    return CELLS[name].astype(np.float32) / 255, draw, em


def _first_look(name: str) -> tuple[float, float]:
    """Correlation and blob (em²) against the template at the page's blur."""
    patch, draw, em = _cell(name)
    template = draw(META[name]["page_blur_px"])
    score, x, y = ncc(patch, template)
    aligned = patch[y : y + template.shape[0], x : x + template.shape[1]]
    return score, residual_blob(aligned, template) / em**2


def test_a_genuine_hairline_is_no_blob_against_the_glyph_that_fits() -> None:
    _, blob = _first_look("hon_genuine")
    assert blob >= BLOB_MIN_EM2  # the false flag: the template's hairline ends too faint

    patch, draw, em = _cell("hon_genuine")
    score, second = second_look(patch, draw)

    assert second / em**2 < SUSPECT_BLOB_EM2
    assert score >= META["hon_genuine"]["page_median"] - SUSPECT_DROP


@pytest.mark.parametrize("name", ["mura_as_zai"])
def test_a_near_identical_substitute_keeps_its_blob(name: str) -> None:
    score, blob = _first_look(name)
    median = META[name]["page_median"]
    # Each sign alone passes: the correlation within GLYPH_MAX_DROP, the blob under BLOB_MIN_EM2.
    assert blob < BLOB_MIN_EM2
    assert score > median - 0.15

    patch, draw, em = _cell(name)
    score, second = second_look(patch, draw)

    assert second / em**2 >= SUSPECT_BLOB_EM2
    assert score < median - SUSPECT_DROP


def _page(median: float, suspect: tuple[float, float]) -> tuple[RunResult, list[RunResult]]:
    """A page of characters at ``median`` with no blob, and a name whose second character
    scored ``suspect`` (correlation, blob em²)."""
    others = [
        RunResult(
            TextRun("address", "東京都練馬区石神井町五丁目", 60.0, 100.0, 10.5, 0),
            list("東京都練馬区石神井町五丁目"),
            set(),
            (60.0, 90.0, 140.0, 11.0),
            13,
            [(i, median + 0.005 * (i % 3 - 1), 0.0) for i in range(13)],
        ),
        RunResult(
            TextRun("birth", "令和元年五月一日生まれ", 60.0, 120.0, 10.5, 0),
            list("令和元年五月一日生まれ"),
            set(),
            (60.0, 110.0, 120.0, 11.0),
            11,
            [(i, median, 0.001) for i in range(11)],
        ),
    ]
    name = RunResult(
        TextRun("name", "中村", 60.0, 80.0, 13.0, 0),
        list("中村"),
        set(),
        (60.0, 70.0, 26.0, 13.0),
        2,
        [(0, median, 0.0), (1, *suspect)],
    )
    return name, [*others, name]


@pytest.mark.parametrize("name", ["mura_as_zai"])
def test_the_page_names_a_substitute_by_both_signs(name: str) -> None:
    patch, draw, em = _cell(name)
    score, blob = second_look(patch, draw)
    run, page = _page(META[name]["page_median"], (score, blob / em**2))

    _unlike_the_page(page)

    assert run.read == f"中{UNREADABLE}"
    assert run.reasons == {"glyph"}
    assert all(not result.reasons for result in page if result is not run)


def test_a_genuine_character_with_a_blob_a_little_under_the_median_passes() -> None:
    patch, draw, em = _cell("ken_genuine")
    score, blob = second_look(patch, draw)
    assert blob / em**2 >= SUSPECT_BLOB_EM2  # the print's own blob, on a sharp scan
    run, page = _page(META["ken_genuine"]["page_median"], (score, blob / em**2))

    _unlike_the_page(page)

    assert not run.reasons


@pytest.mark.parametrize(
    "suspect",
    [(0.96 - SUSPECT_DROP + 0.01, 0.005), (0.96 - 0.1, SUSPECT_BLOB_EM2 - 0.0005)],
    ids=["blob-at-the-median", "low-without-blob"],
)
def test_one_sign_alone_flags_nothing(suspect: tuple[float, float]) -> None:
    _, page = _page(0.96, suspect)

    _unlike_the_page(page)

    assert all(not result.reasons for result in page)
