"""Test transports: strict APDU transcripts (unit tests of one layer) and a scripted responder.

A :class:`TranscriptTransport` holds the exact commands a test expects, in order, each with the
card's response. An unexpected command fails at once with a diff; a command that was expected
but never sent fails at :meth:`~TranscriptTransport.assert_complete` (called on leaving the
``with`` block). This is for unit tests only: the same driver tests also run against the
virtual card, in-process and behind pcscd.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import TracebackType

__all__ = ["ScriptedTransport", "TranscriptMismatch", "TranscriptTransport", "hexbytes"]


def hexbytes(value: str | bytes) -> bytes:
    """``"00 A4 04 0C"`` → bytes (spaces and ``|`` ignored); bytes pass through."""
    if isinstance(value, bytes):
        return value
    return bytes.fromhex(value.replace("|", " "))


class TranscriptMismatch(AssertionError):
    """The driver sent a command the transcript did not expect, or left one unsent."""


@dataclass(frozen=True)
class Exchange:
    command: bytes
    data: bytes
    sw: int


class TranscriptTransport:
    """Strict transcript transport. ``expect(command, response)`` with ``response`` given as the
    whole response APDU (data + SW1 SW2), e.g. ``"30 82 06 2B 90 00"``."""

    def __init__(self, exchanges: Iterable[tuple[str | bytes, str | bytes]] = ()) -> None:
        self._expected: list[Exchange] = []
        self.sent: list[bytes] = []
        for command, response in exchanges:
            self.expect(command, response)

    def expect(self, command: str | bytes, response: str | bytes) -> TranscriptTransport:
        """Register the next expected command and the response to give."""
        raw = hexbytes(response)
        if len(raw) < 2:
            raise ValueError("a response needs at least SW1 SW2")
        self._expected.append(Exchange(hexbytes(command), raw[:-2], (raw[-2] << 8) | raw[-1]))
        return self

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        index = len(self.sent)
        self.sent.append(bytes(apdu))
        if index >= len(self._expected):
            raise TranscriptMismatch(f"unexpected command #{index + 1}: {apdu.hex(' ').upper()}")
        expected = self._expected[index]
        if apdu != expected.command:
            raise TranscriptMismatch(
                f"command #{index + 1} differs:\n"
                f"  expected {expected.command.hex(' ').upper()}\n"
                f"  sent     {apdu.hex(' ').upper()}"
            )
        return expected.data, expected.sw

    @property
    def remaining(self) -> int:
        return len(self._expected) - len(self.sent)

    def assert_complete(self) -> None:
        """Fail if an expected command was never sent."""
        if self.remaining > 0:
            missing = self._expected[len(self.sent)]
            raise TranscriptMismatch(
                f"{self.remaining} expected command(s) never sent, first: "
                f"{missing.command.hex(' ').upper()}"
            )

    def __enter__(self) -> TranscriptTransport:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.assert_complete()


class ScriptedTransport:
    """Answers each command with the next response of ``responses`` whatever the command;
    after the last one, ``exhausted`` (default ``6F 00``). For property tests that feed
    arbitrary answers to the driver."""

    def __init__(
        self, responses: Iterable[tuple[bytes, int]], exhausted: tuple[bytes, int] = (b"", 0x6F00)
    ) -> None:
        self._responses: Iterator[tuple[bytes, int]] = iter(responses)
        self._exhausted = exhausted
        self.sent: list[bytes] = []

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        self.sent.append(bytes(apdu))
        return next(self._responses, self._exhausted)
