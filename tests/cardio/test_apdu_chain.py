"""APDU encoding and the processor chain (61xx GET RESPONSE, 6Cxx re-send), status mapping."""

from __future__ import annotations

import pytest

from cardio import CardChannel, CommandApdu
from cardio import errors as e
from cardio.errors import error_for_status
from cardio.testing import TranscriptTransport


@pytest.mark.parametrize(
    ("command", "encoded"),
    [
        (CommandApdu(0x00, 0x20, 0x00, 0x80), "00 20 00 80"),  # case 1
        (CommandApdu(0x00, 0xB0, 0x01, 0x00, le=256), "00 B0 01 00 00"),  # case 2, Le 256 → 00
        (CommandApdu(0x00, 0xA4, 0x02, 0x0C, b"\x00\x0a"), "00 A4 02 0C 02 00 0A"),  # case 3
        (CommandApdu(0x80, 0x2A, 0x00, 0x80, b"\x01", le=256), "80 2A 00 80 01 01 00"),  # case 4
        (CommandApdu(0x00, 0xB0, 0, 0, le=65536, extended=True), "00 B0 00 00 00 00 00"),
        (
            CommandApdu(0x80, 0xAE, 0, 0, bytes(300), extended=True),
            "80 AE 00 00 00 01 2C" + " 00" * 300,
        ),
        (
            CommandApdu(0x80, 0x2A, 0, 0, b"\x01", le=512, extended=True),
            "80 2A 00 00 00 00 01 01 02 00",
        ),
    ],
)
def test_encoding(command: CommandApdu, encoded: str) -> None:
    assert command.encode() == bytes.fromhex(encoded)


def test_short_apdu_refuses_256_bytes_of_data() -> None:
    with pytest.raises(ValueError, match="Lc"):
        CommandApdu(0x80, 0xAE, 0, 0, bytes(256))


def test_repr_hides_data() -> None:
    assert "31 32" not in repr(CommandApdu(0, 0x20, 0, 0x80, b"1234"))
    assert "Lc=4" in repr(CommandApdu(0, 0x20, 0, 0x80, b"1234"))


def test_get_response_collects_chained_data() -> None:
    with TranscriptTransport(
        [
            ("00 B0 00 00 00", "01 02 61 03"),
            ("00 C0 00 00 03", "03 04 05 61 00"),
            ("00 C0 00 00 00", "06 90 00"),
        ]
    ) as t:
        assert CardChannel(t).send(CommandApdu(0, 0xB0, 0, 0, le=256)) == bytes(range(1, 7))


def test_wrong_le_is_resent_once_with_the_right_le() -> None:
    with TranscriptTransport([("00 B0 00 00 20", "6C 10"), ("00 B0 00 00 10", "AA 90 00")]) as t:
        assert CardChannel(t).send(CommandApdu(0, 0xB0, 0, 0, le=0x20)) == b"\xaa"


def test_wrong_le_twice_is_an_error() -> None:
    t = TranscriptTransport([("00 B0 00 00 20", "6C 10"), ("00 B0 00 00 10", "6C 08")])
    with t, pytest.raises(e.WrongLength) as caught:
        CardChannel(t).send(CommandApdu(0, 0xB0, 0, 0, le=0x20))
    assert caught.value.correct_le == 8


def test_verify_is_never_resent_on_6c() -> None:
    t = TranscriptTransport([("00 20 00 80 04 31 32 33 34", "6C 00")])
    with t, pytest.raises(e.WrongLength):
        CardChannel(t).send(CommandApdu(0, 0x20, 0, 0x80, b"1234"))


def test_endless_61xx_is_malformed() -> None:
    class Endless:
        def transmit(self, apdu: bytes) -> tuple[bytes, int]:
            return bytes(255), 0x61FF

    with pytest.raises(e.MalformedResponse):
        CardChannel(Endless()).send(CommandApdu(0, 0xB0, 0, 0, le=256))


def test_transport_returning_garbage_is_malformed() -> None:
    class Garbage:
        def transmit(self, apdu: bytes) -> object:
            return "9000"

    with pytest.raises(e.MalformedResponse):
        CardChannel(Garbage()).send(CommandApdu(0, 0xB0, 0, 0, le=256))  # type: ignore[arg-type]


# jpki-card.md §9, row by row.
@pytest.mark.parametrize(
    ("sw", "error"),
    [
        (0x63C2, e.WrongPin),
        (0x63C0, e.PinBlocked),
        (0x6300, e.VerificationFailed),
        (0x6984, e.PinBlocked),
        (0x6983, e.PinBlocked),
        (0x6982, e.SecurityStatusNotSatisfied),
        (0x6981, e.IncompatibleFileStructure),
        (0x6985, e.ConditionsNotSatisfied),
        (0x6986, e.NoCurrentFile),
        (0x69FC, e.SecureMessagingNotSupported),
        (0x66F1, e.SecurityEnvironmentFaulty),
        (0x6700, e.WrongLength),
        (0x6881, e.LogicalChannelNotSupported),
        (0x6A80, e.IncorrectData),
        (0x6A81, e.IncorrectParameters),
        (0x6A82, e.NotFound),
        (0x6A83, e.RecordNotFound),
        (0x6A86, e.IncorrectParameters),
        (0x6A88, e.ReferencedDataNotFound),
        (0x6B00, e.OffsetOutOfRange),
        (0x6C10, e.WrongLength),
        (0x6D00, e.InsNotSupported),
        (0x6E00, e.ClassNotSupported),
        (0x6F00, e.NoPreciseDiagnosis),
        (0x6A84, e.UnknownStatus),
        (0x1234, e.UnknownStatus),
    ],
)
def test_status_words_map_to_typed_errors(sw: int, error: type[e.ApduError]) -> None:
    result = error_for_status(sw)
    assert type(result) is error
    assert result.sw == sw
    assert f"{sw:04X}" in str(result)


def test_wrong_pin_carries_tries_left() -> None:
    result = error_for_status(0x63C1)
    assert isinstance(result, e.WrongPin)
    assert result.tries_left == 1


def test_63c0_after_verify_with_data_is_blocked_by_this_attempt() -> None:
    result = error_for_status(0x63C0, verify_with_data=True)
    assert isinstance(result, e.PinBlocked)
    assert result.by_this_attempt
