# ruff: noqa: S106 - the personas' PINs and passwords are synthetic test data by design
"""The people who have virtual My Number cards: plain, frozen data shared by the virtual card,
the test PKI, the simulated world (households, records) and the simulated center.

Every persona is synthetic. Names are common sample names, addresses point at city halls and
public buildings with invented 号 numbers, My Numbers are random digits with a valid check
digit (総務省令第八十五号 第五条), security codes are invented. Dates are fixed (no "today"),
chosen so that every certificate that should be valid stays valid until at least 2029.

Ids and municipality codes are a contract with the world and the center: keep them as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Medium(StrEnum):
    """What carries the JPKI application (jpki-card.md §4.1, token labels of EF 0006)."""

    MY_NUMBER_CARD = "card"  # JPKIAPICCTOKEN2
    JUKI_CARD = "juki-card"  # JPKIAPICCTOKEN: old 住民基本台帳カード, drivers must refuse it
    ANDROID = "android"  # JPKIAPGPSETOKEN: smartphone JPKI (Android, GP secure element)
    IPHONE = "iphone"  # JPKIAPIOSTOKEN: smartphone JPKI (iPhone)


# Token labels of EF 0006 per medium (jpki-card.md §4.1 "Tokens seen in EF 0006 label").
TOKEN_LABELS: dict[Medium, str] = {
    Medium.MY_NUMBER_CARD: "JPKIAPICCTOKEN2",
    Medium.JUKI_CARD: "JPKIAPICCTOKEN",
    Medium.ANDROID: "JPKIAPGPSETOKEN",
    Medium.IPHONE: "JPKIAPIOSTOKEN",
}


@dataclass(frozen=True)
class Municipality:
    """A municipality the personas live in (6-digit 全国地方公共団体コード with check digit)."""

    code: str
    prefecture: str
    city: str
    prefecture_roman: str  # as in the signing certificate's L= (jpki-card.md §10.3)
    city_roman: str

    @property
    def name(self) -> str:
        return self.prefecture + self.city


MUNICIPALITIES: dict[str, Municipality] = {
    m.code: m
    for m in (
        Municipality("131202", "東京都", "練馬区", "Tokyo-to", "Nerima-ku"),
        Municipality("271004", "大阪府", "大阪市", "Osaka-fu", "Osaka-shi"),
        Municipality("141003", "神奈川県", "横浜市", "Kanagawa-ken", "Yokohama-shi"),
        Municipality("281000", "兵庫県", "神戸市", "Hyogo-ken", "Kobe-shi"),
        Municipality("011002", "北海道", "札幌市", "Hokkaido", "Sapporo-shi"),
        Municipality("452017", "宮崎県", "宮崎市", "Miyazaki-ken", "Miyazaki-shi"),
        Municipality("041009", "宮城県", "仙台市", "Miyagi-ken", "Sendai-shi"),
        Municipality("221007", "静岡県", "静岡市", "Shizuoka-ken", "Shizuoka-shi"),
    )
}

# Japanese eras for the 和暦 year of 照合番号B (jpki-card.md §5.3): (first day, era number used in
# the signing certificate's EYYYYMMDD birth date, jpki-card.md §10.3).
_ERAS: tuple[tuple[date, int], ...] = (
    (date(2019, 5, 1), 5),  # 令和
    (date(1989, 1, 8), 4),  # 平成
    (date(1926, 12, 25), 3),  # 昭和
    (date(1912, 7, 30), 2),  # 大正
    (date(1868, 1, 25), 1),  # 明治
)


def era_of(day: date) -> tuple[int, int]:
    """(era number 1明治…5令和, year within the era) of a Gregorian date."""
    for start, number in _ERAS:
        if day >= start:
            return number, day.year - start.year + 1
    raise ValueError("date before the Meiji era")


def my_number_check_digit(first_eleven: str) -> str:
    """Check digit of a 個人番号 (総務省令第八十五号 第五条).

    P_n is the n-th digit counted from the least significant of the 11 digits; Q_n = n + 1 for
    1 ≤ n ≤ 6 and n − 5 for 7 ≤ n ≤ 11; with r = Σ P_n·Q_n mod 11, the digit is 0 when r ≤ 1,
    else 11 − r.
    """
    if len(first_eleven) != 11 or not first_eleven.isdigit():
        raise ValueError("need exactly 11 digits")
    total = sum(int(first_eleven[-n]) * (n + 1 if n <= 6 else n - 5) for n in range(1, 12))
    remainder = total % 11
    return "0" if remainder <= 1 else str(11 - remainder)


def is_valid_my_number(number: str) -> bool:
    """True for 12 ASCII digits whose last digit is the check digit of the first 11."""
    return (
        len(number) == 12
        and number.isascii()
        and number.isdigit()
        and my_number_check_digit(number[:11]) == number[11]
    )


def shogo_b(birth_date: date, card_expiry_year: int, security_code: str) -> str:
    """照合番号B: birth date as 和暦 YYMMDD + 4-digit card expiry year + 4-digit security code
    (jpki-card.md §5.3, the 14-digit form measured on a card)."""
    _, era_year = era_of(birth_date)
    return f"{era_year:02d}{birth_date:%m%d}{card_expiry_year:04d}{security_code}"


def fifth_birthday_after(issued: date, birth: date) -> date:
    """The holder's 5th birthday after ``issued`` (end of a JPKI certificate's validity,
    jpki-card.md §10.2). A 29 February birthday falls on 28 February in common years."""
    # A birthday on or before the issuance day of that year is already past: the first birthday
    # after issuance is next year's, so the fifth is five years on; otherwise it is four.
    passed = (birth.month, birth.day) <= (issued.month, issued.day)
    year = issued.year + (5 if passed else 4)
    try:
        return birth.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


@dataclass(frozen=True)
class Persona:
    """One resident with one card (or smartphone JPKI), as the card and the registry know them.

    ``name`` and ``address`` are exactly as the card carries them (券面事項入力補助AP EF 0002 and
    the signing certificate): name = family name + U+3000 + given name, address with full-width
    digits. ``registered_name`` is the name in the municipal record when the card had to use a
    substitute character (``name_substitutes`` then flags it, one ``0``/``1`` per character,
    jpki-card.md §10.3).
    """

    id: str
    description: str
    name: str
    name_kana: str | None
    address: str
    birth_date: date
    sex: str  # "1" male, "2" female, "9" not applicable (card EF 0002 DF25, jpki-card.md §5.2)
    my_number: str
    municipality_code: str
    auth_pin: str
    signing_password: str | None  # None: no signing certificate (under 15, or smartphone-less)
    card_issued: date
    card_expiry: date
    security_code: str
    honseki_code: str | None = None
    nationality: str | None = None  # ISO 3166 alpha-2 for foreign residents, None for Japanese
    registered_name: str | None = None
    name_substitutes: str = ""
    medium: Medium = Medium.MY_NUMBER_CARD
    # Scenario flags --------------------------------------------------------------------------
    auth_pin_tries: int = 3  # tries left on EF 0018 when the card is first made
    signing_password_tries: int = 5  # tries left on EF 001B
    revoked: bool = False  # auth certificate revoked (the center's OCSP responder reads this)
    cert_expired: bool = False  # auth certificate validity ended
    slow_delay_s: float = 0.0  # every APDU answered after this delay
    first_6f00: bool = False  # 6F 00 to the first command after each power-up (jpki-card.md §2.2)
    moved_out: bool = False  # the municipal record says 転出 (the world applies it)
    dv_protected: bool = False  # 支援措置: the municipality refuses issuance
    shogo_b: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "shogo_b", shogo_b(self.birth_date, self.card_expiry.year, self.security_code)
        )

    @property
    def family_name(self) -> str:
        return self.name.split("\u3000", 1)[0]

    @property
    def given_name(self) -> str:
        parts = self.name.split("\u3000", 1)
        return parts[1] if len(parts) == 2 else ""

    @property
    def municipality(self) -> Municipality:
        return MUNICIPALITIES[self.municipality_code]

    @property
    def has_signing_certificate(self) -> bool:
        return self.signing_password is not None

    @property
    def token_label(self) -> str:
        return TOKEN_LABELS[self.medium]

    def age_on(self, day: date) -> int:
        """Completed years of age on ``day``."""
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - (1 if before_birthday else 0)

    @property
    def auth_cert_not_after(self) -> date:
        """Last day of the auth certificate: the 5th birthday after issuance, never beyond the
        card's expiry (jpki-card.md §10.2)."""
        return min(fifth_birthday_after(self.card_issued, self.birth_date), self.card_expiry)


def _p(**kwargs: object) -> Persona:
    return Persona(**kwargs)  # type: ignore[arg-type]


_NERIMA = "東京都練馬区豊玉北６丁目１２番"
_PERSONAS: tuple[Persona, ...] = (
    _p(
        id="normal",
        description="adult Japanese resident, head of a household",
        name="山田\u3000太郎",
        name_kana="ヤマダ\u3000タロウ",
        address=_NERIMA + "１号",
        birth_date=date(1980, 5, 14),
        sex="1",
        my_number="721682792115",
        municipality_code="131202",
        auth_pin="1234",
        signing_password="ABC123",
        card_issued=date(2025, 6, 2),
        card_expiry=date(2035, 5, 14),
        security_code="4821",
    ),
    _p(
        id="one-try-left",
        description="adult, one try left on the authentication PIN",
        name="佐藤\u3000一葉",
        name_kana="サトウ\u3000カズハ",
        address="大阪府大阪市北区中之島１丁目３番２０１号",
        birth_date=date(1975, 11, 3),
        sex="2",
        my_number="917404524357",
        municipality_code="271004",
        auth_pin="2580",
        signing_password="OSAKA2025",
        card_issued=date(2025, 3, 10),
        card_expiry=date(2035, 11, 3),
        security_code="1357",
        auth_pin_tries=1,
    ),
    _p(
        id="blocked",
        description="adult, authentication PIN blocked",
        name="鈴木\u3000健二",
        name_kana="スズキ\u3000ケンジ",
        address="神奈川県横浜市中区本町６丁目５０番地の１０１",
        birth_date=date(1969, 8, 21),
        sex="1",
        my_number="542009887145",
        municipality_code="141003",
        auth_pin="7777",
        signing_password="YOKO1969",
        card_issued=date(2024, 9, 17),
        card_expiry=date(2034, 8, 21),
        security_code="9024",
        auth_pin_tries=0,
    ),
    _p(
        id="expired",
        description="adult, authentication certificate expired",
        name="高橋\u3000美咲",
        name_kana="タカハシ\u3000ミサキ",
        address="兵庫県神戸市中央区加納町６丁目５番１０１号",
        birth_date=date(1988, 7, 7),
        sex="2",
        my_number="428108888083",
        municipality_code="281000",
        auth_pin="4444",
        signing_password="KOBE0707",
        card_issued=date(2018, 4, 9),
        card_expiry=date(2028, 7, 7),
        security_code="3141",
        cert_expired=True,
    ),
    _p(
        id="revoked",
        description="adult, authentication certificate valid but revoked",
        name="田中\u3000誠",
        name_kana="タナカ\u3000マコト",
        address="北海道札幌市中央区北一条西２丁目１番地１０１",
        birth_date=date(1972, 12, 1),
        sex="1",
        my_number="986148933459",
        municipality_code="011002",
        auth_pin="1972",
        signing_password="SAPPORO72",
        card_issued=date(2025, 1, 20),
        card_expiry=date(2034, 12, 1),
        security_code="6620",
        revoked=True,
    ),
    _p(
        id="foreign",
        description="foreign resident, name in the alphabet as on the residence card",
        name="SMITH\u3000JOHN",
        name_kana="スミス\u3000ジョン",
        address="大阪府大阪市浪速区難波中２丁目１０番７０１号",
        birth_date=date(1990, 4, 15),
        sex="1",
        my_number="241501617455",
        municipality_code="271004",
        nationality="US",
        auth_pin="9012",
        signing_password="SMITH1990",
        card_issued=date(2025, 8, 4),
        card_expiry=date(2030, 4, 15),  # tied to the period of stay, within 5 birthdays
        security_code="5570",
    ),
    _p(
        id="child",
        description="12-year-old, no signing certificate",
        name="山田\u3000陽菜",
        name_kana="ヤマダ\u3000ヒナ",
        address=_NERIMA + "１号",
        birth_date=date(2014, 6, 20),
        sex="2",
        my_number="589975411790",
        municipality_code="131202",
        auth_pin="0620",
        signing_password=None,
        card_issued=date(2025, 6, 2),
        card_expiry=date(2030, 6, 20),  # under 18: valid to the 5th birthday
        security_code="2206",
    ),
    _p(
        id="child-excluded",
        description="13-year-old in a municipality that excludes under-15s",
        name="日向\u3000蒼",
        name_kana="ヒュウガ\u3000アオイ",
        address="宮崎県宮崎市橘通西１丁目１番１０１号",
        birth_date=date(2013, 9, 9),
        sex="1",
        my_number="840726854244",
        municipality_code="452017",
        auth_pin="0909",
        signing_password=None,
        card_issued=date(2025, 5, 12),
        card_expiry=date(2030, 9, 9),
        security_code="8090",
    ),
    _p(
        id="slow",
        description="adult whose card answers every APDU after a delay",
        name="伊藤\u3000恵子",
        name_kana="イトウ\u3000ケイコ",
        address="宮城県仙台市青葉区国分町３丁目７番１０１号",
        birth_date=date(1965, 3, 3),
        sex="2",
        my_number="305656576001",
        municipality_code="041009",
        auth_pin="3333",
        signing_password="SENDAI65",
        card_issued=date(2025, 2, 14),
        card_expiry=date(2035, 3, 3),
        security_code="7131",
        slow_delay_s=0.15,
    ),
    _p(
        id="first-6f00",
        description="adult whose card answers 6F 00 to the first command after power-up",
        name="中村\u3000翔太",
        name_kana="ナカムラ\u3000ショウタ",
        address="兵庫県神戸市中央区東川崎町１丁目１番３０２号",
        birth_date=date(1995, 1, 25),
        sex="1",
        my_number="982011347395",
        municipality_code="281000",
        auth_pin="1995",
        signing_password="SHOTA1995",
        card_issued=date(2025, 7, 1),
        card_expiry=date(2035, 1, 25),
        security_code="0125",
        first_6f00=True,
    ),
    _p(
        id="rare-chars",
        description="adult whose name uses 髙 and 﨑 (printable in IPAmj明朝)",
        name="髙﨑\u3000久美子",
        name_kana="タカサキ\u3000クミコ",
        address="東京都練馬区光が丘２丁目９番６号\u3000"
        "光が丘パークタウンいちょう通り八番街２号棟６０１号室",
        birth_date=date(1983, 10, 30),
        sex="2",
        my_number="914135494587",
        municipality_code="131202",
        auth_pin="5151",
        signing_password="KUMIKO83",
        card_issued=date(2025, 4, 21),
        card_expiry=date(2035, 10, 30),
        security_code="3003",
    ),
    _p(
        id="gaiji",
        description="adult whose registered name needs a character outside the allowed set",
        name="吉川\u3000直樹",
        name_kana="ヨシカワ\u3000ナオキ",
        registered_name="𠮷川\u3000直樹",
        name_substitutes="10000",
        address="神奈川県横浜市西区みなとみらい２丁目３番１号\u3000みなとみらいタワー１００５号室",
        birth_date=date(1977, 2, 11),
        sex="1",
        my_number="652054703977",
        municipality_code="141003",
        auth_pin="8642",
        signing_password="NAOKI1977",
        card_issued=date(2025, 9, 8),
        card_expiry=date(2035, 2, 11),
        security_code="4455",
    ),
    _p(
        id="moved-out",
        description="adult whose record is marked 転出 (moved out)",
        name="北村\u3000大地",
        name_kana="キタムラ\u3000ダイチ",
        address="北海道札幌市北区北八条西５丁目１番２０１号",
        birth_date=date(1983, 1, 8),
        sex="1",
        my_number="373646336024",
        municipality_code="011002",
        auth_pin="0108",
        signing_password="DAICHI83",
        card_issued=date(2024, 11, 5),
        card_expiry=date(2034, 1, 8),
        security_code="2718",
        moved_out=True,
    ),
    _p(
        id="dv-protected",
        description="adult under 支援措置 (DV protection); issuance refused",
        name="松本\u3000由紀",
        name_kana="マツモト\u3000ユキ",
        address="大阪府大阪市中央区大手前２丁目１番４０３号",
        birth_date=date(1992, 8, 30),
        sex="2",
        my_number="876313975218",
        municipality_code="271004",
        auth_pin="3092",
        signing_password="YUKI0830",
        card_issued=date(2025, 10, 6),
        card_expiry=date(2035, 8, 30),
        security_code="6161",
        dv_protected=True,
    ),
    _p(
        id="honseki",
        description="adult living in Nerima with 本籍 in 静岡市",
        name="望月\u3000健一",
        name_kana="モチヅキ\u3000ケンイチ",
        address="東京都練馬区石神井町３丁目２５番２０１号",
        birth_date=date(1978, 3, 22),
        sex="1",
        my_number="431843220631",
        municipality_code="131202",
        honseki_code="221007",
        auth_pin="2203",
        signing_password="SHIZUOKA78",
        card_issued=date(2025, 3, 31),
        card_expiry=date(2035, 3, 22),
        security_code="9753",
    ),
    _p(
        id="juki-card",
        description="old 住民基本台帳カード (token JPKIAPICCTOKEN): drivers must refuse it",
        name="古川\u3000昭",
        name_kana="フルカワ\u3000アキラ",
        address="東京都練馬区豊玉北５丁目２９番１０２号",
        birth_date=date(1950, 9, 1),
        sex="1",
        my_number="262843273429",
        municipality_code="131202",
        auth_pin="1950",
        signing_password="AKIRA1950",
        card_issued=date(2015, 10, 5),
        card_expiry=date(2030, 9, 1),
        security_code="1111",
        medium=Medium.JUKI_CARD,
    ),
    _p(
        id="android",
        description="smartphone JPKI on Android (token JPKIAPGPSETOKEN)",
        name="青木\u3000蓮",
        name_kana="アオキ\u3000レン",
        address="東京都練馬区豊玉北４丁目１番３０５号",
        birth_date=date(2000, 12, 24),
        sex="1",
        my_number="460698452146",
        municipality_code="131202",
        auth_pin="2412",
        signing_password="REN2000",
        card_issued=date(2025, 5, 30),
        card_expiry=date(2035, 12, 24),
        security_code="2424",
        medium=Medium.ANDROID,
    ),
    _p(
        id="iphone",
        description="smartphone JPKI on iPhone (token JPKIAPIOSTOKEN)",
        name="石井\u3000さくら",
        name_kana="イシイ\u3000サクラ",
        address="東京都練馬区豊玉北３丁目８番５０２号",
        birth_date=date(1998, 4, 1),
        sex="2",
        my_number="595029770852",
        municipality_code="131202",
        auth_pin="0401",
        signing_password="SAKURA98",
        card_issued=date(2025, 6, 24),
        card_expiry=date(2035, 4, 1),
        security_code="0404",
        medium=Medium.IPHONE,
    ),
)

_BY_ID: dict[str, Persona] = {p.id: p for p in _PERSONAS}


def list_personas() -> tuple[Persona, ...]:
    """All personas, in the order of docs/virtual-card.md."""
    return _PERSONAS


def get_persona(persona_id: str) -> Persona:
    """The persona with this id; ``KeyError`` with the known ids if there is none."""
    try:
        return _BY_ID[persona_id]
    except KeyError:
        raise KeyError(f"unknown persona {persona_id!r}; known: {', '.join(_BY_ID)}") from None


__all__ = [
    "MUNICIPALITIES",
    "TOKEN_LABELS",
    "Medium",
    "Municipality",
    "Persona",
    "era_of",
    "fifth_birthday_after",
    "get_persona",
    "is_valid_my_number",
    "list_personas",
    "my_number_check_digit",
    "shogo_b",
]
