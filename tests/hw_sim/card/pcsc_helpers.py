"""pyscard helpers for the vpcd tests (the tests talk PC/SC directly, never through cardio)."""

from __future__ import annotations

import contextlib
import time

from smartcard.CardConnection import CardConnection
from smartcard.Exceptions import CardConnectionException, NoCardException
from smartcard.System import readers

PRESENCE_TIMEOUT_S = 5.0  # pcscd polls a vpcd reader about every 0.4 s (real-stack.md)


def reader(slot: int) -> str:
    names = [str(r) for r in readers()]
    wanted = f"Virtual PCD 00 {slot:02d}"
    assert wanted in names, names
    return wanted


def connect(slot: int, timeout: float = PRESENCE_TIMEOUT_S) -> CardConnection:
    """Connect to the card in the slot's reader once pcscd sees it."""
    name = reader(slot)
    deadline = time.monotonic() + timeout
    while True:
        conn = next(r for r in readers() if str(r) == name).createConnection()
        try:
            conn.connect()
            return conn
        except (NoCardException, CardConnectionException):
            close(conn)
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def card_present(slot: int) -> bool:
    conn = next(r for r in readers() if str(r) == reader(slot)).createConnection()
    try:
        conn.connect()
    except (NoCardException, CardConnectionException):
        return False
    finally:
        close(conn)
    return True


def close(conn: CardConnection) -> None:
    """Disconnect (pyscard unpowers the card) and release the PC/SC context now, not in a
    finaliser that may run after the private pcscd is gone."""
    with contextlib.suppress(CardConnectionException):
        conn.release()


def wait_absent(slot: int, timeout: float = PRESENCE_TIMEOUT_S) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not card_present(slot):
            return True
        time.sleep(0.1)
    return False


def tx(conn: CardConnection, apdu: str | bytes) -> tuple[bytes, int]:
    raw = bytes.fromhex(apdu) if isinstance(apdu, str) else apdu
    data, sw1, sw2 = conn.transmit(list(raw))
    return bytes(data), (sw1 << 8) | sw2
