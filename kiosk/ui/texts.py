"""Names of the flow's and the domain's values as residents read them (msgids marked with
``N_``; translate with ``_`` where shown, so a language switch re-translates them)."""

from __future__ import annotations

from kiosk.domain import HouseholdMember, NoticeKind, NoticeText, unavailable_text
from kiosk.flow.events import OptionItem, RegistrationState, Service
from kiosk.i18n import N_, _, current_language
from kiosk.payment.events import RejectReason
from printing.certificates import CertificateKind, Jurisdiction, KosekiScope, Scope
from printing.jpdates import format_era_year

SERVICE_NAMES: dict[Service, str] = {
    Service.ISSUE: N_("Get a certificate"),
    Service.REGISTER: N_("Register to get family register certificates here"),
    Service.STATUS: N_("Check a registration"),
}

SERVICE_HINTS: dict[Service, str] = {
    Service.ISSUE: N_("Residence record, seal registration, tax and family register certificates"),
    Service.REGISTER: N_("Needed once when your registered domicile is in another municipality"),
    Service.STATUS: N_("With the application number you were given"),
}

JURISDICTION_NAMES: dict[Jurisdiction, str] = {
    Jurisdiction.RESIDENCE: N_("Municipality where you live"),
    Jurisdiction.HONSEKI: N_("Municipality of your registered domicile"),
}

JURISDICTION_NAMES_JA: dict[Jurisdiction, str] = {
    Jurisdiction.RESIDENCE: "住所地",
    Jurisdiction.HONSEKI: "本籍地",
}

SCOPE_NAMES: dict[Scope, str] = {
    Scope.SELF: N_("Only you"),
    Scope.HOUSEHOLD_ALL: N_("Everyone in your household"),
    Scope.HOUSEHOLD_PART: N_("Some members of your household"),
}

# 戸籍: offices and residents ask by 謄本 / 抄本; the Japanese names stay under a translation.
KOSEKI_SCOPE_NAMES: dict[KosekiScope, str] = {
    KosekiScope.ALL: N_("Full certificate: everyone in the register"),
    KosekiScope.INDIVIDUAL: N_("Individual certificate: one person"),
}
KOSEKI_SCOPE_NAMES_JA: dict[KosekiScope, str] = {
    KosekiScope.ALL: "全部事項証明書（戸籍謄本）",
    KosekiScope.INDIVIDUAL: "個人事項証明書（戸籍抄本）",
}
FUHYO_SCOPE_NAMES: dict[KosekiScope, str] = {
    KosekiScope.ALL: N_("Everyone in the register"),
    KosekiScope.INDIVIDUAL: N_("Some persons (choose)"),
}

ITEM_NAMES: dict[OptionItem, str] = {
    OptionItem.HEAD_AND_RELATIONSHIP: N_("Head of household and relationship"),
    OptionItem.HONSEKI: N_("Registered domicile and head of the family register"),
    OptionItem.FOREIGN_ITEMS: N_("Nationality, residence status and period of stay"),
}
MY_NUMBER_ITEM = N_("Individual Number (My Number)")

REGISTRATION_STATES: dict[RegistrationState, str] = {
    RegistrationState.RECEIVED: N_("Received: the municipality is checking your application."),
    RegistrationState.REGISTERED: N_(
        "Registered: you can now get family register certificates at this kiosk."
    ),
    RegistrationState.INCOMPLETE: N_("Incomplete: please read the municipality's message below."),
}

REJECT_REASONS: dict[RejectReason, str] = {
    RejectReason.UNRECOGNISED: N_(  # format: change_tray (kiosk.hardware_names.part_phrase)
        "A coin or bill could not be accepted. Please take it from the {change_tray}."
    ),
    RejectReason.NOT_ENABLED: N_("Please wait until the screen asks for money."),
    RejectReason.NOT_ACCEPTED: N_(
        "This bill is not accepted (2000-yen bills cannot be used). Please take it back."
    ),
}


NOTICE_SUMMARIES: dict[NoticeKind, str] = {
    NoticeKind.HOURS: N_("About service hours"),
    NoticeKind.CLOSURE: N_("About days without service"),
    NoticeKind.MAINTENANCE: N_("About a maintenance stop"),
    NoticeKind.OTHER: N_("A notice"),
}


def notice_text(notice: NoticeText) -> str:
    """A notice in the current language; a notice that has no text in it is shown in Japanese,
    marked as such, under a translated line saying what it is about."""
    own = notice.text(current_language())
    if own is not None:
        return own
    summary = _("{summary} (Japanese only):").format(summary=_(NOTICE_SUMMARIES[notice.kind]))
    return f"{summary}\n{notice.ja}"


def kind_name(kind: CertificateKind) -> str:
    """The certificate's name in the current language, with the Japanese name below it (the
    names are the kind's, printing.certificates)."""
    if current_language() == "ja":
        return kind.title_ja
    return f"{_(kind.name_msgid)}\n{kind.title_ja}"


def jurisdiction_name(jurisdiction: Jurisdiction) -> str:
    if current_language() == "ja":
        return JURISDICTION_NAMES_JA[jurisdiction]
    # The brackets are the language's own (full-width in Japanese and Chinese).
    return _("{name} ({name_ja})").format(
        name=_(JURISDICTION_NAMES[jurisdiction]), name_ja=JURISDICTION_NAMES_JA[jurisdiction]
    )


def unavailable_reason(code: str | None) -> str:
    """Why a menu line cannot be chosen, translated (the reason's text, kiosk.domain.REASONS)."""
    return _(unavailable_text(code))


def fiscal_year_name(year: int) -> str:
    """A tax year as residents ask for it and the certificate prints it, with the Gregorian
    years: 「令和7年度（令和6年中の所得）」 and 「西暦2025年度（2024年中の所得）」 — the 令和 line
    first in Japanese, the translated one first elsewhere (the order is the catalog's)."""
    reiwa = format_era_year(year, fullwidth=False)
    income_reiwa = format_era_year(year - 1, fullwidth=False)
    japanese = f"{reiwa}度（{income_reiwa}中の所得）"
    western = _("Fiscal year {year} (income of {income_year})").format(
        year=year, income_year=year - 1
    )
    return _("{western}\n{japanese}").format(western=western, japanese=japanese)


def koseki_scope_name(scope: KosekiScope) -> str:
    """全部事項証明書（戸籍謄本） / 個人事項証明書（戸籍抄本）, under a translation elsewhere."""
    if current_language() == "ja":
        return KOSEKI_SCOPE_NAMES_JA[scope]
    return f"{_(KOSEKI_SCOPE_NAMES[scope])}\n{KOSEKI_SCOPE_NAMES_JA[scope]}"


def fuhyo_scope_name(scope: KosekiScope) -> str:
    """全部 / 一部 of a 戸籍の附票の写し."""
    return _(FUHYO_SCOPE_NAMES[scope])


def person_name(person: HouseholdMember, self_id: str | None) -> str:
    """A person of the register as the choice shows it; the resident marked as such."""
    if person.member_id == self_id:
        return _("{name} (you)").format(name=person.display_name)
    return person.display_name
