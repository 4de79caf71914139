"""The package in a throwaway root (tests/deploy/rootfs.py): ``dpkg -i``, what it makes, a
second configure and a reinstall that change nothing, the self test run from the installed
files as the kiosk's user, a real start of the installed kiosk through its unit (under a part
of its sandbox, tests/deploy/service_manager.py) writing its journal, then ``dpkg --purge``:
the machine is as it was, except dpkg's and the account tools' bookkeeping and the kiosk's
data, which purge keeps and says so — unless told otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.deploy.conftest import KIOSK_USER, UNIT, VERSION, install, write_start_profile
from tests.deploy.rootfs import ThrowawayRoot
from tests.deploy.service_manager import service

pytestmark = pytest.mark.slow

DATA = "/var/lib/konbini-kiosk"
# What a purge may leave changed besides the kept data: dpkg's own records and log, the
# account tools' backup copies (the accounts themselves are back as they were), man-db's
# index (its trigger ran for the man page).
BOOKKEEPING = {
    "/var/lib/dpkg/status-old",
    "/var/log/dpkg.log",
    "/etc/passwd-",
    "/etc/group-",
    "/etc/shadow-",
    "/etc/gshadow-",
    "/var/cache/man/index.db",
}
UNITS = (
    "konbini-kiosk.service",
    "konbini-kiosk-session.service",
    "konbini-kiosk-cash.socket",
    "konbini-kiosk-cash.service",
)


def state_of(root: ThrowawayRoot) -> dict[str, str]:
    """What configure decides, to compare two runs: what changed on the machine, the
    releases and links, owners and modes, the user and group (no times)."""
    listing = root.run(
        ["sh", "-c", "find /opt/konbini-kiosk /var/lib/konbini-kiosk /var/lib/konbini-kiosk-update"
         " /etc/systemd/system -maxdepth 2 -printf '%p %u %g %m %l\\n' | sort; "
         "getent passwd konbini-kiosk; getent group konbini-kiosk"]
    ).stdout  # fmt: skip
    changed = sorted(
        change["path"]
        for change in root.changes()
        if not change["path"].startswith(("/var/lib/dpkg/status", "/var/log", "/var/cache/man"))
    )
    return {"listing": listing, "changed": "\n".join(changed)}


def test_install_verify_configure_again_and_reinstall(root: ThrowawayRoot, kiosk_deb: Path) -> None:
    output = install(root, kiosk_deb)
    assert "installed. Edit /etc/default/konbini-kiosk" in output
    user = root.run(["getent", "passwd", KIOSK_USER]).stdout.strip().split(":")
    assert user[5] == DATA  # home
    assert user[6] == "/usr/sbin/nologin"
    assert int(user[2]) < 1000  # a system user
    assert root.run(["readlink", "/opt/konbini-kiosk/current"]).stdout.strip() == (
        f"releases/{VERSION}"
    )
    assert root.run(["stat", "-c", "%U %G %a", DATA]).stdout.split() == [
        KIOSK_USER,
        KIOSK_USER,
        "750",
    ]
    assert root.run(["stat", "-c", "%U %a", "/var/lib/konbini-kiosk-update"]).stdout.split() == [
        "root",
        "755",
    ]
    for unit in ("konbini-kiosk.service", "konbini-kiosk-session.service"):
        assert root.exists(f"/etc/systemd/system/multi-user.target.wants/{unit}")
    assert not root.exists("/etc/systemd/system/sockets.target.wants/konbini-kiosk-cash.socket")
    conffiles = root.run(["dpkg-query", "-W", "-f=${Conffiles}", "konbini-kiosk"]).stdout
    for conffile in (
        "/etc/konbini-kiosk/store.toml",
        "/etc/konbini-kiosk/cityhall.toml",
        "/etc/default/konbini-kiosk",
        "/etc/logrotate.d/konbini-kiosk",
        "/etc/pam.d/konbini-kiosk-session",
    ):
        assert conffile in conffiles
    # The release is hard links to the package's bundle: no second copy on disk.
    inodes = root.run(
        ["stat", "-c", "%i %h", f"/opt/konbini-kiosk/releases/{VERSION}/kiosk",
         "/usr/lib/konbini-kiosk/release/kiosk"]
    ).stdout.split()  # fmt: skip
    assert inodes[0] == inodes[2]
    assert int(inodes[1]) == 2

    # Every unit verifies in the installed system: commands there and executable, the man
    # page installed, every setting parsed (no output at all).
    for unit in UNITS:
        verify = root.run(["systemd-analyze", "verify", f"/lib/systemd/system/{unit}"], check=False)
        assert verify.returncode == 0, verify.stderr
        assert verify.stdout + verify.stderr == "", verify.stderr
    # logrotate reads the rule as installed (the su user exists).
    rotate = root.run(["logrotate", "--debug", "/etc/logrotate.d/konbini-kiosk"], check=False)
    assert rotate.returncode == 0, rotate.stderr
    assert "error" not in rotate.stderr.lower(), rotate.stderr

    first = state_of(root)
    root.run(["/var/lib/dpkg/info/konbini-kiosk.postinst", "configure", VERSION])
    assert state_of(root) == first  # a second configure changes nothing
    reinstall = install(root, kiosk_deb)  # same version again: an "upgrade" to itself
    assert "is already current" in reinstall
    assert state_of(root) == first


def test_selftest_start_and_purge_leave_the_machine_as_it_was(
    root: ThrowawayRoot, kiosk_deb: Path
) -> None:
    install(root, kiosk_deb)
    selftest = root.run(
        ["/opt/konbini-kiosk/current/kiosk", "--profile", "/etc/konbini-kiosk/store.toml",
         "--selftest"],
        user=KIOSK_USER,
        env={"QT_QPA_PLATFORM": "offscreen", "HOME": "/tmp", "XDG_RUNTIME_DIR": "/tmp"},
    )  # fmt: skip
    assert "selftest: passed" in selftest.stdout
    assert f"/opt/konbini-kiosk/releases/{VERSION}/_internal/fonts" in selftest.stdout

    # A real start through the unit: the kiosk writes its journal, audit log and salt.
    profile = write_start_profile(root)
    env = {"KIOSK_PROFILE": profile, "QT_QPA_PLATFORM": "offscreen"}
    with service(root, UNIT, extra_env=env) as kiosk:
        started = kiosk.start(ready_timeout=120)
        assert started.ready, kiosk.output()
        stopped = kiosk.stop()
        assert stopped.exit_status == "0", stopped.output
    data = root.run(["ls", DATA]).stdout.split()
    assert {"journal.sqlite", "audit.log", "serial-salt"} <= set(data)
    # UMask=0077: the kiosk's files are its own (a salt and a journal are secrets).
    assert root.run(
        ["stat", "-c", "%a", f"{DATA}/serial-salt", f"{DATA}/journal.sqlite"]
    ).stdout.split() == ["600", "600"]

    purge = root.run(["dpkg", "--purge", "konbini-kiosk"])
    assert f"kept {DATA}" in purge.stdout
    assert "KONBINI_KIOSK_PURGE_DATA=yes" in purge.stdout
    assert "not empty so not removed" not in purge.stderr
    left = {change["path"]: change["change"] for change in root.changes()}
    assert left.pop(DATA) == "added"  # the data, kept
    assert set(left) <= BOOKKEEPING, left
    assert root.run(["getent", "passwd", KIOSK_USER], check=False).returncode == 2

    # Reinstalled, the kept data is the new user's; purged with the data, nothing is left.
    install(root, kiosk_deb)
    owner = root.run(["stat", "-c", "%U", f"{DATA}/journal.sqlite"]).stdout.strip()
    assert owner == KIOSK_USER
    purge = root.run(["dpkg", "--purge", "konbini-kiosk"], env={"KONBINI_KIOSK_PURGE_DATA": "yes"})
    assert "were deleted" in purge.stdout
    left = {change["path"] for change in root.changes()}
    assert left <= BOOKKEEPING, left
