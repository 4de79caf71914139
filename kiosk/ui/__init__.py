"""The kiosk's touch UI (PySide6): the only package of kiosk/ that imports Qt.

Public API:

- :class:`KioskWindow` ``(source, sink, *, theme, size)``: renders the flow's state snapshots
  (``source.current()``, change notifications from any thread) and passes the resident's
  intents to ``sink`` on the UI thread. It decides nothing and does no I/O.
- :class:`StateSource` (protocol) and :class:`StateHolder` (a thread-safe implementation).
- :class:`Theme`, :class:`ThemeName`: standard and high-contrast palettes, sizes per screen.
- :class:`KanaKeyboard`: the on-screen Japanese keyboard (kiosk.ime + SKK candidates).

See docs/ui.md; ``python -m kiosk.ui.gallery`` writes screenshots of every screen.
"""

from kiosk.ui.kana_keyboard import DictionaryLoader, KanaKeyboard, shared_loader
from kiosk.ui.theme import Theme, ThemeName, contrast_ratio, font_family
from kiosk.ui.window import IntentSink, KioskWindow, StateHolder, StateSource

__all__ = [
    "DictionaryLoader",
    "IntentSink",
    "KanaKeyboard",
    "KioskWindow",
    "StateHolder",
    "StateSource",
    "Theme",
    "ThemeName",
    "contrast_ratio",
    "font_family",
    "shared_loader",
]
