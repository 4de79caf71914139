"""The civil calendar: holidays, the year-end closure, office days."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from hw_sim.world.calendar import (
    JST,
    add_office_days,
    holidays,
    in_year_end_closure,
    is_office_day,
    to_jst,
)


def test_holidays_of_2025_as_published_by_the_cabinet_office() -> None:
    expected = {
        date(2025, 1, 1), date(2025, 1, 13), date(2025, 2, 11), date(2025, 2, 23),
        date(2025, 2, 24), date(2025, 3, 20), date(2025, 4, 29), date(2025, 5, 3),
        date(2025, 5, 4), date(2025, 5, 5), date(2025, 5, 6), date(2025, 7, 21),
        date(2025, 8, 11), date(2025, 9, 15), date(2025, 9, 23), date(2025, 10, 13),
        date(2025, 11, 3), date(2025, 11, 23), date(2025, 11, 24),
    }  # fmt: skip
    assert set(holidays(2025)) == expected


def test_citizens_holiday_between_two_holidays() -> None:
    # 2026: 敬老の日 9/21 and 秋分の日 9/23 enclose 9/22 (国民の休日).
    assert holidays(2026)[date(2026, 9, 22)] == "国民の休日"


@pytest.mark.parametrize(
    ("day", "closed"),
    [
        (date(2025, 12, 28), False),
        (date(2025, 12, 29), True),
        (date(2025, 12, 31), True),
        (date(2026, 1, 3), True),
        (date(2026, 1, 4), False),
    ],
)
def test_year_end_closure_is_12_29_to_1_3(day: date, closed: bool) -> None:
    assert in_year_end_closure(day) is closed


def test_office_days_skip_weekends_holidays_and_year_end() -> None:
    assert is_office_day(date(2025, 11, 21))  # Friday
    assert not is_office_day(date(2025, 11, 22))  # Saturday
    assert not is_office_day(date(2025, 11, 24))  # 振替休日
    # Friday 21 Nov + 3 office days: Tue 25, Wed 26, Thu 27 (Mon 24 is a holiday)
    assert add_office_days(date(2025, 11, 21), 3) == date(2025, 11, 27)
    # across the year end: 26 Dec (Fri) + 1 → 5 Jan 2026 (Mon)
    assert add_office_days(date(2025, 12, 26), 1) == date(2026, 1, 5)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        to_jst(datetime(2025, 1, 1, 12, 0))
    assert to_jst(datetime(2025, 1, 1, 0, 0, tzinfo=JST)).hour == 0
