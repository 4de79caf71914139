"""Synthetic certificates for the security-printing benchmarks (security-printing.md §8 "Corpus").

Every certificate type, in a cycle of eight: 住民票の写し (random households of 1–4
residents with 8–12 notes, twice per cycle), 印鑑登録証明書, 住民票記載事項証明書,
所得・課税証明書 and 納税証明書 (random names, dates and amounts), 戸籍全部事項証明書 and
戸籍の附票の写し (the samples' families with random names and dates) — names include rare
characters (髙, 﨑, 籠, 𠮷, 邉) — rendered by printing.documents exactly as the simulated
municipality does. The documents package fixes the typeface (IPAex Mincho with IPAmj Mincho
for rare characters) and its sizes, so the corpus varies content and layout, not the font;
§8's Gothic / 9–12 pt variation is not covered.

The forgeries the tamper benchmark applies are in security_forgery.py.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from printing import documents
from printing.certificates import JuminhyoOptions, Scope
from printing.documents import samples
from printing.documents.inkan import InkanCertificate, SealImpression, SealShape
from printing.documents.juminhyo import (
    Household,
    JuminhyoCopy,
    KisaiJikoCertificate,
    ResidenceEvent,
    Resident,
)
from printing.documents.koseki import FuhyoEntry
from printing.documents.model import PersonName, Sex
from printing.documents.tax import AmountLine, IncomeLine, TaxPaymentLine

FAMILY = [
    ("山田", "ヤマダ"),
    ("髙橋", "タカハシ"),
    ("山﨑", "ヤマサキ"),
    ("籠島", "カゴシマ"),
    ("𠮷川", "ヨシカワ"),
    ("渡邉", "ワタナベ"),
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("伊藤", "イトウ"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("齋藤", "サイトウ"),
]
GIVEN_MALE = [
    ("太郎", "タロウ"),
    ("健一", "ケンイチ"),
    ("翔", "ショウ"),
    ("大輔", "ダイスケ"),
    ("隆之", "タカユキ"),
    ("蓮", "レン"),
]
GIVEN_FEMALE = [
    ("花子", "ハナコ"),
    ("美咲", "ミサキ"),
    ("陽菜", "ヒナ"),
    ("恵美", "エミ"),
    ("さくら", "サクラ"),
    ("由紀子", "ユキコ"),
]
TOWNS = [
    "東京都練馬区豊玉北",
    "東京都練馬区石神井町",
    "東京都練馬区光が丘",
    "東京都練馬区大泉学園町",
]
PREVIOUS = [
    "埼玉県さいたま市浦和区高砂",
    "神奈川県横浜市港北区日吉",
    "千葉県船橋市本町",
    "大阪府大阪市北区梅田",
    "北海道札幌市中央区北一条西",
]
HONSEKI = [
    "東京都千代田区平河町一丁目１０番地",
    "京都府京都市左京区吉田本町３６番地",
    "福岡県福岡市博多区博多駅前二丁目１番地",
]
NOTE_TEMPLATES = [
    "平成{y}年{m}月{d}日　転居　{place}から転居",
    "令和{r}年{m}月{d}日　氏名変更",
    "平成{y}年{m}月{d}日　世帯主変更",
    "令和{r}年{m}月{d}日　続柄修正",
    "平成{y}年{m}月{d}日　職権記載",
]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _fw(number: int) -> str:
    return str(number).translate(FULL_WIDTH)


def _address(rng: random.Random, towns: list[str]) -> str:
    return (
        f"{rng.choice(towns)}{_fw(rng.randint(1, 9))}丁目{_fw(rng.randint(1, 30))}番"
        f"{_fw(rng.randint(1, 20))}号"
    )


def _note(rng: random.Random) -> str:
    return rng.choice(NOTE_TEMPLATES).format(
        y=_fw(rng.randint(1, 30)),
        r=_fw(rng.randint(1, 6)),
        m=_fw(rng.randint(1, 12)),
        d=_fw(rng.randint(1, 28)),
        place=_address(rng, PREVIOUS),
    )


def random_household(rng: random.Random) -> Household:
    family, family_kana = rng.choice(FAMILY)
    size = rng.randint(1, 4)
    moved = date(2000, 1, 1) + timedelta(days=rng.randint(0, 8000))
    previous = _address(rng, PREVIOUS)
    honseki = rng.choice(HONSEKI)
    notes_left = rng.randint(8, 12)
    members = []
    for index in range(size):
        sex = Sex.MALE if (index == 0) == (rng.random() < 0.6) else Sex.FEMALE
        given, given_kana = rng.choice(GIVEN_MALE if sex is Sex.MALE else GIVEN_FEMALE)
        born = date(1940, 1, 1) + timedelta(days=rng.randint(0, 29000))
        share = notes_left if index == size - 1 else rng.randint(0, notes_left)
        notes_left -= share
        members.append(
            Resident(
                member_id=f"R{index + 1:03d}",
                name=PersonName(family, given, family_kana, given_kana),
                birth_date=born,
                sex=sex,
                relationship="世帯主" if index == 0 else rng.choice(["妻", "子", "母", "父"]),
                became_resident_on=max(moved, born),
                address_since=max(moved, born),
                address_notified_on=max(moved, born) + timedelta(days=rng.randint(0, 13)),
                previous_address=previous,
                honseki=honseki,
                hittosha=f"{family}　{members[0].name.given if members else given}",
                events=(
                    ResidenceEvent(
                        "転入", max(moved, born), max(moved, born), f"{previous}から転入"
                    ),
                ),
                notes=tuple(_note(rng) for _ in range(share)),
            )
        )
    return Household(_address(rng, TOWNS), "R001", tuple(members))


@dataclass(frozen=True)
class Certificate:
    """One corpus entry: the document model and its rendering."""

    index: int
    document: documents.Document
    rendered: documents.Rendered


CYCLE = ("juminhyo", "inkan", "income_tax", "koseki", "juminhyo", "kisai", "tax_payment", "fuhyo")


def _yen(rng: random.Random, low: int, high: int, step: int = 1000) -> int:
    return rng.randrange(low, high, step)


def _person(rng: random.Random) -> PersonName:
    family, family_kana = rng.choice(FAMILY)
    given, given_kana = rng.choice(GIVEN_FEMALE + GIVEN_MALE)
    return PersonName(family, given, family_kana, given_kana)


def _born(rng: random.Random) -> date:
    return date(1940, 1, 1) + timedelta(days=rng.randint(0, 29000))


def _document(kind: str, rng: random.Random, number: str) -> documents.Document:
    if kind == "inkan":
        name = _person(rng)
        return replace(
            samples.inkan(seal=SealImpression(name.family, SealShape.ROUND, 15.0), name=name),
            address=_address(rng, TOWNS),
            birth_date=_born(rng),
            document_number=number,
        )
    if kind == "kisai":
        return KisaiJikoCertificate(
            issuer=samples.NERIMA,
            issued_on=samples.ISSUE_DATE,
            document_number=number,
            household=random_household(rng),
            applicant_id="R001",
            options=JuminhyoOptions(scope=Scope.HOUSEHOLD_ALL, show_head_and_relationship=True),
        )
    if kind == "income_tax":
        revenue = _yen(rng, 1_500_000, 12_000_000)
        income = revenue * 7 // 10 // 1000 * 1000
        deductions = tuple(
            AmountLine(label, _yen(rng, 20_000, 950_000))
            for label in ("社会保険料控除", "生命保険料控除", "基礎控除")
        )
        taxable = max(0, income - sum(d.amount_yen for d in deductions))
        return replace(
            samples.income_tax(),
            document_number=number,
            name=_person(rng),
            birth_date=_born(rng),
            address=_address(rng, TOWNS),
            income=(IncomeLine("給与", income, revenue),),
            deductions=deductions,
            taxable_income_yen=taxable,
            municipal_income_levy_yen=taxable * 6 // 100 // 100 * 100,
            prefectural_income_levy_yen=taxable * 4 // 100 // 100 * 100,
            dependents=rng.randint(0, 3),
        )
    if kind == "tax_payment":
        lines = []
        for year in (2023, 2024):
            assessed = _yen(rng, 10_000, 600_000, 100)
            paid = assessed if rng.random() < 0.7 else _yen(rng, 0, assessed, 100)
            lines.append(TaxPaymentLine("特別区民税・都民税（普通徴収）", year, assessed, paid))
        return replace(
            samples.tax_payment(),
            document_number=number,
            name=_person(rng),
            address=_address(rng, TOWNS),
            lines=tuple(lines),
        )
    if kind == "koseki":
        base = samples.koseki()
        family, _ = rng.choice(FAMILY)
        members = tuple(replace(m, birth_date=_born(rng)) for m in base.members)
        return replace(
            base,
            document_number=number,
            head=PersonName(family, base.head.given),
            members=members,
        )
    if kind == "fuhyo":
        base = samples.fuhyo()
        persons = tuple(
            replace(
                p,
                birth_date=_born(rng),
                entries=tuple(
                    FuhyoEntry(_address(rng, TOWNS + PREVIOUS), e.since) for e in p.entries
                ),
            )
            for p in base.persons
        )
        return replace(base, document_number=number, persons=persons)
    return replace(
        samples.juminhyo(
            household=random_household(rng),
            options=JuminhyoOptions(
                scope=Scope.HOUSEHOLD_ALL, show_head_and_relationship=True, show_honseki=True
            ),
        ),
        document_number=number,
    )


def corpus(count: int, seed: int = 2024) -> list[Certificate]:
    """``count`` certificates of every type, in the cycle :data:`CYCLE`."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    out = []
    for index in range(count):
        kind = CYCLE[index % len(CYCLE)]
        document = _document(kind, rng, f"20241203-131202-{index:06d}")
        out.append(Certificate(index, document, documents.render_document(document)))
    return out


def edited(document: documents.Document, kind: str) -> documents.Document:
    """The document with one forgery applied: ``digit`` (day of birth ±1 digit) or ``kanji``
    (the first resident's given name's first character replaced)."""
    if isinstance(document, JuminhyoCopy):
        members = list(document.household.members)
        person = members[0]
        if kind == "digit":
            day = person.birth_date.day
            new_day = day + 1 if day % 10 != 9 and day < 28 else day - 1
            person = replace(person, birth_date=person.birth_date.replace(day=new_day))
        else:
            given = person.name.given
            swap = "江" if given[0] != "江" else "海"
            person = replace(person, name=replace(person.name, given=swap + given[1:]))
        members[0] = person
        return replace(document, household=replace(document.household, members=tuple(members)))
    if isinstance(document, InkanCertificate):
        if kind == "digit":
            return replace(document, birth_date=document.birth_date.replace(day=9))
        given = document.name.given
        swap = "江" if given[0] != "江" else "海"
        return replace(document, name=replace(document.name, given=swap + given[1:]))
    raise ValueError(f"no edit for {type(document).__name__}")
