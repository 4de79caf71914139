"""The TRAFFIC trace masks PINs and personal data."""

from __future__ import annotations

import logging

import pytest

from cardio import TRAFFIC, JpkiSession, KenmenHojoSession, TracingTransport, UserPin
from cardio.testing import TranscriptTransport
from cardio.traffic import TrafficRedactor
from tests.cardio.builders import facts_ef


def test_traffic_level_is_below_debug() -> None:
    assert TRAFFIC == 5 < logging.DEBUG
    assert logging.getLevelName(TRAFFIC) == "TRAFFIC"


def test_verify_data_is_masked_and_public_reads_are_shown(caplog: pytest.LogCaptureFixture) -> None:
    transcript = TranscriptTransport(
        [
            ("00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01", "90 00"),
            ("00 B0 86 00 20", b"JPKIAPICCTOKEN2".ljust(32) + b"\x90\x00"),
            ("00 A4 02 0C 02 00 18", "90 00"),
            ("00 20 00 80 04 39 38 37 36", "63 C2"),
        ]
    )
    with caplog.at_level(TRAFFIC, logger="cardio"):
        session = JpkiSession(TracingTransport(transcript, logging.getLogger("cardio.test")))
        session.read_token_info()
        with pytest.raises(Exception, match="wrong PIN"):
            session.verify_pin(UserPin("9876"))
    assert "00 20 00 80 04 <4 bytes masked>" in caplog.text
    assert "39 38 37 36" not in caplog.text
    assert "4A 50 4B 49" in caplog.text  # the token label is public
    assert "63C2" in caplog.text


def test_facts_are_masked_in_the_trace(caplog: pytest.LogCaptureFixture) -> None:
    facts, _ = facts_ef()
    transcript = TranscriptTransport(
        [
            ("00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08", "90 00"),
            ("00 A4 02 0C 02 00 02", "90 00"),
            ("00 B0 00 00 00", facts + b"\x90\x00"),
        ]
    )
    with caplog.at_level(TRAFFIC, logger="cardio"):
        session = KenmenHojoSession(TracingTransport(transcript, logging.getLogger("cardio.t")))
        session.read_basic_facts_raw()
    assert f"<{len(facts)} bytes masked> 9000" in caplog.text
    assert facts[3:20].hex(" ").upper() not in caplog.text


def test_signing_certificate_is_masked_but_auth_certificate_shown() -> None:
    redactor = TrafficRedactor()
    redactor.command(bytes.fromhex("00A4040C0AD392F000260100000001"))
    redactor.command(bytes.fromhex("00A4020C020001"))
    redactor.command(bytes.fromhex("00B0000000"))
    assert "masked" in redactor.response(b"\x30\x82\x06\xd5", 0x9000)
    redactor.command(bytes.fromhex("00A4020C02000A"))
    redactor.command(bytes.fromhex("00B0000000"))
    assert "30 82 06 D5" in redactor.response(b"\x30\x82\x06\xd5", 0x9000)


def test_change_reference_data_is_masked() -> None:
    redactor = TrafficRedactor()
    line = redactor.command(bytes.fromhex("002401800431323334"))
    assert "31 32 33 34" not in line
    assert "masked" in line
