"""Composing the tax certificates: 所得・課税（非課税）証明書 and 納税証明書."""

from __future__ import annotations

from printing.documents._compose import (
    Composed,
    Facts,
    birth,
    closing_rows,
    dual_date,
    label,
    make_composition,
    registry,
    value,
)
from printing.documents._engine import Block, Row
from printing.documents.common import Issuer, address_text
from printing.documents.tax import IncomeTaxCertificate, TaxPaymentCertificate
from printing.jpdates import format_era_year, fullwidth_digits

CERTIFICATION_INCOME = "上記のとおり証明する。"
CERTIFICATION_PAID = "上記のとおり納付済みであることを証明する。"
CERTIFICATION_PAYMENT = "上記のとおり相違ないことを証明する。"


def _yen(amount: int) -> str:
    return f"{amount:,}円"


def tax_names(issuer: Issuer) -> tuple[str, str]:
    """(municipal, prefectural) inhabitant tax names: 特別区民税・都民税, 市民税・県民税 ..."""
    municipal = "特別区民税" if issuer.name.endswith("区") else f"{issuer.name[-1]}民税"
    return municipal, f"{issuer.prefecture[-1]}民税"


def _person_header(doc: IncomeTaxCertificate | TaxPaymentCertificate, facts: Facts) -> list[Row]:
    address_label = "住所"
    rows = []
    if isinstance(doc, IncomeTaxCertificate):
        year = facts.add(
            "fiscal_year",
            f"{format_era_year(doc.fiscal_year)}度（{format_era_year(doc.income_year)}中の所得）",
        )
        rows.append(Row((label(30, "年度"), value(150, year))))
        address_label = f"住所（{format_era_year(doc.fiscal_year)}１月１日現在）"
    rows.append(
        Row(
            (
                label(30, address_label, 8.0),
                value(150, facts.add("address", registry(address_text(doc.address)))),
            )
        )
    )
    name = facts.add("name", registry(doc.name.full))
    if isinstance(doc, IncomeTaxCertificate):
        born = facts.add("birth_date", birth(doc.birth_date))
        rows.append(
            Row((label(30, "氏名"), value(70, name, 12.0), label(25, "生年月日"), value(55, born)))
        )
    else:
        rows.append(Row((label(30, "氏名"), value(150, name, 12.0))))
    return rows


def compose_income_tax(doc: IncomeTaxCertificate) -> Composed:
    """Income by kind, deductions, dependants, the taxable base and the four levies."""
    facts = Facts()
    comp = make_composition(doc.title, _person_header(doc, facts), doc.document_number)
    income_rows = [Row((label(60, "所得の種類"), label(60, "収入金額"), label(60, "所得金額")))]
    for i, line in enumerate(doc.income):
        revenue = "" if line.revenue_yen is None else _yen(line.revenue_yen)
        income_rows.append(
            Row(
                (
                    value(60, facts.add(f"income[{i}].kind", line.kind), align="center"),
                    value(60, facts.add(f"income[{i}].revenue", revenue), align="right"),
                    value(
                        60, facts.add(f"income[{i}].income", _yen(line.income_yen)), align="right"
                    ),
                )
            )
        )
    total = facts.add("total_income", _yen(doc.total_income_yen))
    income_rows.append(Row((label(120, "合計所得金額"), value(60, total, align="right"))))
    comp.body.append(Block(income_rows))

    deduction_rows = [Row((label(120, "所得控除の種類"), label(60, "控除額")))]
    for i, amount in enumerate(doc.deductions):
        deduction_rows.append(
            Row(
                (
                    value(120, facts.add(f"deductions[{i}].label", amount.label), align="center"),
                    value(
                        60,
                        facts.add(f"deductions[{i}].amount", _yen(amount.amount_yen)),
                        align="right",
                    ),
                )
            )
        )
    total_deductions = facts.add("total_deductions", _yen(doc.total_deductions_yen))
    deduction_rows.append(
        Row((label(120, "所得控除合計"), value(60, total_deductions, align="right")))
    )
    spouse = facts.add("spouse", "有" if doc.spouse else "無")
    dependents = facts.add("dependents", f"{fullwidth_digits(doc.dependents)}人")
    deduction_rows.append(
        Row(
            (
                label(45, "控除対象配偶者", 8.5),
                value(45, spouse, align="center"),
                label(45, "扶養親族数"),
                value(45, dependents, align="center"),
            )
        )
    )
    comp.body.append(Block(deduction_rows))

    municipal, prefectural = tax_names(doc.issuer)
    taxable = facts.add("taxable_income", _yen(doc.taxable_income_yen))
    tax_rows = [
        Row((label(60, "課税標準額"), value(120, taxable, align="right"))),
        Row((label(60, "区分"), label(40, "所得割額"), label(40, "均等割額"), label(40, "年税額"))),
    ]
    levies = (
        ("municipal", municipal, doc.municipal_income_levy_yen, doc.municipal_per_capita_yen),
        (
            "prefectural",
            prefectural,
            doc.prefectural_income_levy_yen,
            doc.prefectural_per_capita_yen,
        ),
    )
    for key, name, income_levy, per_capita in levies:
        tax_rows.append(
            Row(
                (
                    value(60, facts.add(f"{key}.name", name), align="center"),
                    value(40, facts.add(f"{key}.income_levy", _yen(income_levy)), align="right"),
                    value(40, facts.add(f"{key}.per_capita", _yen(per_capita)), align="right"),
                    value(
                        40, facts.add(f"{key}.total", _yen(income_levy + per_capita)), align="right"
                    ),
                )
            )
        )
    grand = "非課税" if doc.nontaxable else _yen(doc.total_tax_yen)
    tax_rows.append(
        Row((label(140, "合計"), value(40, facts.add("total_tax", grand), align="right")))
    )
    comp.body.append(Block(tax_rows))
    issue_date = dual_date(doc.issued_on)
    comp.closing = closing_rows(facts, doc.issuer, CERTIFICATION_INCOME, issue_date)
    return Composed(comp, facts, CERTIFICATION_INCOME, issue_date)


def compose_tax_payment(doc: TaxPaymentCertificate) -> Composed:
    """One row per tax and year: 税額, 納付済額, 未納額; the 使用目的 when stated."""
    facts = Facts()
    header = _person_header(doc, facts)
    if doc.purpose:
        header.append(Row((label(30, "使用目的"), value(150, facts.add("purpose", doc.purpose)))))
    header.append(
        Row(
            (
                label(24, "年度"),
                label(60, "税目"),
                label(32, "税額"),
                label(32, "納付済額"),
                label(32, "未納額"),
            )
        )
    )
    comp = make_composition(doc.title, header, doc.document_number)
    comp.header_gap = 0.0  # the table's rows follow its column headings
    for i, line in enumerate(doc.lines):
        key = f"lines[{i}]"
        block = Block(
            [
                Row(
                    (
                        value(
                            24,
                            facts.add(
                                f"{key}.fiscal_year", f"{format_era_year(line.fiscal_year)}度"
                            ),
                            9.5,
                        ),
                        value(60, facts.add(f"{key}.tax_item", line.tax_item), 9.5),
                        value(
                            32, facts.add(f"{key}.assessed", _yen(line.assessed_yen)), align="right"
                        ),
                        value(32, facts.add(f"{key}.paid", _yen(line.paid_yen)), align="right"),
                        value(32, facts.add(f"{key}.unpaid", _yen(line.unpaid_yen)), align="right"),
                    )
                )
            ],
            gap_before=0.0,
        )
        comp.body.append(block)
    paid_up = all(line.unpaid_yen == 0 for line in doc.lines)
    certification = CERTIFICATION_PAID if paid_up else CERTIFICATION_PAYMENT
    issue_date = dual_date(doc.issued_on)
    comp.closing = closing_rows(facts, doc.issuer, certification, issue_date)
    return Composed(comp, facts, certification, issue_date)
