"""The update state (``state.json``) and its history (``history.log``), read and written under
one lock so that the updater and the guard around a start never interleave.

The file is rewritten whole (a temporary file renamed over it, fsync'd): a power cut leaves the
old state or the new one. An unreadable state is set aside (``state.json.broken``) and the
kiosk starts with a fresh one: the guard must never keep the kiosk from starting.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .layout import Layout


@dataclass
class UpdateState:
    pending: str | None = None  # the release to switch to at the next (idle) restart
    pending_reason: str = ""
    proven: list[str] = field(default_factory=list)  # releases that reached READY=1 once
    rejected: dict[str, str] = field(default_factory=dict)  # release → why it was rolled back
    unready_starts: int = 0  # starts of the current release since it last reached READY=1
    failures: int = 0  # consecutive runs that ended in failure (for the back-off)
    ready_this_run: bool = False
    started_at: float = 0.0  # CLOCK_MONOTONIC of the last start
    boot_id: str = ""
    last_stop: str = ""

    def is_proven(self, release: str) -> bool:
        return release in self.proven

    def prove(self, release: str) -> None:
        if release not in self.proven:
            self.proven.append(release)


def boot_id() -> str:
    """This boot's id (CLOCK_MONOTONIC restarts with every boot)."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


class StateStore:
    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.path = layout.state_dir / "state.json"
        self.history = layout.state_dir / "history.log"

    @contextlib.contextmanager
    def locked(self) -> Iterator[UpdateState]:
        """The state, locked; written back when the block ends without an exception."""
        self.layout.state_dir.mkdir(parents=True, exist_ok=True)
        with open(self.layout.state_dir / "lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            state = self._load()
            yield state
            self._save(state)

    def read(self) -> UpdateState:
        """A snapshot without taking the lock (for --status and waiting loops)."""
        return self._load()

    def record(self, message: str) -> None:
        """One line of history (UTC time, the message), also on stderr for the journal."""
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        line = f"{stamp} {message}"
        print(f"konbini-kiosk-update: {message}", file=sys.stderr, flush=True)
        try:
            self.layout.state_dir.mkdir(parents=True, exist_ok=True)
            with open(self.history, "a", encoding="utf-8") as out:
                out.write(line + "\n")
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            print(f"konbini-kiosk-update: history not written: {exc}", file=sys.stderr)

    def history_lines(self, last: int = 20) -> list[str]:
        try:
            return self.history.read_text(encoding="utf-8").splitlines()[-last:]
        except OSError:
            return []

    def _load(self) -> UpdateState:
        try:
            raw: Any = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return UpdateState()
        except (OSError, ValueError) as exc:
            return self._set_aside(f"unreadable ({exc})")
        if not isinstance(raw, dict):
            return self._set_aside("not an object")
        known = UpdateState.__dataclass_fields__
        try:
            state = UpdateState(**{key: value for key, value in raw.items() if key in known})
        except TypeError as exc:
            return self._set_aside(str(exc))
        if not _well_typed(state):
            return self._set_aside("a field has the wrong type")
        return state

    def _set_aside(self, why: str) -> UpdateState:
        with contextlib.suppress(OSError):
            os.replace(self.path, self.path.with_suffix(".json.broken"))
        self.record(f"state {self.path} {why}: set aside, starting afresh")
        return UpdateState()

    def _save(self, state: UpdateState) -> None:
        temporary = self.path.with_suffix(".json.new")
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump(asdict(state), out, indent=1, sort_keys=True)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)


def _well_typed(state: UpdateState) -> bool:
    return (
        (state.pending is None or isinstance(state.pending, str))
        and isinstance(state.pending_reason, str)
        and isinstance(state.proven, list)
        and all(isinstance(item, str) for item in state.proven)
        and isinstance(state.rejected, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in state.rejected.items())
        and isinstance(state.unready_starts, int)
        and isinstance(state.failures, int)
        and isinstance(state.ready_this_run, bool)
        and isinstance(state.started_at, int | float)
        and isinstance(state.boot_id, str)
        and isinstance(state.last_stop, str)
    )


__all__ = ["StateStore", "UpdateState", "boot_id"]
