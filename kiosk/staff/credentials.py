"""Staff credentials: the PIN as a salted slow hash (the profile holds the hash, never the PIN),
and the staff card by a digest of its id.

PIN hash format (one string, the profile's ``staff.members[].pin_hash``)::

    scrypt$<N>$<r>$<p>$<salt, base64>$<key, base64>

scrypt (RFC 7914) with a 16+ byte random salt and a 32-byte key. ``python -m kiosk.staff
hash-pin`` makes one with N = 2^17, r = 8, p = 1 — the OWASP Password Storage Cheat Sheet's
minimum for scrypt (128 MiB and a few tenths of a second per check: a staff login is rare, a
guessing attack against a stolen profile is not). Profiles may use N from 2^14 (tests) up to
2^20. The check runs on a worker thread, never on the UI thread.

Staff card: the id a contactless reader reports for the card (PC/SC GET DATA, ``FF CA 00 00
00``, PC/SC Part 3 §3.2.2.1.3), as ``sha256:<hex of SHA-256(id)>``. A card id is not a secret —
any reader can read it — so the card names the staff member and the PIN proves them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

SCHEME = "scrypt"
DEFAULT_N = 2**17  # OWASP minimum for scrypt (memory 128 · N · r = 128 MiB)
DEFAULT_R = 8
DEFAULT_P = 1
MIN_N, MAX_N = 2**14, 2**20
SALT_BYTES = 16
KEY_BYTES = 32
STAFF_ID = re.compile(r"[0-9]{2,8}")  # typed on the staff keypad
CARD_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


class CredentialError(ValueError):
    """A PIN hash or card digest that is not one this program can use (says why)."""


@dataclass(frozen=True)
class PinHash:
    n: int
    r: int
    p: int
    salt: bytes
    key: bytes

    def text(self) -> str:
        salt = base64.b64encode(self.salt).decode()
        key = base64.b64encode(self.key).decode()
        return f"{SCHEME}${self.n}${self.r}${self.p}${salt}${key}"

    def matches(self, pin: str) -> bool:
        """Whether ``pin`` is the PIN this hash was made of (constant-time comparison)."""
        return hmac.compare_digest(_derive(pin, self.salt, self.n, self.r, self.p), self.key)


def parse_pin_hash(text: str) -> PinHash:
    """The hash in ``text``; CredentialError says what is wrong with it (never what it is)."""
    parts = text.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        raise CredentialError(f"not a {SCHEME}$N$r$p$salt$key hash")
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
    except ValueError:
        raise CredentialError("N, r and p must be integers") from None
    if n < MIN_N or n > MAX_N or n & (n - 1):
        raise CredentialError(f"N must be a power of two from {MIN_N} to {MAX_N}")
    if not 1 <= r <= 32 or not 1 <= p <= 16:
        raise CredentialError("r must be 1-32 and p 1-16")
    try:
        salt = base64.b64decode(parts[4], validate=True)
        key = base64.b64decode(parts[5], validate=True)
    except (binascii.Error, ValueError):
        raise CredentialError("salt and key must be base64") from None
    if len(salt) < SALT_BYTES:
        raise CredentialError(f"the salt must be at least {SALT_BYTES} bytes")
    if len(key) != KEY_BYTES:
        raise CredentialError(f"the key must be {KEY_BYTES} bytes")
    return PinHash(n, r, p, salt, key)


def is_pin(text: str) -> bool:
    """4–8 ASCII digits (str.isdigit alone also takes full-width and other scripts' digits)."""
    return text.isascii() and text.isdigit() and 4 <= len(text) <= 8


def hash_pin(pin: str, *, n: int = DEFAULT_N, r: int = DEFAULT_R, p: int = DEFAULT_P) -> PinHash:
    """A new salted hash of ``pin`` (4–8 digits)."""
    if not is_pin(pin):
        raise CredentialError("a staff PIN is 4 to 8 digits")
    salt = secrets.token_bytes(SALT_BYTES)
    return PinHash(n, r, p, salt, _derive(pin, salt, n, r, p))


def _derive(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # OpenSSL refuses work above maxmem: allow what the parameters need (128·N·r·p) and a bit.
    memory = 128 * n * r * p + 1024 * 1024
    return hashlib.scrypt(
        pin.encode("ascii"), salt=salt, n=n, r=r, p=p, maxmem=memory, dklen=KEY_BYTES
    )


def card_digest(card_id: bytes) -> str:
    """How a profile names a staff card: ``sha256:<hex>`` of the id the reader reports."""
    return "sha256:" + hashlib.sha256(card_id).hexdigest()


@dataclass(frozen=True)
class StaffMember:
    staff_id: str
    pin_hash: PinHash
    card: str | None = None  # card_digest() of the member's staff card


class StaffDirectory:
    """The profile's staff: check a staff number and PIN; tell whose card one is."""

    def __init__(self, members: tuple[StaffMember, ...]) -> None:
        self._members = {member.staff_id: member for member in members}
        self._cards = {m.card: m.staff_id for m in members if m.card is not None}
        # An unknown staff number is hashed too, with the same cost, so that the time a check
        # takes does not tell a valid staff number from an invalid one.
        first = members[0].pin_hash if members else hash_pin("0000", n=MIN_N)
        self._decoy = PinHash(first.n, first.r, first.p, secrets.token_bytes(SALT_BYTES), b"")

    @property
    def staff_ids(self) -> tuple[str, ...]:
        return tuple(self._members)

    def check(self, staff_id: str, pin: str) -> bool:
        """Slow on purpose (scrypt): run it on a worker thread."""
        member = self._members.get(staff_id)
        if member is None or not is_pin(pin):
            _derive("0000", self._decoy.salt, self._decoy.n, self._decoy.r, self._decoy.p)
            return False
        return member.pin_hash.matches(pin)

    def staff_of_card(self, card_id: bytes) -> str | None:
        return self._cards.get(card_digest(card_id))


__all__ = [
    "CARD_DIGEST",
    "STAFF_ID",
    "CredentialError",
    "PinHash",
    "StaffDirectory",
    "StaffMember",
    "card_digest",
    "hash_pin",
    "parse_pin_hash",
]
