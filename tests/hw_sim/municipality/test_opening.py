"""The developer profile's business morning: today's date at a fixed time of day, or the next
day on which the whole simulated world is open — never a pinned date (issue 9)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from hw_sim.municipality.opening import MORNING, business_morning, closed_at
from hw_sim.world.calendar import JST
from hw_sim.world.loader import load_municipalities
from kiosk.app.developer import business_morning as developer_morning

TOWNS = list(load_municipalities().values())


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 26), date(2026, 11, 26)),  # a Thursday: open
        (date(2026, 12, 6), date(2026, 12, 7)),  # a Sunday: 戸籍 of 開庁日-only towns closed
        (date(2026, 12, 29), date(2027, 1, 4)),  # the year-end closure and a weekend
        (date(2031, 3, 14), date(2031, 3, 14)),
        (date(2044, 5, 3), date(2044, 5, 6)),  # Golden Week holidays (Tue–Thu)
    ],
)
def test_business_morning_is_today_or_the_next_open_day(today: date, expected: date) -> None:
    moment = business_morning(TOWNS, today)
    assert moment == datetime.combine(expected, MORNING, JST)
    assert closed_at(TOWNS, moment) == []
    day = today
    while day < expected:  # every day skipped had something closed
        assert closed_at(TOWNS, datetime.combine(day, MORNING, JST)), day
        day += timedelta(days=1)


def test_a_closed_moment_names_what_is_closed() -> None:
    sunday = datetime(2026, 12, 6, 10, 0, tzinfo=JST)
    closed = closed_at(TOWNS, sunday)
    assert closed
    assert all(entry.split(": ")[1] == "weekdays_only" for entry in closed)
    night = datetime(2026, 11, 26, 23, 30, tzinfo=JST)
    assert any(entry.endswith("out_of_hours") for entry in closed_at(TOWNS, night))


@pytest.mark.parametrize(
    ("now", "day"),
    [
        # 14:59 UTC is 23:59 JST: still the same date in Japan …
        (datetime(2031, 3, 11, 14, 59, tzinfo=UTC), date(2031, 3, 11)),
        # … and 15:01 UTC is 00:01 JST the next day, though the UTC date has not changed.
        (datetime(2031, 3, 11, 15, 1, tzinfo=UTC), date(2031, 3, 12)),
    ],
)
def test_developer_morning_takes_the_japanese_date_of_the_system_clock(
    now: datetime, day: date
) -> None:
    assert developer_morning(now) == datetime.combine(day, time(10, 0), JST)


def test_developer_morning_far_from_today() -> None:
    """Ten years from whatever day the suite runs: still a morning on that day or soon after,
    with everything open."""
    now = datetime.now(UTC) + timedelta(days=3653)
    moment = developer_morning(now)
    assert timedelta(0) <= moment.date() - now.astimezone(JST).date() <= timedelta(days=31)
    assert moment.timetz() == MORNING.replace(tzinfo=JST)
    assert closed_at(TOWNS, moment) == []
