"""Wire form of the shared vocabulary (printing/certificates.py, kiosk/domain.py): the offer
and a certificate request.

The domain types stay free of I/O; their JSON shape is defined here, once, for the client and
the simulated center (docs/center-protocol.md, "The offer" and "Issuance").
"""

from __future__ import annotations

import re
from typing import Any, assert_never

from kiosk.center.wire.fields import (
    Fields,
    enum_item,
    int_item,
    str_item,
)
from kiosk.center.wire.jsonstrict import WireFormatError
from kiosk.center.wire.versions import NOTICE_TEXTS, PERSONS, PROTOCOL_VERSION
from kiosk.domain import (
    NOTICE_TEXT_MAX,
    HouseholdMember,
    NoticeKind,
    NoticeText,
    Offer,
    OfferedCertificate,
    OptionRules,
)
from printing.certificates import (
    CertificateKind,
    CertificateOptions,
    CertificateRequest,
    FuhyoOptions,
    JuminhyoOptions,
    Jurisdiction,
    KosekiOptions,
    KosekiScope,
    NoOptions,
    OptionsShape,
    Scope,
    TaxOptions,
)

# 地方公共団体コード: 5 digits + check digit (総務省「全国地方公共団体コード」).
MUNICIPALITY_CODE = re.compile(r"\d{6}", re.ASCII)
# Reason codes are stable identifiers the kiosk maps to its own translated text.
REASON_CODE = re.compile(r"[a-z][a-z0-9_]{1,47}", re.ASCII)
MEMBER_ID = re.compile(r"[A-Za-z0-9_-]{1,64}", re.ASCII)

# Hard protocol limits; a municipality's own limits come in OptionRules.max_copies.
MAX_COPIES = 20
MAX_FEE_YEN = 100_000
MAX_CERTIFICATES_IN_OFFER = 32
MAX_HOUSEHOLD = 64
MAX_NOTICES = 16
MAX_NOTICE_LANGUAGES = 16  # texts of one notice (the kiosk shows eight languages today)
# A screen language: the catalogs' codes (ja, en, ko, zh_Hans …; kiosk/languages.py).
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(_[A-Z][a-z]{3})?", re.ASCII)
FISCAL_YEAR_RANGE = (1989, 2100)  # 平成元年 onwards; tax records older than that are not online


# -- certificate request ---------------------------------------------------------------------
def options_to_wire(options: CertificateOptions, version: int = PROTOCOL_VERSION) -> dict[str, Any]:
    """The JSON form of a request's options (tagged by ``type``, the options' shape) in
    protocol ``version``; options an older version cannot say raise ValueError."""
    match options:
        case JuminhyoOptions():
            return {
                "type": options.shape.value,
                "scope": options.scope.value,
                "member_ids": list(options.member_ids),
                "show_head_and_relationship": options.show_head_and_relationship,
                "show_honseki": options.show_honseki,
                "show_my_number": options.show_my_number,
                "show_foreign_items": options.show_foreign_items,
            }
        case TaxOptions():
            return {"type": options.shape.value, "fiscal_year": options.fiscal_year}
        case KosekiOptions():
            if version < PERSONS:
                if options.person_id is not None:
                    raise ValueError(f"whose 個人事項 cannot be said before v{PERSONS}")
                return {"type": options.shape.value, "scope": options.scope.value}
            return {
                "type": options.shape.value,
                "scope": options.scope.value,
                "person_id": options.person_id,
            }
        case FuhyoOptions():
            if version < PERSONS:
                raise ValueError(f"附票 options cannot be said before v{PERSONS}")
            return {
                "type": options.shape.value,
                "scope": options.scope.value,
                "person_ids": list(options.person_ids),
                "show_honseki": options.show_honseki,
            }
        case NoOptions():
            return {"type": options.shape.value}
        case _:
            assert_never(options)


def options_from_wire(
    value: Any, path: str, kind: CertificateKind, version: int = PROTOCOL_VERSION
) -> CertificateOptions:
    """Parse options of protocol ``version`` and check they are a shape that ``kind`` takes
    (``kind.options``; the 附票's own shape only from v3)."""
    fields = Fields(value, path)
    tag = fields.text("type", max_len=16)
    shapes = [s for s in kind.options if version >= PERSONS or s is not OptionsShape.FUHYO]
    shape = next((shape for shape in shapes if shape.value == tag), None)
    if shape is None:
        allowed = " or ".join(shape.value for shape in shapes)
        raise WireFormatError(f"{path}.type", f"{kind.value} takes options of type {allowed}")
    options: CertificateOptions
    match shape:
        case OptionsShape.JUMINHYO:
            scope = fields.enum("scope", Scope)
            members = fields.items("member_ids", str_item(pattern=MEMBER_ID), max_len=MAX_HOUSEHOLD)
            if (scope is Scope.HOUSEHOLD_PART) != bool(members):
                raise WireFormatError(
                    f"{path}.member_ids",
                    "members are chosen exactly when the scope is household_part",
                )
            if len(set(members)) != len(members):
                raise WireFormatError(f"{path}.member_ids", "a member is listed twice")
            options = JuminhyoOptions(
                scope=scope,
                member_ids=members,
                show_head_and_relationship=fields.flag("show_head_and_relationship"),
                show_honseki=fields.flag("show_honseki"),
                show_my_number=fields.flag("show_my_number"),
                show_foreign_items=fields.flag("show_foreign_items"),
            )
        case OptionsShape.TAX:
            options = TaxOptions(
                fiscal_year=fields.integer(
                    "fiscal_year", min=FISCAL_YEAR_RANGE[0], max=FISCAL_YEAR_RANGE[1]
                )
            )
        case OptionsShape.KOSEKI:
            register_scope = fields.enum("scope", KosekiScope)
            person = (
                fields.opt_text("person_id", pattern=MEMBER_ID, max_len=64)
                if version >= PERSONS
                else None
            )
            if person is not None and register_scope is not KosekiScope.INDIVIDUAL:
                raise WireFormatError(f"{path}.person_id", "a person is chosen for 個人事項 only")
            options = KosekiOptions(scope=register_scope, person_id=person)
        case OptionsShape.FUHYO:
            register_scope = fields.enum("scope", KosekiScope)
            persons = fields.items("person_ids", str_item(pattern=MEMBER_ID), max_len=MAX_HOUSEHOLD)
            if (register_scope is KosekiScope.INDIVIDUAL) != bool(persons):
                raise WireFormatError(
                    f"{path}.person_ids", "persons are chosen exactly for 一部 (individual)"
                )
            if len(set(persons)) != len(persons):
                raise WireFormatError(f"{path}.person_ids", "a person is listed twice")
            options = FuhyoOptions(
                scope=register_scope, person_ids=persons, show_honseki=fields.flag("show_honseki")
            )
        case OptionsShape.NONE:
            options = NoOptions()
        case _:
            assert_never(shape)
    fields.done()
    return options


def request_to_wire(request: CertificateRequest, version: int = PROTOCOL_VERSION) -> dict[str, Any]:
    """The JSON form of one certificate request in protocol ``version``."""
    return {
        "kind": request.kind.value,
        "jurisdiction": request.jurisdiction.value,
        "options": options_to_wire(request.options, version),
        "copies": request.copies,
    }


def request_from_wire(
    value: Any, path: str = "$", version: int = PROTOCOL_VERSION
) -> CertificateRequest:
    """Parse one certificate request (kind, jurisdiction, options matching the kind, copies)."""
    fields = Fields(value, path)
    kind = fields.enum("kind", CertificateKind)
    request = CertificateRequest(
        kind=kind,
        jurisdiction=fields.enum("jurisdiction", Jurisdiction),
        options=options_from_wire(fields.raw("options"), f"{path}.options", kind, version),
        copies=fields.integer("copies", min=1, max=MAX_COPIES),
    )
    if request.jurisdiction is Jurisdiction.HONSEKI and not kind.honseki:
        raise WireFormatError(f"{path}.jurisdiction", "only 戸籍 and 附票 come from the 本籍地")
    fields.done()
    return request


# -- offer -----------------------------------------------------------------------------------
def rules_to_wire(rules: OptionRules, version: int = PROTOCOL_VERSION) -> dict[str, Any]:
    if version >= PERSONS:
        return {**_rules_v1(rules), **_persons_to_wire(rules)}
    return _rules_v1(rules)


def _persons_to_wire(rules: OptionRules) -> dict[str, Any]:
    return {
        "persons": [
            {"member_id": person.member_id, "display_name": person.display_name}
            for person in rules.persons
        ],
        "self_person_id": rules.self_person_id,
    }


def _rules_v1(rules: OptionRules) -> dict[str, Any]:
    return {
        "scopes": [scope.value for scope in rules.scopes],
        "koseki_scopes": [scope.value for scope in rules.koseki_scopes],
        "head_and_relationship": rules.head_and_relationship,
        "honseki": rules.honseki,
        "my_number": rules.my_number,
        "foreign_items": rules.foreign_items,
        "fiscal_years": list(rules.fiscal_years),
        "max_copies": rules.max_copies,
    }


def rules_from_wire(value: Any, path: str, version: int = PROTOCOL_VERSION) -> OptionRules:
    fields = Fields(value, path)
    persons: tuple[HouseholdMember, ...] = ()
    self_person: str | None = None
    if version >= PERSONS:
        persons = fields.items("persons", _member_from_wire, max_len=MAX_HOUSEHOLD)
        self_person = fields.opt_text("self_person_id", pattern=MEMBER_ID, max_len=64)
        ids = [person.member_id for person in persons]
        if len(set(ids)) != len(ids):
            raise WireFormatError(f"{path}.persons", "a person is listed twice")
        if self_person is not None and self_person not in ids:
            raise WireFormatError(f"{path}.self_person_id", "is not one of the persons")
    rules = OptionRules(
        persons=persons,
        self_person_id=self_person,
        scopes=fields.items("scopes", enum_item(Scope), max_len=len(Scope)),
        koseki_scopes=fields.items(
            "koseki_scopes", enum_item(KosekiScope), max_len=len(KosekiScope)
        ),
        head_and_relationship=fields.flag("head_and_relationship"),
        honseki=fields.flag("honseki"),
        my_number=fields.flag("my_number"),
        foreign_items=fields.flag("foreign_items"),
        fiscal_years=fields.items(
            "fiscal_years", int_item(min=FISCAL_YEAR_RANGE[0], max=FISCAL_YEAR_RANGE[1]), max_len=20
        ),
        max_copies=fields.integer("max_copies", min=1, max=MAX_COPIES),
    )
    fields.done()
    return rules


def certificate_to_wire(
    cert: OfferedCertificate, version: int = PROTOCOL_VERSION
) -> dict[str, Any]:
    return {
        "kind": cert.kind.value,
        "jurisdiction": cert.jurisdiction.value,
        "fee_yen": cert.fee_yen,
        "counter_fee_yen": cert.counter_fee_yen,
        "rules": rules_to_wire(cert.rules, version),
        "available": cert.available,
        "unavailable_reason": cert.unavailable_reason,
        "hours": {
            "open": cert.hours[0].strftime("%H:%M"),
            "close": cert.hours[1].strftime("%H:%M"),
        },
    }


def certificate_from_wire(
    value: Any, path: str, version: int = PROTOCOL_VERSION
) -> OfferedCertificate:
    fields = Fields(value, path)
    hours = fields.obj("hours")
    opening, closing = hours.hhmm("open"), hours.hhmm("close")
    hours.done()
    if opening >= closing:
        raise WireFormatError(f"{path}.hours", "opening must be before closing")
    available = fields.flag("available")
    reason = fields.opt_text("unavailable_reason", pattern=REASON_CODE, max_len=48)
    if available == (reason is not None):
        raise WireFormatError(
            f"{path}.unavailable_reason",
            "a reason is given exactly when the certificate is unavailable",
        )
    cert = OfferedCertificate(
        kind=fields.enum("kind", CertificateKind),
        jurisdiction=fields.enum("jurisdiction", Jurisdiction),
        fee_yen=fields.integer("fee_yen", min=0, max=MAX_FEE_YEN),
        counter_fee_yen=fields.integer("counter_fee_yen", min=0, max=MAX_FEE_YEN),
        rules=rules_from_wire(fields.raw("rules"), f"{path}.rules", version),
        available=available,
        unavailable_reason=reason,
        hours=(opening, closing),
    )
    fields.done()
    return cert


def notice_to_wire(notice: NoticeText, version: int = PROTOCOL_VERSION) -> Any:
    """A notice for residents: ``{"kind", "texts": {code: text}}`` (v3); its Japanese text
    alone before v3."""
    if version < NOTICE_TEXTS:
        return notice.ja
    return {"kind": notice.kind.value, "texts": dict(notice.texts)}


def notice_from_wire(value: Any, path: str, version: int = PROTOCOL_VERSION) -> NoticeText:
    if version < NOTICE_TEXTS:
        text = str_item(max_len=NOTICE_TEXT_MAX)(value, path)
        if not text.strip():
            raise WireFormatError(path, "an empty notice")
        return NoticeText.japanese(text)
    fields = Fields(value, path)
    kind = fields.enum("kind", NoticeKind)
    raw = fields.raw("texts")
    if not isinstance(raw, dict) or not 1 <= len(raw) <= MAX_NOTICE_LANGUAGES:
        raise WireFormatError(
            f"{path}.texts", f"an object of 1 to {MAX_NOTICE_LANGUAGES} texts by language"
        )
    by_language = fields.obj("texts")
    texts: dict[str, str] = {}
    for code in raw:
        if not LANGUAGE_CODE.fullmatch(code):
            raise WireFormatError(f"{path}.texts", f"{code!r} is not a language code")
        texts[code] = by_language.text(code, min_len=1, max_len=NOTICE_TEXT_MAX)
    by_language.done()
    fields.done()
    try:
        return NoticeText.of(kind, texts)
    except ValueError as exc:
        raise WireFormatError(f"{path}.texts", str(exc)) from None


def offer_to_wire(offer: Offer, version: int = PROTOCOL_VERSION) -> dict[str, Any]:
    """The JSON form of a municipality's offer, in protocol ``version``."""
    return {
        "municipality_code": offer.municipality_code,
        "municipality_name": offer.municipality_name,
        "certificates": [certificate_to_wire(cert, version) for cert in offer.certificates],
        "household": [
            {"member_id": member.member_id, "display_name": member.display_name}
            for member in offer.household
        ],
        "honseki_municipality_code": offer.honseki_municipality_code,
        "honseki_municipality_name": offer.honseki_municipality_name,
        "notices": [notice_to_wire(notice, version) for notice in offer.notices],
    }


def _member_from_wire(value: Any, path: str) -> HouseholdMember:
    fields = Fields(value, path)
    member = HouseholdMember(
        member_id=fields.text("member_id", pattern=MEMBER_ID, max_len=64),
        display_name=fields.text("display_name", min_len=1, max_len=128),
    )
    fields.done()
    return member


def offer_from_wire(value: Any, path: str = "$", version: int = PROTOCOL_VERSION) -> Offer:
    """Parse an offer of protocol ``version``; one entry per (kind, jurisdiction), 本籍地
    fields present together."""
    fields = Fields(value, path)
    certificates = fields.items(
        "certificates",
        lambda v, p: certificate_from_wire(v, p, version),
        max_len=MAX_CERTIFICATES_IN_OFFER,
    )
    keys = [(cert.kind, cert.jurisdiction) for cert in certificates]
    if len(set(keys)) != len(keys):
        raise WireFormatError(f"{path}.certificates", "a certificate is offered twice")
    household = fields.items("household", _member_from_wire, max_len=MAX_HOUSEHOLD)
    if len({member.member_id for member in household}) != len(household):
        raise WireFormatError(f"{path}.household", "a member id is listed twice")
    honseki_code = fields.opt_text(
        "honseki_municipality_code", pattern=MUNICIPALITY_CODE, max_len=6
    )
    honseki_name = fields.opt_text("honseki_municipality_name", min_len=1, max_len=64)
    if (honseki_code is None) != (honseki_name is None):
        raise WireFormatError(f"{path}.honseki_municipality_code", "code and name come together")
    offer = Offer(
        municipality_code=fields.text("municipality_code", pattern=MUNICIPALITY_CODE, max_len=6),
        municipality_name=fields.text("municipality_name", min_len=1, max_len=64),
        certificates=certificates,
        household=household,
        honseki_municipality_code=honseki_code,
        honseki_municipality_name=honseki_name,
        notices=fields.items(
            "notices", lambda v, p: notice_from_wire(v, p, version), max_len=MAX_NOTICES
        ),
    )
    fields.done()
    return offer
