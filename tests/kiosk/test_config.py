"""Profiles: the three shipped ones load, and every kind of bad value names its key."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from kiosk.config import (
    AcceptorDriver,
    ConfigError,
    KioskConfig,
    ProfileKind,
    load_profile,
    parse_profile,
)
from kiosk.domain import NoticeKind, NoticeText
from kiosk.flow import PaymentMode, Service, TimerName
from kiosk.flow.timeouts import TIMEOUTS
from kiosk.languages import LANGUAGES

PROFILES = Path(__file__).resolve().parents[2] / "profiles"


def raw(name: str) -> dict[str, Any]:
    return tomllib.loads((PROFILES / f"{name}.toml").read_text(encoding="utf-8"))


def parse(data: dict[str, Any], base: Path = PROFILES) -> KioskConfig:
    return parse_profile(data, base=base)


def test_the_store_profile() -> None:
    config = load_profile(PROFILES / "store.toml")
    assert config.kind is ProfileKind.STORE
    assert config.simulators is None
    assert config.payment.driver is AcceptorDriver.BRIDGE
    assert config.payment.device == "/run/konbini-cash/acceptor.sock"
    assert config.center.base_url.startswith("https://")
    assert config.languages == LANGUAGES  # the profile lists none: every language
    # The store profile names no simulator anywhere.
    text = (PROFILES / "store.toml").read_text(encoding="utf-8")
    assert "simulat" not in text.lower()
    assert "hw_sim" not in text


def test_the_city_hall_profile() -> None:
    config = load_profile(PROFILES / "cityhall.toml")
    assert config.payment.mode is PaymentMode.COUNTER
    assert config.printer.receipt_queue
    assert config.accessibility.no_time_limits
    settings = config.flow_settings("boot")
    assert settings.payment is PaymentMode.COUNTER
    assert settings.timeouts.seconds(TimerName.PAYMENT) is None  # idle timers off
    assert settings.timeouts.seconds(TimerName.FETCH) == TIMEOUTS[TimerName.FETCH].seconds


def test_notices_by_language() -> None:
    """A notice as a Japanese string (kind other), or as a table with its kind and its texts
    by screen language; the city-hall example has every language."""
    data = raw("store")
    data["notices"] = [
        "年末年始は休業します。",
        {"kind": "closure", "ja": "年末年始は休業します。", "en": "Closed at New Year."},
    ]
    config = parse(data)
    assert config.notices == (
        NoticeText.japanese("年末年始は休業します。"),
        NoticeText.of(
            NoticeKind.CLOSURE, {"ja": "年末年始は休業します。", "en": "Closed at New Year."}
        ),
    )
    assert config.flow_settings("b").notices == config.notices
    (hours,) = load_profile(PROFILES / "cityhall.toml").notices
    assert hours.kind is NoticeKind.HOURS
    assert [code for code, _text in hours.texts] == ["ja", *sorted(LANGUAGES[1:])]


def test_the_developer_profile() -> None:
    config = load_profile(PROFILES / "developer.toml")
    assert config.simulators is not None
    assert config.payment.driver is AcceptorDriver.SIMULATED
    # Relative paths are resolved against the profile's folder: var/ in the checkout.
    assert config.journal_path == PROFILES.parent / "var" / "kiosk" / "journal.sqlite"
    settings = config.flow_settings("boot-1")
    assert settings.boot_id == "boot-1"
    assert settings.timeouts.seconds(TimerName.CONSENT) == 45
    assert settings.services == (Service.ISSUE, Service.REGISTER, Service.STATUS)


def test_the_developer_cash_profile_and_a_store_with_the_cash_unit() -> None:
    config = load_profile(PROFILES / "developer-cash.toml")
    assert config.payment.driver is AcceptorDriver.ID003_CCTALK
    assert config.simulators is not None
    assert config.simulators.acceptor  # the simulated cash unit stands in for the devices
    assert config.payment.cash_unit is not None
    assert config.payment.cash_unit.hopper_addresses == (3, 4)
    data = raw("store")
    data["payment"] = {
        "mode": "acceptor",
        "driver": "id003+cctalk",
        "bill_validator": "/dev/serial/by-id/usb-bills",
        "coin_bus": "/dev/serial/by-id/usb-coins",
        "coin_checksum": "crc16",
        "coin_bus_echo": False,
        "hopper_addresses": [3, 4, 5],
    }
    cash_unit = parse(data).payment.cash_unit
    assert cash_unit is not None
    assert cash_unit.coin_checksum.value == "crc16"
    assert cash_unit.hopper_addresses == (3, 4, 5)
    assert not cash_unit.coin_bus_echo
    del data["payment"]["coin_bus"]
    with pytest.raises(ConfigError, match=r"payment\.coin_bus: missing"):
        parse(data)
    data["payment"]["coin_bus"] = "/dev/serial/by-id/usb-bills"
    with pytest.raises(ConfigError, match=r"coin_bus: must not be the bill validator's port"):
        parse(data)


def test_it_loads_from_any_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_profile(PROFILES / "developer.toml").journal_path.is_absolute()


def _with(name: str, dotted: str, value: Any) -> dict[str, Any]:
    data = raw(name)
    *tables, key = dotted.split(".")
    target = data
    for table in tables:
        target = target.setdefault(table, {})
    if value is _DELETE:
        del target[key]
    else:
        target[key] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    ("profile", "key", "value", "message"),
    [
        ("store", "kiosk_id", _DELETE, "kiosk_id: missing"),
        ("store", "kiosk_id", "bad id!", "kiosk_id: 'bad id!' does not match"),
        ("store", "kind", "shop", "kind: 'shop' is not one of"),
        ("store", "center.url", "http://center.example", "center.url: must be an https:// URL"),
        ("store", "center.url", 8443, "center.url: must be a string, not int"),
        ("store", "center.client_key", _DELETE, "center.client_key: missing"),
        ("store", "center.ca", "", "center.ca: must not be empty"),
        ("store", "center.proxy", "x", "center.proxy: unknown key"),
        ("store", "printer.queue", "", "printer.queue: must not be empty"),
        ("store", "payment.driver", "cash-o-matic", "payment.driver: 'cash-o-matic' is not one"),
        ("store", "payment.driver", "simulated", "payment.driver: a store profile uses a real"),
        ("store", "payment.device", _DELETE, "payment.device: must be the absolute path"),
        ("store", "payment.device", "cash.sock", "payment.device: must be the absolute path"),
        ("store", "payment.mode", "counter", "payment.driver: counter payment uses no"),
        ("store", "journal.path", _DELETE, "journal.path: missing"),
        ("store", "languages", ["ja", "fr"], "languages: 'fr' is not one of"),
        ("store", "languages", ["ja", "ja"], "languages: list each language once"),
        ("store", "languages", "ja", "languages: must be a list of strings"),
        ("store", "default_language", "ko", None),  # allowed: ko is offered
        ("store", "services", ["issue", "coffee"], "services: 'coffee' is not one of"),
        ("store", "services", [], "services: offer at least one service"),
        ("store", "hours.open", "6:30am", "hours.open: '6:30am' is not a time"),
        ("store", "hours.close", "05:00", "hours.close: must be after hours.open"),
        ("store", "timeouts.payment", 0, "timeouts.payment: must be a number of seconds"),
        ("store", "timeouts.payment", True, "timeouts.payment: must be a number of seconds"),
        ("store", "timeouts.lunch", 30, "timeouts.lunch: 'lunch' is not one of"),
        ("store", "accessibility.high_contrast", "yes", "accessibility.high_contrast: must be"),
        ("store", "simulators.center", True, "simulators: a store profile starts no simulator"),
        ("store", "printer", "kiosk-a4", "printer: must be a table"),
        ("store", "notices", "休業", "notices: must be a list of strings or of tables"),
        ("store", "notices", [{"kind": "closure", "en": "Closed"}], "notices[0]: a notice needs"),
        ("store", "notices", [{"ja": "休業"}], "notices[0].kind: missing"),
        ("store", "notices", [{"kind": "holiday", "ja": "休業"}], "notices[0].kind: 'holiday'"),
        ("store", "notices", [{"kind": "other", "ja": "休業", "fr": "x"}], "notices[0].fr: not"),
        ("store", "notices", [{"kind": "other", "ja": " "}], "notices[0]: the ja text"),
        ("store", "notices", [{"kind": "other", "ja": "休業", "en": 1}], "notices[0].en: must"),
        ("cityhall", "printer.receipt_queue", _DELETE, "printer.receipt_queue: missing"),
        ("developer", "simulators.acceptor", False, "payment.driver: with simulators.acceptor"),
        ("developer-cash", "simulators.acceptor", False, "payment.bill_validator: missing"),
        ("developer-cash", "payment.hopper_addresses", [3, 2], "hopper_addresses: 2 is the coin"),
        ("developer-cash", "payment.hopper_addresses", [3, 3], "must list one or more ccTalk"),
        ("developer-cash", "payment.hopper_addresses", [], "must list one or more ccTalk"),
        ("developer-cash", "payment.hopper_addresses", [1], "must list one or more ccTalk"),
        ("developer-cash", "payment.coin_acceptor_address", 0, "must be a ccTalk address"),
        ("developer-cash", "payment.coin_checksum", "crc8", "coin_checksum: 'crc8' is not one"),
        ("developer-cash", "payment.coin_bus_echo", "yes", "coin_bus_echo: must be true or"),
        ("developer-cash", "payment.device", "/dev/ttyUSB0", "payment.device: not used by id003"),
        ("developer-cash", "payment.coin_bus", "ttyUSB1", "coin_bus: must be the absolute path"),
        ("developer", "simulators.card", "usb", "simulators.card: 'usb' is not one of"),
        ("developer", "simulators", _DELETE, "simulators: missing"),
    ],
)
def test_bad_values_name_their_key(profile: str, key: str, value: Any, message: str | None) -> None:
    data = _with(profile, key, value)
    if message is None:
        parse(data)
        return
    with pytest.raises(ConfigError) as raised:
        parse(data)
    assert message in str(raised.value)


def test_store_with_counter_payment_is_refused() -> None:
    data = raw("store")
    data["payment"] = {"mode": "counter"}
    data["printer"]["receipt_queue"] = "receipt"
    with pytest.raises(ConfigError, match=r"payment\.mode: a store kiosk takes the fee itself"):
        parse(data)


def test_a_file_that_is_not_toml(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("kind = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.toml: \(file\): not valid TOML"):
        load_profile(bad)
    with pytest.raises(ConfigError, match="no such profile"):
        load_profile(tmp_path / "missing.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match="cannot read"):
        load_profile(binary)


def test_errors_name_the_file(tmp_path: Path) -> None:
    profile = tmp_path / "kiosk.toml"
    text = (PROFILES / "store.toml").read_text(encoding="utf-8").replace('mode = "acceptor"', "")
    profile.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_profile(profile)
    assert str(raised.value) == f"{profile}: payment.mode: missing"
    assert raised.value.key == "payment.mode"


def test_relative_paths_follow_the_profile(tmp_path: Path) -> None:
    data = raw("developer")
    config = parse(data, base=tmp_path / "profiles")
    assert config.journal_path == (tmp_path / "var" / "kiosk" / "journal.sqlite").resolve()
    assert config.center.ca_path == (tmp_path / "var/center/keys/center-ca.pem").resolve()


def test_the_verification_service_goes_on_the_back() -> None:
    from kiosk.config import VERIFICATION_MAX
    from printing.security.compose import VERIFICATION_MAX as COMPOSE_MAX

    assert VERIFICATION_MAX == COMPOSE_MAX
    assert load_profile(PROFILES / "store.toml").printer.verification_service.startswith("https://")
    data = raw("store")
    del data["printer"]["verification_service"]
    with pytest.raises(ConfigError, match=r"printer\.verification_service: missing"):
        parse(data)
    data["printer"]["verification_service"] = "x" * 81
    with pytest.raises(ConfigError, match="one line of at most 80"):
        parse(data)


# -- [staff] and [metrics] (docs/operations.md) ----------------------------------------------
def _member(**changes: Any) -> dict[str, Any]:
    member = dict(raw("developer")["staff"]["members"][0])
    member.update(changes)
    return {k: v for k, v in member.items() if v is not _DELETE}


@pytest.mark.parametrize(
    ("member", "message"),
    [
        (_member(pin_hash="1234"), "staff.members[0].pin_hash: not a scrypt$N$r$p$salt$key hash"),
        (_member(pin_hash="scrypt$1000$8$1$AAAA$AAAA"), "staff.members[0].pin_hash: N must be"),
        (
            _member(pin_hash="scrypt$16384$8$1$!!!$AAAA"),
            "staff.members[0].pin_hash: salt and key must be base64",
        ),
        (
            _member(pin_hash="scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA"),
            "staff.members[0].pin_hash: the key must be 32 bytes",
        ),
        (_member(id="S1"), "staff.members[0].id: 'S1' does not match"),
        (_member(card="1234"), "staff.members[0].card: must be sha256:"),
        (_member(pin=1234), "staff.members[0].pin: unknown key"),  # a PIN never goes here
        (_member(pin_hash=_DELETE), "staff.members[0].pin_hash: missing"),
    ],
)
def test_a_malformed_staff_entry_is_refused_with_its_key(
    member: dict[str, Any], message: str
) -> None:
    data = raw("developer")
    data["staff"]["members"] = [member]
    with pytest.raises(ConfigError) as raised:
        parse(data)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("staff.max_wrong_pins", 0, "staff.max_wrong_pins: must be an integer from 1 to 20"),
        ("staff.lockout_minutes", "15", "staff.lockout_minutes: must be an integer"),
        ("staff.open_key", "Escape", "staff.open_key: must be F1-F24, Pause or ScrollLock"),
        ("staff.open_gesture", "swipe", "staff.open_gesture: 'swipe' is not one of"),
        ("staff.members", {"id": "1"}, "staff.members: must be an array of tables"),
        ("metrics.port", 80, "metrics.port: must be 0 (off) or 1024-65535"),
        ("metrics.port", 70000, "metrics.port: must be an integer from 0 to 65535"),
        ("metrics.address", "192.0.2.7", "metrics.address: unknown key"),  # loopback only
    ],
)
def test_bad_staff_and_metrics_values_name_their_key(key: str, value: Any, message: str) -> None:
    data = _with("developer", key, value)
    with pytest.raises(ConfigError) as raised:
        parse(data)
    assert message in str(raised.value)


def test_a_card_login_needs_its_cards() -> None:
    with pytest.raises(ConfigError, match=r"staff\.card_required: needs card_login = true"):
        parse(_with("store", "staff.card_required", True))
    data = _with("developer", "staff.card_required", True)
    data["staff"]["members"] = [_member(card=_DELETE)]
    with pytest.raises(ConfigError, match="card_required: every member needs a card"):
        parse(data)


def test_a_staff_number_listed_twice_is_refused() -> None:
    data = raw("developer")
    data["staff"]["members"] = [_member(), _member()]
    with pytest.raises(ConfigError, match=r"staff\.members: a staff number is listed twice"):
        parse(data)


def test_staff_and_metrics_settings() -> None:
    developer = parse(raw("developer"))
    assert developer.metrics_port == 9717
    staff = developer.staff
    assert [m.staff_id for m in staff.members] == ["1001"]
    assert staff.members[0].pin_hash.matches("2468")
    assert staff.settings().card_login
    assert staff.settings().lockout_s == 15 * 60
    store = parse(raw("store"))
    assert store.staff.members == ()  # no PIN ships with the store profile
    assert parse(_with("store", "metrics.port", 0)).metrics_port is None
    assert parse(_with("store", "metrics", _DELETE)).metrics_port is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "max_certificates_per_visit: must be an integer from 1 to 10"),
        (11, "max_certificates_per_visit: must be an integer from 1 to 10"),
        (-3, "max_certificates_per_visit: must be an integer from 1 to 10"),
        ("5", "max_certificates_per_visit: must be an integer from 1 to 10"),
        (True, "max_certificates_per_visit: must be an integer from 1 to 10"),
        (2.5, "max_certificates_per_visit: must be an integer from 1 to 10"),
    ],
)
def test_a_bad_basket_cap_is_refused_with_its_key(value: Any, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse(_with("store", "max_certificates_per_visit", value))
    assert message in str(raised.value)


def test_the_basket_cap_reaches_the_flow() -> None:
    """Every shipped profile allows 5; a profile without the key too; 1 turns the basket off."""
    for name in ("store", "cityhall", "developer"):
        assert parse(raw(name)).flow_settings("boot").basket_limit == 5
    assert (
        parse(_with("store", "max_certificates_per_visit", _DELETE)).max_certificates_per_visit == 5
    )
    one = parse(_with("store", "max_certificates_per_visit", 1))
    assert one.flow_settings("boot").basket_limit == 1
