"""The signed code of layout v2 split over the back's QR boxes, and joined again.

One COSE_Sign1 (one signature over the whole payload) is cut into as many parts as it needs,
at most one per box of ``layout.code_boxes(2)``; each QR carries a 7-byte header and its part:

    "K2" | index << 4 | count | SHA-256(code)[:4] | part

QR's own structured append (ISO/IEC 18004 §7.4) would do the same, but zxing-cpp's Python
binding does not report the sequence fields. The digest binds the parts of one code together:
parts of two certificates' codes are never joined into something that then fails as a
"forged signature"; a missing or damaged part leaves the code unreadable (never verified).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from .layout import code_boxes

MAGIC = b"K2"
HEADER_BYTES = 7
MAX_PARTS = 15


def capacity(layout_version: int) -> int:
    """The largest signed code a layout's boxes hold (after the part headers)."""
    boxes = code_boxes(layout_version)
    if layout_version == 1:
        return boxes[0].capacity
    return sum(box.capacity - HEADER_BYTES for box in boxes)


def split(code: bytes, layout_version: int) -> list[bytes]:
    """The QR payloads for ``code``: v1 the code itself, v2 as few parts as fit, evenly cut."""
    if layout_version == 1:
        return [code]
    boxes = code_boxes(layout_version)
    room = boxes[0].capacity - HEADER_BYTES
    count = max(1, -(-len(code) // room))
    if count > len(boxes):
        raise ValueError(f"a signed code of {len(code)} B needs {count} codes, {len(boxes)} fit")
    size = -(-len(code) // count)
    digest = hashlib.sha256(code).digest()[:4]
    return [
        MAGIC + bytes([(index << 4) | count]) + digest + code[index * size : (index + 1) * size]
        for index in range(count)
    ]


def is_part(data: bytes) -> bool:
    return len(data) > HEADER_BYTES and data.startswith(MAGIC)


def join(parts: Iterable[bytes]) -> list[bytes]:
    """The complete codes the parts make (usually one); incomplete sets are left out."""
    groups: dict[bytes, dict[int, bytes]] = {}
    counts: dict[bytes, int] = {}
    for part in parts:
        if not is_part(part):
            continue
        index, count = part[2] >> 4, part[2] & 0x0F
        digest = part[3:7]
        if not 0 < count <= MAX_PARTS or index >= count:
            continue
        if counts.setdefault(digest, count) != count:
            continue
        groups.setdefault(digest, {})[index] = part[HEADER_BYTES:]
    codes = []
    for digest, found in groups.items():
        if len(found) != counts[digest]:
            continue
        code = b"".join(found[i] for i in range(counts[digest]))
        if hashlib.sha256(code).digest()[:4] == digest:
            codes.append(code)
    return codes
