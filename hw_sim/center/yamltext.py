"""A small YAML emitter for JSON values (block style), so the center can serve its OpenAPI
description as YAML without a YAML dependency at run time. Strings that YAML could read as
something else are written as JSON strings, which are valid YAML double-quoted scalars.
"""

from __future__ import annotations

import json
import re
from typing import Any

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")
_YAML_WORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(
        text, ensure_ascii=False
    )  # a JSON string is a valid YAML double-quoted scalar


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _scalar(value)


def _emit(value: Any, indent: int, lines: list[str]) -> None:
    pad = "  " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                lines.append(f"{pad}{_scalar(key)}:")
                _emit(item, indent + 1, lines)
            else:
                lines.append(f"{pad}{_scalar(key)}: {_inline(item)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict | list) and item:
                sub: list[str] = []
                _emit(item, indent + 1, sub)
                lines.append(f"{pad}- {sub[0].lstrip()}")
                lines.extend(sub[1:])
            else:
                lines.append(f"{pad}- {_inline(item)}")


def yaml_text(value: Any, header: str = "") -> str:
    """``value`` as a YAML document (a ``#`` comment line first when ``header`` is given)."""
    lines: list[str] = [header] if header else []
    _emit(value, 0, lines)
    return "\n".join(lines) + "\n"
