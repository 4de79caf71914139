"""In-process transport: the virtual card behind the same ``transmit`` call as a PC/SC reader,
for fast driver tests without pcscd."""

from __future__ import annotations

import time

from hw_sim.card.engine import VirtualCard


class CardRemovedError(Exception):
    """The in-process card was closed (removed): like a reader without a card."""


class InProcessTransport:
    """``transmit(apdu) -> (data, sw)`` straight to a :class:`VirtualCard`.

    Creating the transport powers the card on (cold reset); :meth:`close` powers it off, which
    clears its security state. The profile's response delay is honoured (the ``slow`` persona).
    """

    def __init__(self, card: VirtualCard) -> None:
        self.card = card
        self.atr = card.power_on()
        self.apdus = 0  # commands sent on this connection
        self._closed = False

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        """Send one command APDU; returns (response data, status word as an int)."""
        if self._closed:
            raise CardRemovedError("the in-process card was closed")
        self.apdus += 1
        delay = self.card.profile.response_delay_s
        if delay > 0:
            time.sleep(delay)
        try:
            answer = self.card.process(bytes(apdu))
        except RuntimeError:  # the engine refuses an unpowered card: pulled out meanwhile
            if self._closed:
                raise CardRemovedError("the in-process card was removed mid-command") from None
            raise
        return answer[:-2], int.from_bytes(answer[-2:], "big")

    def reset(self) -> bytes:
        """Warm reset (like pyscard's ``reconnect(RESET)``); returns the ATR."""
        if self._closed:
            raise CardRemovedError("the in-process card was closed")
        self.atr = self.card.warm_reset()
        return self.atr

    def close(self) -> None:
        """Power the card off (idempotent)."""
        if not self._closed:
            self._closed = True
            self.card.power_off()

    def __enter__(self) -> InProcessTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
