"""The data model checks its own data: typed errors naming the field, never the value."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest

from printing.certificates import JuminhyoOptions, KosekiScope, Scope
from printing.documents import (
    FuhyoEntry,
    FuhyoPerson,
    HeadTitle,
    IncomeLine,
    InvalidDocumentError,
    Issuer,
    JuminhyoCopy,
    KosekiDetail,
    PersonName,
    SealImpression,
    Sex,
    TaxPaymentLine,
    samples,
)
from printing.documents.common import municipality_code_check_digit, my_number_check_digit
from printing.documents.juminhyo import ForeignResidentCategory, ForeignResidentItems


def test_check_digits() -> None:
    assert municipality_code_check_digit("13120") == 2  # 練馬区 131202
    assert municipality_code_check_digit("01100") == 2  # 札幌市 011002
    assert municipality_code_check_digit("13101") == 6  # 千代田区 131016
    assert my_number_check_digit("12345678901") == 8  # the published sample 123456789018


def test_issuer_title_and_seal_follow_the_name() -> None:
    assert samples.NERIMA.head_title is HeadTitle.WARD
    assert samples.NERIMA.seal_legend == "練馬区長之印"
    assert samples.NERIMA.head_line == "東京都練馬区長　豊玉　一郎"
    town = Issuer("134015", "東京都", "八丈町", "八丈　太郎")
    assert town.head_title is HeadTitle.TOWN
    assert town.seal_legend == "八丈町長之印"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"municipality_code": "131203"}, "issuer.municipality_code"),
        ({"municipality_code": "13120"}, "issuer.municipality_code"),
        ({"prefecture": "東京"}, "issuer.prefecture"),
        ({"name": "練馬"}, "issuer.name"),
        ({"head_name": " "}, "issuer.head_name"),
        ({"head_name": "豊玉\n一郎"}, "issuer.head_name"),
    ],
)
def test_bad_issuer(kwargs: dict[str, str], field: str) -> None:
    base = {
        "municipality_code": "131202",
        "prefecture": "東京都",
        "name": "練馬区",
        "head_name": "豊玉　一郎",
    }
    with pytest.raises(InvalidDocumentError) as info:
        Issuer(**(base | kwargs))
    assert info.value.field == field


def test_error_message_never_contains_the_value() -> None:
    member = samples.yamada_household().members[0]
    with pytest.raises(InvalidDocumentError) as info:
        dataclasses.replace(member, my_number="123456789012")  # wrong check digit
    assert info.value.field == "my_number"
    assert "123456789012" not in str(info.value)


def test_resident_rules() -> None:
    member = samples.yamada_household().members[0]
    with pytest.raises(InvalidDocumentError, match="my_number"):
        dataclasses.replace(member, my_number="12345678901a")
    with pytest.raises(InvalidDocumentError, match="honseki"):
        dataclasses.replace(member, hittosha=None)  # 本籍 without 筆頭者
    with pytest.raises(InvalidDocumentError, match="birth_date"):
        dataclasses.replace(member, birth_date=datetime(1975, 6, 21, 12, 0))  # type: ignore[arg-type]
    foreigner = samples.mixed_household().members[1]
    with pytest.raises(InvalidDocumentError, match="foreign resident has no"):
        dataclasses.replace(foreigner, honseki="東京都", hittosha="誰か")


def test_foreign_items_rules() -> None:
    def items(**kw: object) -> ForeignResidentItems:
        base: dict[str, object] = {
            "nationality": "韓国",
            "status": "特別永住者",
            "category": ForeignResidentCategory.SPECIAL_PERMANENT,
            "card_number": "AB12345678CD",
        }
        return ForeignResidentItems(**(base | kw))  # type: ignore[arg-type]

    items()  # 特別永住者: no period
    with pytest.raises(InvalidDocumentError, match="card_number"):
        items(card_number="AB1234567CD")
    with pytest.raises(InvalidDocumentError, match="period"):
        items(period="３年")  # without its 満了日
    with pytest.raises(InvalidDocumentError, match="category"):
        items(category="特別永住者")


def test_household_and_selection_rules() -> None:
    household = samples.yamada_household()
    with pytest.raises(InvalidDocumentError, match="head_member_id"):
        dataclasses.replace(household, head_member_id="nobody")
    with pytest.raises(InvalidDocumentError, match="unique"):
        dataclasses.replace(household, members=household.members + household.members[:1])
    doc = samples.juminhyo()
    with pytest.raises(InvalidDocumentError, match="applicant_id"):
        dataclasses.replace(doc, applicant_id="nobody")
    with pytest.raises(InvalidDocumentError, match=r"options\.member_ids"):
        dataclasses.replace(doc, options=JuminhyoOptions(scope=Scope.HOUSEHOLD_PART))
    with pytest.raises(InvalidDocumentError, match=r"options.member_ids\[1\]"):
        dataclasses.replace(
            doc, options=JuminhyoOptions(scope=Scope.HOUSEHOLD_PART, member_ids=("R001", "X"))
        )
    with pytest.raises(InvalidDocumentError, match="only with"):
        dataclasses.replace(doc, options=JuminhyoOptions(scope=Scope.SELF, member_ids=("R001",)))


def test_my_number_asked_but_unknown_is_refused() -> None:
    household = samples.yamada_household()
    members = (dataclasses.replace(household.members[0], my_number=None), *household.members[1:])
    with pytest.raises(InvalidDocumentError, match="my_number"):
        JuminhyoCopy(
            samples.NERIMA,
            date(2024, 12, 3),
            "1",
            dataclasses.replace(household, members=members),
            "R001",
            JuminhyoOptions(show_my_number=True),
        )


def test_selected_members_follow_scope_in_registry_order() -> None:
    household = samples.yamada_household()
    doc = samples.juminhyo(household, JuminhyoOptions(scope=Scope.SELF), applicant_id="R003")
    assert [m.member_id for m in doc.selected_members] == ["R003"]
    doc = samples.juminhyo(
        household, JuminhyoOptions(scope=Scope.HOUSEHOLD_PART, member_ids=("R004", "R002"))
    )
    assert [m.member_id for m in doc.selected_members] == ["R002", "R004"]
    doc = samples.juminhyo(household, JuminhyoOptions(scope=Scope.HOUSEHOLD_ALL))
    assert len(doc.selected_members) == 4


def test_other_types_rules() -> None:
    with pytest.raises(InvalidDocumentError, match=r"seal\.size_mm"):
        SealImpression("山田", size_mm=8.0)  # fits into an 8 mm square: not registrable
    with pytest.raises(InvalidDocumentError, match=r"seal\.size_mm"):
        SealImpression("山田", size_mm=25.5)
    with pytest.raises(InvalidDocumentError, match=r"seal\.text"):
        SealImpression("山田 太郎")
    with pytest.raises(InvalidDocumentError, match="paid_yen"):
        TaxPaymentLine("住民税", 2024, 1000, 1001)
    with pytest.raises(InvalidDocumentError, match="income_yen"):
        IncomeLine("給与", True)  # type: ignore[arg-type]
    with pytest.raises(InvalidDocumentError, match="taxable_income_yen"):
        dataclasses.replace(samples.income_tax(), taxable_income_yen=2_288_500)
    with pytest.raises(InvalidDocumentError, match="brackets"):
        KosekiDetail("【出生日】", date(2000, 1, 1))
    with pytest.raises(InvalidDocumentError, match="subject_ids"):
        dataclasses.replace(samples.koseki(), scope=KosekiScope.INDIVIDUAL, subject_ids=())
    with pytest.raises(InvalidDocumentError, match=r"subject_ids\[0\]"):
        dataclasses.replace(samples.koseki(), scope=KosekiScope.INDIVIDUAL, subject_ids=("X",))
    with pytest.raises(InvalidDocumentError, match="oldest first"):
        FuhyoPerson(
            "F1",
            PersonName("山田", "太郎"),
            date(1975, 6, 21),
            Sex.MALE,
            (FuhyoEntry("東京都", date(2015, 4, 1)), FuhyoEntry("埼玉県", date(2004, 4, 10))),
        )
    with pytest.raises(InvalidDocumentError, match="document_number"):
        dataclasses.replace(samples.inkan(), document_number="番号1")


def test_titles() -> None:
    assert samples.juminhyo().title == "住民票の写し"
    assert samples.kisai_jiko().title == "住民票記載事項証明書"
    assert samples.inkan().title == "印鑑登録証明書"
    assert samples.income_tax().title == "所得・課税証明書"
    assert samples.income_tax(nontaxable=True).title == "所得・非課税証明書"
    assert samples.tax_payment().title == "納税証明書"
    assert samples.koseki().title == "戸籍全部事項証明書"
    assert samples.koseki(KosekiScope.INDIVIDUAL).title == "戸籍個人事項証明書"
    assert samples.fuhyo().title == "戸籍の附票の写し"


def test_unprintable_characters_are_refused() -> None:
    with pytest.raises(InvalidDocumentError, match="private-use"):
        PersonName("山\ue000", "太郎")
    # Ideographic variation selectors are allowed: they pick a glyph variant of the base.
    PersonName("葛\U000e0100城", "太郎")


def test_address_with_katagaki() -> None:
    from printing.documents import Address
    from printing.documents.common import address_text

    address = Address("東京都練馬区豊玉北六丁目１２番１号", "ハイツ豊玉２０３号")
    assert address.full == "東京都練馬区豊玉北六丁目１２番１号　ハイツ豊玉２０３号"
    assert address_text(address) == address.full
    assert address_text("東京都千代田区") == "東京都千代田区"
    assert Address("東京都千代田区").full == "東京都千代田区"
    with pytest.raises(InvalidDocumentError, match=r"address\.text"):
        Address(" ")
    with pytest.raises(InvalidDocumentError, match=r"household\.address"):
        dataclasses.replace(samples.yamada_household(), address="")


def test_anything_else_is_not_a_certificate_document() -> None:
    from printing.documents import render

    with pytest.raises(InvalidDocumentError, match="not a certificate document"):
        render(object())  # type: ignore[arg-type]
