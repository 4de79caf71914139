"""``N_``: mark a screen text for extraction where it is defined (catalog tables) without
translating it; translate it with ``kiosk.i18n._`` where it is shown.

Kept apart from :mod:`kiosk.i18n` (which loads Babel and holds the process-wide language) so
that the tables the pure flow imports (the problem catalog, the refusal reasons) pull in
neither.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """``message`` itself: ``scripts/i18n extract`` collects it into the catalogs."""
    return message
