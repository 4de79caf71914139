"""Benchmark of audio guidance's rendering: one catalog sentence per language, N renders each.

    nice .venv/bin/python benchmarks/speech.py [--runs 10]

Prints the median and worst wall time per language and the audio's duration. Nothing is
asserted. Playback (aplay) is not measured: it starts as soon as the WAV is rendered.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import wave
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk import i18n
from kiosk.speech import render

SENTENCE = "Enter the 4-digit PIN of your card's user identification certificate."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    for language in ("ja", "en", "zh_Hans", "zh_Hant", "ko", "es", "pt"):
        text = i18n.translate(SENTENCE, language)
        times = []
        wav = b""
        for _ in range(args.runs):
            start = time.perf_counter()
            wav = render(language, text)
            times.append(time.perf_counter() - start)
        with wave.open(io.BytesIO(wav)) as reader:
            seconds = reader.getnframes() / reader.getframerate()
        median_ms = statistics.median(times) * 1000
        print(
            f"{language:8} {len(text):3} chars  render median {median_ms:6.1f} ms"
            f"  max {max(times) * 1000:6.1f} ms  audio {seconds:4.1f} s"
        )


if __name__ == "__main__":
    main()
