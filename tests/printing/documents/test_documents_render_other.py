"""印鑑登録証明書, the tax certificates, 戸籍 and 附票: the printed text, read back with
pdftotext."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
from doc_helpers import PdfText, squash
from PIL import Image

from printing.certificates import KosekiScope
from printing.documents import Issuer, render, render_document, samples
from printing.documents._compose_tax import tax_names
from printing.documents.jpdates import fullwidth_digits


def test_inkan(pdf_squashed: PdfText) -> None:
    doc = samples.inkan()
    text = pdf_squashed(render(doc))
    assert "印鑑登録証明書" in text
    assert "𠮷田邉子" in text  # 𠮷 from IPAmj, extracted back as U+20BB7
    assert "ヨシダナベコ" in text
    assert "平成元年１月８日生" in text
    assert "東京都練馬区豊玉北六丁目１２番１号" in text
    assert "この写しは、登録された印影と相違ないことを証明する。" in text
    assert "２０２４年（令和６年）１２月３日" in text
    assert "性別女" in text
    without_sex = pdf_squashed(render(dataclasses.replace(doc, sex=None)))
    assert "性別" not in without_sex


def test_inkan_impression_is_red_on_the_page(pdf_pages: Callable[..., list[Image.Image]]) -> None:
    """The 印影 is an image on the page: render in colour and find red ink where it sits."""
    page = np.asarray(pdf_pages(render(samples.inkan()), dpi=50, color=True)[0]).astype(int)
    px = 50 / 25.4
    red = (page[..., 0] > 150) & (page[..., 1] < 110) & (page[..., 2] < 110)
    # The impression cell: the left column under the title (mm → px at 50 dpi).
    cell = red[round(30 * px) : round(80 * px), round(15 * px) : round(60 * px)]
    assert cell.sum() > 30
    # Elsewhere red is only the official seal, beside the head's name near the bottom right.
    rows, cols = np.nonzero(red)
    outside = (rows > 80 * px) & (cols < 150 * px)
    assert not outside.any()


def test_income_tax(pdf_squashed: PdfText) -> None:
    doc = samples.income_tax()
    text = pdf_squashed(render(doc))
    assert "所得・課税証明書" in text
    assert "令和６年度（令和５年中の所得）" in text
    assert "住所（令和６年１月１日現在）" in text
    assert "給与6,200,000円4,360,000円" in text
    assert "合計所得金額4,480,000円" in text  # the sum of the lines
    assert "所得控除合計2,192,000円" in text
    assert "控除対象配偶者有扶養親族数１人" in text
    assert "課税標準額2,288,000円" in text
    # Tokyo's ward: 特別区民税 and 都民税.
    assert "特別区民税136,800円3,000円139,800円" in text
    assert "都民税91,200円2,000円93,200円" in text
    assert "合計233,000円" in text
    assert "上記のとおり証明する。" in text


def test_nontaxable(pdf_squashed: PdfText) -> None:
    text = pdf_squashed(render(samples.income_tax(nontaxable=True)))
    assert "所得・非課税証明書" in text
    assert "合計非課税" in text


def test_tax_names_follow_the_issuer() -> None:
    assert tax_names(samples.NERIMA) == ("特別区民税", "都民税")
    assert tax_names(Issuer("271004", "大阪府", "大阪市", "大阪　一")) == ("市民税", "府民税")
    assert tax_names(Issuer("011002", "北海道", "札幌市", "札幌　一")) == ("市民税", "道民税")
    assert tax_names(Issuer("134015", "東京都", "八丈町", "八丈　一")) == ("町民税", "都民税")


def test_tax_payment(pdf_squashed: PdfText) -> None:
    text = pdf_squashed(render(samples.tax_payment()))
    assert "納税証明書" in text
    assert "使用目的軽自動車継続検査用" in text
    assert "令和５年度特別区民税・都民税（普通徴収）228,000円228,000円0円" in text
    assert "令和６年度軽自動車税（種別割）10,800円10,800円0円" in text
    assert "上記のとおり納付済みであることを証明する。" in text
    unpaid = pdf_squashed(render(samples.tax_payment(unpaid=True)))
    assert "233,000円174,800円58,200円" in unpaid
    assert "納付済みであること" not in unpaid
    assert "上記のとおり相違ないことを証明する。" in unpaid
    assert "使用目的" not in unpaid


def test_koseki_all(pdf_squashed: PdfText) -> None:
    rendered = render_document(samples.koseki())
    text = squash("".join(pdf_squashed(rendered.pdf, p) for p in range(1, rendered.page_count + 1)))
    assert "全部事項証明" in text
    assert "本籍東京都千代田区平河町一丁目１０番地" in text
    assert "氏名山田太郎" in text
    assert "戸籍事項戸籍編製【編製日】平成１６年４月１０日" in text
    for given in ("太郎", "花子", "一郎", "さくら"):
        assert f"【名】{given}" in text
    assert "【生年月日】昭和５０年６月２１日【配偶者区分】夫" in text
    assert "【父】山田義男" in text
    assert "【母】佐藤邉子" in text
    assert "【続柄】長女" in text
    assert "出生【出生日】昭和５０年６月２１日【出生地】東京都千代田区" in text
    assert "婚姻【婚姻日】平成１６年４月１０日【配偶者氏名】佐藤花子" in text
    assert "【出生日】令和元年５月１日" in text
    assert "これは、戸籍に記録されている事項の全部を証明した書面である。" in text
    assert "令和６年１２月３日" in text
    assert "２０２４年" not in text  # 戸籍 certificates print the era only
    assert "東京都千代田区長麹町二郎" in text
    assert "以下余白" in text


def test_koseki_individual(pdf_squashed: PdfText) -> None:
    doc = samples.koseki(KosekiScope.INDIVIDUAL, ("K002",))
    text = pdf_squashed(render(doc))
    assert "個人事項証明" in text
    assert "全部事項証明" not in text
    assert "本籍東京都千代田区平河町一丁目１０番地" in text
    assert "【名】花子" in text
    for other in ("【名】太郎", "【名】一郎", "【名】さくら"):
        assert other not in text
    assert "これは、戸籍中の一部の者について記録されている事項の全部を証明した書面である。" in text


def test_koseki_many_members_flow_over_pages(pdf_text: PdfText) -> None:
    doc = samples.large_koseki(8)
    rendered = render_document(doc)
    assert rendered.page_count >= 3
    total = fullwidth_digits(rendered.page_count)
    pages = [squash(pdf_text(rendered.pdf, p)) for p in range(1, rendered.page_count + 1)]
    for number, text in enumerate(pages, start=1):
        assert text.startswith("全部事項証明")  # the corner label heads every page
        assert f"（{fullwidth_digits(number)}／{total}）" in text
        assert ("以下余白" in text) == (number == rendered.page_count)
    # Every person is printed exactly once across the pages.
    everything = "".join(pages)
    for member in doc.members:
        assert everything.count(f"【名】{member.given_name}") == 1
    # The grandfather is 除籍; his birth on the first day of 昭和, his death on its last.
    assert "除籍" in pages[0]
    assert "【出生日】昭和元年１２月２５日" in pages[0]
    assert "【死亡日】昭和６４年１月７日" in pages[0]


def test_fuhyo(pdf_squashed: PdfText) -> None:
    text = pdf_squashed(render(samples.fuhyo()))
    assert "戸籍の附票の写し" in text
    assert "本籍東京都千代田区平河町一丁目１０番地" in text
    assert "筆頭者山田太郎" in text
    assert "住所を定めた年月日" in text
    assert "埼玉県さいたま市浦和区高砂三丁目１５番１号平成１６年４月１０日" in text
    assert "東京都練馬区豊玉北六丁目１２番１号平成２７年４月１日" in text
    assert "東京都練馬区豊玉北六丁目１２番１号令和元年５月１日" in text  # さくら
    assert "この写しは、戸籍の附票の原本と相違ないことを証明する。" in text
    individual = pdf_squashed(render(samples.fuhyo(KosekiScope.INDIVIDUAL, ("K004",))))
    assert "山田さくら" in individual
    assert "山田花子" not in individual
    assert "山田一郎" not in individual
