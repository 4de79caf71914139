"""Updates and rollbacks of the installed kiosk, in a throwaway root, with real packages built
from the test run's bundle (tests/deploy/conftest.py ``derived_package``):

- a release that fails its self test (its print fonts removed) is refused by
  ``konbini-kiosk-update``: nothing switched, dpkg still has the old version; installed with
  plain ``dpkg -i`` it is installed but not switched to;
- a release that never becomes ready (its kiosk, a stand-in for a start-up bug, never shows
  the start screen; its self test passes) is switched to, fails to reach READY=1 twice under
  the unit's own commands, and the release guard rolls back by itself, saying why;
- a good release, with the kiosk running: the updater asks it to restart when idle (SIGHUP),
  the kiosk exits, the guard switches while it is stopped, the new release shows its start
  screen and the updater reports success; then ``--rollback`` goes back.

systemd is not PID 1 here: tests/deploy/service_manager.py starts the unit's commands as
systemd would, and a stand-in ``systemctl`` in the root answers the updater's two questions
(is the kiosk active; send it SIGHUP) for the running kiosk.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.deploy.conftest import UNIT, VERSION, Mutation, install, write_start_profile
from tests.deploy.rootfs import SHARED, ThrowawayRoot
from tests.deploy.service_manager import service

pytestmark = pytest.mark.slow

BAD, NEVER, GOOD = f"{VERSION}+noselftest", f"{VERSION}+neverready", f"{VERSION}+good"
Derive = Callable[[str, Mutation | None], Path]


def without_fonts(bundle: Path) -> None:
    shutil.rmtree(bundle / "_internal" / "fonts")


def never_ready(bundle: Path) -> None:
    """The real kiosk for --selftest; for a start, a process that never gets ready."""
    (bundle / "kiosk").rename(bundle / "kiosk.real")
    (bundle / "kiosk").write_text(
        "#!/bin/sh\n"
        'case " $* " in *" --selftest "*) exec "$(dirname "$0")/kiosk.real" "$@" ;; esac\n'
        "exec sleep 3600\n"
    )
    (bundle / "kiosk").chmod(0o755)


def current(root: ThrowawayRoot) -> str:
    return root.run(["readlink", "/opt/konbini-kiosk/current"]).stdout.strip()


def installed_version(root: ThrowawayRoot) -> str:
    return root.run(["dpkg-query", "-W", "-f=${Version}", "konbini-kiosk"]).stdout


def history(root: ThrowawayRoot) -> str:
    return root.read_text("/var/lib/konbini-kiosk-update/history.log")


def refuses_what_is_not_a_kiosk_package(root: ThrowawayRoot) -> None:
    """Not a package, another package, not root: refused, nothing switched."""
    (root.shared / "junk.deb").write_bytes(b"not a package")
    junk = root.run(["konbini-kiosk-update", f"{SHARED}/junk.deb"], check=False)
    assert junk.returncode == 1
    assert "not a readable Debian package" in junk.stderr
    other = root.shared / "other"
    (other / "DEBIAN").mkdir(parents=True)
    (other / "DEBIAN" / "control").write_text(
        "Package: other-package\nVersion: 1.0\nArchitecture: all\n"
        "Maintainer: nobody <nobody@example.org>\nDescription: not the kiosk\n"
    )
    subprocess.run(["dpkg-deb", "--build", str(other), str(root.shared / "other.deb")],
                   capture_output=True, check=True)  # fmt: skip
    foreign = root.run(["konbini-kiosk-update", f"{SHARED}/other.deb"], check=False)
    assert foreign.returncode == 1
    assert "is other-package, not konbini-kiosk" in foreign.stderr
    unprivileged = root.run(
        ["konbini-kiosk-update", "--rollback"], user="nobody", group="nogroup", check=False
    )
    assert unprivileged.returncode == 2
    assert "run it as root" in unprivileged.stderr
    assert current(root) == f"releases/{VERSION}"


def test_a_release_that_fails_its_self_test_is_refused(
    root: ThrowawayRoot, kiosk_deb: Path, derived_package: Derive
) -> None:
    bad = derived_package(BAD, without_fonts)
    install(root, kiosk_deb)
    update = root.run(["konbini-kiosk-update", root.put(bad), "--wait", "60"], check=False)
    assert update.returncode == 1, update.stdout + update.stderr
    assert "print fonts: FAILED" in update.stdout
    assert "the running release is unchanged" in update.stderr
    assert current(root) == f"releases/{VERSION}"
    assert installed_version(root) == VERSION  # dpkg never saw it
    assert not root.exists(f"/opt/konbini-kiosk/releases/{BAD}")
    assert not root.exists(f"/opt/konbini-kiosk/staging/{BAD}")
    assert f"{BAD} refused: self test failed" in history(root)
    refuses_what_is_not_a_kiosk_package(root)

    # apt or dpkg directly: the package is installed, the release is not switched to.
    plain = root.run(["dpkg", "-i", root.put(bad)], check=False)
    assert plain.returncode == 0, plain.stderr
    assert f"release {BAD} installed but not switched to" in plain.stdout
    assert installed_version(root) == BAD
    assert current(root) == f"releases/{VERSION}"


def test_a_release_that_never_gets_ready_is_rolled_back(
    root: ThrowawayRoot, kiosk_deb: Path, derived_package: Derive
) -> None:
    never = derived_package(NEVER, never_ready)
    install(root, kiosk_deb)
    profile = write_start_profile(root)
    env = {"KIOSK_PROFILE": profile, "QT_QPA_PLATFORM": "offscreen"}
    with service(root, UNIT, extra_env=env) as kiosk:
        assert kiosk.start(ready_timeout=120).ready, kiosk.output()  # 0.1.0: proven
        kiosk.stop()
        # Upgraded with dpkg (the kiosk stopped): self test passes, switched at once.
        upgrade = root.run(["dpkg", "-i", root.put(never)], check=False)
        assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
        assert "self test passed" in upgrade.stdout
        assert current(root) == f"releases/{NEVER}"
        for attempt in (1, 2):
            outcome = kiosk.start(ready_timeout=4)  # it never would: any timeout will do
            assert not outcome.ready
            assert outcome.result == "timeout", attempt
            assert current(root) == f"releases/{NEVER}"
        back = kiosk.start(ready_timeout=120)  # the guard rolls back before this start
        assert back.ready, kiosk.output()
        assert current(root) == f"releases/{VERSION}"
        kiosk.stop()
    log = history(root)
    assert f"rolled back to {VERSION}: release {NEVER} did not reach READY=1 in 2 starts" in log
    assert "last run: result=timeout killed=TERM" in log
    status = root.run(["konbini-kiosk-update", "--status"]).stdout
    assert f"current:  {VERSION} (proven)" in status
    assert f"rolled back from {NEVER}" in status


FAKE_SYSTEMCTL = f"""#!/bin/sh
# Stand-in for systemctl (no systemd as PID 1 in the test): the unit's state as the test's
# service manager left it in {SHARED}.
case "$1" in
is-active) test -e {SHARED}/kiosk.pid ;;
kill) kill -HUP "$(cat {SHARED}/kiosk.pid)" ;;
*) exit 0 ;;
esac
"""


def test_an_update_switches_when_the_running_kiosk_is_idle_and_rolls_back_on_request(
    root: ThrowawayRoot, kiosk_deb: Path, derived_package: Derive
) -> None:
    good = derived_package(GOOD, None)
    install(root, kiosk_deb)
    (root.shared / "systemctl").write_text(FAKE_SYSTEMCTL)
    root.run(["install", "-m", "0755", f"{SHARED}/systemctl", "/usr/local/sbin/systemctl"])
    root.run(["mkdir", "-p", "/run/systemd/system"])
    profile = write_start_profile(root)
    env = {"KIOSK_PROFILE": profile, "QT_QPA_PLATFORM": "offscreen"}
    pid_file = root.shared / "kiosk.pid"
    with service(root, UNIT, extra_env=env) as kiosk:

        def start() -> None:
            assert kiosk.start(ready_timeout=120).ready, kiosk.output()
            assert kiosk.process is not None
            pid_file.write_text(str(kiosk.process.pid))

        def serve_until(updater: subprocess.Popen[str], timeout: float) -> None:
            """Restart=always: each time the kiosk exits (SIGHUP at an idle moment), start
            it again, until the updater is done."""
            deadline = time.monotonic() + timeout
            while updater.poll() is None and time.monotonic() < deadline:
                assert kiosk.process is not None
                try:
                    kiosk.process.wait(0.2)
                except subprocess.TimeoutExpired:
                    continue
                pid_file.unlink()
                ended = kiosk.wait_exit(timeout=5)
                assert ended.result == "success", ended.output  # it chose to exit: exit 0
                assert "idle: exiting for the requested restart" in ended.output
                start()

        start()
        updater = root.popen(["konbini-kiosk-update", root.put(good), "--wait", "180"])
        serve_until(updater, timeout=300)
        output = updater.communicate(timeout=30)[0]
        assert updater.returncode == 0, output
        assert f"release {GOOD} is running (start screen shown)" in output
        assert current(root) == f"releases/{GOOD}"
        assert root.run(["readlink", "/opt/konbini-kiosk/previous"]).stdout.strip() == (
            f"releases/{VERSION}"
        )
        assert installed_version(root) == GOOD

        # Staff go back: the same way, at the next idle moment.
        rollback = root.popen(["konbini-kiosk-update", "--rollback", "--wait", "180"])
        serve_until(rollback, timeout=300)
        output = rollback.communicate(timeout=30)[0]
        assert rollback.returncode == 0, output
        assert current(root) == f"releases/{VERSION}"
        assert "rollback by staff" in history(root)
        assert kiosk.process is not None
        kiosk.process.send_signal(signal.SIGTERM)
        kiosk.wait_exit(timeout=30)
        pid_file.unlink(missing_ok=True)
