"""The family-register documents: 戸籍全部事項証明書 / 戸籍個人事項証明書 and 戸籍の附票の写し.

They follow the computerised register (コンピュータ化された戸籍, 戸籍法施行規則 付録第22号
様式): 本籍 and 氏名 (the 筆頭者), 戸籍事項 (編製, 転籍 ...), then each person recorded
(戸籍に記録されている者) with 名, 生年月日, 父, 母, 続柄 and the 身分事項 (出生, 婚姻 ...),
each event a list of 【label】value details. Details are typed: a ``date`` value is printed in
the era form, a ``str`` as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from printing.certificates import CertificateKind, KosekiScope
from printing.documents.common import (
    Address,
    CertificateDocument,
    PersonName,
    Sex,
    check_address,
    check_date,
    check_text,
)
from printing.documents.errors import InvalidDocumentError

if TYPE_CHECKING:
    from printing.documents._compose import Composed

__all__ = [
    "FuhyoCopy",
    "FuhyoEntry",
    "FuhyoPerson",
    "KosekiCertificate",
    "KosekiDetail",
    "KosekiEvent",
    "KosekiMember",
]


@dataclass(frozen=True)
class KosekiDetail:
    """One 【label】value of an event, e.g. 【出生日】 with a date or 【出生地】 with a place."""

    label: str
    value: str | date

    def __post_init__(self) -> None:
        check_text("detail.label", self.label)
        if any(ch in self.label for ch in "【】"):
            raise InvalidDocumentError("detail.label", "is given without the 【】 brackets")
        if isinstance(self.value, date):
            check_date("detail.value", self.value)
        else:
            check_text("detail.value", self.value)


@dataclass(frozen=True)
class KosekiEvent:
    """One 身分事項 or 戸籍事項: its kind (出生, 婚姻, 戸籍編製, 転籍 ...) and its details."""

    kind: str
    details: tuple[KosekiDetail, ...]

    def __post_init__(self) -> None:
        check_text("event.kind", self.kind)
        if not self.details:
            raise InvalidDocumentError("event.details", "an event has at least one detail")
        for i, detail in enumerate(self.details):
            if not isinstance(detail, KosekiDetail):
                raise InvalidDocumentError(f"event.details[{i}]", "must be a KosekiDetail")


@dataclass(frozen=True)
class KosekiMember:
    """A person recorded in the register (戸籍に記録されている者).

    ``given_name`` is the 【名】 (the 氏 is the register's). ``relationship`` is the 【続柄】
    (長男, 長女, 二男 ...), empty for a spouse who entered by marriage. ``spouse_role`` is the
    【配偶者区分】 (夫 / 妻) of a married person. ``removed`` marks a person taken out of the
    register (除籍: by death, marriage into another register ...), shown with 「除籍」.
    """

    member_id: str
    given_name: str
    birth_date: date
    father: str | None = None
    mother: str | None = None
    relationship: str = ""
    spouse_role: str | None = None
    events: tuple[KosekiEvent, ...] = ()
    removed: bool = False

    def __post_init__(self) -> None:
        check_text("member_id", self.member_id)
        check_text("given_name", self.given_name)
        check_date("birth_date", self.birth_date)
        for name in ("father", "mother", "spouse_role"):
            value = getattr(self, name)
            if value is not None:
                check_text(name, value)
        check_text("relationship", self.relationship, allow_empty=True)
        for i, event in enumerate(self.events):
            if not isinstance(event, KosekiEvent):
                raise InvalidDocumentError(f"events[{i}]", "must be a KosekiEvent")
        if not isinstance(self.removed, bool):
            raise InvalidDocumentError("removed", "must be a bool")


def _check_selection(
    scope: KosekiScope, subject_ids: tuple[str, ...], member_ids: list[str], kind: str
) -> None:
    if not isinstance(scope, KosekiScope):
        raise InvalidDocumentError("scope", "must be a printing.certificates.KosekiScope")
    if len(set(member_ids)) != len(member_ids):
        raise InvalidDocumentError("members", "member_id values must be unique")
    if not member_ids:
        raise InvalidDocumentError("members", f"a {kind} records at least one person")
    if scope is KosekiScope.INDIVIDUAL:
        if not subject_ids:
            raise InvalidDocumentError("subject_ids", "個人事項 needs the person(s) certified")
        for i, subject in enumerate(subject_ids):
            if subject not in member_ids:
                raise InvalidDocumentError(f"subject_ids[{i}]", "is not recorded here")
    elif subject_ids:
        raise InvalidDocumentError("subject_ids", "only with KosekiScope.INDIVIDUAL")


@dataclass(frozen=True)
class KosekiCertificate(CertificateDocument):
    """戸籍全部事項証明書 (``scope`` ALL) or 戸籍個人事項証明書 (INDIVIDUAL, for ``subject_ids``).

    ``head`` is the 筆頭者 (氏名 of the register); ``register_events`` the 戸籍事項.
    """

    kind: ClassVar[CertificateKind] = CertificateKind.KOSEKI

    def compose(self) -> Composed:
        from printing.documents._compose_koseki import compose_koseki  # it imports this module

        return compose_koseki(self)

    honseki: str
    head: PersonName
    register_events: tuple[KosekiEvent, ...]
    members: tuple[KosekiMember, ...]
    scope: KosekiScope = KosekiScope.ALL
    subject_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        check_text("honseki", self.honseki)
        if not isinstance(self.head, PersonName):
            raise InvalidDocumentError("head", "must be a PersonName")
        for i, event in enumerate(self.register_events):
            if not isinstance(event, KosekiEvent):
                raise InvalidDocumentError(f"register_events[{i}]", "must be a KosekiEvent")
        for i, member in enumerate(self.members):
            if not isinstance(member, KosekiMember):
                raise InvalidDocumentError(f"members[{i}]", "must be a KosekiMember")
        ids = [m.member_id for m in self.members]
        _check_selection(self.scope, self.subject_ids, ids, "戸籍")

    @property
    def title(self) -> str:
        if self.scope is KosekiScope.ALL:
            return "戸籍全部事項証明書"
        return "戸籍個人事項証明書"

    @property
    def selected_members(self) -> tuple[KosekiMember, ...]:
        """The persons printed, in register order."""
        if self.scope is KosekiScope.ALL:
            return self.members
        chosen = set(self.subject_ids)
        return tuple(m for m in self.members if m.member_id in chosen)


@dataclass(frozen=True)
class FuhyoEntry:
    """One address of the 附票's history: the address and 住所を定めた年月日 (住定日)."""

    address: Address | str
    since: date

    def __post_init__(self) -> None:
        check_address("entry.address", self.address)
        check_date("entry.since", self.since)


@dataclass(frozen=True)
class FuhyoPerson:
    """A person of the register with his or her address history, oldest first.

    ``removed`` marks a person no longer in the register (消除).
    """

    member_id: str
    name: PersonName
    birth_date: date
    sex: Sex
    entries: tuple[FuhyoEntry, ...]
    removed: bool = False

    def __post_init__(self) -> None:
        check_text("member_id", self.member_id)
        if not isinstance(self.name, PersonName):
            raise InvalidDocumentError("name", "must be a PersonName")
        check_date("birth_date", self.birth_date)
        if not isinstance(self.sex, Sex):
            raise InvalidDocumentError("sex", "must be a Sex")
        if not self.entries:
            raise InvalidDocumentError("entries", "a 附票 person has at least one address")
        for i, entry in enumerate(self.entries):
            if not isinstance(entry, FuhyoEntry):
                raise InvalidDocumentError(f"entries[{i}]", "must be a FuhyoEntry")
        for i in range(1, len(self.entries)):
            if self.entries[i].since < self.entries[i - 1].since:
                raise InvalidDocumentError(f"entries[{i}].since", "entries go oldest first")


@dataclass(frozen=True)
class FuhyoCopy(CertificateDocument):
    """戸籍の附票の写し: the address history of the persons of one register.

    ``scope``/``subject_ids`` select everyone (ALL) or some persons (INDIVIDUAL), as for the
    register itself. ``show_honseki`` False leaves out the 本籍 and 筆頭者 lines (a 附票 shows
    them only when asked for, 住民基本台帳法 as amended in 2022).
    """

    kind: ClassVar[CertificateKind] = CertificateKind.KOSEKI_FUHYO

    def compose(self) -> Composed:
        from printing.documents._compose_koseki import compose_fuhyo  # it imports this module

        return compose_fuhyo(self)

    honseki: str
    head: PersonName
    persons: tuple[FuhyoPerson, ...]
    scope: KosekiScope = KosekiScope.ALL
    subject_ids: tuple[str, ...] = field(default=())
    show_honseki: bool = True

    def __post_init__(self) -> None:
        super().__post_init__()
        check_text("honseki", self.honseki)
        if not isinstance(self.head, PersonName):
            raise InvalidDocumentError("head", "must be a PersonName")
        for i, person in enumerate(self.persons):
            if not isinstance(person, FuhyoPerson):
                raise InvalidDocumentError(f"persons[{i}]", "must be a FuhyoPerson")
        _check_selection(self.scope, self.subject_ids, [p.member_id for p in self.persons], "附票")

    @property
    def selected_persons(self) -> tuple[FuhyoPerson, ...]:
        if self.scope is KosekiScope.ALL:
            return self.persons
        chosen = set(self.subject_ids)
        return tuple(p for p in self.persons if p.member_id in chosen)
