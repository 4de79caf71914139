"""The release folders and the ``current``/``previous`` links.

A link is switched by making the new link beside it and renaming it over the old one: at every
instant ``current`` names a complete release (rename(2) is atomic). A release folder is made
complete under a temporary name and renamed into place, so a half-made release is never seen.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from .layout import Layout, release_name

KIOSK_EXECUTABLE = "kiosk"
KEEP_RELEASES = 2  # current and previous; a pending one besides


class ReleaseError(Exception):
    """A release cannot be made or switched to; the message says why."""


def link_target(link: Path) -> str | None:
    """The release a link names (its folder name), or None when absent or broken."""
    try:
        target = os.readlink(link)
    except OSError:
        return None
    name = Path(target).name
    return name if (link.parent / target).is_dir() else None


def is_complete(release: Path) -> bool:
    return (release / KIOSK_EXECUTABLE).is_file() and os.access(release / KIOSK_EXECUTABLE, os.X_OK)


def set_link(layout: Layout, link: Path, release: str | None) -> None:
    """Point ``link`` at ``releases/<release>`` (or remove it for None), atomically."""
    if release is None:
        if link.is_symlink():
            link.unlink()
        return
    if not is_complete(layout.releases / release):
        raise ReleaseError(f"release {release} is not installed in {layout.releases}")
    fresh = link.with_name(f".{link.name}.new")
    if fresh.is_symlink() or fresh.exists():
        fresh.unlink()
    fresh.symlink_to(Path("releases") / release)
    os.replace(fresh, link)


def switch(layout: Layout, release: str, *, keep_previous: bool = True) -> str | None:
    """Make ``release`` current; the old current becomes previous. Returns the old current."""
    old = link_target(layout.current)
    if old == release:
        return old
    set_link(layout, layout.current, release)
    if keep_previous and old is not None:
        set_link(layout, layout.previous, old)
    _sync(layout.opt)
    return old


def install_from(layout: Layout, source: Path, version: str) -> str:
    """Make ``releases/<version>`` from a bundle folder (hard links where the file system
    allows, else a copy). A complete release of that version is kept as it is: a version
    names one build, and ``current`` may point at it (it must never dangle)."""
    name = release_name(version)
    target = layout.releases / name
    if is_complete(target):
        return name
    if not is_complete(source):
        raise ReleaseError(f"{source} holds no kiosk bundle")
    layout.releases.mkdir(parents=True, exist_ok=True)
    temporary = layout.releases / f".{name}.new"
    shutil.rmtree(temporary, ignore_errors=True)
    try:
        _copy_tree(source, temporary)
    except (OSError, subprocess.CalledProcessError) as exc:
        shutil.rmtree(temporary, ignore_errors=True)
        raise ReleaseError(f"cannot make release {name}: {exc}") from None
    shutil.rmtree(target, ignore_errors=True)  # an incomplete leftover, never current
    os.replace(temporary, target)
    _sync(layout.releases)
    return name


def prune(layout: Layout, keep: set[str]) -> list[str]:
    """Delete the releases that are neither current, previous nor in ``keep``."""
    wanted = {link_target(layout.current), link_target(layout.previous), *keep}
    removed: list[str] = []
    if not layout.releases.is_dir():
        return removed
    for entry in sorted(layout.releases.iterdir()):
        if entry.name.startswith(".") or entry.name in wanted:
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry.name)
    return removed


def installed(layout: Layout) -> list[str]:
    if not layout.releases.is_dir():
        return []
    return sorted(
        entry.name
        for entry in layout.releases.iterdir()
        if not entry.name.startswith(".") and is_complete(entry)
    )


def _copy_tree(source: Path, target: Path) -> None:
    # cp -al: the same inodes (no disk used). Across file systems it fails and a real copy is
    # made. --no-preserve is not needed: hard links share everything.
    linked = subprocess.run(
        ["cp", "-al", "--", str(source), str(target)], capture_output=True, check=False
    )
    if linked.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run(["cp", "-a", "--", str(source), str(target)], check=True)


def _sync(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a power cut right after keeps the new link)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


__all__ = [
    "KEEP_RELEASES",
    "ReleaseError",
    "install_from",
    "installed",
    "is_complete",
    "link_target",
    "prune",
    "set_link",
    "switch",
]
