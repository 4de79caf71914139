"""A service manager's notification socket of our own (what systemd listens on for a
Type=notify service): a Unix datagram socket; every datagram received is kept with its
arrival time, on a reader thread, so a test can see pets stop while the code under test (or
the whole Qt thread) is stuck."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path


class NotifySocket:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._socket.bind(str(path))
        path.chmod(0o777)  # as systemd's own: a service running as its own user sends to it
        self._socket.settimeout(0.1)
        self._lock = threading.Lock()
        self._messages: list[tuple[float, str]] = []
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._read, name="notify-socket", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._closed.is_set():
            try:
                data = self._socket.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._messages.append((time.monotonic(), data.decode()))

    @property
    def messages(self) -> list[tuple[float, str]]:
        with self._lock:
            return list(self._messages)

    def times(self, line: str) -> list[float]:
        """Arrival times of the datagrams holding ``line`` (e.g. ``WATCHDOG=1``)."""
        return [at for at, text in self.messages if line in text.splitlines()]

    def wait_for(self, line: str, timeout: float, count: int = 1) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.times(line)) >= count:
                return True
            time.sleep(0.02)
        return False

    def status_lines(self) -> list[str]:
        return [
            line[len("STATUS=") :]
            for _, text in self.messages
            for line in text.splitlines()
            if line.startswith("STATUS=")
        ]

    def close(self) -> None:
        self._closed.set()
        self._socket.close()
        self._thread.join(2)
