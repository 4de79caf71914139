"""What an overlay's upper layer changed compared with its lower layer (the machine's ``/``).

    python tests/deploy/overlay_diff.py UPPER     (run inside the root's mount namespace)

Prints a JSON list of ``{"path", "change"}``: ``deleted`` (a whiteout), ``added`` (not in the
machine), ``changed`` (other content, type, mode or owner), ``replaced`` (a folder deleted and
made again, hiding what it held). Entries the overlay only copied up
(same bytes, same metadata; a folder that exists below) are not changes.
"""

from __future__ import annotations

import filecmp
import json
import os
import stat
import sys
from pathlib import Path


def _same_metadata(upper: os.stat_result, lower: os.stat_result) -> bool:
    return (
        stat.S_IFMT(upper.st_mode) == stat.S_IFMT(lower.st_mode)
        and stat.S_IMODE(upper.st_mode) == stat.S_IMODE(lower.st_mode)
        and upper.st_uid == lower.st_uid
        and upper.st_gid == lower.st_gid
    )


def _opaque(folder: Path) -> bool:
    try:
        return os.getxattr(folder, "trusted.overlay.opaque") == b"y"
    except OSError:
        return False


def changes(upper_root: Path, lower_root: Path = Path("/")) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for folder, subfolders, files in os.walk(upper_root):
        relative_folder = Path(folder).relative_to(upper_root)
        for name in sorted(subfolders) + sorted(files):
            upper = Path(folder) / name
            relative = relative_folder / name
            lower = lower_root / relative
            info = upper.lstat()
            if stat.S_ISCHR(info.st_mode) and info.st_rdev == 0:
                found.append({"path": f"/{relative}", "change": "deleted"})
                continue
            try:
                below = lower.lstat()
            except FileNotFoundError:
                found.append({"path": f"/{relative}", "change": "added"})
                continue
            if stat.S_ISDIR(info.st_mode) and stat.S_ISDIR(below.st_mode):
                if _opaque(upper):  # deleted and made again: what was below is hidden
                    found.append({"path": f"/{relative}", "change": "replaced"})
                elif not _same_metadata(info, below):
                    found.append({"path": f"/{relative}", "change": "changed"})
                continue
            same = _same_metadata(info, below)
            if same and stat.S_ISLNK(info.st_mode):
                same = os.readlink(upper) == os.readlink(lower)
            elif same and stat.S_ISREG(info.st_mode):
                same = filecmp.cmp(upper, lower, shallow=False)
            if not same:
                found.append({"path": f"/{relative}", "change": "changed"})
        # Folders added below an added folder are reported once, by their top.
        subfolders[:] = [
            name for name in subfolders if (lower_root / relative_folder / name).is_dir()
        ]
    return found


if __name__ == "__main__":
    print(json.dumps(changes(Path(sys.argv[1])), indent=1))
