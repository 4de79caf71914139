"""The text model behind the on-screen Japanese keyboard (no Qt).

The resident taps kana; the pending reading is shown underlined. "変換" (convert) looks up the
longest prefix of the reading in the SKK dictionary and offers candidates; choosing one commits
it and leaves the rest of the reading pending, so a long reading is converted piece by piece
(ねりまく → 練馬 + く → 区). "確定" commits the pending reading as hiragana, "カナ" as katakana.
Digits and symbols commit the pending reading first. Screens render ``committed``, ``reading``
and ``candidates``; they never edit the text themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.ime.skk import SkkDictionary

# Voiced / semi-voiced cycles for the ゛゜ key: tapping it cycles the last kana.
# fmt: off
_DAKUTEN_CYCLES = [
    "かが", "きぎ", "くぐ", "けげ", "こご", "さざ", "しじ", "すず", "せぜ", "そぞ",
    "ただ", "ちぢ", "つづ", "てで", "とど", "はばぱ", "ひびぴ", "ふぶぷ", "へべぺ", "ほぼぽ",
    "うゔ",
]
# fmt: on
_SMALL_CYCLES = ["あぁ", "いぃ", "うぅ", "えぇ", "おぉ", "つっ", "やゃ", "ゆゅ", "よょ", "わゎ"]


def _cycle_table(cycles: list[str]) -> dict[str, str]:
    table: dict[str, str] = {}
    for cycle in cycles:
        for i, ch in enumerate(cycle):
            table[ch] = cycle[(i + 1) % len(cycle)]
    return table


_DAKUTEN = _cycle_table(_DAKUTEN_CYCLES)
_SMALL = _cycle_table(_SMALL_CYCLES)


def _is_hiragana(ch: str) -> bool:
    return "\u3041" <= ch <= "\u3096" or ch == "ー"


def to_katakana(text: str) -> str:
    """Hiragana → katakana (other characters unchanged)."""
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)


@dataclass
class KanaComposer:
    """Committed text plus a pending hiragana reading and the current candidates."""

    dictionary: SkkDictionary | None = None
    max_length: int = 64
    committed: str = ""
    reading: str = ""
    candidates: list[str] = field(default_factory=list)
    candidate_reading: str = ""  # the prefix of ``reading`` the candidates are for

    @property
    def text(self) -> str:
        """What the field shows (pending reading included)."""
        return self.committed + self.reading

    def _room(self) -> int:
        return self.max_length - len(self.committed) - len(self.reading)

    def _drop_candidates(self) -> None:
        self.candidates = []
        self.candidate_reading = ""

    def type_kana(self, kana: str) -> None:
        """Append hiragana to the pending reading (ignored when the field is full)."""
        if not kana or not all(_is_hiragana(c) for c in kana) or self._room() < len(kana):
            return
        self.reading += kana
        self._drop_candidates()

    def type_text(self, text: str) -> None:
        """Commit the pending reading, then append digits, letters or symbols as they are."""
        self.commit_hiragana()
        if text and self._room() >= len(text):
            self.committed += text

    def toggle_dakuten(self) -> None:
        if self.reading and self.reading[-1] in _DAKUTEN:
            self.reading = self.reading[:-1] + _DAKUTEN[self.reading[-1]]
            self._drop_candidates()

    def toggle_small(self) -> None:
        if self.reading and self.reading[-1] in _SMALL:
            self.reading = self.reading[:-1] + _SMALL[self.reading[-1]]
            self._drop_candidates()

    def backspace(self) -> None:
        if self.reading:
            self.reading = self.reading[:-1]
        elif self.committed:
            self.committed = self.committed[:-1]
        self._drop_candidates()

    def clear(self) -> None:
        self.committed = ""
        self.reading = ""
        self._drop_candidates()

    def convert(self) -> list[str]:
        """Look up candidates for the longest known prefix of the reading."""
        self._drop_candidates()
        if self.dictionary is None or not self.reading:
            return []
        prefix, found = self.dictionary.longest_prefix(self.reading)
        self.candidate_reading = prefix
        # The kana themselves are always a choice (a name may be written in kana).
        self.candidates = [*found, prefix, to_katakana(prefix)] if prefix else []
        return list(self.candidates)

    def choose(self, index: int) -> None:
        """Commit candidate ``index`` for its prefix; the rest of the reading stays pending."""
        if not 0 <= index < len(self.candidates):
            return
        chosen = self.candidates[index]
        rest = self.reading[len(self.candidate_reading) :]
        if len(self.committed) + len(chosen) + len(rest) > self.max_length:
            return
        self.committed += chosen
        self.reading = rest
        self._drop_candidates()

    def commit_hiragana(self) -> None:
        self.committed += self.reading
        self.reading = ""
        self._drop_candidates()

    def commit_katakana(self) -> None:
        self.committed += to_katakana(self.reading)
        self.reading = ""
        self._drop_candidates()
