"""Municipality configuration: what each municipality offers, at what fee, when.

One TOML file per municipality under ``hw_sim/world/data/municipalities/`` (named by its code),
validated on load by :mod:`hw_sim.world.loader`. The shape is documented in
docs/simulated-world.md ("Adding a municipality").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from hw_sim.world.calendar import JST
from kiosk.domain import NoticeText
from printing.certificates import CertificateKind, KosekiScope, Scope

# product-facts.md: "Service hours 6:30–23:00, set per municipality".
DEFAULT_HOURS = (time(6, 30), time(23, 0))


@dataclass(frozen=True)
class CertificateConfig:
    """One kind on a municipality's menu."""

    kind: CertificateKind
    fee_yen: int  # at the kiosk
    counter_fee_yen: int  # at the municipality's counter (the kiosk fee is often lower)
    hours: tuple[time, time] = DEFAULT_HOURS
    office_days_only: bool = False  # served on 開庁日 only (some municipalities' 戸籍)
    scopes: tuple[Scope, ...] = (Scope.SELF,)  # 住民票・記載事項
    head_and_relationship: bool = False
    honseki: bool = False
    my_number: bool = False
    foreign_items: bool = False
    tax_years: int = 0  # tax: how many recent fiscal years (年度) are issued
    koseki_scopes: tuple[KosekiScope, ...] = ()  # 戸籍: 全部事項 and/or 個人事項
    max_copies: int = 10


@dataclass(frozen=True)
class MaintenanceWindow:
    """A posted maintenance window. ``kinds`` empty means every certificate.

    ``rule`` is ``once`` (``start``/``end`` are datetimes), ``weekly`` (``weekday`` 0=Mon) or
    ``monthly`` (the ``nth`` ``weekday`` of each month), the last two with times of day.
    """

    rule: str
    start: datetime | time
    end: datetime | time
    weekday: int = 0
    nth: int = 0
    kinds: tuple[CertificateKind, ...] = ()
    note: str = ""

    def covers(self, when: datetime, kind: CertificateKind) -> bool:
        """True when ``when`` (in JST) is inside this window for ``kind``."""
        if self.kinds and kind not in self.kinds:
            return False
        local = when.astimezone(JST)
        if self.rule == "once":
            if not isinstance(self.start, datetime) or not isinstance(self.end, datetime):
                raise TypeError("a one-off window needs start and end date-times")
            return self.start <= local < self.end
        if isinstance(self.start, datetime) or isinstance(self.end, datetime):
            raise TypeError("a recurring window needs start and end times of day")
        day = local.date()
        if day.weekday() != self.weekday:
            return False
        if self.rule == "monthly" and (day.day - 1) // 7 + 1 != self.nth:
            return False
        return self.start <= local.time().replace(tzinfo=None) < self.end


@dataclass(frozen=True)
class Mayor:
    title: str  # 練馬区長
    name: str  # synthetic, e.g. 北村　誠一


@dataclass(frozen=True)
class Municipality:
    """The static configuration of one municipality."""

    code: str
    name: str
    kana: str
    prefecture: str
    participates: bool
    mayor: Mayor
    office_name: str  # 練馬区役所
    contact: str  # shown in messages: section and phone (synthetic numbers)
    certificates: dict[CertificateKind, CertificateConfig] = field(default_factory=dict)
    honseki_kinds: tuple[CertificateKind, ...] = ()  # 本籍地 service: 戸籍 and/or 附票
    honseki_registration_office_days: int = 3
    year_end_closure: bool = True
    excludes_under_15: bool = False
    maintenance: tuple[MaintenanceWindow, ...] = ()
    notices: tuple[NoticeText, ...] = ()  # for residents, by language (ja always)
    address_prefix: str = ""  # 東京都練馬区 (prefecture + municipality, for addresses)

    @property
    def honseki_service(self) -> bool:
        return bool(self.honseki_kinds)

    def offers(self, kind: CertificateKind) -> bool:
        return self.participates and kind in self.certificates


def age_on(birth: date, day: date) -> int:
    """Age in full years on ``day`` (年齢計算ニ関スル法律: a year is complete the day before the
    birthday; for whole-year comparisons the birthday itself is the usual reading)."""
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def day_window(day: date, start: time, end: time) -> tuple[datetime, datetime]:
    """The JST datetimes of a time window on ``day``."""
    begin = datetime.combine(day, start, JST)
    finish = datetime.combine(day, end, JST)
    if finish <= begin:
        finish += timedelta(days=1)
    return begin, finish
