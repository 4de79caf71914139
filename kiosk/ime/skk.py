"""Read SKK dictionaries (the kana → kanji dictionaries of the SKK input method).

Format (SKK-JISYO files, EUC-JP / EUC-JIS-2004): comment lines start with ``;``; an entry is
``<reading> /<candidate>[;<annotation>]/<candidate>/.../``. Readings ending in an ASCII letter
are *okuri-ari* entries (verb stems with an inflection letter) that a kiosk's noun entry does not
need; they are skipped. Candidates written as Lisp expressions (``(concat ...)``) are skipped too.

The kiosk enters addresses (本籍) and names (筆頭者): besides the large general dictionary
(SKK-JISYO.L) we read the place-name (geo) and person-name (jinmei) dictionaries of
skkdic-extra. Loading all three takes ~0.4 s, so the kiosk loads them off the UI thread the
first time the keyboard is needed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

SKK_DIR = Path("/usr/share/skk")

# Order matters: earlier dictionaries' candidates are offered first.
DEFAULT_DICTIONARIES: tuple[Path, ...] = (
    SKK_DIR / "SKK-JISYO.L",
    SKK_DIR / "SKK-JISYO.geo",
    SKK_DIR / "SKK-JISYO.jinmei",
)

# The dictionaries contain a few JIS X 0213 characters; euc_jis_2004 is the superset codec.
_ENCODING = "euc_jis_2004"
MAX_READING_LENGTH = 24  # longest reading looked up for a prefix match (longest entries ~20)


class DictionaryError(Exception):
    """No usable dictionary could be read."""


def parse_line(line: str) -> tuple[str, list[str]] | None:
    """Parse one dictionary line into (reading, candidates); None for comments/okuri-ari/junk."""
    if not line or line.startswith(";"):
        return None
    reading, sep, rest = line.partition(" /")
    if not sep or not reading or (reading[-1].isascii() and reading[-1].isalpha()):
        return None
    candidates: list[str] = []
    for raw in rest.split("/"):
        word = raw.split(";", 1)[0].strip()
        if not word or word.startswith("(") or word in candidates:
            continue
        candidates.append(word)
    return (reading, candidates) if candidates else None


@dataclass
class SkkDictionary:
    """Readings (hiragana) → kanji candidates, merged from several SKK dictionaries."""

    entries: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> SkkDictionary:
        d = cls()
        d.add_lines(lines)
        return d

    def add_lines(self, lines: Iterable[str]) -> None:
        for line in lines:
            parsed = parse_line(line)
            if parsed is None:
                continue
            reading, candidates = parsed
            known = self.entries.setdefault(reading, [])
            known.extend(c for c in candidates if c not in known)

    @classmethod
    def load(cls, paths: Sequence[Path] = DEFAULT_DICTIONARIES) -> SkkDictionary:
        """Read every dictionary in ``paths`` that exists; raise if none could be read."""
        d = cls()
        loaded = 0
        for path in paths:
            try:
                text = path.read_bytes().decode(_ENCODING, errors="replace")
            except OSError as exc:
                log.warning("SKK dictionary %s not readable: %s", path, exc)
                continue
            d.add_lines(text.splitlines())
            loaded += 1
        if not loaded:
            raise DictionaryError(f"no SKK dictionary found in {[str(p) for p in paths]}")
        return d

    def candidates(self, reading: str) -> list[str]:
        """Kanji candidates for exactly this reading (may be empty)."""
        return list(self.entries.get(reading, ()))

    def longest_prefix(self, reading: str) -> tuple[str, list[str]]:
        """The longest prefix of ``reading`` that has candidates, and those candidates.

        Returns ``("", [])`` when no prefix is known. This is how the keyboard converts a long
        reading such as ねりまくとよたま piece by piece (練馬 → 区 → 豊玉).
        """
        for end in range(min(len(reading), MAX_READING_LENGTH), 0, -1):
            found = self.entries.get(reading[:end])
            if found:
                return reading[:end], list(found)
        return "", []


def load_default_dictionary() -> SkkDictionary:
    """The kiosk's dictionary: general + places + person names (see DEFAULT_DICTIONARIES)."""
    return SkkDictionary.load(DEFAULT_DICTIONARIES)
