"""ccTalk frames and the answers the cash unit uses: pure, no I/O.

ccTalk (the public "ccTalk Generic Specification", parts 1–3; docs/cash-hardware.md) is a
multi-drop serial bus: the host (address 1) asks, one peripheral answers. A frame is

    [destination] [data length] [source] [header] [data…] [checksum]          simple checksum
    [destination] [data length] [CRC LSB] [header] [data…] [CRC MSB]           CRC-16 checksum

- simple checksum (part 1 §7.10): all bytes of the frame add up to 0 modulo 256;
- CRC-16 (part 1 §7.11): CRC-CCITT (polynomial 0x1021, initial value 0, not reflected) over
  destination, length, header and data; the source address is not sent. The spec's examples
  ``[40][0][0x3F][1][0x46]`` (reset to address 40) and ``[1][0][0x37][0][0x30]`` (an ACK) are
  tests in tests/kiosk/payment/test_cctalk_wire.py.

An answer has header 0 (ACK, with or without data), 5 (NAK) or 6 (BUSY). The decoder frames
by length (there is no sync byte), checks the checksum, and on a bad frame drops one byte and
tries again, so it resynchronises after noise; it never raises. The ``parse_*`` functions raise
only :class:`CcTalkProtocolError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum

HOST_ADDRESS = 1
BROADCAST = 0
COIN_ACCEPTOR_ADDRESS = 2  # part 3 (addresses): coin acceptors default to 2
FIRST_HOPPER_ADDRESS = 3  # payout devices default to 3 and up
MAX_DATA = 252  # keeps a frame within 256 bytes on every known device
REPLY_ACK = 0
REPLY_NAK = 5
REPLY_BUSY = 6


class CcTalkProtocolError(ValueError):
    """An answer the protocol does not allow (wrong length, bad values)."""


class Checksum(Enum):
    SIMPLE = "simple"
    CRC16 = "crc16"


class Header(IntEnum):
    """The headers this driver sends (part 2 names)."""

    SIMPLE_POLL = 254
    REQUEST_EQUIPMENT_CATEGORY = 245
    REQUEST_PRODUCT_CODE = 244
    REQUEST_SERIAL_NUMBER = 242
    REQUEST_SOFTWARE_REVISION = 241
    MODIFY_INHIBIT_STATUS = 231
    READ_BUFFERED_CREDIT = 229
    MODIFY_MASTER_INHIBIT = 228
    REQUEST_MASTER_INHIBIT = 227
    REQUEST_PAYOUT_HIGH_LOW = 217
    REQUEST_COIN_ID = 184
    EMERGENCY_STOP = 172
    REQUEST_HOPPER_COIN = 171
    REQUEST_HOPPER_DISPENSE_COUNT = 168
    DISPENSE_HOPPER_COINS = 167
    REQUEST_HOPPER_STATUS = 166
    ENABLE_HOPPER = 164
    TEST_HOPPER = 163
    PUMP_RNG = 161
    REQUEST_CIPHER_KEY = 160
    RESET_DEVICE = 1


ENABLE_HOPPER_CODE = 165  # header 164: 165 (0xA5) enables payout, anything else disables


def crc16(data: bytes) -> int:
    """CRC-CCITT, polynomial 0x1021, initial value 0, most significant bit first."""
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def encode(
    destination: int,
    header: int,
    data: bytes = b"",
    *,
    source: int = HOST_ADDRESS,
    checksum: Checksum = Checksum.SIMPLE,
) -> bytes:
    """One frame from ``source`` to ``destination``."""
    if len(data) > MAX_DATA or not all(0 <= v <= 0xFF for v in (destination, source, header)):
        raise ValueError("address, header or data out of range")
    if checksum is Checksum.SIMPLE:
        body = bytes((destination, len(data), source, header)) + data
        return body + bytes(((-sum(body)) & 0xFF,))
    crc = crc16(bytes((destination, len(data), header)) + data)
    return bytes((destination, len(data), crc & 0xFF, header)) + data + bytes((crc >> 8,))


@dataclass(frozen=True)
class Frame:
    """A frame whose checksum checked out; ``source`` is None in CRC-16 mode (not sent)."""

    destination: int
    source: int | None
    header: int
    data: bytes


class Decoder:
    """Frames out of a byte stream (see the module docstring)."""

    def __init__(self, checksum: Checksum) -> None:
        self.checksum = checksum
        self._buffer = bytearray()
        self.dropped = 0

    def feed(self, chunk: bytes) -> list[Frame]:
        self._buffer.extend(chunk)
        frames: list[Frame] = []
        while len(self._buffer) >= 5:
            if self._buffer[1] > MAX_DATA:
                self._drop_one()
                continue
            total = self._buffer[1] + 5
            if len(self._buffer) < total:
                # A noise byte may have shifted the framing onto a long "length": if a whole
                # frame already starts further on, the bytes before it were noise.
                later = self._later_frame()
                if later is None:
                    break
                self.dropped += later
                del self._buffer[:later]
                continue
            frame = self._check(bytes(self._buffer[:total]))
            if frame is None:
                self._drop_one()
                continue
            del self._buffer[:total]
            frames.append(frame)
        return frames

    def _later_frame(self) -> int | None:
        for position in range(1, len(self._buffer) - 4):
            length = self._buffer[position + 1]
            end = position + length + 5
            fits = length <= MAX_DATA and end <= len(self._buffer)
            if fits and self._check(bytes(self._buffer[position:end])) is not None:
                return position
        return None

    @property
    def pending(self) -> int:
        """Bytes held waiting for the rest of a frame."""
        return len(self._buffer)

    def reset(self) -> None:
        self.dropped += len(self._buffer)
        self._buffer.clear()

    def _check(self, raw: bytes) -> Frame | None:
        data = raw[4:-1]
        if self.checksum is Checksum.SIMPLE:
            if sum(raw) & 0xFF:
                return None
            return Frame(raw[0], raw[2], raw[3], data)
        crc = crc16(bytes((raw[0], raw[1], raw[3])) + data)
        if raw[2] != crc & 0xFF or raw[-1] != crc >> 8:
            return None
        return Frame(raw[0], None, raw[3], data)

    def _drop_one(self) -> None:
        self.dropped += 1
        del self._buffer[:1]


# --- answers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BufferedEvents:
    """Header 229: the event counter and the last five results, newest first.

    A result with ``a`` 1…255 is a credit of coin type ``a`` (sorter path ``b``); ``a`` = 0 is
    an error or reject whose code is ``b`` (part 3, table "coin acceptor error codes").
    """

    counter: int
    results: tuple[tuple[int, int], ...]


def parse_buffered_events(data: bytes) -> BufferedEvents:
    _expect(len(data) == 11, f"buffered credit: 11 bytes, not {len(data)}")
    results = tuple((data[i], data[i + 1]) for i in range(1, 11, 2))
    return BufferedEvents(data[0], results)


def new_events(last: int, current: int) -> int | None:
    """How many events happened from counter ``last`` to ``current`` (1…255 wrap to 1, 0 only
    at power-up or reset): None when the counter went back to 0 (the device reset)."""
    if current == 0:
        return None if last else 0
    if last == 0:
        return current
    return (current - last) % 255


@dataclass(frozen=True)
class HopperStatus:
    """Header 166: event counter (one per accepted dispense), coins still to pay, and the last
    payout's coins paid and unpaid."""

    counter: int
    remaining: int
    paid: int
    unpaid: int


def parse_hopper_status(data: bytes) -> HopperStatus:
    _expect(len(data) == 4, f"hopper status: 4 bytes, not {len(data)}")
    return HopperStatus(data[0], data[1], data[2], data[3])


class HopperFlag(IntEnum):
    """Header 163 "test hopper": bit n of register 1, 8+n of register 2, 16+n of register 3."""

    MAX_CURRENT = 0
    PAYOUT_TIMEOUT = 1  # no coin came out in time: empty (or jammed at the exit)
    MOTOR_REVERSED = 2  # a jam it tried to clear
    OPTO_BLOCKED_IDLE = 3
    OPTO_SHORT_IDLE = 4
    OPTO_BLOCKED_PAYOUT = 5  # jammed
    POWER_UP = 6
    PAYOUT_DISABLED = 7
    OPTO_SHORT_PAYOUT = 8
    SINGLE_COIN_MODE = 9
    USE_OTHER_HOPPER = 10
    OPTO_FRAUD = 11
    MOTOR_REVERSE_LIMIT = 12
    COIL_FAULT = 13
    NV_CHECKSUM = 14
    PIN_MECHANISM = 15
    POWER_DOWN_DURING_PAYOUT = 16
    UNKNOWN_COIN_PAID = 17
    PIN_INCORRECT = 18
    INCORRECT_CIPHER_KEY = 19
    ENCRYPTION_ENABLED = 20


JAM_FLAGS = frozenset(
    {
        HopperFlag.MAX_CURRENT,
        HopperFlag.MOTOR_REVERSE_LIMIT,
        HopperFlag.OPTO_BLOCKED_PAYOUT,
        HopperFlag.OPTO_SHORT_PAYOUT,
        HopperFlag.OPTO_FRAUD,
        HopperFlag.COIL_FAULT,
    }
)


@dataclass(frozen=True)
class HopperFlags:
    mask: int

    def __contains__(self, flag: object) -> bool:
        return isinstance(flag, HopperFlag) and bool(self.mask >> flag & 1)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(flag.name.lower() for flag in HopperFlag if flag in self)


def parse_hopper_flags(data: bytes) -> HopperFlags:
    _expect(1 <= len(data) <= 3, f"test hopper: 1 to 3 registers, not {len(data)}")
    return HopperFlags(int.from_bytes(data, "little"))


def parse_counter(data: bytes) -> int:
    """A 3-byte counter, least significant byte first (headers 168, 226, 225)."""
    _expect(len(data) == 3, f"counter: 3 bytes, not {len(data)}")
    return int.from_bytes(data, "little")


def parse_serial_number(data: bytes) -> int:
    _expect(len(data) in (3, 4), f"serial number: 3 or 4 bytes, not {len(data)}")
    return int.from_bytes(data, "little")


def parse_single_byte(data: bytes, what: str) -> int:
    _expect(len(data) == 1, f"{what}: 1 byte, not {len(data)}")
    return data[0]


def parse_text(data: bytes, what: str) -> str:
    _expect(0 < len(data) <= 64, f"{what}: 1 to 64 characters")
    try:
        return data.decode("ascii")
    except UnicodeDecodeError:
        raise CcTalkProtocolError(f"{what} is not ASCII") from None


@dataclass(frozen=True)
class CoinId:
    """A coin name in the standard format (part 3, appendix 3.1): country, value, issue."""

    country: str
    value: int
    issue: str


def parse_coin_id(data: bytes) -> CoinId | None:
    """Header 184 / 171: ``JP100A`` → CoinId("JP", 100, "A"); an empty channel (spaces, dots,
    zeros) → None."""
    text = parse_text(data, "coin id")
    if len(text) != 6:
        raise CcTalkProtocolError(f"coin id {text!r}: 6 characters expected")
    if not text.strip(" .\0-"):
        return None
    country, value, issue = text[:2], text[2:5], text[5]
    if not (country.isascii() and country.isalpha() and value.isdigit() and issue.isalpha()):
        raise CcTalkProtocolError(f"coin id {text!r} is not CCVVVI")
    return CoinId(country.upper(), int(value), issue)


# Part 3, table of coin acceptor error codes (result A = 0, code in result B). Those that
# mean the acceptor cannot take coins until staff clear it are the jam codes below.
COIN_ERRORS: dict[int, str] = {
    0: "null event",
    1: "reject coin",
    2: "inhibited coin",
    3: "multiple window",
    4: "wake-up timeout",
    5: "validation timeout",
    6: "credit sensor timeout",
    7: "sorter opto timeout",
    8: "2nd close coin error",
    9: "accept gate not ready",
    10: "credit sensor not ready",
    11: "sorter not ready",
    12: "reject coin not cleared",
    13: "validation sensor not ready",
    14: "credit sensor blocked",
    15: "sorter opto blocked",
    16: "credit sequence error",
    17: "coin going backwards",
    18: "coin too fast (credit sensor)",
    19: "coin too slow (credit sensor)",
    20: "coin-on-string mechanism activated",
    21: "DCE opto timeout",
    22: "DCE opto not seen",
    23: "credit sensor reached too early",
    24: "reject coin (repeated sequential trip)",
    25: "reject slug",
    26: "reject sensor blocked",
    27: "games overload",
    28: "max. coin meter pulses exceeded",
    29: "accept gate open not closed",
    30: "accept gate closed not open",
    31: "manifold opto timeout",
    32: "manifold opto blocked",
    33: "manifold not ready",
    34: "security status changed",
    35: "motor exception",
    36: "swallowed coin",
    37: "coin too fast (validation sensor)",
    38: "coin too slow (validation sensor)",
    39: "coin incorrectly sorted",
    40: "external light attack",
    253: "data block request",
    254: "coin return mechanism activated",
    255: "unspecified alarm code",
}
COIN_JAM_ERRORS = frozenset({10, 11, 12, 13, 14, 15, 21, 26, 29, 30, 31, 32, 33, 35})
COIN_FRAUD_ERRORS = frozenset({16, 17, 18, 19, 20, 22, 23, 24, 25, 36, 37, 38, 40})
INHIBITED_COIN = 2
INHIBITED_TYPES = range(128, 160)  # "inhibited coin (type 1…32)"


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise CcTalkProtocolError(message)


__all__ = [
    "BROADCAST",
    "COIN_ACCEPTOR_ADDRESS",
    "COIN_ERRORS",
    "COIN_FRAUD_ERRORS",
    "COIN_JAM_ERRORS",
    "ENABLE_HOPPER_CODE",
    "FIRST_HOPPER_ADDRESS",
    "HOST_ADDRESS",
    "INHIBITED_COIN",
    "INHIBITED_TYPES",
    "JAM_FLAGS",
    "MAX_DATA",
    "REPLY_ACK",
    "REPLY_BUSY",
    "REPLY_NAK",
    "BufferedEvents",
    "CcTalkProtocolError",
    "Checksum",
    "CoinId",
    "Decoder",
    "Frame",
    "Header",
    "HopperFlag",
    "HopperFlags",
    "HopperStatus",
    "crc16",
    "encode",
    "new_events",
    "parse_buffered_events",
    "parse_coin_id",
    "parse_counter",
    "parse_hopper_flags",
    "parse_hopper_status",
    "parse_serial_number",
    "parse_single_byte",
    "parse_text",
]
