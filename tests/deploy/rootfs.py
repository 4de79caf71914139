"""A throwaway root for installing the package: a private mount namespace with an overlay
over ``/`` (its upper layer on a tmpfs), entered with chroot.

The machine's files are seen read-only through the overlay; everything dpkg, the maintainer
scripts and the kiosk write lands in the tmpfs and disappears with the namespace. The upper
layer is also the exact list of what changed since the root was made: :meth:`changes`
compares it with the machine (the before/after comparison of an install and a purge).

- ``/srv`` in the root is a folder of the test (``shared``), bound read-write: packages go in,
  screenshots and the service manager's notification socket are reachable from both sides;
- ``/run``, ``/tmp`` are fresh tmpfs (as after a boot); ``/dev``, ``/proc``, ``/sys`` are the
  machine's.

A holder process (``sleep``) keeps the namespace alive; commands enter it with nsenter and
chroot into the overlay. Nothing here touches the machine's own file system.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
SHARED = "/srv"  # the test's folder inside the root

_SETUP = """
set -e
base=$1
mount -t tmpfs -o mode=0755 konbini-layers "$base/layers"
mkdir "$base/layers/upper" "$base/layers/work"
mount -t overlay konbini-root \
    -o "lowerdir=/,upperdir=$base/layers/upper,workdir=$base/layers/work" "$base/merged"
mount --rbind /dev "$base/merged/dev"
mount --rbind /proc "$base/merged/proc"
mount --rbind /sys "$base/merged/sys"
mount -t tmpfs -o mode=0755 konbini-run "$base/merged/run"
mount -t tmpfs -o mode=1777 konbini-tmp "$base/merged/tmp"
mount --bind "$base/shared" "$base/merged/srv"
echo ready
exec sleep infinity
"""


class ThrowawayRoot:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.shared = base / "shared"
        self.merged = base / "merged"
        self._holder: subprocess.Popen[str] | None = None

    # -- life cycle --------------------------------------------------------------------------
    def start(self) -> ThrowawayRoot:
        for folder in (self.shared, self.merged, self.base / "layers"):
            folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.shared, 0o1777)  # noqa: S103 - the kiosk's user writes screenshots here
        self._holder = subprocess.Popen(
            [
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "sh",
                "-c",
                _SETUP,
                "sh",
                str(self.base),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self._holder.stdout is not None
        line = self._holder.stdout.readline().strip()
        if line != "ready":
            self._holder.kill()
            raise RuntimeError(f"throwaway root: {self._holder.communicate()[1]}")
        return self

    def stop(self) -> None:
        if self._holder is not None:
            self._holder.send_signal(signal.SIGKILL)
            self._holder.wait(30)
            self._holder = None
        shutil.rmtree(self.base, ignore_errors=True)

    @property
    def pid(self) -> int:
        assert self._holder is not None, "the root is not started"
        return self._holder.pid

    # -- running things inside ---------------------------------------------------------------
    def command(
        self,
        argv: Sequence[str],
        *,
        user: str | None = None,
        group: str | None = None,
        groups: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        prefix: Sequence[str] = (),
    ) -> list[str]:
        """The argv that runs ``argv`` in the root (as ``user`` if given) with a clean
        environment: PATH, LANG and ``env``. ``prefix`` runs in the namespace before chroot
        (e.g. an unshare that makes a sandbox)."""
        clean = {"PATH": PATH, "LANG": "C.UTF-8", **(env or {})}
        inner: list[str] = ["env", "-i", *(f"{k}={v}" for k, v in clean.items()), *argv]
        if user is not None:
            drop = ["setpriv", f"--reuid={user}", f"--regid={group or user}"]
            drop += [f"--groups={','.join(groups)}"] if groups else ["--init-groups"]
            inner = [*drop, "--", *inner]
        return [
            "nsenter",
            f"--target={self.pid}",
            "--mount",
            "--",
            *prefix,
            "chroot",
            str(self.merged),
            *inner,
        ]

    def run(
        self,
        argv: Sequence[str],
        *,
        user: str | None = None,
        group: str | None = None,
        env: Mapping[str, str] | None = None,
        check: bool = True,
        timeout: float = 600,
        input_text: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            self.command(argv, user=user, group=group, env=env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            input=input_text,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"{' '.join(argv)} → {result.returncode}\n{result.stdout}\n{result.stderr}"
            )
        return result

    def popen(self, argv: Sequence[str], **kwargs: Any) -> subprocess.Popen[str]:
        options = {
            key: kwargs.pop(key)
            for key in ("user", "group", "groups", "env", "prefix")
            if key in kwargs
        }
        return subprocess.Popen(
            self.command(argv, **options),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            **kwargs,
        )

    def put(self, source: Path, name: str | None = None) -> str:
        """Copy a file into the shared folder; returns its path inside the root."""
        target = self.shared / (name or source.name)
        if source.resolve() != target.resolve():
            shutil.copy2(source, target)
        os.chmod(target, 0o644)
        return f"{SHARED}/{target.name}"

    def read_text(self, path: str) -> str:
        return self.run(["cat", path]).stdout

    def exists(self, path: str) -> bool:
        return self.run(["test", "-e", path], check=False).returncode == 0

    def changes(self) -> list[dict[str, str]]:
        """Everything the root changed compared with the machine (tests/deploy/overlay_diff)."""
        probe = subprocess.run(
            [
                "nsenter",
                f"--target={self.pid}",
                "--mount",
                "--",
                sys.executable,
                str(Path(__file__).with_name("overlay_diff.py")),  # stdlib only
                str(self.base / "layers" / "upper"),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        changes: list[dict[str, str]] = json.loads(probe.stdout)
        return changes
