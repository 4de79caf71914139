"""A stand-in for systemd starting the package's units inside a throwaway root (this machine has
no systemd as PID 1): it reads the installed unit file and does what systemd would do with it,
as far as a test can.

What it does from the unit: ``Environment=``, ``EnvironmentFile=``, ``User=``/``Group=`` and
``SupplementaryGroups=``, ``RuntimeDirectory=`` and ``CacheDirectory=`` (made, owned by the
user), the ``ExecStartPre=`` / ``ExecStart=`` / ``ExecStartPost=`` / ``ExecStopPost=``
commands with their ``+`` (as root, unsandboxed) and ``-`` (failure ignored) prefixes,
``Type=notify`` (READY=1 on a NOTIFY_SOCKET of our own, then ExecStartPost),
``WatchdogSec=`` (WATCHDOG_USEC), and ``SERVICE_RESULT``/``EXIT_CODE``/``EXIT_STATUS`` for
ExecStopPost. With ``sandbox=True`` the service runs under a part of its sandbox rebuilt with
mount namespaces and setpriv: ``ProtectSystem=strict`` with ``ReadWritePaths=`` and the cache
directory, ``PrivateTmp=``, ``ProtectHome=``, ``NoNewPrivileges=``, an empty
``CapabilityBoundingSet=``, ``MemoryDenyWriteExecute=`` (the kernel's PR_SET_MDWE) and
``UMask=``. Not
rebuilt: the system call filter, the device cgroup, the address families, the kernel
protections (systemd-analyze checks those settings; tests/deploy/test_units.py).
"""

from __future__ import annotations

import contextlib
import re
import shlex
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.deploy.rootfs import SHARED, ThrowawayRoot
from tests.kiosk.notify_socket import NotifySocket

_SANDBOX = """
set -e
root=$1; shift
for path in $1; do mount --bind "$root$path" "$root$path"; done; shift
mount -t tmpfs -o mode=1777 private-tmp "$root/tmp"
mount -t tmpfs -o mode=1777 private-tmp "$root/var/tmp"
for home in /home /root /run/user; do
    if [ -d "$root$home" ]; then mount -t tmpfs -o mode=0000 protect-home "$root$home"; fi
done
mount -o remount,bind,ro "$root"
mount -o remount,bind,ro "$root/run"
exec "$@"
"""
# prctl(PR_SET_MDWE = 65, PR_MDWE_REFUSE_EXEC_GAIN = 1): no writable+executable memory, as
# MemoryDenyWriteExecute= (inherited across fork and execve); then the unit's UMask=.
_MDWE = (
    "import ctypes, os, sys; libc = ctypes.CDLL(None, use_errno=True); "
    "assert libc.prctl(65, 1, 0, 0, 0) == 0, os.strerror(ctypes.get_errno()); "
    "os.umask(int(sys.argv[1], 8)); os.execv(sys.argv[2], sys.argv[2:])"
)


def seconds(value: str) -> float:
    """A systemd time span as used in our units (``30s``, ``2min``, ``150``)."""
    total = 0.0
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)\s*(min|ms|s)?", value):
        total += float(number) * {"min": 60.0, "ms": 0.001}.get(unit, 1.0)
    return total


@dataclass
class Unit:
    path: str
    entries: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def read(cls, root: ThrowawayRoot, path: str) -> Unit:
        unit = cls(path)
        for raw in root.read_text(path).splitlines():
            line = raw.strip()
            if not line or line.startswith(("#", ";", "[")) or "=" not in line:
                continue
            key, _, value = line.partition("=")
            unit.entries.append((key.strip(), value.strip()))
        return unit

    def all(self, key: str) -> list[str]:
        return [value for name, value in self.entries if name == key]

    def one(self, key: str, default: str = "") -> str:
        values = self.all(key)
        return values[-1] if values else default

    def commands(self, key: str) -> list[tuple[str, list[str]]]:
        """(prefixes, argv) of every ``key=`` line."""
        found = []
        for value in self.all(key):
            words = shlex.split(value)
            prefixes = ""
            while words and words[0][:1] in "+-@!:":
                prefixes += words[0][0]
                words[0] = words[0][1:]
            found.append((prefixes, words))
        return found

    def environment(self, root: ThrowawayRoot) -> dict[str, str]:
        env: dict[str, str] = {}
        for value in self.all("Environment"):
            for assignment in shlex.split(value):
                key, _, val = assignment.partition("=")
                env[key] = val
        for value in self.all("EnvironmentFile"):
            optional = value.startswith("-")
            path = value.lstrip("-")
            if not root.exists(path):
                assert optional, f"{self.path}: {path} missing"
                continue
            for raw in root.read_text(path).splitlines():
                line = raw.strip()
                if line and not line.startswith(("#", ";")) and "=" in line:
                    key, _, val = line.partition("=")
                    env[key.strip()] = val.strip().strip("'\"")
        return env


@dataclass
class Outcome:
    ready: bool
    result: str  # SERVICE_RESULT: success, timeout, exit-code, signal, watchdog
    exit_code: str = ""  # EXIT_CODE: exited, killed
    exit_status: str = ""
    output: str = ""


class ServiceManager:
    def __init__(
        self,
        root: ThrowawayRoot,
        unit_path: str,
        *,
        sandbox: bool = True,
        extra_env: Mapping[str, str] | None = None,
    ) -> None:
        self.root = root
        self.unit = Unit.read(root, unit_path)
        # Only a unit that asks for a sandbox gets one (the session's cage needs none).
        self.sandbox = sandbox and self.unit.one("ProtectSystem") == "strict"
        self.extra_env = dict(extra_env or {})
        self.notify_path = root.shared / "notify.sock"
        self.process: subprocess.Popen[str] | None = None
        self.notify: NotifySocket | None = None
        self.log_path = root.shared / f"{Path(unit_path).name}.log"
        self.starts = 0

    @property
    def user(self) -> str | None:
        return self.unit.one("User") or None

    def _groups(self) -> list[str]:
        group = self.unit.one("Group") or self.user
        extra = " ".join(self.unit.all("SupplementaryGroups")).split()
        return [g for g in [group, *extra] if g]

    def _prepare_directories(self) -> None:
        user = self.user or "root"
        for key, base in (("RuntimeDirectory", "/run"), ("CacheDirectory", "/var/cache")):
            mode = self.unit.one(f"{key}Mode", "0755")
            for name in " ".join(self.unit.all(key)).split():
                path = f"{base}/{name}"
                self.root.run(["install", "-d", "-m", mode, "-o", user, "-g", user, path])

    def _run_hook(self, key: str, env: Mapping[str, str]) -> None:
        for prefixes, argv in self.unit.commands(key):
            privileged = "+" in prefixes
            result = subprocess.run(
                self._argv(argv, env, privileged=privileged),
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            if result.returncode != 0 and "-" not in prefixes:
                raise AssertionError(f"{key} {argv} failed: {result.stderr}")

    def _argv(self, argv: list[str], env: Mapping[str, str], *, privileged: bool) -> list[str]:
        if privileged or self.user is None:
            return self.root.command(argv, env=env)
        if not self.sandbox:
            return self.root.command(argv, user=self.user, groups=self._groups(), env=env)
        writable = " ".join(self.unit.all("ReadWritePaths")).split()
        writable += [
            f"/var/cache/{name}" for name in " ".join(self.unit.all("CacheDirectory")).split()
        ]
        prefix = [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            _SANDBOX,
            "sandbox",
            str(self.root.merged),
            " ".join(writable),
        ]
        clean = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", **env}
        return [
            "nsenter",
            f"--target={self.root.pid}",
            "--mount",
            "--",
            *prefix,
            "chroot",
            str(self.root.merged),
            "setpriv",
            f"--reuid={self.user}",
            f"--regid={self._groups()[0]}",
            f"--groups={','.join(self._groups())}",
            "--no-new-privs",
            "--bounding-set=-all",
            "--inh-caps=-all",
            "--",
            "env",
            "-i",
            *(f"{k}={v}" for k, v in clean.items()),
            "/usr/bin/python3",
            "-c",
            _MDWE,
            self.unit.one("UMask", "0022"),
            *argv,
        ]

    def environment(self) -> dict[str, str]:
        return self.unit.environment(self.root)

    def start(self, ready_timeout: float | None = None) -> Outcome:
        """Start the service; wait for READY=1 (Type=notify), at most ``ready_timeout`` (the
        unit's TimeoutStartSec by default). A service that is not ready by then is killed and
        its ExecStopPost runs with SERVICE_RESULT=timeout, as systemd does."""
        assert self.process is None, "already running"
        self._prepare_directories()
        env = self.environment()
        self._run_hook("ExecStartPre", env)
        if self.notify is not None:
            self.notify.close()
        self.notify_path.unlink(missing_ok=True)
        self.notify = NotifySocket(self.notify_path)
        service_env = {**env, "NOTIFY_SOCKET": f"{SHARED}/notify.sock"}
        watchdog = self.unit.one("WatchdogSec")
        if watchdog:
            service_env["WATCHDOG_USEC"] = str(int(seconds(watchdog) * 1_000_000))
        service_env.update(self.extra_env)  # the test's own (a profile, a shorter watchdog)
        (_, argv), *_ = self.unit.commands("ExecStart")
        self.starts += 1
        with open(self.log_path, "a", encoding="utf-8") as log:
            log.write(f"--- start {self.starts}\n")
            log.flush()
            self.process = subprocess.Popen(
                self._argv(argv, service_env, privileged=False),
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
            )
        if self.unit.one("Type", "simple") != "notify":
            time.sleep(0.2)  # "started" once forked; one that dies at once is a failure
            if self.process.poll() is None:
                return Outcome(ready=True, result="")
            return self._ended("exit-code" if self.process.returncode else "success")
        limit = ready_timeout or seconds(self.unit.one("TimeoutStartSec", "90s"))
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.notify.times("READY=1"):
                self._run_hook("ExecStartPost", env)
                return Outcome(ready=True, result="")
            if self.process.poll() is not None:
                return self._ended("exit-code" if self.process.returncode else "success")
            time.sleep(0.05)
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        return self._ended("timeout")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> Outcome:
        """``systemctl stop`` (SIGTERM, then SIGKILL after ``timeout``)."""
        assert self.process is not None
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
        return self._ended("success")

    def wait_exit(self, timeout: float) -> Outcome:
        """The service ends by itself (a requested restart, a crash)."""
        assert self.process is not None
        self.process.wait(timeout)
        code = self.process.returncode
        return self._ended("success" if code == 0 else ("signal" if code < 0 else "exit-code"))

    def _ended(self, result: str) -> Outcome:
        assert self.process is not None
        code = self.process.wait(30)
        output = self.output()
        self.process = None
        if code < 0:
            exit_code, status = "killed", signal.Signals(-code).name.removeprefix("SIG")
        else:
            exit_code, status = "exited", str(code)
        env = {
            **self.environment(),
            "SERVICE_RESULT": result,
            "EXIT_CODE": exit_code,
            "EXIT_STATUS": status,
        }
        self._run_hook("ExecStopPost", env)
        return Outcome(False, result, exit_code, status, output)

    def output(self) -> str:
        """What the service printed in its last start (journald's view of it)."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""
        return text.rsplit(f"--- start {self.starts}\n", 1)[-1]

    def close(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(30)
            self.process = None
        if self.notify is not None:
            self.notify.close()
            self.notify = None


@contextlib.contextmanager
def service(root: ThrowawayRoot, unit_path: str, **options: object) -> Iterator[ServiceManager]:
    manager = ServiceManager(root, unit_path, **options)  # type: ignore[arg-type]
    try:
        yield manager
    finally:
        manager.close()
