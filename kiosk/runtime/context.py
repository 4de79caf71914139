"""What one service learns that another needs, per transaction (thread-safe).

Two hand-offs, each owned by the service that produces it and taken by the one that needs it:

- the user-authentication certificate: the card service reads it, the center service sends it;
- the issued certificate: the center service receives and verifies the envelope and decodes its
  copies (:class:`IssuedCertificate`); on ``ComposePrintJob`` the print service takes them and
  composes the print job, which it keeps itself (kiosk/runtime/printer.py).

Personal data (the certificate names the card holder's JPKI identifier; the issued copies hold
the certificate) lives here only until it is taken or :meth:`TransactionFacts.wipe`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from printing.security import CopyToPrint

# The time now, timezone-aware; the wiring passes the system clock (kiosk.app.wiring.system_clock).
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class IssuedCertificate:
    """A verified issuance as the center service hands it to the print service."""

    txn_id: str
    issuance_id: str
    copies: tuple[CopyToPrint, ...] = field(repr=False)  # every copy's front and back sides
    page_count: int  # pages of one copy's front (the center checked every copy has as many)
    serial: str = field(repr=False)  # the first copy's serial (the job's digest is made of it)

    @property
    def sides_per_copy(self) -> int:
        """Printed page sides (IPP impressions) per copy: every page is a sheet printed on both
        sides (duplex), so an N-page certificate is 2·N sides per copy."""
        return 2 * self.page_count


class TransactionFacts:
    """The shared notebook of the services (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._certificate: bytes | None = None
        self._issued: dict[str, IssuedCertificate] = {}

    # -- the card's certificate (card → center) -------------------------------------------------
    def set_certificate(self, der: bytes | None) -> None:
        with self._lock:
            self._certificate = der

    def certificate(self) -> bytes | None:
        with self._lock:
            return self._certificate

    # -- the issued certificate (center → printer) ----------------------------------------------
    def put_issued(self, issued: IssuedCertificate) -> None:
        with self._lock:
            self._issued[issued.txn_id] = issued

    def take_issued(self, txn_id: str) -> IssuedCertificate | None:
        """The issued certificate of ``txn_id``, handed over once (None: none, or wiped)."""
        with self._lock:
            return self._issued.pop(txn_id, None)

    def wipe(self) -> None:
        """Forget everything personal (the certificate, issued certificates not yet taken)."""
        with self._lock:
            self._certificate = None
            self._issued.clear()
