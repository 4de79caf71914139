"""APDU helpers for the virtual-card tests (hex strings in, (data, SW) out)."""

from __future__ import annotations

from hw_sim.card import InProcessTransport


class Card:
    """A powered virtual card with hex-string helpers: ``card("00A4...")`` → (data, sw)."""

    def __init__(self, transport: InProcessTransport) -> None:
        self.transport = transport
        self.card = transport.card

    def __call__(self, apdu: str | bytes) -> tuple[bytes, int]:
        raw = bytes.fromhex(apdu) if isinstance(apdu, str) else apdu
        return self.transport.transmit(raw)

    def sw(self, apdu: str | bytes) -> int:
        return self(apdu)[1]

    def ok(self, apdu: str | bytes) -> bytes:
        data, sw = self(apdu)
        assert sw == 0x9000, f"{apdu!r} answered {sw:04X}"
        return data

    def select_aid(self, aid_hex: str) -> int:
        aid = bytes.fromhex(aid_hex)
        return self.sw(bytes([0x00, 0xA4, 0x04, 0x0C, len(aid)]) + aid)

    def select_ef(self, fid: int) -> int:
        return self.sw(bytes([0x00, 0xA4, 0x02, 0x0C, 0x02]) + fid.to_bytes(2, "big"))

    def verify(self, secret: str | bytes) -> int:
        raw = secret.encode() if isinstance(secret, str) else secret
        return self.sw(bytes([0x00, 0x20, 0x00, 0x80, len(raw)]) + raw)

    def read_all(self, chunk: int = 256) -> bytes:
        """READ BINARY the current EF to its end (until 6B 00 or a short chunk)."""
        out = b""
        while True:
            le = chunk % 256
            data, sw = self(bytes([0x00, 0xB0, len(out) >> 8, len(out) & 0xFF, le]))
            if sw == 0x6B00:
                return out
            assert sw == 0x9000, f"read at {len(out)} answered {sw:04X}"
            out += data
            if len(data) < chunk:
                return out

    def power_cycle(self) -> None:
        self.card.power_off()
        self.card.power_on()


JPKI = "D392F000260100000001"
HOJO = "D3921000310001010408"
KENMEN = "D3921000310001010402"
JUKI = "D3921000310001010401"
COMMON = "D3921000310001010100"
GP_ISD = "A0000001510000"
