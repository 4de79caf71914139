"""The on-screen Japanese keyboard: a 50-sound kana grid, a digits/symbols page, and kanji
candidates from the SKK dictionaries (kiosk.ime).

The text model is :class:`kiosk.ime.KanaComposer`; this widget only shows it and feeds taps in.
The dictionary (~0.4 s to read) is loaded once per process on a worker thread
(:class:`DictionaryLoader`); until it is there the 変換 key is disabled and typing works.
Every edit emits ``text_changed`` with the field's whole text (pending reading included), which
the screen turns into the flow's ``EditField`` intent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.i18n import _
from kiosk.ime import KanaComposer, SkkDictionary, load_default_dictionary
from kiosk.ui.widgets import TouchButton, label, metrics

log = logging.getLogger(__name__)

# The 50-sound table, column by column (あ行 … わ行) as printed on kiosk keyboards; "" = gap.
KANA_COLUMNS: tuple[str, ...] = (
    "あいうえお",
    "かきくけこ",
    "さしすせそ",
    "たちつてと",
    "なにぬねの",
    "はひふへほ",
    "まみむめも",
    "や ゆ よ",
    "らりるれろ",
    "わをん ー",
)
# The digits/symbols page: full-width, as addresses are written in a 本籍.
SYMBOL_COLUMNS: tuple[str, ...] = (
    "１６－　",
    "２７・　",
    "３８ー　",
    "４９　　",
    "５０　　",
)
CANDIDATES_SHOWN = 5


class DictionaryLoader(QObject):
    """Loads the SKK dictionary once, off the UI thread; ``ready`` fires on the UI thread."""

    ready = Signal(object)  # SkkDictionary | None (None: could not be read)

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._started = False
        self.dictionary: SkkDictionary | None = None
        self.failed = False

    def start(self) -> None:
        """Begin loading (once); listeners of ``ready`` hear the result."""
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._load, name="skk-dictionary", daemon=True).start()

    def _load(self) -> None:
        try:
            dictionary: SkkDictionary | None = load_default_dictionary()
        except Exception:  # a missing or broken dictionary: typing still works, no kanji
            log.exception("SKK dictionary could not be loaded")
            dictionary = None
        self.dictionary = dictionary
        self.failed = dictionary is None
        self.ready.emit(dictionary)  # queued to the loader's (UI) thread's receivers

    @property
    def done(self) -> bool:
        return self.dictionary is not None or self.failed


_loader: DictionaryLoader | None = None


def shared_loader() -> DictionaryLoader:
    """The process's dictionary loader (made on the UI thread on first use)."""
    global _loader
    if _loader is None:
        _loader = DictionaryLoader()
    return _loader


class KanaKeyboard(QWidget):
    """Kana keys, 変換 with candidates, ひらがな/カタカナ commit, digits page, delete, clear."""

    text_changed = Signal(str)

    def __init__(
        self,
        loader: DictionaryLoader | None = None,
        max_length: int = 64,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.composer = KanaComposer(max_length=max_length)
        self._loader = loader or shared_loader()
        self._symbols = False
        self._candidate_page = 0
        key_height = metrics().key
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(metrics().px(6))
        # Candidate bar.
        bar = QHBoxLayout()
        bar.setSpacing(metrics().px(6))
        self.candidate_hint = label("", "muted")
        bar.addWidget(self.candidate_hint, 1)
        self.candidate_buttons: list[TouchButton] = []
        for index in range(CANDIDATES_SHOWN):
            button = TouchButton("", "primary", min_height=key_height)
            button.clicked.connect(lambda _=False, i=index: self._choose(i))
            self.candidate_buttons.append(button)
            bar.addWidget(button, 1)
        self.more = TouchButton("▶", min_height=key_height)
        self.more.clicked.connect(self._more_candidates)
        bar.addWidget(self.more)
        outer.addLayout(bar)
        # Key grid: 10 kana columns × 5 rows.
        self.grid = QGridLayout()
        self.grid.setSpacing(metrics().px(6))
        self.keys: list[list[TouchButton]] = []
        for column in range(10):
            keys = []
            for row in range(5):
                button = TouchButton("", keycap=True, min_height=key_height)
                button.clicked.connect(lambda _=False, b=button: self._type(b.text()))
                self.grid.addWidget(button, row, column)
                keys.append(button)
            self.keys.append(keys)
        # Function column.
        self.dakuten = self._function(0, "゛゜", self._dakuten)
        self.small = self._function(1, "小", self._small)
        self.backspace = self._function(2, "", self._backspace)
        self.clear_key = self._function(3, "", self._clear)
        self.space = self._function(4, "", lambda: self._type("　"))
        outer.addLayout(self.grid)
        # Bottom row: page switch and conversion.
        bottom = QHBoxLayout()
        bottom.setSpacing(metrics().px(6))
        self.page_key = TouchButton("", min_height=key_height)
        self.page_key.clicked.connect(self._toggle_page)
        self.convert_key = TouchButton("", "primary", min_height=key_height)
        self.convert_key.clicked.connect(self._convert)
        self.hiragana_key = TouchButton("", min_height=key_height)
        self.hiragana_key.clicked.connect(self._commit_hiragana)
        self.katakana_key = TouchButton("", min_height=key_height)
        self.katakana_key.clicked.connect(self._commit_katakana)
        for widget, stretch in (
            (self.page_key, 2),
            (self.convert_key, 3),
            (self.hiragana_key, 2),
            (self.katakana_key, 2),
        ):
            bottom.addWidget(widget, stretch)
        outer.addLayout(bottom)
        self._loader.ready.connect(self._dictionary_ready, Qt.ConnectionType.QueuedConnection)
        if self._loader.dictionary is not None:
            self.composer.dictionary = self._loader.dictionary
        self._loader.start()
        self._show_keys()
        self.retranslate()

    def _function(self, row: int, text: str, slot: Callable[[], None]) -> TouchButton:
        button = TouchButton(text, keycap=True, min_height=metrics().key)
        button.clicked.connect(slot)
        self.grid.addWidget(button, row, 10)
        return button

    # --- view -------------------------------------------------------------------------------

    def retranslate(self) -> None:
        """Set the function keys' captions in the current language."""
        self.backspace.setText(_("Delete"))
        self.clear_key.setText(_("Clear"))
        self.space.setText(_("Space"))
        self.page_key.setText(_("Kana") if self._symbols else _("Numbers"))
        self.convert_key.setText(_("Convert to kanji"))
        self.hiragana_key.setText(_("Hiragana"))
        self.katakana_key.setText(_("Katakana"))
        self._show_candidates()

    def _show_keys(self) -> None:
        columns = SYMBOL_COLUMNS if self._symbols else KANA_COLUMNS
        for index, keys in enumerate(self.keys):
            column = columns[index] if index < len(columns) else ""
            for row, button in enumerate(keys):
                char = column[row] if row < len(column) else " "
                blank = char in (" ", "　")  # a gap in the table
                button.setText("" if blank else char)
                button.setEnabled(not blank)
        self.dakuten.setEnabled(not self._symbols)
        self.small.setEnabled(not self._symbols)

    def _show_candidates(self) -> None:
        candidates = self.composer.candidates
        start = self._candidate_page * CANDIDATES_SHOWN
        shown = candidates[start : start + CANDIDATES_SHOWN]
        for index, button in enumerate(self.candidate_buttons):
            button.setVisible(index < len(shown))
            button.setText(shown[index] if index < len(shown) else "")
        self.more.setVisible(len(candidates) > CANDIDATES_SHOWN)
        ready = self.composer.dictionary is not None
        self.convert_key.setEnabled(ready and bool(self.composer.reading))
        if candidates:
            self.candidate_hint.setVisible(False)
        else:
            self.candidate_hint.setVisible(True)
            if not ready and not self._loader.failed:
                self.candidate_hint.setText(_("Preparing kanji conversion…"))
            elif not ready:
                self.candidate_hint.setText(_("Kanji conversion is not available."))
            else:
                self.candidate_hint.setText(
                    _("Type the reading in kana, then tap “Convert to kanji”.")
                )

    # --- editing ----------------------------------------------------------------------------

    def set_text(self, text: str) -> None:
        """Show ``text`` as committed (from the snapshot) unless it is what is shown already."""
        if text != self.composer.text:
            self.composer.clear()
            self.composer.committed = text[: self.composer.max_length]
            self._candidate_page = 0
            self._show_candidates()

    def set_max_length(self, max_length: int) -> None:
        self.composer.max_length = max_length

    def _changed(self) -> None:
        self._candidate_page = 0
        self._show_candidates()
        self.text_changed.emit(self.composer.text)

    def _type(self, char: str) -> None:
        if not char:
            return
        if "\u3041" <= char <= "\u3096" or char == "ー":
            self.composer.type_kana(char)
        else:
            self.composer.type_text(char)
        self._changed()

    def _dakuten(self) -> None:
        self.composer.toggle_dakuten()
        self._changed()

    def _small(self) -> None:
        self.composer.toggle_small()
        self._changed()

    def _backspace(self) -> None:
        self.composer.backspace()
        self._changed()

    def _clear(self) -> None:
        self.composer.clear()
        self._changed()

    def _convert(self) -> None:
        self.composer.convert()
        self._candidate_page = 0
        self._show_candidates()

    def _more_candidates(self) -> None:
        pages = max(1, -(-len(self.composer.candidates) // CANDIDATES_SHOWN))
        self._candidate_page = (self._candidate_page + 1) % pages
        self._show_candidates()

    def _choose(self, index: int) -> None:
        self.composer.choose(self._candidate_page * CANDIDATES_SHOWN + index)
        self._changed()

    def _commit_hiragana(self) -> None:
        self.composer.commit_hiragana()
        self._changed()

    def _commit_katakana(self) -> None:
        self.composer.commit_katakana()
        self._changed()

    def _toggle_page(self) -> None:
        self._symbols = not self._symbols
        self._show_keys()
        self.retranslate()

    def _dictionary_ready(self, dictionary: object) -> None:
        if isinstance(dictionary, SkkDictionary):
            self.composer.dictionary = dictionary
        self._show_candidates()

    def press(self, text: str) -> None:
        """Tap the key showing ``text`` (switching pages if needed); for tests and the gallery."""
        for keys in self.keys:
            for button in keys:
                if button.text() == text and button.isEnabled():
                    button.click()
                    return
        self._toggle_page()
        for keys in self.keys:
            for button in keys:
                if button.text() == text and button.isEnabled():
                    button.click()
                    self._toggle_page()
                    return
        self._toggle_page()
        raise KeyError(text)
