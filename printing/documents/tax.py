"""The tax certificates: 所得・課税（非課税）証明書 and 納税証明書 (individual inhabitant tax).

Years are Gregorian ``int`` in the data and printed as 年度 in the era form (2024 →
「令和６年度」). The income year of a fiscal year's certificate is the calendar year before it
(令和６年度 → 令和５年中の所得). The names of the taxes follow the issuer: 特別区民税・都民税 in
Tokyo's wards, 市民税・府民税 in a city of a 府, 町民税・県民税 in a town of a 県 ...
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from printing.certificates import CertificateKind
from printing.documents.common import (
    Address,
    CertificateDocument,
    PersonName,
    check_address,
    check_date,
    check_text,
)
from printing.documents.errors import InvalidDocumentError

if TYPE_CHECKING:
    from printing.documents._compose import Composed

__all__ = [
    "AmountLine",
    "IncomeLine",
    "IncomeTaxCertificate",
    "TaxPaymentCertificate",
    "TaxPaymentLine",
]

# The fiscal years the certificates can state (平成2年度 .. a generous future bound).
_FIRST_FISCAL_YEAR = 1990
_LAST_FISCAL_YEAR = 2100


def _check_yen(field: str, value: int, *, negative_ok: bool = False) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidDocumentError(field, "must be an int of yen")
    if value < 0 and not negative_ok:
        raise InvalidDocumentError(field, "must not be negative")
    if abs(value) >= 10**12:
        raise InvalidDocumentError(field, "is implausibly large")


def _check_fiscal_year(field: str, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidDocumentError(field, "must be an int (Gregorian year)")
    if not _FIRST_FISCAL_YEAR <= value <= _LAST_FISCAL_YEAR:
        raise InvalidDocumentError(field, "is outside the supported years")


@dataclass(frozen=True)
class IncomeLine:
    """One kind of income: 給与, 公的年金等, 営業等, 不動産, 雑 ... with 収入金額 and 所得金額.

    ``revenue_yen`` is None where only the 所得 is assessed; ``income_yen`` may be negative
    (a loss).
    """

    kind: str
    income_yen: int
    revenue_yen: int | None = None

    def __post_init__(self) -> None:
        check_text("income.kind", self.kind)
        _check_yen("income.income_yen", self.income_yen, negative_ok=True)
        if self.revenue_yen is not None:
            _check_yen("income.revenue_yen", self.revenue_yen)


@dataclass(frozen=True)
class AmountLine:
    """A labelled amount, e.g. a deduction (社会保険料控除 850,000)."""

    label: str
    amount_yen: int

    def __post_init__(self) -> None:
        check_text("amount.label", self.label)
        _check_yen("amount.amount_yen", self.amount_yen)


@dataclass(frozen=True)
class IncomeTaxCertificate(CertificateDocument):
    """所得・課税証明書 (or 所得・非課税証明書 when every levy is zero).

    ``address`` is the address on 1 January of ``fiscal_year`` (賦課期日). The totals printed
    (合計所得金額, 所得控除合計) are the sums of the lines; ``taxable_income_yen`` is the 課税標準額
    as assessed (rounded down to 1,000 yen). ``spouse`` is 控除対象配偶者の有無, ``dependents`` the
    number of 扶養親族.
    """

    kind: ClassVar[CertificateKind] = CertificateKind.TAX_INCOME

    def compose(self) -> Composed:
        from printing.documents._compose_tax import compose_income_tax  # it imports this module

        return compose_income_tax(self)

    fiscal_year: int
    name: PersonName
    birth_date: date
    address: Address | str
    income: tuple[IncomeLine, ...]
    deductions: tuple[AmountLine, ...]
    taxable_income_yen: int
    municipal_income_levy_yen: int  # 区市町村民税 所得割額
    municipal_per_capita_yen: int  # 区市町村民税 均等割額
    prefectural_income_levy_yen: int  # 道府県民税 (都民税) 所得割額
    prefectural_per_capita_yen: int  # 道府県民税 (都民税) 均等割額
    spouse: bool = False
    dependents: int = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_fiscal_year("fiscal_year", self.fiscal_year)
        if not isinstance(self.name, PersonName):
            raise InvalidDocumentError("name", "must be a PersonName")
        check_date("birth_date", self.birth_date)
        check_address("address", self.address)
        for i, line in enumerate(self.income):
            if not isinstance(line, IncomeLine):
                raise InvalidDocumentError(f"income[{i}]", "must be an IncomeLine")
        for i, amount in enumerate(self.deductions):
            if not isinstance(amount, AmountLine):
                raise InvalidDocumentError(f"deductions[{i}]", "must be an AmountLine")
        for name in (
            "taxable_income_yen",
            "municipal_income_levy_yen",
            "municipal_per_capita_yen",
            "prefectural_income_levy_yen",
            "prefectural_per_capita_yen",
        ):
            _check_yen(name, getattr(self, name))
        if self.taxable_income_yen % 1000:
            raise InvalidDocumentError(
                "taxable_income_yen", "課税標準額 is rounded down to 1,000 yen"
            )
        if not isinstance(self.spouse, bool):
            raise InvalidDocumentError("spouse", "must be a bool")
        if not isinstance(self.dependents, int) or isinstance(self.dependents, bool):
            raise InvalidDocumentError("dependents", "must be an int")
        if not 0 <= self.dependents <= 99:
            raise InvalidDocumentError("dependents", "must be 0 to 99")

    @property
    def income_year(self) -> int:
        """The calendar year whose income is certified (the year before the fiscal year)."""
        return self.fiscal_year - 1

    @property
    def total_income_yen(self) -> int:
        """合計所得金額: the sum of the income lines."""
        return sum(line.income_yen for line in self.income)

    @property
    def total_deductions_yen(self) -> int:
        """所得控除合計."""
        return sum(line.amount_yen for line in self.deductions)

    @property
    def total_tax_yen(self) -> int:
        """年税額: all four levies."""
        return (
            self.municipal_income_levy_yen
            + self.municipal_per_capita_yen
            + self.prefectural_income_levy_yen
            + self.prefectural_per_capita_yen
        )

    @property
    def nontaxable(self) -> bool:
        """非課税: no levy at all."""
        return self.total_tax_yen == 0

    @property
    def title(self) -> str:
        return "所得・非課税証明書" if self.nontaxable else "所得・課税証明書"


@dataclass(frozen=True)
class TaxPaymentLine:
    """One tax of one fiscal year: 税目, 年度, 税額, 納付済額 (未納額 is their difference)."""

    tax_item: str  # e.g. 「特別区民税・都民税（普通徴収）」, 「軽自動車税（種別割）」
    fiscal_year: int
    assessed_yen: int
    paid_yen: int

    def __post_init__(self) -> None:
        check_text("line.tax_item", self.tax_item)
        _check_fiscal_year("line.fiscal_year", self.fiscal_year)
        _check_yen("line.assessed_yen", self.assessed_yen)
        _check_yen("line.paid_yen", self.paid_yen)
        if self.paid_yen > self.assessed_yen:
            raise InvalidDocumentError("line.paid_yen", "exceeds the assessed amount")

    @property
    def unpaid_yen(self) -> int:
        return self.assessed_yen - self.paid_yen


@dataclass(frozen=True)
class TaxPaymentCertificate(CertificateDocument):
    """納税証明書: the taxes assessed and paid. ``purpose`` is the 使用目的 when one is stated
    (e.g. 「軽自動車継続検査用」)."""

    kind: ClassVar[CertificateKind] = CertificateKind.TAX_PAYMENT

    def compose(self) -> Composed:
        from printing.documents._compose_tax import compose_tax_payment  # it imports this module

        return compose_tax_payment(self)

    name: PersonName
    address: Address | str
    lines: tuple[TaxPaymentLine, ...]
    purpose: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if not isinstance(self.name, PersonName):
            raise InvalidDocumentError("name", "must be a PersonName")
        check_address("address", self.address)
        if not self.lines:
            raise InvalidDocumentError("lines", "a 納税証明書 states at least one tax")
        for i, line in enumerate(self.lines):
            if not isinstance(line, TaxPaymentLine):
                raise InvalidDocumentError(f"lines[{i}]", "must be a TaxPaymentLine")
        if self.purpose is not None:
            check_text("purpose", self.purpose)
