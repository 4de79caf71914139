"""Era dates and full-width numerals (printing.jpdates)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from printing import jpdates
from printing.jpdates import (
    EraDateError,
    format_dual_date,
    format_era_date,
    format_era_year,
    format_western_date,
    from_era,
    fullwidth_digits,
    parse_era_date,
    to_era_date,
    to_fullwidth,
    to_halfwidth,
)

# Each era change: (last day of the old era, its printed form, first day of the new, its form).
BOUNDARIES = [
    (date(1912, 7, 29), "明治４５年７月２９日", date(1912, 7, 30), "大正元年７月３０日"),
    (date(1926, 12, 24), "大正１５年１２月２４日", date(1926, 12, 25), "昭和元年１２月２５日"),
    (date(1989, 1, 7), "昭和６４年１月７日", date(1989, 1, 8), "平成元年１月８日"),
    (date(2019, 4, 30), "平成３１年４月３０日", date(2019, 5, 1), "令和元年５月１日"),
]


@pytest.mark.parametrize(("last", "last_text", "first", "first_text"), BOUNDARIES)
def test_era_boundaries(last: date, last_text: str, first: date, first_text: str) -> None:
    assert format_era_date(last) == last_text
    assert format_era_date(first) == first_text
    assert parse_era_date(last_text) == last
    assert parse_era_date(first_text) == first


def test_half_width_form_and_gannen() -> None:
    assert format_era_date(date(2019, 5, 1), fullwidth=False) == "令和元年5月1日"
    assert format_era_date(date(2024, 12, 3), fullwidth=False) == "令和6年12月3日"
    assert format_era_date(date(2020, 1, 1)) == "令和２年１月１日"


def test_dual_and_western_dates() -> None:
    # The issue-date form of the source document: 「２００Ｘ年（平成ＸＸ年）ＸＸ月ＸＸ日」.
    assert format_dual_date(date(2024, 12, 3)) == "２０２４年（令和６年）１２月３日"
    assert format_dual_date(date(2019, 5, 1)) == "２０１９年（令和元年）５月１日"
    assert format_dual_date(date(2019, 4, 30)) == "２０１９年（平成３１年）４月３０日"
    assert format_western_date(date(1985, 2, 14)) == "１９８５年２月１４日"


def test_year_labels_take_the_era_at_year_end() -> None:
    assert format_era_year(2019) == "令和元年"  # 2019年度 is 令和元年度
    assert format_era_year(2024) == "令和６年"
    assert format_era_year(1989) == "平成元年"
    assert format_era_year(2018) == "平成３０年"


@pytest.mark.parametrize(
    ("era", "year", "month", "day"),
    [
        ("平成", 31, 5, 1),  # 令和 already
        ("昭和", 64, 1, 8),  # 平成 already
        ("昭和", 1, 12, 24),  # still 大正
        ("大正", 1, 7, 29),  # still 明治
        ("令和", 0, 5, 1),
        ("令和", 6, 2, 30),
        ("明治", 5, 12, 31),  # before the Gregorian calendar in Japan
        ("天平", 1, 1, 1),
    ],
)
def test_impossible_era_dates_are_refused(era: str, year: int, month: int, day: int) -> None:
    with pytest.raises(EraDateError):
        from_era(era, year, month, day)


@pytest.mark.parametrize(
    "text", ["令和元年13月1日", "令和年5月1日", "2019年5月1日", "", "平成３１年５月１日"]
)
def test_unparseable_or_impossible_text(text: str) -> None:
    with pytest.raises(EraDateError):
        parse_era_date(text)


def test_letters_and_half_width_digits_parse() -> None:
    assert parse_era_date("R6年12月3日") == date(2024, 12, 3)
    assert parse_era_date("H31年4月30日") == date(2019, 4, 30)
    assert parse_era_date(" 令和 元 年 5 月 1 日 ") == date(2019, 5, 1)


def test_dates_before_1873_are_refused() -> None:
    with pytest.raises(EraDateError):
        format_era_date(date(1872, 12, 31))
    assert format_era_date(jpdates.EARLIEST_DATE) == "明治６年１月１日"


def test_fullwidth_conversions() -> None:
    assert fullwidth_digits(2024) == "２０２４"
    assert fullwidth_digits("No. 12") == "No. １２"
    assert to_fullwidth("AB12345678CD") == "ＡＢ１２３４５６７８ＣＤ"
    assert to_fullwidth("SANTOS MARIA") == "ＳＡＮＴＯＳ　ＭＡＲＩＡ"
    assert to_fullwidth("練馬区1-2") == "練馬区１－２"
    assert to_halfwidth("ＡＢ１２　３") == "AB12 3"


supported_dates = st.dates(min_value=jpdates.EARLIEST_DATE, max_value=date(2200, 12, 31))


@given(supported_dates)
def test_round_trip_through_text(d: date) -> None:
    assert parse_era_date(format_era_date(d)) == d
    assert parse_era_date(format_era_date(d, fullwidth=False)) == d


@given(supported_dates)
def test_round_trip_through_era_date(d: date) -> None:
    era_date = to_era_date(d)
    assert era_date.to_date() == d
    assert era_date.year >= 1
    # The era is the latest whose first day is not after d.
    assert era_date.era.first_day <= d
    later = [e for e in jpdates.ERAS if e.first_day > era_date.era.first_day]
    assert all(e.first_day > d for e in later)


@given(supported_dates)
def test_consecutive_days_never_go_back(d: date) -> None:
    """The day after a date is in the same era one day later, or in the next era's 元年."""
    today, tomorrow = to_era_date(d), to_era_date(d + timedelta(days=1))
    if tomorrow.era == today.era:
        assert (tomorrow.year, tomorrow.month, tomorrow.day) > (today.year, today.month, today.day)
    else:
        assert jpdates.ERAS.index(tomorrow.era) == jpdates.ERAS.index(today.era) + 1
        assert tomorrow.year == 1


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E)))
def test_fullwidth_round_trip(text: str) -> None:
    wide = to_fullwidth(text)
    assert to_halfwidth(wide) == text
    assert all(not ("!" <= ch <= "~") for ch in wide)
