"""The simulator's hopper dispense cipher — **not** any manufacturer's.

ccTalk's encrypted dispense (header 167) sends eight security bytes computed from the hopper's
cipher key (header 160) and the random numbers the host pumped into it (header 161). The
specification says "the security algorithm is not given in this document": manufacturers give
it to machine builders under agreement. So the kiosk's driver takes the algorithm as a plug-in
(kiosk.payment.cctalk.DispenseCipher); this one is a keyed HMAC so that the simulator's
encrypting hopper exercises the exchange — a fresh key per dispense, a NAK and the "incorrect
cipher key" flag for wrong bytes — without pretending to be a real hopper's.
"""

from __future__ import annotations

import hashlib
import hmac

_KEY = b"konbini-kiosk simulator hopper cipher (not a manufacturer's)"


class SimulatorCipher:
    """kiosk.payment.cctalk.DispenseCipher for the simulated hoppers."""

    name = "simulator"

    def security_bytes(self, cipher_key: bytes, rng: bytes, coins: int) -> bytes:
        message = bytes(cipher_key) + bytes(rng) + bytes((coins & 0xFF,))
        return hmac.new(_KEY, message, hashlib.sha256).digest()[:8]


__all__ = ["SimulatorCipher"]
