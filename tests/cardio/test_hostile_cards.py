"""Hostile cards (hw_sim/card/hostile.py) against the driver: every fault ends in a typed
error within the driver's bound, in-process and through pcscd + vpcd; GET RESPONSE and 6Cxx
loops are bounded, need progress, and stop when the caller cancels or the deadline passes."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest

import cardio
from cardio import CardChannel, CommandApdu, JpkiSession
from cardio import errors as e
from cardio.transport import MAX_GET_RESPONSE_ROUNDS
from hw_sim.card import HostileFault
from tests.cardio.conftest import InProcessCards

# What the kiosk's read does with the card: select, token, certificate, summary.
EXPECTED: dict[HostileFault, type[e.CardError]] = {
    HostileFault.ENDLESS_61XX: e.MalformedResponse,
    HostileFault.ENDLESS_6CXX: e.WrongLength,
    HostileFault.WRONG_61XX_LENGTH: e.MalformedResponse,
    HostileFault.LYING_CERTIFICATE_LENGTH: e.MalformedResponse,
    HostileFault.GARBAGE_TOKEN_LABEL: e.MalformedResponse,
    HostileFault.BAD_CERTIFICATE_VERSION: e.MalformedCertificate,
}
# Each of these faults shows in the first few APDUs: far below a second even through pcscd.
QUICK_BOUND_S = 5.0


def read_like_the_kiosk(transport: cardio.Transport) -> None:
    session = JpkiSession(transport)
    session.read_token_info()
    cardio.summarize_certificate(session.read_certificate())


@pytest.mark.parametrize("fault", list(EXPECTED), ids=lambda f: f.value)
def test_hostile_card_ends_in_a_typed_error(cards: InProcessCards, fault: HostileFault) -> None:
    started = time.monotonic()
    with cards.open("normal", fault=fault.value) as transport, pytest.raises(e.CardError) as err:
        read_like_the_kiosk(transport)
    assert isinstance(err.value, EXPECTED[fault]), repr(err.value)
    assert time.monotonic() - started < QUICK_BOUND_S


def test_a_card_answering_61_10_stops_at_once_even_without_cancel(
    pki: object, tmp_path: Path
) -> None:
    # The attack's reproduction: before, this ran 832,074 APDUs and was still going.
    opener = InProcessCards(pki, tmp_path / "cards")  # type: ignore[arg-type]
    with opener.open("normal", fault=HostileFault.ENDLESS_61XX.value) as transport:
        counting = Counting(transport)
        with pytest.raises(e.MalformedResponse):
            JpkiSession(counting, cancel=threading.Event())
    assert counting.sent <= 3  # SELECT, one GET RESPONSE (no data: no progress), no more


@pytest.mark.pcscd
@pytest.mark.slow
def test_an_answer_of_10_s_ends_in_a_timeout_within_the_budget(
    pki: object, pcscd: object, tmp_path: Path
) -> None:
    from tests.cardio.pcsc_cards import PcscCards

    cards = PcscCards(pki, pcscd, tmp_path)  # type: ignore[arg-type]
    started = time.monotonic()
    try:
        with cards.open("normal", fault=HostileFault.SLOW_ANSWER.value) as connection:
            channel = CardChannel(connection)
            with channel.operation(2.0), pytest.raises(e.CardTimeout):
                # The SELECT's answer takes 10 s; the token read is then not sent: out of time.
                JpkiSession(channel).read_token_info()
    finally:
        cards.close()
    elapsed = time.monotonic() - started
    # The budget plus the one answer in flight (PC/SC cannot interrupt a transmit), plus the
    # insertion and removal through pcscd.
    assert 9.0 < elapsed < 10.0 + 2.0 + 4.0


class Counting:
    def __init__(self, inner: cardio.Transport) -> None:
        self.inner = inner
        self.sent = 0

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        self.sent += 1
        return self.inner.transmit(apdu)


class Scripted:
    """Answers every command with ``answer`` (data, SW); may set an event after N commands."""

    def __init__(
        self,
        answer: tuple[bytes, int],
        *,
        cancel_after: int = 0,
        cancel: threading.Event | None = None,
    ) -> None:
        self.answer = answer
        self.sent: list[bytes] = []
        self.cancel_after = cancel_after
        self.cancel = cancel

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        self.sent.append(apdu)
        if self.cancel is not None and len(self.sent) >= self.cancel_after:
            self.cancel.set()
        return self.answer


READ = CommandApdu(0, 0xB0, 0, 0, le=256)


def test_61xx_rounds_are_bounded_even_with_progress() -> None:
    card = Scripted((b"\x01", 0x6101))  # one byte and "one more" forever
    with pytest.raises(e.MalformedResponse, match="rounds"):
        CardChannel(card).send(READ)
    assert len(card.sent) == 1 + MAX_GET_RESPONSE_ROUNDS


def test_61xx_may_not_bring_more_than_the_command_asked() -> None:
    card = Scripted((bytes(200), 0x61C8))  # 200 bytes per round, Le was 256
    with pytest.raises(e.MalformedResponse, match="longer than"):
        CardChannel(card).send(READ)
    assert len(card.sent) == 2


def test_get_response_may_not_bring_more_than_announced() -> None:
    class Announces16Sends32:
        def transmit(self, apdu: bytes) -> tuple[bytes, int]:
            return (b"", 0x6110) if apdu[1] == 0xB0 else (bytes(32), 0x9000)

    with pytest.raises(e.MalformedResponse, match="16 announced"):
        CardChannel(Announces16Sends32()).send(READ)


def test_cancel_is_checked_inside_the_get_response_loop() -> None:
    cancel = threading.Event()
    card = Scripted((b"\x01", 0x6101), cancel_after=3, cancel=cancel)
    with pytest.raises(e.OperationCancelled):
        CardChannel(card).send(READ, cancel=cancel)
    assert len(card.sent) == 3  # the event was set by the third answer: no fourth command


def test_cancel_is_checked_before_the_6c_resend() -> None:
    cancel = threading.Event()
    card = Scripted((b"", 0x6C10), cancel_after=1, cancel=cancel)
    with pytest.raises(e.OperationCancelled):
        CardChannel(card).send(CommandApdu(0, 0xB0, 0, 0, le=0x20), cancel=cancel)
    assert len(card.sent) == 1


def test_the_deadline_stops_a_chain_between_two_commands() -> None:
    now = [0.0]

    class SlowProgress:
        def transmit(self, apdu: bytes) -> tuple[bytes, int]:
            now[0] += 4.0  # every answer takes 4 s
            return b"\x01", 0x6101

    channel = CardChannel(SlowProgress(), operation_timeout_s=10.0, clock=lambda: now[0])
    channel.begin_operation()
    with pytest.raises(e.CardTimeout):
        channel.send(READ)
    assert now[0] == 12.0  # commands at 0, 4 and 8 s; none at 12 s


def test_an_operation_gives_several_verbs_one_budget() -> None:
    now = [0.0]

    class Fast:
        def transmit(self, apdu: bytes) -> tuple[bytes, int]:
            now[0] += 1.0
            return b"", 0x9000

    channel = CardChannel(Fast(), operation_timeout_s=10.0, clock=lambda: now[0])
    with channel.operation(2.5):
        channel.begin_operation()  # a verb inside the block keeps the block's deadline
        channel.send(READ)
        channel.send(READ)
        channel.send(READ)
        with pytest.raises(e.CardTimeout):
            channel.send(READ)
    channel.begin_operation()  # outside: a verb's own budget again
    channel.send(READ)


def test_cancel_from_another_thread_stops_a_chain_in_flight() -> None:
    cancel = threading.Event()

    class Chatty:
        def transmit(self, apdu: bytes) -> tuple[bytes, int]:
            time.sleep(0.05)  # 16 rounds would take 0.85 s
            return b"\x01", 0x6101

    outcome: list[BaseException] = []

    def run() -> None:
        try:
            CardChannel(Chatty()).send(READ, cancel=cancel)
        except e.CardError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    started = time.monotonic()
    worker.start()
    time.sleep(0.12)
    cancel.set()
    worker.join(2.0)
    assert not worker.is_alive()
    assert len(outcome) == 1
    assert isinstance(outcome[0], e.OperationCancelled)
    assert time.monotonic() - started < 0.5


@pytest.mark.pcscd
def test_cli_status_on_a_61xx_card_returns_a_typed_error(
    pki: object, pcscd: object, tmp_path: Path
) -> None:
    import subprocess

    from tests.cardio.pcsc_cards import PcscCards

    cards = PcscCards(pki, pcscd, tmp_path)  # type: ignore[arg-type]
    try:
        cards.insert("normal", fault=HostileFault.ENDLESS_61XX.value)
        result = subprocess.run(
            [sys.executable, "-m", "cardio", "status"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        cards.close()
    assert result.returncode == 1, result.stderr
    assert "MalformedResponse" in result.stderr
