"""取り忘れ reminder sounds: card left on the reader, certificates in the tray, change not taken.

Each reminder is a short chime generated here (16-bit PCM WAV, no sound files to ship) and
played with ``aplay`` (alsa-utils) on a worker thread, never on the UI thread. A kiosk without a
sound device, or without aplay, plays nothing and says so once in the log: a missing speaker
must never stop an issuance.

    player = AplayReminderPlayer()
    player.play(Reminder.CARD)      # returns at once
    player.close()
"""

from __future__ import annotations

import io
import logging
import math
import shutil
import subprocess
import threading
import wave
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache

from kiosk.flow.effects import Reminder

log = logging.getLogger(__name__)

SAMPLE_RATE = 22_050  # Hz: plenty for chimes under 2 kHz, small buffers
AMPLITUDE = 0.45  # of full scale: clearly audible in a store, not startling
FADE_S = 0.012  # attack/release ramps, so notes do not click
PLAY_TIMEOUT_S = 5.0  # a chime lasts about a second; a hung audio device must not pile up
MAX_QUEUED = 2  # reminders come every 10–15 s; more queued than this means audio is stuck

# (frequency Hz, seconds) per note; 0 Hz is a rest. Distinct shapes so staff and residents can
# tell them apart: the card's two-note call, the tray's rising triad, the coins' bright double.
MELODIES: dict[Reminder, tuple[tuple[float, float], ...]] = {
    Reminder.CARD: ((880.0, 0.18), (0.0, 0.06), (660.0, 0.30)),
    Reminder.CERTIFICATES: ((523.25, 0.16), (659.25, 0.16), (783.99, 0.32)),
    Reminder.CHANGE: ((1318.5, 0.10), (0.0, 0.05), (1318.5, 0.10), (0.0, 0.05), (1568.0, 0.22)),
    Reminder.MONEY: ((1318.5, 0.10), (0.0, 0.05), (1318.5, 0.10), (0.0, 0.05), (1568.0, 0.22)),
}


def render_wav(notes: Sequence[tuple[float, float]], sample_rate: int = SAMPLE_RATE) -> bytes:
    """A mono 16-bit WAV of ``notes`` (sine tones with soft edges and a gentle decay)."""
    frames = bytearray()
    fade = max(1, int(FADE_S * sample_rate))
    for frequency, seconds in notes:
        count = max(1, int(seconds * sample_rate))
        for i in range(count):
            if frequency <= 0:
                sample = 0.0
            else:
                envelope = min(1.0, i / fade, (count - i) / fade) * math.exp(-2.0 * i / count)
                tone = math.sin(2 * math.pi * frequency * i / sample_rate)
                overtone = 0.25 * math.sin(4 * math.pi * frequency * i / sample_rate)
                sample = AMPLITUDE * envelope * (tone + overtone) / 1.25
            frames += int(max(-1.0, min(1.0, sample)) * 32767).to_bytes(2, "little", signed=True)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(bytes(frames))
    return buffer.getvalue()


@cache
def reminder_wav(reminder: Reminder) -> bytes:
    """The WAV played for ``reminder`` (made once)."""
    return render_wav(MELODIES[reminder])


def aplay_argv(device: str | None = None) -> list[str] | None:
    """``aplay`` reading a WAV from stdin, quietly, on ``device`` (the default one if None);
    None where aplay is not installed. Shared with audio guidance (kiosk/speech.py)."""
    binary = shutil.which("aplay")
    if binary is None:
        return None
    return [binary, "-q", *(["-D", device] if device else []), "-"]


class AplayReminderPlayer:
    """Plays reminders with ``aplay`` off the calling thread; silent where that cannot work."""

    def __init__(self, *, device: str | None = None, enabled: bool = True) -> None:
        self._aplay = aplay_argv(device) if enabled else None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-sound")
        self._lock = threading.Lock()
        self._queued = 0
        self._warned = False
        self.played = 0  # reminders that reached the sound device (for staff diagnostics)
        if enabled and self._aplay is None:
            log.warning("aplay not found: reminder sounds are off")

    def play(self, reminder: Reminder) -> None:
        """Queue ``reminder``; returns at once (dropped if the audio device is stuck)."""
        if self._aplay is None:
            return
        with self._lock:
            if self._queued >= MAX_QUEUED:
                return
            self._queued += 1
        try:
            self._executor.submit(self._play, reminder)
        except RuntimeError:  # closed
            with self._lock:
                self._queued -= 1

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _play(self, reminder: Reminder) -> None:
        try:
            assert self._aplay is not None
            result = subprocess.run(
                self._aplay,
                input=reminder_wav(reminder),
                capture_output=True,
                timeout=PLAY_TIMEOUT_S,
                check=False,
            )
            if result.returncode == 0:
                self.played += 1
            elif not self._warned:
                self._warned = True
                detail = result.stderr.decode(errors="replace").strip().splitlines()
                log.warning("reminder sound unavailable: %s", detail[-1] if detail else "aplay")
        except (OSError, subprocess.TimeoutExpired) as exc:
            if not self._warned:
                self._warned = True
                log.warning("reminder sound unavailable: %s", type(exc).__name__)
        finally:
            with self._lock:
                self._queued -= 1


class SilentReminderPlayer:
    """For profiles with sound switched off (and for tests): records what it was asked."""

    def __init__(self) -> None:
        self.requested: list[Reminder] = []

    def play(self, reminder: Reminder) -> None:
        self.requested.append(reminder)

    def close(self) -> None:
        pass


__all__ = [
    "MELODIES",
    "AplayReminderPlayer",
    "SilentReminderPlayer",
    "aplay_argv",
    "reminder_wav",
    "render_wav",
]
