"""The ccTalk bus driver: a coin acceptor and payout hoppers, one worker thread owning the port.

Coins (docs/cash-hardware.md, "ccTalk"): the acceptor's channels are read by name at start
(header 184: ``JP100A`` …); 10, 50, 100 and both 500-yen coins are enabled, 1 and 5 yen stay
inhibited. The buffered credit (229) is polled every :data:`POLL_S`; the event counter says how
many events are new — none (a repeated answer is not counted twice), up to five (read from the
buffer), more (events lost: a fault), or a counter back at 0 (the acceptor was reset). Coins are
noted in the cash ledger, with the counter, *before* they are handed to the kiosk.

Change and refunds: hoppers are used from the largest coin down; each dispense command (167)
is noted in the ledger with the hopper's lifetime dispense count (168) and event counter (166)
*before* it is sent, then followed on the hopper's status until it stops. What left is the
dispense count's difference (the hopper's non-volatile counter), checked against the last
payout's coins paid; a hopper that runs empty or jams ends its part and the rest is asked of the
next hopper. After a kill of the kiosk or a power cut, the same registers settle a payout the
ledger says was running (:meth:`CcTalkBus.reconcile`), without paying anything more.

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
from dataclasses import dataclass, replace
from typing import Protocol

from kiosk.payment import cctalk_wire as w
from kiosk.payment.cash_ledger import CashLedger, HopperStep, Payout
from kiosk.payment.cash_status import DeviceStatus, HopperLevel
from kiosk.payment.device_worker import DeviceLost, DeviceWorker
from kiosk.payment.events import (
    AcceptorEvent,
    AcceptorJammed,
    ChangeDispensed,
    MoneyInserted,
    MoneyRefunded,
    MoneyRejected,
    RejectReason,
)
from kiosk.payment.money import Denomination, denomination_of
from kiosk.payment.serial_link import SerialLink

log = logging.getLogger(__name__)

# Timing. The acceptor's buffer holds five events: at 200 ms a resident cannot insert more
# between two polls. Peripherals answer within tens of milliseconds; a busy kiosk PC and the USB
# adapter get REPLY_TIMEOUT_S. A hopper pays 5–10 coins a second and stops by itself when empty
# (its own payout timeout); no progress for STALL_S means it is stuck: emergency stop.
POLL_S = 0.2
REPLY_TIMEOUT_S = 0.3
MISSES_LOST = 8  # polls in a row without an answer (each asked twice): about 6 s
PAYOUT_POLL_S = 0.1
STALL_S = 8.0
HEALTH_S = 5.0  # hoppers are checked this often while idle
RECONCILE_WAIT_S = 60.0  # a payout still running at start is followed this long at most
MAX_COINS_PER_DISPENSE = 255  # header 167: 1 to 255 coins
COIN_VALUES = (10, 50, 100, 500)  # what the acceptor takes; 1 and 5 yen are refused

Deliver = Callable[[AcceptorEvent], None]


class DispenseCipher(Protocol):
    """The eight security bytes of an encrypted dispense (the hopper maker's algorithm)."""

    name: str

    def security_bytes(self, cipher_key: bytes, rng: bytes, coins: int) -> bytes: ...


@dataclass(frozen=True)
class _Answer:
    header: int  # 0 ACK, 5 NAK, 6 BUSY
    data: bytes


@dataclass
class _Hopper:
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


@dataclass
class CoinSettings:
    checksum: w.Checksum = w.Checksum.SIMPLE
    echo: bool = True  # a one-wire bus: the host reads its own bytes back first
    acceptor_address: int = w.COIN_ACCEPTOR_ADDRESS
    hopper_addresses: tuple[int, ...] = (3, 4)
    accepted: tuple[int, ...] = COIN_VALUES
    poll_s: float = POLL_S
    reply_timeout_s: float = REPLY_TIMEOUT_S


class CcTalkBus(DeviceWorker):
    """The bus on ``link`` (see the module docstring)."""

    name = "cctalk"

    def __init__(
        self,
        link: SerialLink,
        ledger: CashLedger,
        deliver: Deliver,
        settings: CoinSettings | None = None,
        *,
        cipher: DispenseCipher | None = None,
    ) -> None:
        self.settings = settings or CoinSettings()
        super().__init__(link, poll_s=self.settings.poll_s)
        self.ledger = ledger
        self.deliver = deliver
        self.cipher = cipher
        self._decoder = w.Decoder(self.settings.checksum)
        self._channels: dict[int, Denomination] = {}
        self._acceptor_key = ""
        self._counter: int | None = None
        self._enabled = False
        self._misses = 0
        self._next_health = 0.0
        self._hoppers = {a: _Hopper(a) for a in self.settings.hopper_addresses}
        self.acceptor_status = DeviceStatus("coin acceptor")
        self.reconciled = False  # payouts the ledger had running at start are settled
        self._running: dict[str, str] = {}  # payouts of this run cut by a lost line: ref → kind
        self.payout_done_at: float | None = None  # benchmark: monotonic time of the last result

    # --- commands (any thread) ----------------------------------------------------------------

    def enable(self) -> bool:
        """Take coins (True once the acceptor was told)."""
        return self.run(lambda: self._set_master(True))

    def disable(self) -> bool:
        return self.run(lambda: self._set_master(False))

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

    # --- connecting ---------------------------------------------------------------------------

    def _connect(self) -> None:
        self._decoder.reset()
        self._misses = 0
        self._identify_acceptor()
        for hopper in self._hoppers.values():
            self._identify_hopper(hopper)
        self.reconcile()
        self._next_health = time.monotonic() + HEALTH_S

    def _identify_acceptor(self) -> None:
        address = self.settings.acceptor_address
        if self._ask(address, w.Header.SIMPLE_POLL, tries=3) is None:
            raise DeviceLost("the coin acceptor does not answer")
        category = self._text(address, w.Header.REQUEST_EQUIPMENT_CATEGORY)
        if category and category.lower() != "coin acceptor":
            log.warning("cctalk: address %d is a %r, not a coin acceptor", address, category)
        serial = self._number(address, w.Header.REQUEST_SERIAL_NUMBER, w.parse_serial_number)
        self._acceptor_key = f"coin-{serial if serial is not None else address}"
        channels: dict[int, Denomination] = {}
        for channel in range(1, 17):
            answer = self._ask(address, w.Header.REQUEST_COIN_ID, bytes((channel,)), tries=3)
            if answer is None:
                raise DeviceLost(f"the coin acceptor's channel {channel} could not be read")
            if answer.header != w.REPLY_ACK:
                continue
            try:
                coin = w.parse_coin_id(answer.data)
            except w.CcTalkProtocolError as exc:
                log.warning("cctalk: channel %d: %s", channel, exc)
                continue
            if coin is None or coin.country != "JP":
                continue
            denomination = denomination_of(coin.value)
            if denomination is not None and coin.value in self.settings.accepted:
                channels[channel] = denomination
        if not channels:
            raise DeviceLost("the coin acceptor has no yen coin channel")
        self._channels = channels
        mask = sum(1 << (channel - 1) for channel in channels)
        self._command(address, w.Header.MODIFY_INHIBIT_STATUS, mask.to_bytes(2, "little"))
        self._command(address, w.Header.MODIFY_MASTER_INHIBIT, bytes((int(self._enabled),)))
        events = self._events()
        if events is None:
            raise DeviceLost("the coin acceptor does not report its credits")
        self._catch_up(events, at_start=self._counter is None)
        identity = f"serial {serial}" if serial is not None else ""
        self.acceptor_status = replace(self.acceptor_status, connected=True, identity=identity)

    def _identify_hopper(self, hopper: _Hopper) -> None:
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

    # --- the start: what the ledger says was running ------------------------------------------

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

    # --- polling ------------------------------------------------------------------------------

    def _poll(self) -> None:
        self._poll_coins()
        if time.monotonic() >= self._next_health:
            self._next_health = time.monotonic() + HEALTH_S
            for hopper in self._hoppers.values():
                if hopper.connected:
                    self._level(hopper)
                else:
                    self._identify_hopper(hopper)

    def _poll_coins(self) -> None:
        events = self._events()
        if events is None:
            self._misses += 1
            if self._misses >= MISSES_LOST:
                raise DeviceLost(f"no answer from the coin acceptor {self._misses} times")
            return
        self._misses = 0
        self._catch_up(events, at_start=False)

    def _events(self) -> w.BufferedEvents | None:
        # Reading the buffer changes nothing on the device: a lost answer is asked again.
        answer = self._ask(self.settings.acceptor_address, w.Header.READ_BUFFERED_CREDIT, tries=2)
        if answer is None or answer.header != w.REPLY_ACK:
            return None
        try:
            return w.parse_buffered_events(answer.data)
        except w.CcTalkProtocolError as exc:
            log.warning("cctalk: %s", exc)
            return None

    def _catch_up(self, events: w.BufferedEvents, *, at_start: bool) -> None:
        """Take the events new since the last counter handed to the kiosk."""
        key = self._acceptor_key
        last = self.ledger.coin_counter(key) if at_start else self._counter
        self._counter = events.counter
        if last is None:  # this acceptor was never read: its history is not ours
            self.ledger.set_coin_counter(key, events.counter)
            return
        new = w.new_events(last, events.counter)
        if new is None:
            log.warning("cctalk: the coin acceptor was reset (event counter back to 0)")
            self.ledger.set_coin_counter(key, 0)
            if not at_start:
                self._reapply_inhibits()
            return
        if new == 0:
            return
        lost = max(0, new - len(events.results))
        fresh = list(reversed(events.results[: new - lost]))  # oldest first
        coins: list[int] = []
        others: list[AcceptorEvent] = []
        for a, b in fresh:
            if a:
                coin = self._channels.get(a)
                if coin is None:
                    self._acceptor_fault(f"a coin of type {a}, not a yen channel, was accepted")
                else:
                    coins.append(int(coin))
            else:
                others.extend(self._error_event(b))
        credits = self.ledger.add_credits(key, events.counter, coins)  # before anyone hears
        if lost:
            self._acceptor_fault(f"{lost} coin events lost (the buffer holds five)")
        if at_start:
            return  # no payment is open: the recovery settles these credits
        for credit in credits:
            self.deliver(MoneyInserted(Denomination(credit.yen), ref=credit.ref))
        for event in others:
            self.deliver(event)
        if lost and self._enabled:
            self.deliver(AcceptorJammed())

    def _error_event(self, code: int) -> list[AcceptorEvent]:
        reason = w.COIN_ERRORS.get(code, f"code {code}")
        if code == 0:
            return []
        if code == w.INHIBITED_COIN:
            return [MoneyRejected(RejectReason.NOT_ENABLED)]
        if code in w.INHIBITED_TYPES:
            return [MoneyRejected(RejectReason.NOT_ACCEPTED)]
        if code in w.COIN_JAM_ERRORS:
            self._acceptor_fault(reason)
            return [AcceptorJammed()] if self._enabled else []
        if code in w.COIN_FRAUD_ERRORS:
            log.warning("cctalk: coin acceptor: %s (fraud attempt?)", reason)
        if code in (1, 24, 25, 3, 4, 5, 6, 7, 8, 37, 38) or code in w.COIN_FRAUD_ERRORS:
            return [MoneyRejected(RejectReason.UNRECOGNISED)]
        log.info("cctalk: coin acceptor event: %s", reason)
        return []

    def _set_master(self, enabled: bool) -> None:
        self._enabled = enabled
        self._command(
            self.settings.acceptor_address, w.Header.MODIFY_MASTER_INHIBIT, bytes((int(enabled),))
        )
        if enabled and self.acceptor_status.fault:
            self.deliver(AcceptorJammed())
        elif enabled:
            self._poll_coins()

    def _reapply_inhibits(self) -> None:
        address = self.settings.acceptor_address
        mask = sum(1 << (channel - 1) for channel in self._channels)
        self._command(address, w.Header.MODIFY_INHIBIT_STATUS, mask.to_bytes(2, "little"))
        self._command(address, w.Header.MODIFY_MASTER_INHIBIT, bytes((int(self._enabled),)))

    def _acceptor_fault(self, text: str) -> None:
        log.error("cctalk: coin acceptor: %s", text)
        self.acceptor_status = replace(self.acceptor_status, fault=text)

    def clear_faults(self) -> None:
        """Staff cleared the coin acceptor: its fault is forgotten (hoppers are re-checked)."""
        self.acceptor_status = replace(self.acceptor_status, fault="")
        for hopper in self._hoppers.values():
            hopper.fault = ""

    def _lost(self, reason: str) -> None:
        self.acceptor_status = replace(self.acceptor_status, connected=False)
        for hopper in self._hoppers.values():
            hopper.connected = False
        if self._enabled:
            self.deliver(AcceptorJammed())

    # --- payouts ------------------------------------------------------------------------------

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

    def _dispense(self, ref: str, hopper: _Hopper, coins: int) -> int:
        """One dispense command and its end; the coins that left."""
        address = hopper.address
        before = self._hopper_status(address)
        count_before = self._number(
            address, w.Header.REQUEST_HOPPER_DISPENSE_COUNT, w.parse_counter
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

    def _send_dispense(self, hopper: _Hopper, coins: int, counter_before: int) -> bool:
        address = hopper.address
        enabled = self._ask(
            address, w.Header.ENABLE_HOPPER, bytes((w.ENABLE_HOPPER_CODE,)), tries=2
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
            flags = self._flags(address)
            if flags is not None and w.HopperFlag.INCORRECT_CIPHER_KEY in flags:
                hopper.fault = "refused the dispense cipher"
            else:
                hopper.fault = "refused to dispense"
            return False
        status = self._hopper_status(address)
        if status is None:
            raise DeviceLost(f"hopper {address}: cannot tell whether it took the dispense")
        return status.counter == _next_counter(counter_before)

    def _follow(self, hopper: _Hopper, coins: int, count_before: int, counter_before: int) -> int:
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
        count = self._number(address, w.Header.REQUEST_HOPPER_DISPENSE_COUNT, w.parse_counter)
        final = self._hopper_status(address)
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
        try:
            self._poll_coins()
        except DeviceLost:
            self._misses = 0  # the payout goes on; the acceptor is checked again after it

    def _why_short(self, hopper: _Hopper) -> str:
        flags = self._flags(hopper.address)
        if flags is None:
            return "stopped answering"
        if any(flag in flags for flag in w.JAM_FLAGS):
            return "jammed"
        if w.HopperFlag.PAYOUT_TIMEOUT in flags:
            return "empty"
        return "paid short"

    def _level(self, hopper: _Hopper) -> None:
        answer = self._ask(hopper.address, w.Header.REQUEST_PAYOUT_HIGH_LOW)
        if answer is None or answer.header != w.REPLY_ACK or len(answer.data) != 1:
            return
        bits = answer.data[0]
        low = bool(bits & 0x01) if bits & 0x10 else None
        high = bool(bits & 0x02) if bits & 0x20 else None
        hopper.level = "low" if low else "high" if high else "ok" if low is not None else "unknown"
        if hopper.fault == "empty" and low is False:
            hopper.fault = ""  # refilled

    # --- the wire -----------------------------------------------------------------------------

    def _hopper_status(self, address: int) -> w.HopperStatus | None:
        answer = self._ask(address, w.Header.REQUEST_HOPPER_STATUS, tries=3)
        if answer is None or answer.header != w.REPLY_ACK:
            return None
        try:
            return w.parse_hopper_status(answer.data)
        except w.CcTalkProtocolError as exc:
            log.warning("cctalk: %s", exc)
            return None

    def _flags(self, address: int) -> w.HopperFlags | None:
        answer = self._ask(address, w.Header.TEST_HOPPER, tries=3)
        if answer is None or answer.header != w.REPLY_ACK:
            return None
        try:
            return w.parse_hopper_flags(answer.data)
        except w.CcTalkProtocolError:
            return None

    def _number(self, address: int, header: int, parse: Callable[[bytes], int]) -> int | None:
        answer = self._ask(address, header, tries=3)
        if answer is None or answer.header != w.REPLY_ACK:
            return None
        try:
            return parse(answer.data)
        except w.CcTalkProtocolError as exc:
            log.warning("cctalk: %s", exc)
            return None

    def _text(self, address: int, header: int) -> str | None:
        answer = self._ask(address, header, tries=2)
        if answer is None or answer.header != w.REPLY_ACK:
            return None
        try:
            return w.parse_text(answer.data, "answer")
        except w.CcTalkProtocolError:
            return None

    def _command(self, address: int, header: int, data: bytes) -> bool:
        answer = self._ask(address, header, data, tries=2)
        ok = answer is not None and answer.header == w.REPLY_ACK
        if not ok:
            log.warning("cctalk: header %d to %d answered %r", header, address, answer)
        return ok

    def _ask(
        self, address: int, header: int, data: bytes = b"", *, tries: int = 1
    ) -> _Answer | None:
        """Send and wait for the answer from ``address``. BUSY (the device did nothing) is
        asked again after a moment; no answer is asked again only for ``tries`` > 1, which
        only idempotent requests get (a dispense is never sent twice blindly)."""
        frame = w.encode(address, header, data, checksum=self.settings.checksum)
        unanswered = busy = 0
        while True:
            self.link.write(frame)
            answer = self._read(address)
            if answer is not None and answer.header == w.REPLY_BUSY and busy < 3:
                busy += 1
                if not self.sleep(0.05):
                    return None
                continue
            if answer is not None:
                return answer
            unanswered += 1
            if unanswered >= tries:
                return None

    def _read(self, address: int) -> _Answer | None:
        deadline = time.monotonic() + self.settings.reply_timeout_s
        while (left := deadline - time.monotonic()) > 0:
            for frame in self._decoder.feed(self.link.read(left)):
                if frame.destination != w.HOST_ADDRESS:
                    continue  # our own frame heard back on the one-wire bus
                if frame.source is not None and frame.source != address:
                    continue  # a late answer from another device
                return _Answer(frame.header, frame.data)
        self._decoder.reset()
        return None


def _next_counter(counter: int) -> int:
    """The event counter after one more event (1…255, wrapping to 1)."""
    return 1 if counter >= 255 else counter + 1


__all__ = ["COIN_VALUES", "POLL_S", "CcTalkBus", "CoinSettings", "DispenseCipher"]
