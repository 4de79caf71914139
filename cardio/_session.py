"""What both application sessions share: selecting the application and EFs (remembering the
current EF to skip redundant SELECTs), the non-consuming tries query and VERIFY."""

from __future__ import annotations

import threading

from cardio import apdu
from cardio.errors import (
    ApplicationNotFound,
    NoPreciseDiagnosis,
    NotFound,
    UnknownStatus,
    error_for_status,
)
from cardio.pin import Secret
from cardio.transport import CardChannel, Transport

SW_WRONG_LENGTH = 0x6700


def select_application(channel: CardChannel, aid: bytes, cancel: threading.Event | None) -> None:
    """SELECT an application; retry once on ``6F 00`` (a real card answered that to the first
    command after power-up, jpki-card.md §2.2); ``6A 82`` → :class:`ApplicationNotFound`.

    Retrying is safe: SELECT carries no secret and changes nothing but the current DF.
    """
    command = apdu.select_application(aid)
    try:
        try:
            channel.send(command, cancel=cancel)
        except NoPreciseDiagnosis:
            channel.send(command, cancel=cancel)
    except NotFound as exc:
        raise ApplicationNotFound(exc.sw) from exc


def query_tries(channel: CardChannel, max_tries: int | None, cancel: threading.Event | None) -> int:
    """Empty VERIFY on the current PIN EF → tries left, spending none (jpki-card.md §2.4).

    ``63 Cx`` → x; ``69 84`` → 0. ``90 00`` (a JICSAP card may answer so right after a
    successful VERIFY, §2.4) means the counter was just reset: ``max_tries`` when known. A
    ``67 00`` to the 4-byte form is retried once with the 5-byte form ``00 20 00 80 00``
    ([SIG], §2.4) — neither form carries a PIN.
    """
    _data, sw = channel.send_raw(apdu.verify(), cancel=cancel)
    if sw == SW_WRONG_LENGTH:
        five_byte_form = apdu.CommandApdu(0x00, apdu.INS.VERIFY, 0x00, 0x80, le=256)
        _data, sw = channel.send_raw(five_byte_form, cancel=cancel)
    if sw & 0xFFF0 == 0x63C0:
        return sw & 0x0F
    if sw in (0x6984, 0x6983):
        return 0
    if sw == 0x9000:
        if max_tries is None:
            raise UnknownStatus(sw, "card did not report the tries left")
        return max_tries
    raise error_for_status(sw)


class ApplicationSession:
    """Base of the per-application sessions: selects ``aid`` on construction."""

    aid: bytes = b""

    def __init__(
        self, transport: Transport | CardChannel, *, cancel: threading.Event | None = None
    ) -> None:
        self.channel = transport if isinstance(transport, CardChannel) else CardChannel(transport)
        self.cancel = cancel
        self._current_ef: int | None = None
        self.channel.begin_operation()
        select_application(self.channel, self.aid, cancel)

    def _cancel(self, cancel: threading.Event | None) -> threading.Event | None:
        """Every public verb starts here: its cancel event, and its operation's deadline."""
        self.channel.begin_operation()
        return cancel if cancel is not None else self.cancel

    def _select_ef(self, fid: int, cancel: threading.Event | None) -> None:
        """SELECT ``fid`` unless it is already current (saves an APDU per step, §4.4)."""
        if self._current_ef == fid:
            return
        self._current_ef = None
        self.channel.send(apdu.select_ef(fid), cancel=cancel)
        self._current_ef = fid

    def _forget_current_ef(self) -> None:
        self._current_ef = None

    def _query_tries(
        self, pin_ef: int, max_tries: int | None, cancel: threading.Event | None
    ) -> int:
        self._select_ef(pin_ef, cancel)
        return query_tries(self.channel, max_tries, cancel)

    def _verify(self, pin_ef: int, secret: Secret, cancel: threading.Event | None) -> None:
        """VERIFY once. Raises WrongPin / PinBlocked; never resends (docs/architecture.md)."""
        self._select_ef(pin_ef, cancel)
        self.channel.send(apdu.verify(secret.secret_bytes()), cancel=cancel)
