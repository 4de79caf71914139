"""BER-TLV as the My Number card writes it (jpki-card.md §2.7).

The 券面 applications use non-minimal encodings that strict DER parsers refuse: private-class
tags below 31 in the two-byte form (``FF 10``, ``DF 21``) and ``82 HH LL`` lengths even for
values shorter than 256 bytes. This parser accepts both, and anything it cannot parse raises
:class:`cardio.errors.MalformedResponse` (never IndexError or ValueError).
"""

from __future__ import annotations

from dataclasses import dataclass

from cardio.errors import MalformedResponse

__all__ = ["Tlv", "parse_all", "parse_header", "parse_one"]

MAX_TAG_BYTES = 3  # tags seen on the card are 1 or 2 bytes (FF 10, DF 21, 7F 21, 5F 4E)
MAX_LENGTH_BYTES = 3  # 82 HH LL is the longest seen (§2.7); 83 allows 16 MiB, more is nonsense


@dataclass(frozen=True, repr=False)
class Tlv:
    """One parsed TLV: ``tag`` as an int of its bytes (``0xDF21``), the raw ``value``, and where
    the whole encoding sits in the parsed buffer (``start``, ``end``)."""

    tag: int
    value: bytes
    start: int
    end: int

    def __repr__(self) -> str:  # values may be personal data: never print them
        return f"Tlv(tag={self.tag:X}, length={len(self.value)})"


def parse_header(data: bytes, offset: int = 0) -> tuple[int, int, int]:
    """Parse the tag and length at ``offset``; return ``(tag, value_length, header_length)``.

    Needs only the header bytes (the value may not have been read yet).
    """
    pos = offset
    if pos >= len(data):
        raise MalformedResponse("TLV expected, data ended")
    first = data[pos]
    tag = first
    pos += 1
    if first & 0x1F == 0x1F:  # ISO 7816-4 §5.2.2.1: subsequent tag bytes
        count = 1
        while True:
            if pos >= len(data):
                raise MalformedResponse("TLV tag truncated")
            byte = data[pos]
            tag = (tag << 8) | byte
            pos += 1
            count += 1
            if count > MAX_TAG_BYTES:
                raise MalformedResponse("TLV tag too long")
            if not byte & 0x80:
                break
    if pos >= len(data):
        raise MalformedResponse("TLV length missing")
    length_byte = data[pos]
    pos += 1
    if length_byte < 0x80:
        length = length_byte
    elif length_byte == 0x80:
        raise MalformedResponse("indefinite TLV length")
    else:
        count = length_byte & 0x7F
        if count > MAX_LENGTH_BYTES:
            raise MalformedResponse("TLV length field too long")
        if pos + count > len(data):
            raise MalformedResponse("TLV length truncated")
        length = int.from_bytes(data[pos : pos + count], "big")  # leading zeros allowed (§2.7)
        pos += count
    return tag, length, pos - offset


def parse_one(data: bytes, offset: int = 0, limit: int | None = None) -> Tlv:
    """Parse one complete TLV at ``offset``; it must end by ``limit`` (default: the data)."""
    stop = len(data) if limit is None else min(limit, len(data))
    tag, length, header_length = parse_header(data, offset)
    start_value = offset + header_length
    end = start_value + length
    if end > stop:
        raise MalformedResponse(f"TLV {tag:X} value truncated")
    return Tlv(tag, bytes(data[start_value:end]), offset, end)


def parse_all(data: bytes, start: int = 0, end: int | None = None) -> list[Tlv]:
    """Parse consecutive TLVs filling ``data[start:end]`` exactly."""
    stop = len(data) if end is None else end
    if stop > len(data):
        raise MalformedResponse("TLV range beyond data")
    items: list[Tlv] = []
    pos = start
    while pos < stop:
        item = parse_one(data, pos, stop)
        items.append(item)
        pos = item.end
    return items
