"""Command APDUs as the card sees them (ISO 7816-4 §5.1 short and extended forms) and the
status words this card answers with (jpki-card.md §9)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class SW(IntEnum):
    """Status words of the My Number card (jpki-card.md §9)."""

    OK = 0x9000
    VERIFY_FAILED_NO_LIMIT = 0x6300  # counter not limited (JICSAP; not on JPKI keys)
    VERIFY_TRIES_0 = 0x63C0  # add the tries left (0..15) for 63 Cx
    WRONG_LENGTH = 0x6700
    LOGICAL_CHANNEL_NOT_SUPPORTED = 0x6881
    CHAINING_NOT_SUPPORTED = 0x6884
    INCOMPATIBLE_FILE_STRUCTURE = 0x6981  # READ on an internal EF (PIN, key)
    SECURITY_STATUS_NOT_SATISFIED = 0x6982
    REFERENCE_DATA_BLOCKED = 0x6984  # "参照されたIEFが閉塞している"
    CONDITIONS_NOT_SATISFIED = 0x6985
    NO_CURRENT_EF = 0x6986
    SM_NOT_SUPPORTED_HERE = 0x69FC  # CLA 08 on a JPKI read (jpki-card.md §2.1, measured)
    SECURITY_ENVIRONMENT_FAULTY = 0x66F1
    INCORRECT_DATA = 0x6A80
    FUNCTION_NOT_SUPPORTED = 0x6A81
    FILE_NOT_FOUND = 0x6A82
    RECORD_NOT_FOUND = 0x6A83
    INCORRECT_P1P2 = 0x6A86
    DATA_NOT_FOUND = 0x6A88
    OFFSET_OUTSIDE_EF = 0x6B00
    INS_NOT_SUPPORTED = 0x6D00
    CLA_NOT_SUPPORTED = 0x6E00
    NO_PRECISE_DIAGNOSIS = 0x6F00


def tries_sw(tries_left: int) -> int:
    """``63 Cx`` with x = tries left (ISO 7816-4: x is 0..15)."""
    return 0x63C0 | min(max(tries_left, 0), 15)


class CardError(Exception):
    """An expected refusal: the card answers ``sw`` with no data."""

    def __init__(self, sw: int) -> None:
        super().__init__(f"{sw:04X}")
        self.sw = sw


class MalformedApdu(CardError):
    """Lengths in the APDU do not add up: the card answers 67 00."""

    def __init__(self) -> None:
        super().__init__(SW.WRONG_LENGTH)


@dataclass(frozen=True)
class Command:
    """A parsed command APDU.

    ``le`` is None when absent; otherwise the number of bytes asked for (a short ``00`` or an
    extended ``0000`` already turned into 256 / 65536). ``extended`` tells which form was used.
    """

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes
    le: int | None
    extended: bool

    @property
    def has_data(self) -> bool:
        return bool(self.data)

    @classmethod
    def parse(cls, apdu: bytes) -> Command:
        """Parse the four ISO cases in short or extended form; :class:`MalformedApdu` if the
        lengths are inconsistent."""
        if len(apdu) < 4:
            raise MalformedApdu
        cla, ins, p1, p2 = apdu[0], apdu[1], apdu[2], apdu[3]
        body = apdu[4:]
        if not body:  # case 1
            return cls(cla, ins, p1, p2, b"", None, False)
        if len(body) == 1:  # case 2 short
            return cls(cla, ins, p1, p2, b"", body[0] or 256, False)
        if body[0] != 0:  # short Lc
            lc = body[0]
            if len(body) == 1 + lc:  # case 3 short
                return cls(cla, ins, p1, p2, bytes(body[1:]), None, False)
            if len(body) == 2 + lc:  # case 4 short
                return cls(cla, ins, p1, p2, bytes(body[1 : 1 + lc]), body[-1] or 256, False)
            raise MalformedApdu
        # extended: 00 then two length bytes
        if len(body) == 3:  # case 2 extended
            le = int.from_bytes(body[1:3], "big") or 65536
            return cls(cla, ins, p1, p2, b"", le, True)
        if len(body) < 3:
            raise MalformedApdu
        lc = int.from_bytes(body[1:3], "big")
        if lc == 0:
            raise MalformedApdu
        rest = body[3:]
        if len(rest) == lc:  # case 3 extended
            return cls(cla, ins, p1, p2, bytes(rest), None, True)
        if len(rest) == lc + 2:  # case 4 extended
            le = int.from_bytes(rest[lc:], "big") or 65536
            return cls(cla, ins, p1, p2, bytes(rest[:lc]), le, True)
        raise MalformedApdu


def response(data: bytes, sw: int) -> bytes:
    """Response APDU bytes: data + SW1 SW2."""
    return bytes(data) + sw.to_bytes(2, "big")
