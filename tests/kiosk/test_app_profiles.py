"""kiosk.app: the wiring per profile and ``python -m kiosk``.

The store and city-hall wirings must load no simulator code (checked in a fresh interpreter);
a store whose cash unit is not there (yet) starts and offers no issuance, and with the simulated
cash unit's pseudo-terminals as its serial devices it takes and refunds money; bad
profiles, missing certificates and a kiosk id that is not the certificate's stop the start with
a message naming what to fix; the self test passes on the shipped profiles.
"""

from __future__ import annotations

import os
import queue
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from hw_sim.cash import CashSimProcess, SimConfig
from kiosk.app.profiles import build
from kiosk.app.wiring import StartupError, load_or_create_salt
from kiosk.config import load_profile
from kiosk.flow import PaymentMode
from kiosk.languages import LANGUAGES
from kiosk.payment import Denomination, MoneyInserted, MoneyRefunded
from kiosk.payment.bridge import BridgeAcceptor
from kiosk.payment.cash_unit import CashUnit

REPO = Path(__file__).resolve().parents[2]


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def tls_material(folder: Path, kiosk_id: str) -> dict[str, Path]:
    """A center CA and a client certificate for ``kiosk_id`` (as the operator would issue)."""
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Test Center CA"))
        .issuer_name(_name("Test Center CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(kiosk_id))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = {"ca": folder / "ca.pem", "cert": folder / "kiosk.pem", "key": folder / "kiosk.key"}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    paths["key"].chmod(0o600)
    return paths


def cash_unit(bills: str = "/dev/serial/by-id/none-bills", coins: str = "/dev/none-coins") -> str:
    """The ID-003 + ccTalk cash unit on two serial devices (by default: not there)."""
    return (
        f'mode = "acceptor"\ndriver = "id003+cctalk"\nbill_validator = "{bills}"\n'
        f'coin_bus = "{coins}"'
    )


CASH_UNIT = cash_unit()


def bridge(socket_path: Path) -> str:
    return f'mode = "acceptor"\ndriver = "bridge"\ndevice = "{socket_path}"'


def write_profile(
    folder: Path,
    kind: str,
    *,
    kiosk_id: str = "kiosk-test-0001",
    cert_for: str | None = None,
    store_payment: str = CASH_UNIT,
) -> Path:
    tls = tls_material(folder / "tls", cert_for or kiosk_id)
    if kind == "store":
        payment = store_payment
        printer = 'queue = "kiosk-a4"\nverification_service = "https://verify.example.jp/"'
        extra = ""
    else:
        payment = 'mode = "counter"'
        printer = (
            'queue = "counter-a4"\nreceipt_queue = "counter-receipt"\n'
            'verification_service = "https://verify.example.jp/"'
        )
        extra = "[accessibility]\nno_time_limits = true\nhigh_contrast = true\n"
    profile = folder / f"{kind}.toml"
    profile.write_text(
        textwrap.dedent(
            f"""\
            kind = "{kind}"
            kiosk_id = "{kiosk_id}"
            [center]
            url = "https://center.example.invalid:8443"
            ca = "{tls["ca"]}"
            client_cert = "{tls["cert"]}"
            client_key = "{tls["key"]}"
            [printer]
            {{printer}}
            [payment]
            {{payment}}
            [journal]
            path = "{folder / "kiosk" / "journal.sqlite"}"
            serial_salt_path = "{folder / "kiosk" / "salt"}"
            """
        ).format(printer=printer, payment=payment)
        + extra
    )
    return profile


def run_kiosk(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_a_store_whose_cash_unit_is_not_there_starts_and_offers_no_issuance(
    tmp_path: Path,
) -> None:
    config = load_profile(write_profile(tmp_path, "store"))
    kiosk = build(config)  # the drivers keep trying the serial devices: no refusal, no crash
    try:
        payment = kiosk.runner.services.payment
        assert payment is not None
        assert isinstance(payment.acceptor, CashUnit)
        assert not payment.acceptor.available
        assert payment.acceptor.config.ledger == tmp_path / "kiosk" / "cash-ledger.json"
    finally:
        kiosk.runner.stop()
        kiosk.close()


NO_SIMULATORS = textwrap.dedent(
    """\
    import sys
    from kiosk.config import load_profile
    from kiosk.app.profiles import build
    from kiosk.app.wiring import StartupError
    config = load_profile(sys.argv[1])
    try:
        kiosk = build(config)
        built = type(kiosk.runner).__name__
        kiosk.runner.stop()
    except StartupError as exc:
        built = f"refused: {exc}"
    loaded = sorted(m for m in sys.modules if m == "hw_sim" or m.startswith("hw_sim."))
    print(built)
    print("hw_sim modules:", loaded)
    """
)


@pytest.mark.parametrize("kind", ["store", "store-bridge", "cityhall"])
def test_real_wirings_load_no_simulator_code(tmp_path: Path, kind: str) -> None:
    if kind == "store-bridge":
        # No daemon at that socket: the kiosk still builds (the driver keeps trying).
        profile = write_profile(tmp_path, "store", store_payment=bridge(tmp_path / "none.sock"))
    else:
        profile = write_profile(tmp_path, kind)
    result = subprocess.run(
        [sys.executable, "-c", NO_SIMULATORS, str(profile)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "hw_sim modules: []"
    assert lines[0] == "Runner"  # the kiosk builds completely with real devices


def test_store_kiosk_takes_money_through_the_cash_unit_bridge(tmp_path: Path) -> None:
    """The store wiring with the reference bridge daemon as its own process: the kiosk's
    acceptor connects, enables the unit and sees a coin the daemon's user inserts."""
    folder = Path(tempfile.mkdtemp(prefix="store-", dir="/tmp"))  # short socket path
    socket_path = folder / "cash.sock"
    daemon = subprocess.Popen(
        [sys.executable, "-m", "hw_sim.acceptor_bridge", "--socket", str(socket_path)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    kiosk = None
    try:
        assert daemon.stdout is not None
        assert daemon.stdout.readline().startswith("serving")
        config = load_profile(write_profile(tmp_path, "store", store_payment=bridge(socket_path)))
        kiosk = build(config)
        payment = kiosk.runner.services.payment
        assert payment is not None
        acceptor = payment.acceptor
        assert isinstance(acceptor, BridgeAcceptor)
        assert acceptor.connected
        events: queue.Queue[object] = queue.Queue()
        acceptor.set_listener(events.put)
        acceptor.enable(300)
        assert daemon.stdin is not None
        daemon.stdin.write("insert 100\n")
        daemon.stdin.flush()
        assert events.get(timeout=10) == MoneyInserted(Denomination.Y100)
        acceptor.refund(100)
        assert events.get(timeout=10) == MoneyRefunded(100, 100)
    finally:
        if kiosk is not None:
            kiosk.runner.stop()
            kiosk.close()
        if daemon.stdin is not None:
            daemon.stdin.write("quit\n")
            daemon.stdin.close()
        assert daemon.wait(timeout=20) == 0
        shutil.rmtree(folder, ignore_errors=True)


def test_store_kiosk_takes_money_through_the_cash_unit_driven_directly(tmp_path: Path) -> None:
    """The store wiring with payment.driver id003+cctalk on the simulated cash unit's
    pseudo-terminals (its own process): a bill is escrowed and stacked, a coin taken, and the
    refund paid by the hoppers."""
    folder = Path(tempfile.mkdtemp(prefix="cash-", dir="/tmp"))
    sim = CashSimProcess(folder / "sim", SimConfig())
    kiosk = None
    try:
        sim.start()
        payment_toml = cash_unit(str(sim.id003_path), str(sim.cctalk_path))
        config = load_profile(write_profile(tmp_path, "store", store_payment=payment_toml))
        kiosk = build(config)
        payment = kiosk.runner.services.payment
        assert payment is not None
        acceptor = payment.acceptor
        assert isinstance(acceptor, CashUnit)
        assert acceptor.available
        events: queue.Queue[object] = queue.Queue()
        acceptor.set_listener(events.put)
        acceptor.enable(300)
        sim.control().insert(100)
        inserted = events.get(timeout=20)
        assert isinstance(inserted, MoneyInserted)
        assert inserted.denomination is Denomination.Y100
        acceptor.disable()
        acceptor.refund_ref(100, "t/refund/1")
        assert events.get(timeout=20) == MoneyRefunded(100, 100, "t/refund/1")
    finally:
        if kiosk is not None:
            kiosk.runner.stop()
            kiosk.close()
        sim.stop()
        shutil.rmtree(folder, ignore_errors=True)


def test_cityhall_wiring_has_its_options(tmp_path: Path) -> None:
    config = load_profile(write_profile(tmp_path, "cityhall"))
    kiosk = build(config)
    try:
        settings = kiosk.runner.state.settings
        assert settings.payment is PaymentMode.COUNTER
        assert settings.timeouts.no_time_limits
        assert kiosk.runner.services.payment is None  # no acceptor at all
        assert kiosk.world is None
        assert kiosk.runner.kiosk_id == "kiosk-test-0001"
    finally:
        kiosk.runner.stop()
        kiosk.close()


def test_kiosk_id_must_be_the_certificates(tmp_path: Path) -> None:
    config = load_profile(write_profile(tmp_path, "cityhall", cert_for="kiosk-other-0002"))
    with pytest.raises(StartupError, match="kiosk-other-0002"):
        build(config)


def test_missing_certificate_is_named(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, "cityhall")
    (tmp_path / "tls" / "kiosk.pem").unlink()
    with pytest.raises(StartupError, match=r"center\.client_cert"):
        build(load_profile(profile))


def test_bad_profile_exits_2_naming_the_key(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, "cityhall")
    profile.write_text(profile.read_text().replace('mode = "counter"', 'mode = "coins"'))
    result = run_kiosk("--profile", str(profile), "--start-only")
    assert result.returncode == 2
    assert "payment.mode" in result.stderr


def test_salt_is_made_once_and_kept_private(tmp_path: Path) -> None:
    path = tmp_path / "kiosk" / "salt"
    first = load_or_create_salt(path)
    assert len(first) >= 16
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_salt(path) == first
    path.write_bytes(b"short")
    with pytest.raises(StartupError, match="16 bytes"):
        load_or_create_salt(path)


def test_a_developer_back_names_the_simulated_verification_listener() -> None:
    """The developer profile names no service: its backs name the simulated center's listener,
    where the printed 発行番号 and 検証コード are answered (tests/e2e/test_center_issuance.py
    queries it); a service the profile names wins; no simulated center, no line."""
    from dataclasses import replace
    from types import SimpleNamespace

    from kiosk.app.profiles import _developer_verification

    config = load_profile(REPO / "profiles" / "developer.toml")
    assert config.printer.verification_service == ""
    listener = "https://127.0.0.1:8444"
    world = SimpleNamespace(center=SimpleNamespace(endpoints={"verification_url": listener}))
    assert _developer_verification(config, world, True) == listener
    assert _developer_verification(config, world, False) == ""
    named = replace(config, printer=replace(config.printer, verification_service="https://v.jp/"))
    assert _developer_verification(named, world, True) == "https://v.jp/"


@pytest.mark.parametrize("name", ["store", "cityhall", "developer", "developer-cash"])
def test_selftest_passes_on_the_shipped_profiles(name: str) -> None:
    result = run_kiosk("--profile", f"profiles/{name}.toml", "--selftest")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "selftest: passed" in result.stdout
    assert "window: ok (start screen up" in result.stdout
    if name == "cityhall":  # audio guidance on: every language of the profile is spoken
        assert f"voices: ok (audio guidance speaks {', '.join(LANGUAGES)})" in (result.stdout)


def test_selftest_refuses_a_journal_of_a_newer_release(tmp_path: Path) -> None:
    """The self test runs before an update or a rollback switches releases
    (deploy/konbini_release/update.py): a journal this release cannot read fails it, named, and
    the journal is not touched."""
    import sqlite3

    from kiosk.journal import Journal

    profile = write_profile(tmp_path, "cityhall")
    journal_path = tmp_path / "kiosk" / "journal.sqlite"
    Journal(journal_path).close()
    result = run_kiosk("--profile", str(profile), "--selftest")
    assert f"journal: ok ({journal_path}: schema 3)" in result.stdout, result.stdout
    db = sqlite3.connect(journal_path)
    with db:
        db.execute("UPDATE meta SET value = '4' WHERE key IN ('schema_version', 'readable_by')")
    db.close()
    before = journal_path.read_bytes()
    result = run_kiosk("--profile", str(profile), "--selftest")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "selftest: journal: FAILED: SchemaError:" in result.stdout
    assert "written by a newer release" in result.stdout
    assert "selftest: 1 check(s) failed" in result.stdout
    assert journal_path.read_bytes() == before


@pytest.mark.parametrize("when", ["running", "while-building"])
def test_sigterm_ends_the_kiosk_cleanly(tmp_path: Path, when: str) -> None:
    """SIGTERM once the kiosk runs, and while it is still being built (systemd stopping a unit
    that is coming up): either way it stops its devices, closes its journal and exits 0."""
    import signal
    import time

    profile = write_profile(tmp_path, "cityhall")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("DISPLAY", None)
    child = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--profile", str(profile)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stderr is not None
    cue = "kiosk built" if when == "running" else "building the"
    for line in child.stderr:
        if cue in line:
            break
    if when == "running":
        time.sleep(0.5)  # the event loop runs
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=60) == 0
    # The journal was closed properly: it opens and holds nothing open.
    from kiosk.journal import Journal

    with Journal(tmp_path / "kiosk" / "journal.sqlite") as journal:
        assert journal.open_transactions() == []


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o620, 0o644])
def test_a_client_key_others_may_read_refuses_the_start_naming_the_file(
    tmp_path: Path, mode: int
) -> None:
    profile = write_profile(tmp_path, "cityhall")
    key = tmp_path / "tls" / "kiosk.key"
    key.chmod(mode)
    with pytest.raises(StartupError, match=r"center\.client_key") as refused:
        build(load_profile(profile))
    assert str(key) in str(refused.value)
    assert f"{mode:04o}" in str(refused.value)
    result = run_kiosk("--profile", str(profile), "--start-only")
    assert result.returncode == 3  # the kiosk cannot start with this profile
    assert str(key) in result.stderr
    key.chmod(0o600)
    kiosk = build(load_profile(profile))  # the same profile starts once the key is private
    kiosk.runner.stop()
    kiosk.close()


def test_a_salt_others_may_read_refuses_the_start(tmp_path: Path) -> None:
    path = tmp_path / "kiosk" / "salt"
    load_or_create_salt(path)
    path.chmod(0o644)
    with pytest.raises(StartupError, match=r"serial_salt_path.*0644"):
        load_or_create_salt(path)
