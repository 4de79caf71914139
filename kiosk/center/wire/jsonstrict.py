"""Strict JSON for the center protocol: parsing that refuses what a lenient parser would guess
at, and the canonical form the envelope signature covers.

The protocol's JSON uses only objects, arrays, strings, integers, booleans and null
(docs/center-protocol.md, "Encoding"). Floats, NaN/Infinity, duplicate keys, lone surrogates and
very deep nesting are refused here, so the parsed value has exactly one canonical form.
"""

from __future__ import annotations

import json
from typing import Any

# A JSON value as the protocol allows it (no floats).
JsonValue = dict[str, Any] | list[Any] | str | int | bool | None

# Nesting limit: the deepest protocol message (an envelope) is 6 levels; 32 leaves room and
# still stops a hostile body from exhausting the parser's recursion.
MAX_DEPTH = 32


class WireFormatError(ValueError):
    """A message does not have the shape the protocol defines.

    ``path`` locates the offending value (``$.copies[0].serial``), ``reason`` says what is wrong.
    The message never contains the offending value itself (it may be personal data).
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def _refuse_float(text: str) -> Any:
    raise WireFormatError("$", "numbers must be integers (no fractions or exponents)")


def _refuse_constant(text: str) -> Any:
    raise WireFormatError("$", f"{text} is not JSON")


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise WireFormatError("$", "duplicate key in an object")
        result[key] = value
    return result


def _check_depth_and_text(value: Any, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise WireFormatError("$", "nesting too deep")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_depth_and_text(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_depth_and_text(item, depth + 1)
    elif isinstance(value, str):
        _check_text(value)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise WireFormatError("$", "string holds a lone surrogate") from None


def loads(data: bytes | str) -> JsonValue:
    """Parse one JSON document strictly (UTF-8; integers only; no duplicate keys).

    Raises :class:`WireFormatError` for anything else, never another exception type.
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else data
        value = json.loads(
            text,
            parse_float=_refuse_float,
            parse_constant=_refuse_constant,
            object_pairs_hook=_unique_object,
        )
    except WireFormatError:
        raise
    except UnicodeDecodeError:
        raise WireFormatError("$", "body is not UTF-8") from None
    except RecursionError:
        raise WireFormatError("$", "nesting too deep") from None
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        raise WireFormatError("$", f"not JSON ({type(exc).__name__})") from None
    _check_depth_and_text(value)
    return value  # type: ignore[no-any-return]


def canonical(value: JsonValue) -> bytes:
    """The canonical UTF-8 form of a protocol value, as signed by the center.

    It is RFC 8785 (JCS) for the subset the protocol uses: object keys sorted (all keys are
    ASCII, so code-point order equals JCS's UTF-16 order), no insignificant whitespace, strings
    with only the escapes JSON requires, integers in shortest decimal form, no floats.
    """
    _reject_floats(value)
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _reject_floats(value: Any) -> None:
    if isinstance(value, float):
        raise WireFormatError("$", "floats have no canonical form in this protocol")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not key.isascii():
                raise WireFormatError("$", "object keys must be ASCII strings")
            _reject_floats(item)
    elif isinstance(value, list):
        for item in value:
            _reject_floats(item)


def dumps(value: JsonValue) -> bytes:
    """Serialise a message body (the canonical form: deterministic and compact)."""
    return canonical(value)
