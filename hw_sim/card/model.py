"""What a card application holds: elementary files, PIN (key) references and private keys, plus
the encoders for the card's data formats (the 券面 APs' non-minimal BER, JICSAP simple TLV).

Plain data; the behaviour lives in :mod:`hw_sim.card.engine`."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from cryptography.hazmat.primitives.asymmetric import rsa

# -- encodings ---------------------------------------------------------------------------------


def ber_tlv(tag: bytes, value: bytes) -> bytes:
    """BER-TLV as the 券面 APs write it (jpki-card.md §2.7): the tag bytes as given (two-byte
    private tags such as ``DF 21`` even for numbers < 31), short length below 128, otherwise
    always ``82 HH LL`` (even below 256)."""
    n = len(value)
    if n < 0x80:
        length = bytes([n])
    elif n <= 0xFFFF:
        length = b"\x82" + n.to_bytes(2, "big")
    else:
        raise ValueError("value too long for the card's length form")
    return tag + length + value


def simple_tlv(tag: int, value: bytes) -> bytes:
    """JICSAP simple TLV (1-byte tag, length 1 byte or ``FF HH LL``; jpki-card.md §2.7)."""
    n = len(value)
    length = bytes([n]) if n < 0xFF else b"\xff" + n.to_bytes(2, "big")
    return bytes([tag]) + length + value


def rsa_public_key_tlv(key: rsa.RSAPublicKey) -> bytes:
    """The 265-byte RSA public key form of the 券面 records: ``90 03 <e>`` + ``91 82 01 00 <n>``
    (jpki-card.md §2.7)."""
    numbers = key.public_numbers()
    exponent = numbers.e.to_bytes(3, "big")
    modulus = numbers.n.to_bytes(256, "big")
    return ber_tlv(b"\x90", exponent) + ber_tlv(b"\x91", modulus)


def pad(data: bytes, size: int, filler: int) -> bytes:
    """``data`` followed by ``filler`` up to ``size`` bytes (EF sizes are fixed, §2.3)."""
    if len(data) > size:
        raise ValueError(f"{len(data)} bytes do not fit an EF of {size}")
    return data + bytes([filler]) * (size - len(data))


# -- files -------------------------------------------------------------------------------------

# A read rule: None = free; otherwise the FIDs of keys any one of which opens the file; an empty
# set = never readable (a protected EF whose credential is unknown).
ReadRule = frozenset[int] | None


@dataclass
class BinaryFile:
    """A transparent EF of fixed size (``data`` already padded to it)."""

    fid: int
    data: bytes
    read: ReadRule = None


@dataclass
class RecordFile:
    """A record-structured EF (JICSAP simple TLV records in 共通/住基 APs)."""

    fid: int
    records: list[bytes]
    read: ReadRule = None


class InternalAuth(Enum):
    """How a key answers INTERNAL AUTHENTICATE ``00 88`` (jpki-card.md §2.6)."""

    SIGN = "sign"  # sha256WithRSAEncryption over the challenge, no credential (共通 key 0019)
    BEHIND_PIN = "behind-pin"  # 69 82 (JPKI keys)
    REFUSED = "refused"  # 69 85 (券面 AP keys)


@dataclass
class KeyFile:
    """A private-key EF (internal). ``needs`` is the PIN FID whose verification allows signing
    (None: no credential). ``key`` None = the key reference exists but holds no usable key."""

    fid: int
    key: rsa.RSAPrivateKey | None
    needs: int | None
    internal_auth: InternalAuth = InternalAuth.BEHIND_PIN
    compute_signature: bool = True  # answers 80 2A


@dataclass
class PinFile:
    """A key reference checked by VERIFY (internal EF).

    ``secret`` None = nothing can match (a reference that is blocked on every card, e.g. 券面事項
    入力補助AP 0012, or an unset signing password). ``counter`` names the persisted retry counter.
    ``accepts`` validates a new value for CHANGE REFERENCE DATA / CHANGE KEY (None: not
    changeable)."""

    fid: int
    secret: bytes | None
    max_tries: int
    counter: str
    accepts: Callable[[bytes], bool] | None = None
    initial_tries: int | None = None  # tries left on a new card (scenario), default max_tries


@dataclass
class OpaqueFile:
    """An EF whose content is not readable by anyone (e.g. JPKI 0009, MF 001E): READ → ``sw``."""

    fid: int
    sw: int


CardFile = BinaryFile | RecordFile | KeyFile | PinFile | OpaqueFile


@dataclass
class Application:
    """One card application (DF) selected by AID."""

    name: str
    aid: bytes
    files: dict[int, CardFile] = field(default_factory=dict)
    default_key: int | None = None  # the key P2 = 00 of 80 2A means (券面 APs, §4.3)
    change_ins: tuple[int, int] | None = None  # (CLA, INS) changing a PIN here, §2.5
    set_session_key_sw: int = 0x6982  # answer to 80 AE here (jpki-card.md §2.6)

    def add(self, *files: CardFile) -> Application:
        for f in files:
            self.files[f.fid] = f
        return self


# -- PIN helpers -------------------------------------------------------------------------------


def digits(length: int) -> Callable[[bytes], bool]:
    """A validator for exactly ``length`` ASCII digits."""
    return lambda v: len(v) == length and v.isdigit()


def signing_password(value: bytes) -> bool:
    """6–16 upper-case A–Z and digits (jpki-card.md §4.1, EF 001B)."""
    return 6 <= len(value) <= 16 and all(
        c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" for c in value
    )


def secret_digest(salt: bytes, secret: bytes) -> bytes:
    """How a changed PIN is kept in the card's state file (never in clear)."""
    return hashlib.pbkdf2_hmac("sha256", secret, salt, 10_000)


def same_secret(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)
