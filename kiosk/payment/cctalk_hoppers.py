"""Change and refunds from ccTalk payout hoppers (docs/cash-hardware.md, "ccTalk").

Hoppers are used from the largest coin down; each dispense command (167) is noted in the cash
ledger with the hopper's lifetime dispense count (168) and event counter (166) *before* it is
sent — never sent twice blindly — then followed on the hopper's status until it stops. What
left is the dispense count's difference (the non-volatile counter), checked against the last
payout's coins paid; a hopper that runs empty or jams ends its part and the rest is asked of the
next hopper. After a kill of the kiosk, a lost line or a power cut, the same registers settle a
payout the ledger says was running (:meth:`HopperPayouts.reconcile`), without paying anything
more.

A hopper that reports "encryption enabled" needs the manufacturer's dispense cipher
(:class:`DispenseCipher`): the specification does not publish it. The key exchange (pump RNG
161, request cipher key 160, eight security bytes in 167) is done here; without a cipher the
hopper is not used and staff see why.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from kiosk.payment import cctalk_wire as w
from kiosk.payment.cash_ledger import CashLedger, HopperStep, Payout
from kiosk.payment.cash_status import HopperLevel
from kiosk.payment.cctalk_port import CcTalkPort, CoinSettings
from kiosk.payment.device_worker import DeviceLost
from kiosk.payment.events import AcceptorEvent, ChangeDispensed, MoneyRefunded
from kiosk.payment.money import denomination_of
from kiosk.payment.serial_link import SerialLink

log = logging.getLogger(__name__)

# A hopper pays 5–10 coins a second and stops by itself when empty (its own payout timeout); no
# progress for STALL_S means it is stuck: emergency stop.
PAYOUT_POLL_S = 0.1
STALL_S = 8.0
RECONCILE_WAIT_S = 60.0  # a payout still running at start is followed this long at most
MAX_COINS_PER_DISPENSE = 255  # header 167: 1 to 255 coins
# Idempotent requests around a dispense are asked this often before the hopper is given up for
# this payout: on a noisy line (2 % of bytes corrupted, tests/kiosk/payment/test_cash_coins.py)
# three tries of each of the five requests a dispense needs still lost about 1 payout in 50.
ASK_TRIES = 5

Deliver = Callable[[AcceptorEvent], None]


class DispenseCipher(Protocol):
    """The eight security bytes of an encrypted dispense (the hopper maker's algorithm)."""

    name: str

    def security_bytes(self, cipher_key: bytes, rng: bytes, coins: int) -> bytes: ...


@dataclass
class Hopper:
    address: int
    coin_yen: int = 0
    serial: int = 0
    encrypted: bool = False
    connected: bool = False
    fault: str = ""
    level: str = "unknown"
    dispensed_total: int = 0

    @property
    def usable(self) -> bool:
        return self.connected and self.coin_yen > 0 and not self.fault


class HopperPayouts(CcTalkPort):
    """The hoppers of the bus and their payouts (the coin acceptor is kiosk.payment.cctalk's)."""

    def __init__(
        self,
        link: SerialLink,
        ledger: CashLedger,
        deliver: Deliver,
        settings: CoinSettings,
        cipher: DispenseCipher | None,
    ) -> None:
        super().__init__(link, settings)
        self.ledger = ledger
        self.deliver = deliver
        self.cipher = cipher
        self._hoppers = {a: Hopper(a) for a in settings.hopper_addresses}
        self.reconciled = False  # payouts the ledger had running at start are settled
        self._running: dict[str, str] = {}  # payouts of this run cut by a lost line: ref → kind
        self.payout_done_at: float | None = None  # benchmark: monotonic time of the last result

    def payout(self, kind: str, yen: int, ref: str) -> None:
        """Pay ``yen`` (change or refund); the result event carries ``ref``."""
        self.submit(
            lambda: self._payout(kind, yen, ref), on_drop=lambda: self._unpaid(kind, yen, ref)
        )

    def hoppers(self) -> tuple[HopperLevel, ...]:
        return tuple(
            HopperLevel(h.address, h.coin_yen, h.connected, h.level, h.dispensed_total, h.fault)
            for h in self._hoppers.values()
        )

    def _identify_hopper(self, hopper: Hopper) -> None:
        """Ask the hopper what it pays; one that does not answer (or whose answers are lost)
        is asked again at the next health check."""
        address = hopper.address
        hopper.connected = False
        if self._ask(address, w.Header.SIMPLE_POLL, tries=3) is None:
            log.error("cctalk: hopper %d does not answer", address)
            return
        name = self._ask(address, w.Header.REQUEST_HOPPER_COIN, tries=3)
        if name is None or name.header != w.REPLY_ACK:
            return
        try:
            coin = w.parse_coin_id(name.data)
        except w.CcTalkProtocolError as exc:
            log.error("cctalk: hopper %d coin: %s", address, exc)
            return
        serial = self._number(address, w.Header.REQUEST_SERIAL_NUMBER, w.parse_serial_number)
        flags = self._flags(address)
        count = self._number(address, w.Header.REQUEST_HOPPER_DISPENSE_COUNT, w.parse_counter)
        if serial is None or flags is None or count is None:
            return
        hopper.connected = True
        if coin is None or coin.country != "JP" or denomination_of(coin.value) is None:
            hopper.fault = "pays no yen coin"
            return
        hopper.coin_yen = coin.value
        hopper.serial = serial
        hopper.encrypted = w.HopperFlag.ENCRYPTION_ENABLED in flags
        hopper.dispensed_total = count
        cipher_missing = "encrypted: needs the manufacturer's dispense cipher"
        if hopper.encrypted and self.cipher is None:
            hopper.fault = cipher_missing
        elif hopper.fault in (cipher_missing, "pays no yen coin", "does not report its counters"):
            hopper.fault = ""
        self._command(address, w.Header.ENABLE_HOPPER, b"\x00")  # payout only when asked
        self._level(hopper)

    def reconcile(self) -> None:
        """Settle payouts the ledger has running from the hoppers' registers (nothing more is
        paid): at the first connection those of an earlier run (the recovery reports them),
        after a lost line those of this run (their results go to the kiosk now)."""
        for payout in self.ledger.payouts:
            if payout.done:
                continue
            steps = payout.steps
            if steps and steps[-1].paid_coins is None:
                paid = self._settle_step(steps[-1])
                if paid is None:
                    log.error(
                        "cctalk: payout %s: hopper %d cannot tell what it paid",
                        payout.ref,
                        steps[-1].address,
                    )
                    continue  # stays running: the recovery counts it as not known
                self.ledger.finish_step(payout.ref, paid)
            settled = self.ledger.finish_payout(payout.ref)
            log.warning(
                "cctalk: payout %s settled from the registers: %d of %d yen paid",
                settled.ref,
                settled.paid_yen,
                settled.requested_yen,
            )
            kind = self._running.pop(payout.ref, None)
            if kind is not None:
                self._result(kind, settled.requested_yen, settled.paid_yen, settled.ref)
        self.reconciled = True

    def _settle_step(self, step: HopperStep) -> int | None:
        address = step.address
        deadline = time.monotonic() + RECONCILE_WAIT_S
        while True:
            status = self._hopper_status(address)
            if status is None:
                return None
            if not status.remaining or time.monotonic() > deadline or not self.sleep(0.1):
                break
        count = self._number(address, w.Header.REQUEST_HOPPER_DISPENSE_COUNT, w.parse_counter)
        if count is not None:
            return max(0, min(step.coins, count - step.dispense_count_before))
        if status.counter == _next_counter(step.counter_before):
            return status.paid
        if status.counter == step.counter_before:
            return 0  # the dispense command never reached the hopper
        return None  # the hopper was reset and keeps no count: unknown

    def _payout(self, kind: str, yen: int, ref: str) -> None:
        ref = ref or self.ledger.next_ref("payout")
        if self.ledger.payout(ref) is not None:
            log.error("cctalk: payout %s asked twice: not paid again", ref)
            return
        self.ledger.start_payout(Payout(ref, kind, yen))
        remaining = yen
        try:
            for hopper in sorted(self._hoppers.values(), key=lambda h: -h.coin_yen):
                while hopper.usable and remaining >= hopper.coin_yen:
                    coins = min(remaining // hopper.coin_yen, MAX_COINS_PER_DISPENSE)
                    paid = self._dispense(ref, hopper, coins)
                    remaining -= paid * hopper.coin_yen
                    if paid < coins:
                        break  # empty or jammed: the next hopper pays the rest
        except DeviceLost:
            # The hopper may still be paying: what left is read from its registers when the
            # bus is back (reconcile); until then nothing is claimed either way.
            self._running[ref] = kind
            raise
        payout = self.ledger.finish_payout(ref)
        if payout.paid_yen < yen:
            log.error(
                "cctalk: %s of %d yen: %d paid, %d short",
                kind,
                yen,
                payout.paid_yen,
                yen - payout.paid_yen,
            )
        self.payout_done_at = time.monotonic()
        self._result(kind, yen, payout.paid_yen, ref)

    def _unpaid(self, kind: str, yen: int, ref: str) -> None:
        """A payout dropped before it started (the bus was lost): nothing was paid."""
        self._result(kind, yen, 0, ref)

    def _result(self, kind: str, yen: int, paid: int, ref: str) -> None:
        if kind == "change":
            self.deliver(ChangeDispensed(yen, paid, ref))
        else:
            self.deliver(MoneyRefunded(yen, paid, ref))

    def _dispense(self, ref: str, hopper: Hopper, coins: int) -> int:
        """One dispense command and its end; the coins that left."""
        address = hopper.address
        before = self._hopper_status(address, ASK_TRIES)
        count_before = self._number(
            address, w.Header.REQUEST_HOPPER_DISPENSE_COUNT, w.parse_counter, ASK_TRIES
        )
        if before is None or count_before is None:
            hopper.fault = "does not report its counters"
            return 0
        self.ledger.add_step(
            ref, HopperStep(address, hopper.coin_yen, coins, count_before, before.counter)
        )
        accepted = self._send_dispense(hopper, coins, before.counter)
        paid = self._follow(hopper, coins, count_before, before.counter) if accepted else 0
        self._command(address, w.Header.ENABLE_HOPPER, b"\x00")
        self.ledger.finish_step(ref, paid)
        hopper.dispensed_total = count_before + paid
        if paid < coins and not hopper.fault:
            hopper.fault = self._why_short(hopper)
        return paid

    def _send_dispense(self, hopper: Hopper, coins: int, counter_before: int) -> bool:
        address = hopper.address
        enabled = self._ask(
            address, w.Header.ENABLE_HOPPER, bytes((w.ENABLE_HOPPER_CODE,)), tries=ASK_TRIES
        )
        if enabled is None or enabled.header != w.REPLY_ACK:
            hopper.fault = "refused to enable payout"
            return False
        security = bytes(8)  # an unencrypted hopper ignores them
        if hopper.encrypted:
            if self.cipher is None:
                hopper.fault = "encrypted: needs the manufacturer's dispense cipher"
                return False
            rng = os.urandom(8)
            pumped = self._ask(address, w.Header.PUMP_RNG, rng, tries=2)
            key = self._ask(address, w.Header.REQUEST_CIPHER_KEY, tries=2)
            if pumped is None or key is None or key.header != w.REPLY_ACK or not key.data:
                hopper.fault = "cipher key exchange failed"
                return False
            security = self.cipher.security_bytes(key.data, rng, coins)
        # Never sent twice blindly: an unanswered dispense is checked on the event counter.
        answer = self._ask(address, w.Header.DISPENSE_HOPPER_COINS, security + bytes((coins,)))
        if answer is not None and answer.header == w.REPLY_ACK:
            return True
        if answer is not None and answer.header == w.REPLY_NAK:
            flags = self._flags(address, ASK_TRIES)
            if flags is not None and w.HopperFlag.INCORRECT_CIPHER_KEY in flags:
                hopper.fault = "refused the dispense cipher"
            else:
                hopper.fault = "refused to dispense"
            return False
        status = self._hopper_status(address, ASK_TRIES)
        if status is None:
            raise DeviceLost(f"hopper {address}: cannot tell whether it took the dispense")
        return status.counter == _next_counter(counter_before)

    def _follow(self, hopper: Hopper, coins: int, count_before: int, counter_before: int) -> int:
        address = hopper.address
        expected = _next_counter(counter_before)
        last_paid, progress_at = -1, time.monotonic()
        while True:
            if not self.sleep(PAYOUT_POLL_S):
                raise DeviceLost("the driver is closing during a payout")
            status = self._hopper_status(address)
            self._poll_coins_quietly()
            if status is None:
                if time.monotonic() - progress_at > STALL_S:
                    raise DeviceLost(f"hopper {address} stopped answering during a payout")
                continue
            if status.counter != expected:
                log.error(
                    "cctalk: hopper %d counter %d, expected %d (reset?)",
                    address,
                    status.counter,
                    expected,
                )
                break
            if not status.remaining:
                break
            if status.paid != last_paid:
                last_paid, progress_at = status.paid, time.monotonic()
            elif time.monotonic() - progress_at > STALL_S:
                log.error("cctalk: hopper %d stalled: emergency stop", address)
                self._ask(address, w.Header.EMERGENCY_STOP, tries=2)
                hopper.fault = "stalled (emergency stop)"
        count = self._number(
            address, w.Header.REQUEST_HOPPER_DISPENSE_COUNT, w.parse_counter, ASK_TRIES
        )
        final = self._hopper_status(address, ASK_TRIES)
        by_status = final.paid if final is not None and final.counter == expected else None
        if count is None:
            if by_status is None:
                raise DeviceLost(f"hopper {address} cannot say what it paid")
            return by_status
        paid = max(0, min(coins, count - count_before))
        if by_status is not None and by_status != paid:
            log.error(
                "cctalk: hopper %d: status says %d paid, its counter %d: the counter counts",
                address,
                by_status,
                paid,
            )
        return paid

    def _poll_coins_quietly(self) -> None:
        """Coins may come in while a hopper pays: the bus's coin side reads them (a lost
        answer does not stop the payout)."""

    def _why_short(self, hopper: Hopper) -> str:
        flags = self._flags(hopper.address)
        if flags is None:
            return "stopped answering"
        if any(flag in flags for flag in w.JAM_FLAGS):
            return "jammed"
        if w.HopperFlag.PAYOUT_TIMEOUT in flags:
            return "empty"
        return "paid short"

    def _level(self, hopper: Hopper) -> None:
        answer = self._ask(hopper.address, w.Header.REQUEST_PAYOUT_HIGH_LOW)
        if answer is None or answer.header != w.REPLY_ACK or len(answer.data) != 1:
            return
        bits = answer.data[0]
        low = bool(bits & 0x01) if bits & 0x10 else None
        high = bool(bits & 0x02) if bits & 0x20 else None
        hopper.level = "low" if low else "high" if high else "ok" if low is not None else "unknown"
        if hopper.fault == "empty" and low is False:
            hopper.fault = ""  # refilled


def _next_counter(counter: int) -> int:
    """The event counter after one more event (1…255, wrapping to 1)."""
    return 1 if counter >= 255 else counter + 1


__all__ = [
    "ASK_TRIES",
    "MAX_COINS_PER_DISPENSE",
    "STALL_S",
    "DispenseCipher",
    "Hopper",
    "HopperPayouts",
]
