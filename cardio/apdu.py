"""Command APDUs: their encoding (short by default, extended only where asked) and the wire
constants of the My Number card (jpki-card.md §2, §3, §4).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum

__all__ = ["AID", "INS", "SW", "CommandApdu"]

SHORT_MAX_LC = 255  # ISO 7816-3: Lc in one byte
SHORT_MAX_LE = 256  # Le = 00 means 256
EXTENDED_MAX_LC = 65535
EXTENDED_MAX_LE = 65536  # extended Le = 00 00 means 65536


class SW(IntEnum):
    """Status words the driver acts on (jpki-card.md §9)."""

    OK = 0x9000
    SECURITY_STATUS_NOT_SATISFIED = 0x6982
    FILE_NOT_FOUND = 0x6A82
    INCORRECT_P1P2 = 0x6A86
    NO_PRECISE_DIAGNOSIS = 0x6F00
    OFFSET_OUT_OF_RANGE = 0x6B00


class INS(IntEnum):
    """Instruction bytes used on the card (jpki-card.md §2)."""

    SELECT = 0xA4
    READ_BINARY = 0xB0
    VERIFY = 0x20
    CHANGE_REFERENCE_DATA = 0x24
    CHANGE_KEY = 0x32  # JICSAP CHANGE KEY (CLA 80), 住基AP / 共通カードAP (§2.5)
    GET_RESPONSE = 0xC0
    COMPUTE_DIGITAL_SIGNATURE = 0x2A  # CLA 80 (§4.3)


class AID(bytes, Enum):
    """Application identifiers (jpki-card.md §3)."""

    JPKI = bytes.fromhex("D392F000260100000001")  # 公的個人認証AP
    KENMEN_HOJO = bytes.fromhex("D3921000310001010408")  # 券面事項入力補助AP
    KENMEN = bytes.fromhex("D3921000310001010402")  # 券面事項確認AP
    JUKI = bytes.fromhex("D3921000310001010401")  # 住基AP
    COMMON = bytes.fromhex("D3921000310001010100")  # 共通カードAP


@dataclass(frozen=True, repr=False)
class CommandApdu:
    """One command. ``le`` is the expected response length (None: no Le field; 256 is sent as
    ``00`` in a short APDU). ``extended`` forces the extended-length encoding; it is never
    chosen automatically (the card's support is uncertain outside a few commands, §2.3).

    ``repr`` shows the header and lengths only: the data may be a PIN.
    """

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None
    extended: bool = False

    def __post_init__(self) -> None:
        for name in ("cla", "ins", "p1", "p2"):
            value = getattr(self, name)
            if not 0 <= value <= 0xFF:
                raise ValueError(f"{name} out of range: {value}")
        max_lc = EXTENDED_MAX_LC if self.extended else SHORT_MAX_LC
        if len(self.data) > max_lc:
            raise ValueError(f"data of {len(self.data)} bytes does not fit Lc (max {max_lc})")
        max_le = EXTENDED_MAX_LE if self.extended else SHORT_MAX_LE
        if self.le is not None and not 1 <= self.le <= max_le:
            raise ValueError(f"Le {self.le} out of range 1..{max_le}")

    def encode(self) -> bytes:
        """The bytes to send (ISO 7816-4 §5.1 cases 1–4, short or extended)."""
        header = bytes((self.cla, self.ins, self.p1, self.p2))
        lc = len(self.data)
        if not self.extended:
            body = bytes((lc,)) + self.data if lc else b""
            if self.le is not None:
                body += bytes((self.le % 256,))
            return header + body
        body = b"\x00" + lc.to_bytes(2, "big") + self.data if lc else b""
        if self.le is not None:
            le_bytes = (self.le % 65536).to_bytes(2, "big")
            body += le_bytes if lc else b"\x00" + le_bytes
        return header + body

    def with_le(self, le: int) -> CommandApdu:
        """The same command with another Le (for ``6C xx`` re-sends)."""
        return CommandApdu(self.cla, self.ins, self.p1, self.p2, self.data, le, self.extended)

    def __repr__(self) -> str:
        return (
            f"CommandApdu({self.cla:02X} {self.ins:02X} {self.p1:02X} {self.p2:02X}, "
            f"Lc={len(self.data)}, Le={self.le})"
        )


def select_application(aid: bytes) -> CommandApdu:
    """``00 A4 04 0C Lc AID``: select by DF name, no FCI (jpki-card.md §2.2)."""
    return CommandApdu(0x00, INS.SELECT, 0x04, 0x0C, aid)


def select_ef(fid: int) -> CommandApdu:
    """``00 A4 02 0C 02 FID``: select an EF under the current DF, no FCI (§2.2)."""
    return CommandApdu(0x00, INS.SELECT, 0x02, 0x0C, fid.to_bytes(2, "big"))


def read_binary(offset: int, le: int) -> CommandApdu:
    """``00 B0 P1 P2 Le`` with a 15-bit offset in P1-P2 (§2.3)."""
    if not 0 <= offset <= 0x7FFF:
        raise ValueError(f"offset {offset} does not fit 15 bits")
    return CommandApdu(0x00, INS.READ_BINARY, offset >> 8, offset & 0xFF, le=le)


def read_binary_sfi(sfi: int, le: int) -> CommandApdu:
    """``00 B0 80|SFI 00 Le``: read the start of an EF by short file id, without SELECT (§2.3)."""
    if not 1 <= sfi <= 30:
        raise ValueError(f"SFI {sfi} out of range 1..30")
    return CommandApdu(0x00, INS.READ_BINARY, 0x80 | sfi, 0x00, le=le)


def verify(data: bytes = b"") -> CommandApdu:
    """``00 20 00 80 [Lc data]``: VERIFY the key of the current EF; empty = tries query (§2.4)."""
    return CommandApdu(0x00, INS.VERIFY, 0x00, 0x80, data)


def compute_signature(data: bytes, p2: int = 0x80) -> CommandApdu:
    """``80 2A 00 P2 Lc data 00``: COMPUTE DIGITAL SIGNATURE, card pads PKCS#1 v1.5 (§4.3)."""
    return CommandApdu(0x80, INS.COMPUTE_DIGITAL_SIGNATURE, 0x00, p2, data, le=256)
