"""KenmenHojoSession against strict transcripts built from jpki-card.md §5."""

from __future__ import annotations

import pytest

from cardio import (
    CollationNumberA,
    CollationNumberB,
    IntegrityError,
    InvalidPinFormat,
    KenmenHojoSession,
    PinBlocked,
    Sex,
    SignatureStatus,
    UserPin,
    WrongPin,
)
from cardio.errors import MalformedResponse
from cardio.testing import TranscriptTransport
from tests.cardio.builders import (
    chunks,
    facts_ef,
    integrity_ef,
    my_number_ef,
    rsa_key,
)

SELECT_KENMEN = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08"
OK = "90 00"
SHOGO_B = "55021720352285"  # the example of jpki-card.md §5.3
VERIFY_B = "00 20 00 80 0E " + SHOGO_B.encode().hex()
VERIFY_PIN = "00 20 00 80 04 31 32 33 34"


def reads(data: bytes) -> list[tuple[bytes, bytes]]:
    out = []
    for index, chunk in enumerate(chunks(data)):
        offset = index * 256
        le = 0 if index == 0 or len(chunk) == 256 else len(chunk)
        out.append((bytes((0, 0xB0, offset >> 8, offset & 0xFF, le)), chunk + b"\x90\x00"))
    return out


def card_files(**facts: str) -> tuple[bytes, bytes, bytes]:
    number = my_number_ef()
    facts_bytes, covered = facts_ef(**facts)
    return number, facts_bytes, integrity_ef(number, covered, rsa_key("issuer"))


def test_four_facts_with_collation_number_b_and_verified_signature() -> None:
    _number, facts, integrity = card_files()
    with TranscriptTransport(
        [
            (SELECT_KENMEN, OK),
            ("00 A4 02 0C 02 00 15", OK),
            (VERIFY_B, OK),
            ("00 A4 02 0C 02 00 02", OK),
            ("00 B0 00 00 00", facts + b"\xff" * 20 + b"\x90\x00"),
            ("00 A4 02 0C 02 00 03", OK),
            *reads(integrity),
        ]
    ) as t:
        record = KenmenHojoSession(t).read(
            CollationNumberB(SHOGO_B), issuer_public_key=rsa_key("issuer").public_key()
        )
    assert record.facts is not None
    assert record.facts.name == "黒桐　幹也"
    assert record.facts.address.startswith("東京都清瀬市")
    assert record.facts.birth_date == "19800217"
    assert record.facts.birth_date_as_date() is not None
    assert record.facts.sex is Sex.MALE
    assert record.my_number is None
    assert record.integrity.signature is SignatureStatus.VERIFIED
    assert record.integrity.facts_checked
    assert not record.integrity.my_number_checked
    assert "黒桐" not in repr(record)


def test_pin_opens_facts_and_my_number() -> None:
    number, facts, integrity = card_files()
    with TranscriptTransport(
        [
            (SELECT_KENMEN, OK),
            ("00 A4 02 0C 02 00 11", OK),
            (VERIFY_PIN, OK),
            ("00 A4 02 0C 02 00 02", OK),
            ("00 B0 00 00 00", facts + b"\x90\x00"),
            ("00 A4 02 0C 02 00 01", OK),
            ("00 B0 00 00 00", number + b"\x90\x00"),
            ("00 A4 02 0C 02 00 03", OK),
            *reads(integrity),
        ]
    ) as t:
        record = KenmenHojoSession(t).read(UserPin("1234"), include_my_number=True)
    assert record.my_number is not None
    assert record.my_number.digits == "123456789018"
    assert "123456789018" not in repr(record) + str(record.my_number) + f"{record.my_number}"
    assert record.integrity.signature is SignatureStatus.NO_KEY_CONFIGURED
    assert record.integrity.my_number_checked
    assert record.integrity.facts_checked


def test_collation_number_a_opens_the_my_number_only() -> None:
    number, _facts, integrity = card_files()
    verify_a = "00 20 00 80 0C " + b"123456789018".hex()
    with TranscriptTransport(
        [
            (SELECT_KENMEN, OK),
            ("00 A4 02 0C 02 00 14", OK),
            (verify_a, OK),
            ("00 A4 02 0C 02 00 01", OK),
            ("00 B0 00 00 00", number + b"\x90\x00"),
            ("00 A4 02 0C 02 00 03", OK),
            *reads(integrity),
        ]
    ) as t:
        record = KenmenHojoSession(t).read(CollationNumberA("123456789018"))
    assert record.facts is None
    assert record.my_number is not None


def test_long_address_uses_82_length_and_two_reads() -> None:
    address = "北海道" + "ａ" * 120
    _n, facts, _i = card_files(address=address)
    assert facts[2] == 0x82
    with TranscriptTransport(
        [
            (SELECT_KENMEN, OK),
            ("00 A4 02 0C 02 00 02", OK),
            *reads(facts),
        ]
    ) as t:
        from cardio.kenmen import parse_basic_facts

        parsed, _covered = parse_basic_facts(KenmenHojoSession(t).read_basic_facts_raw())
    assert parsed.address == address


def test_tampered_facts_fail_the_digest() -> None:
    number = my_number_ef()
    _facts, covered = facts_ef()
    integrity = integrity_ef(number, covered, rsa_key("issuer"))
    other, _ = facts_ef(name="黒桐　鮮花")
    with (
        TranscriptTransport(
            [
                (SELECT_KENMEN, OK),
                ("00 A4 02 0C 02 00 15", OK),
                (VERIFY_B, OK),
                ("00 A4 02 0C 02 00 02", OK),
                ("00 B0 00 00 00", other + b"\x90\x00"),
                ("00 A4 02 0C 02 00 03", OK),
                *reads(integrity),
            ]
        ) as t,
        pytest.raises(IntegrityError, match="digest"),
    ):
        KenmenHojoSession(t).read(CollationNumberB(SHOGO_B))


def test_signature_by_another_key_fails() -> None:
    _n, facts, integrity = card_files()
    with (
        TranscriptTransport(
            [
                (SELECT_KENMEN, OK),
                ("00 A4 02 0C 02 00 15", OK),
                (VERIFY_B, OK),
                ("00 A4 02 0C 02 00 02", OK),
                ("00 B0 00 00 00", facts + b"\x90\x00"),
                ("00 A4 02 0C 02 00 03", OK),
                *reads(integrity),
            ]
        ) as t,
        pytest.raises(IntegrityError, match="signature"),
    ):
        KenmenHojoSession(t).read(
            CollationNumberB(SHOGO_B), issuer_public_key=rsa_key("other").public_key()
        )


def test_wrong_collation_number_b_reports_tries_and_reads_nothing() -> None:
    with (
        TranscriptTransport(
            [(SELECT_KENMEN, OK), ("00 A4 02 0C 02 00 15", OK), (VERIFY_B, "63 C4")]
        ) as t,
        pytest.raises(WrongPin) as caught,
    ):
        KenmenHojoSession(t).read(CollationNumberB(SHOGO_B))
    assert caught.value.tries_left == 4


def test_blocked_pin_0012_style_answer() -> None:
    with (
        TranscriptTransport(
            [(SELECT_KENMEN, OK), ("00 A4 02 0C 02 00 11", OK), (VERIFY_PIN, "69 84")]
        ) as t,
        pytest.raises(PinBlocked),
    ):
        KenmenHojoSession(t).verify(UserPin("1234"))


@pytest.mark.parametrize(
    ("credential", "fid"), [(UserPin, "11"), (CollationNumberA, "14"), (CollationNumberB, "15")]
)
def test_tries_per_credential(credential: type, fid: str) -> None:
    with TranscriptTransport(
        [(SELECT_KENMEN, OK), (f"00 A4 02 0C 02 00 {fid}", OK), ("00 20 00 80", "63 C3")]
    ) as t:
        assert KenmenHojoSession(t).get_tries(credential) == 3


@pytest.mark.parametrize(
    "bad",
    ["5502172035228", "550217203522851", "55131720352285", "55020020352285", "5502172035228X"],
)
def test_malformed_collation_number_b_is_refused(bad: str) -> None:
    with pytest.raises(InvalidPinFormat):
        CollationNumberB(bad)


def test_my_number_with_wrong_check_digit_is_refused() -> None:
    with pytest.raises(InvalidPinFormat):
        CollationNumberA("123456789012")


def test_b_cannot_ask_for_the_my_number() -> None:
    with TranscriptTransport([(SELECT_KENMEN, OK)]) as t, pytest.raises(ValueError, match="B"):
        KenmenHojoSession(t).read(CollationNumberB(SHOGO_B), include_my_number=True)


def test_offset_table_must_point_at_the_tlvs() -> None:
    facts, _ = facts_ef()
    broken = bytearray(facts)
    broken[8] = 0x0F  # DF21's first offset: 0x0E → 0x0F
    from cardio.kenmen import parse_basic_facts

    with pytest.raises(MalformedResponse, match="DF21"):
        parse_basic_facts(bytes(broken))
