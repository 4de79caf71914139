"""Sample documents of every type with fictional people: for tests, the benchmark, the docs'
figures and for other packages to try the renderer with. Names, numbers and addresses are
invented (the 個人番号 values have valid check digits but belong to nobody).
"""

from __future__ import annotations

import dataclasses
from datetime import date

from printing.certificates import JuminhyoOptions, KosekiScope, Scope
from printing.documents._samples_koseki import CHIYODA, fuhyo, koseki, large_koseki
from printing.documents.common import Address, Issuer, PersonName, Sex, my_number_check_digit
from printing.documents.inkan import InkanCertificate, SealImpression, SealShape
from printing.documents.juminhyo import (
    ForeignResidentCategory,
    ForeignResidentItems,
    Household,
    JuminhyoCopy,
    KisaiJikoCertificate,
    ResidenceEvent,
    Resident,
)
from printing.documents.tax import (
    AmountLine,
    IncomeLine,
    IncomeTaxCertificate,
    TaxPaymentCertificate,
    TaxPaymentLine,
)

__all__ = [
    "CHIYODA",
    "ISSUE_DATE",
    "NERIMA",
    "every_type",
    "fuhyo",
    "income_tax",
    "inkan",
    "juminhyo",
    "kisai_jiko",
    "koseki",
    "large_household",
    "large_koseki",
    "mixed_household",
    "my_number",
    "tax_payment",
    "yamada_household",
]

NERIMA = Issuer("131202", "東京都", "練馬区", "豊玉　一郎")
ISSUE_DATE = date(2024, 12, 3)
ADDRESS = "東京都練馬区豊玉北六丁目１２番１号"


def my_number(first_eleven: str) -> str:
    """A 12-digit 個人番号 with a valid check digit (for fictional people)."""
    return first_eleven + str(my_number_check_digit(first_eleven))


def _moved_in(since: date, notified: date, previous: str) -> ResidenceEvent:
    return ResidenceEvent("転入", since, notified, f"{previous}から転入")


def yamada_household() -> Household:
    """A Japanese family of four, the head with a rare-character-free name."""
    moved = date(2015, 4, 1)
    notified = date(2015, 4, 3)
    previous = "埼玉県さいたま市浦和区高砂三丁目１５番１号"
    honseki = "東京都千代田区平河町一丁目１０番地"

    def member(
        member_id: str,
        given: str,
        given_kana: str,
        born: date,
        sex: Sex,
        relationship: str,
        number: str,
        *,
        resident_since: date = moved,
        events: tuple[ResidenceEvent, ...] | None = None,
        previous_address: str | None = previous,
    ) -> Resident:
        return Resident(
            member_id=member_id,
            name=PersonName("山田", given, "ヤマダ", given_kana),
            birth_date=born,
            sex=sex,
            relationship=relationship,
            became_resident_on=resident_since,
            address_since=resident_since,
            address_notified_on=notified if resident_since == moved else resident_since,
            previous_address=previous_address,
            honseki=honseki,
            hittosha="山田　太郎",
            my_number=my_number(number),
            events=events if events is not None else (_moved_in(moved, notified, previous),),
        )

    members = (
        member("R001", "太郎", "タロウ", date(1975, 6, 21), Sex.MALE, "世帯主", "12345678901"),
        dataclasses.replace(  # her 旧氏 (surname before marriage) is recorded on request
            member("R002", "花子", "ハナコ", date(1978, 3, 9), Sex.FEMALE, "妻", "23456789012"),
            former_surname="佐藤",
            former_surname_kana="サトウ",
        ),
        member("R003", "一郎", "イチロウ", date(2005, 11, 30), Sex.MALE, "子", "34567890123"),
        member(
            "R004",
            "さくら",
            "サクラ",
            date(2019, 5, 1),
            Sex.FEMALE,
            "子",
            "45678901234",
            resident_since=date(2019, 5, 1),
            events=(ResidenceEvent("出生", date(2019, 5, 1), date(2019, 5, 10)),),
            previous_address=None,
        ),
    )
    return Household(ADDRESS, "R001", members)


def mixed_household() -> Household:
    """A household with rare characters (髙, 﨑) and a foreign resident with a 通称."""
    head = Resident(
        member_id="M001",
        name=PersonName("髙﨑", "健", "タカサキ", "ケン"),
        birth_date=date(1969, 1, 7),
        sex=Sex.MALE,
        relationship="世帯主",
        became_resident_on=date(1989, 1, 8),
        address_since=date(2019, 4, 30),
        address_notified_on=date(2019, 5, 7),
        honseki="静岡県静岡市葵区追手町９番地",
        hittosha="髙﨑　健",
        my_number=my_number("56789012345"),
        events=(
            ResidenceEvent(
                "転居", date(2019, 4, 30), date(2019, 5, 7), "練馬区旭丘一丁目２番３号から転居"
            ),
        ),
    )
    wife = Resident(
        member_id="M002",
        name=PersonName("SANTOS", "MARIA CLARA", "サントス", "マリア　クララ"),
        birth_date=date(1985, 2, 14),
        sex=Sex.FEMALE,
        relationship="妻",
        became_resident_on=date(2020, 10, 1),
        address_since=date(2020, 10, 1),
        address_notified_on=date(2020, 10, 5),
        previous_address="フィリピン共和国",
        my_number=my_number("67890123456"),
        foreign=ForeignResidentItems(
            nationality="フィリピン",
            status="日本人の配偶者等",
            category=ForeignResidentCategory.MID_TO_LONG_TERM,
            card_number="AB12345678CD",
            period="３年",
            period_expires_on=date(2026, 10, 1),
            alias="髙﨑　マリア",
            alias_kana="タカサキ　マリア",
            alias_history=("令和２年１０月５日　通称の記載",),
        ),
        events=(ResidenceEvent("国外から転入", date(2020, 10, 1), date(2020, 10, 5)),),
    )
    address = Address("東京都練馬区豊玉北六丁目１２番１号", katagaki="ハイツ豊玉２０３号")
    return Household(address, "M001", (head, wife))


def large_household(size: int = 9) -> Household:
    """A household large enough to flow over several pages."""
    given = ["太郎", "花子", "一郎", "二郎", "三郎", "春子", "夏子", "秋子", "冬子", "四郎", "五郎"]
    members = []
    for i in range(size):
        members.append(
            Resident(
                member_id=f"L{i:03d}",
                name=PersonName("渡邉", given[i % len(given)], "ワタナベ", "タロウ"),
                birth_date=date(1950 + 5 * i, 1 + i % 12, 1 + i),
                sex=Sex.MALE if i % 2 == 0 else Sex.FEMALE,
                relationship="世帯主" if i == 0 else "子",
                became_resident_on=date(1989, 1, 8),
                address_since=date(1989, 1, 8),
                address_notified_on=date(1989, 1, 9),
                honseki="北海道札幌市中央区北一条西二丁目１番地",
                hittosha="渡邉　太郎",
                my_number=my_number(f"{70000000000 + i * 1234567:011d}"),
                events=(
                    ResidenceEvent(
                        "転入", date(1989, 1, 8), date(1989, 1, 9), "北海道札幌市から転入"
                    ),
                ),
            )
        )
    return Household(ADDRESS, "L000", tuple(members))


def juminhyo(
    household: Household | None = None,
    options: JuminhyoOptions | None = None,
    applicant_id: str | None = None,
) -> JuminhyoCopy:
    """A 住民票の写し of ``household`` (default: the Yamadas, 世帯全員 with every option)."""
    household = household or yamada_household()
    options = options or JuminhyoOptions(
        scope=Scope.HOUSEHOLD_ALL,
        show_head_and_relationship=True,
        show_honseki=True,
        show_my_number=False,
    )
    return JuminhyoCopy(
        issuer=NERIMA,
        issued_on=ISSUE_DATE,
        document_number="20241203-131202-000123",
        household=household,
        applicant_id=applicant_id or household.head_member_id,
        options=options,
    )


def kisai_jiko(options: JuminhyoOptions | None = None) -> KisaiJikoCertificate:
    """A 住民票記載事項証明書 of the mixed household."""
    household = mixed_household()
    return KisaiJikoCertificate(
        issuer=NERIMA,
        issued_on=ISSUE_DATE,
        document_number="20241203-131202-000124",
        household=household,
        applicant_id="M001",
        options=options
        or JuminhyoOptions(
            scope=Scope.HOUSEHOLD_ALL, show_head_and_relationship=True, show_foreign_items=True
        ),
    )


def inkan(seal: SealImpression | None = None, name: PersonName | None = None) -> InkanCertificate:
    """An 印鑑登録証明書 with a round seal engraved with the family name."""
    return InkanCertificate(
        issuer=NERIMA,
        issued_on=ISSUE_DATE,
        document_number="20241203-131202-000125",
        name=name or PersonName("𠮷田", "邉子", "ヨシダ", "ナベコ"),
        birth_date=date(1989, 1, 8),
        address=ADDRESS,
        seal=seal or SealImpression("𠮷田", SealShape.ROUND, 15.0),
        sex=Sex.FEMALE,
    )


def income_tax(*, nontaxable: bool = False) -> IncomeTaxCertificate:
    """A 所得・課税証明書 for 令和6年度 (income of 令和5年), or a 非課税 one."""
    if nontaxable:
        return IncomeTaxCertificate(
            issuer=NERIMA,
            issued_on=ISSUE_DATE,
            document_number="20241203-131202-000127",
            fiscal_year=2024,
            name=PersonName("山田", "一郎", "ヤマダ", "イチロウ"),
            birth_date=date(2005, 11, 30),
            address=ADDRESS,
            income=(IncomeLine("給与", 350_000, 900_000),),
            deductions=(AmountLine("基礎控除", 430_000),),
            taxable_income_yen=0,
            municipal_income_levy_yen=0,
            municipal_per_capita_yen=0,
            prefectural_income_levy_yen=0,
            prefectural_per_capita_yen=0,
        )
    return IncomeTaxCertificate(
        issuer=NERIMA,
        issued_on=ISSUE_DATE,
        document_number="20241203-131202-000126",
        fiscal_year=2024,
        name=PersonName("山田", "太郎", "ヤマダ", "タロウ"),
        birth_date=date(1975, 6, 21),
        address=ADDRESS,
        income=(
            IncomeLine("給与", 4_360_000, 6_200_000),
            IncomeLine("雑（その他）", 120_000, 150_000),
        ),
        deductions=(
            AmountLine("社会保険料控除", 912_000),
            AmountLine("生命保険料控除", 70_000),
            AmountLine("配偶者控除", 330_000),
            AmountLine("扶養控除", 450_000),
            AmountLine("基礎控除", 430_000),
        ),
        taxable_income_yen=2_288_000,
        municipal_income_levy_yen=136_800,
        municipal_per_capita_yen=3_000,
        prefectural_income_levy_yen=91_200,
        prefectural_per_capita_yen=2_000,
        spouse=True,
        dependents=1,
    )


def tax_payment(*, unpaid: bool = False) -> TaxPaymentCertificate:
    """A 納税証明書 over two years (with one instalment unpaid when ``unpaid``)."""
    return TaxPaymentCertificate(
        issuer=NERIMA,
        issued_on=ISSUE_DATE,
        document_number="20241203-131202-000128",
        name=PersonName("山田", "太郎", "ヤマダ", "タロウ"),
        address=ADDRESS,
        lines=(
            TaxPaymentLine("特別区民税・都民税（普通徴収）", 2023, 228_000, 228_000),
            TaxPaymentLine(
                "特別区民税・都民税（普通徴収）", 2024, 233_000, 174_800 if unpaid else 233_000
            ),
            TaxPaymentLine("軽自動車税（種別割）", 2024, 10_800, 10_800),
        ),
        purpose="軽自動車継続検査用" if not unpaid else None,
    )


def every_type() -> dict[str, object]:
    """One sample of each certificate type (and of each major option), by a short name."""
    return {
        "juminhyo": juminhyo(),
        "juminhyo_foreign": juminhyo(
            mixed_household(),
            JuminhyoOptions(
                scope=Scope.HOUSEHOLD_ALL,
                show_head_and_relationship=True,
                show_foreign_items=True,
                show_my_number=True,
            ),
        ),
        "juminhyo_large": juminhyo(large_household()),
        "kisai_jiko": kisai_jiko(),
        "inkan": inkan(),
        "income_tax": income_tax(),
        "income_nontaxable": income_tax(nontaxable=True),
        "tax_payment": tax_payment(),
        "koseki_all": koseki(),
        "koseki_individual": koseki(KosekiScope.INDIVIDUAL),
        "koseki_large": large_koseki(),
        "fuhyo": fuhyo(),
    }
