"""Which journal a release reads (kiosk/journal/schema.py): an older one is upgraded, a newer
one is read only when the release that wrote it says this one can (``readable_by``), and the
self test checks it read-only — before an update or a rollback switches releases."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kiosk.journal import Journal, JournalError, PaymentIntent, TransactionOpened
from kiosk.journal.schema import READABLE_BY, SCHEMA_VERSION, SchemaError, check_readable


def meta(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT key, value FROM meta").fetchall())


def set_meta(path: Path, **values: str | None) -> None:
    db = sqlite3.connect(path)
    with db:
        for key, value in values.items():
            if value is None:
                db.execute("DELETE FROM meta WHERE key = ?", (key,))
            else:
                db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
    db.close()


@pytest.fixture
def journal_file(tmp_path: Path) -> Path:
    path = tmp_path / "journal.sqlite"
    with Journal(path) as journal:
        journal.write(TransactionOpened("t1", "issue", "juminhyo", 1, 300))
        journal.write(PaymentIntent("t1", 300))
    return path


def test_a_new_journal_says_which_releases_read_it(journal_file: Path) -> None:
    assert meta(journal_file) == {
        "schema_version": str(SCHEMA_VERSION),
        "readable_by": str(READABLE_BY),
    }
    assert READABLE_BY == 3  # version 2 code would misread a basket's items


def test_a_journal_made_before_the_key_gets_it(journal_file: Path) -> None:
    set_meta(journal_file, readable_by=None)
    Journal(journal_file).close()
    assert meta(journal_file)["readable_by"] == str(READABLE_BY)


def test_a_newer_journal_that_allows_this_release_is_read_and_left_as_it_is(
    journal_file: Path,
) -> None:
    set_meta(journal_file, schema_version="4", readable_by="2")
    with Journal(journal_file) as journal:
        (summary,) = journal.open_transactions()
        assert summary.txn_id == "t1"
    assert meta(journal_file) == {"schema_version": "4", "readable_by": "2"}
    assert "readable by this one" in check_readable(journal_file)


@pytest.mark.parametrize(
    ("version", "readable_by", "says"),
    [
        ("4", "4", "written by a newer release; it needs a release of schema 4 or newer"),
        ("4", None, "written by a newer release; this release reads"),
        ("99", "5", "schema version 99"),
        ("0", "0", "not a schema version"),
        ("-1", None, "not a schema version"),
        ("01", None, "not a schema version"),  # no release writes it: never read as version 1
        ("four", None, "not a number"),
    ],
)
def test_a_journal_this_release_cannot_read_is_refused_and_named(
    journal_file: Path, version: str, readable_by: str | None, says: str
) -> None:
    set_meta(journal_file, schema_version=version, readable_by=readable_by)
    before = journal_file.read_bytes()
    with pytest.raises(JournalError, match=says):
        Journal(journal_file)
    with pytest.raises(SchemaError, match=says.split(";")[0]):
        check_readable(journal_file)
    assert journal_file.read_bytes() == before


def test_the_check_never_writes(journal_file: Path) -> None:
    """An older journal is reported as upgraded at the first start, and left as it is: the
    self test of a release that is not switched to must not change the running one's journal."""
    set_meta(journal_file, schema_version="2", readable_by=None)
    before = journal_file.read_bytes()
    assert "schema 2, upgraded to 3 at the first start" in check_readable(journal_file)
    assert journal_file.read_bytes() == before
    assert meta(journal_file) == {"schema_version": "2"}


def test_the_check_of_no_journal_or_not_a_journal(tmp_path: Path) -> None:
    assert "no journal yet" in check_readable(tmp_path / "none.sqlite")
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database" * 100)
    with pytest.raises(SchemaError, match="cannot read the journal's schema"):
        check_readable(bad)
    assert check_readable(Path(bad.parent / "none.sqlite")).endswith(f"schema {SCHEMA_VERSION})")


@pytest.mark.parametrize(
    ("version", "readable_by", "says"),
    [
        ("3", None, "schema 3"),  # made by the basket's release, before the key existed
        ("3", "3", "schema 3"),
        ("4", "3", "schema 4 of a newer release, readable by this one"),  # the limit itself
        ("1", None, "schema 1, upgraded to 3 at the first start"),
        (None, None, "schema 1, upgraded to 3 at the first start"),  # no stamp: version 1
    ],
)
def test_the_edges_of_what_this_release_reads(
    journal_file: Path, version: str | None, readable_by: str | None, says: str
) -> None:
    set_meta(journal_file, schema_version=version, readable_by=readable_by)
    assert check_readable(journal_file) == f"{journal_file}: {says}"


def test_a_refusal_names_the_file_and_where_to_read_on(journal_file: Path) -> None:
    set_meta(journal_file, schema_version="4", readable_by="4")
    whole = (
        f"{journal_file}: schema version 4, written by a newer release; it needs a release of"
        " schema 4 or newer; this release reads schema versions up to 3 (install the newer"
        " release again, or see docs/deploying.md, 'Journal schema and rollback')"
    )
    with pytest.raises(JournalError) as opened:
        Journal(journal_file)
    assert str(opened.value) == whole
    with pytest.raises(SchemaError) as checked:
        check_readable(journal_file)
    assert str(checked.value) == whole
