"""Sample 戸籍 and 附票 documents (re-exported by :mod:`printing.documents.samples`)."""

from __future__ import annotations

from datetime import date

from printing.certificates import KosekiScope
from printing.documents.common import Issuer, PersonName, Sex
from printing.documents.koseki import (
    FuhyoCopy,
    FuhyoEntry,
    FuhyoPerson,
    KosekiCertificate,
    KosekiDetail,
    KosekiEvent,
    KosekiMember,
)

CHIYODA = Issuer("131016", "東京都", "千代田区", "麹町　二郎")
ISSUE_DATE = date(2024, 12, 3)
ADDRESS = "東京都練馬区豊玉北六丁目１２番１号"


def _birth_event(born: date, place: str, notified: date, by: str) -> KosekiEvent:
    return KosekiEvent(
        "出生",
        (
            KosekiDetail("出生日", born),
            KosekiDetail("出生地", place),
            KosekiDetail("届出日", notified),
            KosekiDetail("届出人", by),
        ),
    )


def _koseki_members() -> tuple[KosekiMember, ...]:
    husband = KosekiMember(
        member_id="K001",
        given_name="太郎",
        birth_date=date(1975, 6, 21),
        father="山田義男",
        mother="山田松子",
        relationship="長男",
        spouse_role="夫",
        events=(
            _birth_event(date(1975, 6, 21), "東京都千代田区", date(1975, 6, 25), "父"),
            KosekiEvent(
                "婚姻",
                (
                    KosekiDetail("婚姻日", date(2004, 4, 10)),
                    KosekiDetail("配偶者氏名", "佐藤花子"),
                    KosekiDetail("従前戸籍", "東京都千代田区平河町一丁目１０番地　山田義男"),
                ),
            ),
        ),
    )
    wife = KosekiMember(
        member_id="K002",
        given_name="花子",
        birth_date=date(1978, 3, 9),
        father="佐藤一夫",
        mother="佐藤邉子",
        relationship="長女",
        spouse_role="妻",
        events=(
            _birth_event(date(1978, 3, 9), "神奈川県横浜市中区", date(1978, 3, 15), "父"),
            KosekiEvent(
                "婚姻",
                (
                    KosekiDetail("婚姻日", date(2004, 4, 10)),
                    KosekiDetail("配偶者氏名", "山田太郎"),
                    KosekiDetail("従前戸籍", "神奈川県横浜市中区日本大通１番地　佐藤一夫"),
                ),
            ),
        ),
    )
    son = KosekiMember(
        member_id="K003",
        given_name="一郎",
        birth_date=date(2005, 11, 30),
        father="山田太郎",
        mother="山田花子",
        relationship="長男",
        events=(_birth_event(date(2005, 11, 30), "東京都練馬区", date(2005, 12, 5), "父"),),
    )
    daughter = KosekiMember(
        member_id="K004",
        given_name="さくら",
        birth_date=date(2019, 5, 1),
        father="山田太郎",
        mother="山田花子",
        relationship="長女",
        events=(_birth_event(date(2019, 5, 1), "東京都練馬区", date(2019, 5, 10), "母"),),
    )
    return husband, wife, son, daughter


def koseki(
    scope: KosekiScope = KosekiScope.ALL, subject_ids: tuple[str, ...] = ()
) -> KosekiCertificate:
    """The Yamadas' register in 千代田区 (本籍地 ≠ 住所地): 全部事項, or 個人事項 of
    ``subject_ids``."""
    if scope is KosekiScope.INDIVIDUAL and not subject_ids:
        subject_ids = ("K001",)
    return KosekiCertificate(
        issuer=CHIYODA,
        issued_on=ISSUE_DATE,
        document_number="20241203-131016-000201",
        honseki="東京都千代田区平河町一丁目１０番地",
        head=PersonName("山田", "太郎"),
        register_events=(KosekiEvent("戸籍編製", (KosekiDetail("編製日", date(2004, 4, 10)),)),),
        members=_koseki_members(),
        scope=scope,
        subject_ids=subject_ids,
    )


def large_koseki(children: int = 8) -> KosekiCertificate:
    """A register with many members and events, flowing over several pages; the grandfather
    is 除籍 (died)."""
    base = _koseki_members()
    extra = []
    ordinals = ["二男", "三男", "二女", "三女", "四男", "四女", "五男", "五女", "六男", "六女"]
    for i in range(children):
        born = date(2007 + i, 1 + i % 12, 10 + i)
        extra.append(
            KosekiMember(
                member_id=f"K1{i:02d}",
                given_name=["二郎", "三郎", "秋子", "冬子", "四郎", "春美", "五郎", "夏美"][i % 8],
                birth_date=born,
                father="山田太郎",
                mother="山田花子",
                relationship=ordinals[i % len(ordinals)],
                events=(
                    _birth_event(
                        born, "東京都練馬区", date(born.year, born.month, born.day + 5), "父"
                    ),
                ),
            )
        )
    grandfather = KosekiMember(
        member_id="K000",
        given_name="義男",
        birth_date=date(1926, 12, 25),
        father="山田権兵衛",
        mother="山田ウメ",
        relationship="長男",
        removed=True,
        events=(
            _birth_event(date(1926, 12, 25), "東京都千代田区", date(1927, 1, 5), "父"),
            KosekiEvent(
                "死亡",
                (
                    KosekiDetail("死亡日", date(1989, 1, 7)),
                    KosekiDetail("死亡時分", "午後１０時３０分"),
                    KosekiDetail("死亡地", "東京都千代田区"),
                    KosekiDetail("届出日", date(1989, 1, 8)),
                    KosekiDetail("届出人", "親族　山田太郎"),
                ),
            ),
        ),
    )
    doc = koseki()
    return KosekiCertificate(
        issuer=doc.issuer,
        issued_on=doc.issued_on,
        document_number=doc.document_number,
        honseki=doc.honseki,
        head=doc.head,
        register_events=doc.register_events,
        members=(grandfather, *base, *extra),
    )


def fuhyo(scope: KosekiScope = KosekiScope.ALL, subject_ids: tuple[str, ...] = ()) -> FuhyoCopy:
    """The 附票 of the Yamadas' register: each person's addresses since 2004."""
    first = FuhyoEntry("埼玉県さいたま市浦和区高砂三丁目１５番１号", date(2004, 4, 10))
    second = FuhyoEntry(ADDRESS, date(2015, 4, 1))
    persons = (
        FuhyoPerson(
            "K001",
            PersonName("山田", "太郎", "ヤマダ", "タロウ"),
            date(1975, 6, 21),
            Sex.MALE,
            (first, second),
        ),
        FuhyoPerson(
            "K002",
            PersonName("山田", "花子", "ヤマダ", "ハナコ"),
            date(1978, 3, 9),
            Sex.FEMALE,
            (first, second),
        ),
        FuhyoPerson(
            "K003",
            PersonName("山田", "一郎", "ヤマダ", "イチロウ"),
            date(2005, 11, 30),
            Sex.MALE,
            (FuhyoEntry("埼玉県さいたま市浦和区高砂三丁目１５番１号", date(2005, 11, 30)), second),
        ),
        FuhyoPerson(
            "K004",
            PersonName("山田", "さくら", "ヤマダ", "サクラ"),
            date(2019, 5, 1),
            Sex.FEMALE,
            (FuhyoEntry(ADDRESS, date(2019, 5, 1)),),
        ),
    )
    if scope is KosekiScope.INDIVIDUAL and not subject_ids:
        subject_ids = ("K001",)
    return FuhyoCopy(
        issuer=CHIYODA,
        issued_on=ISSUE_DATE,
        document_number="20241203-131016-000202",
        honseki="東京都千代田区平河町一丁目１０番地",
        head=PersonName("山田", "太郎"),
        persons=persons,
        scope=scope,
        subject_ids=subject_ids,
    )
