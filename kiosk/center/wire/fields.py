"""Typed, strict access to the fields of a parsed JSON object.

Every parser in the wire package reads its object through :class:`Fields`, which checks type,
range and pattern of each field and — at :meth:`Fields.done` — that the object held no field the
protocol does not define (docs/center-protocol.md: "unknown fields are an error in v1").
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from typing import Any, TypeVar

from kiosk.center.wire.jsonstrict import WireFormatError

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")

# Asia/Tokyo has had no daylight saving time since 1951: a fixed +09:00 offset is exact and
# needs no tz database on the kiosk.
JST = timezone(timedelta(hours=9), "JST")

# RFC 3339 date-time with seconds, optional fraction, and a mandatory offset.
_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})\Z", re.ASCII
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z", re.ASCII)
_HHMM = re.compile(r"\d{2}:\d{2}\Z", re.ASCII)
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}\Z", re.ASCII)

# The longest plain string field (a municipality message) is a few hundred characters; 4096
# bounds every text field that has no tighter limit.
DEFAULT_MAX_TEXT = 4096


def format_timestamp(moment: datetime) -> str:
    """The protocol's timestamp form: JST offset, whole seconds (``2026-11-26T22:46:45+09:00``)."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(JST).replace(microsecond=0).isoformat()


def parse_timestamp(text: str, path: str = "$") -> datetime:
    """Parse an RFC 3339 timestamp with an explicit offset; naive or loose forms are refused."""
    if not _TIMESTAMP.match(text):
        raise WireFormatError(path, "not an RFC 3339 timestamp with offset")
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise WireFormatError(path, "not a valid date-time") from None


class Fields:
    """Read the fields of one JSON object, remembering which were read."""

    def __init__(self, value: Any, path: str = "$") -> None:
        if not isinstance(value, dict):
            raise WireFormatError(path, "expected an object")
        self._data: dict[str, Any] = value
        self._path = path
        self._seen: set[str] = set()

    @property
    def path(self) -> str:
        return self._path

    def _at(self, key: str) -> str:
        return f"{self._path}.{key}"

    def _raw(self, key: str) -> Any:
        self._seen.add(key)
        if key not in self._data:
            raise WireFormatError(self._at(key), "missing")
        return self._data[key]

    def raw(self, key: str) -> Any:
        """The unparsed value of a field (for parsers that take it further)."""
        return self._raw(key)

    def has(self, key: str) -> bool:
        return key in self._data

    def is_null(self, key: str) -> bool:
        """True when the field is null. Optional fields are still present (``null``): every
        field of a v1 message is required, so a missing one is a shape error."""
        return self._raw(key) is None

    def done(self) -> None:
        """Refuse fields the protocol does not define for this object."""
        extra = sorted(set(self._data) - self._seen)
        if extra:
            shown = ", ".join(_field_name(name) for name in extra[:MAX_NAMED_FIELDS])
            more = len(extra) - MAX_NAMED_FIELDS
            suffix = f" and {more} more" if more > 0 else ""
            raise WireFormatError(self._path, f"unknown field(s): {shown}{suffix}")

    # -- scalars -------------------------------------------------------------------------------
    def text(
        self,
        key: str,
        *,
        min_len: int = 0,
        max_len: int = DEFAULT_MAX_TEXT,
        pattern: re.Pattern[str] | None = None,
    ) -> str:
        value = self._raw(key)
        if not isinstance(value, str):
            raise WireFormatError(self._at(key), "expected a string")
        if not min_len <= len(value) <= max_len:
            raise WireFormatError(self._at(key), f"length must be {min_len}..{max_len}")
        if pattern is not None and not pattern.fullmatch(value):
            raise WireFormatError(self._at(key), "does not match the required pattern")
        # Text is shown to residents and staff: control characters (other than a line break in
        # a message) have no business in it and can corrupt a screen or a log line.
        if any((ord(ch) < 0x20 and ch != "\n") or ch == "\x7f" for ch in value):
            raise WireFormatError(self._at(key), "control characters are not allowed")
        return value

    def opt_text(self, key: str, **kwargs: Any) -> str | None:
        return None if self.is_null(key) else self.text(key, **kwargs)

    def integer(self, key: str, *, min: int, max: int) -> int:
        value = self._raw(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise WireFormatError(self._at(key), "expected an integer")
        if not min <= value <= max:
            raise WireFormatError(self._at(key), f"must be {min}..{max}")
        return value

    def opt_integer(self, key: str, *, min: int, max: int) -> int | None:
        return None if self.is_null(key) else self.integer(key, min=min, max=max)

    def flag(self, key: str) -> bool:
        value = self._raw(key)
        if not isinstance(value, bool):
            raise WireFormatError(self._at(key), "expected true or false")
        return value

    def enum(self, key: str, kind: type[E]) -> E:
        value = self._raw(key)
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(member.value for member in kind)
            raise WireFormatError(self._at(key), f"must be one of: {allowed}") from None

    def opt_enum(self, key: str, kind: type[E]) -> E | None:
        return None if self.is_null(key) else self.enum(key, kind)

    def binary(self, key: str, *, min_len: int = 0, max_len: int) -> bytes:
        """Standard base64 (RFC 4648 §4, padded), decoded; ``max_len`` bounds the decoded size."""
        text = self.text(key, max_len=(max_len + 2) // 3 * 4)
        if len(text) % 4 or not _BASE64.match(text):
            raise WireFormatError(self._at(key), "not padded standard base64")
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise WireFormatError(self._at(key), "not base64") from None
        if not min_len <= len(raw) <= max_len:
            raise WireFormatError(self._at(key), f"decoded length must be {min_len}..{max_len}")
        return raw

    def timestamp(self, key: str) -> datetime:
        return parse_timestamp(self.text(key, max_len=40), self._at(key))

    def opt_timestamp(self, key: str) -> datetime | None:
        return None if self.is_null(key) else self.timestamp(key)

    def day(self, key: str) -> date:
        text = self.text(key, max_len=10)
        if not _DATE.match(text):
            raise WireFormatError(self._at(key), "not a YYYY-MM-DD date")
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise WireFormatError(self._at(key), "not a valid date") from None

    def hhmm(self, key: str) -> time:
        text = self.text(key, max_len=5)
        if not _HHMM.match(text):
            raise WireFormatError(self._at(key), "not an HH:MM time")
        try:
            return time.fromisoformat(text)
        except ValueError:
            raise WireFormatError(self._at(key), "not a valid time") from None

    # -- containers ----------------------------------------------------------------------------
    def obj(self, key: str) -> Fields:
        return Fields(self._raw(key), self._at(key))

    def opt_obj(self, key: str) -> Fields | None:
        return None if self.is_null(key) else self.obj(key)

    def items(
        self, key: str, item: Callable[[Any, str], T], *, min_len: int = 0, max_len: int
    ) -> tuple[T, ...]:
        """A list whose items are parsed by ``item(value, path)``."""
        value = self._raw(key)
        if not isinstance(value, list):
            raise WireFormatError(self._at(key), "expected a list")
        if not min_len <= len(value) <= max_len:
            raise WireFormatError(self._at(key), f"must have {min_len}..{max_len} items")
        return tuple(
            item(element, f"{self._at(key)}[{index}]") for index, element in enumerate(value)
        )


def b64(data: bytes) -> str:
    """Standard padded base64 text, the protocol's form of binary data."""
    return base64.b64encode(data).decode("ascii")


def str_item(
    *, max_len: int = DEFAULT_MAX_TEXT, pattern: re.Pattern[str] | None = None
) -> Callable[[Any, str], str]:
    """An item parser for lists of strings."""

    def parse(value: Any, path: str) -> str:
        if not isinstance(value, str) or len(value) > max_len:
            raise WireFormatError(path, f"expected a string of at most {max_len} characters")
        if pattern is not None and not pattern.fullmatch(value):
            raise WireFormatError(path, "does not match the required pattern")
        return value

    return parse


def int_item(*, min: int, max: int) -> Callable[[Any, str], int]:
    """An item parser for lists of integers."""

    def parse(value: Any, path: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not min <= value <= max:
            raise WireFormatError(path, f"expected an integer {min}..{max}")
        return value

    return parse


def enum_item(kind: type[E]) -> Callable[[Any, str], E]:
    """An item parser for lists of enum values."""

    def parse(value: Any, path: str) -> E:
        try:
            return kind(value)
        except ValueError:
            raise WireFormatError(path, "not an allowed value") from None

    return parse


# An unknown field's name is the peer's text: it goes into the error message escaped and cut,
# never as it came (a control character in it made the error body itself malformed).
MAX_NAMED_FIELDS = 5
MAX_FIELD_NAME = 40


def _field_name(name: str) -> str:
    shown = name if name.isprintable() else ascii(name)
    return shown if len(shown) <= MAX_FIELD_NAME else shown[:MAX_FIELD_NAME] + "..."
