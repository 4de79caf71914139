"""A serial device behind a pseudo-terminal: the driver opens a path (``DIR/id003``) and cannot
tell it from a USB-serial adapter.

The simulator holds the master side and keeps the slave open itself too, so the port survives
the kiosk closing it (or being killed): bytes the device sends meanwhile wait in the line, as
they would in a real adapter's buffer — the driver must resynchronise on them. Both sides are
raw (no echo, no line editing); baud rate and parity are accepted as set by the driver but a
pty has no wire, so the simulator paces what it sends at the configured baud rate itself.

Fault injection on what the device sends: line noise (a bit flipped with a probability per
byte), one-shot garbage before the next answer, a delay before every answer, and silence.
"""

from __future__ import annotations

import contextlib
import os
import random
import select
import termios
import threading
import time
import tty
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

Answer = Callable[[bytes], bytes | None]


@dataclass
class LineFaults:
    """What goes wrong on the line (changed at any time by the control socket)."""

    noise: float = 0.0  # probability that a byte sent is corrupted (one bit flipped)
    garbage: bytes = b""  # sent once, before the next answer
    delay_s: float = 0.0  # every answer comes this late
    mute: bool = False  # the device does not answer at all


class PtyPort:
    """One device's port: ``link`` becomes a symlink to the slave (``/dev/pts/N``)."""

    def __init__(self, link: Path, *, bits_per_byte: int, baud: int = 9600) -> None:
        self.link = link
        self.faults = LineFaults()
        self.byte_time_s = bits_per_byte / baud  # start + 8 data (+ parity) + stop bits
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        attributes = termios.tcgetattr(self._slave)
        attributes[3] &= ~termios.ECHO  # lflag: never echo the host's bytes back by itself
        termios.tcsetattr(self._slave, termios.TCSANOW, attributes)
        with contextlib.suppress(FileNotFoundError):
            link.unlink()
        link.symlink_to(os.ttyname(self._slave))
        self._random = random.Random()
        self._write_lock = threading.Lock()
        self._closed = threading.Event()

    def read(self, timeout_s: float) -> bytes:
        """What the host sent (b"" when nothing came within ``timeout_s``)."""
        try:
            ready, _, _ = select.select([self._master], [], [], timeout_s)
            if not ready:
                return b""
            return os.read(self._master, 4096)
        except OSError:
            if self._closed.is_set():
                return b""
            raise

    def send(self, data: bytes, *, answer: bool = True) -> None:
        """Send ``data`` to the host at the line's pace, with the line's faults applied to
        answers (``answer=False``: an echo of the host's own bytes, never delayed or muted)."""
        faults = self.faults
        if answer:
            if faults.mute:
                return
            if faults.delay_s:
                time.sleep(faults.delay_s)
            if faults.garbage:
                data = faults.garbage + data
                faults.garbage = b""
            if faults.noise:
                data = bytes(self._corrupt(b, faults.noise) for b in data)
        with self._write_lock:
            for offset in range(0, len(data), 16):
                chunk = data[offset : offset + 16]
                os.write(self._master, chunk)
                time.sleep(len(chunk) * self.byte_time_s)

    def close(self) -> None:
        self._closed.set()
        with contextlib.suppress(FileNotFoundError):
            self.link.unlink()
        for descriptor in (self._master, self._slave):
            with contextlib.suppress(OSError):
                os.close(descriptor)

    def _corrupt(self, byte: int, rate: float) -> int:
        if self._random.random() < rate:
            return byte ^ (1 << self._random.randrange(8))
        return byte


__all__ = ["Answer", "LineFaults", "PtyPort"]
