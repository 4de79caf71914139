"""Composing 住民票の写し and 住民票記載事項証明書 from a household and the resident's options."""

from __future__ import annotations

from printing.certificates import Scope
from printing.documents._compose import (
    SMALL_SIZE,
    VALUE_SIZE,
    Composed,
    Facts,
    birth,
    closing_rows,
    dual_date,
    era,
    label,
    make_composition,
    registry,
    value,
)
from printing.documents._engine import MM, Block, Cell, Para, Row
from printing.documents.common import address_text
from printing.documents.juminhyo import JuminhyoCopy, KisaiJikoCertificate, Resident
from printing.jpdates import fullwidth_digits

# 住民票の写し: the sentence names the scope (世帯全員 / 世帯の一部 / the resident alone).
CERTIFICATION_COPY = {
    Scope.HOUSEHOLD_ALL: "この写しは、世帯全員の住民票の原本と相違ないことを証明する。",
    Scope.HOUSEHOLD_PART: "この写しは、世帯の一部の住民票の原本と相違ないことを証明する。",
    Scope.SELF: "この写しは、住民票の原本と相違ないことを証明する。",
}
CERTIFICATION_KISAI = "上記のとおり住民票に記載されていることを証明する。"
# Printed when a foreign resident's entry is on the certificate (住民基本台帳法 第30条の45).
FOREIGN_RESIDENT_NOTICE = (
    "外国人住民の記載事項は、住民基本台帳法第３０条の４５の規定により記載しています。"
)
CODE_OMITTED = "省略"  # 住民票コード is never printed on a kiosk copy


def _header(doc: JuminhyoCopy | KisaiJikoCertificate, facts: Facts) -> list[Row]:
    rows = [
        Row(
            (
                label(22, "住所"),
                value(158, facts.add("address", registry(address_text(doc.household.address)))),
            )
        )
    ]
    if doc.options.show_head_and_relationship:
        head = facts.add("head", registry(doc.household.head.name.full))
        rows.append(Row((label(22, "世帯主"), value(158, head))))
    return rows


def _name_cell(member: Resident, facts: Facts, key: str, width_mm: float) -> Cell:
    paras = []
    kana = member.name.kana
    if kana:
        paras.append(Para(facts.add(f"{key}.kana", kana), SMALL_SIZE))
    paras.append(Para(facts.add(f"{key}.name", registry(member.name.full)), 13.0))
    if member.former_surname:
        former = facts.add(f"{key}.former_surname", registry(member.former_surname))
        reading = ""
        if member.former_surname_kana:
            reading = f"（{facts.add(f'{key}.former_surname_kana', member.former_surname_kana)}）"
        paras.append(Para(f"旧氏　{former}{reading}", VALUE_SIZE))
    foreign = member.foreign
    if foreign is not None and foreign.alias:
        alias = facts.add(f"{key}.alias", registry(foreign.alias))
        kana_alias = f"（{foreign.alias_kana}）" if foreign.alias_kana else ""
        if foreign.alias_kana:
            facts.add(f"{key}.alias_kana", foreign.alias_kana)
        paras.append(Para(f"通称　{alias}{kana_alias}", VALUE_SIZE))
    return Cell(width_mm * MM, tuple(paras))


def _history_lines(member: Resident, facts: Facts, key: str) -> list[str]:
    lines = []
    for i, event in enumerate(member.events):
        line = f"{era(event.occurred_on)}　{event.kind}"
        if event.detail:
            line += f"　{registry(event.detail)}"
        if event.notified_on is not None:
            line += f"（{era(event.notified_on)}届出）"
        lines.append(facts.add(f"{key}.history[{i}]", line))
    for i, note in enumerate(member.notes):
        lines.append(facts.add(f"{key}.notes[{i}]", note))
    return lines


def _foreign_rows(member: Resident, facts: Facts, key: str) -> list[Row]:
    foreign = member.foreign
    if foreign is None:
        return []
    rows = [
        Row(
            (
                label(38, "国籍・地域"),
                value(142, facts.add(f"{key}.nationality", foreign.nationality)),
            )
        ),
        Row(
            (
                label(38, "３０条４５規定区分", 8.5),
                value(142, facts.add(f"{key}.category", foreign.category.value)),
            )
        ),
    ]
    status = facts.add(f"{key}.status", foreign.status)
    if foreign.period is not None and foreign.period_expires_on is not None:
        period = facts.add(f"{key}.period", registry(foreign.period))
        rows.append(
            Row(
                (label(38, "在留資格"), value(72, status), label(22, "在留期間"), value(48, period))
            )
        )
        expiry = facts.add(f"{key}.period_expires_on", era(foreign.period_expires_on))
        rows.append(Row((label(38, "在留期間の満了の日", 8.5), value(142, expiry))))
    else:
        rows.append(Row((label(38, "在留資格"), value(142, status))))
    card = facts.add(f"{key}.card_number", registry(foreign.card_number))
    rows.append(Row((label(38, "在留カード等の番号", 8.5), value(142, card))))
    if foreign.alias_history:
        text = "\n".join(
            facts.add(f"{key}.alias_history[{i}]", line)
            for i, line in enumerate(foreign.alias_history)
        )
        rows.append(
            Row(
                (label(38, "通称の記載及び削除に関する事項", 7.0), value(142, text, SMALL_SIZE + 1))
            )
        )
    return rows


def _member_block(doc: JuminhyoCopy, member: Resident, index: int, facts: Facts) -> Block:
    opts = doc.options
    key = f"members[{index}]"
    name = _name_cell(member, facts, key, 100)
    sex = facts.add(f"{key}.sex", member.sex.value)
    rows = [
        Row(
            (
                label(22, "氏名"),
                name,
                label(18, "性別"),
                value(40, sex),
            )
        )
    ]
    born = facts.add(f"{key}.birth_date", birth(member.birth_date, foreign=member.is_foreign))
    if opts.show_head_and_relationship:
        relation = facts.add(f"{key}.relationship", member.relationship)
        rows.append(
            Row((label(22, "生年月日"), value(100, born), label(18, "続柄"), value(40, relation)))
        )
    else:
        rows.append(Row((label(22, "生年月日"), value(158, born))))
    became = facts.add(f"{key}.became_resident_on", era(member.became_resident_on))
    # A foreign resident's entry names the date he or she became a 外国人住民 (法第30条の45).
    became_label = "外国人住民となった年月日" if member.is_foreign else "住民となった年月日"
    rows.append(
        Row((label(38, became_label, 7.5 if member.is_foreign else 8.5), value(142, became)))
    )
    since = facts.add(f"{key}.address_since", era(member.address_since))
    if member.address_notified_on is not None:
        notified = facts.add(f"{key}.address_notified_on", era(member.address_notified_on))
        rows.append(
            Row(
                (
                    label(38, "住所を定めた年月日", 8.5),
                    value(72, since),
                    label(22, "届出日"),
                    value(48, notified),
                )
            )
        )
    else:
        rows.append(Row((label(38, "住所を定めた年月日", 8.5), value(142, since))))
    if member.previous_address:
        previous = facts.add(
            f"{key}.previous_address", registry(address_text(member.previous_address))
        )
        rows.append(Row((label(38, "前住所"), value(142, previous))))
    if opts.show_honseki and member.honseki is not None and member.hittosha is not None:
        honseki = facts.add(f"{key}.honseki", registry(member.honseki))
        hittosha = facts.add(f"{key}.hittosha", registry(member.hittosha))
        rows.append(
            Row((label(22, "本籍"), value(98, honseki), label(18, "筆頭者"), value(42, hittosha)))
        )
    if opts.show_foreign_items:
        rows.extend(_foreign_rows(member, facts, key))
    if opts.show_my_number and member.my_number is not None:
        number = facts.add(f"{key}.my_number", fullwidth_digits(member.my_number))
        rows.append(Row((label(38, "個人番号"), value(142, number, 12.0))))
    rows.append(Row((label(38, "住民票コード"), value(142, CODE_OMITTED))))
    # One row per history line, so that a long history can continue on the next page.
    for i, line in enumerate(_history_lines(member, facts, key)):
        heading = label(22, "備考") if i == 0 else Cell(22 * MM)
        rows.append(Row((heading, value(158, line, SMALL_SIZE + 1))))
    return Block(rows)


def compose_juminhyo(doc: JuminhyoCopy) -> Composed:
    """住民票の写し: one framed block per printed member, the address (and 世帯主) repeated on
    every page, then the certification naming the scope."""
    facts = Facts()
    comp = make_composition(doc.title, _header(doc, facts), doc.document_number)
    members = doc.selected_members
    for index, member in enumerate(members):
        comp.body.append(_member_block(doc, member, index, facts))
    notes = (FOREIGN_RESIDENT_NOTICE,) if any(m.is_foreign for m in members) else ()
    certification = CERTIFICATION_COPY[doc.options.scope]
    issue_date = dual_date(doc.issued_on)
    comp.closing = closing_rows(facts, doc.issuer, certification, issue_date, notes)
    return Composed(comp, facts, certification, issue_date)


def _kisai_member_block(
    doc: KisaiJikoCertificate, member: Resident, index: int, facts: Facts
) -> Block:
    opts = doc.options
    key = f"members[{index}]"
    name = _name_cell(member, facts, key, 62)
    born = facts.add(f"{key}.birth_date", birth(member.birth_date, foreign=member.is_foreign))
    sex = facts.add(f"{key}.sex", member.sex.value)
    relation = (
        facts.add(f"{key}.relationship", member.relationship)
        if opts.show_head_and_relationship
        else ""
    )
    became = facts.add(f"{key}.became_resident_on", era(member.became_resident_on))
    rows = [
        Row(
            (
                name,
                value(44, born, 9.5),
                value(14, sex, align="center"),
                value(20, relation, 9.5, align="center"),
                value(40, became, 9.5),
            )
        )
    ]
    extra: list[str] = []
    if opts.show_honseki and member.honseki is not None and member.hittosha is not None:
        honseki = facts.add(f"{key}.honseki", registry(member.honseki))
        hittosha = facts.add(f"{key}.hittosha", registry(member.hittosha))
        extra.append(f"本籍　{honseki}　筆頭者　{hittosha}")
    foreign = member.foreign
    if opts.show_foreign_items and foreign is not None:
        extra.append(f"国籍・地域　{facts.add(f'{key}.nationality', foreign.nationality)}")
        extra.append(f"３０条４５規定区分　{facts.add(f'{key}.category', foreign.category.value)}")
        status = f"在留資格　{facts.add(f'{key}.status', foreign.status)}"
        if foreign.period is not None and foreign.period_expires_on is not None:
            status += f"　在留期間　{facts.add(f'{key}.period', registry(foreign.period))}"
            expiry = facts.add(f"{key}.period_expires_on", era(foreign.period_expires_on))
            status += f"　満了日　{expiry}"
        extra.append(status)
        extra.append(
            f"在留カード等の番号　{facts.add(f'{key}.card_number', registry(foreign.card_number))}"
        )
    if opts.show_my_number and member.my_number is not None:
        extra.append(
            f"個人番号　{facts.add(f'{key}.my_number', fullwidth_digits(member.my_number))}"
        )
    if extra:
        rows.append(Row((value(180, "\n".join(extra), 9.5),)))
    return Block(rows)


def compose_kisai(doc: KisaiJikoCertificate) -> Composed:
    """住民票記載事項証明書: a table of the certified items, one row per printed member."""
    facts = Facts()
    header = _header(doc, facts)
    header.append(
        Row(
            (
                label(62, "氏名"),
                label(44, "生年月日"),
                label(14, "性別"),
                label(20, "続柄"),
                label(40, "住民となった年月日", 8.5),
            )
        )
    )
    comp = make_composition(doc.title, header, doc.document_number)
    comp.header_gap = 0.0  # the table's rows follow its column headings
    members = doc.selected_members
    for index, member in enumerate(members):
        block = _kisai_member_block(doc, member, index, facts)
        block.gap_before = 0.0  # the table continues
        comp.body.append(block)
    notes = (FOREIGN_RESIDENT_NOTICE,) if any(m.is_foreign for m in members) else ()
    issue_date = dual_date(doc.issued_on)
    comp.closing = closing_rows(facts, doc.issuer, CERTIFICATION_KISAI, issue_date, notes)
    return Composed(comp, facts, CERTIFICATION_KISAI, issue_date)
