"""Japanese dates and numerals as certificates print them (and the kiosk's screens show them:
this module imports nothing of the document engine, so the UI can use it without loading it).

- Era dates (和暦): 明治, 大正, 昭和, 平成, 令和, with 元年 for the first year of an era:
  ``format_era_date(date(2019, 5, 1)) == "令和元年５月１日"``. The eras change on the day the
  new era begins (元号を改める政令): 大正 from 1912-07-30, 昭和 from 1926-12-25, 平成 from
  1989-01-08, 令和 from 2019-05-01; the day before belongs to the old era
  (2019-04-30 → 平成31年4月30日).
- Japan counts Gregorian dates from 明治6年1月1日 (1873-01-01, 明治5年太政官布告第337号);
  earlier dates were lunisolar and cannot be converted by arithmetic, so they are refused.
- Full-width digits (全角数字) as certificates print numbers inside Japanese text, and
  :func:`to_fullwidth` for registry strings (ASCII letters and digits → full-width forms).
- Years used as a label (年度, 年分) take the era in force at the end of that calendar year:
  2019 → 令和元年, as 2019年度 is officially 令和元年度.

Every function is pure and raises :class:`EraDateError` (a ``ValueError``) on bad input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = [
    "EARLIEST_DATE",
    "ERAS",
    "Era",
    "EraDate",
    "EraDateError",
    "format_dual_date",
    "format_era_date",
    "format_era_year",
    "format_western_date",
    "from_era",
    "fullwidth_digits",
    "parse_era_date",
    "to_era_date",
    "to_fullwidth",
    "to_halfwidth",
]


class EraDateError(ValueError):
    """A date outside the supported range, or an era date that does not exist."""


@dataclass(frozen=True)
class Era:
    """A Japanese era: its name, its one-letter abbreviation and its first day (Gregorian)."""

    name: str
    letter: str
    first_day: date


# The first days are those of the 改元 (the ordinance that names the era takes effect that day).
MEIJI = Era(
    "明治", "M", date(1868, 1, 25)
)  # 明治元年1月1日 (慶応4年, retroactive); see EARLIEST_DATE
TAISHO = Era("大正", "T", date(1912, 7, 30))
SHOWA = Era("昭和", "S", date(1926, 12, 25))
HEISEI = Era("平成", "H", date(1989, 1, 8))
REIWA = Era("令和", "R", date(2019, 5, 1))
ERAS: tuple[Era, ...] = (MEIJI, TAISHO, SHOWA, HEISEI, REIWA)
_ERA_BY_NAME = {era.name: era for era in ERAS} | {era.letter: era for era in ERAS}

# Gregorian calendar in Japan from 明治6年1月1日 (太政官布告第337号, 1872).
EARLIEST_DATE = date(1873, 1, 1)

_FULLWIDTH_OFFSET = 0xFEE0  # U+FF01..U+FF5E are U+0021..U+007E shifted by this
_TO_FULL = {cp: cp + _FULLWIDTH_OFFSET for cp in range(0x21, 0x7F)} | {0x20: 0x3000}
_TO_HALF = {v: k for k, v in _TO_FULL.items()}
_DIGITS_TO_FULL = {cp: cp + _FULLWIDTH_OFFSET for cp in range(0x30, 0x3A)}


def to_fullwidth(text: str) -> str:
    """ASCII (space, letters, digits, punctuation) → full-width forms; other text unchanged."""
    return text.translate(_TO_FULL)


def to_halfwidth(text: str) -> str:
    """The inverse of :func:`to_fullwidth`: full-width forms and U+3000 → ASCII."""
    return text.translate(_TO_HALF)


def fullwidth_digits(value: int | str) -> str:
    """A number (or a string's ASCII digits) in full-width digits: 12 → 「１２」."""
    return str(value).translate(_DIGITS_TO_FULL)


@dataclass(frozen=True)
class EraDate:
    """A date as era, era year (1 = 元年), month and day."""

    era: Era
    year: int
    month: int
    day: int

    def to_date(self) -> date:
        return from_era(self.era.name, self.year, self.month, self.day)


def _check_range(d: date) -> None:
    if not isinstance(d, date):
        raise EraDateError("expected a datetime.date")
    if d < EARLIEST_DATE:
        raise EraDateError("dates before 1873-01-01 (明治6年) have no Gregorian era form")


def era_of(d: date) -> Era:
    """The era in force on ``d``."""
    _check_range(d)
    for era in reversed(ERAS):
        if d >= era.first_day:
            return era
    raise EraDateError("no era")  # unreachable: EARLIEST_DATE is after 明治's first day


def to_era_date(d: date) -> EraDate:
    """``date(2019, 5, 1)`` → 令和 1 (元年) 5 1."""
    era = era_of(d)
    return EraDate(era, d.year - era.first_day.year + 1, d.month, d.day)


def from_era(era: str, year: int, month: int, day: int) -> date:
    """The Gregorian date of an era date; ``era`` is the name (令和) or letter (R).

    Raises :class:`EraDateError` when the era date does not exist (平成31年5月1日,
    昭和元年12月24日) or lies before 1873.
    """
    found = _ERA_BY_NAME.get(era)
    if found is None:
        raise EraDateError(f"unknown era {era!r}")
    if year < 1:
        raise EraDateError("era years start at 1 (元年)")
    try:
        d = date(found.first_day.year + year - 1, month, day)
    except ValueError as exc:
        raise EraDateError(str(exc)) from exc
    if era_of(d) is not found:
        raise EraDateError(f"{found.name}{year}年{month}月{day}日 does not exist")
    return d


def _year_text(era: Era, year: int, fullwidth: bool) -> str:
    if year == 1:
        return f"{era.name}元年"
    number = fullwidth_digits(year) if fullwidth else str(year)
    return f"{era.name}{number}年"


def format_era_date(d: date, *, fullwidth: bool = True) -> str:
    """「令和６年１２月３日」, 「令和元年５月１日」 (ASCII digits with ``fullwidth=False``)."""
    e = to_era_date(d)
    num = fullwidth_digits if fullwidth else str
    return f"{_year_text(e.era, e.year, fullwidth)}{num(e.month)}月{num(e.day)}日"


def format_era_year(year: int, *, fullwidth: bool = True) -> str:
    """A calendar year as a label, in the era in force at its end: 2019 → 「令和元年」,
    2024 → 「令和６年」. Append 度 or 分 for 年度 / 年分."""
    e = to_era_date(date(year, 12, 31))
    return _year_text(e.era, e.year, fullwidth)


def format_western_date(d: date, *, fullwidth: bool = True) -> str:
    """「２０２４年１２月３日」 (foreign residents' birth dates are printed this way)."""
    num = fullwidth_digits if fullwidth else str
    return f"{num(d.year)}年{num(d.month)}月{num(d.day)}日"


def format_dual_date(d: date, *, fullwidth: bool = True) -> str:
    """Gregorian year with the era year in brackets, as 住民票 print the issue date:
    「２０２４年（令和６年）１２月３日」."""
    e = to_era_date(d)
    num = fullwidth_digits if fullwidth else str
    return (
        f"{num(d.year)}年（{_year_text(e.era, e.year, fullwidth)}）{num(d.month)}月{num(d.day)}日"
    )


_ERA_DATE = re.compile(
    r"\s*(明治|大正|昭和|平成|令和|[MTSHR])\s*(元|[0-9]+)\s*年\s*([0-9]+)\s*月\s*([0-9]+)\s*日\s*"
)


def parse_era_date(text: str) -> date:
    """「令和元年５月１日」, 「平成31年4月30日」, 「R6年12月3日」 → ``date``.

    Accepts full- and half-width digits and 元; raises :class:`EraDateError` otherwise.
    """
    match = _ERA_DATE.fullmatch(to_halfwidth(text))
    if match is None:
        raise EraDateError("not an era date")
    era, year_text, month, day = match.groups()
    year = 1 if year_text == "元" else int(year_text)
    return from_era(era, year, int(month), int(day))
