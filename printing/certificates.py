"""The certificate vocabulary: which certificates exist, what each is, and what may be chosen.

One table (:func:`kind_facts`) says, per :class:`CertificateKind`, its Japanese title, its
English name (a msgid of the kiosk's catalogs), its family, whether it can come from the
本籍地, and which option shapes it takes. Everything else derives from it: the kiosk's menu
texts, the flow's default options, the wire's option check, the simulated municipalities, the
document titles. Adding a kind is one enum member and one ``case`` below (mypy fails on a
missing one), plus its document model and composer in :mod:`printing.documents`.

It lives in ``printing`` because the documents are typed by it and ``printing`` never imports
``kiosk`` (docs/architecture.md); the kiosk, the center protocol and the simulators import it
from here. Names follow ../shared/product-facts.md ("Certificates offered").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import ClassVar, assert_never

__all__ = [
    "CertificateFamily",
    "CertificateKind",
    "CertificateOptions",
    "CertificateRequest",
    "ChosenOptions",
    "FuhyoOptions",
    "JuminhyoOptions",
    "Jurisdiction",
    "KindFacts",
    "KosekiOptions",
    "KosekiScope",
    "NoOptions",
    "OptionsShape",
    "Scope",
    "TaxOptions",
    "kind_facts",
]


def N_(message: str) -> str:
    """Mark an English name for the kiosk's catalogs (``scripts/i18n extract`` reads this
    file, locales/babel.cfg); the kiosk translates it where it is shown."""
    return message


class CertificateFamily(StrEnum):
    """The register a certificate is made from (and the municipality section that keeps it)."""

    JUMINHYO = "juminhyo"  # 住民基本台帳: 住民票の写し, 記載事項証明書
    INKAN = "inkan"  # 印鑑登録原票
    TAX = "tax"  # 個人住民税の課税台帳
    KOSEKI = "koseki"  # 戸籍 and its 附票


class OptionsShape(StrEnum):
    """The shapes of options a request can carry (the wire's ``options.type`` tags)."""

    JUMINHYO = "juminhyo"  # JuminhyoOptions
    TAX = "tax"  # TaxOptions
    KOSEKI = "koseki"  # KosekiOptions
    FUHYO = "fuhyo"  # FuhyoOptions (protocol v3)
    NONE = "none"  # NoOptions


class CertificateKind(StrEnum):
    """The certificates a kiosk can issue (product-facts.md, "Certificates offered").

    The facts of each kind are attributes: ``title_ja``, ``name``, ``family``, ``honseki``,
    ``options`` (see :class:`KindFacts`).
    """

    JUMINHYO = "juminhyo"  # 住民票の写し
    KISAI_JIKO = "kisai_jiko"  # 住民票記載事項証明書
    INKAN = "inkan"  # 印鑑登録証明書
    TAX_INCOME = "tax_income"  # 所得・課税（非課税）証明書
    TAX_PAYMENT = "tax_payment"  # 納税証明書
    KOSEKI = "koseki"  # 戸籍証明書（全部事項／個人事項）
    KOSEKI_FUHYO = "koseki_fuhyo"  # 戸籍の附票の写し

    @property
    def title_ja(self) -> str:
        """The Japanese name, as printed on the certificate and shown under a translation."""
        return kind_facts(self).title_ja

    @property
    def name_msgid(self) -> str:
        """The English name: a msgid the kiosk translates with its catalogs."""
        return kind_facts(self).name

    @property
    def family(self) -> CertificateFamily:
        return kind_facts(self).family

    @property
    def honseki(self) -> bool:
        """True for the kinds a resident can get from the 本籍地 (after 利用登録)."""
        return kind_facts(self).honseki

    @property
    def options(self) -> tuple[OptionsShape, ...]:
        """The option shapes a request for this kind may carry; the first is the usual one."""
        return kind_facts(self).options


@dataclass(frozen=True)
class KindFacts:
    """What is known of one certificate kind (see :func:`kind_facts`)."""

    title_ja: str  # 住民票の写し
    name: str  # English msgid: "Copy of residence record"
    family: CertificateFamily
    options: tuple[OptionsShape, ...]  # first: the usual one (a new request starts with it)
    honseki: bool = False  # can be issued by the 本籍地 municipality (戸籍 and 附票)


@cache
def kind_facts(kind: CertificateKind) -> KindFacts:
    """The table of certificate kinds: one case per kind (mypy checks that none is missing)."""
    match kind:
        case CertificateKind.JUMINHYO:
            return KindFacts(
                "住民票の写し",
                N_("Copy of residence record"),
                CertificateFamily.JUMINHYO,
                (OptionsShape.JUMINHYO,),
            )
        case CertificateKind.KISAI_JIKO:
            # Shares the options of 住民票の写し (product-facts.md).
            return KindFacts(
                "住民票記載事項証明書",
                N_("Certificate of residence record items"),
                CertificateFamily.JUMINHYO,
                (OptionsShape.JUMINHYO,),
            )
        case CertificateKind.INKAN:
            return KindFacts(
                "印鑑登録証明書",
                N_("Seal registration certificate"),
                CertificateFamily.INKAN,
                (OptionsShape.NONE,),
            )
        case CertificateKind.TAX_INCOME:
            # The seed's 課税（非課税）証明書: the same certificate says 非課税 for a resident
            # who owes no inhabitant tax, and residents ask for it by either name.
            return KindFacts(
                "所得・課税（非課税）証明書",
                N_("Income and taxation (non-taxation) certificate"),
                CertificateFamily.TAX,
                (OptionsShape.TAX,),
            )
        case CertificateKind.TAX_PAYMENT:
            return KindFacts(
                "納税証明書",
                N_("Tax payment certificate"),
                CertificateFamily.TAX,
                (OptionsShape.TAX,),
            )
        case CertificateKind.KOSEKI:
            # 全部事項証明書 (戸籍謄本) or 個人事項証明書 (戸籍抄本) of a chosen person.
            return KindFacts(
                "戸籍証明書",
                N_("Family register certificate"),
                CertificateFamily.KOSEKI,
                (OptionsShape.KOSEKI,),
                honseki=True,
            )
        case CertificateKind.KOSEKI_FUHYO:
            # 全部 or 一部 (chosen persons), with or without 本籍・筆頭者 (FuhyoOptions, v3);
            # kiosks of protocol v1/v2 ask without options or with a 戸籍 scope.
            return KindFacts(
                "戸籍の附票の写し",
                N_("Copy of family register supplement"),
                CertificateFamily.KOSEKI,
                (OptionsShape.FUHYO, OptionsShape.NONE, OptionsShape.KOSEKI),
                honseki=True,
            )
        case _:
            assert_never(kind)


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
    """全部事項 (everyone in the register) or 個人事項 (one person); for the 附票, 全部 or 一部
    (chosen persons)."""

    ALL = "all"  # 全部事項証明書 (戸籍謄本); 附票: 全部
    INDIVIDUAL = "individual"  # 個人事項証明書 (戸籍抄本); 附票: 一部


@dataclass(frozen=True)
class JuminhyoOptions:
    """What a 住民票の写し or 住民票記載事項証明書 shows (product-facts.md; source document)."""

    shape: ClassVar[OptionsShape] = OptionsShape.JUMINHYO

    scope: Scope = Scope.SELF
    member_ids: tuple[str, ...] = ()  # only with Scope.HOUSEHOLD_PART
    show_head_and_relationship: bool = False  # 世帯主・続柄
    show_honseki: bool = False  # 本籍・筆頭者
    show_my_number: bool = False  # 個人番号 (warned and confirmed on the kiosk)
    show_foreign_items: bool = False  # 国籍・地域, 在留資格, 在留期間, 在留カード番号 …


@dataclass(frozen=True)
class TaxOptions:
    """Which tax year (年度) the certificate is for."""

    shape: ClassVar[OptionsShape] = OptionsShape.TAX

    fiscal_year: int


@dataclass(frozen=True)
class KosekiOptions:
    """全部事項 or 個人事項 (戸籍; and the 附票 as protocol v1/v2 kiosks ask for it).

    ``person_id`` (v3) names whose 個人事項: a person of the register the offer lists
    (``OptionRules.persons``), e.g. a parent asking for a child's; None is the resident.
    """

    shape: ClassVar[OptionsShape] = OptionsShape.KOSEKI

    scope: KosekiScope = KosekiScope.ALL
    person_id: str | None = None  # only with KosekiScope.INDIVIDUAL


@dataclass(frozen=True)
class FuhyoOptions:
    """What a 戸籍の附票の写し shows (v3): everyone in the register (全部) or chosen persons
    (一部, ``person_ids`` from ``OptionRules.persons``), and whether it shows 本籍・筆頭者 —
    not shown unless asked for (住民基本台帳法 as amended in 2022), and only where the
    municipality allows it (``OptionRules.honseki``)."""

    shape: ClassVar[OptionsShape] = OptionsShape.FUHYO

    scope: KosekiScope = KosekiScope.ALL
    person_ids: tuple[str, ...] = ()  # only with KosekiScope.INDIVIDUAL
    show_honseki: bool = False


@dataclass(frozen=True)
class NoOptions:
    """For certificates without choices (印鑑登録証明書)."""

    shape: ClassVar[OptionsShape] = OptionsShape.NONE


# The options a resident chooses on the options screen (a kind whose first shape is NONE has none).
ChosenOptions = JuminhyoOptions | TaxOptions | KosekiOptions | FuhyoOptions
CertificateOptions = ChosenOptions | NoOptions


@dataclass(frozen=True)
class CertificateRequest:
    """One line of an order: a kind, where from, its options and the number of copies."""

    kind: CertificateKind
    jurisdiction: Jurisdiction
    options: CertificateOptions
    copies: int = 1
