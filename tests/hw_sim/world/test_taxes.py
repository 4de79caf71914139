"""The simplified 個人住民税 assessment and payment schedule."""

from __future__ import annotations

from datetime import date

from hw_sim.world.taxes import assess, due_dates, paid_by, salary_income


def test_salary_income_table() -> None:
    assert salary_income(500_000) == 0
    assert salary_income(1_000_000) == 450_000
    assert salary_income(3_000_000) == 3_000_000 - (900_000 + 80_000)
    assert salary_income(6_200_000) == 6_200_000 - (1_240_000 + 440_000)
    assert salary_income(10_000_000) == 10_000_000 - 1_950_000


def _record(revenue: int, collection: str = "普通徴収", arrears: bool = False):  # type: ignore[no-untyped-def]
    return assess(
        fiscal_year=2025,
        municipality_code="131202",
        address="東京都練馬区豊玉北６丁目１２番１号",
        incomes=(("給与", revenue),),
        spouse_income=None,
        dependents_16_plus=0,
        dependents_total=0,
        collection=collection,
        arrears=arrears,
    )


def test_low_income_is_nontaxable_and_levies_add_up() -> None:
    assert _record(900_000).nontaxable
    record = _record(5_000_000)
    assert not record.nontaxable
    assert record.taxable_income_yen % 1000 == 0
    assert record.municipal_income_levy_yen == record.taxable_income_yen * 6 // 100 // 100 * 100
    assert record.total_tax_yen > 200_000


def test_ordinary_collection_is_paid_in_four_instalments() -> None:
    record = _record(5_000_000)
    assert due_dates(record) == [
        date(2025, 6, 30),
        date(2025, 8, 31),
        date(2025, 10, 31),
        date(2026, 1, 31),
    ]
    assert paid_by(record, date(2025, 6, 29)) == 0
    assert 0 < paid_by(record, date(2025, 9, 1)) < record.total_tax_yen
    assert paid_by(record, date(2026, 2, 1)) == record.total_tax_yen


def test_arrears_stop_after_the_first_instalment() -> None:
    record = _record(5_000_000, arrears=True)
    assert paid_by(record, date(2026, 3, 1)) < record.total_tax_yen


def test_special_collection_is_monthly() -> None:
    record = _record(5_000_000, collection="特別徴収")
    assert len(due_dates(record)) == 12
    assert due_dates(record)[0] == date(2025, 7, 10)
    assert paid_by(record, date(2026, 6, 10)) == record.total_tax_yen
