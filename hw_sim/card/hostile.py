"""Hostile cards: what a programmable card on a store kiosk's reader can answer instead of a My
Number card's answers (issue 16, "Hostile inputs and crashes").

A :class:`HostileFault` is set on a card's profile (``CardProfile.hostile``,
``python -m hw_sim.card insert --fault …``, the card dock). The card keeps the persona's files
and keys; the fault changes what it answers:

* ``endless-61xx`` — every command, GET RESPONSE included, is answered ``61 10`` with no data;
* ``endless-6cxx`` — every command is answered ``6C 10``, whatever its Le;
* ``wrong-61xx-length`` — an answer with data comes as ``61 xx`` announcing half of it, and the
  GET RESPONSE then returns all of it (more than announced);
* ``lying-certificate-length`` — the DER header of the authentication certificate EF (000A)
  announces 4 KiB, longer than the 3808-byte EF: a reader that trusts it reads past the end;
* ``garbage-token-label`` — the token information EF (0006) holds binary garbage;
* ``bad-certificate-version`` — the authentication certificate says X.509 version 54
  (``A0 03 02 01 35`` for ``… 02``): well-formed DER, which cryptography refuses with
  ``InvalidVersion``, not ``ValueError``;
* ``slow-answer`` — every answer comes after ``hostile_delay_s`` (10 s by default), like a card
  that asks for waiting time again and again.
"""

from __future__ import annotations

from enum import Enum

from hw_sim.card.apdu import SW, response
from hw_sim.card.model import Application, BinaryFile

GET_RESPONSE_INS = 0xC0
EF_TOKEN_INFO = 0x0006
EF_AUTH_CERT = 0x000A
ENDLESS_SW1_61 = 0x6110  # "16 more bytes", never sent
ENDLESS_SW1_6C = 0x6C10  # "wrong Le, use 16", whatever Le
LYING_CERT_LENGTH = 0x1000  # 4096 bytes announced; the EF holds 3808 (jpki-card.md §2.3)
X509_V3 = bytes.fromhex("A003020102")  # [0] EXPLICIT INTEGER 2 (RFC 5280 §4.1: v3)
X509_BAD_VERSION = bytes.fromhex("A003020135")
SLOW_ANSWER_S = 10.0
# Binary garbage in the token label: control bytes, bytes that are not UTF-8, a NUL.
GARBAGE_LABEL = bytes([0xFF, 0x00, 0x1B, 0x9C, 0x80, 0xC3, 0x28, 0x07]) * 20


class HostileFault(Enum):
    ENDLESS_61XX = "endless-61xx"
    ENDLESS_6CXX = "endless-6cxx"
    WRONG_61XX_LENGTH = "wrong-61xx-length"
    LYING_CERTIFICATE_LENGTH = "lying-certificate-length"
    GARBAGE_TOKEN_LABEL = "garbage-token-label"  # noqa: S105 - a fault's name, not a secret
    BAD_CERTIFICATE_VERSION = "bad-certificate-version"
    SLOW_ANSWER = "slow-answer"


class HostileAnswers:
    """The status-word faults, between the card's engine and the reader: ``answer`` gets the
    command and the card's genuine response and returns what the hostile card sends."""

    def __init__(self, fault: HostileFault) -> None:
        self.fault = fault
        self._held: bytes | None = None  # wrong-61xx-length: the answer a GET RESPONSE gives

    def reset(self) -> None:
        self._held = None

    def intercepts(self, apdu: bytes) -> bytes | None:
        """An answer given without asking the card at all (None: let the card answer)."""
        if self.fault is HostileFault.ENDLESS_61XX:
            return response(b"", ENDLESS_SW1_61)
        if self.fault is HostileFault.ENDLESS_6CXX:
            return response(b"", ENDLESS_SW1_6C)
        if self.fault is HostileFault.WRONG_61XX_LENGTH and _is_get_response(apdu):
            held, self._held = self._held, None
            return held if held is not None else response(b"", SW.CONDITIONS_NOT_SATISFIED)
        return None

    def rewrite(self, answer: bytes) -> bytes:
        """The card's genuine answer → what the hostile card sends."""
        if self.fault is HostileFault.WRONG_61XX_LENGTH and len(answer) > 2:
            data_length = len(answer) - 2
            self._held = answer
            return response(b"", 0x6100 | max(1, data_length // 2) % 256)
        return answer


def hostile_answers(fault: HostileFault | None) -> HostileAnswers | None:
    """The answer faults' interceptor for a card with ``fault`` (None when its faults, if any,
    are in its files or its timing)."""
    if fault in (
        HostileFault.ENDLESS_61XX,
        HostileFault.ENDLESS_6CXX,
        HostileFault.WRONG_61XX_LENGTH,
    ):
        return HostileAnswers(fault)
    return None


def apply_content_faults(fault: HostileFault | None, applications: list[Application]) -> None:
    """The faults that live in the card's files (changed once, when the card is built)."""
    if fault not in (
        HostileFault.LYING_CERTIFICATE_LENGTH,
        HostileFault.GARBAGE_TOKEN_LABEL,
        HostileFault.BAD_CERTIFICATE_VERSION,
    ):
        return
    jpki = applications[0]  # the factory puts the JPKI application first
    if fault is HostileFault.GARBAGE_TOKEN_LABEL:
        token = jpki.files[EF_TOKEN_INFO]
        assert isinstance(token, BinaryFile)
        token.data = GARBAGE_LABEL[: len(token.data)]
        return
    certificate = jpki.files[EF_AUTH_CERT]
    assert isinstance(certificate, BinaryFile)
    data = bytearray(certificate.data)
    if fault is HostileFault.BAD_CERTIFICATE_VERSION:
        at = data.index(X509_V3)
        data[at : at + len(X509_V3)] = X509_BAD_VERSION
        certificate.data = bytes(data)
        return
    if data[:2] != b"\x30\x82":
        raise ValueError("the certificate EF does not start with a 2-byte DER length")
    data[2:4] = LYING_CERT_LENGTH.to_bytes(2, "big")
    certificate.data = bytes(data)


def _is_get_response(apdu: bytes) -> bool:
    return len(apdu) >= 4 and apdu[1] == GET_RESPONSE_INS
