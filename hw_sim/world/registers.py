"""Family registers (戸籍) and their 附票 from the specifications of data/households.toml and
the generator: persons, the 身分事項 derived from the facts given (出生, 婚姻, 分籍, 死亡), the
戸籍事項 (編製, 転籍, the computerisation 改製), and the address history of each person."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from itertools import pairwise

from hw_sim.world.fields import Fields
from hw_sim.world.municipalities import Municipality
from hw_sim.world.persona_source import PersonaFacts
from hw_sim.world.records import FamilyRegister, Name, RegisterEvent, RegisterPerson, Resident

FactsOf = Callable[[Fields], PersonaFacts]

# 戸籍のコンピュータ化: registers formed before this were converted (改製) on a municipality's day.
_COMPUTERISATION = date(2004, 1, 1)
_KAISEI_REASON = "平成６年法務省令第５１号附則第２条第１項による改製"
_PERSON_FIELDS = {
    "id", "persona", "name", "kana", "birth_date", "sex", "father", "mother", "relationship",
    "spouse_role", "birthplace", "married", "died", "addresses", "removed",
}  # fmt: skip
REGISTER_FIELDS = {
    "id", "municipality", "honseki", "head", "formed_on", "formed_by", "formed_from", "person",
}  # fmt: skip


def build_register(
    register_id: str, spec: Fields, municipalities: dict[str, Municipality], facts_of: FactsOf
) -> FamilyRegister:
    """A family register from its specification (data/households.toml, "register")."""
    municipality = municipalities[spec.text("municipality")]
    honseki = spec.text("honseki")
    if not honseki.startswith(municipality.address_prefix):
        raise spec.error("honseki", f"{honseki!r} is not in {municipality.address_prefix}")
    formed_on = spec.day("formed_on")
    formed_by = spec.choice("formed_by", {"婚姻": "婚姻", "転籍": "転籍", "分籍": "分籍"})
    formed_from = spec.text("formed_from", "")
    persons_specs = spec.tables("person")
    if not persons_specs:
        raise spec.error("person", "a register records at least one person")
    head_id = spec.text("head")
    raw = [(p, facts_of(p)) for p in persons_specs]
    ids = [p.text("id") for p, _ in raw]
    if len(set(ids)) != len(ids):
        raise spec.error("person", "person ids must be unique")
    if head_id not in ids:
        raise spec.error("head", f"{head_id!r} is not a person of the register")
    head_facts = raw[ids.index(head_id)][1]
    family = (head_facts.registered_name or head_facts.name).family
    persons = []
    for person_spec, facts in raw:
        persons.append(
            _register_person(
                person_spec, facts, family, raw, (formed_by, formed_from, formed_on), head_id
            )
        )
    register_events = []
    if formed_by == "転籍":
        if not formed_from:
            raise spec.error("formed_from", "a 転籍 names the former 本籍")
        register_events.append(
            RegisterEvent("転籍", (("転籍日", formed_on), ("従前本籍", formed_from)))
        )
    else:
        register_events.append(RegisterEvent("戸籍編製", (("編製日", formed_on),)))
    if formed_on < _COMPUTERISATION:
        day = date(2004, 3, 1) + timedelta(days=int(municipality.code[:5]) % 200)
        register_events.append(
            RegisterEvent("戸籍改製", (("改製日", day), ("改製事由", _KAISEI_REASON)))
        )
    return FamilyRegister(
        register_id=register_id,
        municipality_code=municipality.code,
        honseki=honseki,
        head_person_id=head_id,
        register_events=tuple(register_events),
        persons=tuple(persons),
    )


def _register_person(
    spec: Fields,
    facts: PersonaFacts,
    family: str,
    raw: list[tuple[Fields, PersonaFacts]],
    formation: tuple[str, str, date],
    head_id: str,
) -> RegisterPerson:
    formed_by, formed_from, formed_on = formation
    spec.reject_unknown(_PERSON_FIELDS)
    person_id = spec.text("id")
    own = facts.registered_name or facts.name
    name = Name(family, own.given, own.family_kana, own.given_kana)
    father = spec.text("father", "") or None
    mother = spec.text("mother", "") or None
    events = [
        RegisterEvent(
            "出生",
            (
                ("出生日", facts.birth_date),
                ("出生地", spec.text("birthplace")),
                ("届出日", facts.birth_date + timedelta(days=7)),
                ("届出人", "父" if father else "母"),
            ),
        )
    ]
    spouse_role = spec.text("spouse_role", "") or None
    if spec.has("married"):
        married = spec.table("married")
        married.reject_unknown({"on", "previous_register"})
        spouse_name = ""
        for other_spec, other in raw:
            role = other_spec.text("spouse_role", "")
            if role and role != spouse_role and other_spec.text("id") != person_id:
                spouse_name = (other.registered_name or other.name).full
        details: list[tuple[str, str | date]] = [("婚姻日", married.day("on"))]
        if spouse_name:
            details.append(("配偶者氏名", spouse_name))
        details.append(("従前戸籍", married.text("previous_register")))
        events.append(RegisterEvent("婚姻", tuple(details)))
    if formed_by == "分籍" and person_id == head_id and formed_from:
        events.append(RegisterEvent("分籍", (("分籍日", formed_on), ("従前戸籍", formed_from))))
    removed = spec.flag("removed", False)
    if spec.has("died"):
        died = spec.table("died")
        died.reject_unknown({"on", "place"})
        on = died.day("on")
        events.append(
            RegisterEvent(
                "死亡",
                (
                    ("死亡日", on),
                    ("死亡地", died.text("place")),
                    ("届出日", on + timedelta(days=2)),
                    ("届出人", "親族"),
                ),
            )
        )
        removed = True
    addresses: list[tuple[str, date]] = []
    for entry in spec.tables("addresses"):
        entry.reject_unknown({"address", "since"})
        addresses.append((entry.text("address"), entry.day("since")))
    if any(later[1] < earlier[1] for earlier, later in pairwise(addresses)):
        raise spec.error("addresses", "entries go oldest first")
    return RegisterPerson(
        person_id=person_id,
        name=name,
        birth_date=facts.birth_date,
        sex=facts.sex,
        father=father,
        mother=mother,
        relationship=spec.text("relationship", ""),
        spouse_role=spouse_role,
        events=tuple(events),
        addresses=tuple(addresses),
        removed=removed,
    )


def link_residents(register: FamilyRegister, residents: dict[str, Resident]) -> FamilyRegister:
    """Link persons to their resident records and fill 附票 histories left implicit."""
    linked = {
        r.register_ref[1]: r
        for r in residents.values()
        if r.register_ref and r.register_ref[0] == register.register_id
    }
    persons = []
    for person in register.persons:
        resident = linked.get(person.person_id)
        addresses = person.addresses
        if not addresses:
            if resident is not None:
                # The 附票 starts when the person entered this register; a move after that
                # shows the former address first.
                start = _formed(register, person)
                if resident.previous_address and resident.address_since > start:
                    addresses = (
                        (resident.previous_address, start),
                        (resident.address, resident.address_since),
                    )
                else:
                    addresses = ((resident.address, max(start, resident.address_since)),)
            else:
                addresses = ((register.honseki, _formed(register, person)),)
        persons.append(
            replace(
                person,
                addresses=addresses,
                resident_id=resident.resident_id if resident else None,
            )
        )
    return replace(register, persons=tuple(persons))


def _formed(register: FamilyRegister, person: RegisterPerson) -> date:
    """The day a person's 附票 starts: the register's formation (or birth, if later)."""
    formed = next(
        (
            d
            for e in register.register_events
            for label, d in e.details
            if label in ("編製日", "転籍日")
        ),
        None,
    )
    start = formed if isinstance(formed, date) else person.birth_date
    return max(start, person.birth_date)
