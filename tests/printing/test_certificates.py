"""The certificate kinds' table (printing/certificates.py) and what derives from it."""

from __future__ import annotations

import inspect

import pytest

from printing import documents
from printing.certificates import (
    CertificateFamily,
    CertificateKind,
    FuhyoOptions,
    JuminhyoOptions,
    KosekiOptions,
    NoOptions,
    OptionsShape,
    TaxOptions,
    kind_facts,
)
from printing.documents import samples


@pytest.mark.parametrize("kind", list(CertificateKind))
def test_every_kind_has_its_facts(kind: CertificateKind) -> None:
    facts = kind_facts(kind)
    assert not facts.title_ja.isascii()
    assert facts.name.isascii()
    assert facts.name[0].isupper()
    assert facts.options, "a kind takes at least one options shape"
    assert len(set(facts.options)) == len(facts.options)
    assert kind.family is facts.family


def test_the_honseki_kinds_are_the_family_register_ones() -> None:
    honseki = {kind for kind in CertificateKind if kind.honseki}
    assert honseki == {CertificateKind.KOSEKI, CertificateKind.KOSEKI_FUHYO}
    assert all(kind.family is CertificateFamily.KOSEKI for kind in honseki)


def test_titles_and_names_are_unique() -> None:
    assert len({kind.title_ja for kind in CertificateKind}) == len(CertificateKind)
    assert len({kind.name_msgid for kind in CertificateKind}) == len(CertificateKind)


def test_each_options_class_has_its_shape() -> None:
    shapes = {
        JuminhyoOptions(): OptionsShape.JUMINHYO,
        TaxOptions(2025): OptionsShape.TAX,
        KosekiOptions(): OptionsShape.KOSEKI,
        FuhyoOptions(): OptionsShape.FUHYO,
        NoOptions(): OptionsShape.NONE,
    }
    for options, shape in shapes.items():
        assert options.shape is shape
    assert {options.shape for options in shapes} == set(OptionsShape)


def _document_types(base: type) -> set[type]:
    found: set[type] = set()
    for sub in base.__subclasses__():
        found |= _document_types(sub)
        if "kind" in vars(sub):  # a concrete type sets its kind (the juminhyo base does not)
            found.add(sub)
    return found


def test_every_kind_has_exactly_one_document_type() -> None:
    """The registry of document types is their base class: one subclass per kind, each naming
    its composer in compose() (abstract on the base: mypy refuses to build one without)."""
    types = _document_types(documents.CertificateDocument)
    assert sorted(t.kind for t in types) == sorted(CertificateKind)
    for document_type in types:
        assert not inspect.isabstract(document_type), document_type.__name__


# The titles the data changes: the menu's 所得・課税（非課税）証明書 prints 所得・課税証明書 or
# 所得・非課税証明書; 戸籍 prints 全部事項/個人事項証明書.
_TITLE_FROM_DATA = {
    "income_tax",
    "income_nontaxable",
    "koseki_all",
    "koseki_individual",
    "koseki_large",
}


@pytest.mark.parametrize("name", sorted(samples.every_type()))
def test_titles_come_from_the_kind(name: str) -> None:
    doc = samples.every_type()[name]
    assert isinstance(doc, documents.CertificateDocument)
    if name in _TITLE_FROM_DATA:
        assert doc.title != doc.kind.title_ja
        assert doc.title[:2] == doc.kind.title_ja[:2]  # 所得・… / 戸籍…
    else:
        assert doc.title == doc.kind.title_ja
    assert documents.render_document(doc).title == doc.title  # type: ignore[arg-type]
