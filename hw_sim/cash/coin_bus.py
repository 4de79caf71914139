"""The device side of a ccTalk bus: a coin acceptor and payout hoppers on their addresses
(docs/cash-hardware.md, "The simulators").

- **Coin acceptor** (address 2): channels named by coin id (``JP010A`` …; the 1- and 5-yen
  coins are programmed but the host leaves them inhibited), an inhibit mask and master
  inhibit, and the five-event buffer with its event counter (header 229). A coin accepted
  goes to the hopper of its value, else to the cash box; one refused goes to the tray.
- **Hoppers** (3, 4, …): a coin value and a number of coins in the bowl; enable (164), dispense
  (167, with eight security bytes that an encrypting hopper checks against its cipher key),
  status (166: event counter, remaining, last paid, last unpaid), lifetime dispense count
  (168), test hopper flags (163), emergency stop (172), level sensors (217). Coins leave one
  by one with time (:meth:`CoinBus.tick`); an empty bowl ends the payout after a timeout with
  the rest unpaid; a jam stops it.

Persisted (survives the process, like the hopper's non-volatile memory): bowl counts, cash
box, tray, the lifetime dispense counts and the last payout's paid/unpaid — a payout cut by a
power cut leaves "power-down during payout" and the coins not paid as unpaid. The event
counters are volatile: 0 after a power cut, as the specification says.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hw_sim.cash.cipher import SimulatorCipher
from kiosk.payment import cctalk_wire as w

log = logging.getLogger(__name__)

# Channel → coin id. Both 500-yen coins in use by machines (2000 nickel-brass "A", 2021
# bicolour clad "B"); 1 and 5 yen programmed so that refusing them is the host's doing.
COIN_CHANNELS: dict[int, str] = {
    1: "JP010A",
    2: "JP050A",
    3: "JP100A",
    4: "JP500A",
    5: "JP500B",
    6: "JP001A",
    7: "JP005A",
}
EMPTY_CHANNEL = "......"


@dataclass
class HopperTiming:
    coin_s: float = 0.08  # one coin out (real hoppers: 5–10 coins a second)
    empty_timeout_s: float = 0.6  # no coin seen for this long: the payout stops (empty)


@dataclass
class Hopper:
    address: int
    coin_yen: int
    coins: int  # in the bowl (persisted)
    serial: int
    encrypted: bool = False
    dispense_count: int = 0  # lifetime coins paid out (persisted, header 168)
    last_paid: int = 0
    last_unpaid: int = 0
    power_down_during_payout: bool = False
    counter: int = 0  # event counter (volatile)
    enabled: bool = False
    remaining: int = 0
    paying_since: float = 0.0
    next_coin_at: float = 0.0
    flags: int = 0
    jam_after: int | None = None  # jam after this many more coins
    stalled: bool = False  # the motor stops mid-payout and the hopper does not notice
    cipher_key: bytes = b""
    rng: bytes = b""
    low_level: int = 5
    high_level: int = 500

    def flag(self, flag: w.HopperFlag, on: bool = True) -> None:
        if on:
            self.flags |= 1 << flag
        else:
            self.flags &= ~(1 << flag)


@dataclass
class CoinAcceptor:
    address: int = w.COIN_ACCEPTOR_ADDRESS
    serial: int = 0x2A0101
    channels: dict[int, str] = field(default_factory=lambda: dict(COIN_CHANNELS))
    inhibit_mask: int = 0  # 1 bit = channel enabled
    master_enabled: bool = False
    counter: int = 0
    events: list[tuple[int, int]] = field(default_factory=lambda: [(0, 0)] * 5)
    jammed: bool = False

    def add_event(self, a: int, b: int) -> None:
        self.counter = 1 if self.counter == 255 else self.counter + 1
        self.events = [(a, b), *self.events[:4]]


class CoinBus:
    """The bus: answers frames addressed to its devices; called under the simulator's lock."""

    def __init__(
        self,
        hoppers: list[tuple[int, int, int]],
        *,
        checksum: w.Checksum = w.Checksum.SIMPLE,
        encrypted: frozenset[int] = frozenset(),
        timing: HopperTiming | None = None,
        state: dict[str, Any] | None = None,
    ) -> None:
        """``hoppers``: (address, coin yen, coins in the bowl) each."""
        self.checksum = checksum
        self.timing = timing or HopperTiming()
        self.clock = time.monotonic
        self.acceptor = CoinAcceptor()
        self.hoppers = {
            address: Hopper(address, coin, count, 0x300000 + address, address in encrypted)
            for address, coin, count in hoppers
        }
        self.cashbox: Counter[int] = Counter()
        self.tray: list[int] = []
        self.cipher = SimulatorCipher()
        self.changed = True
        self.completed_at: dict[int, float] = {}  # hopper → when its last payout ended
        if state is not None:
            self._restore(state)
        self.power_cut()  # the process starting is the devices powering up

    # --- the host's frames --------------------------------------------------------------------

    def handle(self, frame: w.Frame) -> bytes | None:
        if frame.destination == self.acceptor.address:
            header, data = self._acceptor(frame.header, frame.data)
        elif frame.destination in self.hoppers:
            header, data = self._hopper(self.hoppers[frame.destination], frame.header, frame.data)
        else:
            return None  # nobody at that address: silence, as on a real bus
        source = frame.destination
        return w.encode(w.HOST_ADDRESS, header, data, source=source, checksum=self.checksum)

    def _common(self, header: int, serial: int, category: str, product: str) -> bytes | None:
        match header:
            case w.Header.SIMPLE_POLL:
                return b""
            case w.Header.REQUEST_EQUIPMENT_CATEGORY:
                return category.encode()
            case w.Header.REQUEST_PRODUCT_CODE:
                return product.encode()
            case w.Header.REQUEST_SERIAL_NUMBER:
                return serial.to_bytes(3, "little")
            case w.Header.REQUEST_SOFTWARE_REVISION:
                return b"SIM-1.0"
        return None

    def _acceptor(self, header: int, data: bytes) -> tuple[int, bytes]:
        acceptor = self.acceptor
        common = self._common(header, acceptor.serial, "Coin Acceptor", "SIMCOIN")
        if common is not None:
            return w.REPLY_ACK, common
        match header:
            case w.Header.REQUEST_COIN_ID if len(data) == 1:
                return w.REPLY_ACK, acceptor.channels.get(data[0], EMPTY_CHANNEL).encode()
            case w.Header.MODIFY_INHIBIT_STATUS if len(data) == 2:
                acceptor.inhibit_mask = int.from_bytes(data, "little")
                return w.REPLY_ACK, b""
            case w.Header.MODIFY_MASTER_INHIBIT if len(data) == 1:
                acceptor.master_enabled = bool(data[0] & 1)
                return w.REPLY_ACK, b""
            case w.Header.REQUEST_MASTER_INHIBIT:
                return w.REPLY_ACK, bytes((int(acceptor.master_enabled),))
            case w.Header.READ_BUFFERED_CREDIT:
                flat = bytes(v for pair in acceptor.events for v in pair)
                return w.REPLY_ACK, bytes((acceptor.counter,)) + flat
            case w.Header.RESET_DEVICE:
                self._power_up_acceptor()
                return w.REPLY_ACK, b""
        return w.REPLY_NAK, b""

    def _hopper(self, hopper: Hopper, header: int, data: bytes) -> tuple[int, bytes]:
        category = "Payout"
        common = self._common(header, hopper.serial, category, "SIMHOP")
        if common is not None:
            return w.REPLY_ACK, common
        match header:
            case w.Header.REQUEST_HOPPER_COIN:
                return w.REPLY_ACK, f"JP{hopper.coin_yen:03d}A".encode()
            case w.Header.ENABLE_HOPPER if len(data) == 1:
                hopper.enabled = data[0] == w.ENABLE_HOPPER_CODE
                hopper.flag(w.HopperFlag.PAYOUT_DISABLED, not hopper.enabled)
                return w.REPLY_ACK, b""
            case w.Header.REQUEST_HOPPER_STATUS:
                status = (hopper.counter, hopper.remaining, hopper.last_paid, hopper.last_unpaid)
                return w.REPLY_ACK, bytes(min(v, 255) for v in status)
            case w.Header.REQUEST_HOPPER_DISPENSE_COUNT:
                return w.REPLY_ACK, (hopper.dispense_count & 0xFFFFFF).to_bytes(3, "little")
            case w.Header.TEST_HOPPER:
                flags = hopper.flags
                if hopper.encrypted:
                    flags |= 1 << w.HopperFlag.ENCRYPTION_ENABLED
                if hopper.power_down_during_payout:
                    flags |= 1 << w.HopperFlag.POWER_DOWN_DURING_PAYOUT
                return w.REPLY_ACK, flags.to_bytes(3, "little")
            case w.Header.PUMP_RNG if 1 <= len(data) <= 16:
                hopper.rng = bytes(data)
                return w.REPLY_ACK, b""
            case w.Header.REQUEST_CIPHER_KEY:
                hopper.cipher_key = os.urandom(8) if hopper.encrypted else bytes(8)
                return w.REPLY_ACK, hopper.cipher_key
            case w.Header.DISPENSE_HOPPER_COINS if len(data) == 9:
                return self._dispense(hopper, data[:8], data[8])
            case w.Header.EMERGENCY_STOP:
                remaining = hopper.remaining
                if remaining:
                    self._stop(hopper)
                return w.REPLY_ACK, bytes((min(remaining, 255),))
            case w.Header.REQUEST_PAYOUT_HIGH_LOW:
                low = int(hopper.coins < hopper.low_level)
                high = int(hopper.coins >= hopper.high_level) << 1
                return w.REPLY_ACK, bytes((low | high | 0x30,))
            case w.Header.RESET_DEVICE:
                self._power_up_hopper(hopper)
                return w.REPLY_ACK, b""
        return w.REPLY_NAK, b""

    def _dispense(self, hopper: Hopper, security: bytes, coins: int) -> tuple[int, bytes]:
        if not hopper.enabled or hopper.remaining or coins == 0:
            return w.REPLY_NAK, b""
        if hopper.encrypted:
            expected = self.cipher.security_bytes(hopper.cipher_key, hopper.rng, coins)
            hopper.cipher_key = b""  # a key is good for one dispense
            if security != expected:
                hopper.flag(w.HopperFlag.INCORRECT_CIPHER_KEY)
                return w.REPLY_NAK, b""
        hopper.flag(w.HopperFlag.INCORRECT_CIPHER_KEY, False)
        hopper.flag(w.HopperFlag.PAYOUT_TIMEOUT, False)
        hopper.power_down_during_payout = False
        hopper.counter = 1 if hopper.counter == 255 else hopper.counter + 1
        hopper.remaining = coins
        hopper.last_paid = hopper.last_unpaid = 0
        now = self.clock()
        hopper.paying_since = now
        hopper.next_coin_at = now + self.timing.coin_s
        return w.REPLY_ACK, bytes((hopper.counter,))

    # --- time ---------------------------------------------------------------------------------

    def tick(self) -> None:
        now = self.clock()
        for hopper in self.hoppers.values():
            if not hopper.remaining or hopper.next_coin_at > now or hopper.stalled:
                continue
            self.changed = True
            if hopper.jam_after is not None and hopper.jam_after <= 0:
                hopper.jam_after = None
                hopper.flag(w.HopperFlag.OPTO_BLOCKED_PAYOUT)
                self._stop(hopper)
                continue
            if hopper.coins <= 0:
                if now - hopper.next_coin_at >= self.timing.empty_timeout_s:
                    hopper.flag(w.HopperFlag.PAYOUT_TIMEOUT)
                    self._stop(hopper)
                continue
            hopper.coins -= 1
            hopper.dispense_count += 1
            hopper.remaining -= 1
            hopper.last_paid += 1
            self.tray.append(hopper.coin_yen)
            if hopper.jam_after is not None:
                hopper.jam_after -= 1
            hopper.next_coin_at = now + self.timing.coin_s
            if not hopper.remaining:
                self.completed_at[hopper.address] = now

    def _stop(self, hopper: Hopper) -> None:
        hopper.last_unpaid += hopper.remaining
        hopper.remaining = 0
        self.completed_at[hopper.address] = self.clock()

    # --- the resident, staff and faults -------------------------------------------------------

    def insert(self, yen: int, *, variant: str = "A") -> str:
        """A coin (``yen`` 0 or unknown: a foreign coin or slug)."""
        self.changed = True
        acceptor = self.acceptor
        name = f"JP{yen:03d}{variant}" if 0 < yen < 1000 else ""
        channel = next((c for c, coin in acceptor.channels.items() if coin == name), None)
        if acceptor.jammed:
            self.tray.append(yen)
            return "jammed: returned"
        if channel is None:
            acceptor.add_event(0, 1)  # reject coin
            self.tray.append(yen)
            return "rejected"
        if not acceptor.master_enabled:
            acceptor.add_event(0, w.INHIBITED_COIN)
            self.tray.append(yen)
            return "inhibited"
        if not acceptor.inhibit_mask >> (channel - 1) & 1:
            acceptor.add_event(0, w.INHIBITED_TYPES.start + channel - 1)
            self.tray.append(yen)
            return "channel inhibited"
        acceptor.add_event(channel, 0)
        hopper = next((h for h in self.hoppers.values() if h.coin_yen == yen), None)
        if hopper is not None and hopper.coins < hopper.high_level:
            hopper.coins += 1
        else:
            self.cashbox[yen] += 1
        return "accepted"

    def jam_acceptor(self) -> None:
        self.changed = True
        self.acceptor.jammed = True
        self.acceptor.add_event(0, 14)  # credit sensor blocked

    def clear(self) -> None:
        self.changed = True
        self.acceptor.jammed = False
        for hopper in self.hoppers.values():
            hopper.flag(w.HopperFlag.OPTO_BLOCKED_PAYOUT, False)
            hopper.jam_after = None
            hopper.stalled = False

    def take_tray(self) -> list[int]:
        self.changed = True
        taken, self.tray = self.tray, []
        return taken

    def power_cut(self) -> None:
        """Power off and on: event counters 0, payouts cut (the rest unpaid), RAM settings lost."""
        self.changed = True
        self._power_up_acceptor()
        for hopper in self.hoppers.values():
            self._power_up_hopper(hopper)

    def _power_up_acceptor(self) -> None:
        acceptor = self.acceptor
        acceptor.counter = 0
        acceptor.events = [(0, 0)] * 5
        acceptor.master_enabled = False
        acceptor.inhibit_mask = 0

    def _power_up_hopper(self, hopper: Hopper) -> None:
        if hopper.remaining:
            hopper.power_down_during_payout = True
            self._stop(hopper)
        hopper.counter = 0
        hopper.enabled = False
        hopper.flags = 1 << w.HopperFlag.POWER_UP

    # --- persistence --------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        return {
            "cashbox": {str(k): v for k, v in self.cashbox.items() if v},
            "tray": list(self.tray),
            "acceptor_jammed": self.acceptor.jammed,
            "hoppers": {
                str(h.address): {
                    "coin_yen": h.coin_yen,
                    "coins": h.coins,
                    "dispense_count": h.dispense_count,
                    "last_paid": h.last_paid,
                    "last_unpaid": h.last_unpaid,
                    "remaining": h.remaining,  # a payout the power cut will end
                    "power_down_during_payout": h.power_down_during_payout,
                }
                for h in self.hoppers.values()
            },
        }

    def _restore(self, state: dict[str, Any]) -> None:
        self.cashbox = Counter({int(k): int(v) for k, v in state.get("cashbox", {}).items()})
        self.tray = [int(v) for v in state.get("tray", [])]
        self.acceptor.jammed = bool(state.get("acceptor_jammed"))
        for address, saved in state.get("hoppers", {}).items():
            hopper = self.hoppers.get(int(address))
            if hopper is None:
                continue
            hopper.coins = int(saved["coins"])
            hopper.dispense_count = int(saved["dispense_count"])
            hopper.last_paid = int(saved["last_paid"])
            hopper.last_unpaid = int(saved["last_unpaid"])
            hopper.remaining = int(saved["remaining"])
            hopper.power_down_during_payout = bool(saved["power_down_during_payout"])

    def describe(self) -> dict[str, Any]:
        state = self.snapshot()
        for address, hopper in self.hoppers.items():
            state["hoppers"][str(address)].update(
                counter=hopper.counter,
                enabled=hopper.enabled,
                flags=hopper.flags,
                completed_at=self.completed_at.get(address),
            )
        state["acceptor"] = {
            "counter": self.acceptor.counter,
            "master_enabled": self.acceptor.master_enabled,
            "inhibit_mask": self.acceptor.inhibit_mask,
        }
        return state


__all__ = ["COIN_CHANNELS", "CoinAcceptor", "CoinBus", "Hopper", "HopperTiming"]
