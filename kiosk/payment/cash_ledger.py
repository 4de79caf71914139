"""The cash unit's own durable notes: what the devices were doing, written before they do it.

The kiosk's journal (kiosk.journal) records a transaction's money steps; this ledger records
the devices' side of them, so that after the kiosk is killed the driver can tell from the
devices' own registers exactly what happened (docs/cash-hardware.md, "Exactly once"):

- a bill the flow said to stack (``stacking``: its value and reference, and whether the
  validator already reported it stacked) — written before STACK is sent;
- credits handed to the kiosk that it has not confirmed journaling (``credits``) — written
  before the validator's VEND VALID is acknowledged or a coin event is passed on;
- each coin acceptor's event counter already handed to the kiosk (``coin_counters``);
- payouts in progress (``payouts``): per hopper step the coins asked for and the hopper's
  dispense counter and event counter before the dispense command — written before it is sent.

One small JSON file, replaced atomically (written beside, fsynced, renamed, folder fsynced),
so a kill at any instant leaves either the old or the new notes. Thread-safe: the validator's
and the coin bus's workers both write it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

LEDGER_VERSION = 1


class LedgerError(Exception):
    """The ledger cannot be read or written: the cash unit must not move money."""


@dataclass(frozen=True)
class Credit:
    """Money taken in and handed to the kiosk: ``ref`` names it in the kiosk's journal."""

    ref: str
    yen: int


@dataclass(frozen=True)
class Stacking:
    """A bill the validator was told to stack; ``credited`` once it reported it stacked."""

    ref: str
    yen: int
    credited: bool = False


@dataclass(frozen=True)
class HopperStep:
    """One dispense command to one hopper, noted before it is sent."""

    address: int
    coin_yen: int
    coins: int
    dispense_count_before: int  # header 168, the hopper's lifetime coins paid out
    counter_before: int  # header 166's event counter
    paid_coins: int | None = None  # set once the step is finished


@dataclass(frozen=True)
class Payout:
    """Change or a refund in progress (``ref`` is the journal's name for its intent)."""

    ref: str
    kind: str  # "change" | "refund"
    requested_yen: int
    steps: tuple[HopperStep, ...] = ()
    done: bool = False  # the result was handed to the kiosk

    @property
    def paid_yen(self) -> int:
        return sum((s.paid_coins or 0) * s.coin_yen for s in self.steps)


@dataclass
class _Notes:
    sequence: int = 0
    stacking: Stacking | None = None
    credits: list[Credit] = field(default_factory=list)
    coin_counters: dict[str, int] = field(default_factory=dict)
    payouts: dict[str, Payout] = field(default_factory=dict)
    bills_stacked: int = 0  # since the stacker was last emptied (staff status)


class CashLedger:
    """The notes in ``path`` (made on first use; the folder must exist or be creatable)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._notes = self._load()

    # --- reading ------------------------------------------------------------------------------

    @property
    def stacking(self) -> Stacking | None:
        with self._lock:
            return self._notes.stacking

    @property
    def credits(self) -> tuple[Credit, ...]:
        with self._lock:
            return tuple(self._notes.credits)

    @property
    def payouts(self) -> tuple[Payout, ...]:
        with self._lock:
            return tuple(self._notes.payouts.values())

    @property
    def bills_stacked(self) -> int:
        with self._lock:
            return self._notes.bills_stacked

    def coin_counter(self, device: str) -> int | None:
        with self._lock:
            return self._notes.coin_counters.get(device)

    def payout(self, ref: str) -> Payout | None:
        with self._lock:
            return self._notes.payouts.get(ref)

    # --- writing (each call is one durable update) --------------------------------------------

    def next_ref(self, prefix: str) -> str:
        """A reference never handed out before by this ledger (durable)."""
        with self._update() as notes:
            notes.sequence += 1
            return f"{prefix}-{notes.sequence}"

    def start_stacking(self, ref: str, yen: int) -> None:
        with self._update() as notes:
            notes.stacking = Stacking(ref, yen)

    def credit_stacked(self) -> Credit | None:
        """The bill being stacked is in the stacker: it becomes an unconfirmed credit (once)."""
        with self._update() as notes:
            stacking = notes.stacking
            if stacking is None or stacking.credited:
                return None
            credit = Credit(stacking.ref, stacking.yen)
            notes.credits.append(credit)
            notes.stacking = replace(stacking, credited=True)
            notes.bills_stacked += 1
            return credit

    def end_stacking(self) -> None:
        with self._update() as notes:
            notes.stacking = None

    def add_credits(self, device: str, counter: int, coins: list[int]) -> list[Credit]:
        """Coins read from an acceptor's buffer up to event ``counter``: named and noted in one
        update (with the counter, so a restart reads on from there)."""
        with self._update() as notes:
            credits = []
            for yen in coins:
                notes.sequence += 1
                credits.append(Credit(f"{device}-{notes.sequence}", yen))
            notes.credits.extend(credits)
            notes.coin_counters[device] = counter
            return credits

    def set_coin_counter(self, device: str, counter: int) -> None:
        with self._update() as notes:
            notes.coin_counters[device] = counter

    def add_credit(self, credit: Credit) -> None:
        with self._update() as notes:
            notes.credits.append(credit)

    def confirm(self, refs: set[str]) -> None:
        """The kiosk journaled these credits or payout results: forget them."""
        with self._lock:
            known = {c.ref for c in self._notes.credits} | set(self._notes.payouts)
            if not refs & known:
                return
        with self._update() as notes:
            notes.credits = [c for c in notes.credits if c.ref not in refs]
            for ref in refs:
                notes.payouts.pop(ref, None)

    def start_payout(self, payout: Payout) -> None:
        with self._update() as notes:
            notes.payouts[payout.ref] = payout

    def add_step(self, ref: str, step: HopperStep) -> None:
        with self._update() as notes:
            payout = notes.payouts[ref]
            notes.payouts[ref] = replace(payout, steps=(*payout.steps, step))

    def finish_step(self, ref: str, paid_coins: int) -> None:
        with self._update() as notes:
            payout = notes.payouts[ref]
            steps = list(payout.steps)
            steps[-1] = replace(steps[-1], paid_coins=paid_coins)
            notes.payouts[ref] = replace(payout, steps=tuple(steps))

    def finish_payout(self, ref: str) -> Payout:
        with self._update() as notes:
            payout = replace(notes.payouts[ref], done=True)
            notes.payouts[ref] = payout
            return payout

    def stacker_emptied(self) -> None:
        with self._update() as notes:
            notes.bills_stacked = 0

    # --- storage ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _update(self) -> Iterator[_Notes]:
        with self._lock:
            before = _encode(self._notes)
            try:
                yield self._notes
                self._save()
            except BaseException:
                self._notes = _decode(before)
                raise

    def _save(self) -> None:
        text = json.dumps(_encode(self._notes), sort_keys=True)
        temporary = self.path.with_name(self.path.name + ".new")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
            folder = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
        except OSError as exc:
            raise LedgerError(f"{self.path}: {exc.strerror or exc}") from exc

    def _load(self) -> _Notes:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return _Notes()
        except (OSError, ValueError) as exc:
            raise LedgerError(f"{self.path}: cannot read the cash ledger: {exc}") from exc
        try:
            if raw.get("version") != LEDGER_VERSION:
                raise ValueError(f"version {raw.get('version')!r}")
            return _decode(raw)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise LedgerError(f"{self.path}: not a cash ledger ({exc})") from exc


def _encode(notes: _Notes) -> dict[str, Any]:
    return {
        "version": LEDGER_VERSION,
        "sequence": notes.sequence,
        "stacking": asdict(notes.stacking) if notes.stacking else None,
        "credits": [asdict(c) for c in notes.credits],
        "coin_counters": dict(notes.coin_counters),
        "payouts": {ref: asdict(p) for ref, p in notes.payouts.items()},
        "bills_stacked": notes.bills_stacked,
    }


def _decode(raw: dict[str, Any]) -> _Notes:
    stacking = raw["stacking"]
    return _Notes(
        sequence=int(raw["sequence"]),
        stacking=Stacking(**stacking) if stacking else None,
        credits=[Credit(**c) for c in raw["credits"]],
        coin_counters={str(k): int(v) for k, v in raw["coin_counters"].items()},
        payouts={
            ref: Payout(
                p["ref"],
                p["kind"],
                int(p["requested_yen"]),
                tuple(HopperStep(**s) for s in p["steps"]),
                bool(p["done"]),
            )
            for ref, p in raw["payouts"].items()
        },
        bills_stacked=int(raw["bills_stacked"]),
    )


__all__ = ["CashLedger", "Credit", "HopperStep", "LedgerError", "Payout", "Stacking"]
