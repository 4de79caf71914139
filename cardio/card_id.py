"""The id of a card as its reader reports it (PC/SC GET DATA), for staff cards.

``FF CA 00 00 00`` is the PC/SC pseudo-APDU GET DATA (PC/SC Part 3, §3.2.2.1.3): a contactless
reader answers with the card's UID (ISO/IEC 14443 type A/B, FeliCa IDm) and ``90 00`` without
sending anything to the card. A contact reader, or a card that has no such id, answers with an
error status (``6A 81`` function not supported, ``6D 00``…): then the card has no id here.
"""

from __future__ import annotations

from cardio.errors import CommunicationError
from cardio.transport import Transport

GET_DATA_UID = bytes.fromhex("FFCA000000")
SW_OK = 0x9000
MAX_ID_BYTES = 16  # UIDs are 4, 7 or 10 bytes; a FeliCa IDm 8


def read_card_id(transport: Transport) -> bytes | None:
    """The reader's id of the card, or None when it reports none (never raises for that;
    a transport failure is raised as cardio's CommunicationError)."""
    data, sw = transport.transmit(GET_DATA_UID)
    if sw != SW_OK or not 1 <= len(data) <= MAX_ID_BYTES:
        return None
    return bytes(data)


__all__ = ["GET_DATA_UID", "CommunicationError", "read_card_id"]
