"""Every persona of hw_sim/personas.py is a resident of the world, with the persona's facts."""

from __future__ import annotations

from datetime import date

import pytest

from hw_sim.personas import Persona, list_personas
from hw_sim.pki import auth_identifier
from hw_sim.world.builder import build_world
from hw_sim.world.records import Resident, WorldData


def resident_of(world: WorldData, persona: Persona) -> Resident:
    return world.residents[world.cards[auth_identifier(persona)]]


@pytest.mark.parametrize("persona", list_personas(), ids=lambda p: p.id)
def test_persona_is_a_resident_with_the_card_facts(world_data: WorldData, persona: Persona) -> None:
    resident = resident_of(world_data, persona)
    assert resident.persona_id == persona.id
    assert resident.municipality_code == persona.municipality_code
    assert resident.birth_date == persona.birth_date
    assert resident.sex == persona.sex
    assert resident.address == persona.address
    assert resident.my_number == persona.my_number
    assert resident.name.full == (persona.registered_name or persona.name)
    household = world_data.household_of(resident)
    assert resident.resident_id in household.member_ids


def test_the_normal_persona_heads_a_family(world_data: WorldData) -> None:
    persona = next(p for p in list_personas() if p.id == "normal")
    resident = resident_of(world_data, persona)
    household = world_data.household_of(resident)
    members = world_data.members_of(household)
    assert household.head_id == resident.resident_id
    assert {m.relationship for m in members} == {"世帯主", "妻", "子"}
    assert sum(1 for m in members if m.relationship == "子") == 2
    assert resident.seal is not None
    assert resident.tax_record(2025) is not None
    assert resident.register_ref is not None
    register = world_data.registers[resident.register_ref[0]]
    assert register.municipality_code == "131202"
    assert register.head.resident_id == resident.resident_id


def test_the_child_is_twelve_in_the_normal_household(world_data: WorldData) -> None:
    child = resident_of(world_data, next(p for p in list_personas() if p.id == "child"))
    normal = resident_of(world_data, next(p for p in list_personas() if p.id == "normal"))
    assert child.household_id == normal.household_id
    assert child.age_on(date(2026, 11, 26)) == 12
    assert child.seal is None
    assert child.tax_records == ()


def test_scenario_residents(world_data: WorldData) -> None:
    by_id = {p.id: resident_of(world_data, p) for p in list_personas()}
    assert by_id["moved-out"].moved_out_on is not None
    assert by_id["dv-protected"].support_measures
    assert by_id["child-excluded"].age_on(date(2026, 11, 26)) == 13
    foreign = by_id["foreign"].foreign
    assert foreign is not None
    assert (foreign.nationality, foreign.category) == ("アメリカ合衆国", "中長期在留者")
    assert by_id["foreign"].honseki is None
    assert "𠮷" in by_id["gaiji"].name.full
    assert {"髙", "﨑"} <= set(by_id["rare-chars"].name.full)
    honseki = by_id["honseki"]
    assert honseki.register_ref is not None
    assert world_data.registers[honseki.register_ref[0]].municipality_code == "221007"
    assert any(link.card_identifier == honseki.card_identifier for link in world_data.honseki_links)


def test_every_participating_municipality_has_residents(world_data: WorldData) -> None:
    for code, municipality in world_data.municipalities.items():
        if municipality.participates:
            assert len(world_data.residents_of(code)) >= 3, code


def test_registers_reference_existing_residents_and_addresses_are_ordered(
    world_data: WorldData,
) -> None:
    for register in world_data.registers.values():
        assert register.honseki.startswith(
            world_data.municipalities[register.municipality_code].address_prefix
        )
        for person in register.persons:
            assert person.addresses, (register.register_id, person.person_id)
            dates = [since for _, since in person.addresses]
            assert dates == sorted(dates)
            if person.resident_id:
                resident = world_data.residents[person.resident_id]
                assert resident.birth_date == person.birth_date
                assert person.addresses[-1][0] == resident.address


def test_my_numbers_are_unique_and_valid(world_data: WorldData) -> None:
    from hw_sim.personas import is_valid_my_number

    numbers = [r.my_number for r in world_data.residents.values()]
    assert len(set(numbers)) == len(numbers)
    assert all(is_valid_my_number(n) for n in numbers)


def test_the_world_is_deterministic(world_data: WorldData) -> None:
    again = build_world()
    assert again.residents == world_data.residents
    assert again.registers == world_data.registers
    assert again.households == world_data.households
