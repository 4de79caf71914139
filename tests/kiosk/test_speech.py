"""Audio guidance: the real engines (Open JTalk for Japanese, eSpeak NG for the other six)
render each language's own catalog text; the guide speaks the newest announcement, stops an
older one, stays silent (once logged) without a sound device or an engine, and never logs the
text. Only the player (aplay) is replaced, and only in the tests of the worker's ordering."""

from __future__ import annotations

import io
import logging
import subprocess
import threading
import time
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kiosk import i18n, speech
from kiosk.languages import LANGUAGES
from kiosk.speech import SilentSpeechGuide, SpeechError, SpeechGuide, mei_voice, render

SENTENCE = "Please choose what you would like to do."  # translated in every catalog


def check_wav(wav: bytes) -> tuple[float, int]:
    """(seconds, framerate) of a valid, non-silent 16-bit WAV."""
    with wave.open(io.BytesIO(wav)) as reader:
        assert reader.getnchannels() in (1, 2)
        assert reader.getsampwidth() == 2
        assert reader.getframerate() > 8000
        frames = reader.readframes(reader.getnframes())
        seconds = reader.getnframes() / reader.getframerate()
        rate = reader.getframerate()
    assert 0.3 < seconds < 20
    loudest = max(abs(int.from_bytes(frames[i : i + 2], "little", signed=True))
                  for i in range(0, len(frames), 2))  # fmt: skip
    assert loudest > 1000  # not silence
    return seconds, rate


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture
def engine_calls(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The argv of each engine run (the real engines still run)."""
    calls: list[list[str]] = []
    real = subprocess.run

    def spy(argv: list[str], *args: Any, **kwargs: Any) -> Any:
        calls.append(list(argv))
        return real(argv, *args, **kwargs)

    monkeypatch.setattr(speech.subprocess, "run", spy)
    return calls


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_speaks_its_own_catalog(language: str, engine_calls: list[list[str]]) -> None:
    text = i18n.translate(SENTENCE, language)
    if language != "en":
        assert text != SENTENCE  # really the translation
    check_wav(render(language, text))
    [argv] = engine_calls
    engine = "open_jtalk" if language == "ja" else "espeak-ng"
    assert Path(argv[0]).name == engine
    assert not any(text in arg or arg in text for arg in argv if len(arg) > 2)  # not on argv


def test_japanese_is_open_jtalk_with_the_debian_dictionary(engine_calls: list[list[str]]) -> None:
    voice = mei_voice()
    assert voice is not None
    seconds, rate = check_wav(render("ja", "住民票の写しを発行します。"))
    assert seconds > 1.0
    assert rate == 48_000  # the HTS voice's rate; eSpeak NG renders at 22 050 Hz
    [argv] = engine_calls
    assert argv[argv.index("-x") + 1] == "/var/lib/mecab/dic/open-jtalk/naist-jdic"
    assert argv[argv.index("-m") + 1] == str(voice)


@pytest.mark.parametrize(
    ("language", "voice"),
    [("en", "en"), ("es", "es"), ("pt", "pt-br"), ("ko", "ko"), ("zh_Hans", "cmn"),
     ("zh_Hant", "cmn")],
)  # fmt: skip
def test_espeak_voice_per_language(
    language: str, voice: str, engine_calls: list[list[str]]
) -> None:
    render(language, i18n.translate("Welcome", language))
    [argv] = engine_calls
    assert argv[argv.index("-v") + 1] == voice


def test_unknown_language_and_empty_text_are_errors() -> None:
    with pytest.raises(SpeechError, match="no voice"):
        render("fr", "Bonjour")
    with pytest.raises(SpeechError, match="nothing"):
        render("en", "   ")


def test_a_missing_engine_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # neither open_jtalk nor espeak-ng
    with pytest.raises(SpeechError, match="Open JTalk"):
        render("ja", "カードを置いてください。")
    with pytest.raises(SpeechError, match="espeak-ng"):
        render("en", "Please place your card.")


class Playback:
    """Stands for the aplay process: ``terminate`` ends its playback."""

    def __init__(self) -> None:
        self.ended = threading.Event()

    def terminate(self) -> None:
        self.ended.set()


class FakePlayer:
    """Records what is played; each playback lasts until stopped (or ``release``)."""

    def __init__(self) -> None:
        self.played: list[bytes] = []
        self.stopped: list[bytes] = []
        self.release = threading.Event()

    def __call__(self, wav: bytes, started: Callable[[Any], None]) -> bool:
        playback = Playback()
        started(playback)
        self.played.append(wav)
        while not playback.ended.wait(0.01):
            if self.release.is_set():
                return True
        self.stopped.append(wav)
        return True


def test_a_newer_announcement_replaces_a_pending_one() -> None:
    rendering = threading.Event()
    go_on = threading.Event()
    rendered: list[str] = []

    def renderer(language: str, text: str) -> bytes:
        rendered.append(text)
        if text == "A":
            rendering.set()
            assert go_on.wait(5)
        return text.encode()

    player = FakePlayer()
    player.release.set()  # each plays to its end
    guide = SpeechGuide(renderer=renderer, player=player)
    try:
        guide.say("ja", "A")
        assert rendering.wait(5)
        guide.say("ja", "B")  # pending while A renders…
        guide.say("ja", "C")  # …and replaced by C
        go_on.set()
        wait_for(lambda: guide.spoken == 1)
        time.sleep(0.05)
        assert rendered == ["A", "C"]
        assert player.played == [b"C"]  # A was superseded while rendering: never played
    finally:
        go_on.set()
        guide.close()


def test_a_newer_announcement_stops_the_one_playing_and_stop_silences() -> None:
    player = FakePlayer()
    guide = SpeechGuide(renderer=lambda language, text: text.encode(), player=player)
    try:
        guide.say("en", "A")
        wait_for(lambda: player.played == [b"A"])
        guide.say("en", "B")
        wait_for(lambda: player.played == [b"A", b"B"])
        assert player.stopped == [b"A"]
        guide.stop()
        wait_for(lambda: player.stopped == [b"A", b"B"])
        time.sleep(0.05)
        assert player.played == [b"A", b"B"]
    finally:
        guide.close()
    guide.say("en", "after close")  # ignored, no exception
    assert player.played == [b"A", b"B"]


def test_stop_while_rendering_drops_it() -> None:
    rendering = threading.Event()
    go_on = threading.Event()

    def renderer(language: str, text: str) -> bytes:
        if text == "A":
            rendering.set()
            assert go_on.wait(5)
        return text.encode()

    player = FakePlayer()
    player.release.set()
    guide = SpeechGuide(renderer=renderer, player=player)
    try:
        guide.say("ja", "A")
        assert rendering.wait(5)
        guide.stop()
        go_on.set()
        time.sleep(0.1)
        guide.say("ja", "B")
        wait_for(lambda: guide.spoken == 1)
        assert player.played == [b"B"]
    finally:
        go_on.set()
        guide.close()


def test_no_sound_device_is_silent_logged_once_and_never_logs_the_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "山田太郎 練馬区豊玉北6丁目12番1号"
    caplog.set_level(logging.DEBUG, logger="kiosk.speech")
    guide = SpeechGuide(device="no-such-device-for-this-test")  # the real aplay
    try:
        guide.say("ja", secret)
        wait_for(lambda: any(r.levelno == logging.WARNING for r in caplog.records))
        guide.say("en", "Please take your card, Mr Yamada.")
        wait_for(lambda: sum(r.levelno == logging.DEBUG for r in caplog.records) == 2)
        time.sleep(1.0)  # the second playback fails too
    finally:
        guide.close()
    assert guide.spoken == 0
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert f"in ja, {len(secret)} characters" in messages  # the language and length only
    for word in ("山田", "Yamada", "練馬"):
        assert word not in messages


def test_a_missing_engine_is_logged_once_and_never_raises(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    caplog.set_level(logging.DEBUG, logger="kiosk.speech")
    player = FakePlayer()
    guide = SpeechGuide(player=player)  # the real renderer, without its engines
    try:
        for count, language in enumerate(("en", "es", "ko", "en"), start=1):
            guide.say(language, "Secret Name")
            wait_for(lambda n=count: sum(r.levelno == logging.DEBUG for r in caplog.records) == n)
        time.sleep(0.1)
    finally:
        guide.close()
    assert player.played == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "espeak-ng" in warnings[0]
    assert all("Secret" not in r.getMessage() for r in caplog.records)


def test_a_faulty_renderer_does_not_stop_the_worker(caplog: pytest.LogCaptureFixture) -> None:
    def renderer(language: str, text: str) -> bytes:
        if text.startswith("bad"):
            raise UnicodeEncodeError("utf-8", text, 0, 1, "boom")
        return text.encode()

    player = FakePlayer()
    player.release.set()
    guide = SpeechGuide(renderer=renderer, player=player)
    try:
        guide.say("en", "bad Secret Name")
        wait_for(lambda: any(r.levelno == logging.WARNING for r in caplog.records))
        guide.say("en", "good")
        wait_for(lambda: player.played == [b"good"])
    finally:
        guide.close()
    assert all("Secret" not in r.getMessage() for r in caplog.records)


def test_silent_guide_records() -> None:
    guide = SilentSpeechGuide()
    guide.say("ko", "카드를 놓아 주십시오.")
    guide.stop()
    guide.close()
    assert guide.said == [("ko", "카드를 놓아 주십시오.")]
    assert guide.stopped == 1
    assert guide.closed


def test_cli_writes_the_wav(tmp_path: Path) -> None:
    out = tmp_path / "guide.wav"
    assert speech.main(["--language", "ja", "--out", str(out), "カードを置いてください。"]) == 0
    _, rate = check_wav(out.read_bytes())
    assert rate == 48_000
    with pytest.raises(SystemExit):
        speech.main(["--language", "fr", "--out", str(out), "Bonjour"])
