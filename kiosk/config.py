"""Kiosk profiles: a TOML file → a typed, validated :class:`KioskConfig`.

One program, three deployments (architecture: store kiosk, city-hall kiosk, developer PC); the
profile says which devices to use and how the kiosk behaves. Every value is checked when the
profile is loaded: a missing, misspelt, mistyped or out-of-range key is a :class:`ConfigError`
that names the key (``payment.driver: …``), never a crash later.

Relative paths are resolved against the folder of the profile file, so a profile works from
any working directory. Secrets (TLS key, serial salt) are referred to by path, never inlined.
See ``profiles/*.toml`` for commented examples of every key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from kiosk.domain import NoticeKind, NoticeText
from kiosk.flow import FlowSettings, PaymentMode, Service, TimeoutSettings, TimerName
from kiosk.hardware import DEFAULT_LAYOUT, HardwareLayout, Part, Place
from kiosk.languages import DEFAULT_LANGUAGE, LANGUAGES
from kiosk.staff import StaffSettings
from kiosk.staff.credentials import (
    CARD_DIGEST,
    STAFF_ID,
    CredentialError,
    StaffMember,
    parse_pin_hash,
)

# printing.security.compose.VERIFICATION_MAX (one line in the back's explanation box), kept here
# so that loading a profile does not load the security layer (a test checks they agree).
VERIFICATION_MAX = 80
KIOSK_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
HOURS = re.compile(r"(\d{1,2}):(\d{2})")
E = TypeVar("E", bound=StrEnum)


class ConfigError(ValueError):
    """A profile that cannot be used; ``key`` is the dotted key at fault."""

    def __init__(self, key: str, message: str, source: Path | None = None) -> None:
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{key}: {message}")
        self.key = key
        self.source = source


class ProfileKind(StrEnum):
    STORE = "store"
    CITY_HALL = "cityhall"
    DEVELOPER = "developer"


class AcceptorDriver(StrEnum):
    SIMULATED = "simulated"  # hw_sim.acceptor (developer profile only)
    BRIDGE = "bridge"  # the vendor's cash-unit daemon on a Unix socket (docs/payment-bridge.md)
    # A JCM ID-003 bill validator and a ccTalk bus (coin acceptor, payout hoppers), each on a
    # serial port, driven directly (docs/cash-hardware.md)
    ID003_CCTALK = "id003+cctalk"


class CoinChecksum(StrEnum):
    SIMPLE = "simple"  # ccTalk part 1 §7.10: the bytes add up to 0 (most coin acceptors)
    CRC16 = "crc16"  # §7.11: CRC-CCITT


class CardSimulator(StrEnum):
    VPCD = "vpcd"  # virtual card behind a private pcscd (the real PC/SC stack)
    IN_PROCESS = "in_process"  # virtual card in the kiosk process (no pcscd)


class PrinterSimulator(StrEnum):
    PRIVATE_CUPSD = "private_cupsd"  # a private cupsd with a PDF queue and fault injection
    CUPS_PDF = "cups_pdf"  # the machine's CUPS-PDF queue


@dataclass(frozen=True)
class CenterSettings:
    """The issuance center and this kiosk's TLS material (names as kiosk.center.CenterConfig)."""

    base_url: str
    ca_path: Path  # pinned center CA
    cert_path: Path  # this kiosk's client certificate
    key_path: Path


@dataclass(frozen=True)
class ReaderSettings:
    """Which PC/SC reader holds the resident's card: the first whose name contains this."""

    name_contains: str = ""  # "" = the first reader found


@dataclass(frozen=True)
class PrinterSettings:
    queue: str  # the A4 duplex certificate queue
    receipt_queue: str | None = None  # the ticket printer (city hall, counter payment)
    # Where the certificate's back tells the reader to verify it (a URL or an office, one line):
    # the deployment's verification service (docs/security-printing.md, "The back").
    verification_service: str = ""


@dataclass(frozen=True)
class CashUnitSettings:
    """The devices of ``payment.driver = "id003+cctalk"`` (docs/cash-hardware.md)."""

    # The serial devices (None only on a developer PC whose simulators stand in for them):
    bill_validator: str | None  # the ID-003 validator's (9600 8E1)
    coin_bus: str | None  # the ccTalk bus's (9600 8N1)
    coin_checksum: CoinChecksum = CoinChecksum.SIMPLE
    coin_bus_echo: bool = True  # a one-wire ccTalk bus: the host reads its own bytes back
    coin_acceptor_address: int = 2
    hopper_addresses: tuple[int, ...] = (3, 4)


@dataclass(frozen=True)
class PaymentSettings:
    mode: PaymentMode
    driver: AcceptorDriver | None = None  # with mode "acceptor"
    device: str | None = None  # the bridge's socket path
    cash_unit: CashUnitSettings | None = None  # with driver "id003+cctalk"


@dataclass(frozen=True)
class AccessibilitySettings:
    no_time_limits: bool = False  # idle timeouts off (city hall); money and devices keep theirs
    audio_guidance: bool = False
    high_contrast: bool = False
    keypad_navigation: bool = False


@dataclass(frozen=True)
class SimulatorSettings:
    """What the developer profile starts instead of devices (never present elsewhere)."""

    card: CardSimulator = CardSimulator.VPCD
    center: bool = True
    printer: PrinterSimulator = PrinterSimulator.PRIVATE_CUPSD
    acceptor: bool = True
    persona: str = ""  # the virtual card's persona ("" = the dock chooses)


class StaffGesture(StrEnum):
    """How staff open the staff login without a visible button (never shown to residents)."""

    CORNER_TAPS = "corner-taps"  # five taps on the screen's top-left corner within three seconds
    NONE = "none"  # the key only


@dataclass(frozen=True)
class StaffConfig:
    """[staff]: who may open the staff screens and how (docs/operations.md, "Staff mode")."""

    members: tuple[StaffMember, ...] = ()
    open_key: str = ""  # a Qt key name (F12, …) of a service keyboard or key switch; "" none
    open_gesture: StaffGesture = StaffGesture.CORNER_TAPS
    max_wrong_pins: int = 5
    lockout_s: float = 900.0
    idle_s: float = 180.0
    wait_s: float = 600.0
    card_login: bool = False
    card_required: bool = False

    def settings(self) -> StaffSettings:
        return StaffSettings(
            staff_ids=tuple(member.staff_id for member in self.members),
            max_wrong_pins=self.max_wrong_pins,
            lockout_s=self.lockout_s,
            idle_s=self.idle_s,
            wait_s=self.wait_s,
            card_login=self.card_login,
            card_required=self.card_required,
        )


# The most certificates a profile may allow in one visit: a long basket keeps the resident's
# session open past what the center grants (SESSION_TTL 20 min in the simulated center) and
# the printing alone takes minutes per item.
MAX_CERTIFICATES_PER_VISIT = 10


@dataclass(frozen=True)
class KioskConfig:
    kind: ProfileKind
    kiosk_id: str
    center: CenterSettings
    reader: ReaderSettings
    printer: PrinterSettings
    payment: PaymentSettings
    journal_path: Path
    serial_salt_path: Path  # the salt naming certificates in the journal and logs
    languages: tuple[str, ...] = LANGUAGES  # a profile without a list gets every language
    default_language: str = DEFAULT_LANGUAGE
    services: tuple[Service, ...] = (Service.ISSUE, Service.REGISTER, Service.STATUS)
    hours: tuple[time, time] = (time(6, 30), time(23, 0))
    notices: tuple[NoticeText, ...] = ()
    # Certificates one resident may take in one visit, one authentication, one payment (the
    # basket, docs/flow.md); 1 offers no "add another certificate".
    max_certificates_per_visit: int = 5
    hardware: HardwareLayout = DEFAULT_LAYOUT
    timeout_overrides: Mapping[TimerName, float] = field(default_factory=dict)
    accessibility: AccessibilitySettings = AccessibilitySettings()
    simulators: SimulatorSettings | None = None
    staff: StaffConfig = StaffConfig()
    metrics_port: int | None = None  # the Prometheus endpoint on 127.0.0.1 (None: off)
    source: Path | None = None

    def flow_settings(self, boot_id: str) -> FlowSettings:
        """The flow's settings for one run of the kiosk (``boot_id`` unique per start)."""
        return FlowSettings(
            boot_id=boot_id,
            default_language=self.default_language,
            languages=self.languages,
            services=self.services,
            payment=self.payment.mode,
            timeouts=TimeoutSettings(
                overrides=tuple(sorted(self.timeout_overrides.items())),
                no_time_limits=self.accessibility.no_time_limits,
            ),
            hours=self.hours,
            notices=self.notices,
            hardware=self.hardware,
            basket_limit=self.max_certificates_per_visit,
        )


def load_profile(path: Path | str) -> KioskConfig:
    """Read and check a profile file; raises ConfigError naming the first bad key."""
    source = Path(path)
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("(file)", "no such profile", source) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("(file)", f"cannot read: {exc}", source) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("(file)", f"not valid TOML: {exc}", source) from None
    return parse_profile(raw, base=source.resolve().parent, source=source)


def parse_profile(raw: Mapping[str, Any], base: Path, source: Path | None = None) -> KioskConfig:
    """Check an already parsed profile (``base`` resolves relative paths)."""
    try:
        return _Parser(base).profile(_Table(raw, ""))
    except ConfigError as exc:
        if source is None or exc.source is not None:
            raise
        raise ConfigError(exc.key, str(exc).split(": ", 1)[1], source) from None


class _Table:
    """One TOML table: typed getters that name the key on error, and no unknown keys."""

    def __init__(self, data: Any, prefix: str) -> None:
        if not isinstance(data, Mapping):
            raise ConfigError(prefix or "(top)", "must be a table")
        self.data = data
        self.prefix = prefix
        self.used: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def has(self, name: str) -> bool:
        return name in self.data

    def raw(self, name: str, required: bool) -> Any:
        self.used.add(name)
        if name not in self.data:
            if required:
                raise ConfigError(self.key(name), "missing")
            return None
        return self.data[name]

    def text(
        self, name: str, default: str | None = None, pattern: re.Pattern[str] | None = None
    ) -> str:
        value = self.raw(name, default is None)
        if value is None:
            assert default is not None
            return default
        if not isinstance(value, str):
            raise ConfigError(self.key(name), f"must be a string, not {type(value).__name__}")
        if pattern is not None and not pattern.fullmatch(value):
            raise ConfigError(self.key(name), f"{value!r} does not match {pattern.pattern}")
        return value

    def optional_text(self, name: str) -> str | None:
        value = self.raw(name, False)
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            raise ConfigError(self.key(name), "must be a non-empty string")
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = self.raw(name, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise ConfigError(self.key(name), "must be true or false")
        return value

    def texts(self, name: str, default: Iterable[str]) -> tuple[str, ...]:
        value = self.raw(name, False)
        if value is None:
            return tuple(default)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(self.key(name), "must be a list of strings")
        return tuple(value)

    def choice(self, name: str, enum: type[E], default: E | None = None) -> E:
        value = self.text(name, default.value if default is not None else None)
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(repr(e.value) for e in enum)
            raise ConfigError(self.key(name), f"{value!r} is not one of {allowed}") from None

    def table(self, name: str, required: bool = True) -> _Table | None:
        value = self.raw(name, required)
        if value is None:
            return None
        return _Table(value, self.key(name))

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise ConfigError(self.key(unknown[0]), "unknown key (misspelt?)")


class _Parser:
    def __init__(self, base: Path) -> None:
        self.base = base

    def path(self, table: _Table, name: str) -> Path:
        text = table.text(name)
        if not text:
            raise ConfigError(table.key(name), "must not be empty")
        path = Path(text).expanduser()
        return path if path.is_absolute() else (self.base / path).resolve()

    def profile(self, top: _Table) -> KioskConfig:
        kind = top.choice("kind", ProfileKind)
        kiosk_id = top.text("kiosk_id", pattern=KIOSK_ID)
        center = self.center(_required(top.table("center")))
        reader_table = top.table("card_reader", required=False)
        reader = ReaderSettings()
        if reader_table is not None:
            reader = ReaderSettings(reader_table.text("name_contains", ""))
            reader_table.done()
        printer = self.printer(_required(top.table("printer")))
        payment = self.payment(_required(top.table("payment")))
        journal = _required(top.table("journal"))
        journal_path = self.path(journal, "path")
        salt_path = self.path(journal, "serial_salt_path")
        journal.done()
        languages, default_language = self.languages(top)
        services = tuple(
            _enum_item(top.key("services"), Service, s)
            for s in top.texts("services", [s.value for s in Service])
        )
        if not services:
            raise ConfigError(top.key("services"), "offer at least one service")
        hours = self.hours(top)
        notices = self.notices(top)
        basket_limit = _int(top, "max_certificates_per_visit", 5, 1, MAX_CERTIFICATES_PER_VISIT)
        hardware_table = top.table("hardware", required=False)
        hardware = self.hardware(hardware_table) if hardware_table is not None else DEFAULT_LAYOUT
        overrides = self.timeouts(top.table("timeouts", required=False))
        accessibility = self.accessibility(top.table("accessibility", required=False))
        simulators_table = top.table("simulators", required=False)
        simulators = self.simulators(simulators_table) if simulators_table is not None else None
        staff = self.staff(top.table("staff", required=False))
        metrics_port = self.metrics(top.table("metrics", required=False))
        top.done()

        config = KioskConfig(
            kind=kind,
            kiosk_id=kiosk_id,
            center=center,
            reader=reader,
            printer=printer,
            payment=payment,
            journal_path=journal_path,
            serial_salt_path=salt_path,
            languages=languages,
            default_language=default_language,
            services=services,
            hours=hours,
            notices=notices,
            max_certificates_per_visit=basket_limit,
            hardware=hardware,
            timeout_overrides=overrides,
            accessibility=accessibility,
            simulators=simulators,
            staff=staff,
            metrics_port=metrics_port,
        )
        _check_deployment(config)
        return config

    def hardware(self, table: _Table) -> HardwareLayout:
        """``[hardware]``: the screen and each part on the kiosk's front, ``[x, y, width,
        height]`` as fractions of the front from its top left (docs/running.md, "Hardware
        layout"). The reader and the printer tray are required; a part the kiosk lacks (the
        slots at a counter-payment kiosk) is left out."""

        def place(name: str) -> Place:
            value = table.raw(name, False)
            try:
                if not isinstance(value, list) or len(value) != 4:
                    raise ValueError("must be [x, y, width, height]")
                return Place(*value)
            except (TypeError, ValueError) as exc:
                message = f"{exc} (fractions of the front, 0..1)"
                raise ConfigError(table.key(name), message) from None

        screen = place("screen") if table.has("screen") else DEFAULT_LAYOUT.screen
        parts = tuple((part, place(part.value)) for part in Part if table.has(part.value))
        table.done()
        for required in (Part.READER, Part.PRINTER_TRAY):
            if not any(part is required for part, _place in parts):
                raise ConfigError(table.key(required.value), "missing (every kiosk has one)")
        return HardwareLayout(screen, parts)

    def notices(self, top: _Table) -> tuple[NoticeText, ...]:
        """``notices``: a list of Japanese strings, or of tables with a ``kind`` (hours,
        closure, maintenance, other) and one text per screen language, ``ja`` required —
        ``{kind = "closure", ja = "…", en = "…"}``. A language without its text shows the
        Japanese one marked as such (docs/ui.md, "Notices")."""
        value = top.raw("notices", False)
        if value is None:
            return ()
        key = top.key("notices")
        if not isinstance(value, list):
            raise ConfigError(key, "must be a list of strings or of tables")
        found = []
        for index, item in enumerate(value):
            where = f"{key}[{index}]"
            if isinstance(item, str):
                texts: dict[str, str] = {"ja": item}
                kind = NoticeKind.OTHER
            else:
                table = _Table(item, where)
                kind = table.choice("kind", NoticeKind)
                texts = {}
                for code in item:
                    if code == "kind":
                        continue
                    if code not in LANGUAGES:
                        raise ConfigError(
                            table.key(code), f"not a screen language ({', '.join(LANGUAGES)})"
                        )
                    texts[code] = table.text(code)
                table.done()
            try:
                found.append(NoticeText.of(kind, texts))
            except ValueError as exc:
                raise ConfigError(where, str(exc)) from None
        return tuple(found)

    def center(self, table: _Table) -> CenterSettings:
        url = table.text("url")
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise ConfigError(table.key("url"), f"must be an https:// URL, not {url!r}")
        settings = CenterSettings(
            base_url=url.rstrip("/"),
            ca_path=self.path(table, "ca"),
            cert_path=self.path(table, "client_cert"),
            key_path=self.path(table, "client_key"),
        )
        table.done()
        return settings

    def printer(self, table: _Table) -> PrinterSettings:
        settings = PrinterSettings(
            table.text("queue"),
            table.optional_text("receipt_queue"),
            table.text("verification_service", ""),
        )
        if not settings.queue:
            raise ConfigError(table.key("queue"), "must not be empty")
        service = settings.verification_service
        if len(service) > VERIFICATION_MAX or "\n" in service:
            raise ConfigError(
                table.key("verification_service"),
                f"one line of at most {VERIFICATION_MAX} characters (it is printed on the back)",
            )
        table.done()
        return settings

    def payment(self, table: _Table) -> PaymentSettings:
        mode = table.choice("mode", PaymentMode)
        if mode is PaymentMode.COUNTER:
            for name in ("driver", "device"):
                if table.has(name):
                    raise ConfigError(table.key(name), "counter payment uses no fee acceptor")
            table.done()
            return PaymentSettings(mode)
        driver = table.choice("driver", AcceptorDriver)
        if driver is AcceptorDriver.ID003_CCTALK:
            if table.has("device"):
                raise ConfigError(
                    table.key("device"), "not used by id003+cctalk: set bill_validator, coin_bus"
                )
            settings = PaymentSettings(mode, driver, cash_unit=self.cash_unit(table))
            table.done()
            return settings
        device = table.optional_text("device")
        if driver is AcceptorDriver.BRIDGE and (device is None or not device.startswith("/")):
            raise ConfigError(
                table.key("device"), "must be the absolute path of the cash unit's socket"
            )
        table.done()
        return PaymentSettings(mode, driver, device)

    def cash_unit(self, table: _Table) -> CashUnitSettings:
        paths: dict[str, str | None] = {}
        for name in ("bill_validator", "coin_bus"):
            value = table.optional_text(name)
            if value is not None and not value.startswith("/"):
                raise ConfigError(
                    table.key(name), f"must be the absolute path of a serial device, not {value!r}"
                )
            paths[name] = value
        if paths["bill_validator"] and paths["bill_validator"] == paths["coin_bus"]:
            raise ConfigError(table.key("coin_bus"), "must not be the bill validator's port")
        acceptor = _address(table, "coin_acceptor_address", 2)
        hoppers = _addresses(table, "hopper_addresses", (3, 4))
        if acceptor in hoppers:
            raise ConfigError(table.key("hopper_addresses"), f"{acceptor} is the coin acceptor's")
        return CashUnitSettings(
            bill_validator=paths["bill_validator"],
            coin_bus=paths["coin_bus"],
            coin_checksum=table.choice("coin_checksum", CoinChecksum, CoinChecksum.SIMPLE),
            coin_bus_echo=table.flag("coin_bus_echo", True),
            coin_acceptor_address=acceptor,
            hopper_addresses=hoppers,
        )

    def languages(self, top: _Table) -> tuple[tuple[str, ...], str]:
        languages = top.texts("languages", LANGUAGES)
        for code in languages:
            if code not in LANGUAGES:
                raise ConfigError(top.key("languages"), f"{code!r} is not one of {LANGUAGES}")
        if len(set(languages)) != len(languages) or not languages:
            raise ConfigError(top.key("languages"), "list each language once, at least one")
        default = top.text("default_language", DEFAULT_LANGUAGE)
        if default not in languages:
            raise ConfigError(top.key("default_language"), f"{default!r} is not in languages")
        return languages, default

    def hours(self, top: _Table) -> tuple[time, time]:
        table = top.table("hours", required=False)
        if table is None:
            return (time(6, 30), time(23, 0))
        opens, closes = _time(table, "open"), _time(table, "close")
        table.done()
        if not opens < closes:
            raise ConfigError(table.key("close"), "must be after hours.open")
        return (opens, closes)

    def timeouts(self, table: _Table | None) -> dict[TimerName, float]:
        if table is None:
            return {}
        overrides: dict[TimerName, float] = {}
        for name in list(table.data):
            timer = _enum_item(table.key(name), TimerName, name)
            value = table.raw(name, True)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not 1 <= value <= 3600
            ):
                raise ConfigError(table.key(name), "must be a number of seconds, 1 to 3600")
            overrides[timer] = float(value)
        table.done()
        return overrides

    def accessibility(self, table: _Table | None) -> AccessibilitySettings:
        if table is None:
            return AccessibilitySettings()
        settings = AccessibilitySettings(
            no_time_limits=table.flag("no_time_limits", False),
            audio_guidance=table.flag("audio_guidance", False),
            high_contrast=table.flag("high_contrast", False),
            keypad_navigation=table.flag("keypad_navigation", False),
        )
        table.done()
        return settings

    def simulators(self, table: _Table) -> SimulatorSettings:
        settings = SimulatorSettings(
            card=table.choice("card", CardSimulator, CardSimulator.VPCD),
            center=table.flag("center", True),
            printer=table.choice("printer", PrinterSimulator, PrinterSimulator.PRIVATE_CUPSD),
            acceptor=table.flag("acceptor", True),
            persona=table.text("persona", ""),
        )
        table.done()
        return settings

    def staff(self, table: _Table | None) -> StaffConfig:
        if table is None:
            return StaffConfig()
        members = tuple(
            self.member(item, f"{table.key('members')}[{index}]")
            for index, item in enumerate(_list_of_tables(table, "members"))
        )
        ids = [member.staff_id for member in members]
        if len(set(ids)) != len(ids):
            raise ConfigError(table.key("members"), "a staff number is listed twice")
        config = StaffConfig(
            members=members,
            open_key=table.text("open_key", ""),
            open_gesture=table.choice("open_gesture", StaffGesture, StaffGesture.CORNER_TAPS),
            max_wrong_pins=_int(table, "max_wrong_pins", 5, 1, 20),
            lockout_s=60.0 * _int(table, "lockout_minutes", 15, 1, 24 * 60),
            idle_s=60.0 * _int(table, "idle_minutes", 3, 1, 60),
            wait_s=60.0 * _int(table, "wait_minutes", 10, 1, 120),
            card_login=table.flag("card_login", False),
            card_required=table.flag("card_required", False),
        )
        table.done()
        if config.card_required and not config.card_login:
            raise ConfigError(table.key("card_required"), "needs card_login = true")
        if config.card_required and any(m.card is None for m in members):
            raise ConfigError(table.key("members"), "card_required: every member needs a card")
        if config.open_key and not re.fullmatch(r"F([1-9]|1[0-9]|2[0-4])|Pause|ScrollLock",
                                                config.open_key):  # fmt: skip
            raise ConfigError(table.key("open_key"), "must be F1-F24, Pause or ScrollLock")
        return config

    def member(self, data: Any, key: str) -> StaffMember:
        table = _Table(data, key)
        staff_id = table.text("id", pattern=STAFF_ID)
        try:
            pin_hash = parse_pin_hash(table.text("pin_hash"))
        except CredentialError as exc:
            raise ConfigError(table.key("pin_hash"), str(exc)) from None
        card = table.optional_text("card")
        if card is not None and not CARD_DIGEST.fullmatch(card):
            raise ConfigError(table.key("card"), "must be sha256:<64 hex> (python -m kiosk.staff)")
        table.done()
        return StaffMember(staff_id, pin_hash, card)

    def metrics(self, table: _Table | None) -> int | None:
        if table is None:
            return None
        port = _int(table, "port", 0, 0, 65535)
        table.done()
        if port and port < 1024:
            raise ConfigError(table.key("port"), "must be 0 (off) or 1024-65535")
        return port or None


def _list_of_tables(table: _Table, name: str) -> list[Any]:
    value = table.raw(name, False)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(table.key(name), "must be an array of tables ([[staff.members]])")
    return value


def _int(table: _Table, name: str, default: int, low: int, high: int) -> int:
    value = table.raw(name, False)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(table.key(name), f"must be an integer from {low} to {high}")
    return value


def _address(table: _Table, name: str, default: int) -> int:
    """A ccTalk peripheral address: 2…255 (0 is broadcast, 1 the host)."""
    value = table.raw(name, False)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 2 <= value <= 255:
        raise ConfigError(table.key(name), "must be a ccTalk address, 2 to 255")
    return value


def _addresses(table: _Table, name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    value = table.raw(name, False)
    if value is None:
        return default
    valid = isinstance(value, list) and all(
        not isinstance(v, bool) and isinstance(v, int) and 2 <= v <= 255 for v in value
    )
    if not valid or not value or len(set(value)) != len(value):
        raise ConfigError(table.key(name), "must list one or more ccTalk addresses (2…255), once")
    return tuple(value)


def _required(table: _Table | None) -> _Table:
    assert table is not None  # table(..., required=True) raises when missing
    return table


def _enum_item(key: str, enum: type[E], value: str) -> E:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(repr(e.value) for e in enum)
        raise ConfigError(key, f"{value!r} is not one of {allowed}") from None


def _time(table: _Table, name: str) -> time:
    text = table.text(name)
    match = HOURS.fullmatch(text)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ConfigError(table.key(name), f"{text!r} is not a time like 06:30")
    return time(int(match[1]), int(match[2]))


def _check_cash_unit_devices(config: KioskConfig) -> None:
    cash_unit = config.payment.cash_unit
    if cash_unit is None:
        return
    for key, path in (
        ("bill_validator", cash_unit.bill_validator),
        ("coin_bus", cash_unit.coin_bus),
    ):
        if path is None:
            raise ConfigError(f"payment.{key}", "missing (the absolute path of its serial device)")


# What simulators.acceptor = true can stand in for on a developer PC.
SIMULATABLE_DRIVERS = frozenset({AcceptorDriver.SIMULATED, AcceptorDriver.ID003_CCTALK})


def _check_deployment(config: KioskConfig) -> None:
    """What each kind of deployment may and may not use."""
    if config.kind is not ProfileKind.DEVELOPER and not config.printer.verification_service:
        raise ConfigError(
            "printer.verification_service",
            "missing (the certificate's back says where it can be verified)",
        )
    takes_money = config.payment.mode is PaymentMode.ACCEPTOR
    if takes_money and config.hardware.place(Part.CHANGE_TRAY) is None:
        raise ConfigError("hardware.change_tray", "missing (the kiosk gives change and refunds)")
    uses_simulator = config.payment.driver is AcceptorDriver.SIMULATED
    if config.kind is ProfileKind.DEVELOPER:
        if config.simulators is None:
            raise ConfigError("simulators", "missing (the developer profile starts simulators)")
        simulated = config.simulators.acceptor
        driver = config.payment.driver
        if not simulated:
            _check_cash_unit_devices(config)
        if config.payment.mode is PaymentMode.ACCEPTOR and (
            (simulated and driver not in SIMULATABLE_DRIVERS) or (not simulated and uses_simulator)
        ):
            raise ConfigError(
                "payment.driver",
                "with simulators.acceptor true: 'simulated' (in-process) or 'id003+cctalk' (the"
                " simulated cash unit on pseudo-terminals); with false: a real driver",
            )
        return
    if config.simulators is not None:
        raise ConfigError("simulators", f"a {config.kind.value} profile starts no simulator")
    _check_cash_unit_devices(config)
    if uses_simulator:
        raise ConfigError("payment.driver", f"a {config.kind.value} profile uses a real acceptor")
    if config.kind is ProfileKind.STORE and config.payment.mode is PaymentMode.COUNTER:
        raise ConfigError("payment.mode", "a store kiosk takes the fee itself ('acceptor')")
    if config.payment.mode is PaymentMode.COUNTER and config.printer.receipt_queue is None:
        raise ConfigError("printer.receipt_queue", "missing (counter payment prints a ticket)")
