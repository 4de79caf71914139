"""The shared vocabulary of an issuance: certificate kinds, what a resident may choose, and what
a municipality offers. Plain frozen dataclasses, no I/O: used by the flow, the screens, the
center client (which builds them from the wire) and the simulated center (which produces the
wire form from them).

Names follow ../shared/product-facts.md ("Certificates offered"). The wire form (JSON) of each
type is defined by the center protocol (docs/center-protocol.md); converters live in
``kiosk/center/``, not here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum


class CertificateKind(StrEnum):
    """The certificates a kiosk can issue (product-facts.md, "Certificates offered")."""

    JUMINHYO = "juminhyo"  # 住民票の写し
    KISAI_JIKO = "kisai_jiko"  # 住民票記載事項証明書
    INKAN = "inkan"  # 印鑑登録証明書
    TAX_INCOME = "tax_income"  # 所得・課税（非課税）証明書
    TAX_PAYMENT = "tax_payment"  # 納税証明書
    KOSEKI = "koseki"  # 戸籍証明書（全部事項／個人事項）
    KOSEKI_FUHYO = "koseki_fuhyo"  # 戸籍の附票の写し


class Jurisdiction(StrEnum):
    """Whose records: the municipality of residence or that of the family register."""

    RESIDENCE = "residence"  # 住所地
    HONSEKI = "honseki"  # 本籍地 (needs the usage registration, 利用登録)


class Scope(StrEnum):
    """Whose entries a 住民票 (or 記載事項証明書) shows."""

    SELF = "self"  # 本人のみ
    HOUSEHOLD_ALL = "household_all"  # 世帯全員
    HOUSEHOLD_PART = "household_part"  # 世帯の一部 (members chosen)


class KosekiScope(StrEnum):
    """全部事項 (everyone in the register) or 個人事項 (the resident only)."""

    ALL = "all"  # 全部事項証明書
    INDIVIDUAL = "individual"  # 個人事項証明書


@dataclass(frozen=True)
class HouseholdMember:
    """A member of the resident's household, offered only where the resident must choose.

    ``member_id`` is opaque (chosen by the municipality, valid for one transaction);
    ``display_name`` is the name as the resident knows it. Nothing else is sent.
    """

    member_id: str
    display_name: str


@dataclass(frozen=True)
class JuminhyoOptions:
    """What a 住民票の写し or 住民票記載事項証明書 shows (product-facts.md; source document)."""

    scope: Scope = Scope.SELF
    member_ids: tuple[str, ...] = ()  # only with Scope.HOUSEHOLD_PART
    show_head_and_relationship: bool = False  # 世帯主・続柄
    show_honseki: bool = False  # 本籍・筆頭者
    show_my_number: bool = False  # 個人番号 (warned and confirmed on the kiosk)
    show_foreign_items: bool = False  # 国籍・地域, 在留資格, 在留期間, 在留カード番号 …


@dataclass(frozen=True)
class TaxOptions:
    """Which tax year (年度) the certificate is for."""

    fiscal_year: int


@dataclass(frozen=True)
class KosekiOptions:
    scope: KosekiScope = KosekiScope.ALL


@dataclass(frozen=True)
class NoOptions:
    """For certificates without choices (印鑑登録証明書)."""


CertificateOptions = JuminhyoOptions | TaxOptions | KosekiOptions | NoOptions


@dataclass(frozen=True)
class CertificateRequest:
    """One line of an order: a kind, where from, its options and the number of copies."""

    kind: CertificateKind
    jurisdiction: Jurisdiction
    options: CertificateOptions
    copies: int = 1


@dataclass(frozen=True)
class OptionRules:
    """What the municipality allows for one offered certificate."""

    scopes: tuple[Scope, ...] = (Scope.SELF,)
    koseki_scopes: tuple[KosekiScope, ...] = ()
    head_and_relationship: bool = False
    honseki: bool = False
    my_number: bool = False
    foreign_items: bool = False
    fiscal_years: tuple[int, ...] = ()
    max_copies: int = 10


@dataclass(frozen=True)
class OfferedCertificate:
    """One certificate on the municipality's menu for this resident, now.

    ``available`` is False when the kind exists on the menu but cannot be issued right now; the
    reason code (``unavailable_reason``) is one the kiosk can explain, e.g. ``out_of_hours``,
    ``weekdays_only``, ``maintenance``, ``not_registered`` (本籍地 usage registration missing),
    ``no_record`` (no seal registered, no tax record).
    """

    kind: CertificateKind
    jurisdiction: Jurisdiction
    fee_yen: int
    counter_fee_yen: int
    rules: OptionRules = field(default_factory=OptionRules)
    available: bool = True
    unavailable_reason: str | None = None
    hours: tuple[time, time] = (time(6, 30), time(23, 0))


@dataclass(frozen=True)
class Offer:
    """The municipality's offer for one authenticated resident (center protocol: offer)."""

    municipality_code: str  # 6-digit local government code with check digit
    municipality_name: str
    certificates: tuple[OfferedCertificate, ...]
    household: tuple[HouseholdMember, ...] = ()
    honseki_municipality_code: str | None = None
    honseki_municipality_name: str | None = None
    notices: tuple[str, ...] = ()  # plain Japanese text from the municipality


# The seven screen languages (product-facts.md): BCP 47-style codes used for catalogs.
LANGUAGES: tuple[str, ...] = ("ja", "en", "zh_Hans", "zh_Hant", "ko", "es", "pt")

# Language names in their own language, for the language screen (style.md: Electrum).
LANGUAGE_NAMES: dict[str, str] = {
    "ja": "日本語",
    "en": "English",
    "zh_Hans": "中文（简体）",
    "zh_Hant": "中文（繁體）",
    "ko": "한국어",
    "es": "Español",
    "pt": "Português",
}


class RefusalReason(StrEnum):
    """Why a municipality refuses a resident, a certificate or an application (stable codes).

    The kiosk shows its own translated text per code; the municipality's Japanese message travels
    alongside. A refusal for a protected resident (支援措置) carries only its code and a neutral
    message: the kiosk says "please ask at the counter" and nothing more. The same codes are
    used as ``OfferedCertificate.unavailable_reason``. See docs/simulated-world.md.
    """

    RESIDENT_NOT_FOUND = "resident_not_found"  # no such resident (or card) in this municipality
    MOVED_OUT = "moved_out"  # 転出: the record is closed
    SUPPORT_MEASURES = "support_measures"  # DV・ストーカー等支援措置: counter only
    UNDER_AGE_EXCLUDED = "under_age_excluded"  # the municipality excludes residents under 15
    CHARACTERS_NOT_SUPPORTED = "characters_not_supported"  # a registered character cannot print
    NOT_OFFERED = "not_offered"  # kind, option or service not on this municipality's menu
    NO_RECORD = "no_record"  # no seal registered, no tax record for the year, no family register
    NOT_REGISTERED = "not_registered"  # 本籍地 usage registration (利用登録) missing or pending
    OUT_OF_HOURS = "out_of_hours"  # outside the kind's service hours
    WEEKDAYS_ONLY = "weekdays_only"  # the kind is served on 開庁日 only (e.g. 戸籍)
    YEAR_END_CLOSURE = "year_end_closure"  # 12/29–1/3
    MAINTENANCE = "maintenance"  # a posted maintenance window
    ALREADY_REGISTERED = "already_registered"  # 利用登録: the card is registered (or pending)
    INVALID_APPLICATION = "invalid_application"  # 利用登録: a required field is missing/malformed
