"""Building the world: the municipality files, the persona households (data/households.toml,
with the personas of hw_sim/personas.py) and the seeded households of the generator become one
:class:`~hw_sim.world.records.WorldData`. Deterministic: the same files give the same world.

Household and register specifications are TOML tables (or the same shape made by the
generator); every problem is a WorldDataError naming the file and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from hw_sim.world.errors import WorldDataError
from hw_sim.world.fields import Fields
from hw_sim.world.loader import DATA_DIR, MUNICIPALITY_DIR, load_municipalities
from hw_sim.world.municipalities import Municipality, age_on
from hw_sim.world.persona_source import PersonaFacts, PersonaSource, default_persona_source
from hw_sim.world.records import (
    HonsekiLink,
    Household,
    ResidenceEventRecord,
    Resident,
    TaxRecord,
    WorldData,
)
from hw_sim.world.registers import REGISTER_FIELDS, build_register, link_residents
from hw_sim.world.specs import foreign_status, seal_of, split_name, synthetic_my_number
from hw_sim.world.taxes import assess

HOUSEHOLDS_FILE = DATA_DIR / "households.toml"
# The tax years the world holds records for (the offer shows those published at ``now``).
FIRST_FISCAL_YEAR = 2019
LAST_FISCAL_YEAR = 2030

_HOUSEHOLD_FIELDS = {
    "id", "municipality", "address", "address_since", "previous_address", "register", "member",
    "moved_out_on", "moved_out_to", "support_measures",
}  # fmt: skip
_MEMBER_FIELDS = {
    "persona", "name", "kana", "birth_date", "sex", "relationship", "register", "register_person",
    "became_resident_on", "address_since", "seal", "income", "foreign", "honseki", "hittosha",
    "my_number", "moved_out_on", "moved_out_to", "support_measures",
}  # fmt: skip


@dataclass
class _Income:
    kind: str
    revenue: int
    collection: str
    arrears: bool


@dataclass
class _PendingResident:
    resident: Resident
    income: _Income | None
    spec: Fields
    register_id: str  # the member's register, or the household's default one


@dataclass
class WorldBuilder:
    """Collects households and registers, then links and indexes them."""

    municipalities: dict[str, Municipality]
    personas: PersonaSource
    residents: dict[str, _PendingResident] = field(default_factory=dict)
    households: dict[str, Household] = field(default_factory=dict)
    register_specs: dict[str, Fields] = field(default_factory=dict)
    links: list[HonsekiLink] = field(default_factory=list)
    used_personas: dict[str, str] = field(default_factory=dict)  # persona id → resident id
    _sequence: dict[str, int] = field(default_factory=dict)

    # -- households ------------------------------------------------------------------------
    def add_households_file(self, file: Path) -> None:
        top = Fields.read(file)
        top.reject_unknown({"household", "register", "honseki_registration"})
        for register in top.tables("register"):
            self.add_register_spec(register)
        for household in top.tables("household"):
            self.add_household(household)
        for link in top.tables("honseki_registration"):
            self._add_link_spec(link)

    def add_register_spec(self, spec: Fields) -> None:
        spec.reject_unknown(REGISTER_FIELDS)
        register_id = spec.text("id")
        if register_id in self.register_specs:
            raise spec.error("id", f"register {register_id!r} is defined twice")
        code = spec.text("municipality")
        if code not in self.municipalities:
            raise spec.error("municipality", f"no municipality {code!r} in the world")
        self.register_specs[register_id] = spec

    def _municipality(self, spec: Fields, key: str) -> Municipality:
        code = spec.text(key)
        if code not in self.municipalities:
            raise spec.error(key, f"no municipality {code!r} in the world")
        return self.municipalities[code]

    def _next_id(self, code: str) -> str:
        number = self._sequence.get(code, 0) + 1
        self._sequence[code] = number
        return f"{code}-{number:04d}"

    def add_household(self, spec: Fields) -> None:
        spec.reject_unknown(_HOUSEHOLD_FIELDS)
        household_id = spec.text("id")
        if household_id in self.households:
            raise spec.error("id", f"household {household_id!r} is defined twice")
        municipality = self._municipality(spec, "municipality")
        members = spec.tables("member")
        if not members:
            raise spec.error("member", "a household has at least one member")
        facts = [self._person_facts(member) for member in members]
        address = spec.text("address", "")
        if not address:
            persona_addresses = [f.address for f in facts if f.address]
            if not persona_addresses:
                raise spec.error("address", "is required when no member is a persona")
            address = persona_addresses[0]
        if not address.startswith(municipality.address_prefix):
            raise spec.error("address", f"{address!r} is not in {municipality.address_prefix}")
        since = spec.day("address_since")
        previous = spec.text("previous_address", "") or None
        member_ids: list[str] = []
        head_id = ""
        for member, person in zip(members, facts, strict=True):
            resident_id = self._next_id(municipality.code)
            relationship = member.text("relationship")
            if relationship == "世帯主":
                if head_id:
                    raise member.error("relationship", "a household has one 世帯主")
                head_id = resident_id
            pending = self._resident(
                spec,
                member,
                person,
                resident_id,
                household_id,
                municipality,
                address,
                since,
                previous,
            )
            self.residents[resident_id] = pending
            member_ids.append(resident_id)
            if person.persona_id:
                if person.persona_id in self.used_personas:
                    raise member.error(
                        "persona", f"persona {person.persona_id!r} is in two households"
                    )
                self.used_personas[person.persona_id] = resident_id
        if not head_id:
            raise spec.error("member", "no member is the 世帯主")
        self.households[household_id] = Household(
            household_id=household_id,
            municipality_code=municipality.code,
            address=address,
            head_id=head_id,
            member_ids=tuple(member_ids),
        )

    def _person_facts(self, spec: Fields) -> PersonaFacts:
        """Name, birth, sex (and for personas address, My Number, card) of a person spec."""
        if spec.has("persona"):
            persona_id = spec.text("persona")
            facts = self.personas.get(persona_id)
            if facts is None:
                raise spec.error("persona", f"no persona {persona_id!r} in hw_sim/personas.py")
            return facts
        name = spec.text("name")
        kana = spec.text("kana", "")
        return PersonaFacts(
            persona_id=None,
            name=split_name(spec, "name", name, kana),
            birth_date=spec.day("birth_date"),
            sex=spec.choice("sex", {"1": "1", "2": "2"}),
        )

    def _resident(
        self,
        household: Fields,
        member: Fields,
        person: PersonaFacts,
        resident_id: str,
        household_id: str,
        municipality: Municipality,
        address: str,
        household_since: date,
        previous: str | None,
    ) -> _PendingResident:
        member.reject_unknown(_MEMBER_FIELDS)
        if person.address and person.address != address:
            raise member.error(
                "persona", f"the persona lives at {person.address!r}, not {address!r}"
            )
        if person.municipality_code and person.municipality_code != municipality.code:
            raise member.error("persona", f"the persona belongs to {person.municipality_code}")
        birth = person.birth_date
        since = member.day("address_since", max(household_since, birth))
        born_here = birth >= since
        became = member.day("became_resident_on", birth if born_here else since)
        my_number = (
            member.text("my_number", "") or person.my_number or synthetic_my_number(resident_id)
        )
        events: list[ResidenceEventRecord] = []
        if born_here:
            events.append(ResidenceEventRecord("出生", birth, birth + timedelta(days=5)))
        elif previous:
            kind = "転居" if previous.startswith(municipality.address_prefix) else "転入"
            if (
                not previous.startswith(("北海道", "東京都", "大阪府", "京都府"))
                and "県" not in previous
            ):
                kind = "国外から転入"
            events.append(ResidenceEventRecord(kind, since, since + timedelta(days=7), previous))
        moved_out_on = member.day("moved_out_on", household.day("moved_out_on", None))
        moved_out_to = member.text("moved_out_to", household.text("moved_out_to", "")) or None
        if moved_out_on is not None:
            events.append(
                ResidenceEventRecord(
                    "転出", moved_out_on, moved_out_on - timedelta(days=10), moved_out_to or ""
                )
            )
        foreign = foreign_status(member.table("foreign")) if member.has("foreign") else None
        seal = (
            seal_of(member.table("seal"), municipality.code, resident_id)
            if member.has("seal")
            else None
        )
        income = None
        if member.has("income"):
            table = member.table("income")
            table.reject_unknown({"kind", "revenue", "collection", "arrears"})
            income = _Income(
                kind=table.choice(
                    "kind", {k: k for k in ("給与", "公的年金等", "営業等", "不動産", "雑")}
                ),
                revenue=table.integer("revenue", minimum=0),
                collection=table.choice(
                    "collection", {"特別徴収": "特別徴収", "普通徴収": "普通徴収"}, "特別徴収"
                ),
                arrears=table.flag("arrears", False),
            )
        resident = Resident(
            resident_id=resident_id,
            municipality_code=municipality.code,
            household_id=household_id,
            name=person.registered_name or person.name,
            birth_date=birth,
            sex=person.sex,
            relationship=member.text("relationship"),
            address=address,
            became_resident_on=became,
            address_since=since,
            address_notified_on=since + timedelta(days=5 if born_here else 7),
            previous_address=None if born_here else previous,
            my_number=my_number,
            honseki=member.text("honseki", "") or None,
            hittosha=member.text("hittosha", "") or None,
            foreign=foreign,
            seal=seal,
            events=tuple(events),
            card_identifier=person.card_identifier,
            persona_id=person.persona_id,
            moved_out_on=moved_out_on,
            moved_out_to=moved_out_to,
            support_measures=member.flag(
                "support_measures", household.flag("support_measures", False)
            ),
        )
        if (resident.honseki is None) != (resident.hittosha is None):
            raise member.error("honseki", "本籍 and 筆頭者 go together")
        register_id = member.text("register", household.text("register", ""))
        return _PendingResident(resident, income, member, register_id)

    def _add_link_spec(self, spec: Fields) -> None:
        spec.reject_unknown({"persona", "municipality", "register", "person", "registered_on"})
        persona_id = spec.text("persona")
        facts = self.personas.get(persona_id)
        if facts is None or facts.card_identifier is None:
            raise spec.error("persona", f"no persona {persona_id!r} with a card")
        municipality = self._municipality(spec, "municipality")
        registered_on = spec.day("registered_on")
        self.links.append(
            HonsekiLink(
                municipality_code=municipality.code,
                card_identifier=facts.card_identifier,
                register_id=spec.text("register"),
                person_id=spec.text("person"),
                application_number=f"{municipality.code}{registered_on:%y%m%d}0001",
                registered_on=registered_on,
            )
        )

    # -- linking ---------------------------------------------------------------------------
    def build(self) -> WorldData:
        """Link residents to registers, assess taxes, index cards."""
        registers = {
            rid: build_register(rid, spec, self.municipalities, self._person_facts)
            for rid, spec in self.register_specs.items()
        }
        residents: dict[str, Resident] = {}
        for resident_id, pending in self.residents.items():
            resident = pending.resident
            member = pending.spec
            household = self.households[resident.household_id]
            register_id = pending.register_id
            if member.has("register_person"):
                if not register_id or register_id not in registers:
                    raise member.error(
                        "register", f"no register {register_id!r} for register_person"
                    )
                register = registers[register_id]
                person_id = member.text("register_person")
                try:
                    person = register.person(person_id)
                except KeyError:
                    raise member.error(
                        "register_person", f"{person_id!r} is not in register {register_id!r}"
                    ) from None
                if person.birth_date != resident.birth_date or person.sex != resident.sex:
                    raise member.error(
                        "register_person", "birth date or sex differs from the register"
                    )
                resident = replace(
                    resident,
                    honseki=register.honseki,
                    hittosha=register.head.name.full,
                    register_ref=(register_id, person_id),
                )
            resident = replace(
                resident, tax_records=self._taxes(resident, pending.income, household)
            )
            residents[resident_id] = resident
        registers = {rid: link_residents(reg, residents) for rid, reg in registers.items()}
        cards = {r.card_identifier: r.resident_id for r in residents.values() if r.card_identifier}
        for index, link in enumerate(self.links):
            linked = registers.get(link.register_id)
            if linked is None or linked.municipality_code != link.municipality_code:
                raise WorldDataError(
                    HOUSEHOLDS_FILE,
                    f"honseki_registration[{index}].register",
                    "no such register in that municipality",
                )
            linked.person(link.person_id)
        return WorldData(
            municipalities=self.municipalities,
            residents=residents,
            households=self.households,
            registers=registers,
            cards=cards,
            honseki_links=tuple(self.links),
        )

    def _taxes(
        self, resident: Resident, income: _Income | None, household: Household
    ) -> tuple[TaxRecord, ...]:
        municipality = self.municipalities[resident.municipality_code]
        records = []
        members = [self.residents[m].resident for m in household.member_ids]
        spouse = _spouse_of(resident, household, members)
        for year in range(FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR + 1):
            assessment_day = date(year, 1, 1)  # 賦課期日 (地方税法 第318条)
            if (
                resident.became_resident_on > assessment_day
                or age_on(resident.birth_date, date(year - 1, 12, 31)) < 18
            ):
                continue
            if resident.moved_out_on is not None and resident.moved_out_on < assessment_day:
                continue
            address = (
                resident.address
                if resident.address_since <= assessment_day
                else resident.previous_address
            )
            if not address or not address.startswith(municipality.address_prefix):
                address = resident.address
            incomes = ((income.kind, income.revenue),) if income and income.revenue else ()
            spouse_income = None
            if spouse is not None and income is not None:
                spouse_pending = self.residents[spouse.resident_id]
                other = spouse_pending.income
                spouse_income = 0 if other is None else _income_total(other)
                if other is not None and _income_total(other) > _income_total(income):
                    spouse_income = None  # the higher earner claims the spouse
            children = [
                m
                for m in members
                if m.relationship == "子"
                and self.residents[m.resident_id].income is None
                and resident.relationship in ("世帯主",)
                and m.birth_date < assessment_day
            ]
            over_16 = sum(1 for c in children if age_on(c.birth_date, date(year - 1, 12, 31)) >= 16)
            records.append(
                assess(
                    fiscal_year=year,
                    municipality_code=municipality.code,
                    address=address,
                    incomes=incomes,
                    spouse_income=spouse_income,
                    dependents_16_plus=over_16,
                    dependents_total=len(children),
                    collection=income.collection if income else "普通徴収",
                    arrears=income.arrears if income else False,
                )
            )
        return tuple(records)


def _income_total(income: _Income) -> int:
    from hw_sim.world.taxes import income_of

    return income_of(income.kind, income.revenue)


def _spouse_of(
    resident: Resident, household: Household, members: list[Resident]
) -> Resident | None:
    partners = {"妻", "夫"}
    if resident.relationship == "世帯主":
        return next((m for m in members if m.relationship in partners), None)
    if resident.relationship in partners:
        return next((m for m in members if m.resident_id == household.head_id), None)
    return None


def build_world(
    municipality_dir: Path = MUNICIPALITY_DIR,
    households_file: Path = HOUSEHOLDS_FILE,
    personas: PersonaSource | None = None,
    generated: bool = True,
) -> WorldData:
    """The whole world: municipalities, persona households, generated households."""
    from hw_sim.world.generator import generated_specs

    municipalities = load_municipalities(municipality_dir)
    builder = WorldBuilder(municipalities, personas or default_persona_source())
    builder.add_households_file(households_file)
    if generated:
        for register, household in generated_specs(municipalities):
            builder.add_register_spec(register)
            builder.add_household(household)
    return builder.build()
