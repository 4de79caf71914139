"""Japanese text entry for the on-screen keyboard: a kana composer with kanji candidates from
the SKK dictionaries that Debian ships (packages skkdic, skkdic-extra).

Used by the usage-registration screens (本籍, 筆頭者氏名). Pure Python, no Qt.
"""

from kiosk.ime.composer import KanaComposer
from kiosk.ime.skk import DEFAULT_DICTIONARIES, SkkDictionary, load_default_dictionary

__all__ = ["DEFAULT_DICTIONARIES", "KanaComposer", "SkkDictionary", "load_default_dictionary"]
