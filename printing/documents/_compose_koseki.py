"""Composing the computerised 戸籍 certificates and 戸籍の附票の写し.

The 戸籍 follows the layout of 戸籍法施行規則 付録第22号: a label column on the left (本籍,
氏名, 戸籍事項, 戸籍に記録されている者, 身分事項) and 【label】value lines on the right,
sections separated by rules; 「全部事項証明」 (or 「個人事項証明」) and the page number at the
top of every page; no title line.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from printing.certificates import KosekiScope
from printing.documents._compose import (
    SMALL_SIZE,
    VALUE_SIZE,
    Composed,
    Facts,
    closing_rows,
    era,
    label,
    make_composition,
    registry,
    value,
)
from printing.documents._engine import MM, Block, Cell, Para, Row
from printing.documents.common import address_text
from printing.documents.koseki import FuhyoCopy, FuhyoPerson, KosekiCertificate, KosekiEvent

CERTIFICATION_KOSEKI = {
    KosekiScope.ALL: "これは、戸籍に記録されている事項の全部を証明した書面である。",
    KosekiScope.INDIVIDUAL: (
        "これは、戸籍中の一部の者について記録されている事項の全部を証明した書面である。"
    ),
}
CORNER_LABEL = {KosekiScope.ALL: "全部事項証明", KosekiScope.INDIVIDUAL: "個人事項証明"}
CERTIFICATION_FUHYO = "この写しは、戸籍の附票の原本と相違ないことを証明する。"
REMOVED_MARK = "除　籍"

LEFT_MM = 44.0  # the label column of the 戸籍 form
RIGHT_MM = 136.0
KOSEKI_SIZE = 10.5


def _spaced(kind: str) -> str:
    """Two-character event names are set with two full spaces (出　　生), as in the form."""
    return f"{kind[0]}　　{kind[1]}" if len(kind) == 2 else kind


def _line(left: str, right: str, *, rule: bool = False, left_size: float = KOSEKI_SIZE) -> Row:
    return Row(
        (
            Cell(LEFT_MM * MM, (Para(left, left_size),), border=False, valign="top"),
            Cell(RIGHT_MM * MM, (Para(right, KOSEKI_SIZE),), border=False, valign="top"),
        ),
        rule_above=rule,
    )


def _with_removed_mark(row: Row, mark: str) -> Row:
    """The person's heading with the boxed 「除　籍」 under it, as the form shows a person
    taken out of the register."""
    heading, content = row.cells
    box = Row(
        (
            Cell(4 * MM, border=False),
            Cell(18 * MM, (Para(mark, KOSEKI_SIZE, "center"),)),
            Cell((LEFT_MM - 22) * MM, border=False),
        )
    )
    left = Cell(
        LEFT_MM * MM,
        rows=(
            Row((dataclasses.replace(heading, border=False),), min_height=9 * MM),
            box,
            Row((Cell(LEFT_MM * MM, border=False),)),  # takes the rest of the height
        ),
        border=False,
    )
    return Row((left, content), rule_above=row.rule_above)


def _detail_text(value_: str | date) -> str:
    return era(value_) if isinstance(value_, date) else registry(value_)


def _event_rows(event: KosekiEvent, facts: Facts, key: str) -> list[Row]:
    facts.add(f"{key}.kind", event.kind)
    lines = [
        facts.add(f"{key}.details[{i}]", f"【{d.label}】{_detail_text(d.value)}")
        for i, d in enumerate(event.details)
    ]
    return [_line(f"　{_spaced(event.kind)}", "\n".join(lines))]


def compose_koseki(doc: KosekiCertificate) -> Composed:
    """本籍 and 氏名, 戸籍事項, then each printed person with 身分事項; 以下余白; the closing."""
    facts = Facts()
    corner = facts.add("form", CORNER_LABEL[doc.scope])
    comp = make_composition(doc.title, [], doc.document_number, corner_label=corner)
    comp.show_title = False
    register = [
        _line("本　　籍", facts.add("honseki", registry(doc.honseki)), rule=True),
        _line("氏　　名", facts.add("head", registry(doc.head.full))),
        _line("戸籍事項", "", rule=True),
    ]
    register[-1].keep_with_next = True
    for i, event in enumerate(doc.register_events):
        register.extend(_event_rows(event, facts, f"register_events[{i}]"))
    comp.body.append(Block(register, gap_before=0.0))
    for index, member in enumerate(doc.selected_members):
        key = f"members[{index}]"
        left = "戸籍に記録されている者"
        person = [f"【名】{facts.add(f'{key}.given_name', registry(member.given_name))}", ""]
        born = f"【生年月日】{facts.add(f'{key}.birth_date', era(member.birth_date))}"
        if member.spouse_role:
            born += f"　【配偶者区分】{facts.add(f'{key}.spouse_role', member.spouse_role)}"
        person.append(born)
        if member.father:
            person.append(f"【父】{facts.add(f'{key}.father', registry(member.father))}")
        if member.mother:
            person.append(f"【母】{facts.add(f'{key}.mother', registry(member.mother))}")
        if member.relationship:
            person.append(f"【続柄】{facts.add(f'{key}.relationship', member.relationship)}")
        rows = [_line(left, "\n".join(person), rule=True, left_size=9.5)]
        if member.removed:
            rows[0] = _with_removed_mark(rows[0], facts.add(f"{key}.removed", REMOVED_MARK))
        if member.events:
            rows.append(_line("身分事項", "", rule=False))
            rows[-1].keep_with_next = True
            for j, event in enumerate(member.events):
                rows.extend(_event_rows(event, facts, f"{key}.events[{j}]"))
        comp.body.append(Block(rows, keep_together=False, gap_before=0.0))
    comp.closing = closing_rows(
        facts, doc.issuer, CERTIFICATION_KOSEKI[doc.scope], era(doc.issued_on)
    )
    comp.closing[0].rule_above = True
    return Composed(comp, facts, CERTIFICATION_KOSEKI[doc.scope], era(doc.issued_on))


def _fuhyo_person(person: FuhyoPerson, index: int, facts: Facts) -> Block:
    key = f"persons[{index}]"
    paras = []
    if person.name.kana:
        paras.append(Para(facts.add(f"{key}.kana", person.name.kana), SMALL_SIZE))
    paras.append(Para(facts.add(f"{key}.name", registry(person.name.full)), 12.5))
    if person.removed:
        paras.append(Para(f"（{facts.add(f'{key}.removed', '消除')}）", VALUE_SIZE))
    sex = facts.add(f"{key}.sex", person.sex.value)
    born = facts.add(f"{key}.birth_date", era(person.birth_date))
    rows = [
        Row(
            (
                label(22, "氏名"),
                Cell(62 * MM, tuple(paras)),
                label(18, "性別"),
                value(14, sex, align="center"),
                label(20, "生年月日"),
                value(44, born, 9.5),
            )
        ),
        Row((label(130, "住所"), label(50, "住所を定めた年月日", 8.5))),
    ]
    for j, entry in enumerate(person.entries):
        address = facts.add(f"{key}.entries[{j}].address", registry(address_text(entry.address)))
        since = facts.add(f"{key}.entries[{j}].since", era(entry.since))
        rows.append(Row((value(130, address), value(50, since))))
    return Block(rows, keep_together=len(rows) < 12)


def compose_fuhyo(doc: FuhyoCopy) -> Composed:
    """本籍 and 筆頭者 on every page (unless left out); per person the name and the address
    history (住定日)."""
    facts = Facts()
    header = []
    if doc.show_honseki:
        header = [
            Row((label(22, "本籍"), value(158, facts.add("honseki", registry(doc.honseki))))),
            Row((label(22, "筆頭者"), value(158, facts.add("head", registry(doc.head.full))))),
        ]
    comp = make_composition(doc.title, header, doc.document_number)
    for index, person in enumerate(doc.selected_persons):
        comp.body.append(_fuhyo_person(person, index, facts))
    comp.closing = closing_rows(facts, doc.issuer, CERTIFICATION_FUHYO, era(doc.issued_on))
    return Composed(comp, facts, CERTIFICATION_FUHYO, era(doc.issued_on))
