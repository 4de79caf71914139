"""Fixtures of the package's tests: the .deb built once per run from the shared bundle
(tests/conftest.py ``kiosk_bundle``), packages derived from it for the update tests, throwaway
roots to install them in (tests/deploy/rootfs.py), a profile the installed kiosk can really
start with, and the stand-in for systemd (tests/deploy/service_manager.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import KioskBundle
from tests.deploy.rootfs import SHARED, ThrowawayRoot
from tests.kiosk.test_app_profiles import tls_material

REPO = Path(__file__).resolve().parents[2]
VERSION = "0.1.0"
UNIT = "/lib/systemd/system/konbini-kiosk.service"
SESSION_UNIT = "/lib/systemd/system/konbini-kiosk-session.service"
KIOSK_USER = "konbini-kiosk"

Mutation = Callable[[Path], None]


def build_package(
    bundle: Path, out: Path, cache: Path, version: str | None = None, *, compress: bool = True
) -> Path:
    """scripts/package on ``bundle`` (gzip -1, or nothing for the throwaway update packages),
    the library Depends computed once."""
    argv = [str(REPO / "scripts" / "package"), "--bundle", str(bundle), "--out", str(out)]
    argv += ["--fast" if compress else "--uncompressed", "--shlibs-cache", str(cache)]
    if version:
        argv += ["--version", version]
    built = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=1800)
    assert built.returncode == 0, built.stderr[-4000:]
    return Path(built.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def package_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("packages")


LINTIAN_TEST = "test_lintian_is_clean"
_lintian: dict[str, subprocess.Popen[str]] = {}


def start_lintian(deb: Path, report: Path) -> subprocess.Popen[str]:
    """lintian on ``deb`` in the background (about a minute: it looks at every file of the
    bundle), its report in ``report``; -I shows info tags too (an unused override is one)."""
    with open(report, "w", encoding="utf-8") as out:
        return subprocess.Popen(
            ["lintian", "--allow-root", "--fail-on", "error,warning", "--tag-display-limit", "0",
             "-I", str(deb)],
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip


@pytest.fixture(scope="session")
def kiosk_deb(
    kiosk_bundle: KioskBundle, package_folder: Path, request: pytest.FixtureRequest
) -> Iterator[Path]:
    """konbini-kiosk_<version>_amd64.deb, built once per run. When the lintian test is part of
    the run, lintian starts on it at once and works while the other tests run."""
    deb = build_package(kiosk_bundle.folder, package_folder, package_folder / "shlibs")
    if any(item.name == LINTIAN_TEST for item in request.session.items):
        _lintian["run"] = start_lintian(deb, package_folder / "lintian.txt")
    yield deb
    running = _lintian.pop("run", None)
    if running is not None and running.poll() is None:
        running.kill()
        running.wait(30)


@pytest.fixture
def lintian_report(kiosk_deb: Path, package_folder: Path) -> tuple[int, str]:
    """lintian's exit status and report on the package (waits for the background run)."""
    report = package_folder / "lintian.txt"
    running = _lintian.get("run") or start_lintian(kiosk_deb, report)
    _lintian["run"] = running
    code = running.wait(1200)
    return code, report.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def derived_package(
    kiosk_bundle: KioskBundle, kiosk_deb: Path, package_folder: Path
) -> Callable[[str, Mutation | None], Path]:
    """Another version of the package, its bundle changed by ``mutate`` (a hard-linked copy:
    a file is replaced, never written through)."""
    built: dict[str, Path] = {}

    def make(version: str, mutate: Mutation | None = None) -> Path:
        if version not in built:
            bundle = package_folder / f"bundle-{version}"
            shutil.rmtree(bundle, ignore_errors=True)
            subprocess.run(["cp", "-al", str(kiosk_bundle.folder), str(bundle)], check=True)
            if mutate is not None:
                mutate(bundle)
            built[version] = build_package(
                bundle, package_folder, package_folder / "shlibs", version, compress=False
            )
            shutil.rmtree(bundle, ignore_errors=True)
        return built[version]

    return make


@pytest.fixture
def root(tmp_path: Path) -> Iterator[ThrowawayRoot]:
    base = Path(tmp_path) / "root"
    throwaway = ThrowawayRoot(base).start()
    try:
        yield throwaway
    finally:
        throwaway.stop()


def install(root: ThrowawayRoot, deb: Path, *, env: dict[str, str] | None = None) -> str:
    """dpkg -i in the root; returns dpkg's output."""
    result = root.run(["dpkg", "-i", root.put(deb)], env=env, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def write_start_profile(root: ThrowawayRoot, kind: str = "cityhall") -> str:
    """A profile the installed kiosk can really start with (the package installed: its user
    owns the key): TLS material whose CN is the kiosk id, the journal in the package's data
    folder, no cash unit (counter payment). The
    center is unreachable (the start screen says so); no printer, no reader: the kiosk
    starts anyway and shows its start screen."""
    tls = tls_material(root.shared / "tls", "kiosk-deploy-0001")
    for path in tls.values():
        os.chmod(path, 0o644)
    os.chmod(root.shared / "tls", 0o755)  # noqa: S103 - the kiosk user reads it
    # The key as deploying.md says: the kiosk user's, nobody else's (the kiosk refuses more).
    key = f"{SHARED}/tls/kiosk.key"
    root.run(["chown", f"{KIOSK_USER}:{KIOSK_USER}", key])
    root.run(["chmod", "0600", key])
    profile = root.shared / "profile.toml"
    profile.write_text(
        textwrap.dedent(
            f"""\
            kind = "{kind}"
            kiosk_id = "kiosk-deploy-0001"
            [center]
            url = "https://center.example.invalid:8443"
            ca = "{SHARED}/tls/ca.pem"
            client_cert = "{SHARED}/tls/kiosk.pem"
            client_key = "{SHARED}/tls/kiosk.key"
            [printer]
            queue = "counter-a4"
            receipt_queue = "counter-receipt"
            verification_service = "https://verify.example.jp/"
            [payment]
            mode = "counter"
            [journal]
            path = "/var/lib/konbini-kiosk/journal.sqlite"
            serial_salt_path = "/var/lib/konbini-kiosk/serial-salt"
            """
        )
    )
    os.chmod(profile, 0o644)
    return f"{SHARED}/profile.toml"
