"""The JCM ID-003 bill validator driver: one worker thread owns the serial port (9600 8E1).

It polls the validator's status every :data:`POLL_S`, turns what it sees into acceptor events
for the cash unit (kiosk.payment.cash_unit), and carries out the unit's commands between
polls. The money rules (docs/cash-hardware.md, "Exactly once"):

- the flow decides STACK or RETURN for a bill in the escrow; before STACK is sent the bill's
  value and reference are written to the cash ledger;
- VEND VALID (the bill is in the stacker) turns the noted bill into a credit in the ledger
  *before* it is acknowledged and handed to the kiosk, and is acknowledged exactly once per
  bill — a VEND VALID seen again after a lost ACK or a restart is acknowledged, not credited;
- a bill jammed after the escrow, or found in the stacker at power-up, is credited (it is in
  the machine: doubt favours the resident, who gets it back as a refund or a staff slip);
- a bill in the escrow when the kiosk is not taking money is returned.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace

from kiosk.payment import id003_wire as w
from kiosk.payment.cash_ledger import CashLedger, Credit
from kiosk.payment.cash_status import DeviceStatus
from kiosk.payment.device_worker import DeviceLost, DeviceWorker
from kiosk.payment.events import (
    AcceptorEvent,
    AcceptorJammed,
    EscrowHeld,
    EscrowReturned,
    MoneyInserted,
    MoneyRejected,
    RejectReason,
)
from kiosk.payment.money import Denomination, denomination_of
from kiosk.payment.serial_link import SerialLink

log = logging.getLogger(__name__)

# Polling: public drivers poll every 100–200 ms and expect an answer within 50 ms (500 ms
# while the validator initialises). A loaded kiosk PC and USB adapters add latency, so the
# answer may take REPLY_TIMEOUT_S; MISSES_LOST polls in a row without one (about 5 s) is a lost
# line — a hiccup of the PC is not taken for a validator gone.
POLL_S = 0.2
REPLY_TIMEOUT_S = 0.4
INIT_TIMEOUT_S = 10.0  # RESET → out of INITIALIZING
MISSES_LOST = 8
ESCROW_LIMIT_S = 30.0  # a bill the kiosk did not decide on in this time goes back
# The bills a Japanese kiosk takes: ¥2000 is inhibited (rarely used, and the screens say so).
ACCEPTED_BILLS = (Denomination.Y1000, Denomination.Y5000, Denomination.Y10000)
# SET OPTIONAL FUNCTION: power recovery (a bill being stacked at a power cut is reported
# VEND VALID after the reset) — the option byte as public implementations set it.
OPTIONAL_POWER_RECOVERY = b"\x02\x00"
# When the validator cannot report its currency assignment: JCM's escrow codes for yen as
# public drivers use them (docs/cash-hardware.md marks it uncertain).
FALLBACK_ESCROW_CODES = {0x61: 1000, 0x62: 2000, 0x63: 5000, 0x64: 10000}

Deliver = Callable[[AcceptorEvent], None]

_OPERATION_REPLIES = (w.AckReply, w.InvalidCommandReply, w.ErrorReply)
_STATUS_REPLIES = (w.StatusReply, w.ErrorReply)


class Id003Validator(DeviceWorker):
    """The validator on ``link`` (see the module docstring)."""

    name = "id003"

    def __init__(
        self,
        link: SerialLink,
        ledger: CashLedger,
        deliver: Deliver,
        *,
        poll_s: float = POLL_S,
        reply_timeout_s: float = REPLY_TIMEOUT_S,
        accepted: tuple[Denomination, ...] = ACCEPTED_BILLS,
    ) -> None:
        super().__init__(link, poll_s=poll_s)
        self.ledger = ledger
        self.deliver = deliver
        self.reply_timeout_s = reply_timeout_s
        self.accepted = frozenset(accepted)
        self._decoder = w.Decoder()
        self._codes: dict[int, Denomination] = {}
        self._enabled = False  # what the kiosk wants
        self._last: w.Reply | None = None  # the last status seen
        self._escrow: Denomination | None = None  # told to the kiosk, not decided yet
        self._escrow_since = 0.0
        self._misses = 0
        self.status = DeviceStatus("bill validator")
        self.vend_valid_seen_at: float | None = None  # benchmark: monotonic time of the last one

    # --- commands (any thread) ----------------------------------------------------------------

    def enable(self) -> bool:
        """Take bills (True once the validator was told)."""
        return self.run(lambda: self._set_enabled(True))

    def disable(self) -> bool:
        return self.run(lambda: self._set_enabled(False))

    def stack(self) -> bool:
        return self.run(self._stack)

    def return_bill(self) -> bool:
        return self.run(self._return)

    # --- the worker ---------------------------------------------------------------------------

    def _connect(self) -> None:
        self._decoder.reset()
        self._misses = 0
        reply = self._status_request(tries=3)
        if reply is None:
            raise DeviceLost("no answer to a status request")
        if isinstance(reply, w.StatusReply) and reply.state in _POWER_UP:
            self._power_up(reply.state)
        else:
            self._configure()
            self._handle(reply)  # a validator that kept running while the kiosk restarted
        self.status = replace(self.status, connected=True)

    def _configure(self) -> None:
        currency = self._exchange(w.Command.CURRENCY_ASSIGN_REQUEST, expect=(w.CurrencyReply,))
        self._codes = _escrow_codes(currency)
        version = self._exchange(w.Command.VERSION_REQUEST, expect=(w.VersionReply,))
        if isinstance(version, w.VersionReply):
            self.status = replace(self.status, identity=version.text.strip())
        mask = 0
        for code, denomination in self._codes.items():
            if denomination not in self.accepted and 0x61 <= code < 0x71:
                mask |= 1 << (code - 0x61)  # a 1 bit inhibits that denomination
        self._setting(w.Command.SET_DENOMINATIONS, mask.to_bytes(2, "little"))
        self._setting(w.Command.SET_COMMUNICATION_MODE, b"\x00")  # polling
        self._setting(w.Command.SET_OPTIONAL_FUNCTION, OPTIONAL_POWER_RECOVERY)
        self._setting(w.Command.SET_INHIBIT, b"\x00" if self._enabled else b"\x01")

    def _power_up(self, state: w.State) -> None:
        """POWER UP (with a bill in the acceptor or the stacker): RESET, configure, go on."""
        log.warning("id003: validator powered up (%s)", state.name)
        stacking = self.ledger.stacking
        if state is w.State.POWER_UP_BILL_IN_STACKER:
            if stacking is not None and not stacking.credited:
                self._credit_stacked("found in the stacker at power-up")
            elif stacking is None:
                self._fault("a bill of unknown value was in the stacker at power-up")
        elif state is w.State.POWER_UP_BILL_IN_ACCEPTOR:
            self._bill_given_back()  # the validator gives it back after the reset
        reply = self._exchange(w.Command.RESET, expect=_OPERATION_REPLIES)
        if not isinstance(reply, w.AckReply):
            raise DeviceLost(f"RESET answered {reply!r}")
        deadline = time.monotonic() + INIT_TIMEOUT_S
        while True:
            status = self._status_request(tries=3)
            initialising = (
                isinstance(status, w.StatusReply) and status.state is w.State.INITIALIZING
            )
            if status is not None and not initialising:
                break
            if time.monotonic() > deadline or not self.sleep(0.1):
                raise DeviceLost("the validator did not finish initialising")
        self._configure()
        self._last = None
        self._handle(status)

    def _poll(self) -> None:
        reply = self._status_request()
        if reply is not None:
            self._handle(reply)
        if self._escrow is not None and time.monotonic() - self._escrow_since > ESCROW_LIMIT_S:
            log.error("id003: no decision on the bill in the escrow: returning it")
            self._return()

    def _lost(self, reason: str) -> None:
        self.status = replace(self.status, connected=False)
        if self._enabled or self._escrow is not None:
            self.deliver(AcceptorJammed())  # the flow stops taking money and refunds
        self._escrow = None
        self._last = None

    # --- statuses -----------------------------------------------------------------------------

    def _handle(self, reply: w.Reply) -> None:
        previous, self._last = self._last, reply
        changed = reply != previous
        match reply:
            case w.StatusReply(state=state, data=data):
                self._state(state, data, changed)
            case w.ErrorReply(error=error, failure_code=code):
                self._error(error, code, changed)
            case _:
                log.warning("id003: unexpected answer to a status request: %r", reply)

    def _state(self, state: w.State, data: int | None, changed: bool) -> None:
        self._settle_stacking(state)
        match state:
            case w.State.IDLING | w.State.DISABLED:
                if self.status.fault:
                    self.status = replace(self.status, fault="")
                if self._escrow is not None:
                    self._bill_given_back()
                if (state is w.State.DISABLED) == self._enabled:
                    self._setting(w.Command.SET_INHIBIT, b"\x00" if self._enabled else b"\x01")
            case w.State.ESCROW:
                self._escrowed(data)
            case w.State.VEND_VALID:
                stacking = self.ledger.stacking
                if stacking is None:
                    if changed:
                        self._fault("VEND VALID for a bill the kiosk did not stack")
                elif not stacking.credited:
                    self.vend_valid_seen_at = time.monotonic()
                    self._credit_stacked("stacked")
                self.link.write(w.encode(w.Command.ACK))  # exactly once per VEND VALID seen
            case w.State.REJECTING if changed:
                reason = w.REJECT_REASONS.get(data or 0, f"code 0x{data or 0:02X}")
                log.info("id003: bill rejected: %s", reason)
                inhibited = data == w.REJECT_INHIBITED
                kind = RejectReason.NOT_ACCEPTED if inhibited else RejectReason.UNRECOGNISED
                self.deliver(MoneyRejected(kind))
            case w.State.RETURNING if changed:
                self._bill_given_back()
            case w.State.POWER_UP | w.State.POWER_UP_BILL_IN_ACCEPTOR:
                self._power_up(state)
            case w.State.POWER_UP_BILL_IN_STACKER:
                self._power_up(state)
            case _:
                pass  # ACCEPTING, STACKING, HOLDING, INITIALIZING: wait

    def _settle_stacking(self, state: w.State) -> None:
        """The bill told to stack is done with once the validator moves on; the states it may
        skip between two polls (STACKED, IDLING) are not waited for."""
        stacking = self.ledger.stacking
        if stacking is None or state in _STACKING_STATES:
            return
        if not stacking.credited and state is w.State.STACKED:
            self._credit_stacked("stacked (VEND VALID not seen)")
            stacking = self.ledger.stacking
        self.ledger.end_stacking()
        if stacking is not None and not stacking.credited:
            log.warning("id003: the bill to stack came back (%s yen)", stacking.yen)
            self.deliver(EscrowReturned(Denomination(stacking.yen)))

    def _error(self, error: w.Error, code: int | None, changed: bool) -> None:
        if error in (w.Error.PAUSE, w.Error.COMMUNICATION_ERROR) or not changed:
            return
        if error is w.Error.FAILURE:
            text = f"failure: {w.FAILURES.get(code or 0, f'code 0x{code or 0:02X}')}"
        else:
            text = error.name.lower().replace("_", " ")
        self._fault(text)
        if error is w.Error.STACKER_OPEN:
            self.ledger.stacker_emptied()  # staff opened the stacker: its bills are collected
        if error is w.Error.CHEATED:
            self.deliver(MoneyRejected(RejectReason.UNRECOGNISED))
            return
        if error in (w.Error.JAM_IN_ACCEPTOR, w.Error.JAM_IN_STACKER, w.Error.FAILURE):
            self._credit_jammed()  # first: the bill inside is counted before the flow stops
        if self._enabled or error in (w.Error.JAM_IN_ACCEPTOR, w.Error.JAM_IN_STACKER):
            self.deliver(AcceptorJammed())

    # --- bills --------------------------------------------------------------------------------

    def _escrowed(self, code: int | None) -> None:
        bill = self._codes.get(code or 0)
        if bill is None or bill not in self.accepted or not self._enabled:
            if bill is None:
                log.error("id003: escrow code 0x%02X is not in the currency assignment", code or 0)
            self._return()
            return
        if self._escrow is None and self.ledger.stacking is None:
            self._escrow = bill
            self._escrow_since = time.monotonic()
            self.deliver(EscrowHeld(bill))

    def _stack(self) -> None:
        bill = self._escrow
        if bill is None:
            log.warning("id003: STACK with no bill in the escrow ignored")
            return
        ref = self.ledger.next_ref("bill")
        self.ledger.start_stacking(ref, int(bill))  # written before the validator moves it
        self._escrow = None
        reply = self._exchange(w.Command.STACK_1, expect=_OPERATION_REPLIES)
        if not isinstance(reply, w.AckReply):
            log.error("id003: STACK answered %r; the next status tells where the bill is", reply)

    def _return(self) -> None:
        reply = self._exchange(w.Command.RETURN, expect=_OPERATION_REPLIES)
        if not isinstance(reply, w.AckReply):
            log.warning("id003: RETURN answered %r", reply)

    def _set_enabled(self, enabled: bool) -> None:
        self._enabled = enabled
        self._setting(w.Command.SET_INHIBIT, b"\x00" if enabled else b"\x01")
        if enabled and self.status.fault:
            self.deliver(AcceptorJammed())  # still faulted: the flow must not wait for bills
        if not enabled and self._escrow is not None:
            self._return()

    def _credit_stacked(self, why: str) -> None:
        credit = self.ledger.credit_stacked()  # durable before the ACK and the event
        if credit is not None:
            log.info("id003: %s yen %s (%s)", credit.yen, why, credit.ref)
            self._deliver_credit(credit)

    def _credit_jammed(self) -> None:
        """A jam after the escrow: the bill is inside the machine; it counts as taken in."""
        stacking = self.ledger.stacking
        if stacking is not None and not stacking.credited:
            self._credit_stacked("jammed after STACK")
            return
        bill, self._escrow = self._escrow, None
        if bill is not None:
            credit = Credit(self.ledger.next_ref("bill"), int(bill))
            self.ledger.add_credit(credit)
            log.info("id003: %s yen jammed in the escrow (%s)", credit.yen, credit.ref)
            self._deliver_credit(credit)

    def _deliver_credit(self, credit: Credit) -> None:
        denomination = denomination_of(credit.yen)
        if denomination is None:
            self._fault(f"a credit of {credit.yen} yen is not a bill")
            return
        self.deliver(MoneyInserted(denomination, ref=credit.ref))

    def _bill_given_back(self) -> None:
        bill, self._escrow = self._escrow, None
        if bill is not None:
            self.deliver(EscrowReturned(bill))

    def _fault(self, text: str) -> None:
        log.error("id003: %s", text)
        self.status = replace(self.status, fault=text)

    # --- the wire -----------------------------------------------------------------------------

    def _status_request(self, tries: int = 1) -> w.Reply | None:
        """The status, or None when unanswered (MISSES_LOST in a row: the line is lost)."""
        for _ in range(tries):
            reply = self._exchange(w.Command.STATUS_REQUEST, expect=_STATUS_REPLIES)
            if reply is not None:
                self._misses = 0
                return reply
        self._misses += 1
        if self._misses >= MISSES_LOST:
            raise DeviceLost(f"no answer to {self._misses} status requests in a row")
        return None

    def _setting(self, command: w.Command, data: bytes) -> None:
        reply = self._exchange(command, data, expect=(w.SettingReply,))
        if not (isinstance(reply, w.SettingReply) and reply.data == data):
            log.warning("id003: setting 0x%02X answered %r", command, reply)

    def _exchange(
        self, command: int, data: bytes = b"", *, expect: tuple[type, ...]
    ) -> w.Reply | None:
        """Send and wait for the answer (None: none in time). A frame of another kind, or a
        setting echo of another command, is a stale answer and skipped; COMMUNICATION ERROR
        (the validator could not read the frame) gets the frame again, twice at most."""
        frame = w.encode(command, data)
        for _ in range(3):
            self.link.write(frame)
            reply = self._read(command, expect)
            if isinstance(reply, w.ErrorReply) and reply.error is w.Error.COMMUNICATION_ERROR:
                continue
            return reply
        return None

    def _read(self, command: int, expect: tuple[type, ...]) -> w.Reply | None:
        deadline = time.monotonic() + self.reply_timeout_s
        while (left := deadline - time.monotonic()) > 0:
            for frame in self._decoder.feed(self.link.read(left)):
                try:
                    reply = w.parse_reply(frame)
                except w.Id003ProtocolError as exc:
                    log.warning("id003: malformed answer ignored: %s", exc)
                    continue
                if isinstance(reply, w.SettingReply) and reply.command != command:
                    continue
                if isinstance(reply, expect):
                    return reply
                log.debug("id003: stale answer %r skipped", reply)
        self._decoder.reset()
        return None


_POWER_UP = frozenset(
    {w.State.POWER_UP, w.State.POWER_UP_BILL_IN_ACCEPTOR, w.State.POWER_UP_BILL_IN_STACKER}
)
# While the validator is in these, the bill told to stack is still on its way.
_STACKING_STATES = _POWER_UP | {w.State.STACKING, w.State.VEND_VALID, w.State.INITIALIZING}


def _escrow_codes(reply: w.Reply | None) -> dict[int, Denomination]:
    """Escrow code → bill, from the validator's currency assignment (yen values only)."""
    table: dict[int, Denomination] = {}
    if isinstance(reply, w.CurrencyReply):
        for entry in reply.entries:
            bill = denomination_of(entry.value)
            if bill is not None and bill.is_bill:
                if entry.country != w.COUNTRY_JAPAN:
                    log.warning(
                        "id003: escrow code 0x%02X has country %d", entry.escrow_code, entry.country
                    )
                table[entry.escrow_code] = bill
    if not table:
        log.warning("id003: no yen in the currency assignment; using the usual escrow codes")
        table = {code: Denomination(yen) for code, yen in FALLBACK_ESCROW_CODES.items()}
    return table


__all__ = ["ACCEPTED_BILLS", "POLL_S", "Id003Validator"]
