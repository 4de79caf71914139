"""住民票の写し and 住民票記載事項証明書: what the options print and what they leave out, read
back from the PDF with pdftotext."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from doc_helpers import PdfText, squash

from printing.certificates import JuminhyoOptions, Scope
from printing.documents import (
    InvalidDocumentError,
    ResidenceEvent,
    render,
    render_document,
    samples,
)
from printing.documents.jpdates import format_era_date, fullwidth_digits, to_fullwidth


def test_household_all_prints_every_member_and_the_scope_sentence(pdf_squashed: PdfText) -> None:
    household = samples.yamada_household()
    doc = samples.juminhyo(household)
    text = pdf_squashed(render(doc))
    assert "住民票の写し" in text
    for member in household.members:
        assert squash(member.name.full) in text
        assert squash(member.name.kana) in text
    assert "この写しは、世帯全員の住民票の原本と相違ないことを証明する。" in text
    assert "東京都練馬区豊玉北六丁目１２番１号" in text
    assert "昭和５０年６月２１日生" in text  # 太郎
    assert "令和元年５月１日生" in text  # さくら, born on the first day of 令和
    assert "２０２４年（令和６年）１２月３日" in text  # issue date
    assert "東京都練馬区長豊玉一郎" in text
    assert "以下余白" in text
    assert "発行番号" not in text  # the kiosk prints the one number, with the copy
    # Options chosen by the sample: 世帯主・続柄 and 本籍・筆頭者, but no 個人番号.
    assert "世帯主" in text
    assert "続柄" in text
    assert "妻" in text
    assert "東京都千代田区平河町一丁目１０番地" in text
    assert "個人番号" not in text
    for member in household.members:
        assert member.my_number is not None
        assert fullwidth_digits(member.my_number) not in text
        assert member.my_number not in text
    # 住民票コード is printed as omitted, never as a number.
    assert "住民票コード省略" in text
    # Fees are not printed on a certificate.
    assert "手数料" not in text
    assert "円" not in text


def test_nothing_optional_unless_asked(pdf_squashed: PdfText) -> None:
    doc = samples.juminhyo(options=JuminhyoOptions(scope=Scope.HOUSEHOLD_ALL))
    text = pdf_squashed(render(doc))
    assert "本籍" not in text
    assert "筆頭者" not in text
    assert "千代田区平河町" not in text
    assert "続柄" not in text
    assert "世帯主" not in text
    assert "個人番号" not in text


def test_my_number_only_when_asked(pdf_squashed: PdfText) -> None:
    household = samples.yamada_household()
    doc = samples.juminhyo(
        household, JuminhyoOptions(scope=Scope.SELF, show_my_number=True), applicant_id="R002"
    )
    text = pdf_squashed(render(doc))
    wife, others = household.members[1], [household.members[i] for i in (0, 2, 3)]
    assert wife.my_number is not None
    assert "個人番号" + fullwidth_digits(wife.my_number) in text
    for other in others:
        assert other.my_number is not None
        assert fullwidth_digits(other.my_number) not in text


def test_self_prints_only_the_applicant(pdf_squashed: PdfText) -> None:
    household = samples.yamada_household()
    doc = samples.juminhyo(household, JuminhyoOptions(scope=Scope.SELF), applicant_id="R003")
    text = pdf_squashed(render(doc))
    assert "山田一郎" in text
    for name in ("山田太郎", "山田花子", "山田さくら"):
        assert name not in text
    assert "この写しは、住民票の原本と相違ないことを証明する。" in text
    assert "世帯全員" not in text


def test_household_part_prints_only_the_chosen(pdf_squashed: PdfText) -> None:
    doc = samples.juminhyo(
        options=JuminhyoOptions(
            scope=Scope.HOUSEHOLD_PART,
            member_ids=("R004", "R002"),
            show_head_and_relationship=True,
        )
    )
    text = pdf_squashed(render(doc))
    assert "山田花子" in text
    assert "山田さくら" in text
    assert "山田一郎" not in text
    # The head is named in the header (世帯主) but has no entry of his own.
    assert "世帯主山田太郎" in text
    assert "昭和５０年６月２１日生" not in text
    assert "この写しは、世帯の一部の住民票の原本と相違ないことを証明する。" in text


def test_foreign_resident_items(pdf_squashed: PdfText) -> None:
    with_items = JuminhyoOptions(
        scope=Scope.HOUSEHOLD_ALL, show_head_and_relationship=True, show_foreign_items=True
    )
    text = pdf_squashed(render(samples.juminhyo(samples.mixed_household(), with_items)))
    assert "ＳＡＮＴＯＳＭＡＲＩＡＣＬＡＲＡ" in text  # registry names print full-width
    assert "通称髙﨑マリア" in text  # 通称 is printed with the name
    assert "１９８５年２月１４日生" in text  # foreign residents' birth dates are Gregorian
    for item in ("国籍・地域フィリピン", "在留資格日本人の配偶者等", "在留期間３年"):
        assert item in text
    assert "在留期間の満了の日令和８年１０月１日" in text
    assert "在留カード等の番号ＡＢ１２３４５６７８ＣＤ" in text
    assert "３０条４５規定区分中長期在留者" in text
    assert "令和２年１０月５日通称の記載" in text
    assert "住民基本台帳法第３０条の４５" in text  # the notice about foreign residents
    # The head's entry (Japanese national) keeps the era form.
    assert "昭和４４年１月７日生" in text

    without = JuminhyoOptions(scope=Scope.HOUSEHOLD_ALL)
    text = pdf_squashed(render(samples.juminhyo(samples.mixed_household(), without)))
    assert "通称髙﨑マリア" in text
    for absent in ("国籍", "在留資格", "在留カード", "ＡＢ１２３４５６７８ＣＤ", "規定区分"):
        assert absent not in text


def test_history_and_notification_dates(pdf_squashed: PdfText) -> None:
    text = pdf_squashed(render(samples.juminhyo(samples.mixed_household())))
    # 転居 on the last day of 平成, notified in 令和.
    assert "平成３１年４月３０日転居" in text
    assert "令和元年５月７日届出" in text
    assert "住所を定めた年月日平成３１年４月３０日" in text


def test_large_household_flows_over_pages_with_repeated_header(pdf_text: PdfText) -> None:
    household = samples.large_household(9)
    rendered = render_document(samples.juminhyo(household))
    assert rendered.page_count >= 3
    total = fullwidth_digits(rendered.page_count)
    births_seen: list[str] = []
    for page in range(1, rendered.page_count + 1):
        text = squash(pdf_text(rendered.pdf, page))
        assert "住民票の写し" in text
        assert "東京都練馬区豊玉北六丁目１２番１号" in text  # the header on every page
        assert "世帯主渡邉太郎" in text
        assert f"（{fullwidth_digits(page)}／{total}）" in text
        last = page == rendered.page_count
        assert ("以下余白" in text) == last
        assert ("相違ないことを証明する" in text) == last
        births_seen += [
            m.member_id for m in household.members if format_era_date(m.birth_date) + "生" in text
        ]
    # Every member is printed exactly once, in registry order, across the pages.
    assert births_seen == [m.member_id for m in household.members]


def test_kisai_jiko(pdf_squashed: PdfText) -> None:
    doc = samples.kisai_jiko()
    text = pdf_squashed(render(doc))
    assert "住民票記載事項証明書" in text
    assert "上記のとおり住民票に記載されていることを証明する。" in text
    assert "髙﨑健" in text
    assert "ＳＡＮＴＯＳＭＡＲＩＡＣＬＡＲＡ" in text
    assert "国籍・地域フィリピン" in text
    assert "個人番号" not in text
    with_number = samples.kisai_jiko(
        JuminhyoOptions(scope=Scope.SELF, show_my_number=True, show_honseki=True)
    )
    text = pdf_squashed(render(with_number))
    head = samples.mixed_household().members[0]
    assert head.my_number is not None
    assert "個人番号" + fullwidth_digits(head.my_number) in text
    assert "本籍静岡県静岡市葵区追手町９番地筆頭者髙﨑健" in text
    assert "ＳＡＮＴＯＳ" not in text


@pytest.mark.parametrize("scope", list(Scope))
def test_every_scope_renders(scope: Scope, pdf_squashed: PdfText) -> None:
    member_ids = ("R002",) if scope is Scope.HOUSEHOLD_PART else ()
    for flags in range(16):
        options = JuminhyoOptions(
            scope=scope,
            member_ids=member_ids,
            show_head_and_relationship=bool(flags & 1),
            show_honseki=bool(flags & 2),
            show_my_number=bool(flags & 4),
            show_foreign_items=bool(flags & 8),
        )
        pdf = render(samples.juminhyo(options=options))
        assert pdf.startswith(b"%PDF-")
    text = pdf_squashed(pdf)
    assert to_fullwidth("R") not in text  # no registry id leaks onto the page


def test_long_history_continues_on_the_next_page(pdf_squashed: PdfText) -> None:
    household = samples.yamada_household()
    events = tuple(
        ResidenceEvent("転居", date(1990 + i // 12, 1 + i % 12, 1), None, f"旧住所{i}番地から転居")
        for i in range(90)
    )
    head = dataclasses.replace(household.members[0], events=events)
    household = dataclasses.replace(household, members=(head, *household.members[1:]))
    rendered = render_document(samples.juminhyo(household, JuminhyoOptions(scope=Scope.SELF)))
    assert rendered.page_count >= 2
    text = "".join(
        pdf_squashed(rendered.pdf, p, raw=True) for p in range(1, rendered.page_count + 1)
    )
    for i in range(90):
        assert f"旧住所{fullwidth_digits(i)}番地から転居" in text


def test_overlong_field_is_refused_before_layout() -> None:
    household = samples.yamada_household()
    with pytest.raises(InvalidDocumentError, match="longer than"):
        dataclasses.replace(household, address="東" * 301)


def test_absurd_length_is_a_layout_error_not_a_huge_job() -> None:
    from printing.documents import LayoutError

    household = samples.yamada_household()
    events = tuple(ResidenceEvent("転居", date(2000, 1, 1), None, "東" * 250) for _ in range(1500))
    head = dataclasses.replace(household.members[0], events=events)
    household = dataclasses.replace(household, members=(head,), head_member_id=head.member_id)
    with pytest.raises(LayoutError, match="pages"):
        render_document(samples.juminhyo(household, JuminhyoOptions(scope=Scope.SELF)))


def test_former_surname_and_foreign_resident_date_label(pdf_squashed: PdfText) -> None:
    text = pdf_squashed(render(samples.juminhyo()), raw=True)
    assert "山田花子旧氏佐藤（サトウ）" in text
    mixed = pdf_squashed(render(samples.juminhyo(samples.mixed_household())))
    assert "外国人住民となった年月日令和２年１０月１日" in mixed
    assert "住民となった年月日平成元年１月８日" in mixed  # the Japanese head's label
    inkan = samples.inkan()
    text = pdf_squashed(render(dataclasses.replace(inkan, former_surname="鈴木")))
    assert "旧氏鈴木" in text
