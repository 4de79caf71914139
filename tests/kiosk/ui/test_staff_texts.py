"""The staff catalogs (locales/{ja,en}/LC_MESSAGES/staff.po): every S_("…") of the staff
console is in the template and translated in both, placeholders intact, the catalogs compile
and are the ones the console reads."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from kiosk.ui.staff.texts import LANGUAGES, S_, reload_catalogs, st
from tests.kiosk.test_i18n import placeholders

REPO = Path(__file__).resolve().parents[3]
LOCALES = REPO / "locales"


def staff_catalog(code: str) -> Catalog:
    with (LOCALES / code / "LC_MESSAGES" / "staff.po").open("rb") as stream:
        return read_po(stream, locale=code)


def source_msgids() -> set[str]:
    """What scripts/i18n extract finds for the staff domain: S_("…") in kiosk/ui/staff."""
    return {
        str(message)
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(REPO), [("kiosk/ui/staff/**.py", "python")], keywords={"S_": None}
        )
    }


def test_the_staff_console_marks_its_texts() -> None:
    assert len(source_msgids()) > 100  # the extraction finds the console's words


def test_every_staff_text_is_in_the_template() -> None:
    with (LOCALES / "staff.pot").open("rb") as stream:
        template = {m.id for m in read_po(stream) if m.id}
    missing = source_msgids() - template
    assert not missing, f"run scripts/i18n extract and update: {sorted(missing)[:5]}"


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_staff_text_is_translated(code: str) -> None:
    entries = {m.id: m for m in staff_catalog(code) if m.id}
    problems = []
    for msgid in sorted(source_msgids()):
        entry = entries.get(msgid)
        if entry is None:
            problems.append(f"missing: {msgid!r}")
        elif entry.fuzzy or not entry.string:
            problems.append(f"untranslated: {msgid!r}")
        elif placeholders(str(entry.string)) != placeholders(msgid):
            problems.append(f"placeholders: {msgid!r} → {entry.string!r}")
    assert not problems, f"{code}: {len(problems)} problems, e.g. {problems[:5]}"


@pytest.mark.parametrize("code", LANGUAGES)
def test_each_staff_catalog_compiles(code: str) -> None:
    catalog = staff_catalog(code)
    errors = [(m.id, e) for m, e in catalog.check() if e]
    assert not errors, errors[:3]
    out = io.BytesIO()
    write_mo(out, catalog)
    assert out.getvalue()[:4] in (b"\xde\x12\x04\x95", b"\x95\x04\x12\xde")


def test_the_compiled_catalogs_are_read() -> None:
    reload_catalogs()
    assert st(S_("Staff menu"), "ja") == "係員メニュー"
    assert st(S_("Staff menu"), "en") == "Staff menu"
    assert st(S_("Staff menu"), "ko") == "Staff menu"  # staff screens: Japanese or English
