"""Hours, office days, the year-end closure and maintenance windows, at fixed ``now`` values."""

from __future__ import annotations

from datetime import datetime

import pytest

from hw_sim.municipality import Refusal, UnknownMunicipalityError, World
from hw_sim.municipality.runtime import WorldRuntime
from hw_sim.world.records import WorldData
from kiosk.domain import Offer
from printing.certificates import CertificateKind, Jurisdiction

from .conftest import holder, jst


def offer_at(world: World, persona: str, now: datetime) -> Offer:
    code, resident_id = holder(world, persona)
    offer = world.municipality(code).offer(resident_id, now)
    assert isinstance(offer, Offer), offer
    return offer


def reason(offer: Offer, kind: CertificateKind) -> str | None:
    line = next(c for c in offer.certificates if c.kind is kind)
    assert line.available is (line.unavailable_reason is None)
    return line.unavailable_reason


# 練馬区 posts a monthly window on the 2nd Wednesday 06:30–08:00: 2025-11-19 is the 3rd.
@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (jst(2025, 11, 19, 6, 29), "out_of_hours"),
        (jst(2025, 11, 19, 6, 30), None),
        (jst(2025, 11, 19, 22, 59), None),
        (jst(2025, 11, 19, 23, 0), "out_of_hours"),
        (jst(2025, 11, 19, 2, 0), "out_of_hours"),
    ],
)
def test_service_hours_boundaries(world: World, now: datetime, expected: str | None) -> None:
    offer = offer_at(world, "normal", now)
    for line in offer.certificates:
        assert line.unavailable_reason == expected, line.kind


def test_now_in_another_time_zone_is_read_in_tokyo(world: World) -> None:
    from datetime import UTC

    # 21:30 UTC on 18 Nov is 06:30 JST on 19 Nov.
    offer = offer_at(world, "normal", datetime(2025, 11, 18, 21, 30, tzinfo=UTC))
    assert reason(offer, CertificateKind.JUMINHYO) is None
    offer = offer_at(world, "normal", datetime(2025, 11, 18, 21, 29, tzinfo=UTC))
    assert reason(offer, CertificateKind.JUMINHYO) == "out_of_hours"


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (jst(2025, 12, 28, 12, 0), None),
        (jst(2025, 12, 29, 12, 0), "year_end_closure"),
        (jst(2026, 1, 1, 12, 0), "year_end_closure"),
        (jst(2026, 1, 3, 22, 0), "year_end_closure"),
        (jst(2026, 1, 4, 12, 0), None),
    ],
)
def test_year_end_closure(world: World, now: datetime, expected: str | None) -> None:
    assert reason(offer_at(world, "normal", now), CertificateKind.JUMINHYO) == expected


def test_a_municipality_without_year_end_closure_serves_on_12_30(
    world: World, world_data: WorldData
) -> None:
    resident = next(
        r for r in world_data.residents_of("131016") if r.persona_id is None
    )  # 千代田区
    offer = world.municipality("131016").offer(resident.resident_id, jst(2025, 12, 30, 12, 0))
    assert isinstance(offer, Offer)
    assert reason(offer, CertificateKind.JUMINHYO) is None


def _weekday_only_resident(world_data: WorldData) -> tuple[str, str]:
    """A resident whose register is held by a municipality serving 戸籍 on office days only."""
    for municipality in world_data.municipalities.values():
        config = municipality.certificates.get(CertificateKind.KOSEKI)
        if config is None or not config.office_days_only:
            continue
        for resident in world_data.residents_of(municipality.code):
            ref = resident.register_ref
            held_here = ref and world_data.registers[ref[0]].municipality_code == municipality.code
            if held_here and resident.age_on(jst(2025, 11, 1).date()) >= 15:
                return municipality.code, resident.resident_id
    raise AssertionError("the world has no resident for the weekday-only test")


@pytest.mark.parametrize(
    ("now", "koseki", "juminhyo"),
    [
        (jst(2025, 11, 21, 10, 0), None, None),  # Friday
        (jst(2025, 11, 22, 10, 0), "weekdays_only", None),  # Saturday
        (jst(2025, 11, 24, 10, 0), "weekdays_only", None),  # 振替休日 (Monday)
        (jst(2025, 11, 21, 8, 59), "out_of_hours", None),
        (jst(2025, 11, 21, 9, 0), None, None),
        (jst(2025, 11, 21, 17, 0), "out_of_hours", None),
    ],
)
def test_koseki_on_office_days_only(
    world: World, world_data: WorldData, now: datetime, koseki: str | None, juminhyo: str | None
) -> None:
    code, resident_id = _weekday_only_resident(world_data)
    offer = world.municipality(code).offer(resident_id, now)
    assert isinstance(offer, Offer), offer
    assert reason(offer, CertificateKind.KOSEKI) == koseki
    assert reason(offer, CertificateKind.JUMINHYO) == juminhyo
    line = next(c for c in offer.certificates if c.kind is CertificateKind.KOSEKI)
    assert line.hours[0].hour == 9


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (jst(2025, 11, 12, 6, 30), "maintenance"),  # 2nd Wednesday, recurring window
        (jst(2025, 11, 12, 7, 59), "maintenance"),
        (jst(2025, 11, 12, 8, 0), None),
        (jst(2026, 3, 20, 11, 59), "maintenance"),  # one-off window 06:30–12:00
        (jst(2026, 3, 20, 12, 0), None),
    ],
)
def test_posted_maintenance_windows(world: World, now: datetime, expected: str | None) -> None:
    assert reason(offer_at(world, "normal", now), CertificateKind.INKAN) == expected


def test_runtime_maintenance_survives_a_restart(
    world: World, world_data: WorldData, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    start, end = jst(2025, 11, 19, 10, 0), jst(2025, 11, 19, 11, 0)
    world.set_maintenance("131202", start, end)
    assert (
        reason(offer_at(world, "normal", jst(2025, 11, 19, 10, 30)), CertificateKind.JUMINHYO)
        == "maintenance"
    )
    again = World(WorldRuntime.open(tmp_path / "state", world_data))
    assert (
        reason(offer_at(again, "normal", jst(2025, 11, 19, 10, 30)), CertificateKind.JUMINHYO)
        == "maintenance"
    )
    assert (
        reason(offer_at(again, "normal", jst(2025, 11, 19, 11, 0)), CertificateKind.JUMINHYO)
        is None
    )
    # issuing during the window is refused with the same reason
    code, resident_id = holder(again, "normal")
    from printing.certificates import CertificateRequest, NoOptions

    issued = again.municipality(code).issue(
        resident_id,
        CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions()),
        jst(2025, 11, 19, 10, 30),
        "T-1",
    )
    assert isinstance(issued, Refusal)
    assert issued.reason == "maintenance"
    again.clear_maintenance("131202")
    assert (
        reason(offer_at(again, "normal", jst(2025, 11, 19, 10, 30)), CertificateKind.JUMINHYO)
        is None
    )


def test_set_maintenance_rejects_bad_input(world: World) -> None:
    with pytest.raises(ValueError, match="ends after it starts"):
        world.set_maintenance("131202", jst(2025, 1, 2, 10, 0), jst(2025, 1, 2, 9, 0))
    with pytest.raises(UnknownMunicipalityError):
        world.set_maintenance("999999", jst(2025, 1, 2, 9, 0), jst(2025, 1, 2, 10, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        world.set_maintenance("131202", datetime(2025, 1, 2, 9), datetime(2025, 1, 2, 10))


def test_tax_years_follow_publication_in_june(world: World) -> None:
    may = offer_at(world, "normal", jst(2025, 5, 31, 12, 0))
    june = offer_at(world, "normal", jst(2025, 6, 1, 12, 0))
    years_may = next(
        c for c in may.certificates if c.kind is CertificateKind.TAX_INCOME
    ).rules.fiscal_years
    years_june = next(
        c for c in june.certificates if c.kind is CertificateKind.TAX_INCOME
    ).rules.fiscal_years
    assert years_may[0] == 2024
    assert years_june[0] == 2025
    assert len(years_june) == 5  # 練馬区 issues the latest five years
