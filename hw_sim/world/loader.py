"""Loading and validating the municipality files (hw_sim/world/data/municipalities/*.toml)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import TypeVar

from hw_sim.world.calendar import JST
from hw_sim.world.codes import PREFECTURES, is_valid_code
from hw_sim.world.errors import WorldDataError
from hw_sim.world.fields import Fields
from hw_sim.world.municipalities import (
    DEFAULT_HOURS,
    CertificateConfig,
    MaintenanceWindow,
    Mayor,
    Municipality,
)
from kiosk.center.wire.vocabulary import LANGUAGE_CODE
from kiosk.domain import NoticeKind, NoticeText
from printing.certificates import CertificateFamily, CertificateKind, KosekiScope, Scope

DATA_DIR = Path(__file__).parent / "data"
MUNICIPALITY_DIR = DATA_DIR / "municipalities"

T = TypeVar("T")

_KINDS = {kind.value: kind for kind in CertificateKind}
_SCOPES = {scope.value: scope for scope in Scope}
_KOSEKI_SCOPES = {scope.value: scope for scope in KosekiScope}
_WEEKDAYS = {
    name: index for index, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
}
_EARLIEST, _LATEST = DEFAULT_HOURS  # product-facts.md: service hours lie within 6:30–23:00

_TOP_FIELDS = {
    "code", "name", "kana", "prefecture", "participates", "office_name", "contact", "mayor",
    "year_end_closure", "excludes_under_15", "notices", "certificates", "honseki_service",
    "maintenance",
}  # fmt: skip
_CERT_FIELDS = {
    "fee", "counter_fee", "hours", "office_days_only", "scopes", "head_and_relationship",
    "honseki", "my_number", "foreign_items", "tax_years", "koseki_scopes", "max_copies",
}  # fmt: skip
_MAINTENANCE_FIELDS = {"rule", "start", "end", "weekday", "nth", "kinds", "note"}


def load_municipalities(directory: Path = MUNICIPALITY_DIR) -> dict[str, Municipality]:
    """Every municipality file of ``directory``, validated, by code."""
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise WorldDataError(directory, "", "no municipality files (*.toml)")
    result: dict[str, Municipality] = {}
    for file in files:
        municipality = load_municipality(file)
        result[municipality.code] = municipality
    return result


def load_municipality(file: Path) -> Municipality:
    """One municipality file, validated; raises WorldDataError naming the file and field."""
    top = Fields.read(file)
    top.reject_unknown(_TOP_FIELDS)
    code = top.text("code")
    if not is_valid_code(code):
        raise top.error(
            "code", f"{code!r} is not a 6-digit local government code with a valid check digit"
        )
    if file.stem != code:
        raise top.error("code", f"{code!r} does not match the file name {file.name}")
    prefecture = top.text("prefecture")
    if PREFECTURES.get(code[:2]) != prefecture:
        raise top.error("prefecture", f"{prefecture!r} does not match the code's prefix {code[:2]}")
    mayor = top.table("mayor")
    mayor.reject_unknown({"title", "name"})
    certificates = _certificates(top) if top.has("certificates") else {}
    participates = top.flag("participates")
    if participates and not {CertificateKind.JUMINHYO, CertificateKind.INKAN} <= set(certificates):
        # product-facts.md: every participating municipality offers 住民票の写し and 印鑑.
        raise top.error("certificates", "a participating municipality offers juminhyo and inkan")
    honseki_kinds: tuple[CertificateKind, ...] = ()
    registration_days = 3
    if top.has("honseki_service"):
        honseki = top.table("honseki_service")
        honseki.reject_unknown({"kinds", "registration_office_days"})
        kinds = [
            _kind(honseki, "kinds", index, name)
            for index, name in enumerate(honseki.texts("kinds"))
        ]
        for index, kind in enumerate(kinds):
            if not kind.honseki or kind not in certificates:
                raise honseki.error(
                    f"kinds[{index}]",
                    f"{kind.value!r} is not a 戸籍/附票 kind this municipality offers",
                )
        honseki_kinds = tuple(kinds)
        registration_days = honseki.integer("registration_office_days", 3, minimum=0)
    return Municipality(
        code=code,
        name=top.text("name"),
        kana=top.text("kana"),
        prefecture=prefecture,
        participates=participates,
        mayor=Mayor(title=mayor.text("title"), name=mayor.text("name")),
        office_name=top.text("office_name"),
        contact=top.text("contact"),
        certificates=certificates,
        honseki_kinds=honseki_kinds,
        honseki_registration_office_days=registration_days,
        year_end_closure=top.flag("year_end_closure", True),
        excludes_under_15=top.flag("excludes_under_15", False),
        maintenance=tuple(_maintenance(window) for window in top.tables("maintenance")),
        notices=tuple(_notice(notice) for notice in top.tables("notices")),
        address_prefix=prefecture + top.text("name"),
    )


def _kind(fields: Fields, key: str, index: int, name: str) -> CertificateKind:
    if name not in _KINDS:
        raise fields.error(
            f"{key}[{index}]",
            f"unknown certificate kind {name!r} (expected one of {sorted(_KINDS)})",
        )
    return _KINDS[name]


def _certificates(top: Fields) -> dict[CertificateKind, CertificateConfig]:
    table = top.table("certificates")
    table.reject_unknown(set(_KINDS))
    result = {}
    for name, kind in _KINDS.items():
        if table.has(name):
            result[kind] = _certificate(kind, table.table(name))
    return result


def _certificate(kind: CertificateKind, cert: Fields) -> CertificateConfig:
    cert.reject_unknown(_CERT_FIELDS)
    fee = cert.integer("fee", minimum=1)
    counter_fee = cert.integer("counter_fee", minimum=1)
    if fee > counter_fee:
        raise cert.error("fee", f"the kiosk fee {fee} is above the counter fee {counter_fee}")
    hours = DEFAULT_HOURS
    if cert.has("hours"):
        texts = cert.texts("hours")
        if len(texts) != 2:
            raise cert.error("hours", 'expected [start, end], e.g. ["06:30", "23:00"]')
        hours = (_clock(cert, "hours", texts[0]), _clock(cert, "hours", texts[1]))
        if not _EARLIEST <= hours[0] < hours[1] <= _LATEST:
            raise cert.error("hours", f"{texts} is not a window inside 06:30–23:00")
    scopes: tuple[Scope, ...] = (Scope.SELF,)
    if cert.has("scopes"):
        names = cert.texts("scopes")
        scopes = tuple(
            _pick(cert, "scopes", index, name, _SCOPES) for index, name in enumerate(names)
        )
        if Scope.SELF not in scopes:
            raise cert.error("scopes", "must include 'self'")
    koseki_scopes: tuple[KosekiScope, ...] = ()
    if kind is CertificateKind.KOSEKI:
        names = cert.texts("koseki_scopes", ["all", "individual"])
        koseki_scopes = tuple(
            _pick(cert, "koseki_scopes", index, name, _KOSEKI_SCOPES)
            for index, name in enumerate(names)
        )
        if not koseki_scopes:
            raise cert.error("koseki_scopes", "must not be empty")
    tax_years = 0
    if kind.family is CertificateFamily.TAX:
        tax_years = cert.integer("tax_years", 3, minimum=1)
    record_options = kind.family is CertificateFamily.JUMINHYO
    fuhyo = kind is CertificateKind.KOSEKI_FUHYO
    for key in ("scopes", "head_and_relationship", "honseki", "my_number", "foreign_items"):
        if cert.has(key) and not record_options and not (fuhyo and key == "honseki"):
            raise cert.error(key, f"only for juminhyo and kisai_jiko, not {kind.value}")
    return CertificateConfig(
        kind=kind,
        fee_yen=fee,
        counter_fee_yen=counter_fee,
        hours=hours,
        office_days_only=cert.flag("office_days_only", False),
        scopes=scopes,
        head_and_relationship=cert.flag("head_and_relationship", False),
        # 附票: whether 本籍・筆頭者 may be asked for (by default, as the law lets the person);
        # 住民票: whether 本籍・筆頭者 is offered at all.
        honseki=cert.flag("honseki", fuhyo),
        my_number=cert.flag("my_number", False),
        foreign_items=cert.flag("foreign_items", False),
        tax_years=tax_years,
        koseki_scopes=koseki_scopes,
        max_copies=cert.integer("max_copies", 10, minimum=1),
    )


def _pick(fields: Fields, key: str, index: int, name: str, choices: Mapping[str, T]) -> T:
    if name not in choices:
        raise fields.error(f"{key}[{index}]", f"expected one of {sorted(choices)}, got {name!r}")
    return choices[name]


def _clock(fields: Fields, key: str, text: str) -> time:
    try:
        hour, minute = text.split(":")
        return time(int(hour), int(minute))
    except ValueError as error:
        raise fields.error(key, f"expected a time HH:MM, got {text!r}") from error


def _notice(notice: Fields) -> NoticeText:
    """``{kind = "hours", ja = "…", en = "…", …}``: a notice with its texts by language."""
    kind = notice.choice("kind", {k.value: k for k in NoticeKind})
    texts = {}
    for code in notice.data:
        if code == "kind":
            continue
        if not LANGUAGE_CODE.fullmatch(code):
            raise notice.error(code, "expected a language code (ja, en, zh_Hans …) or kind")
        texts[code] = notice.text(code)
    try:
        return NoticeText.of(kind, texts)
    except ValueError as error:
        raise notice.error("ja", str(error)) from None


def _maintenance(window: Fields) -> MaintenanceWindow:
    window.reject_unknown(_MAINTENANCE_FIELDS)
    rule = window.choice("rule", {"once": "once", "weekly": "weekly", "monthly": "monthly"})
    kinds = tuple(
        _kind(window, "kinds", index, name) for index, name in enumerate(window.texts("kinds", []))
    )
    note = window.text("note", "")
    if rule == "once":
        start = window.moment("start")
        end = window.moment("end")
        if start.tzinfo is None:
            start = start.replace(tzinfo=JST)
        if end.tzinfo is None:
            end = end.replace(tzinfo=JST)
        if end <= start:
            raise window.error("end", "must be after start")
        return MaintenanceWindow(rule=rule, start=start, end=end, kinds=kinds, note=note)
    start_time = window.clock("start")
    end_time = window.clock("end")
    if end_time <= start_time:
        raise window.error("end", "must be after start (windows do not cross midnight)")
    weekday = window.choice("weekday", _WEEKDAYS)
    nth = 0
    if rule == "monthly":
        nth = window.integer("nth", minimum=1)
        if nth > 5:
            raise window.error("nth", f"must be 1–5, got {nth}")
    return MaintenanceWindow(
        rule=rule, start=start_time, end=end_time, weekday=weekday, nth=nth, kinds=kinds, note=note
    )
