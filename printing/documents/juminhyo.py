"""The 住民票 documents: 住民票の写し and 住民票記載事項証明書.

Both carry the whole household as the registry holds it plus the resident's choices
(:class:`printing.certificates.JuminhyoOptions`); the renderer prints only what the options select:
the applicant (本人), every member (世帯全員) or the chosen members (世帯の一部), with or without
世帯主・続柄, 本籍・筆頭者, 個人番号 and the foreign residents' items. ``canonical_text`` covers
exactly the printed selection, so an unprinted My Number never reaches the signed code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

from printing.certificates import CertificateKind, JuminhyoOptions, Scope
from printing.documents.common import (
    Address,
    CertificateDocument,
    PersonName,
    Sex,
    check_address,
    check_date,
    check_text,
    check_texts,
    my_number_check_digit,
)
from printing.documents.errors import InvalidDocumentError

if TYPE_CHECKING:
    from printing.documents._compose import Composed

__all__ = [
    "ForeignResidentCategory",
    "ForeignResidentItems",
    "Household",
    "JuminhyoCopy",
    "KisaiJikoCertificate",
    "ResidenceEvent",
    "Resident",
]


class ForeignResidentCategory(StrEnum):
    """住民基本台帳法 第30条の45 に規定する区分 (the class of foreign resident)."""

    MID_TO_LONG_TERM = "中長期在留者"
    SPECIAL_PERMANENT = "特別永住者"
    TEMPORARY_REFUGE = "一時庇護許可者"
    PROVISIONAL_STAY = "仮滞在許可者"
    TRANSITIONAL_BIRTH = "出生による経過滞在者"
    TRANSITIONAL_NATIONALITY_LOSS = "国籍喪失による経過滞在者"


_CARD_NUMBER = re.compile(r"[A-Z]{2}[0-9]{8}[A-Z]{2}")  # 在留カード / 特別永住者証明書 number


@dataclass(frozen=True)
class ForeignResidentItems:
    """The items of a foreign resident's 住民票 (住民基本台帳法 第30条の45).

    ``period`` is the 在留期間 as granted (e.g. 「３年」), ``period_expires_on`` its 満了の日;
    both are None for 特別永住者 and 永住者. ``alias`` is the registered 通称, printed with the
    name whenever present; ``alias_history`` the 通称の記載及び削除に関する事項 lines.
    """

    nationality: str  # 国籍・地域, e.g. 「アメリカ合衆国」
    status: str  # 在留資格, e.g. 「技術・人文知識・国際業務」, 「特別永住者」
    category: ForeignResidentCategory
    card_number: str  # 在留カード等の番号, e.g. "AB12345678CD"
    period: str | None = None
    period_expires_on: date | None = None
    alias: str | None = None
    alias_kana: str | None = None
    alias_history: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_text("foreign.nationality", self.nationality)
        check_text("foreign.status", self.status)
        if not isinstance(self.category, ForeignResidentCategory):
            raise InvalidDocumentError("foreign.category", "must be a ForeignResidentCategory")
        if not isinstance(self.card_number, str) or not _CARD_NUMBER.fullmatch(self.card_number):
            raise InvalidDocumentError(
                "foreign.card_number", "must be 2 capital letters, 8 digits, 2 capital letters"
            )
        if self.period is not None:
            check_text("foreign.period", self.period)
        if self.period_expires_on is not None:
            check_date("foreign.period_expires_on", self.period_expires_on)
        if (self.period is None) != (self.period_expires_on is None):
            raise InvalidDocumentError(
                "foreign.period", "period and period_expires_on go together (both or neither)"
            )
        if self.alias is not None:
            check_text("foreign.alias", self.alias)
        if self.alias_kana is not None:
            check_text("foreign.alias_kana", self.alias_kana)
        check_texts("foreign.alias_history", self.alias_history)


@dataclass(frozen=True)
class ResidenceEvent:
    """One line of the 異動履歴 (history) of a member, e.g. 転入 with its date and 届出日.

    ``kind`` is the registry's wording (転入, 転居, 出生, 世帯主変更, 国外から転入 ...);
    ``detail`` free registry text, e.g. the former address of a 転居.
    """

    kind: str
    occurred_on: date
    notified_on: date | None = None
    detail: str = ""

    def __post_init__(self) -> None:
        check_text("event.kind", self.kind)
        check_date("event.occurred_on", self.occurred_on)
        if self.notified_on is not None:
            check_date("event.notified_on", self.notified_on)
        check_text("event.detail", self.detail, allow_empty=True)


@dataclass(frozen=True)
class Resident:
    """One member of a household as the resident registry holds him or her.

    ``member_id`` is the registry's opaque key (the one a ``JuminhyoOptions.member_ids`` names).
    ``relationship`` is the 続柄 to the 世帯主 (世帯主, 妻, 子, 父, 母, 妻の子, 同居人 ...).
    ``became_resident_on`` is 住民となった年月日, ``address_since`` 住所を定めた年月日 (住定日)
    with its 届出日 ``address_notified_on``. ``honseki``/``hittosha`` are None for foreign
    residents (who have no 本籍). ``my_number`` is 12 ASCII digits with a valid check digit.
    ``former_surname`` is the 旧氏 (a surname before marriage) the resident asked to have
    recorded (住民基本台帳法施行令, since 2019-11-05); it is printed with the name.
    """

    member_id: str
    name: PersonName
    birth_date: date
    sex: Sex
    relationship: str
    became_resident_on: date
    address_since: date
    address_notified_on: date | None = None
    previous_address: Address | str | None = None
    honseki: str | None = None
    hittosha: str | None = None
    my_number: str | None = None
    foreign: ForeignResidentItems | None = None
    events: tuple[ResidenceEvent, ...] = ()
    notes: tuple[str, ...] = ()
    former_surname: str | None = None  # 旧氏 (recorded on request since 2019-11-05)
    former_surname_kana: str | None = None

    def __post_init__(self) -> None:
        check_text("member_id", self.member_id)
        if not isinstance(self.name, PersonName):
            raise InvalidDocumentError("name", "must be a PersonName")
        check_date("birth_date", self.birth_date)
        if not isinstance(self.sex, Sex):
            raise InvalidDocumentError("sex", "must be a Sex")
        check_text("relationship", self.relationship)
        check_date("became_resident_on", self.became_resident_on)
        check_date("address_since", self.address_since)
        if self.address_notified_on is not None:
            check_date("address_notified_on", self.address_notified_on)
        if self.previous_address is not None:
            check_address("previous_address", self.previous_address)
        for name in ("honseki", "hittosha"):
            value = getattr(self, name)
            if value is not None:
                check_text(name, value)
        if (self.honseki is None) != (self.hittosha is None):
            raise InvalidDocumentError("honseki", "本籍 and 筆頭者 go together (both or neither)")
        if self.foreign is not None and self.honseki is not None:
            raise InvalidDocumentError("honseki", "a foreign resident has no 本籍")
        if self.my_number is not None:
            if not isinstance(self.my_number, str) or not re.fullmatch(
                r"[0-9]{12}", self.my_number
            ):
                raise InvalidDocumentError("my_number", "must be twelve ASCII digits")
            if my_number_check_digit(self.my_number[:11]) != int(self.my_number[11]):
                raise InvalidDocumentError("my_number", "check digit does not match")
        if self.foreign is not None and not isinstance(self.foreign, ForeignResidentItems):
            raise InvalidDocumentError("foreign", "must be ForeignResidentItems")
        for i, event in enumerate(self.events):
            if not isinstance(event, ResidenceEvent):
                raise InvalidDocumentError(f"events[{i}]", "must be a ResidenceEvent")
        check_texts("notes", self.notes)
        if self.former_surname is not None:
            check_text("former_surname", self.former_surname)
        if self.former_surname_kana is not None:
            check_text("former_surname_kana", self.former_surname_kana)
            if self.former_surname is None:
                raise InvalidDocumentError("former_surname_kana", "given without the 旧氏")

    @property
    def is_foreign(self) -> bool:
        return self.foreign is not None


@dataclass(frozen=True)
class Household:
    """A household (世帯): its address, its head and its members in registry order.

    ``head_member_id`` names the 世帯主, who is one of ``members``.
    """

    address: Address | str
    head_member_id: str
    members: tuple[Resident, ...]

    def __post_init__(self) -> None:
        check_address("household.address", self.address)
        if not self.members:
            raise InvalidDocumentError("household.members", "a household has at least one member")
        ids = [m.member_id for m in self.members]
        if len(set(ids)) != len(ids):
            raise InvalidDocumentError("household.members", "member_id values must be unique")
        if self.head_member_id not in ids:
            raise InvalidDocumentError("household.head_member_id", "is not a member")

    @property
    def head(self) -> Resident:
        """The 世帯主."""
        return self.member(self.head_member_id)

    def member(self, member_id: str) -> Resident:
        """The member with this id (KeyError when none)."""
        for m in self.members:
            if m.member_id == member_id:
                return m
        raise KeyError(member_id)


@dataclass(frozen=True)
class _JuminhyoBase(CertificateDocument):
    household: Household
    applicant_id: str  # the member who applied with his or her card (本人)
    options: JuminhyoOptions = field(default_factory=JuminhyoOptions)

    def __post_init__(self) -> None:
        super().__post_init__()
        if not isinstance(self.household, Household):
            raise InvalidDocumentError("household", "must be a Household")
        if not isinstance(self.options, JuminhyoOptions):
            raise InvalidDocumentError("options", "must be a printing.certificates.JuminhyoOptions")
        ids = {m.member_id for m in self.household.members}
        if self.applicant_id not in ids:
            raise InvalidDocumentError("applicant_id", "is not a member of the household")
        opts = self.options
        if opts.scope is Scope.HOUSEHOLD_PART:
            if not opts.member_ids:
                raise InvalidDocumentError("options.member_ids", "世帯の一部 needs members")
            if len(set(opts.member_ids)) != len(opts.member_ids):
                raise InvalidDocumentError("options.member_ids", "names a member twice")
            for i, member_id in enumerate(opts.member_ids):
                if member_id not in ids:
                    raise InvalidDocumentError(f"options.member_ids[{i}]", "is not a member")
        elif opts.member_ids:
            raise InvalidDocumentError("options.member_ids", "only with Scope.HOUSEHOLD_PART")
        for i, m in enumerate(self.selected_members):
            if opts.show_my_number and m.my_number is None:
                raise InvalidDocumentError(
                    f"household.members[{i}].my_number", "個人番号 asked for but not known"
                )

    @property
    def selected_members(self) -> tuple[Resident, ...]:
        """The members printed, in registry order (not in the order they were chosen)."""
        scope = self.options.scope
        if scope is Scope.HOUSEHOLD_ALL:
            return self.household.members
        chosen = {self.applicant_id} if scope is Scope.SELF else set(self.options.member_ids)
        return tuple(m for m in self.household.members if m.member_id in chosen)


@dataclass(frozen=True)
class JuminhyoCopy(_JuminhyoBase):
    """住民票の写し: the household's entries selected by ``options``.

    Printed per member: name (with 通称 and kana), birth date, sex, 続柄 (with
    ``show_head_and_relationship``), 住民となった年月日, 住所を定めた年月日 and 届出日, 前住所,
    本籍・筆頭者 (``show_honseki``), 個人番号 (``show_my_number``), the foreign residents' items
    (``show_foreign_items``), the history and notes. 住民票コード is always omitted.
    """

    kind: ClassVar[CertificateKind] = CertificateKind.JUMINHYO

    def compose(self) -> Composed:
        from printing.documents._compose_juminhyo import compose_juminhyo  # it imports this module

        return compose_juminhyo(self)


@dataclass(frozen=True)
class KisaiJikoCertificate(_JuminhyoBase):
    """住民票記載事項証明書: the same selection as a compact table of the certified items
    (name, birth date, sex, address, and the optional items of ``options``)."""

    kind: ClassVar[CertificateKind] = CertificateKind.KISAI_JIKO

    def compose(self) -> Composed:
        from printing.documents._compose_juminhyo import compose_kisai  # it imports this module

        return compose_kisai(self)
