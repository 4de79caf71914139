"""Reading transparent EFs whose content is one BER/DER object, in as few APDUs as possible.

The first READ BINARY asks for 256 bytes (Le = 00): the card returns up to the end of the EF
within Le (jpki-card.md §2.3), which gives the object's header *and* its first bytes at once.
The length in the header then tells how many more ≤256-byte reads are needed. Certificates
(~1.1–1.8 KB) and the 券面 records are read this way.
"""

from __future__ import annotations

import threading

from cardio import apdu
from cardio.ber import parse_header
from cardio.errors import MalformedResponse, OffsetOutOfRange, error_for_status
from cardio.transport import CardChannel

READ_CHUNK = 256  # short Le maximum; nobody uses extended READ BINARY on this card (§2.3)
MAX_OFFSET = 0x7FFF  # READ BINARY offset is 15 bits (P1 bit 8 = 0, §2.3)
SW_END_OF_FILE_WARNING = 0x6282  # ISO 7816-4: fewer bytes than Le, end of file reached


def read_chunk(
    channel: CardChannel, command: apdu.CommandApdu, cancel: threading.Event | None
) -> bytes:
    """One READ BINARY; accepts the ISO end-of-file warning ``62 82`` as success."""
    data, sw = channel.send_raw(command, cancel=cancel)
    if sw in (0x9000, SW_END_OF_FILE_WARNING):
        if command.le is not None and len(data) > command.le:
            raise MalformedResponse("card returned more bytes than asked for")
        return data
    raise error_for_status(sw)


def read_object(
    channel: CardChannel,
    *,
    max_length: int,
    cancel: threading.Event | None = None,
    first: bytes | None = None,
) -> bytes:
    """Read the BER object at the start of the current EF and return exactly its encoding.

    ``first`` lets the caller pass bytes it already read from offset 0 (e.g. via SFI).
    """
    if first is None:
        first = read_chunk(channel, apdu.read_binary(0, READ_CHUNK), cancel)
    head = first
    _tag, length, header_length = parse_header(head)
    total = header_length + length
    if total > max_length or total - 1 > MAX_OFFSET:
        raise MalformedResponse(f"object of {total} bytes is larger than allowed ({max_length})")
    parts = [head[:total]]
    have = len(parts[0])
    while have < total:
        want = min(READ_CHUNK, total - have)
        try:
            chunk = read_chunk(channel, apdu.read_binary(have, want), cancel)
        except OffsetOutOfRange as exc:
            raise MalformedResponse("EF ends before the object its header announces") from exc
        if not chunk:
            raise MalformedResponse("card returned no data before the object's end")
        parts.append(chunk[:want])
        have += len(parts[-1])
    return b"".join(parts)
