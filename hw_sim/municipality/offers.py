"""The offer computation: for a resident (or a registered card, 本籍地) at ``now``, which
certificates a municipality offers, with which options and fees, and which are closed and why.

Order of the checks (the first that applies is the reason):

1. resident-level refusals (a :class:`Refusal` for the whole offer): resident_not_found,
   not_offered (municipality not participating), moved_out, support_measures,
   under_age_excluded, characters_not_supported;
2. per certificate, time: year_end_closure (12/29–1/3, where the municipality closes), a posted
   maintenance window, weekdays_only (開庁日 only, e.g. 戸籍 on a Saturday or holiday),
   out_of_hours (before the start or from the end of the certificate's hours);
3. per certificate, records: no_record (no registered seal, no tax record in the years issued,
   no family register held here).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import assert_never

from hw_sim.world.calendar import in_year_end_closure, is_office_day, to_jst
from hw_sim.world.charset import is_printable
from hw_sim.world.municipalities import (
    CertificateConfig,
    MaintenanceWindow,
    Municipality,
    age_on,
)
from hw_sim.world.records import FamilyRegister, Household, Resident, WorldData
from kiosk.domain import (
    HouseholdMember,
    NoticeKind,
    NoticeText,
    OfferedCertificate,
    OptionRules,
    RefusalReason,
)
from printing.certificates import (
    CertificateFamily,
    CertificateKind,
    Jurisdiction,
    KosekiScope,
    Scope,
)

# Municipalities that exclude children exclude those under 15 (the age from which a resident
# may apply without a legal representative; the source document names 宮崎市 as an example).
EXCLUSION_AGE = 15
# 個人住民税: a fiscal year's assessment is published (当初課税) in June of that year.
TAX_PUBLICATION_MONTH = 6


def member_ids(household: Household) -> dict[str, str]:
    """resident id → the opaque member id of the offer (m1, m2 … in registry order)."""
    return {resident_id: f"m{index + 1}" for index, resident_id in enumerate(household.member_ids)}


def current_members(world: WorldData, household: Household, today: date) -> list[Resident]:
    """The members still registered on ``today`` (a member who moved out is left out)."""
    return [
        r for r in world.members_of(household) if r.moved_out_on is None or r.moved_out_on > today
    ]


def resident_refusal(
    municipality: Municipality, resident: Resident | None, now: datetime
) -> RefusalReason | None:
    """The reason the whole service is refused to this resident, if any."""
    today = to_jst(now).date()
    if resident is None or resident.municipality_code != municipality.code:
        return RefusalReason.RESIDENT_NOT_FOUND
    if not municipality.participates:
        return RefusalReason.NOT_OFFERED
    if resident.moved_out_on is not None and resident.moved_out_on <= today:
        return RefusalReason.MOVED_OUT
    if resident.support_measures:
        return RefusalReason.SUPPORT_MEASURES
    if municipality.excludes_under_15 and age_on(resident.birth_date, today) < EXCLUSION_AGE:
        return RefusalReason.UNDER_AGE_EXCLUDED
    texts = [resident.name.full, resident.address, resident.honseki or "", resident.hittosha or ""]
    if not all(is_printable(text) for text in texts):
        return RefusalReason.CHARACTERS_NOT_SUPPORTED
    return None


def time_refusal(
    municipality: Municipality,
    config: CertificateConfig,
    now: datetime,
    extra_maintenance: list[tuple[datetime, datetime]],
) -> RefusalReason | None:
    """Why ``config.kind`` cannot be issued at ``now`` (JST), or None when it can."""
    local = to_jst(now)
    day = local.date()
    if municipality.year_end_closure and in_year_end_closure(day):
        return RefusalReason.YEAR_END_CLOSURE
    if any(window.covers(local, config.kind) for window in municipality.maintenance) or any(
        start <= local < end for start, end in extra_maintenance
    ):
        return RefusalReason.MAINTENANCE
    if config.office_days_only and not is_office_day(day):
        return RefusalReason.WEEKDAYS_ONLY
    start, end = config.hours
    if not start <= local.time().replace(tzinfo=None) < end:
        return RefusalReason.OUT_OF_HOURS
    return None


def published_fiscal_year(now: datetime) -> int:
    """The latest fiscal year whose 個人住民税 is assessed and published at ``now``."""
    local = to_jst(now)
    return local.year if local.month >= TAX_PUBLICATION_MONTH else local.year - 1


def tax_years(resident: Resident, config: CertificateConfig, now: datetime) -> tuple[int, ...]:
    """The fiscal years a tax certificate can be issued for, newest first."""
    latest = published_fiscal_year(now)
    window = range(latest, latest - config.tax_years, -1)
    years = []
    for year in window:
        record = resident.tax_record(year)
        if record is None:
            continue
        if config.kind is CertificateKind.TAX_PAYMENT and record.nontaxable:
            continue  # nothing assessed, nothing to certify as paid
        years.append(year)
    return tuple(years)


def _residence_rules(
    config: CertificateConfig, resident: Resident, members: list[Resident]
) -> OptionRules:
    scopes = config.scopes if len(members) > 1 else (Scope.SELF,)
    if len(members) > 1 and not all(is_printable(m.name.full) for m in members):
        scopes = (Scope.SELF,)  # a member's name cannot be printed: only the applicant's entry
    return OptionRules(
        scopes=scopes,
        head_and_relationship=config.head_and_relationship,
        honseki=config.honseki and any(m.honseki for m in members),
        my_number=config.my_number,
        foreign_items=config.foreign_items and any(m.foreign for m in members),
        max_copies=config.max_copies,
    )


def certificate_for_resident(
    world: WorldData,
    municipality: Municipality,
    config: CertificateConfig,
    resident: Resident,
    now: datetime,
    extra_maintenance: list[tuple[datetime, datetime]],
) -> OfferedCertificate:
    """One line of a resident's (住所地) offer."""
    kind = config.kind
    today = to_jst(now).date()
    reason = time_refusal(municipality, config, now, extra_maintenance)
    rules = OptionRules(max_copies=config.max_copies)
    record_missing = False
    family = kind.family
    match family:
        case CertificateFamily.JUMINHYO:
            members = current_members(world, world.household_of(resident), today)
            rules = _residence_rules(config, resident, members)
        case CertificateFamily.INKAN:
            record_missing = resident.seal is None
        case CertificateFamily.TAX:
            years = tax_years(resident, config, now)
            rules = OptionRules(fiscal_years=years, max_copies=config.max_copies)
            record_missing = not years
        case CertificateFamily.KOSEKI:  # a register held here (本籍地 = 住所地)
            register = register_held_here(world, municipality, resident)
            record_missing = register is None
            person = resident.register_ref[1] if resident.register_ref else None
            rules = register_rules(config, register, person)
        case _:
            assert_never(family)
    if reason is None and record_missing:
        reason = RefusalReason.NO_RECORD
    return OfferedCertificate(
        kind=kind,
        jurisdiction=Jurisdiction.RESIDENCE,
        fee_yen=config.fee_yen,
        counter_fee_yen=config.counter_fee_yen,
        rules=rules,
        available=reason is None,
        unavailable_reason=None if reason is None else reason.value,
        hours=config.hours,
    )


def person_ids(register: FamilyRegister) -> dict[str, str]:
    """register person id → the opaque person id of the offer (p1, p2 … in register order)."""
    return {person.person_id: f"p{index + 1}" for index, person in enumerate(register.persons)}


def register_rules(
    config: CertificateConfig, register: FamilyRegister | None, person_id: str | None
) -> OptionRules:
    """A 戸籍 or 附票 line: the scopes, the register's persons the resident may ask for (those
    still in it whose names print; listed only where there is a choice) and, for the 附票,
    whether 本籍・筆頭者 may be shown."""
    persons: tuple[HouseholdMember, ...] = ()
    self_id = None
    if register is not None and person_id is not None:
        ids = person_ids(register)
        people = [p for p in register.persons if not p.removed and is_printable(p.name.full)]
        if len(people) > 1 and any(p.person_id == person_id for p in people):
            persons = tuple(HouseholdMember(ids[p.person_id], p.name.full) for p in people)
            self_id = ids[person_id]
    return OptionRules(
        koseki_scopes=koseki_scopes(config),
        honseki=config.kind is CertificateKind.KOSEKI_FUHYO and config.honseki,
        max_copies=config.max_copies,
        persons=persons,
        self_person_id=self_id,
    )


def koseki_scopes(config: CertificateConfig) -> tuple[KosekiScope, ...]:
    """全部事項/個人事項 choices; the 附票 offers both as well (everyone, or the applicant)."""
    if config.kind is CertificateKind.KOSEKI:
        return config.koseki_scopes
    return (KosekiScope.ALL, KosekiScope.INDIVIDUAL)


def register_held_here(
    world: WorldData, municipality: Municipality, resident: Resident
) -> FamilyRegister | None:
    """The resident's family register when this municipality holds it (本籍地 = 住所地)."""
    if resident.register_ref is None:
        return None
    register = world.registers.get(resident.register_ref[0])
    if register is None or register.municipality_code != municipality.code:
        return None
    return register


def household_members(
    world: WorldData, resident: Resident, today: date
) -> tuple[HouseholdMember, ...]:
    """The household as the kiosk shows it for 世帯の一部 (only when there is a choice)."""
    household = world.household_of(resident)
    members = current_members(world, household, today)
    if len(members) < 2:
        return ()
    ids = member_ids(household)
    return tuple(HouseholdMember(ids[m.resident_id], m.name.full) for m in members)


def honseki_certificate(
    municipality: Municipality,
    config: CertificateConfig,
    now: datetime,
    extra_maintenance: list[tuple[datetime, datetime]],
    register: FamilyRegister | None = None,
    person_id: str | None = None,
) -> OfferedCertificate:
    """One line of a 本籍地 offer (戸籍 or 附票 for a registered card)."""
    reason = time_refusal(municipality, config, now, extra_maintenance)
    return OfferedCertificate(
        kind=config.kind,
        jurisdiction=Jurisdiction.HONSEKI,
        fee_yen=config.fee_yen,
        counter_fee_yen=config.counter_fee_yen,
        rules=register_rules(config, register, person_id),
        available=reason is None,
        unavailable_reason=None if reason is None else reason.value,
        hours=config.hours,
    )


def windows_note(windows: tuple[MaintenanceWindow, ...]) -> tuple[NoticeText, ...]:
    """Notes of the recurring maintenance windows, for the offer's notices (in Japanese only,
    as municipalities post them: the kiosk says in the resident's language what they are
    about)."""
    names = "月火水木金土日"
    notes = []
    for window in windows:
        if window.rule == "once":
            continue
        when = (
            f"毎週{names[window.weekday]}曜日"
            if window.rule == "weekly"
            else (f"毎月第{window.nth}{names[window.weekday]}曜日")
        )
        notes.append(
            NoticeText.japanese(
                f"{when} {window.start:%H:%M}〜{window.end:%H:%M} は"
                f"{window.note or '保守'}のため交付を停止します。",
                NoticeKind.MAINTENANCE,
            )
        )
    return tuple(notes)
