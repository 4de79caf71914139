"""The bridge protocol's messages: every event round-trips; anything else is a protocol error."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.payment import (
    AcceptorJammed,
    ChangeDispensed,
    Denomination,
    EscrowHeld,
    EscrowReturned,
    MoneyInserted,
    MoneyRefunded,
    MoneyRejected,
    RejectReason,
    TrayEmptied,
)
from kiosk.payment.bridge_wire import (
    Ack,
    BridgeProtocolError,
    Hello,
    Nak,
    UnitEvent,
    encode_command,
    encode_message,
    parse_message,
)

EVENTS = [
    UnitEvent(MoneyInserted(Denomination.Y500)),
    UnitEvent(EscrowHeld(Denomination.Y10000)),
    UnitEvent(EscrowReturned(Denomination.Y2000)),
    UnitEvent(MoneyRejected(RejectReason.NOT_ACCEPTED)),
    UnitEvent(AcceptorJammed()),
    UnitEvent(TrayEmptied()),
    UnitEvent(ChangeDispensed(850, 800), "c1"),
    UnitEvent(MoneyRefunded(300, 300), "c2"),
    Hello(1, "コインメック"),
    Ack("c3"),
    Nak("c4", "jammed"),
]


@pytest.mark.parametrize("message", EVENTS, ids=lambda m: type(m).__name__)
def test_messages_round_trip(message: object) -> None:
    assert parse_message(encode_message(message)) == message  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "line",
    [
        b'{"type":"event","event":"money_inserted","yen":1000,"extra":1}',
        b'{"type":"event","event":"money_inserted","yen":true}',
        b'{"type":"event","event":"money_inserted","yen":1e3}',
        b'{"type":"event","event":"money_inserted","yen":7}',
        b'{"type":"event","event":"money_inserted"}',
        b'{"type":"event","event":"money_refunded","id":"x","requested_yen":100,"paid_yen":200}',
        b'{"type":"event","event":"money_rejected","reason":"wet"}',
        b'{"type":"event","event":"coin_swallowed"}',
        b'{"type":"ack","id":"a","id":"b"}',
        b'{"type":"ack","id":""}',
        b'{"type":"hello","protocol":NaN,"unit":"u"}',
        b'["ack"]',
        b"",
        b"\xff",
        b"{" + b" " * 5000 + b"}",
    ],
)
def test_lines_the_protocol_does_not_allow(line: bytes) -> None:
    with pytest.raises(BridgeProtocolError):
        parse_message(line)


@given(st.binary(max_size=300))
def test_any_bytes_parse_or_raise_the_protocol_error(line: bytes) -> None:
    with contextlib.suppress(BridgeProtocolError):
        parse_message(line)


@given(st.dictionaries(st.sampled_from(["type", "event", "id", "yen", "reason", "requested_yen",
                                        "paid_yen", "protocol", "unit", "x"]),
                       st.one_of(st.integers(-5, 20000), st.text(max_size=5), st.booleans(),
                                 st.none(), st.floats(allow_nan=False))))  # fmt: skip
def test_any_json_object_parses_or_raises_the_protocol_error(body: dict[str, object]) -> None:
    with contextlib.suppress(BridgeProtocolError):
        parse_message(json.dumps(body).encode())


def test_commands() -> None:
    assert json.loads(encode_command("id1", "refund", 300)) == {
        "type": "command",
        "id": "id1",
        "command": "refund",
        "amount_yen": 300,
    }
    assert json.loads(encode_command("id2", "disable")) == {
        "type": "command",
        "id": "id2",
        "command": "disable",
    }
    with pytest.raises(ValueError, match="needs an amount"):
        encode_command("id3", "enable")
    with pytest.raises(ValueError, match="unknown command"):
        encode_command("id4", "open_cashbox")
