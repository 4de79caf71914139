"""canonical_text: what the signed 2D code covers — exactly the printed facts, stable, NFC."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest
from doc_helpers import PdfText, squash

from printing.certificates import CertificateKind, JuminhyoOptions, KosekiScope, Scope
from printing.documents import (
    CANONICAL_VERSION,
    PersonName,
    canonical_text,
    render_document,
    samples,
)
from printing.documents.jpdates import fullwidth_digits
from printing.documents.render import _escape

ALL_SAMPLES = samples.every_type()


def _fields(text: str) -> dict[str, str]:
    lines = text.rstrip("\n").split("\n")
    return dict(line.split("=", 1) for line in lines[1:])


@pytest.mark.parametrize("name", sorted(ALL_SAMPLES))
def test_shape(name: str) -> None:
    doc = ALL_SAMPLES[name]
    text = canonical_text(doc)  # type: ignore[arg-type]
    assert text.endswith("\n")
    lines = text.rstrip("\n").split("\n")
    assert lines[0] == CANONICAL_VERSION
    keys = [line.split("=", 1)[0] for line in lines[1:]]
    assert len(keys) == len(set(keys)), "a key twice"
    assert keys[:3] == ["kind", "title", "document_number"]
    fields = _fields(text)
    assert fields["kind"] == doc.kind.value  # type: ignore[attr-defined]
    assert fields["document_number"] == doc.document_number  # type: ignore[attr-defined]
    for key in ("certification", "issued_on", "issuer", "issuer.municipality_code", "issuer.seal"):
        assert key in fields
    assert unicodedata.is_normalized("NFC", text)
    assert canonical_text(doc) == text  # type: ignore[arg-type]  # stable


@pytest.mark.parametrize("name", sorted(ALL_SAMPLES))
def test_every_fact_is_on_the_page(name: str, pdf_squashed: PdfText) -> None:
    """Each value of the canonical text is printed (whitespace aside), so the code certifies
    nothing the page does not show."""
    doc = ALL_SAMPLES[name]
    rendered = render_document(doc)  # type: ignore[arg-type]
    pages = range(1, rendered.page_count + 1)
    page_text = "".join(pdf_squashed(rendered.pdf, p, raw=True) for p in pages)
    for key, value in _fields(rendered.canonical_text).items():
        if key in ("kind", "seal.shape", "seal.size_mm", "seal.text", "issuer.seal"):
            continue  # the kind is a code; the seals are images of these texts
        if key == "title" and doc.kind is CertificateKind.KOSEKI:  # type: ignore[attr-defined]
            continue  # the 戸籍 form has no title line, only its 「全部事項証明」 label (form=)
        if key == "issuer.municipality_code":
            continue  # the code identifies the issuer in the signed data, not on paper
        if key == "document_number":
            continue  # the kiosk prints it, in the copy's serial (test_security_compose.py)
        assert squash(value) in page_text, key


def test_my_number_is_covered_only_when_printed() -> None:
    household = samples.yamada_household()
    numbers = [m.my_number for m in household.members]
    plain = canonical_text(samples.juminhyo(household))
    for number in numbers:
        assert number is not None
        assert number not in plain
        assert fullwidth_digits(number) not in plain
    asked = canonical_text(
        samples.juminhyo(household, JuminhyoOptions(scope=Scope.HOUSEHOLD_ALL, show_my_number=True))
    )
    for index, number in enumerate(numbers):
        assert number is not None
        assert _fields(asked)[f"members[{index}].my_number"] == fullwidth_digits(number)


def test_unselected_members_are_not_covered() -> None:
    text = canonical_text(
        samples.juminhyo(options=JuminhyoOptions(scope=Scope.HOUSEHOLD_PART, member_ids=("R002",)))
    )
    assert "山田　花子" in text
    for other in ("山田　太郎", "山田　一郎", "山田　さくら"):
        assert f"name={other}" not in text
    koseki = canonical_text(samples.koseki(KosekiScope.INDIVIDUAL, ("K003",)))
    assert "given_name=一郎" in koseki
    assert "given_name=花子" not in koseki


def test_printed_order_and_values() -> None:
    fields = _fields(canonical_text(samples.juminhyo()))
    assert fields["title"] == "住民票の写し"
    assert fields["address"] == "東京都練馬区豊玉北六丁目１２番１号"
    assert fields["members[3].birth_date"] == "令和元年５月１日生"
    assert fields["issued_on"] == "２０２４年（令和６年）１２月３日"
    assert fields["certification"] == "この写しは、世帯全員の住民票の原本と相違ないことを証明する。"
    assert fields["issuer"] == "東京都練馬区長　豊玉　一郎"
    assert fields["issuer.seal"] == "練馬区長之印"
    keys = list(fields)
    assert (
        keys.index("members[0].name") < keys.index("members[1].name") < keys.index("certification")
    )


def test_any_change_of_a_fact_changes_the_text() -> None:
    doc = samples.inkan()
    base = canonical_text(doc)
    assert (
        canonical_text(dataclasses.replace(doc, document_number="20241203-131202-000999")) != base
    )
    assert (
        canonical_text(dataclasses.replace(doc, address="東京都練馬区豊玉北六丁目１２番２号"))
        != base
    )
    changed_seal = dataclasses.replace(doc.seal, size_mm=18.0)
    assert canonical_text(dataclasses.replace(doc, seal=changed_seal)) != base


def test_compatibility_ideographs_are_normalised() -> None:
    """NFC folds a CJK compatibility ideograph (U+FA19 神) to its unified form (U+795E);
    the page keeps the stored code point (docs/printing-documents.md, "Canonical text")."""
    doc = dataclasses.replace(samples.inkan(), name=PersonName("\ufa19田", "花子"))
    text = canonical_text(doc)
    assert "\u795e田　花子" in text
    assert "\ufa19" not in text


def test_escaping() -> None:
    assert _escape("a\\b\nc") == "a\\\\b\\nc"
