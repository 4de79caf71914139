"""JCM ID-003 frames between the host and a bill validator: pure, no I/O.

A frame is ``SYNC LNG CMD [DATA…] CRCL CRCH`` (docs/cash-hardware.md, "ID-003"):

- ``SYNC`` is 0xFC; ``LNG`` the length of the whole frame, SYNC and CRC included (5…255);
- ``CMD`` a command (host → validator) or a status / answer (validator → host);
- the CRC is CRC-16/KERMIT — the CCITT polynomial x¹⁶+x¹²+x⁵+1 bit-reversed (0x8408), initial
  value 0 — over SYNC to the last data byte, sent low byte first. The status request
  ``FC 05 11 27 56``, reset ``FC 05 40 2B 15`` and ACK ``FC 05 50 AA 05`` that public
  implementations send byte for byte are this CRC (tests/kiosk/payment/test_id003_wire.py).

The decoder finds frames in a byte stream with garbage, line noise and cut frames around them;
it never raises. :func:`parse_reply` turns a frame into a typed answer or raises
:class:`Id003ProtocolError`, the only exception this module raises on bad input.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

SYNC = 0xFC
MIN_FRAME = 5  # SYNC LNG CMD CRC CRC
MAX_FRAME = 255  # LNG is one byte


class Id003ProtocolError(ValueError):
    """A frame the protocol does not allow (unknown status, wrong data length)."""


def crc16(data: bytes) -> int:
    """CRC-16/KERMIT of ``data`` (see the module docstring)."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc


def encode(command: int, data: bytes = b"") -> bytes:
    """One frame: ``command`` (0…255) with ``data``."""
    length = MIN_FRAME + len(data)
    if not 0 <= command <= 0xFF or length > MAX_FRAME:
        raise ValueError("command out of range or data too long")
    body = bytes((SYNC, length, command)) + data
    crc = crc16(body)
    return body + bytes((crc & 0xFF, crc >> 8))


@dataclass(frozen=True)
class Frame:
    """A frame whose length and CRC checked out."""

    command: int
    data: bytes


class Decoder:
    """Frames out of a byte stream (one per serial port, one reader thread).

    Bytes before a SYNC are dropped; a SYNC whose length byte is impossible, or whose frame
    fails the CRC, is dropped alone and the search goes on from the next byte, so a frame that
    follows garbage or a cut frame is still found. ``dropped`` counts the bytes thrown away
    (line noise shows there).
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.dropped = 0

    def feed(self, chunk: bytes) -> list[Frame]:
        self._buffer.extend(chunk)
        frames: list[Frame] = []
        while True:
            start = self._buffer.find(SYNC)
            if start < 0:
                self.dropped += len(self._buffer)
                self._buffer.clear()
                return frames
            if start:
                self.dropped += start
                del self._buffer[:start]
            if len(self._buffer) < 2:
                return frames
            length = self._buffer[1]
            if length < MIN_FRAME:
                self._drop_one()
                continue
            if len(self._buffer) < length:
                # Maybe a SYNC of noise announcing a long frame: if a whole frame already
                # follows it, the SYNC was noise — do not wait for bytes that are not coming.
                later = self._later_frame()
                if later is None:
                    return frames
                self.dropped += later
                del self._buffer[:later]
                continue
            frame = _checked(bytes(self._buffer[:length]))
            if frame is None:
                self._drop_one()
                continue
            del self._buffer[:length]
            frames.append(frame)

    def _later_frame(self) -> int | None:
        position = 1
        while (position := self._buffer.find(SYNC, position)) > 0:
            if position + 1 < len(self._buffer):
                length = self._buffer[position + 1]
                end = position + length
                fits = length >= MIN_FRAME and end <= len(self._buffer)
                if fits and _checked(bytes(self._buffer[position:end])) is not None:
                    return position
            position += 1
        return None

    def reset(self) -> None:
        """Forget a partial frame (after a timeout: what follows is a new answer)."""
        self.dropped += len(self._buffer)
        self._buffer.clear()

    def _drop_one(self) -> None:
        self.dropped += 1
        del self._buffer[:1]


def _checked(candidate: bytes) -> Frame | None:
    crc = crc16(candidate[:-2])
    if candidate[-2] != crc & 0xFF or candidate[-1] != crc >> 8:
        return None
    return Frame(candidate[2], candidate[3:-2])


class Command(IntEnum):
    """Host → validator."""

    STATUS_REQUEST = 0x11
    ACK = 0x50
    RESET = 0x40
    STACK_1 = 0x41
    STACK_2 = 0x42
    RETURN = 0x43
    HOLD = 0x44
    WAIT = 0x45
    # Setting commands (the validator echoes command and data) and their status requests.
    SET_DENOMINATIONS = 0xC0  # 2 bytes: a 1 bit inhibits that denomination
    SET_SECURITY = 0xC1
    SET_COMMUNICATION_MODE = 0xC2  # 1 byte: 0 = polling
    SET_INHIBIT = 0xC3  # 1 byte: 0 = accepting enabled, 1 = inhibited
    SET_DIRECTION = 0xC4
    SET_OPTIONAL_FUNCTION = 0xC5  # 2 bytes
    GET_DENOMINATIONS = 0x80
    GET_INHIBIT = 0x83
    VERSION_REQUEST = 0x88
    BOOT_VERSION_REQUEST = 0x89
    CURRENCY_ASSIGN_REQUEST = 0x8A


SETTING_COMMANDS = frozenset(
    {
        Command.SET_DENOMINATIONS,
        Command.SET_SECURITY,
        Command.SET_COMMUNICATION_MODE,
        Command.SET_INHIBIT,
        Command.SET_DIRECTION,
        Command.SET_OPTIONAL_FUNCTION,
    }
)


class State(IntEnum):
    """Validator statuses that are states (the answer to a status request)."""

    IDLING = 0x11  # enabled, waiting for a bill
    ACCEPTING = 0x12
    ESCROW = 0x13  # + 1 byte: the escrow code of the bill held
    STACKING = 0x14
    VEND_VALID = 0x15  # the bill is stacked: the host must ACK
    STACKED = 0x16
    REJECTING = 0x17  # + 1 byte: the reject code
    RETURNING = 0x18
    HOLDING = 0x19
    DISABLED = 0x1A  # inhibited
    INITIALIZING = 0x1B
    POWER_UP = 0x40
    POWER_UP_BILL_IN_ACCEPTOR = 0x41
    POWER_UP_BILL_IN_STACKER = 0x42


class Error(IntEnum):
    """Validator statuses that are errors."""

    STACKER_FULL = 0x43
    STACKER_OPEN = 0x44
    JAM_IN_ACCEPTOR = 0x45
    JAM_IN_STACKER = 0x46
    PAUSE = 0x47  # a second bill inserted while one is processed
    CHEATED = 0x48
    FAILURE = 0x49  # + 1 byte: the failure code
    COMMUNICATION_ERROR = 0x4A  # the validator could not read the host's last frame


INVALID_COMMAND = 0x4B
ACK = 0x50

# Reject codes (REJECTING's data byte), as public implementations name them.
REJECT_REASONS: dict[int, str] = {
    0x71: "insertion error",
    0x72: "magnetic pattern error",
    0x73: "bill remaining in the head",
    0x74: "data amplitude error",
    0x75: "feed error",
    0x76: "denomination assessment error",
    0x77: "photo pattern error",
    0x78: "photo level error",
    0x79: "inhibited denomination or direction",
    0x7A: "reserved",
    0x7B: "operation error",
    0x7C: "bill in the transport at the wrong time",
    0x7D: "length error",
    0x7E: "colour pattern error",
    0x7F: "true bill feature error",
}
REJECT_INHIBITED = 0x79

# Failure codes (FAILURE's data byte).
FAILURES: dict[int, str] = {
    0xA2: "stack motor failure",
    0xA5: "transport motor speed failure",
    0xA6: "transport motor failure",
    0xA8: "solenoid failure",
    0xA9: "PB unit failure",
    0xAB: "cash box not ready",
    0xAF: "validator head removed",
    0xB0: "boot ROM failure",
    0xB1: "external ROM failure",
    0xB2: "RAM failure",
    0xB3: "external ROM writing failure",
}

# Country number of Japan in the currency assignment (ID-003 "country" byte; public
# implementations' table, docs/cash-hardware.md marks it uncertain).
COUNTRY_JAPAN = 10


@dataclass(frozen=True)
class StatusReply:
    """A state; ``data`` is the escrow code (ESCROW), reject code (REJECTING), or empty."""

    state: State
    data: int | None = None


@dataclass(frozen=True)
class ErrorReply:
    error: Error
    failure_code: int | None = None  # with FAILURE


@dataclass(frozen=True)
class AckReply:
    """The validator took an operation command."""


@dataclass(frozen=True)
class InvalidCommandReply:
    """The command is not allowed in the validator's state (e.g. STACK with no escrow)."""


@dataclass(frozen=True)
class SettingReply:
    """The echo of a setting command, or the answer to a setting status request."""

    command: int
    data: bytes


@dataclass(frozen=True)
class CurrencyEntry:
    """One line of the currency assignment: escrow code → country and value."""

    escrow_code: int
    country: int
    value: int  # base × 10^exponent, in the currency's unit (yen)


@dataclass(frozen=True)
class CurrencyReply:
    entries: tuple[CurrencyEntry, ...]


@dataclass(frozen=True)
class VersionReply:
    text: str


Reply = (
    StatusReply
    | ErrorReply
    | AckReply
    | InvalidCommandReply
    | SettingReply
    | CurrencyReply
    | VersionReply
)

_STATES_WITH_DATA = frozenset({State.ESCROW, State.REJECTING})
_SETTING_ANSWERS = frozenset({*SETTING_COMMANDS, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85})


def parse_reply(frame: Frame) -> Reply:
    """The validator's answer in ``frame`` (raises Id003ProtocolError)."""
    code, data = frame.command, frame.data
    if code in State._value2member_map_:
        state = State(code)
        if state in _STATES_WITH_DATA:
            _expect(len(data) == 1, f"{state.name} carries one data byte, not {len(data)}")
            return StatusReply(state, data[0])
        # STACKED may carry a stacker number on some models: ignored, nothing depends on it.
        _expect(not data or (state is State.STACKED and len(data) == 1), f"{state.name} + data")
        return StatusReply(state)
    if code in Error._value2member_map_:
        error = Error(code)
        if error is Error.FAILURE:
            _expect(len(data) == 1, "FAILURE carries one failure code")
            return ErrorReply(error, data[0])
        _expect(not data, f"{error.name} carries no data")
        return ErrorReply(error)
    if code == ACK:
        _expect(not data, "ACK carries no data")
        return AckReply()
    if code == INVALID_COMMAND:
        return InvalidCommandReply()
    if code in _SETTING_ANSWERS:
        _expect(len(data) <= 4, "a setting is at most a few bytes")
        return SettingReply(code, data)
    if code == Command.CURRENCY_ASSIGN_REQUEST:
        return CurrencyReply(_currency(data))
    if code in (Command.VERSION_REQUEST, Command.BOOT_VERSION_REQUEST):
        try:
            return VersionReply(data.decode("ascii"))
        except UnicodeDecodeError:
            raise Id003ProtocolError("version is not ASCII") from None
    raise Id003ProtocolError(f"unknown status 0x{code:02X}")


def _currency(data: bytes) -> tuple[CurrencyEntry, ...]:
    _expect(len(data) % 4 == 0, "currency assignment comes in blocks of 4 bytes")
    entries = []
    for offset in range(0, len(data), 4):
        code, country, base, exponent = data[offset : offset + 4]
        _expect(exponent <= 9, "denomination exponent out of range")
        if base == 0:
            continue  # an escrow code with no bill assigned
        entries.append(CurrencyEntry(code, country, base * 10**exponent))
    return tuple(entries)


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise Id003ProtocolError(message)


__all__ = [
    "ACK",
    "COUNTRY_JAPAN",
    "FAILURES",
    "INVALID_COMMAND",
    "MAX_FRAME",
    "MIN_FRAME",
    "REJECT_INHIBITED",
    "REJECT_REASONS",
    "SETTING_COMMANDS",
    "SYNC",
    "AckReply",
    "Command",
    "CurrencyEntry",
    "CurrencyReply",
    "Decoder",
    "Error",
    "ErrorReply",
    "Frame",
    "Id003ProtocolError",
    "InvalidCommandReply",
    "Reply",
    "SettingReply",
    "State",
    "StatusReply",
    "VersionReply",
    "crc16",
    "encode",
    "parse_reply",
]
