"""The cash-unit bridge protocol's messages (docs/payment-bridge.md): pure, no I/O.

One JSON object per line (UTF-8, ``\\n``), at most ``MAX_LINE_BYTES``. Strict like the center
protocol: an unknown type, event or field, a missing field, a float or a bool where an integer
belongs is an error, because a driver that handles money never guesses what a message meant.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from kiosk.payment.events import (
    AcceptorEvent,
    AcceptorJammed,
    ChangeDispensed,
    EscrowHeld,
    EscrowReturned,
    MoneyInserted,
    MoneyRefunded,
    MoneyRejected,
    RejectReason,
    TrayEmptied,
)
from kiosk.payment.money import Denomination, denomination_of

PROTOCOL_VERSION = 1
# A message is a few dozen bytes; a longer line means the framing is lost (or a hostile peer).
MAX_LINE_BYTES = 4096
COMMANDS = ("enable", "disable", "accept_escrow", "return_escrow", "dispense_change", "refund")
COMMANDS_WITH_AMOUNT = frozenset({"enable", "dispense_change", "refund"})
PAYOUT_COMMANDS = frozenset({"dispense_change", "refund"})


class BridgeProtocolError(ValueError):
    """A line the protocol does not allow."""


@dataclass(frozen=True)
class Hello:
    protocol: int
    unit: str


@dataclass(frozen=True)
class Ack:
    command_id: str


@dataclass(frozen=True)
class Nak:
    command_id: str
    reason: str


@dataclass(frozen=True)
class UnitEvent:
    """An acceptor event; ``command_id`` names the payout a result belongs to."""

    event: AcceptorEvent
    command_id: str | None = None


Message = Hello | Ack | Nak | UnitEvent


def encode_command(command_id: str, command: str, amount_yen: int | None = None) -> bytes:
    if command not in COMMANDS:
        raise ValueError(f"unknown command {command!r}")
    body: dict[str, Any] = {"type": "command", "id": command_id, "command": command}
    if command in COMMANDS_WITH_AMOUNT:
        if amount_yen is None or amount_yen < 0:
            raise ValueError(f"{command} needs an amount")
        body["amount_yen"] = amount_yen
    return json.dumps(body, ensure_ascii=False).encode() + b"\n"


def encode_message(message: Message) -> bytes:
    """The daemon's side (used by the simulator in hw_sim and by tests)."""
    body: dict[str, Any]
    match message:
        case Hello(protocol=protocol, unit=unit):
            body = {"type": "hello", "protocol": protocol, "unit": unit}
        case Ack(command_id=command_id):
            body = {"type": "ack", "id": command_id}
        case Nak(command_id=command_id, reason=reason):
            body = {"type": "nak", "id": command_id, "reason": reason}
        case UnitEvent(event=event, command_id=command_id):
            body = {"type": "event", **_event_body(event, command_id)}
    return json.dumps(body, ensure_ascii=False).encode() + b"\n"


def _event_body(event: AcceptorEvent, command_id: str | None) -> dict[str, Any]:
    match event:
        case MoneyInserted(denomination=d):
            return {"event": "money_inserted", "yen": int(d)}
        case EscrowHeld(denomination=d):
            return {"event": "escrow_held", "yen": int(d)}
        case EscrowReturned(denomination=d):
            return {"event": "escrow_returned", "yen": int(d)}
        case MoneyRejected(reason=reason):
            return {"event": "money_rejected", "reason": reason.value}
        case AcceptorJammed():
            return {"event": "jammed"}
        case TrayEmptied():
            return {"event": "tray_emptied"}
        case ChangeDispensed(requested_yen=asked, dispensed_yen=paid):
            return {"event": "change_dispensed", "id": command_id, "requested_yen": asked,
                    "paid_yen": paid}  # fmt: skip
        case MoneyRefunded(requested_yen=asked, refunded_yen=paid):
            return {"event": "money_refunded", "id": command_id, "requested_yen": asked,
                    "paid_yen": paid}  # fmt: skip


def parse_message(line: bytes) -> Message:
    """One line from the daemon (without or with its ``\\n``)."""
    if len(line) > MAX_LINE_BYTES:
        raise BridgeProtocolError("line too long")
    try:
        body = json.loads(line.decode("utf-8"), parse_float=_no_float, parse_constant=_no_float,
                          object_pairs_hook=_no_duplicates)  # fmt: skip
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BridgeProtocolError(f"not a JSON line: {exc}") from None
    if not isinstance(body, dict):
        raise BridgeProtocolError("a message is a JSON object")
    fields = _Fields(body)
    kind = fields.text("type")
    match kind:
        case "hello":
            message: Message = Hello(fields.integer("protocol"), fields.text("unit"))
        case "ack":
            message = Ack(fields.text("id"))
        case "nak":
            message = Nak(fields.text("id"), fields.text("reason"))
        case "event":
            message = _parse_event(fields)
        case _:
            raise BridgeProtocolError(f"unknown message type {kind!r}")
    fields.done()
    return message


def _parse_event(fields: _Fields) -> UnitEvent:
    name = fields.text("event")
    match name:
        case "money_inserted":
            return UnitEvent(MoneyInserted(fields.denomination("yen")))
        case "escrow_held":
            return UnitEvent(EscrowHeld(fields.denomination("yen")))
        case "escrow_returned":
            return UnitEvent(EscrowReturned(fields.denomination("yen")))
        case "money_rejected":
            reason = fields.text("reason")
            try:
                return UnitEvent(MoneyRejected(RejectReason(reason)))
            except ValueError:
                raise BridgeProtocolError(f"unknown reject reason {reason!r}") from None
        case "jammed":
            return UnitEvent(AcceptorJammed())
        case "tray_emptied":
            return UnitEvent(TrayEmptied())
        case "change_dispensed" | "money_refunded":
            command_id = fields.text("id")
            asked, paid = fields.integer("requested_yen"), fields.integer("paid_yen")
            if paid > asked:
                raise BridgeProtocolError("paid more than requested")
            if name == "change_dispensed":
                return UnitEvent(ChangeDispensed(asked, paid), command_id)
            return UnitEvent(MoneyRefunded(asked, paid), command_id)
        case _:
            raise BridgeProtocolError(f"unknown event {name!r}")


class _Fields:
    def __init__(self, body: dict[str, Any]) -> None:
        self._body = body
        self._used: set[str] = set()

    def _get(self, name: str) -> Any:
        if name not in self._body:
            raise BridgeProtocolError(f"field {name!r} missing")
        self._used.add(name)
        return self._body[name]

    def text(self, name: str) -> str:
        value = self._get(name)
        if not isinstance(value, str) or not value or len(value) > 200:
            raise BridgeProtocolError(f"field {name!r} must be a non-empty string")
        return value

    def integer(self, name: str) -> int:
        value = self._get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10**7:
            raise BridgeProtocolError(f"field {name!r} must be an integer 0…10 000 000")
        return value

    def denomination(self, name: str) -> Denomination:
        value = self.integer(name)
        denomination = denomination_of(value)
        if denomination is None:
            raise BridgeProtocolError(f"{value} yen is not a Japanese coin or bill")
        return denomination

    def done(self) -> None:
        unknown = set(self._body) - self._used
        if unknown:
            raise BridgeProtocolError(f"unknown fields {sorted(unknown)}")


def _no_float(value: str) -> Any:
    raise BridgeProtocolError(f"numbers are integers ({value!r})")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    body = dict(pairs)
    if len(body) != len(pairs):
        raise BridgeProtocolError("duplicate keys")
    return body
