"""Where the releases, their links and the update state live; ``root`` moves the whole tree
(tests, and a machine image being prepared under a folder)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

KIOSK_USER = "konbini-kiosk"
KIOSK_UNIT = "konbini-kiosk.service"
DEFAULT_PROFILE = "/etc/konbini-kiosk/store.toml"

# A Debian version as a folder name: an epoch's colon would read as a path list elsewhere.
_UNSAFE = re.compile(r"[^A-Za-z0-9.+~_-]")


def release_name(version: str) -> str:
    """The folder name of the release of package version ``version``."""
    name = _UNSAFE.sub("_", version.strip())
    if not name or name in (".", ".."):
        raise ValueError(f"not a usable version: {version!r}")
    return name


@dataclass(frozen=True)
class Layout:
    root: Path = Path("/")

    def _path(self, absolute: str) -> Path:
        return self.root / absolute.lstrip("/")

    @property
    def payload(self) -> Path:
        """The bundle of the installed package (owned by dpkg)."""
        return self._path("/usr/lib/konbini-kiosk/release")

    @property
    def opt(self) -> Path:
        return self._path("/opt/konbini-kiosk")

    @property
    def releases(self) -> Path:
        return self.opt / "releases"

    @property
    def staging(self) -> Path:
        """Where an update's bundle is unpacked for its self test, before dpkg sees it."""
        return self.opt / "staging"

    @property
    def current(self) -> Path:
        return self.opt / "current"

    @property
    def previous(self) -> Path:
        return self.opt / "previous"

    @property
    def state_dir(self) -> Path:
        return self._path("/var/lib/konbini-kiosk-update")

    @property
    def defaults(self) -> Path:
        """The service's environment file (KIOSK_PROFILE, …)."""
        return self._path("/etc/default/konbini-kiosk")

    def release(self, version: str) -> Path:
        return self.releases / release_name(version)

    def profile(self) -> Path:
        """The profile the service runs (KIOSK_PROFILE in /etc/default/konbini-kiosk)."""
        value = read_env_file(self.defaults).get("KIOSK_PROFILE") or DEFAULT_PROFILE
        return self._path(value)


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines as systemd's EnvironmentFile= reads the simple ones (comments and
    blank lines skipped, one level of quotes removed); a missing file is empty."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")) or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


__all__ = ["KIOSK_UNIT", "KIOSK_USER", "Layout", "read_env_file", "release_name"]
