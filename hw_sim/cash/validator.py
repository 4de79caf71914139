"""The device side of a JCM ID-003 bill validator (docs/cash-hardware.md, "The simulators").

A state machine answering the host's frames and advancing with time (:meth:`tick`): a bill
inserted is drawn in (ACCEPTING), recognised or rejected, held in the escrow until the host says
STACK or RETURN, stacked (STACKING → VEND VALID until the host's ACK → STACKED) or given back.
Faults: jams in the acceptor and in the stacker, stacker full or open, a cheat attempt, a
failure code, and the power cut. What is physical — the stacker's bills, the bezel (bills given
back, waiting to be taken), a bill inside the machine and where — is kept in :meth:`snapshot`
and survives the simulator's process; the protocol state does not: after a power cut the
validator answers POWER UP (with a bill in the acceptor, or in the stacker) until the host
sends RESET, then gives the first back and finishes stacking the second, reporting VEND VALID
for it when the host enabled the power recovery option.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from kiosk.payment import id003_wire as w

log = logging.getLogger(__name__)

# The simulator's currency assignment (escrow code → yen), answered to CURRENCY ASSIGN REQUEST
# with Japan's country number; the driver reads it rather than assuming it.
ESCROW_CODES: dict[int, int] = {0x61: 1000, 0x62: 2000, 0x63: 5000, 0x64: 10000}
OPTION_POWER_RECOVERY = 0x02  # SET OPTIONAL FUNCTION, first byte (public implementations)
VERSION = "SIM(JPN)-01 ID003-05V100-01 01JAN26 0000"


@dataclass
class ValidatorTiming:
    """How long the mechanism takes (a real validator: about a second per bill)."""

    accept_s: float = 0.25
    reject_s: float = 0.3
    stack_s: float = 0.3
    stacked_s: float = 0.1
    return_s: float = 0.3
    init_s: float = 0.3


class Id003Validator:
    """One validator; every method is called under the simulator's lock."""

    def __init__(self, timing: ValidatorTiming | None = None, state: dict[str, Any] | None = None):
        self.timing = timing or ValidatorTiming()
        self.clock = time.monotonic
        # physical, persisted
        self.stacker: Counter[int] = Counter()
        self.bezel: list[int] = []
        self.bill: int | None = None  # a bill inside: its value (0: not a bill we know)
        self.where = ""  # accepting | escrow | stacking | stacked (VEND VALID not acknowledged)
        self.jam = ""  # "" | acceptor | stacker
        self.jam_next = ""  # the next bill jams there
        self.stacker_full = False
        self.stacker_open = False
        self.cheat_next = False
        self.failure: int | None = None
        # protocol, volatile: the process starting is the validator powering up
        self.powered_up = False
        self.inhibited = True
        self.denomination_mask = b"\x00\x00"
        self.optional = b"\x00\x00"
        self.phase = "idle"  # idle accepting escrow stacking vend_valid stacked rejecting
        #                      returning initializing cheated
        self.phase_until = 0.0
        self.reject_code = 0
        self.vend_valid_at: float | None = None  # when VEND VALID was first reported (benchmark)
        self.stacked_at: float | None = None  # when the last bill reached the stacker (benchmark)
        self.changed = True
        if state is not None:
            self._restore(state)

    # --- the host's frames --------------------------------------------------------------------

    def handle(self, frame: w.Frame) -> bytes | None:
        command, data = frame.command, frame.data
        if command == w.Command.STATUS_REQUEST:
            return self._status()
        if command == w.Command.RESET:
            self._reset()
            return w.encode(w.ACK)
        if not self.powered_up:
            return w.encode(w.INVALID_COMMAND)  # only status and reset before the host resets
        match command:
            case w.Command.ACK:
                if self.phase == "vend_valid":
                    self._enter("stacked", self.timing.stacked_s)
                    self.where = ""
                    self.bill = None
                return None  # the host's ACK is not answered
            case w.Command.STACK_1 | w.Command.STACK_2:
                if self.phase != "escrow":
                    return w.encode(w.INVALID_COMMAND)
                self.where = "stacking"
                self._enter("stacking", self.timing.stack_s)
                return w.encode(w.ACK)
            case w.Command.RETURN:
                if self.phase != "escrow":
                    return w.encode(w.INVALID_COMMAND)
                self._enter("returning", self.timing.return_s)
                return w.encode(w.ACK)
            case w.Command.HOLD | w.Command.WAIT:
                return w.encode(w.ACK if self.phase == "escrow" else w.INVALID_COMMAND)
            case w.Command.SET_INHIBIT if len(data) == 1:
                self.inhibited = bool(data[0] & 1)
                return w.encode(command, data)
            case w.Command.SET_DENOMINATIONS if len(data) == 2:
                self.denomination_mask = data
                return w.encode(command, data)
            case w.Command.SET_OPTIONAL_FUNCTION if len(data) == 2:
                self.optional = data
                return w.encode(command, data)
            case (
                w.Command.SET_SECURITY | w.Command.SET_DIRECTION | w.Command.SET_COMMUNICATION_MODE
            ):
                return w.encode(command, data)
            case w.Command.GET_INHIBIT:
                return w.encode(command, bytes((int(self.inhibited),)))
            case w.Command.GET_DENOMINATIONS:
                return w.encode(command, self.denomination_mask)
            case w.Command.VERSION_REQUEST:
                return w.encode(command, VERSION.encode())
            case w.Command.BOOT_VERSION_REQUEST:
                return w.encode(command, b"B01 ")
            case w.Command.CURRENCY_ASSIGN_REQUEST:
                return w.encode(command, _currency_assignment())
            case _:
                return w.encode(w.INVALID_COMMAND)

    def _status(self) -> bytes:
        if not self.powered_up:
            if self.where in ("accepting", "escrow"):
                return w.encode(w.State.POWER_UP_BILL_IN_ACCEPTOR)
            if self.where in ("stacking", "stacked"):
                return w.encode(w.State.POWER_UP_BILL_IN_STACKER)
            return w.encode(w.State.POWER_UP)
        if self.failure is not None:
            return w.encode(w.Error.FAILURE, bytes((self.failure,)))
        if self.jam == "acceptor":
            return w.encode(w.Error.JAM_IN_ACCEPTOR)
        if self.jam == "stacker":
            return w.encode(w.Error.JAM_IN_STACKER)
        if self.stacker_open:
            return w.encode(w.Error.STACKER_OPEN)
        phase = self.phase
        if phase == "idle" and self.stacker_full:
            return w.encode(w.Error.STACKER_FULL)
        if phase == "escrow":
            return w.encode(w.State.ESCROW, bytes((_escrow_code(self.bill or 0),)))
        if phase == "rejecting":
            return w.encode(w.State.REJECTING, bytes((self.reject_code,)))
        if phase == "vend_valid" and self.vend_valid_at is None:
            self.vend_valid_at = self.clock()
        simple = {
            "idle": w.State.DISABLED if self.inhibited else w.State.IDLING,
            "accepting": w.State.ACCEPTING,
            "stacking": w.State.STACKING,
            "vend_valid": w.State.VEND_VALID,
            "stacked": w.State.STACKED,
            "returning": w.State.RETURNING,
            "initializing": w.State.INITIALIZING,
        }
        if phase == "cheated":
            return w.encode(w.Error.CHEATED)
        return w.encode(simple[phase])

    def _reset(self) -> None:
        self.powered_up = True
        self.inhibited = True
        self.denomination_mask = b"\x00\x00"
        self._enter("initializing", self.timing.init_s)

    # --- time ---------------------------------------------------------------------------------

    def tick(self) -> None:
        if not self.powered_up or self.jam or self.failure is not None:
            return
        if self.phase == "idle" or self.phase_until > self.clock():
            return
        self.changed = True
        match self.phase:
            case "initializing":
                self._after_reset()
            case "accepting":
                self._recognise()
            case "rejecting" | "returning" | "cheated":
                self._give_back()
            case "stacking":
                if self.jam_next == "stacker":
                    self.jam, self.jam_next = "stacker", ""
                    return
                self.stacker[self.bill or 0] += 1
                self.where = "stacked"
                self.vend_valid_at = None
                self.stacked_at = self.clock()
                self._enter("vend_valid", 0)
            case "stacked":
                self._enter("idle", 0)

    def _recognise(self) -> None:
        bill = self.bill or 0
        if self.cheat_next:
            self.cheat_next = False
            self._enter("cheated", self.timing.reject_s)
        elif self.jam_next == "acceptor":
            self.jam, self.jam_next = "acceptor", ""
        elif bill not in ESCROW_CODES.values():
            self._reject(0x76)  # denomination assessment error
        elif self._inhibited(bill):
            self._reject(w.REJECT_INHIBITED)
        else:
            self.where = "escrow"
            self._enter("escrow", 0)

    def _after_reset(self) -> None:
        if self.where in ("accepting", "escrow"):
            self._give_back()
            return
        if self.where == "stacking":
            self.stacker[self.bill or 0] += 1
            self.where = "stacked"
        if self.where == "stacked" and self.optional[0] & OPTION_POWER_RECOVERY:
            self.vend_valid_at = None
            self._enter("vend_valid", 0)
            return
        self.where, self.bill = "", None
        self._enter("idle", 0)

    def _reject(self, code: int) -> None:
        self.reject_code = code
        self._enter("rejecting", self.timing.reject_s)

    def _give_back(self) -> None:
        if self.bill is not None:
            self.bezel.append(self.bill)
        self.bill, self.where = None, ""
        self._enter("idle", 0)

    def _inhibited(self, bill: int) -> bool:
        mask = int.from_bytes(self.denomination_mask, "little")
        code = _escrow_code(bill)
        return bool(mask >> (code - 0x61) & 1)

    def _enter(self, phase: str, seconds: float) -> None:
        self.phase = phase
        self.phase_until = self.clock() + seconds

    # --- the resident, staff and faults -------------------------------------------------------

    def insert(self, yen: int) -> str:
        """A bill (``yen`` 0 or unknown: not a genuine yen bill)."""
        self.changed = True
        busy = self.phase != "idle" or self.jam or self.failure is not None
        blocked = self.stacker_full or self.stacker_open or not self.powered_up
        if self.inhibited or busy or blocked:
            self.bezel.append(yen)  # not drawn in: it stays in the bezel
            return "not taken"
        self.bill, self.where = yen, "accepting"
        self._enter("accepting", self.timing.accept_s)
        return "drawn in"

    def take_bezel(self) -> list[int]:
        self.changed = True
        taken, self.bezel = self.bezel, []
        return taken

    def clear(self) -> None:
        """Staff clear a jam or failure and close the stacker: a bill jammed in the stacker goes
        into it, one jammed in the acceptor comes out to staff (``bill`` is forgotten)."""
        self.changed = True
        if self.jam == "stacker" and self.bill is not None:
            self.stacker[self.bill] += 1
        if self.jam:
            self.bill, self.where = None, ""
            self._enter("idle", 0)
        self.jam = self.jam_next = ""
        self.failure = None
        self.stacker_open = False
        self.stacker_full = False

    def empty_stacker(self) -> dict[int, int]:
        self.changed = True
        emptied = dict(self.stacker)
        self.stacker.clear()
        return emptied

    def power_cut(self) -> None:
        """The power goes and comes back: the protocol state is lost, the bills are not."""
        self.changed = True
        self.powered_up = False
        self.inhibited = True
        self.jam_next = ""
        if self.phase in ("rejecting", "returning", "cheated"):
            self._give_back()
        self.phase = "idle"

    # --- persistence --------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        return {
            "stacker": {str(k): v for k, v in self.stacker.items() if v},
            "bezel": list(self.bezel),
            "bill": self.bill,
            "where": self.where,
            "jam": self.jam,
            "stacker_full": self.stacker_full,
            "stacker_open": self.stacker_open,
            "failure": self.failure,
        }

    def _restore(self, state: dict[str, Any]) -> None:
        self.stacker = Counter({int(k): int(v) for k, v in state.get("stacker", {}).items()})
        self.bezel = [int(v) for v in state.get("bezel", [])]
        self.bill = state.get("bill")
        self.where = str(state.get("where", ""))
        self.jam = str(state.get("jam", ""))
        self.stacker_full = bool(state.get("stacker_full"))
        self.stacker_open = bool(state.get("stacker_open"))
        self.failure = state.get("failure")
        self.power_cut()  # the process (re)starts: the validator powers up

    def describe(self) -> dict[str, Any]:
        return {
            **self.snapshot(),
            "phase": self.phase,
            "powered_up": self.powered_up,
            "inhibited": self.inhibited,
            "vend_valid_at": self.vend_valid_at,
            "stacked_at": self.stacked_at,
        }


def _escrow_code(bill: int) -> int:
    for code, value in ESCROW_CODES.items():
        if value == bill:
            return code
    return 0x6F  # not a bill of the table (never escrowed: rejected first)


def _currency_assignment() -> bytes:
    out = bytearray()
    for code, yen in ESCROW_CODES.items():
        exponent = len(str(yen)) - 1
        out += bytes((code, w.COUNTRY_JAPAN, yen // 10**exponent, exponent))
    return bytes(out)


__all__ = ["ESCROW_CODES", "OPTION_POWER_RECOVERY", "Id003Validator", "ValidatorTiming"]
