"""Data shared by every certificate: the issuing municipality, names, sex, the issue facts.

Conventions of the whole data model (docs/printing-documents.md, "Data model"):

- Strings are registry text as the municipality stores it: Japanese with full-width digits in
  addresses, family and given name separate. ASCII letters and digits in names and addresses
  are printed in their full-width form, as the resident registry (住基統一文字) holds them.
- Dates are :class:`datetime.date`; the renderer writes them in the era form real certificates
  use (see :mod:`printing.jpdates`).
- Money is an ``int`` of yen.
- Every dataclass is frozen and checks its own data in ``__post_init__``; a broken rule raises
  :class:`~printing.documents.errors.InvalidDocumentError` naming the field, never its value.
"""

from __future__ import annotations

import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

from printing.certificates import CertificateKind
from printing.documents._ivs import is_variation_selector
from printing.documents.errors import InvalidDocumentError

if TYPE_CHECKING:  # the composers import the models
    from printing.documents._compose import Composed

__all__ = [
    "Address",
    "CertificateDocument",
    "HeadTitle",
    "Issuer",
    "PersonName",
    "Sex",
    "municipality_code_check_digit",
    "my_number_check_digit",
]


class HeadTitle(StrEnum):
    """The title of the municipality's head, printed before the name and in the seal."""

    CITY = "市長"
    WARD = "区長"  # Tokyo's special wards (特別区)
    TOWN = "町長"
    VILLAGE = "村長"


class Sex(StrEnum):
    """性別 as printed on certificates."""

    MALE = "男"
    FEMALE = "女"


def municipality_code_check_digit(first_five: str) -> int:
    """The check digit of a local government code (全国地方公共団体コード, JIS X 0402).

    Weights 6,5,4,3,2 over the five digits; the check digit is the last digit of
    11 − (sum mod 11). Example: 13120 (練馬区) → 2.
    """
    if not re.fullmatch(r"[0-9]{5}", first_five):
        raise ValueError("expected five ASCII digits")
    total = sum(int(d) * w for d, w in zip(first_five, (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10


def my_number_check_digit(first_eleven: str) -> int:
    """The check digit (検査用数字) of a 個人番号, by the formula of the My Number Act's
    ordinance (番号法施行規則): weights Q_n = n+1 (n ≤ 6) and n−5 (n ≥ 7), n counted from the
    digit before the check digit; remainder ≤ 1 → 0, else 11 − remainder. Checked against the
    published example 123456789018."""
    if not re.fullmatch(r"[0-9]{11}", first_eleven):
        raise ValueError("expected eleven ASCII digits")
    digits = [int(d) for d in reversed(first_eleven)]  # P_1 is the rightmost of the eleven
    total = sum(p * (n + 1 if n <= 6 else n - 5) for n, p in enumerate(digits, start=1))
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


# The longest string one field may hold. Registry fields are far shorter (an address is at most
# a few dozen characters); the cap keeps a malformed record from producing a field that cannot
# be laid out on a page.
MAX_TEXT_LENGTH = 300


def check_text(field: str, value: str, *, allow_empty: bool = False) -> None:
    """A printed string: not blank (unless allowed), no control characters or line breaks,
    at most MAX_TEXT_LENGTH characters."""
    if not isinstance(value, str):
        raise InvalidDocumentError(field, "must be a string")
    if len(value) > MAX_TEXT_LENGTH:
        raise InvalidDocumentError(field, f"longer than {MAX_TEXT_LENGTH} characters")
    if not allow_empty and not value.strip():
        raise InvalidDocumentError(field, "must not be empty")
    if _CONTROL.search(value):
        raise InvalidDocumentError(field, "contains a control character or line break")
    previous = ""
    for ch in value:
        if unicodedata.category(ch) in ("Cs", "Co", "Cn") and not is_variation_selector(ch):
            raise InvalidDocumentError(
                field, f"contains a surrogate, private-use or unassigned code point U+{ord(ch):04X}"
            )
        if is_variation_selector(ch) and (not previous or is_variation_selector(previous)):
            raise InvalidDocumentError(field, "has a variation selector without a base character")
        previous = ch


def check_texts(field: str, values: Iterable[str]) -> None:
    """Each string of a tuple, with its index in the field path."""
    for i, value in enumerate(values):
        check_text(f"{field}[{i}]", value)


def check_date(field: str, value: date) -> None:
    """A real ``date`` (not a ``datetime``, whose time part would be silently dropped)."""
    if not isinstance(value, date) or type(value) is not date:
        raise InvalidDocumentError(field, "must be a datetime.date")


@dataclass(frozen=True)
class Address:
    """An address as the resident registry holds it: the address proper (都道府県 to 番地・号,
    ``text``) and the 方書 (building and room, ``katagaki``), printed after it.

    Every address field of the model also accepts a plain ``str`` (an address without a
    separate 方書).
    """

    text: str
    katagaki: str = ""

    def __post_init__(self) -> None:
        check_text("address.text", self.text)
        check_text("address.katagaki", self.katagaki, allow_empty=True)

    @property
    def full(self) -> str:
        """The address as printed: 「東京都練馬区豊玉北六丁目１２番１号　ハイツ豊玉２０３号」."""
        return f"{self.text}　{self.katagaki}" if self.katagaki else self.text


def check_address(field: str, value: Address | str) -> None:
    """An :class:`Address` (checked by itself) or a printable string."""
    if not isinstance(value, Address):
        check_text(field, value)


def address_text(value: Address | str) -> str:
    """The printed form of an address field."""
    return value.full if isinstance(value, Address) else value


@dataclass(frozen=True)
class Issuer:
    """The issuing municipality and its head, as printed above the seal.

    The head's title (市長, 区長, 町長, 村長) follows from the last character of ``name``.

    ``head_name`` has the family and given name separated by a full-width space (U+3000).
    ``seal_text`` is the legend of the official seal (職印); by default name + title + 之印,
    e.g. 「練馬区長之印」.
    """

    municipality_code: str  # 6 digits with check digit (JIS X 0402), e.g. "131202"
    prefecture: str  # 東京都
    name: str  # 練馬区
    head_name: str  # 前川　燿男
    seal_text: str | None = None

    def __post_init__(self) -> None:
        code = self.municipality_code
        if not isinstance(code, str) or not re.fullmatch(r"[0-9]{6}", code):
            raise InvalidDocumentError("issuer.municipality_code", "must be six ASCII digits")
        if municipality_code_check_digit(code[:5]) != int(code[5]):
            raise InvalidDocumentError("issuer.municipality_code", "check digit does not match")
        check_text("issuer.prefecture", self.prefecture)
        if self.prefecture[-1] not in "都道府県":
            raise InvalidDocumentError("issuer.prefecture", "must end in 都, 道, 府 or 県")
        check_text("issuer.name", self.name)
        if self.name[-1] not in "市区町村":
            raise InvalidDocumentError("issuer.name", "must end in 市, 区, 町 or 村")
        check_text("issuer.head_name", self.head_name)
        if self.seal_text is not None:
            check_text("issuer.seal_text", self.seal_text)

    @property
    def head_title(self) -> HeadTitle:
        """市長, 区長, 町長 or 村長, from the municipality's name (a 政令市's wards do not issue:
        their city does, under the 市長)."""
        return HeadTitle(self.name[-1] + "長")

    @property
    def head_office(self) -> str:
        """The head's office as printed before the name: 「東京都練馬区長」."""
        return f"{self.prefecture}{self.name}長"

    @property
    def seal_legend(self) -> str:
        """The characters of the official seal, e.g. 「練馬区長之印」."""
        return self.seal_text or f"{self.name}長之印"

    @property
    def head_line(self) -> str:
        """The issuer line as printed: 「東京都練馬区長　前川　燿男」."""
        return f"{self.head_office}　{self.head_name}"


@dataclass(frozen=True)
class PersonName:
    """A name as the register holds it: family and given name, and their reading (kana).

    Foreign residents' names are in capital Roman letters (e.g. family ``SMITH``, given
    ``JOHN MICHAEL``); they are printed full-width like every registry string.
    """

    family: str
    given: str
    family_kana: str = ""
    given_kana: str = ""

    def __post_init__(self) -> None:
        check_text("family", self.family)
        check_text("given", self.given, allow_empty=True)  # a few registers have no given name
        check_text("family_kana", self.family_kana, allow_empty=True)
        check_text("given_kana", self.given_kana, allow_empty=True)

    @property
    def full(self) -> str:
        """Family and given name separated by U+3000, as printed."""
        return f"{self.family}　{self.given}" if self.given else self.family

    @property
    def kana(self) -> str:
        """The reading, family and given separated by U+3000 ("" when unknown)."""
        parts = [p for p in (self.family_kana, self.given_kana) if p]
        return "　".join(parts)


@dataclass(frozen=True)
class CertificateDocument(ABC):
    """The issue facts every certificate has: who issues it, when, and its document number.

    ``document_number`` is the number the issuance center chose, covered by the signed code.
    The page does not print it: the kiosk prints one number per copy on every page, the
    serial 「発行番号 <document_number>-<copy>」 (printing/security/decorations.py).
    """

    kind: ClassVar[CertificateKind]

    issuer: Issuer
    issued_on: date
    document_number: str

    @property
    def title(self) -> str:
        """The printed title: the kind's (printing.certificates), unless the data changes it
        (所得・非課税証明書, 戸籍個人事項証明書)."""
        return self.kind.title_ja

    @abstractmethod
    def compose(self) -> Composed:
        """The pages and the printed facts (printing.documents.render draws and serialises
        them). Every document type names its composer here; mypy (and Python: the base is an
        ABC) refuses to build an instance of a type that does not."""

    def __post_init__(self) -> None:
        if not isinstance(self.issuer, Issuer):
            raise InvalidDocumentError("issuer", "must be an Issuer")
        check_date("issued_on", self.issued_on)
        check_text("document_number", self.document_number)
        if not re.fullmatch(r"[0-9A-Za-z-]{1,32}", self.document_number):
            raise InvalidDocumentError(
                "document_number", "must be 1–32 ASCII letters, digits or hyphens"
            )
