"""A character far below its page's others (printing/verify/fields.py): blur lowers every
character's correlation with its glyph alike, a substituted near-identical kanji its own."""

from __future__ import annotations

from printing.security.facts import FONT_MINCHO, TextRun
from printing.verify.fields import _unlike_the_page
from printing.verify.glyphcheck import GLYPH_MAX_DROP, MIN_CELLS_FOR_MEDIAN
from printing.verify.runcheck import UNREADABLE, RunResult


def _result(text: str, scores: list[float]) -> RunResult:
    run = TextRun("address", text, 60.0, 100.0, 10.5, FONT_MINCHO)
    return RunResult(
        run,
        list(text),
        set(),
        (60.0, 90.0, 100.0, 11.0),
        len(text),
        [(index, score, 0.0) for index, score in enumerate(scores)],
    )


def test_a_character_far_below_the_page_is_not_its_glyph() -> None:
    page = [
        _result(
            "東京都練馬区石神井町", [0.96, 0.95, 0.97, 0.96, 0.95, 0.96, 0.97, 0.95, 0.96, 0.96]
        )
    ]
    forged = _result(
        "五丁目八番十五号", [0.96, 0.96 - GLYPH_MAX_DROP - 0.02, 0.95, 0.96, 0.97, 0.95, 0.96, 0.96]
    )
    page.append(forged)
    page.append(_result("令和元年五月一日生まれ", [0.95] * 11))

    _unlike_the_page(page)

    assert forged.read == f"五{UNREADABLE}目八番十五号"
    assert forged.reasons == {"glyph"}
    assert all(not result.reasons for result in page if result is not forged)


def test_a_uniformly_poor_scan_flags_nothing() -> None:
    """Blur lowers every character: the median moves with them."""
    page = [
        _result("東京都練馬区石神井町五丁目八番十五号", [0.70 + 0.01 * (i % 5) for i in range(18)]),
        _result("令和元年五月一日", [0.66] * 8),
    ]

    _unlike_the_page(page)

    assert all(not result.reasons for result in page)


def test_a_page_with_few_characters_is_not_judged_by_its_median() -> None:
    few = MIN_CELLS_FOR_MEDIAN - 1
    result = _result("山" * few, [0.95] * (few - 1) + [0.5])

    _unlike_the_page([result])

    assert not result.reasons
