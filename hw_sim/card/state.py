"""Persistent card state: retry counters and changed PINs, one JSON file per card in a state
folder, written atomically (temporary file, fsync, rename) on every change, so that a card
keeps its blocked PIN across a restart of the card process like a real card keeps it across
power cycles.

A changed PIN is kept as a salted PBKDF2 digest, never in clear. Nothing else about the holder
is written here.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
from pathlib import Path
from typing import Any

from hw_sim.card.model import same_secret, secret_digest
from hw_sim.files import write_atomic

_log = logging.getLogger(__name__)
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_FORMAT = 1


class CardState:
    """The mutable state of one card: ``tries[counter]`` and changed secrets.

    Without a ``path`` the state lives in memory only (unit tests of one layer).
    """

    def __init__(self, card_id: str, path: Path | None = None) -> None:
        self.card_id = card_id
        self.path = path
        self._tries: dict[str, int] = {}
        self._secrets: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()
        if path is not None and path.exists():
            self._load(path)

    def _load(self, path: Path) -> None:
        try:
            record: Any = json.loads(path.read_text())
        except (OSError, ValueError):
            # A damaged state file must not brick the dock: start from the persona's defaults
            # and keep the damaged file aside for inspection.
            _log.warning("card state of %s unreadable; starting as issued", self.card_id)
            path.replace(path.with_suffix(".damaged"))
            return
        if not isinstance(record, dict) or record.get("format") != _FORMAT:
            return
        tries = record.get("tries", {})
        if isinstance(tries, dict):
            self._tries = {
                str(k): int(v) for k, v in tries.items() if isinstance(v, int) and 0 <= v <= 255
            }
        changed = record.get("secrets", {})
        if isinstance(changed, dict):
            self._secrets = {
                str(k): {"salt": str(v["salt"]), "digest": str(v["digest"])}
                for k, v in changed.items()
                if isinstance(v, dict) and "salt" in v and "digest" in v
            }

    # -- counters ------------------------------------------------------------------------------
    def tries(self, counter: str, default: int) -> int:
        with self._lock:
            return self._tries.get(counter, default)

    def set_tries(self, counter: str, value: int) -> None:
        with self._lock:
            if self._tries.get(counter) == value:
                return
            self._tries[counter] = value
            self._save()

    # -- changed secrets -----------------------------------------------------------------------
    def has_changed_secret(self, counter: str) -> bool:
        with self._lock:
            return counter in self._secrets

    def matches_changed_secret(self, counter: str, candidate: bytes) -> bool:
        with self._lock:
            entry = self._secrets.get(counter)
        if entry is None:
            return False
        digest = secret_digest(bytes.fromhex(entry["salt"]), candidate)
        return same_secret(digest, bytes.fromhex(entry["digest"]))

    def change_secret(self, counter: str, new: bytes) -> None:
        salt = secrets.token_bytes(16)
        with self._lock:
            self._secrets[counter] = {
                "salt": salt.hex(),
                "digest": secret_digest(salt, new).hex(),
            }
            self._save()

    # -- persistence ---------------------------------------------------------------------------
    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._tries)

    def _save(self) -> None:
        if self.path is None:
            return
        record = {
            "format": _FORMAT,
            "card": self.card_id,
            "tries": self._tries,
            "secrets": self._secrets,
        }
        text = json.dumps(record, indent=1, sort_keys=True)
        write_atomic(self.path, text.encode(), private=True)


class CardStateStore:
    """A folder of card state files (``<card id>.json``)."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def path_for(self, card_id: str) -> Path:
        if not _SAFE_ID.match(card_id):
            raise ValueError(f"card id {card_id!r} is not a safe file name")
        return self.folder / f"{card_id}.json"

    def open(self, card_id: str) -> CardState:
        """The state of a card (empty = as issued, when it never changed)."""
        return CardState(card_id, self.path_for(card_id))

    def reset(self, card_id: str) -> None:
        """Forget a card's state: it is as issued again (the municipal office's PIN reset)."""
        self.path_for(card_id).unlink(missing_ok=True)
