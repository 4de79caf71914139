"""Japanese civil calendar for the simulated municipalities: time zone, national holidays
(国民の祝日, 振替休日, 国民の休日), the year-end closure and 開庁日 (office days).

Holidays follow the 国民の祝日に関する法律 as amended up to 2021 (the 2019 enthronement days,
the 2020/2021 Olympic moves); the equinox days use the usual approximation, valid 1980–2099.
The simulated world is meant for dates 2019–2030.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")

# 12/29–1/3: the closure of municipal offices (行政機関の休日に関する法律 第1条第1項第3号).
YEAR_END_FIRST = (12, 29)
YEAR_END_LAST = (1, 3)


def to_jst(now: datetime) -> datetime:
    """``now`` in Asia/Tokyo; a naive datetime is refused (the world has no local clock)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    return now.astimezone(JST)


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    first = date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (nth - 1))


def _spring_equinox(year: int) -> int:
    return int(20.8431 + 0.242194 * (year - 1980) - (year - 1980) // 4)


def _autumn_equinox(year: int) -> int:
    return int(23.2488 + 0.242194 * (year - 1980) - (year - 1980) // 4)


@cache
def holidays(year: int) -> dict[date, str]:
    """The national holidays of ``year`` with their names."""
    mon = 0
    days: dict[date, str] = {
        date(year, 1, 1): "元日",
        _nth_weekday(year, 1, mon, 2): "成人の日",
        date(year, 2, 11): "建国記念の日",
        date(year, 3, _spring_equinox(year)): "春分の日",
        date(year, 4, 29): "昭和の日",
        date(year, 5, 3): "憲法記念日",
        date(year, 5, 4): "みどりの日",
        date(year, 5, 5): "こどもの日",
        _nth_weekday(year, 9, mon, 3): "敬老の日",
        date(year, 9, _autumn_equinox(year)): "秋分の日",
        date(year, 11, 3): "文化の日",
        date(year, 11, 23): "勤労感謝の日",
    }
    if year >= 2020:
        days[date(year, 2, 23)] = "天皇誕生日"
    elif year <= 2018:
        days[date(year, 12, 23)] = "天皇誕生日"
    sports = "スポーツの日" if year >= 2020 else "体育の日"
    special = {
        2020: (date(2020, 7, 23), date(2020, 7, 24), date(2020, 8, 10)),
        2021: (date(2021, 7, 22), date(2021, 7, 23), date(2021, 8, 8)),
    }
    if year in special:
        umi, sport, yama = special[year]
    else:
        umi = _nth_weekday(year, 7, mon, 3)
        sport = _nth_weekday(year, 10, mon, 2)
        yama = date(year, 8, 11)
    days[umi] = "海の日"
    days[sport] = sports
    days[yama] = "山の日"
    if year == 2019:
        days[date(2019, 5, 1)] = "天皇の即位の日"
        days[date(2019, 10, 22)] = "即位礼正殿の儀の行われる日"
    # 国民の休日: a day between two holidays is a holiday (祝日法 第3条第3項).
    for day in sorted(days):
        between = day + timedelta(days=1)
        if between + timedelta(days=1) in days and between not in days and between.weekday() != 6:
            days[between] = "国民の休日"
    # 振替休日: a holiday on a Sunday moves to the next day that is not a holiday (第3条第2項).
    for day in sorted(days):
        if day.weekday() == 6:
            substitute = day + timedelta(days=1)
            while substitute in days:
                substitute += timedelta(days=1)
            days[substitute] = "休日"
    return days


def is_holiday(day: date) -> bool:
    return day in holidays(day.year)


def in_year_end_closure(day: date) -> bool:
    """12/29 to 1/3 inclusive."""
    return (day.month, day.day) >= YEAR_END_FIRST or (day.month, day.day) <= YEAR_END_LAST


def is_office_day(day: date) -> bool:
    """開庁日: a weekday that is neither a national holiday nor in the year-end closure."""
    return day.weekday() < 5 and not is_holiday(day) and not in_year_end_closure(day)


def add_office_days(start: date, count: int) -> date:
    """The ``count``-th office day after ``start`` (``start`` itself not counted)."""
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if is_office_day(day):
            remaining -= 1
    return day
