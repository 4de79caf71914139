"""JCM ID-003 frames: the CRC against frames public implementations send byte for byte, the
decoder on noise, garbage and cut frames, and typed answers — and nothing but typed errors
out of random input (hypothesis)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.payment import id003_wire as w

# Frames sent verbatim by several public drivers (status request, reset, ACK, stack-1,
# return, inhibit on/off, version, currency assignment request): each is SYNC LNG CMD CRC.
KNOWN_FRAMES = [
    (0x11, b"", "fc 05 11 27 56"),
    (0x40, b"", "fc 05 40 2b 15"),
    (0x50, b"", "fc 05 50 aa 05"),
    (0x41, b"", "fc 05 41 a2 04"),
    (0x43, b"", "fc 05 43 b0 27"),
    (0xC3, b"\x01", "fc 06 c3 01 8d c7"),
    (0xC3, b"\x00", "fc 06 c3 00 04 d6"),
    (0x88, b"", "fc 05 88 6f 5f"),
    (0x8A, b"", "fc 05 8a 7d 7c"),
    (0xC0, b"\x00\x00", "fc 07 c0 00 00 2d b5"),
]


@pytest.mark.parametrize(("command", "data", "expected"), KNOWN_FRAMES)
def test_frames_match_what_public_drivers_send(command: int, data: bytes, expected: str) -> None:
    assert w.encode(command, data).hex(" ") == expected


def test_the_decoder_finds_frames_between_garbage_noise_and_cut_frames() -> None:
    status = w.encode(w.State.IDLING)
    escrow = w.encode(w.State.ESCROW, b"\x61")
    damaged = bytearray(escrow)
    damaged[3] ^= 0x10  # a bit flipped by the line: the CRC fails
    decoder = w.Decoder()
    stream = b"\x00\x13\xfc" + bytes(damaged) + status[:3]
    assert decoder.feed(stream) == []
    assert decoder.feed(status[3:] + escrow) == [
        w.Frame(w.State.IDLING, b""),
        w.Frame(w.State.ESCROW, b"\x61"),
    ]
    assert decoder.dropped > 0


def test_an_impossible_length_is_dropped_and_the_next_frame_found() -> None:
    decoder = w.Decoder()
    assert decoder.feed(b"\xfc\x02" + w.encode(w.ACK)) == [w.Frame(w.ACK, b"")]


def test_typed_answers() -> None:
    parse = w.parse_reply
    assert parse(w.Frame(0x13, b"\x63")) == w.StatusReply(w.State.ESCROW, 0x63)
    assert parse(w.Frame(0x17, b"\x79")) == w.StatusReply(w.State.REJECTING, w.REJECT_INHIBITED)
    assert parse(w.Frame(0x15, b"")) == w.StatusReply(w.State.VEND_VALID)
    assert parse(w.Frame(0x42, b"")) == w.StatusReply(w.State.POWER_UP_BILL_IN_STACKER)
    assert parse(w.Frame(0x46, b"")) == w.ErrorReply(w.Error.JAM_IN_STACKER)
    assert parse(w.Frame(0x49, b"\xa2")) == w.ErrorReply(w.Error.FAILURE, 0xA2)
    assert parse(w.Frame(0x50, b"")) == w.AckReply()
    assert parse(w.Frame(0x4B, b"")) == w.InvalidCommandReply()
    assert parse(w.Frame(0xC3, b"\x01")) == w.SettingReply(0xC3, b"\x01")
    currency = parse(w.Frame(0x8A, bytes([0x61, 10, 1, 3, 0x62, 0, 0, 0, 0x64, 10, 1, 4])))
    assert currency == w.CurrencyReply(
        (w.CurrencyEntry(0x61, 10, 1000), w.CurrencyEntry(0x64, 10, 10000))
    )


@pytest.mark.parametrize(
    "frame",
    [
        w.Frame(0x13, b""),  # escrow without its code
        w.Frame(0x13, b"\x61\x62"),
        w.Frame(0x11, b"\x00"),  # idling carries nothing
        w.Frame(0x49, b""),  # failure without its code
        w.Frame(0x8A, b"\x61\x0a\x01"),  # not whole blocks
        w.Frame(0x8A, b"\x61\x0a\x01\x20"),  # exponent 32
        w.Frame(0x88, b"\xff\xfe"),  # version not ASCII
        w.Frame(0x99, b""),  # unknown status
    ],
)
def test_answers_the_protocol_does_not_allow(frame: w.Frame) -> None:
    with pytest.raises(w.Id003ProtocolError):
        w.parse_reply(frame)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.binary(max_size=40), max_size=12))
def test_any_byte_stream_gives_only_checked_frames(chunks: list[bytes]) -> None:
    decoder = w.Decoder()
    for chunk in chunks:
        for frame in decoder.feed(chunk):
            assert w.MIN_FRAME <= len(frame.data) + w.MIN_FRAME <= w.MAX_FRAME
            with contextlib.suppress(w.Id003ProtocolError):
                w.parse_reply(frame)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 255), st.binary(max_size=20), st.integers(0, 30))
def test_truncated_and_random_frames_raise_only_the_protocol_error(
    code: int, data: bytes, cut: int
) -> None:
    frame = w.encode(code, data)
    decoder = w.Decoder()
    found = decoder.feed(frame[: max(0, len(frame) - cut)])
    assert found == ([] if cut else [w.Frame(code, data)])
    with contextlib.suppress(w.Id003ProtocolError):
        w.parse_reply(w.Frame(code, data))


@given(st.binary(min_size=1, max_size=30), st.integers(0, 255))
def test_a_frame_survives_any_garbage_in_front(garbage: bytes, code: int) -> None:
    decoder = w.Decoder()
    frames = decoder.feed(garbage.replace(b"\xfc", b"\x00") + w.encode(code))
    assert frames == [w.Frame(code, b"")]
