"""The online verification code printed on the front (layout version 2).

A relying party who holds the paper but no scanner types the serial and this code into the
issuer's verification service (``GET /v2/verifications/{serial}?code=…``, docs/center-protocol.md)
and gets the signed facts back. The code is 80 random bits from the center — never derived
from the serial, which is printed and sequential — written as 16 characters of Crockford's
base32 (no I, L, O, U: nothing to confuse with 1, 0 or V) in four groups of four, e.g.
``K7QM-2XD9-4RTP-H3WC``. Typed input is forgiving: case, hyphens and spaces do not matter, and
O, I, L are read as 0, 1, 1 (Crockford's rule).
"""

from __future__ import annotations

import re
import secrets

CODE_BITS = 80
CODE_CHARS = 16
GROUP = 4
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
CODE_PATTERN = re.compile(f"[{ALPHABET}]{{{CODE_CHARS}}}")
_TYPED = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None, "\u3000": None})


def new_code() -> str:
    """A fresh code: 80 bits from the operating system's CSPRNG."""
    value = secrets.randbits(CODE_BITS)
    return "".join(ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(CODE_CHARS)))


def grouped(code: str) -> str:
    """``K7QM2XD94RTPH3WC`` → ``K7QM-2XD9-4RTP-H3WC`` (how it is printed)."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalise(typed: str) -> str:
    """The code as stored from what a person typed; ``ValueError`` if it cannot be one."""
    if len(typed) > 64:
        raise ValueError("too long for a verification code")
    code = typed.upper().translate(_TYPED)
    if not CODE_PATTERN.fullmatch(code):
        raise ValueError("a verification code is 16 letters and digits (0-9, A-Z without ILOU)")
    return code


def is_code(value: object) -> bool:
    return isinstance(value, str) and CODE_PATTERN.fullmatch(value) is not None
