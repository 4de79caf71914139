"""ccTalk frames: the specification's examples (simple checksum and CRC-16), the decoder on an
echoing bus with noise, the event counter arithmetic of header 229, typed answers — and only
typed errors out of random input (hypothesis)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.payment import cctalk_wire as w

SIMPLE, CRC = w.Checksum.SIMPLE, w.Checksum.CRC16


def test_the_specification_s_simple_checksum_example() -> None:
    # Part 1 §7.12: request serial number from address 2 and its answer 12,345,678.
    assert list(w.encode(2, 242)) == [2, 0, 1, 242, 11]
    answer = w.encode(1, 0, bytes([78, 97, 188]), source=2)
    assert list(answer) == [1, 3, 2, 0, 78, 97, 188, 143]
    frames = w.Decoder(SIMPLE).feed(answer)
    assert w.parse_serial_number(frames[0].data) == 12_345_678


def test_crc16_mode() -> None:
    # Part 1 §7.11: the CRC-CCITT of [40, 0, 1] (reset to address 40) is 0x3F46; its low byte
    # takes the source address's place, the high byte the checksum's.
    assert w.crc16(bytes([40, 0, 1])) == 0x3F46
    assert w.crc16(bytes([1, 0, 0])) == 0x3730
    frame = w.encode(40, 1, checksum=CRC)
    assert list(frame) == [40, 0, 0x46, 1, 0x3F]
    assert w.Decoder(CRC).feed(frame) == [w.Frame(40, None, 1, b"")]
    assert w.Decoder(SIMPLE).feed(frame) == []  # the other mode's checksum fails


def test_an_echoing_bus_with_noise() -> None:
    decoder = w.Decoder(SIMPLE)
    command = w.encode(3, 166)
    answer = w.encode(1, 0, bytes([7, 0, 4, 0]), source=3)
    noisy = bytearray(answer)
    noisy[5] ^= 0x01
    frames = decoder.feed(command + b"\xff" + bytes(noisy) + answer)
    assert frames[0] == w.Frame(3, 1, 166, b"")  # our own bytes heard back
    assert frames[-1] == w.Frame(1, 3, 0, bytes([7, 0, 4, 0]))
    assert w.parse_hopper_status(frames[-1].data) == w.HopperStatus(7, 0, 4, 0)


@pytest.mark.parametrize(
    ("last", "current", "new"),
    [(23, 23, 0), (102, 104, 2), (255, 1, 1), (253, 3, 5), (48, 54, 6), (67, 0, None), (0, 3, 3)],
)
def test_event_counter(last: int, current: int, new: int | None) -> None:
    # The specification's table (part 2, header 229): 48 → 54 is one event lost.
    assert w.new_events(last, current) == new


def test_typed_answers() -> None:
    events = w.parse_buffered_events(bytes([9, 3, 0, 0, 2, 1, 0, 0, 0, 0, 0]))
    assert events == w.BufferedEvents(9, ((3, 0), (0, 2), (1, 0), (0, 0), (0, 0)))
    assert w.parse_coin_id(b"JP500B") == w.CoinId("JP", 500, "B")
    assert w.parse_coin_id(b"......") is None
    flags = w.parse_hopper_flags(bytes([0x42, 0x00, 0x10]))
    assert w.HopperFlag.PAYOUT_TIMEOUT in flags
    assert w.HopperFlag.POWER_UP in flags
    assert w.HopperFlag.ENCRYPTION_ENABLED in flags
    assert w.HopperFlag.OPTO_BLOCKED_PAYOUT not in flags
    assert w.parse_counter(bytes([1, 2, 0])) == 513


@pytest.mark.parametrize(
    ("parse", "data"),
    [
        (w.parse_buffered_events, bytes(10)),
        (w.parse_hopper_status, bytes(5)),
        (w.parse_hopper_flags, b""),
        (w.parse_counter, bytes(2)),
        (w.parse_coin_id, b"JP5000"),
        (w.parse_coin_id, b"J\xff100A"),
        (w.parse_coin_id, b"99100A"),
        (w.parse_serial_number, b"\x01"),
    ],
)
def test_answers_the_protocol_does_not_allow(parse: object, data: bytes) -> None:
    with pytest.raises(w.CcTalkProtocolError):
        parse(data)  # type: ignore[operator]


PARSERS = [
    w.parse_buffered_events,
    w.parse_hopper_status,
    w.parse_hopper_flags,
    w.parse_counter,
    w.parse_serial_number,
    w.parse_coin_id,
    lambda data: w.parse_text(data, "text"),
    lambda data: w.parse_single_byte(data, "byte"),
]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([SIMPLE, CRC]), st.lists(st.binary(max_size=40), max_size=12))
def test_any_byte_stream_gives_only_checked_frames(mode: w.Checksum, chunks: list[bytes]) -> None:
    decoder = w.Decoder(mode)
    for chunk in chunks:
        for frame in decoder.feed(chunk):
            assert len(frame.data) <= w.MAX_DATA
            for parse in PARSERS:
                with contextlib.suppress(w.CcTalkProtocolError):
                    parse(frame.data)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([SIMPLE, CRC]),
    st.integers(0, 255),
    st.integers(0, 255),
    st.binary(max_size=30),
    st.integers(0, 40),
)
def test_truncated_frames_wait_and_whole_ones_come_out(
    mode: w.Checksum, destination: int, header: int, data: bytes, cut: int
) -> None:
    frame = w.encode(destination, header, data, source=7, checksum=mode)
    decoder = w.Decoder(mode)
    if cut:
        assert decoder.feed(frame[: max(0, len(frame) - cut)]) == []
    else:
        source = 7 if mode is SIMPLE else None
        assert decoder.feed(frame) == [w.Frame(destination, source, header, data)]
