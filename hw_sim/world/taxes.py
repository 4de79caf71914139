"""個人住民税 for the simulated residents: a simplified but consistent assessment.

What is modelled (地方税法 as of 令和年度, simplified; the figures only need to be plausible
and internally consistent so that certificates add up):

- 給与所得 from 給与収入 by the 給与所得控除 table (令和2年分以降), 公的年金等 by a flat
  1,100,000 yen deduction (65 and over), other income as given;
- deductions: 基礎控除 430,000, 社会保険料控除 (given, or 14.5 % of salary), 配偶者控除 330,000
  when the spouse's 合計所得 is at most 480,000, 扶養控除 330,000 per dependent aged 16+;
- 所得割 6 % municipal + 4 % prefectural (8 % + 2 % in designated cities), 均等割 3,000 + 1,000
  yen; 非課税 when the 合計所得 is at most 450,000 yen (single) or the person has none;
- collection: 特別徴収 (12 monthly payments, June → May) or 普通徴収 (4 instalments due
  6/30, 8/31, 10/31 and 1/31), paid on the due date unless the record is in arrears.
"""

from __future__ import annotations

from datetime import date

from hw_sim.world.records import IncomeSource, TaxRecord

BASIC_DEDUCTION = 430_000  # 地方税法 第314条の2 第2項 (基礎控除, 合計所得 2,400万円以下)
SPOUSE_DEDUCTION = 330_000  # 配偶者控除 (納税者の合計所得 900万円以下)
DEPENDENT_DEDUCTION = 330_000  # 一般の扶養控除
SPOUSE_INCOME_LIMIT = 480_000
NONTAXABLE_LIMIT = 450_000  # 均等割の非課税限度額 (1級地, 単身): 合計所得 45万円以下
PER_CAPITA_MUNICIPAL = 3_000
PER_CAPITA_PREFECTURAL = 1_000
DESIGNATED_CITIES = frozenset(
    {"011002", "041009", "111007", "121002", "141003", "141305", "151009", "221007", "221309",
     "261009", "271004", "271403", "281000", "331007", "341002", "401307", "431001"}
)  # fmt: skip


def salary_income(revenue: int) -> int:
    """給与所得 = 給与収入 − 給与所得控除 (所得税法 第28条, 令和2年分以降の表, simplified)."""
    if revenue <= 550_999:
        return 0
    if revenue <= 1_625_000:
        return revenue - 550_000
    if revenue <= 1_800_000:
        deduction = revenue * 40 // 100 - 100_000
    elif revenue <= 3_600_000:
        deduction = revenue * 30 // 100 + 80_000
    elif revenue <= 6_600_000:
        deduction = revenue * 20 // 100 + 440_000
    elif revenue <= 8_500_000:
        deduction = revenue * 10 // 100 + 1_100_000
    else:
        deduction = 1_950_000
    return revenue - deduction


def income_of(kind: str, revenue: int) -> int:
    """所得 of one kind of income."""
    if kind == "給与":
        return salary_income(revenue)
    if kind == "公的年金等":
        return max(0, revenue - 1_100_000)
    return revenue


def assess(
    *,
    fiscal_year: int,
    municipality_code: str,
    address: str,
    incomes: tuple[tuple[str, int], ...],
    spouse_income: int | None,
    dependents_16_plus: int,
    dependents_total: int,
    collection: str,
    arrears: bool = False,
    social_insurance: int | None = None,
) -> TaxRecord:
    """The 個人住民税 record of one fiscal year for the given income of the year before."""
    sources = tuple(
        IncomeSource(kind, revenue, income_of(kind, revenue)) for kind, revenue in incomes
    )
    total_income = sum(source.income_yen for source in sources)
    salary = sum(source.revenue_yen for source in sources if source.kind == "給与")
    insurance = social_insurance if social_insurance is not None else salary * 145 // 1000
    spouse = spouse_income is not None and spouse_income <= SPOUSE_INCOME_LIMIT
    deductions: list[tuple[str, int]] = []
    if insurance:
        deductions.append(("社会保険料控除", insurance))
    if spouse:
        deductions.append(("配偶者控除", SPOUSE_DEDUCTION))
    if dependents_16_plus:
        deductions.append(("扶養控除", DEPENDENT_DEDUCTION * dependents_16_plus))
    deductions.append(("基礎控除", BASIC_DEDUCTION))
    nontaxable_limit = (
        NONTAXABLE_LIMIT
        if not (spouse or dependents_total)
        else (350_000 * (1 + int(spouse) + dependents_total) + 100_000 + 210_000)
    )  # 均等割の非課税限度額 with dependants: 35万円 × 人数 + 10万円 + 21万円 (1級地)
    if total_income <= nontaxable_limit:
        return TaxRecord(
            fiscal_year=fiscal_year,
            address=address,
            incomes=sources,
            deductions=tuple(deductions),
            taxable_income_yen=0,
            municipal_income_levy_yen=0,
            municipal_per_capita_yen=0,
            prefectural_income_levy_yen=0,
            prefectural_per_capita_yen=0,
            spouse=spouse,
            dependents=dependents_total,
            collection=collection,
        )
    taxable = max(0, total_income - sum(amount for _, amount in deductions)) // 1000 * 1000
    municipal_rate, prefectural_rate = (8, 2) if municipality_code in DESIGNATED_CITIES else (6, 4)
    # 調整控除 (地方税法 第314条の6) is left out: certificates print the levies as assessed here.
    municipal = taxable * municipal_rate // 100 // 100 * 100  # 百円未満切捨て
    prefectural = taxable * prefectural_rate // 100 // 100 * 100
    return TaxRecord(
        fiscal_year=fiscal_year,
        address=address,
        incomes=sources,
        deductions=tuple(deductions),
        taxable_income_yen=taxable,
        municipal_income_levy_yen=municipal,
        municipal_per_capita_yen=PER_CAPITA_MUNICIPAL,
        prefectural_income_levy_yen=prefectural,
        prefectural_per_capita_yen=PER_CAPITA_PREFECTURAL,
        spouse=spouse,
        dependents=dependents_total,
        collection=collection,
        arrears=arrears,
    )


def due_dates(record: TaxRecord) -> list[date]:
    """The payment dates of a fiscal year's tax (地方税法 第320条, 第321条の5)."""
    year = record.fiscal_year
    if record.collection == "特別徴収":
        # withheld from June to May, paid in by the employer on the 10th of the next month
        months = [(year, m) for m in range(6, 13)] + [(year + 1, m) for m in range(1, 6)]
        return [date(y + (m == 12), m % 12 + 1, 10) for y, m in months]
    return [date(year, 6, 30), date(year, 8, 31), date(year, 10, 31), date(year + 1, 1, 31)]


def instalments(record: TaxRecord) -> list[int]:
    """The amounts due on each of :func:`due_dates` (the first one takes the remainder)."""
    total = record.total_tax_yen
    count = len(due_dates(record))
    # 地方税法 第321条の5: 特別徴収 instalments are rounded to 100 yen, remainder in June.
    base = total // count // 100 * 100
    first = total - base * (count - 1)
    return [first] + [base] * (count - 1)


def paid_by(record: TaxRecord, day: date) -> int:
    """How much of the fiscal year's tax is paid on ``day``: instalments due on or before it
    (none after the first when the record is in arrears)."""
    paid = 0
    for index, (due, amount) in enumerate(zip(due_dates(record), instalments(record), strict=True)):
        if due > day or (record.arrears and index > 0):
            break
        paid += amount
    return paid
