"""The ccTalk bus as a port: one worker thread asking the peripherals on their addresses and
reading their answers (the host is address 1). kiosk.payment.cctalk builds the coin acceptor
and the hoppers on it (docs/cash-hardware.md, "ccTalk")."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.payment import cctalk_wire as w
from kiosk.payment.device_worker import DeviceWorker
from kiosk.payment.serial_link import SerialLink

log = logging.getLogger(__name__)

# The acceptor's buffer holds five events: at 200 ms a resident cannot insert more between two
# polls. Peripherals answer within tens of milliseconds; a busy kiosk PC and the USB adapter get
# REPLY_TIMEOUT_S.
POLL_S = 0.2
REPLY_TIMEOUT_S = 0.3
COIN_VALUES = (10, 50, 100, 500)  # what the acceptor takes; 1 and 5 yen are refused


@dataclass(frozen=True)
class Answer:
    header: int  # 0 ACK, 5 NAK, 6 BUSY
    data: bytes


@dataclass
class CoinSettings:
    checksum: w.Checksum = w.Checksum.SIMPLE
    echo: bool = True  # a one-wire bus: the host reads its own bytes back first
    acceptor_address: int = w.COIN_ACCEPTOR_ADDRESS
    hopper_addresses: tuple[int, ...] = (3, 4)
    accepted: tuple[int, ...] = COIN_VALUES
    poll_s: float = POLL_S
    reply_timeout_s: float = REPLY_TIMEOUT_S


class CcTalkPort(DeviceWorker):
    """Requests and answers on the bus (see the module docstring)."""

    def __init__(self, link: SerialLink, settings: CoinSettings) -> None:
        self.settings = settings
        super().__init__(link, poll_s=settings.poll_s)
        self._decoder = w.Decoder(settings.checksum)

    def _hopper_status(self, address: int, tries: int = 3) -> w.HopperStatus | None:
        answer = self._ask(address, w.Header.REQUEST_HOPPER_STATUS, tries=tries)
        if answer is None or answer.header != w.REPLY_ACK:
            return None
        try:
            return w.parse_hopper_status(answer.data)
        except w.CcTalkProtocolError as exc:
            log.warning("cctalk: %s", exc)
            return None

    def _flags(self, address: int, tries: int = 3) -> w.HopperFlags | None:
        answer = self._ask(address, w.Header.TEST_HOPPER, tries=tries)
        if answer is None or answer.header != w.REPLY_ACK:
            return None
        try:
            return w.parse_hopper_flags(answer.data)
        except w.CcTalkProtocolError:
            return None

    def _number(
        self, address: int, header: int, parse: Callable[[bytes], int], tries: int = 3
    ) -> int | None:
        answer = self._ask(address, header, tries=tries)
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
    ) -> Answer | None:
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

    def _read(self, address: int) -> Answer | None:
        deadline = time.monotonic() + self.settings.reply_timeout_s
        while (left := deadline - time.monotonic()) > 0:
            for frame in self._decoder.feed(self.link.read(left)):
                if frame.destination != w.HOST_ADDRESS:
                    continue  # our own frame heard back on the one-wire bus
                if frame.source is not None and frame.source != address:
                    continue  # a late answer from another device
                return Answer(frame.header, frame.data)
        self._decoder.reset()
        return None


__all__ = ["COIN_VALUES", "POLL_S", "REPLY_TIMEOUT_S", "Answer", "CcTalkPort", "CoinSettings"]
