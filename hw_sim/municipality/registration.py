"""本籍地 usage registration (利用登録申請): checking an application against the register.

Realistic flow (product-facts.md, "The 本籍地 family-register flow"; docs/simulated-world.md):
a well-formed application is always received (受付中) with an application number; the
本籍地's staff compare it with the family register and its 附票 within a set number of office
days (開庁日); then the status becomes 登録完了, or 不備 when the application does not match.
The outcome is computed when the application arrives and revealed when the staff would finish.

What must match (after normalising width, spaces and kanji numerals):
本籍 = the register's 本籍; 筆頭者氏名 = the register's 筆頭者; a person recorded in the register
(not 除籍) with the card's name, birth date and sex; and the card's address = the person's
latest address in the 附票.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from hw_sim.municipality.api import HonsekiApplication
from hw_sim.world.records import FamilyRegister, RegisterPerson

_KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_KANJI_NUMBER = re.compile(r"[〇一二三四五六七八九十]+")
_PHONE = re.compile(r"0[0-9]{1,4}-?[0-9]{1,4}-?[0-9]{3,4}")
MAX_TEXT = 120  # a 本籍 or a name longer than this is not a typing mistake but bad input


def _kanji_to_digits(match: re.Match[str]) -> str:
    text = match.group(0)
    if "十" in text:
        tens, _, ones = text.partition("十")
        value = (_KANJI_DIGITS.get(tens, 1) if tens else 1) * 10 + (
            _KANJI_DIGITS.get(ones, 0) if ones else 0
        )
        return str(value)
    return "".join(str(_KANJI_DIGITS[c]) for c in text)


def normalise(text: str) -> str:
    """For comparison only: NFKC (full-width digits → ASCII), no spaces, kanji numerals →
    digits, 番地 → 番, and the hyphen forms of addresses (１－２) unified."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text)
    text = _KANJI_NUMBER.sub(_kanji_to_digits, text)
    text = text.replace("番地", "番").replace("の", "-")
    return re.sub(r"[‐−–—ー―-]", "-", text)


def application_problem(application: HonsekiApplication) -> str | None:
    """Why an application is malformed (the kiosk could not have sent it), or None."""
    for label, value in (
        ("card_identifier", application.card_identifier),
        ("name", application.name),
        ("address", application.address),
        ("honseki", application.honseki),
        ("hittosha_name", application.hittosha_name),
    ):
        if not isinstance(value, str) or not value.strip():
            return f"{label} is empty"
        if len(value) > MAX_TEXT:
            return f"{label} is too long"
    if application.sex not in ("1", "2", "9"):
        return "sex is not a JIS X 0303 code"
    if not isinstance(application.phone, str) or not _PHONE.fullmatch(
        unicodedata.normalize("NFKC", application.phone).strip()
    ):
        return "phone is not a Japanese telephone number"
    return None


@dataclass(frozen=True)
class Match:
    register: FamilyRegister
    person: RegisterPerson


def match_application(
    application: HonsekiApplication, registers: list[FamilyRegister]
) -> Match | None:
    """The register person the application names, when everything matches."""
    honseki = normalise(application.honseki)
    head = normalise(application.hittosha_name)
    name = normalise(application.name)
    address = normalise(application.address)
    for register in registers:
        if normalise(register.honseki) != honseki or normalise(register.head.name.full) != head:
            continue
        for person in register.persons:
            if person.removed or normalise(person.name.full) != name:
                continue
            if person.birth_date != application.birth_date or person.sex != application.sex:
                continue
            latest = person.addresses[-1][0] if person.addresses else ""
            if normalise(latest) != address:
                continue
            return Match(register, person)
    return None
