"""The screen languages (kiosk.languages): gettext catalogs, the current language, and Babel
formatting.

- ``_`` is imported explicitly (``from kiosk.i18n import _``), never installed into builtins;
  it translates into the *current* language at call time, so a screen that re-renders after a
  language change shows the new language (Frescobaldi's ``translateUI`` pattern).
- ``N_`` marks a string for extraction where it is defined (catalog tables); translate it with
  ``_`` where it is shown.
- Placeholders are named and filled with ``.format()``: ``_("{amount} paid").format(amount=…)``.
  The tests reject a translation whose placeholders differ from its msgid.
- ``set_language`` switches live and notifies listeners (the Qt layer re-translates widgets).
- Amounts and dates are formatted per language with Babel; the yen has no decimals.

Catalogs live in ``locales/<code>/LC_MESSAGES/kiosk.po`` (``scripts/i18n`` extracts, updates and
compiles them). The printed certificate stays Japanese and does not use this module.
"""

from __future__ import annotations

import gettext
import logging
import threading
from collections.abc import Callable, Sequence
from datetime import date
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.lists import format_list as babel_format_list
from babel.numbers import format_decimal

from kiosk.languages import DEFAULT_LANGUAGE
from kiosk.languages import language as language_row
from kiosk.msgids import N_

log = logging.getLogger(__name__)

DOMAIN = "kiosk"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locales"

LanguageListener = Callable[[str], None]

__all__ = [
    "DEFAULT_LANGUAGE",
    "DOMAIN",
    "LOCALE_DIR",
    "N_",
    "LanguageHolder",
    "_",
    "babel_locale",
    "current",
    "current_language",
    "format_date",
    "format_yen",
    "language_name",
    "ngettext",
    "reload_catalogs",
    "set_language",
    "translate",
]


@cache
def _catalog(language: str) -> gettext.NullTranslations:
    """The compiled catalog of ``language``; an empty one (msgids shown) if it is missing."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    try:
        with path.open("rb") as stream:
            return gettext.GNUTranslations(stream)
    except (OSError, ValueError) as exc:  # missing, or not a .mo file (bad magic, bad charset)
        log.error("no compiled catalog for %s (%s): run scripts/i18n compile", language, exc)
        return gettext.NullTranslations()


def reload_catalogs() -> None:
    """Forget the loaded catalogs (after ``scripts/i18n compile``; used by tests)."""
    _catalog.cache_clear()


class LanguageHolder:
    """The current screen language, switched live; listeners hear every change."""

    def __init__(self, language: str = DEFAULT_LANGUAGE) -> None:
        self._lock = threading.Lock()
        self._language = _checked(language)
        self._listeners: list[LanguageListener] = []

    @property
    def language(self) -> str:
        return self._language

    def set(self, language: str) -> None:
        """Switch to ``language`` (a kiosk.languages code); listeners hear it if it changed."""
        code = _checked(language)
        with self._lock:
            changed = code != self._language
            self._language = code
            listeners = list(self._listeners)
        if changed:
            for listener in listeners:
                try:
                    listener(code)
                except Exception:  # one broken widget must not stop the others re-translating
                    log.exception("language listener failed")

    def add_listener(self, listener: LanguageListener) -> Callable[[], None]:
        """Call ``listener(code)`` on every change; returns a function that removes it."""
        with self._lock:
            self._listeners.append(listener)

        def remove() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return remove


def _checked(code: str) -> str:
    return language_row(code).code  # ValueError for a code not in kiosk.languages


current = LanguageHolder()


def current_language() -> str:
    return current.language


def set_language(language: str) -> None:
    current.set(language)


def _(message: str) -> str:
    """``message`` translated into the current language."""
    return _catalog(current.language).gettext(message)


def translate(message: str, language: str) -> str:
    """``message`` translated into ``language`` (not the current one)."""
    return _catalog(_checked(language)).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n`` in the current language."""
    return _catalog(current.language).ngettext(singular, plural, n)


def language_name(code: str) -> str:
    """The language's name in that language (for the language button)."""
    return language_row(code).native_name


@cache
def babel_locale(language: str) -> Locale:
    """The Babel locale of a screen language (zh_Hans and zh_Hant are script subtags)."""
    return Locale.parse(_checked(language))


def format_yen(amount: int, language: str | None = None) -> str:
    """A whole-yen amount for the screen, e.g. ``1,500円`` (ja), ``1.500 yenes`` (es)."""
    code = current.language if language is None else _checked(language)
    locale = babel_locale(code)
    one, other = language_row(code).yen_forms
    form = one if locale.plural_form(abs(amount)) == "one" else other
    return form.format(n=format_decimal(amount, locale=locale))


def format_date(day: date, language: str | None = None) -> str:
    """A date written out per language (CLDR "long"): ``2026年3月5日``, ``5 de marzo de 2026``."""
    code = current.language if language is None else _checked(language)
    return babel_format_date(day, "long", locale=babel_locale(code))


def format_list(items: Sequence[str], language: str | None = None) -> str:
    """Items joined as the language writes a list (CLDR): ``A、B`` (ja), ``A, B and C`` (en)."""
    code = current.language if language is None else _checked(language)
    return babel_format_list(list(items), style="standard", locale=babel_locale(code))
