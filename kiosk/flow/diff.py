"""Loggable views of states, events and effects, and the diff of a transition.

VotingWorks logs every transition by diffing the old and new state; here the same, with every
field that may hold personal data or a secret masked: a field is masked when it is marked
``personal`` (state) or left out of ``repr`` (events, effects, state alike). What remains is
screen names, phases, counts, amounts, codes and ids.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from enum import Enum
from typing import Any

HIDDEN = "<hidden>"


def _masked(value: Any) -> Any:
    if value is None or value == "" or value == ():
        return value  # that a field is empty is not personal, and helps debugging
    return HIDDEN


def loggable(value: Any) -> Any:
    """A JSON-friendly view of ``value`` with personal fields masked."""
    if is_dataclass(value) and not isinstance(value, type):
        view: dict[str, Any] = {"type": type(value).__name__}
        for f in fields(value):
            item = getattr(value, f.name)
            hidden = f.metadata.get("personal", False) or not f.repr
            view[f.name] = _masked(item) if hidden else loggable(item)
        return view
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, tuple | list):
        return [loggable(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _flatten(view: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(view, dict):
        for key, item in view.items():
            _flatten(item, f"{prefix}.{key}" if prefix else key, out)
    else:
        out[prefix] = view


def describe_change(old: Any, new: Any) -> dict[str, tuple[Any, Any]]:
    """The fields that differ between two states: ``{"screen.type": ("PinEntry", …), …}``."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    _flatten(loggable(old), "", before)
    _flatten(loggable(new), "", after)
    return {
        key: (before.get(key), after.get(key))
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key)
    }
