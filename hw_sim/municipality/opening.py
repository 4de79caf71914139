"""When the whole simulated world is open: the developer profile's business morning.

The developer profile pins the simulated center's business clock to a time of day, never to a
date (a pinned date makes the printed 交付日 and the settlement day wrong on every other day).
It takes today's date at :data:`MORNING` JST and, when some certificate of some municipality
would be refused at that moment for a reason of time (year-end closure, a posted maintenance
window, 開庁日 only on a weekend or holiday, out of hours), the next day on which nothing is.
So every persona and every certificate of the world can be tried, whatever day it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from hw_sim.municipality.offers import time_refusal
from hw_sim.world.calendar import JST
from hw_sim.world.municipalities import Municipality

# Inside every municipality's hours (product-facts.md: 6:30–23:00; the world's maintenance
# windows are early mornings and late evenings).
MORNING = time(10, 0)
# The world's closures are at most a week long (12/29–1/3 plus a weekend around it).
HORIZON_DAYS = 31


class NoOpenDayError(RuntimeError):
    """No day within the horizon has every certificate of the world open."""


def closed_at(municipalities: Iterable[Municipality], moment: datetime) -> list[str]:
    """What is closed at ``moment``: ``"<code> <kind>: <reason>"`` per certificate refused for
    a reason of time (empty when the whole world is open)."""
    closed = []
    for municipality in municipalities:
        if not municipality.participates:
            continue
        for kind, config in municipality.certificates.items():
            reason = time_refusal(municipality, config, moment, [])
            if reason is not None:
                closed.append(f"{municipality.code} {kind.value}: {reason.value}")
    return closed


def business_morning(
    municipalities: Iterable[Municipality], today: date, at: time = MORNING
) -> datetime:
    """``today`` at ``at`` JST, or the first later day on which nothing is closed at ``at``."""
    towns = list(municipalities)
    for offset in range(HORIZON_DAYS + 1):
        moment = datetime.combine(today + timedelta(days=offset), at, JST)
        if not closed_at(towns, moment):
            return moment
    raise NoOpenDayError(
        f"no day from {today.isoformat()} within {HORIZON_DAYS} days has every certificate open"
        f" at {at:%H:%M} JST"
    )
