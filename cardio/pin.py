"""Secrets typed by what they unlock, which never show their value.

Each class validates its format on construction (so a malformed value never reaches the card
and never costs a try), keeps the bytes in a ``bytearray`` and wipes them with :meth:`wipe` or
at the end of a ``with`` block. ``repr``, ``str``, ``format`` and logging show a mask;
pickling and copying are refused.

Python cannot promise that no copy ever exists (the caller's ``str``, the encoded APDU handed
to the transport): this type keeps the driver's own copy short-lived and never printable.
"""

from __future__ import annotations

import re
from types import TracebackType
from typing import Any, ClassVar, NoReturn, Self

from cardio.errors import InvalidPinFormat

__all__ = [
    "CollationNumberA",
    "CollationNumberB",
    "Secret",
    "SigningPassword",
    "UserPin",
]


class Secret:
    """Base: a validated secret held in a wipeable bytearray."""

    label: ClassVar[str] = "secret"
    pattern: ClassVar[re.Pattern[bytes]] = re.compile(rb".+")
    rule: ClassVar[str] = ""

    __slots__ = ("_value",)

    def __init__(self, value: str | bytes | bytearray) -> None:
        if isinstance(value, str):
            try:
                raw = bytearray(value.encode("ascii"))
            except UnicodeEncodeError:
                raise InvalidPinFormat(f"{self.label}: {self.rule}") from None
        elif isinstance(value, bytes | bytearray):
            raw = bytearray(value)
        else:
            raise TypeError(f"{self.label} must be str, bytes or bytearray")
        if self.pattern.fullmatch(bytes(raw)) is None or not self._extra_check(raw):
            _zero(raw)
            raise InvalidPinFormat(f"{self.label}: {self.rule}")
        self._value: bytearray | None = raw

    def _extra_check(self, raw: bytearray) -> bool:
        return True

    # -- use ------------------------------------------------------------------------------------
    def secret_bytes(self) -> bytes:
        """The value for the VERIFY command. Raises ValueError once wiped."""
        value = getattr(self, "_value", None)
        if value is None:
            raise ValueError(f"{self.label} was wiped")
        return bytes(value)

    @property
    def wiped(self) -> bool:
        return getattr(self, "_value", None) is None

    def wipe(self) -> None:
        """Overwrite the bytes with zeros and forget them."""
        value = getattr(self, "_value", None)  # unset if __init__ refused the input
        if value is not None:
            _zero(value)
            self._value = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.wipe()

    def __del__(self) -> None:
        self.wipe()

    # -- never shown ----------------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"{type(self).__name__}(****)"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        raise TypeError(f"{type(self).__name__} cannot be pickled or copied")

    def __copy__(self) -> NoReturn:
        raise TypeError(f"{type(self).__name__} cannot be copied")

    def __deepcopy__(self, memo: Any) -> NoReturn:
        raise TypeError(f"{type(self).__name__} cannot be copied")

    def __eq__(self, other: object) -> bool:  # no comparing secrets by accident
        return self is other

    __hash__ = object.__hash__


class UserPin(Secret):
    """The 4-digit 暗証番号: JPKI user-authentication PIN (EF 0018) or the 券面事項入力補助用
    暗証番号 (EF 0011). ASCII digits, sent as typed (jpki-card.md §4.1, §5.1)."""

    label = "PIN"
    pattern = re.compile(rb"[0-9]{4}")
    rule = "4 digits"
    __slots__ = ()


class SigningPassword(Secret):
    """署名用パスワード: 6–16 characters A–Z and 0–9 (EF 001B, jpki-card.md §4.1).

    Lower-case letters are refused, not folded: the card compares bytes, a wrong case costs a
    try (§11.2), and silently changing what the resident typed is not ours to decide.
    """

    label = "signing password"
    pattern = re.compile(rb"[A-Z0-9]{6,16}")
    rule = "6 to 16 upper-case letters A-Z and digits"
    __slots__ = ()


class CollationNumberA(Secret):
    """照合番号A: the 12-digit 個人番号 (券面事項入力補助AP key 0014, jpki-card.md §5.1).

    The check digit (12th digit, 行政手続における特定の個人を識別するための番号の利用等に関する
    法律施行令 第八条) is verified so that a mistyped number never costs a try.
    """

    label = "照合番号A (My Number)"
    pattern = re.compile(rb"[0-9]{12}")
    rule = "12 digits with a valid check digit"
    __slots__ = ()

    def _extra_check(self, raw: bytearray) -> bool:
        return my_number_check_digit(bytes(raw[:11])) == raw[11] - 0x30


class CollationNumberB(Secret):
    """照合番号B: 14 digits, 生年月日 YYMMDD (era year) + card expiry year YYYY + セキュリティ
    コード (券面事項入力補助AP key 0015, jpki-card.md §5.3). Month and day are checked."""

    label = "照合番号B"
    pattern = re.compile(rb"[0-9]{14}")
    rule = "14 digits: birth date YYMMDD, expiry year YYYY, 4-digit security code"
    __slots__ = ()

    def _extra_check(self, raw: bytearray) -> bool:
        month = int(raw[2:4])
        day = int(raw[4:6])
        return 1 <= month <= 12 and 1 <= day <= 31


def my_number_check_digit(first_eleven: bytes) -> int:
    """Check digit of a 個人番号 from its first 11 ASCII digits.

    Pn is the n-th digit counted from the right of the 11; Qn = n+1 for n ≤ 6, n-5 otherwise;
    check = 0 if (Σ Pn·Qn mod 11) ≤ 1 else 11 − (Σ mod 11).
    """
    total = 0
    for n, char in enumerate(reversed(first_eleven), start=1):
        weight = n + 1 if n <= 6 else n - 5
        total += (char - 0x30) * weight
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def _zero(buffer: bytearray) -> None:
    for i in range(len(buffer)):
        buffer[i] = 0
