"""Typed reading of a parsed TOML table: every missing or mistyped field becomes a
:class:`~hw_sim.world.errors.WorldDataError` naming the file and the dotted field path."""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TypeVar

from hw_sim.world.errors import WorldDataError

T = TypeVar("T")
_MISSING = object()
_TYPE_NAMES: dict[type, str] = {
    int: "an integer",
    str: "text",
    bool: "true or false",
    dict: "a table",
    list: "a list",
    date: "a date",
    datetime: "a date-time",
    time: "a time",
}


class Fields:
    """A view of one TOML table that knows where it came from."""

    def __init__(self, data: dict[str, Any], file: Path, path: str = "") -> None:
        self.data = data
        self.file = file
        self.path = path

    @classmethod
    def read(cls, file: Path) -> Fields:
        try:
            with file.open("rb") as stream:
                return cls(tomllib.load(stream), file)
        except tomllib.TOMLDecodeError as error:
            raise WorldDataError(file, "", f"not valid TOML: {error}") from error
        except OSError as error:
            raise WorldDataError(file, "", f"cannot be read: {error}") from error

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, problem: str) -> WorldDataError:
        return WorldDataError(self.file, self.where(key), problem)

    def has(self, key: str) -> bool:
        return key in self.data

    def _get(self, key: str, kind: type[T] | tuple[type, ...], default: Any) -> Any:
        value = self.data.get(key, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                raise self.error(key, "is required")
            return default
        # bool is an int in Python: keep them apart.
        if kind is int and isinstance(value, bool):
            raise self.error(key, f"expected an integer, got {value!r}")
        if not isinstance(value, kind):
            kinds = (kind,) if isinstance(kind, type) else kind
            expected = " or ".join(_TYPE_NAMES.get(k, k.__name__) for k in kinds)
            raise self.error(key, f"expected {expected}, got {value!r}")
        return value

    def text(self, key: str, default: Any = _MISSING) -> str:
        value = self._get(key, str, default)
        if isinstance(value, str) and not value.strip() and default is _MISSING:
            raise self.error(key, "must not be empty")
        return value  # type: ignore[no-any-return]

    def integer(self, key: str, default: Any = _MISSING, minimum: int | None = None) -> int:
        value = self._get(key, int, default)
        if minimum is not None and isinstance(value, int) and value < minimum:
            raise self.error(key, f"must be at least {minimum}, got {value}")
        return value  # type: ignore[no-any-return]

    def flag(self, key: str, default: Any = _MISSING) -> bool:
        return self._get(key, bool, default)  # type: ignore[no-any-return]

    def day(self, key: str, default: Any = _MISSING) -> date:
        value = self._get(key, date, default)
        if isinstance(value, datetime):
            raise self.error(key, f"expected a date, got a date-time {value!r}")
        return value  # type: ignore[no-any-return]

    def moment(self, key: str) -> datetime:
        value = self._get(key, datetime, _MISSING)
        return value  # type: ignore[no-any-return]

    def clock(self, key: str, default: Any = _MISSING) -> time:
        """A time of day, written "HH:MM" (or a TOML local time)."""
        value = self._get(key, (str, time), default)
        if isinstance(value, time):
            return value
        try:
            hour, minute = value.split(":")
            return time(int(hour), int(minute))
        except ValueError as error:
            raise self.error(key, f"expected a time HH:MM, got {value!r}") from error

    def texts(self, key: str, default: Any = _MISSING) -> list[str]:
        value = self._get(key, list, default)
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise self.error(f"{key}[{index}]", f"expected str, got {item!r}")
        return list(value)

    def table(self, key: str, default: Any = _MISSING) -> Fields:
        value = self._get(key, dict, default)
        return Fields(value, self.file, self.where(key))

    def tables(self, key: str) -> list[Fields]:
        value = self._get(key, list, [])
        result = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise self.error(f"{key}[{index}]", f"expected a table, got {item!r}")
            result.append(Fields(item, self.file, f"{self.where(key)}[{index}]"))
        return result

    def choice(self, key: str, choices: dict[str, T], default: Any = _MISSING) -> T:
        value = self._get(key, str, default)
        if value is default and default is not _MISSING:
            return value  # type: ignore[no-any-return]
        if value not in choices:
            raise self.error(key, f"expected one of {sorted(choices)}, got {value!r}")
        return choices[value]

    def reject_unknown(self, allowed: set[str]) -> None:
        """Typos are errors, not silently ignored settings."""
        for key in self.data:
            if key not in allowed:
                raise self.error(key, f"unknown field (expected one of {sorted(allowed)})")
