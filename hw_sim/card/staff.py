"""A staff card for the developer world: a card whose reader reports an id (PC/SC GET DATA,
``FF CA 00 00 00``) and that answers nothing else — as a store's contactless employee card
through a contactless reader, where the reader itself answers GET DATA.

Served through vpcd like the virtual My Number card (``CardDock.insert_staff_card``); vpcd passes
every APDU to the card, so the card answers GET DATA here in the reader's place.
"""

from __future__ import annotations

from dataclasses import dataclass

# ISO/IEC 7816-3 ATR of a contactless card as PC/SC Part 3 §3.1.3.2.3 builds it for a
# reader (3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A: MIFARE Classic 1K).
STAFF_CARD_ATR = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")
DEVELOPER_STAFF_CARD_ID = bytes.fromhex("04A2241A7C5E80")  # a 7-byte UID (ISO/IEC 14443-3)
GET_DATA_UID = bytes.fromhex("FFCA000000")
SW_OK = bytes.fromhex("9000")
SW_INS_NOT_SUPPORTED = bytes.fromhex("6D00")


@dataclass(frozen=True)
class _Profile:
    response_delay_s: float = 0.0


class StaffCard:
    """The card side of a staff card (the interface of hw_sim.card.VirtualCard that vpcd uses)."""

    def __init__(self, card_id: bytes = DEVELOPER_STAFF_CARD_ID) -> None:
        self.card_id = card_id
        self.atr = STAFF_CARD_ATR
        self.profile = _Profile()
        self.powered = False

    def power_on(self) -> bytes:
        self.powered = True
        return self.atr

    def power_off(self) -> None:
        self.powered = False

    def warm_reset(self) -> bytes:
        return self.power_on()

    def process(self, apdu: bytes) -> bytes:
        if apdu == GET_DATA_UID:
            return self.card_id + SW_OK
        return SW_INS_NOT_SUPPORTED


__all__ = ["DEVELOPER_STAFF_CARD_ID", "STAFF_CARD_ATR", "StaffCard"]
