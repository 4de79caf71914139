"""The ccTalk bus driver: a coin acceptor and payout hoppers, one worker thread owning the port.

Coins (docs/cash-hardware.md, "ccTalk"): the acceptor's channels are read by name at start
(header 184: ``JP100A`` …); 10, 50, 100 and both 500-yen coins are enabled, 1 and 5 yen stay
inhibited. The buffered credit (229) is polled every :data:`POLL_S`; the event counter says how
many events are new — none (a repeated answer is not counted twice), up to five (read from the
buffer), more (events lost: a fault), or a counter back at 0 (the acceptor was reset). Coins are
noted in the cash ledger, with the counter, *before* they are handed to the kiosk.

Change and refunds come from the hoppers on the same bus (kiosk.payment.cctalk_hoppers); the
requests and answers are kiosk.payment.cctalk_port's.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from kiosk.payment import cctalk_wire as w
from kiosk.payment.cash_ledger import CashLedger
from kiosk.payment.cash_status import DeviceStatus
from kiosk.payment.cctalk_hoppers import Deliver, DispenseCipher, HopperPayouts
from kiosk.payment.cctalk_port import COIN_VALUES, POLL_S, CoinSettings
from kiosk.payment.device_worker import DeviceLost
from kiosk.payment.events import (
    AcceptorEvent,
    AcceptorJammed,
    MoneyInserted,
    MoneyRejected,
    RejectReason,
)
from kiosk.payment.money import Denomination, denomination_of
from kiosk.payment.serial_link import SerialLink

log = logging.getLogger(__name__)

MISSES_LOST = 8  # polls in a row without an answer (each asked twice): about 6 s
HEALTH_S = 5.0  # hoppers are checked this often while idle


class CcTalkBus(HopperPayouts):
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
        super().__init__(link, ledger, deliver, settings or CoinSettings(), cipher)
        self._channels: dict[int, Denomination] = {}
        self._acceptor_key = ""
        self._counter: int | None = None
        self._enabled = False
        self._misses = 0
        self._next_health = 0.0
        self.acceptor_status = DeviceStatus("coin acceptor")

    # --- commands (any thread) ----------------------------------------------------------------

    def enable(self) -> bool:
        """Take coins (True once the acceptor was told)."""
        return self.run(lambda: self._set_master(True))

    def disable(self) -> bool:
        return self.run(lambda: self._set_master(False))

    # --- connecting and polling ---------------------------------------------------------------

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

    def _poll_coins_quietly(self) -> None:
        try:
            self._poll_coins()
        except DeviceLost:
            self._misses = 0  # the payout goes on; the acceptor is checked again after it

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


__all__ = ["COIN_VALUES", "POLL_S", "CcTalkBus", "CoinSettings", "DispenseCipher"]
