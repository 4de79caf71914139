"""Raw APDU logging at the ``TRAFFIC`` level (5, below DEBUG), with secrets and personal data
masked.

Only transport adapters log traffic (:mod:`cardio.pcsc`, and :class:`TracingTransport` for
any other transport). What is masked:

* the data of VERIFY (``20``), CHANGE REFERENCE DATA (``24``) and CHANGE KEY (``80 32``): PINs,
  passwords, 照合番号 — only the length is shown;
* the response data of READ BINARY, except for the public JPKI files (token info, the
  authentication certificate, the CA certificates, the availability EF). The signing
  certificate (EF 0001 of the JPKI AP) and everything in the 券面 and 住基 applications carry
  name, address, birth date or My Number (jpki-card.md §4.1, §5.2, §10.3).

The redactor follows SELECT commands to know which application and EF are current.
"""

from __future__ import annotations

import logging

from cardio.apdu import AID, INS
from cardio.transport import Transport

__all__ = ["TRAFFIC", "TracingTransport", "TrafficRedactor"]

TRAFFIC = 5
logging.addLevelName(TRAFFIC, "TRAFFIC")

# EFs of the JPKI AP whose content is public (jpki-card.md §4.1): 0002 sign CA, 0006 token
# info, 0008 availability, 000A auth cert (CN is an opaque identifier, §10.2), 000B auth CA.
_PUBLIC_JPKI_EFS = frozenset({0x0002, 0x0006, 0x0008, 0x000A, 0x000B})
_SECRET_DATA_INS = frozenset({INS.VERIFY, INS.CHANGE_REFERENCE_DATA, INS.CHANGE_KEY})


class TrafficRedactor:
    """Formats commands and responses for the trace, tracking the current application/EF."""

    def __init__(self) -> None:
        self._application: bytes | None = None
        self._ef: int | None = None
        self._last_ins: int | None = None

    def track(self, apdu: bytes) -> None:
        """Follow the current application/EF without formatting (when not logging)."""
        if len(apdu) < 4:
            self._last_ins = None
            return
        ins, p1 = apdu[1], apdu[2]
        self._last_ins = ins
        if ins == INS.SELECT and len(apdu) > 5:
            self._track_select(p1, apdu[5 : 5 + apdu[4]])
        elif ins == INS.READ_BINARY and p1 & 0x80:
            self._ef = p1 & 0x1F  # short-EF read names the EF by its SFI (§2.3)

    def command(self, apdu: bytes) -> str:
        """Track, and format one command as hex with secret data replaced by its length."""
        self.track(apdu)
        if len(apdu) < 4:
            return f">> {apdu.hex(' ').upper()} (short)"
        if apdu[1] in _SECRET_DATA_INS and len(apdu) > 5:
            return f">> {apdu[:5].hex(' ').upper()} <{len(apdu) - 5} bytes masked>"
        return f">> {apdu.hex(' ').upper()}"

    def response(self, data: bytes, sw: int) -> str:
        """One response as hex; personal data replaced by its length."""
        if data and self._last_ins == INS.READ_BINARY and not self._public():
            return f"<< <{len(data)} bytes masked> {sw:04X}"
        body = data.hex(" ").upper()
        return f"<< {body + ' ' if body else ''}{sw:04X}"

    def _track_select(self, p1: int, body: bytes) -> None:
        if p1 == 0x04:
            self._application = bytes(body)
            self._ef = None
        elif p1 == 0x02 and len(body) == 2:
            self._ef = int.from_bytes(body, "big")
        else:
            self._ef = None

    def _public(self) -> bool:
        return self._application == AID.JPKI.value and self._ef in _PUBLIC_JPKI_EFS


class TracingTransport:
    """Wraps any transport and logs its traffic at ``TRAFFIC`` (masked). For transports that do
    not log themselves (the in-process virtual card, tests)."""

    def __init__(self, inner: Transport, logger: logging.Logger | None = None) -> None:
        self.inner = inner
        self.logger = logger or logging.getLogger("cardio.traffic")
        self._redactor = TrafficRedactor()

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        """Log the command, pass it on, log the response."""
        # Track even when not logging: the redactor must follow every SELECT to stay right if
        # the level is lowered in the middle of a session.
        tracing = self.logger.isEnabledFor(TRAFFIC)
        if tracing:
            self.logger.log(TRAFFIC, "%s", self._redactor.command(apdu))
        else:
            self._redactor.track(apdu)
        data, sw = self.inner.transmit(apdu)
        if tracing:
            self.logger.log(TRAFFIC, "%s", self._redactor.response(bytes(data), int(sw)))
        return data, sw
