"""JpkiSession against strict transcripts, byte-exact with jpki-card.md §4.4 (and §4.3 for the
P2 = 97 signing form). Every expected command must be sent, nothing else."""

from __future__ import annotations

import hashlib
import threading

import pytest

from cardio import (
    ApplicationNotFound,
    InvalidPinFormat,
    JpkiSession,
    JukiCardNotSupported,
    KeyRole,
    Medium,
    OperationCancelled,
    PinBlocked,
    SecurityStatusNotSatisfied,
    SigningPassword,
    UnsupportedCard,
    UserPin,
    WrongPin,
    digest_info_sha256,
)
from cardio.errors import MalformedResponse, NoPreciseDiagnosis
from cardio.testing import TranscriptMismatch, TranscriptTransport
from tests.cardio.builders import certificate, chunks, token_info

SELECT_JPKI = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"
SELECT_AUTH_CERT = "00 A4 02 0C 02 00 0A"
SELECT_AUTH_PIN = "00 A4 02 0C 02 00 18"
SELECT_AUTH_KEY = "00 A4 02 0C 02 00 17"
SELECT_SIGN_PIN = "00 A4 02 0C 02 00 1B"
SELECT_SIGN_CERT = "00 A4 02 0C 02 00 01"
TRIES = "00 20 00 80"
VERIFY_1234 = "00 20 00 80 04 31 32 33 34"
OK = "90 00"


def session(transcript: TranscriptTransport) -> JpkiSession:
    return JpkiSession(transcript)


def opened(*exchanges: tuple[str | bytes, str | bytes]) -> TranscriptTransport:
    return TranscriptTransport([(SELECT_JPKI, OK), *exchanges])


def read_exchanges(der: bytes) -> list[tuple[bytes, bytes]]:
    """READ BINARY of a certificate: first Le=00 at 0, then ≤256 by offset, last Le = rest."""
    result = []
    for index, chunk in enumerate(chunks(der)):
        offset = index * 256
        le = 0 if len(chunk) == 256 or index == 0 else len(chunk)
        command = bytes((0x00, 0xB0, offset >> 8, offset & 0xFF, le))
        result.append((command, chunk + b"\x90\x00"))
    return result


# -- application and token --------------------------------------------------------------------


def test_select_sends_the_jpki_aid() -> None:
    with opened() as t:
        session(t)


def test_select_unknown_application_is_application_not_found() -> None:
    with TranscriptTransport([(SELECT_JPKI, "6A 82")]) as t, pytest.raises(ApplicationNotFound):
        session(t)


def test_select_is_repeated_once_after_6f00_at_power_up() -> None:
    with TranscriptTransport([(SELECT_JPKI, "6F 00"), (SELECT_JPKI, OK)]) as t:
        session(t)


def test_second_6f00_is_an_error() -> None:
    t = TranscriptTransport([(SELECT_JPKI, "6F 00"), (SELECT_JPKI, "6F 00")])
    with t, pytest.raises(NoPreciseDiagnosis):
        session(t)


@pytest.mark.parametrize(
    ("label", "medium"),
    [
        ("JPKIAPICCTOKEN2", Medium.MY_NUMBER_CARD),
        ("JPKIAPGPSETOKEN", Medium.ANDROID),
        ("JPKIAPIOSTOKEN", Medium.IPHONE),
    ],
)
def test_token_label_by_short_ef_read(label: str, medium: Medium) -> None:
    with opened(("00 B0 86 00 20", token_info(label) + b"\x90\x00")) as t:
        info = session(t).read_token_info()
    assert info.medium is medium
    assert info.label == label


def test_old_juki_card_is_refused() -> None:
    with (
        opened(("00 B0 86 00 20", token_info("JPKIAPICCTOKEN") + b"\x90\x00")) as t,
        pytest.raises(JukiCardNotSupported) as caught,
    ):
        session(t).read_token_info()
    assert caught.value.label == "JPKIAPICCTOKEN"


def test_unknown_label_is_unsupported() -> None:
    with (
        opened(("00 B0 86 00 20", token_info("SOMETHINGELSE") + b"\x90\x00")) as t,
        pytest.raises(UnsupportedCard),
    ):
        session(t).read_token_info()


def test_token_falls_back_to_select_when_sfi_read_is_refused() -> None:
    with opened(
        ("00 B0 86 00 20", "6A 86"),
        ("00 A4 02 0C 02 00 06", OK),
        ("00 B0 00 00 20", token_info("JPKIAPICCTOKEN2") + b"\x90\x00"),
    ) as t:
        assert session(t).read_token_info().medium is Medium.MY_NUMBER_CARD


# -- certificate -------------------------------------------------------------------------------


@pytest.mark.parametrize("extra_names", [0, 36])
def test_certificate_read_in_256_byte_chunks_by_offset(extra_names: int) -> None:
    der = certificate(extra_names=extra_names)
    with opened((SELECT_AUTH_CERT, OK), *read_exchanges(der)) as t:
        assert session(t).read_certificate() == der
    # ⌈len/256⌉ READs after the two SELECTs: nothing more.
    assert len(t.sent) == 2 + -(-len(der) // 256)


def test_certificate_of_exactly_512_bytes_needs_two_reads() -> None:
    body = bytes(508)
    der = b"\x30\x82\x01\xfc" + body
    assert len(der) == 512
    with opened(
        (SELECT_AUTH_CERT, OK),
        ("00 B0 00 00 00", der[:256] + b"\x90\x00"),
        ("00 B0 01 00 00", der[256:] + b"\x90\x00"),
    ) as t:
        assert session(t).read_certificate() == der


def test_certificate_filler_after_der_is_not_returned() -> None:
    der = b"\x30\x82\x00\x10" + bytes(range(16))
    with opened((SELECT_AUTH_CERT, OK), ("00 B0 00 00 00", der + b"\xff" * 40 + b"\x90\x00")) as t:
        assert session(t).read_certificate() == der


def test_certificate_truncated_by_the_ef_is_malformed() -> None:
    der = certificate()
    with (
        opened(
            (SELECT_AUTH_CERT, OK),
            ("00 B0 00 00 00", der[:256] + b"\x90\x00"),
            ("00 B0 01 00 00", "6B 00"),
        ) as t,
        pytest.raises(MalformedResponse),
    ):
        session(t).read_certificate()


@pytest.mark.parametrize(("role", "fid"), [(KeyRole.AUTHENTICATION, "0B"), (KeyRole.SIGNING, "02")])
def test_ca_certificates(role: KeyRole, fid: str) -> None:
    der = certificate(cn="JPKI-TEST CA")
    with opened((f"00 A4 02 0C 02 00 {fid}", OK), *read_exchanges(der)) as t:
        assert session(t).read_ca_certificate(role) == der


def test_signing_certificate_after_the_password() -> None:
    der = certificate(extra_names=40)
    with opened(
        (SELECT_SIGN_PIN, OK),
        ("00 20 00 80 06 41 42 43 31 32 33", OK),
        (SELECT_SIGN_CERT, OK),
        *read_exchanges(der),
    ) as t:
        s = session(t)
        s.verify_signing_password(SigningPassword("ABC123"))
        assert s.read_certificate(KeyRole.SIGNING) == der


def test_signing_certificate_needs_the_password() -> None:
    with (
        opened((SELECT_SIGN_CERT, OK), ("00 B0 00 00 00", "69 82")) as t,
        pytest.raises(SecurityStatusNotSatisfied),
    ):
        session(t).read_certificate(KeyRole.SIGNING)


# -- PIN ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("sw", "tries"), [("63 C3", 3), ("63 C1", 1), ("63 C0", 0), ("69 84", 0)])
def test_tries_left_without_spending_one(sw: str, tries: int) -> None:
    with opened((SELECT_AUTH_PIN, OK), (TRIES, sw)) as t:
        assert session(t).get_pin_tries() == tries


def test_tries_query_retries_with_five_byte_form_after_6700() -> None:
    with opened((SELECT_AUTH_PIN, OK), (TRIES, "67 00"), ("00 20 00 80 00", "63 C3")) as t:
        assert session(t).get_pin_tries() == 3


def test_signing_password_tries() -> None:
    with opened((SELECT_SIGN_PIN, OK), (TRIES, "63 C5")) as t:
        assert session(t).get_pin_tries(KeyRole.SIGNING) == 5


def test_verify_after_tries_reuses_the_selected_pin_ef() -> None:
    with opened((SELECT_AUTH_PIN, OK), (TRIES, "63 C3"), (VERIFY_1234, OK)) as t:
        s = session(t)
        assert s.get_pin_tries() == 3
        with UserPin("1234") as pin:
            s.verify_pin(pin)
        assert pin.wiped


def test_wrong_pin_reports_tries_left_and_is_not_resent() -> None:
    with (
        opened((SELECT_AUTH_PIN, OK), (VERIFY_1234, "63 C2")) as t,
        pytest.raises(WrongPin) as caught,
    ):
        session(t).verify_pin(UserPin("1234"))
    assert caught.value.tries_left == 2


def test_last_try_blocks() -> None:
    with (
        opened((SELECT_AUTH_PIN, OK), (VERIFY_1234, "63 C0")) as t,
        pytest.raises(PinBlocked) as caught,
    ):
        session(t).verify_pin(UserPin("1234"))
    assert caught.value.by_this_attempt


def test_blocked_pin() -> None:
    with (
        opened((SELECT_AUTH_PIN, OK), (VERIFY_1234, "69 84")) as t,
        pytest.raises(PinBlocked) as caught,
    ):
        session(t).verify_pin(UserPin("1234"))
    assert not caught.value.by_this_attempt


def test_signing_password_is_sent_as_typed() -> None:
    with opened((SELECT_SIGN_PIN, OK), ("00 20 00 80 06 41 42 43 31 32 33", OK)) as t:
        session(t).verify_signing_password(SigningPassword("ABC123"))


@pytest.mark.parametrize("bad", ["abc123", "ABC12", "ABCDEFGHIJ1234567", "ABC 123", "ＡＢＣ１２３"])
def test_malformed_signing_password_never_reaches_the_card(bad: str) -> None:
    with pytest.raises(InvalidPinFormat):
        SigningPassword(bad)


def test_wrong_secret_type_is_refused_before_sending() -> None:
    with opened() as t:
        s = session(t)
        with pytest.raises(InvalidPinFormat):
            s.verify_pin(SigningPassword("ABC123"))  # type: ignore[arg-type]


def test_wiped_pin_cannot_be_sent() -> None:
    pin = UserPin("1234")
    pin.wipe()
    with opened((SELECT_AUTH_PIN, OK)) as t, pytest.raises(ValueError, match="wiped"):
        session(t).verify_pin(pin)


# -- signature ---------------------------------------------------------------------------------

CHALLENGE = b"kiosk nonce 0001"
DIGEST_INFO = digest_info_sha256(hashlib.sha256(CHALLENGE).digest())
SIGNATURE = bytes(range(256))


def test_sign_names_the_key_by_sfi() -> None:
    command = bytes.fromhex("80 2A 00 97 33") + DIGEST_INFO + b"\x00"
    with opened((command, SIGNATURE + b"\x90\x00")) as t:
        assert session(t).sign_sha256(CHALLENGE) == SIGNATURE


def test_sign_falls_back_to_select_and_p2_80() -> None:
    by_sfi = bytes.fromhex("80 2A 00 97 33") + DIGEST_INFO + b"\x00"
    plain = bytes.fromhex("80 2A 00 80 33") + DIGEST_INFO + b"\x00"
    with opened((by_sfi, "6A 86"), (SELECT_AUTH_KEY, OK), (plain, SIGNATURE + b"\x90\x00")) as t:
        assert session(t).sign_digest_info(DIGEST_INFO) == SIGNATURE


def test_sign_without_pin_is_not_retried() -> None:
    by_sfi = bytes.fromhex("80 2A 00 97 33") + DIGEST_INFO + b"\x00"
    with opened((by_sfi, "69 82")) as t, pytest.raises(SecurityStatusNotSatisfied):
        session(t).sign_digest_info(DIGEST_INFO)


def test_signing_key_by_sfi_9a() -> None:
    command = bytes.fromhex("80 2A 00 9A 33") + DIGEST_INFO + b"\x00"
    with opened((command, SIGNATURE + b"\x90\x00")) as t:
        assert session(t).sign_digest_info(DIGEST_INFO, KeyRole.SIGNING) == SIGNATURE


def test_empty_signature_is_malformed() -> None:
    command = bytes.fromhex("80 2A 00 97 33") + DIGEST_INFO + b"\x00"
    with opened((command, OK)) as t, pytest.raises(MalformedResponse):
        session(t).sign_digest_info(DIGEST_INFO)


def test_oversized_signing_input_is_refused_before_sending() -> None:
    with opened() as t, pytest.raises(ValueError, match="245"):
        session(t).sign_digest_info(bytes(246))


# -- the kiosk sequence and cancellation -----------------------------------------------------


def test_kiosk_authentication_sequence() -> None:
    der = certificate(extra_names=36)
    sign = bytes.fromhex("80 2A 00 97 33") + DIGEST_INFO + b"\x00"
    with opened(
        (SELECT_AUTH_CERT, OK),
        *read_exchanges(der),
        (SELECT_AUTH_PIN, OK),
        (TRIES, "63 C3"),
        (VERIFY_1234, OK),
        (sign, SIGNATURE + b"\x90\x00"),
    ) as t:
        s = session(t)
        assert s.read_certificate() == der
        assert s.get_pin_tries() == 3
        with UserPin("1234") as pin:
            s.verify_pin(pin)
        assert s.sign_sha256(CHALLENGE) == SIGNATURE
    # 1 574-ish bytes → 7 READs: 2 + 7 + 4 = 13 APDUs (docs/card.md).
    assert len(t.sent) == 6 + -(-len(der) // 256)


def test_cancelled_event_stops_before_the_next_command() -> None:
    cancel = threading.Event()
    with opened() as t:
        s = JpkiSession(t, cancel=cancel)
        cancel.set()
        with pytest.raises(OperationCancelled):
            s.read_certificate()
    assert len(t.sent) == 1


def test_transcript_fails_on_unexpected_command() -> None:
    t = TranscriptTransport([("00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08", OK)])
    with pytest.raises(TranscriptMismatch):
        JpkiSession(t)


def test_transcript_fails_on_unsent_command() -> None:
    t = opened((SELECT_AUTH_CERT, OK))
    JpkiSession(t)
    with pytest.raises(TranscriptMismatch):
        t.assert_complete()
