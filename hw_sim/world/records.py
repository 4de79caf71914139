"""The records of the simulated world: residents and households (住民基本台帳), registered seals
(印鑑登録), tax records (個人住民税) and family registers with their 附票 (戸籍).

Plain frozen dataclasses built by :mod:`hw_sim.world.builder`; the municipality servers turn
them into printing.documents objects. All people are synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from hw_sim.world.municipalities import Municipality, age_on


@dataclass(frozen=True)
class Name:
    """A registered name: family and given name with their reading (katakana)."""

    family: str
    given: str
    family_kana: str = ""
    given_kana: str = ""

    @property
    def full(self) -> str:
        """Family and given name separated by U+3000 (as the card stores names)."""
        return f"{self.family}\u3000{self.given}" if self.given else self.family


@dataclass(frozen=True)
class ForeignStatus:
    """住民基本台帳法 第30条の45 items of a foreign resident."""

    nationality: str  # 国籍・地域 in Japanese, e.g. アメリカ合衆国
    status: str  # 在留資格
    category: str  # 30条45規定区分, e.g. 中長期在留者
    card_number: str  # 在留カード番号, AA12345678BB
    period: str | None = None  # 在留期間, e.g. ５年
    period_expires_on: date | None = None
    alias: str | None = None  # 通称


@dataclass(frozen=True)
class Seal:
    """A registered seal (印鑑登録): what is engraved, its outline and size."""

    registration_number: str
    registered_on: date
    text: str
    shape: str = "round"  # printing.documents.SealShape value
    size_mm: float = 15.0


@dataclass(frozen=True)
class IncomeSource:
    """One kind of income of a calendar year: 給与, 公的年金等, 営業等 …"""

    kind: str
    revenue_yen: int
    income_yen: int


@dataclass(frozen=True)
class TaxRecord:
    """個人住民税 of one fiscal year (年度), assessed on the 1 January address (賦課期日)."""

    fiscal_year: int
    address: str
    incomes: tuple[IncomeSource, ...]
    deductions: tuple[tuple[str, int], ...]
    taxable_income_yen: int
    municipal_income_levy_yen: int
    municipal_per_capita_yen: int
    prefectural_income_levy_yen: int
    prefectural_per_capita_yen: int
    spouse: bool
    dependents: int
    collection: str  # 特別徴収 (withheld by the employer, 12 months) or 普通徴収 (4 instalments)
    arrears: bool = False  # instalments left unpaid (納税証明書 shows 未納)

    @property
    def total_tax_yen(self) -> int:
        return (
            self.municipal_income_levy_yen
            + self.municipal_per_capita_yen
            + self.prefectural_income_levy_yen
            + self.prefectural_per_capita_yen
        )

    @property
    def nontaxable(self) -> bool:
        return self.total_tax_yen == 0


@dataclass(frozen=True)
class ResidenceEventRecord:
    kind: str  # 転入, 転居, 出生, 転出 …
    occurred_on: date
    notified_on: date | None = None
    detail: str = ""


@dataclass(frozen=True)
class Resident:
    """A person in a municipality's resident register (住民票)."""

    resident_id: str  # "<code>-<4 digits>", opaque to the center
    municipality_code: str
    household_id: str
    name: Name
    birth_date: date
    sex: str  # JIS X 0303: "1" male, "2" female
    relationship: str  # 続柄 to the 世帯主
    address: str
    became_resident_on: date
    address_since: date  # 住定日
    address_notified_on: date | None
    previous_address: str | None
    my_number: str
    honseki: str | None = None  # None for foreign residents
    hittosha: str | None = None
    register_ref: tuple[str, str] | None = None  # (register id, person id) of the 戸籍
    foreign: ForeignStatus | None = None
    seal: Seal | None = None
    tax_records: tuple[TaxRecord, ...] = ()
    events: tuple[ResidenceEventRecord, ...] = ()
    card_identifier: str | None = None
    persona_id: str | None = None
    moved_out_on: date | None = None  # 転出: the record is closed from this day
    moved_out_to: str | None = None
    support_measures: bool = False  # DV・ストーカー等支援措置

    def age_on(self, day: date) -> int:
        return age_on(self.birth_date, day)

    def tax_record(self, fiscal_year: int) -> TaxRecord | None:
        for record in self.tax_records:
            if record.fiscal_year == fiscal_year:
                return record
        return None


@dataclass(frozen=True)
class Household:
    """A 世帯: its address, its head and its members in registry order."""

    household_id: str
    municipality_code: str
    address: str
    head_id: str
    member_ids: tuple[str, ...]


@dataclass(frozen=True)
class RegisterEvent:
    """A 身分事項 or 戸籍事項 with its 【label】value details (a value is text or a date)."""

    kind: str
    details: tuple[tuple[str, str | date], ...]


@dataclass(frozen=True)
class RegisterPerson:
    """A person recorded in a family register, with his or her 附票 address history."""

    person_id: str
    name: Name  # the 氏 is the register's while the person is in it
    birth_date: date
    sex: str
    father: str | None
    mother: str | None
    relationship: str  # 長男, 長女 … ("" for a spouse who entered by marriage)
    spouse_role: str | None  # 夫 / 妻
    events: tuple[RegisterEvent, ...]
    addresses: tuple[tuple[str, date], ...]  # 附票: (address, 住定日), oldest first
    removed: bool = False  # 除籍
    resident_id: str | None = None  # the resident record, when the person lives in the world


@dataclass(frozen=True)
class FamilyRegister:
    """A 戸籍 held by its 本籍地 municipality."""

    register_id: str
    municipality_code: str
    honseki: str
    head_person_id: str  # 筆頭者
    register_events: tuple[RegisterEvent, ...]
    persons: tuple[RegisterPerson, ...]

    @property
    def head(self) -> RegisterPerson:
        return self.person(self.head_person_id)

    def person(self, person_id: str) -> RegisterPerson:
        for person in self.persons:
            if person.person_id == person_id:
                return person
        raise KeyError(person_id)


@dataclass(frozen=True)
class HonsekiLink:
    """A completed 本籍地 usage registration present from the start (e.g. the honseki persona)."""

    municipality_code: str
    card_identifier: str
    register_id: str
    person_id: str
    application_number: str
    registered_on: date


@dataclass
class WorldData:
    """Everything static in the world, indexed for the servers."""

    municipalities: dict[str, Municipality]
    residents: dict[str, Resident] = field(default_factory=dict)
    households: dict[str, Household] = field(default_factory=dict)
    registers: dict[str, FamilyRegister] = field(default_factory=dict)
    cards: dict[str, str] = field(default_factory=dict)  # card identifier → resident id
    honseki_links: tuple[HonsekiLink, ...] = ()

    def household_of(self, resident: Resident) -> Household:
        return self.households[resident.household_id]

    def members_of(self, household: Household) -> list[Resident]:
        return [self.residents[member_id] for member_id in household.member_ids]

    def residents_of(self, code: str) -> list[Resident]:
        return [r for r in self.residents.values() if r.municipality_code == code]
