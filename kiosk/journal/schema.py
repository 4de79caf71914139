"""Which journal a release can read: the schema version, and the oldest reader it allows.

A release upgrades an older journal in place when it first opens it (kiosk/journal/store.py).
The trap is the other way: a release switched back to (``konbini-kiosk-update --rollback``, or
the release guard's automatic rollback, docs/deploying.md) meets a journal the newer release
already upgraded. So each journal records, beside its ``schema_version``, ``readable_by``: the
oldest schema version whose code reads it correctly. A change that only adds what older code
can ignore keeps ``readable_by`` where it was, and the older release goes on reading the
journal; a change older code would misread (version 3: a basket's items — a version-2 release
would settle only the first item of an open basket) raises it. A journal no release of this
schema can read is refused with a message that says which release wrote it, never misread.

``check_readable`` reads these two values without writing anything (a read-only SQLite
connection): the self test of a release not yet switched to uses it, so an update or a
rollback is refused before the switch instead of leaving a kiosk that cannot start.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA_VERSION = 3
# The oldest schema version whose code reads a journal of SCHEMA_VERSION correctly: version 3
# adds the basket's items, which version 2 code would not settle (see the module docstring).
READABLE_BY = 3


class SchemaError(Exception):
    """The journal was written by a release this one cannot read."""


def refusal(path: Path, version: int, readable_by: int | None) -> str | None:
    """None when this release reads a journal of ``version`` (upgrading an older one), else
    why not, for staff."""
    if version <= SCHEMA_VERSION:
        return None
    if readable_by is not None and readable_by <= SCHEMA_VERSION:
        return None
    needs = f"; it needs a release of schema {readable_by} or newer" if readable_by else ""
    return (
        f"{path}: schema version {version}, written by a newer release{needs}; this release "
        f"reads schema versions up to {SCHEMA_VERSION} (install the newer release again, or "
        "see docs/deploying.md, 'Journal schema and rollback')"
    )


def check_readable(path: Path) -> str:
    """What this release would do with the journal at ``path``, without writing to it;
    raises SchemaError when it cannot read it."""
    if not path.exists():
        return f"no journal yet at {path} (made at the first start, schema {SCHEMA_VERSION})"
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = dict(db.execute("SELECT key, value FROM meta").fetchall())
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise SchemaError(f"{path}: cannot read the journal's schema: {exc}") from exc
    stamp = rows.get("schema_version", "1")
    try:
        version = int(stamp)
        readable_by = int(rows["readable_by"]) if "readable_by" in rows else None
    except ValueError as exc:
        raise SchemaError(f"{path}: the journal's schema version is not a number") from exc
    if version < 1 or (version <= SCHEMA_VERSION and stamp != str(version)):
        # the journal opens versions up to this one only as written ("01" is not version 1)
        raise SchemaError(f"{path}: schema version {stamp} is not a schema version")
    why = refusal(path, version, readable_by)
    if why is not None:
        raise SchemaError(why)
    if version < SCHEMA_VERSION:
        return f"{path}: schema {version}, upgraded to {SCHEMA_VERSION} at the first start"
    if version > SCHEMA_VERSION:
        return f"{path}: schema {version} of a newer release, readable by this one"
    return f"{path}: schema {version}"
