"""Names a clerk reads for the fact keys of the canonical text (``members[1].birth_date`` →
「生年月日（2人目）」): what the verdict tells them to look at."""

from __future__ import annotations

import re

# Leaf names of printing.documents' canonical keys (docs/printing-documents.md).
_LABELS: dict[str, tuple[str, str]] = {
    "serial": ("発行番号", "issue number"),
    "title": ("表題", "title"),
    # The center's number; since issue 14 pages no longer print it (the serial carries it).
    "document_number": ("文書番号", "document number"),
    "address": ("住所", "address"),
    "head": ("世帯主・筆頭者", "head"),
    "name": ("氏名", "name"),
    "given_name": ("名", "given name"),
    "kana": ("ふりがな", "kana"),
    "sex": ("性別", "sex"),
    "birth_date": ("生年月日", "date of birth"),
    "relationship": ("続柄", "relationship"),
    "became_resident_on": ("住民となった年月日", "resident since"),
    "address_since": ("住所を定めた年月日", "address since"),
    "address_notified_on": ("届出日", "notified on"),
    "previous_address": ("前住所", "previous address"),
    "honseki": ("本籍", "honseki"),
    "hittosha": ("筆頭者", "hittosha"),
    "my_number": ("個人番号", "My Number"),
    "history": ("異動履歴", "history"),
    "notes": ("記事", "notes"),
    "period": ("在留期間", "period of stay"),
    "period_expires_on": ("在留期間の満了の日", "period of stay ends"),
    "card_number": ("在留カード等の番号", "residence card number"),
    "issued_on": ("交付日", "issue date"),
    "issuer": ("発行者", "issuer"),
    "certification": ("認証文", "certification"),
    "fiscal_year": ("年度", "fiscal year"),
    "revenue": ("収入金額", "revenue"),
    "income": ("所得金額", "income"),
    "amount": ("金額", "amount"),
    "assessed": ("税額", "assessed"),
    "paid": ("納付済額", "paid"),
    "unpaid": ("未納額", "unpaid"),
    "details": ("身分事項", "details"),
    "since": ("住定日", "since"),
}
_INDEX = re.compile(r"([a-z_]+)\[(\d+)\]")


def field_label(key: str, *, english: bool = False) -> str:
    """A readable name for a fact key; the raw key when nothing better is known."""
    if not key:
        return "printed text" if english else "印字"
    parts = key.split(".")
    leaf = _INDEX.sub(r"\1", parts[-1])
    label = _LABELS.get(leaf)
    name = (label[1] if english else label[0]) if label else leaf
    people = _INDEX.match(parts[0])
    if len(parts) > 1 and people and people.group(1) in ("members", "persons"):
        number = int(people.group(2)) + 1
        name += f" (person {number})" if english else f"（{number}人目）"
    return f"{name} [{key}]" if english else f"{name}〔{key}〕"
