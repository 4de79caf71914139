"""Audio guidance: the real engines (Open JTalk for Japanese, eSpeak NG for the other six)
render each language's own catalog text; the guide speaks the newest announcement, stops an
older one, stays silent (once logged) without a sound device, and never logs the text."""

from __future__ import annotations

import io
import logging
import threading
import time
import wave
from collections.abc import Callable

import pytest

from kiosk import i18n
from kiosk.speech import SpeechError, SpeechGuide, mei_voice, render

LANGUAGES = ["ja", "en", "zh_Hans", "zh_Hant", "ko", "es", "pt"]
SENTENCE = "Please choose what you would like to do."  # translated in all seven catalogs


def duration(wav: bytes) -> tuple[float, int]:
    with wave.open(io.BytesIO(wav)) as reader:
        frames = reader.readframes(reader.getnframes())
        assert reader.getsampwidth() == 2
        assert reader.getframerate() > 8000
        seconds = reader.getnframes() / reader.getframerate()
    loudest = max(abs(int.from_bytes(frames[i : i + 2], "little", signed=True))
                  for i in range(0, len(frames), 2))  # fmt: skip
    return seconds, loudest


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_speaks_its_own_catalog(language: str) -> None:
    text = i18n.translate(SENTENCE, language)
    if language != "en":
        assert text != SENTENCE  # really the translation
    seconds, loudest = duration(render(language, text))
    assert 0.3 < seconds < 20
    assert loudest > 1000  # not silence


def test_japanese_is_open_jtalk_with_the_mei_voice() -> None:
    assert mei_voice() is not None
    seconds, _ = duration(render("ja", "住民票の写しを発行します。"))
    assert seconds > 1.0


def test_unknown_language_and_empty_text_are_errors() -> None:
    with pytest.raises(SpeechError, match="no voice"):
        render("fr", "Bonjour")
    with pytest.raises(SpeechError, match="nothing"):
        render("en", "   ")


class Stub:
    """Stands for the aplay process: ``terminate`` ends its playback."""

    def __init__(self) -> None:
        self.ended = threading.Event()

    def terminate(self) -> None:
        self.ended.set()


def test_the_newest_announcement_wins() -> None:
    played: list[bytes] = []
    stopped: list[bytes] = []
    release = threading.Event()

    def player(wav: bytes, started: Callable[..., None]) -> bool:
        stub = Stub()
        started(stub)
        played.append(wav)
        if wav == b"A":  # the first plays until stopped or released
            if stub.ended.wait(5):
                stopped.append(wav)
        else:
            release.wait(5)
        return True

    guide = SpeechGuide(renderer=lambda language, text: text.encode(), player=player)
    try:
        guide.say("ja", "A")
        deadline = time.monotonic() + 5
        while not played and time.monotonic() < deadline:
            time.sleep(0.01)
        guide.say("ja", "B")  # stops A; replaced by C before it starts
        guide.say("ja", "C")
        deadline = time.monotonic() + 5
        while len(played) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        release.set()
        time.sleep(0.1)
        assert stopped == [b"A"]
        assert played == [b"A", b"C"]
    finally:
        release.set()
        guide.close()


def test_no_sound_device_is_silent_logged_once_and_never_logs_the_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "山田太郎 練馬区豊玉北6丁目12番1号"
    caplog.set_level(logging.DEBUG, logger="kiosk.speech")
    guide = SpeechGuide(device="no-such-device-for-this-test")
    try:
        guide.say("ja", secret)
        time.sleep(3)
        guide.say("en", "Please take your card.")
        time.sleep(3)
    finally:
        guide.close()
    assert guide.spoken == 0
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert all(secret not in r.getMessage() and "山田" not in r.getMessage()
               for r in caplog.records)  # fmt: skip
