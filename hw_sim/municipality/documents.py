"""From the world's records to printing.documents objects: what a municipality certificate
server (証明発行サーバ) hands to the renderer. Only what the request selects goes in where the
document model selects by options (住民票: the renderer prints ``options``' selection; 戸籍:
個人事項 names the subject), and members who moved out are never part of a household.

:func:`residence_document` is the registry of builders: one case per certificate kind, checked
by mypy; a new kind is its builder and its case, both in this module.
"""

from __future__ import annotations

from datetime import date
from typing import assert_never

from hw_sim.municipality.offers import (
    current_members,
    member_ids,
    person_ids,
    register_held_here,
)
from hw_sim.world.municipalities import Municipality
from hw_sim.world.records import FamilyRegister, Name, Resident, TaxRecord, WorldData
from hw_sim.world.taxes import paid_by
from kiosk.domain import RefusalReason
from printing.certificates import (
    CertificateKind,
    CertificateRequest,
    FuhyoOptions,
    JuminhyoOptions,
    KosekiOptions,
    KosekiScope,
    TaxOptions,
)
from printing.documents import (
    AmountLine,
    ForeignResidentCategory,
    ForeignResidentItems,
    FuhyoCopy,
    FuhyoEntry,
    FuhyoPerson,
    Household,
    IncomeLine,
    IncomeTaxCertificate,
    InkanCertificate,
    Issuer,
    JuminhyoCopy,
    KisaiJikoCertificate,
    KosekiCertificate,
    KosekiDetail,
    KosekiEvent,
    KosekiMember,
    PersonName,
    ResidenceEvent,
    SealImpression,
    SealShape,
    Sex,
    TaxPaymentCertificate,
    TaxPaymentLine,
)
from printing.documents import Document as Document
from printing.documents import Resident as DocumentResident

_SEX = {"1": Sex.MALE, "2": Sex.FEMALE}


def issuer(municipality: Municipality) -> Issuer:
    return Issuer(
        municipality_code=municipality.code,
        prefecture=municipality.prefecture,
        name=municipality.name,
        head_name=municipality.mayor.name,
    )


def person_name(name: Name) -> PersonName:
    return PersonName(name.family, name.given, name.family_kana, name.given_kana)


def _document_resident(resident: Resident, member_id: str) -> DocumentResident:
    foreign = None
    if resident.foreign is not None:
        status = resident.foreign
        foreign = ForeignResidentItems(
            nationality=status.nationality,
            status=status.status,
            category=ForeignResidentCategory(status.category),
            card_number=status.card_number,
            period=status.period,
            period_expires_on=status.period_expires_on,
            alias=status.alias,
        )
    return DocumentResident(
        member_id=member_id,
        name=person_name(resident.name),
        birth_date=resident.birth_date,
        sex=_SEX[resident.sex],
        relationship=resident.relationship,
        became_resident_on=resident.became_resident_on,
        address_since=resident.address_since,
        address_notified_on=resident.address_notified_on,
        previous_address=resident.previous_address,
        honseki=resident.honseki,
        hittosha=resident.hittosha,
        my_number=resident.my_number,
        foreign=foreign,
        events=tuple(
            ResidenceEvent(e.kind, e.occurred_on, e.notified_on, e.detail)
            for e in resident.events
            if e.kind != "転出"
        ),
    )


def juminhyo(
    world: WorldData,
    municipality: Municipality,
    resident: Resident,
    options: JuminhyoOptions,
    today: date,
    document_number: str,
    *,
    kisai: bool,
) -> JuminhyoCopy | KisaiJikoCertificate:
    """住民票の写し or 記載事項証明書 of the resident's household (the options select)."""
    household = world.household_of(resident)
    ids = member_ids(household)
    members = tuple(
        _document_resident(m, ids[m.resident_id]) for m in current_members(world, household, today)
    )
    cls = KisaiJikoCertificate if kisai else JuminhyoCopy
    return cls(
        issuer=issuer(municipality),
        issued_on=today,
        document_number=document_number,
        household=Household(household.address, ids[household.head_id], members),
        applicant_id=ids[resident.resident_id],
        options=options,
    )


def inkan(
    municipality: Municipality, resident: Resident, today: date, document_number: str
) -> InkanCertificate:
    """印鑑登録証明書 of the resident's registered seal (the caller checked there is one)."""
    seal = resident.seal
    if seal is None:
        raise ValueError("no registered seal")
    return InkanCertificate(
        issuer=issuer(municipality),
        issued_on=today,
        document_number=document_number,
        name=person_name(resident.name),
        birth_date=resident.birth_date,
        address=resident.address,
        seal=SealImpression(seal.text, SealShape(seal.shape), seal.size_mm),
        sex=_SEX[resident.sex],
        alias=resident.foreign.alias if resident.foreign else None,
    )


def income_tax(
    municipality: Municipality,
    resident: Resident,
    record: TaxRecord,
    today: date,
    document_number: str,
) -> IncomeTaxCertificate:
    """所得・課税（非課税）証明書 of one fiscal year."""
    return IncomeTaxCertificate(
        issuer=issuer(municipality),
        issued_on=today,
        document_number=document_number,
        fiscal_year=record.fiscal_year,
        name=person_name(resident.name),
        birth_date=resident.birth_date,
        address=record.address,
        income=tuple(IncomeLine(s.kind, s.income_yen, s.revenue_yen) for s in record.incomes),
        deductions=tuple(AmountLine(label, amount) for label, amount in record.deductions),
        taxable_income_yen=record.taxable_income_yen,
        municipal_income_levy_yen=record.municipal_income_levy_yen,
        municipal_per_capita_yen=record.municipal_per_capita_yen,
        prefectural_income_levy_yen=record.prefectural_income_levy_yen,
        prefectural_per_capita_yen=record.prefectural_per_capita_yen,
        spouse=record.spouse,
        dependents=record.dependents,
    )


def tax_item(municipality: Municipality, collection: str) -> str:
    """The name of the individual inhabitant tax as the issuer calls it, e.g.
    特別区民税・都民税（普通徴収）, 市民税・府民税（特別徴収）, 町民税・県民税."""
    local = {"区": "特別区民税", "市": "市民税", "町": "町民税", "村": "村民税"}[
        municipality.name[-1]
    ]
    prefectural = {"都": "都民税", "道": "道民税", "府": "府民税", "県": "県民税"}[
        municipality.prefecture[-1]
    ]
    return f"{local}・{prefectural}（{collection}）"


def tax_payment(
    municipality: Municipality,
    resident: Resident,
    record: TaxRecord,
    today: date,
    document_number: str,
) -> TaxPaymentCertificate:
    """納税証明書 of one fiscal year: assessed, and paid as of ``today``."""
    return TaxPaymentCertificate(
        issuer=issuer(municipality),
        issued_on=today,
        document_number=document_number,
        name=person_name(resident.name),
        address=resident.address,
        lines=(
            TaxPaymentLine(
                tax_item(municipality, record.collection),
                record.fiscal_year,
                record.total_tax_yen,
                paid_by(record, today),
            ),
        ),
    )


def _event(kind: str, details: tuple[tuple[str, str | date], ...]) -> KosekiEvent:
    return KosekiEvent(kind, tuple(KosekiDetail(label, value) for label, value in details))


def koseki(
    municipality: Municipality,
    register: FamilyRegister,
    subject_ids: tuple[str, ...],
    scope: KosekiScope,
    today: date,
    document_number: str,
) -> KosekiCertificate:
    """戸籍全部事項証明書 (everyone) or 個人事項証明書 (of ``subject_ids``: the applicant, or the
    person of the register the applicant asked for)."""
    members = tuple(
        KosekiMember(
            member_id=p.person_id,
            given_name=p.name.given,
            birth_date=p.birth_date,
            father=p.father,
            mother=p.mother,
            relationship=p.relationship,
            spouse_role=p.spouse_role,
            events=tuple(_event(e.kind, e.details) for e in p.events),
            removed=p.removed,
        )
        for p in register.persons
    )
    return KosekiCertificate(
        issuer=issuer(municipality),
        issued_on=today,
        document_number=document_number,
        honseki=register.honseki,
        head=person_name(register.head.name),
        register_events=tuple(_event(e.kind, e.details) for e in register.register_events),
        members=members,
        scope=scope,
        subject_ids=subject_ids if scope is KosekiScope.INDIVIDUAL else (),
    )


def fuhyo(
    municipality: Municipality,
    register: FamilyRegister,
    subject_ids: tuple[str, ...],
    scope: KosekiScope,
    today: date,
    document_number: str,
    *,
    show_honseki: bool = True,
) -> FuhyoCopy:
    """戸籍の附票の写し: the address histories of the register's persons (全部) or of
    ``subject_ids`` (一部), with 本籍・筆頭者 or without."""
    persons = tuple(
        FuhyoPerson(
            member_id=p.person_id,
            name=person_name(p.name),
            birth_date=p.birth_date,
            sex=_SEX[p.sex],
            entries=tuple(FuhyoEntry(address, since) for address, since in p.addresses),
            removed=p.removed,
        )
        for p in register.persons
    )
    return FuhyoCopy(
        issuer=issuer(municipality),
        issued_on=today,
        document_number=document_number,
        honseki=register.honseki,
        head=person_name(register.head.name),
        persons=persons,
        scope=scope,
        subject_ids=subject_ids if scope is KosekiScope.INDIVIDUAL else (),
        show_honseki=show_honseki,
    )


def residence_document(
    world: WorldData,
    municipality: Municipality,
    request: CertificateRequest,
    resident: Resident,
    today: date,
    document_number: str,
) -> Document | RefusalReason:
    """The certificate ``request`` asks of a resident of ``municipality`` (checked against the
    offer already), or why there is none. One case per kind: a new kind is its builder above
    and its case here (mypy checks that the match names every kind)."""
    kind = request.kind
    options = request.options
    match kind:
        case CertificateKind.JUMINHYO | CertificateKind.KISAI_JIKO:
            assert isinstance(options, JuminhyoOptions)  # checked against the offer's rules
            kisai = kind is CertificateKind.KISAI_JIKO
            return juminhyo(
                world, municipality, resident, options, today, document_number, kisai=kisai
            )
        case CertificateKind.INKAN:
            return inkan(municipality, resident, today, document_number)
        case CertificateKind.TAX_INCOME | CertificateKind.TAX_PAYMENT:
            assert isinstance(options, TaxOptions)
            record = resident.tax_record(options.fiscal_year)
            if record is None:
                return RefusalReason.NO_RECORD
            if kind is CertificateKind.TAX_INCOME:
                return income_tax(municipality, resident, record, today, document_number)
            return tax_payment(municipality, resident, record, today, document_number)
        case CertificateKind.KOSEKI | CertificateKind.KOSEKI_FUHYO:
            register = register_held_here(world, municipality, resident)
            if register is None or resident.register_ref is None:
                return RefusalReason.NO_RECORD
            person = resident.register_ref[1]
            return family_document(municipality, request, register, person, today, document_number)
        case _:
            assert_never(kind)


def family_document(
    municipality: Municipality,
    request: CertificateRequest,
    register: FamilyRegister,
    person_id: str,
    today: date,
    document_number: str,
) -> Document:
    """戸籍 or its 附票 from a register this municipality keeps (residence or 本籍地), as asked:
    whose 個人事項 (``person_id``, the applicant, when no person is named), which persons on a
    附票 of 一部, with or without its 本籍・筆頭者 (kept as before for kiosks that ask without
    the 附票's own options)."""
    options = request.options
    by_offer_id = {opaque: real for real, opaque in person_ids(register).items()}
    scope = KosekiScope.ALL
    subjects: tuple[str, ...] = (person_id,)
    show_honseki = True
    if isinstance(options, KosekiOptions):
        scope = options.scope
        if options.person_id is not None:
            subjects = (by_offer_id[options.person_id],)  # checked against the offer's rules
    elif isinstance(options, FuhyoOptions):
        scope = options.scope
        show_honseki = options.show_honseki
        if options.person_ids:
            subjects = tuple(by_offer_id[p] for p in options.person_ids)
    if request.kind is CertificateKind.KOSEKI:
        return koseki(municipality, register, subjects, scope, today, document_number)
    return fuhyo(
        municipality, register, subjects, scope, today, document_number, show_honseki=show_honseki
    )
