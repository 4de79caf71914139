"""A serial port for the cash unit's drivers: the only module that imports pyserial.

One :class:`SerialLink` per port, used by the one worker thread that owns it (a USB-serial
adapter to an ID-003 validator, or the ccTalk bus). Every failure is a :class:`LinkError`:
the port vanished (a USB adapter re-enumerated), cannot be opened, or refuses a write — the
driver closes it and opens it again later, and the pseudo-terminals of the simulator behave
the same way.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import select
import termios
from pathlib import Path

import serial  # pyserial: the only importer (docs/architecture.md, layer contracts)

log = logging.getLogger(__name__)


class LinkError(Exception):
    """The port cannot be used (opened, read or written)."""


class SerialLink:
    """``path`` at ``baud`` with 8 data bits, ``parity`` ("E" even, "N" none), 1 stop bit."""

    def __init__(self, path: Path, *, baud: int = 9600, parity: str = "N") -> None:
        if parity not in ("E", "N"):
            raise ValueError("parity: E or N")
        self.path = path
        self.baud = baud
        self.parity = parity
        self._port: serial.Serial | None = None

    @property
    def is_open(self) -> bool:
        return self._port is not None

    def open(self) -> None:
        """Open the port and throw away whatever was waiting in it (a stale answer)."""
        self.close()
        try:
            port = self._open(self.parity)
        except termios.error as exc:
            # Linux pseudo-terminals refuse PARENB (EINVAL): a pty has no wire and no parity
            # bit, so the simulator's ports are opened without it. A real port never gets here.
            if exc.args[0] != errno.EINVAL or not _is_pty(self.path) or self.parity == "N":
                raise LinkError(f"{self.path}: {exc}") from exc
            log.info("%s is a pseudo-terminal: opened without parity", self.path)
            try:
                port = self._open("N")
            except (OSError, serial.SerialException, ValueError, termios.error) as again:
                raise LinkError(f"{self.path}: {again}") from again
        except (OSError, serial.SerialException, ValueError) as exc:
            raise LinkError(f"{self.path}: {exc}") from exc
        self._port = port

    def _open(self, parity: str) -> serial.Serial:
        port = serial.Serial(
            str(self.path),
            self.baud,
            bytesize=serial.EIGHTBITS,
            parity=serial.PARITY_EVEN if parity == "E" else serial.PARITY_NONE,
            stopbits=serial.STOPBITS_ONE,
            timeout=0,
            write_timeout=1.0,
            exclusive=True,  # a second program on the same port would steal answers
        )
        try:
            port.reset_input_buffer()
        except BaseException:
            port.close()
            raise
        return port

    def close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            with contextlib.suppress(OSError, serial.SerialException):
                port.close()

    def write(self, data: bytes) -> None:
        port = self._require()
        try:
            port.write(data)
            port.flush()
        except (OSError, serial.SerialException) as exc:
            raise LinkError(f"{self.path}: write: {exc}") from exc

    def read(self, timeout_s: float) -> bytes:
        """What arrived within ``timeout_s`` (at least one byte, or b"" on timeout).

        Waits with select() on the port: changing pyserial's timeout would rewrite the port's
        termios settings on every read (a system call each time, refused by pseudo-terminals
        once they hold parity settings)."""
        port = self._require()
        try:
            ready, _, _ = select.select([port.fileno()], [], [], max(0.0, timeout_s))
            if not ready:
                return b""
            data: bytes = port.read(port.in_waiting or 1)
            if not data:
                raise LinkError(f"{self.path}: the port closed")  # a vanished USB adapter
            return data
        except (OSError, serial.SerialException, termios.error) as exc:
            raise LinkError(f"{self.path}: read: {exc}") from exc

    def discard_input(self) -> None:
        with contextlib.suppress(OSError, serial.SerialException):
            self._require().reset_input_buffer()

    def _require(self) -> serial.Serial:
        if self._port is None:
            raise LinkError(f"{self.path}: not open")
        return self._port


def _is_pty(path: Path) -> bool:
    try:
        return os.path.realpath(path).startswith("/dev/pts/")
    except OSError:
        return False


__all__ = ["LinkError", "SerialLink"]
