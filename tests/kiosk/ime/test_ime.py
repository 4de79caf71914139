"""The on-screen keyboard's text model and the SKK dictionary reader (real Debian dictionaries)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.ime import KanaComposer, SkkDictionary, load_default_dictionary
from kiosk.ime.skk import DictionaryError, parse_line


@pytest.fixture(scope="module")
def skk() -> SkkDictionary:
    return load_default_dictionary()


def test_parse_line_strips_annotations_lisp_and_okuri_ari() -> None:
    assert parse_line('すずき /鈴木;姓/鱸/(concat "x")/鈴木/') == ("すずき", ["鈴木", "鱸"])
    assert parse_line("おくr /送/贈/") is None  # okuri-ari entry
    assert parse_line(";; comment") is None
    assert parse_line("garbage") is None
    assert parse_line("あ //") is None


def test_real_dictionaries_know_places_and_names(skk: SkkDictionary) -> None:
    assert "練馬" in skk.candidates("ねりま")
    assert "静岡" in skk.candidates("しずおか")
    assert "鈴木" in skk.candidates("すずき")
    assert "筆頭者" in skk.candidates("ひっとうしゃ")


def test_missing_dictionaries_are_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DictionaryError):
        SkkDictionary.load([tmp_path / "none"])


def test_long_reading_converts_piece_by_piece(skk: SkkDictionary) -> None:
    c = KanaComposer(dictionary=skk)
    c.type_kana("ねりまくとよたまきた")
    assert c.convert()[0] == "練馬区"
    assert c.candidate_reading == "ねりまく"
    c.choose(0)
    assert (c.committed, c.reading) == ("練馬区", "とよたまきた")
    assert c.convert()[0] == "豊玉北"
    c.choose(0)
    assert (c.text, c.reading) == ("練馬区豊玉北", "")


def test_digits_commit_pending_reading_and_backspace_edits_reading_first() -> None:
    c = KanaComposer(dictionary=SkkDictionary.from_lines(["ばんち /番地/"]))
    c.type_text("１２")
    c.type_kana("ばんち")
    c.backspace()
    assert (c.committed, c.reading) == ("１２", "ばん")
    c.type_kana("ち")
    c.convert()
    c.choose(0)
    assert c.text == "１２番地"


def test_dakuten_and_small_kana_cycle_the_last_kana() -> None:
    c = KanaComposer()
    c.type_kana("は")
    c.toggle_dakuten()
    assert c.reading == "ば"
    c.toggle_dakuten()
    assert c.reading == "ぱ"
    c.toggle_dakuten()
    assert c.reading == "は"
    c.type_kana("つ")
    c.toggle_small()
    assert c.reading == "はっ"


def test_katakana_commit_and_kana_always_offered() -> None:
    c = KanaComposer(dictionary=SkkDictionary.from_lines(["すみす /住澄/"]))
    c.type_kana("すみす")
    assert c.convert() == ["住澄", "すみす", "スミス"]
    c.commit_katakana()
    assert c.text == "スミス"


def test_max_length_is_never_exceeded() -> None:
    c = KanaComposer(max_length=3)
    c.type_kana("あいう")
    c.type_kana("え")
    c.type_text("1")
    assert c.text == "あいう"


@given(st.lists(st.sampled_from(["kana", "text", "bs", "conv", "choose", "dak", "small", "kata"])))
def test_random_key_sequences_never_break_the_model(keys: list[str]) -> None:
    c = KanaComposer(dictionary=SkkDictionary.from_lines(["あい /愛/藍/", "あ /亜/"]), max_length=8)
    for k in keys:
        {
            "kana": lambda: c.type_kana("あい"),
            "text": lambda: c.type_text("1"),
            "bs": c.backspace,
            "conv": c.convert,
            "choose": lambda: c.choose(0),
            "dak": c.toggle_dakuten,
            "small": c.toggle_small,
            "kata": c.commit_katakana,
        }[k]()
        assert len(c.text) <= 8
        assert all(cand for cand in c.candidates)
