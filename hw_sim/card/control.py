"""The dock's control socket: one JSON request per connection, one JSON answer.

Requests: ``{"cmd": "insert", "slot": 0, "persona": "normal", "delay": 0.5}`` (also
``"fault": "endless-61xx"``, a hostile card: hw_sim/card/hostile.py),
``{"cmd": "remove", "slot": 0}``, ``{"cmd": "status"}``, ``{"cmd": "reset", "persona": "..."}``.
Answers: ``{"ok": true, "slots": [...]}`` or ``{"ok": false, "error": "..."}``. The socket is a
Unix socket with mode 0600 (only its owner may drive the dock)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import threading
from pathlib import Path
from typing import Any

from hw_sim.card.dock import CardDock, DockError

_log = logging.getLogger(__name__)

MAX_REQUEST = 4096
CLIENT_TIMEOUT_S = 15.0  # an insert builds the card (first use of a persona makes its keys)


class ControlError(Exception):
    """The dock refused a request, or could not be reached."""


class ControlServer:
    """Serves a :class:`CardDock` on a Unix socket until :meth:`close`."""

    def __init__(self, dock: CardDock, path: Path | str) -> None:
        self.dock = dock
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists() or self.path.is_symlink():
            if _answers(self.path):
                raise ControlError(f"a dock is already serving {self.path}")
            self.path.unlink()
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_umask = os.umask(0o177)
        try:
            self._sock.bind(str(self.path))
        finally:
            os.umask(old_umask)
        self._sock.listen(8)
        self._closed = threading.Event()
        self._thread = threading.Thread(
            target=self._accept_loop, name="card-dock-control", daemon=True
        )
        self._thread.start()

    def _accept_loop(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5.0)
                try:
                    answer = self.handle(_read_request(conn))
                except (OSError, ValueError) as exc:
                    answer = {"ok": False, "error": f"bad request: {exc}"}
                with contextlib.suppress(OSError):
                    conn.sendall(json.dumps(answer, ensure_ascii=False).encode() + b"\n")

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        """Carry out one request (also usable without the socket)."""
        cmd = request.get("cmd")
        try:
            if cmd == "insert":
                delay = request.get("delay")
                fault = request.get("fault")
                self.dock.insert(
                    _int(request, "slot"),
                    str(request.get("persona", "")),
                    delay_s=float(delay) if delay is not None else None,
                    fault=str(fault) if fault is not None else None,
                )
            elif cmd == "remove":
                self.dock.remove(_int(request, "slot"))
            elif cmd == "reset":
                self.dock.reset_card(str(request.get("persona", "")))
            elif cmd != "status":
                return {"ok": False, "error": f"unknown command {cmd!r}"}
        except (DockError, ValueError, TypeError) as exc:
            return {"ok": False, "error": str(exc)}
        return {"ok": True, "slots": [s.to_dict() for s in self.dock.status()]}

    def close(self) -> None:
        self._closed.set()
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._thread.join(2.0)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def _int(request: dict[str, Any], key: str) -> int:
    value = request.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key} must be an integer")
    return value


def _read_request(conn: socket.socket) -> dict[str, Any]:
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = conn.recv(MAX_REQUEST)
        if not chunk:
            break
        buf += chunk
        if len(buf) > MAX_REQUEST:
            raise ValueError("request too long")
    request = json.loads(buf.decode() or "null")
    if not isinstance(request, dict):
        raise ValueError("a request is a JSON object")
    return request


def _answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def send_request(path: Path | str, request: dict[str, Any]) -> dict[str, Any]:
    """Send one request to a serving dock; :class:`ControlError` if it is unreachable or says
    no."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(CLIENT_TIMEOUT_S)
        try:
            sock.connect(str(path))
            sock.sendall(json.dumps(request).encode() + b"\n")
            buf = b""
            while not buf.endswith(b"\n"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                buf += chunk
        except OSError as exc:
            raise ControlError(f"no card dock at {path} ({exc}); start one with 'serve'") from None
    try:
        answer = json.loads(buf.decode())
    except ValueError:
        raise ControlError("the dock answered something that is not JSON") from None
    if not isinstance(answer, dict):
        raise ControlError("the dock answered something that is not a JSON object")
    if not answer.get("ok"):
        raise ControlError(str(answer.get("error", "refused")))
    return answer
