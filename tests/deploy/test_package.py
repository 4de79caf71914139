"""The built package itself: lintian finds nothing (each override in
deploy/debian/lintian-overrides says why it is there), the control fields depend on the
Debian packages the kiosk uses and on nothing from pip, the files are where Debian wants
them, the bundle carries no simulator code."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
OVERRIDES = REPO / "deploy" / "debian" / "lintian-overrides"


def field(deb: Path, name: str) -> str:
    return subprocess.run(
        ["dpkg-deb", "--field", str(deb), name], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_lintian_is_clean(lintian_report: tuple[int, str]) -> None:
    """No error, no warning (info tags are listed by -I: an unused override would show)."""
    code, report = lintian_report
    problems = [line for line in report.splitlines() if re.match(r"^[EW]: ", line)]
    assert code == 0, "\n".join(problems[:50]) + report[-2000:]
    assert problems == []
    assert "unused-override" not in report
    assert "mismatched-override" not in report


def test_every_lintian_override_is_explained() -> None:
    """Each override sits in a block that starts with its reason (comment lines)."""
    explained = False
    for line in OVERRIDES.read_text().splitlines():
        if not line.strip():
            explained = False
        elif line.startswith("#"):
            explained = True
        else:
            assert explained, f"no reason above: {line}"


def test_control_fields(kiosk_deb: Path) -> None:
    assert field(kiosk_deb, "Package") == "konbini-kiosk"
    assert field(kiosk_deb, "Architecture") == "amd64"
    depends = {item.split()[0] for item in field(kiosk_deb, "Depends").split(", ")}
    for needed in (
        "pcscd",
        "libccid",
        "cups",
        "cups-client",
        "fonts-noto-cjk",
        "skkdic",
        "alsa-utils",
        "cage",
        "xwayland",
        "libpam-systemd",
        "python3",
        "adduser",
        "logrotate",
        "libcups2",
        "libssl3",  # Debian's OpenSSL, not a copy in the bundle
        "libwayland-client0",
    ):
        assert needed in depends, needed
    assert not any("pip" in item or item.startswith("python3-") for item in depends)
    assert "open-jtalk" in field(kiosk_deb, "Recommends")  # audio guidance (city hall)
    assert int(field(kiosk_deb, "Installed-Size")) > 100_000  # KiB: the bundle is in it


def test_files_are_where_debian_wants_them(kiosk_deb: Path) -> None:
    listing = subprocess.run(
        ["dpkg-deb", "--contents", str(kiosk_deb)], capture_output=True, text=True, check=True
    ).stdout
    paths = [line.split()[-1].removeprefix(".") for line in listing.splitlines()]
    paths = [path.split(" -> ")[0] for path in paths]
    assert not any(path.startswith("/opt/") for path in paths)  # releases are made by postinst
    for expected in (
        "/lib/systemd/system/konbini-kiosk.service",
        "/lib/systemd/system/konbini-kiosk-session.service",
        "/lib/systemd/system/konbini-kiosk-cash.socket",
        "/lib/systemd/system/konbini-kiosk-cash.service",
        "/usr/lib/tmpfiles.d/konbini-kiosk.conf",
        "/etc/logrotate.d/konbini-kiosk",
        "/etc/pam.d/konbini-kiosk-session",
        "/etc/konbini-kiosk/store.toml",
        "/etc/konbini-kiosk/cityhall.toml",
        "/etc/default/konbini-kiosk",
        "/usr/sbin/konbini-kiosk-update",
        "/usr/share/man/man8/konbini-kiosk-update.8.gz",
        "/usr/share/doc/konbini-kiosk/deploying.md.gz",
        "/usr/lib/konbini-kiosk/release/kiosk",
    ):
        assert expected in paths, expected
    assert not any("hw_sim" in path for path in paths)  # no simulator in a kiosk


def test_the_shipped_store_profile_keeps_its_salt_with_the_journal() -> None:
    """The kiosk's sandbox makes /etc read-only: the salt it makes at first start must live
    in its data folder, kept (and backed up) with the journal."""
    profile = (REPO / "profiles" / "store.toml").read_text()
    assert 'serial_salt_path = "/var/lib/konbini-kiosk/serial-salt"' in profile
    assert 'path = "/var/lib/konbini-kiosk/journal.sqlite"' in profile
