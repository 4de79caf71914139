"""Line breaking of Japanese text (禁則) and widths across the two fonts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printing.documents import InvalidDocumentError, PersonName
from printing.documents._text import _NO_LINE_START, wrap
from printing.documents.fonts import string_width

SIZE = 10.0


def test_short_text_is_one_line() -> None:
    assert wrap("住民票の写し", 200, SIZE) == ["住民票の写し"]
    assert wrap("", 100, SIZE) == [""]


def test_line_breaks_are_kept() -> None:
    assert wrap("一行目\n二行目", 200, SIZE) == ["一行目", "二行目"]


def test_kinsoku_punctuation_hangs_at_the_line_end() -> None:
    # 10 characters of 10 pt fit in 100 pt; the 。 after them hangs (ぶら下げ) instead of
    # starting the next line.
    lines = wrap("あいうえおかきくけこ。さしすせそ", 100.5, SIZE)
    assert lines[0] == "あいうえおかきくけこ。"
    assert lines[1] == "さしすせそ"


def test_opening_bracket_does_not_end_a_line() -> None:
    lines = wrap("あいうえおかきくけ（こさし）", 100.5, SIZE)
    assert not lines[0].endswith("（")
    assert lines[1].startswith("（")


def test_numbers_stay_whole() -> None:
    # 11 kana (110 pt) + 「１５」 (20 pt) exceed 125 pt: the break goes before the number, not
    # inside it.
    assert wrap("あ" * 11 + "１５番地", 125, SIZE) == ["あ" * 11, "１５番地"]
    assert wrap("あ" * 11 + "ＡＢ１２３４５６７８ＣＤ", 125, SIZE) == [
        "あ" * 11,
        "ＡＢ１２３４５６７８ＣＤ",
    ]


def test_a_word_wider_than_the_line_is_split() -> None:
    word = "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰ"  # one unbreakable token, 160 pt
    lines = wrap(word, 50, SIZE)
    assert "".join(lines) == word
    assert all(string_width(line, SIZE) <= 50 for line in lines)


text_strategy = st.text(
    alphabet=st.sampled_from(list("あいうえお漢字住民票、。（）「」１２３ＡＢ 　ー𠮷髙")),
    max_size=80,
)


@settings(max_examples=150, deadline=None)
@given(text_strategy, st.floats(min_value=30, max_value=400))
def test_wrap_keeps_every_character_and_fits(text: str, width: float) -> None:
    lines = wrap(text, width, SIZE)
    # Nothing lost except the spaces a break swallowed at a line start.
    assert "".join(lines).replace(" ", "").replace("\u3000", "") == text.replace(" ", "").replace(
        "\u3000", ""
    )
    for line in lines:
        # A line may overflow by one hanging character (ぶら下げ of 、。）ー …), no more.
        body = line[:-1] if line[-1:] and line[-1] in _NO_LINE_START else line
        assert string_width(body, SIZE) <= width + 0.01 or len(body) <= 1


def test_lone_variation_selector_is_refused() -> None:
    with pytest.raises(InvalidDocumentError, match="variation selector"):
        PersonName("\U000e0100山田", "太郎")
    with pytest.raises(InvalidDocumentError, match="variation selector"):
        PersonName("葛\U000e0102\U000e0102", "太郎")
