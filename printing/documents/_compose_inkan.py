"""Composing the 印鑑登録証明書: the impression at its real size beside the registrant."""

from __future__ import annotations

from printing.documents._compose import (
    VALUE_SIZE,
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
from printing.documents._engine import MM, Block, Cell, Para, Picture, Row
from printing.documents.common import address_text
from printing.documents.inkan import InkanCertificate, SealShape
from printing.documents.seals import impression_image

CERTIFICATION_INKAN = "この写しは、登録された印影と相違ないことを証明する。"
SHAPE_NAMES = {SealShape.ROUND: "丸形", SealShape.SQUARE: "角形", SealShape.OVAL: "楕円形"}


def compose_inkan(doc: InkanCertificate) -> Composed:
    """The impression at its real size in a frame, beside the registrant's facts."""
    facts = Facts()
    comp = make_composition(doc.title, [], doc.document_number)
    seal = doc.seal
    facts.add("seal.text", seal.text)
    facts.add("seal.shape", SHAPE_NAMES[seal.shape])
    facts.add("seal.size_mm", f"{seal.size_mm:g}")
    image = impression_image(seal)
    width_pt = image.width / image.height * seal.size_mm * MM
    picture = Picture(image, width_pt, seal.size_mm * MM)
    name_paras = []
    if doc.name.kana:
        name_paras.append(Para(facts.add("kana", doc.name.kana), 8.0))
    name_paras.append(Para(facts.add("name", registry(doc.name.full)), 14.0))
    if doc.former_surname:
        former = facts.add("former_surname", registry(doc.former_surname))
        name_paras.append(Para(f"旧氏　{former}", VALUE_SIZE))
    if doc.alias:
        name_paras.append(Para(f"通称　{facts.add('alias', registry(doc.alias))}", VALUE_SIZE))
    facts_rows = [
        Row((label(27, "氏名"), Cell(108 * MM, tuple(name_paras)))),
        Row((label(27, "生年月日"), value(108, facts.add("birth_date", birth(doc.birth_date))))),
    ]
    if doc.sex is not None:
        facts_rows.append(Row((label(27, "性別"), value(108, facts.add("sex", doc.sex.value)))))
    facts_rows.append(
        Row(
            (
                label(27, "住所"),
                value(108, facts.add("address", registry(address_text(doc.address)))),
            )
        )
    )
    seal_cell = Cell(45 * MM, picture=picture)
    comp.body.append(
        Block(
            [
                Row((label(45, "印影"), label(135, "登録事項"))),
                Row((seal_cell, Cell(135 * MM, rows=tuple(facts_rows), border=False)), 45 * MM),
            ]
        )
    )
    issue_date = dual_date(doc.issued_on)
    comp.closing = closing_rows(facts, doc.issuer, CERTIFICATION_INKAN, issue_date)
    return Composed(comp, facts, CERTIFICATION_INKAN, issue_date)
