"""The staff screens' words: a gettext domain of their own (``staff``), in Japanese and English.

Staff screens are for store staff and city-hall IT, not residents: they are in Japanese and
English (the ``staff`` catalogs, locales/ja and locales/en), switchable on the staff header,
independent of the residents' language. ``S_`` marks a msgid where it is defined, ``st``
translates it into a staff language (scripts/i18n extracts both into locales/staff.pot;
tests/kiosk/ui/test_staff_texts.py checks that both catalogs translate every msgid).
"""

from __future__ import annotations

import gettext
import logging
from functools import cache

from kiosk.i18n import LOCALE_DIR

log = logging.getLogger(__name__)

DOMAIN = "staff"
LANGUAGES = ("ja", "en")


def S_(message: str) -> str:
    """Mark ``message`` for the staff catalog (translate it with :func:`st` where shown)."""
    return message


@cache
def _catalog(language: str) -> gettext.NullTranslations:
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    try:
        with path.open("rb") as stream:
            return gettext.GNUTranslations(stream)
    except (OSError, ValueError) as exc:
        log.error("no compiled staff catalog for %s (%s): run scripts/i18n compile", language, exc)
        return gettext.NullTranslations()


def st(message: str, language: str) -> str:
    """``message`` in the staff language ``language`` (ja or en; anything else: English)."""
    return _catalog(language if language in LANGUAGES else "en").gettext(message)


def reload_catalogs() -> None:
    _catalog.cache_clear()


__all__ = ["DOMAIN", "LANGUAGES", "S_", "reload_catalogs", "st"]
