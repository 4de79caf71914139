"""The runner on its own (kiosk.runtime.runner): effects routed in order to the services,
write-ahead journal semantics, the flow thread, failures contained. Services here are strict
in-memory recorders (this layer's unit tests); the journal is the real SQLite journal. The
runner with the real services is tested end to end in tests/e2e/test_kiosk_*.py."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kiosk.flow import Event, FlowSettings, TimeoutSettings, TimerName
from kiosk.flow import effects as fx
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.journal import Journal, PaymentOutcome, TransactionOpened
from kiosk.problems import Problem
from kiosk.runtime import Runner, Services, ThreadLoop, Timers
from kiosk.runtime.runner import new_boot_id
from kiosk.sound import SilentReminderPlayer
from printing.certificates import CertificateKind, CertificateRequest, Jurisdiction, NoOptions


class Recorder:
    """Records every call made on it (any method name), with its arguments."""

    def __init__(self, log: list[tuple[str, tuple[Any, ...]]], name: str) -> None:
        self._log = log
        self._name = name

    def __getattr__(self, method: str) -> Callable[..., None]:
        def record(*args: Any) -> None:
            self._log.append((f"{self._name}.{method}", args))

        return record


@pytest.fixture
def calls() -> list[tuple[str, tuple[Any, ...]]]:
    return []


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "journal.sqlite3")


def make_runner(
    calls: list[tuple[str, tuple[Any, ...]]], journal: Journal, consent_s: float | None = None
) -> Runner:
    services = Services(
        card=Recorder(calls, "card"),  # type: ignore[arg-type]
        center=Recorder(calls, "center"),  # type: ignore[arg-type]
        printer=Recorder(calls, "printer"),  # type: ignore[arg-type]
        payment=Recorder(calls, "payment"),  # type: ignore[arg-type]
        timers=Timers(),
        sound=SilentReminderPlayer(),
        journal=journal,
    )
    overrides = ((TimerName.CONSENT, consent_s),) if consent_s else ()
    settings = FlowSettings(boot_id=new_boot_id(), timeouts=TimeoutSettings(overrides=overrides))
    return Runner(settings, services, kiosk_id="kiosk-0001")


@pytest.fixture
def running(
    calls: list[tuple[str, tuple[Any, ...]]], journal: Journal
) -> tuple[Runner, ThreadLoop[Event]]:
    runner = make_runner(calls, journal)
    loop: ThreadLoop[Event] = ThreadLoop(runner.dispatch)
    runner.start(loop.post)
    yield runner, loop
    runner.stop()
    loop.stop()


def settle(runner: Runner, loop: ThreadLoop[Event]) -> None:
    for _ in range(3):
        assert loop.wait_idle(5)
        assert runner.wait_idle(5)


def test_effects_reach_their_services_in_order(running: Any, calls: list[Any]) -> None:
    runner, loop = running
    loop.post(ev.ChooseService(ev.Service.ISSUE))
    loop.post(ev.Agree())
    settle(runner, loop)
    assert isinstance(runner.state.screen, st.PlaceCard)
    assert [name for name, _ in calls] == [
        "card.start",
        "center.start",
        "printer.start",
        "payment.start",
        "card.read_card",
    ]


def test_a_failed_journal_write_stops_the_step_and_says_so(
    calls: list[Any], journal: Journal
) -> None:
    runner = make_runner(calls, journal)
    posted: list[Event] = []
    runner.start(posted.append)
    # An outcome without its transaction: the journal refuses it (write-ahead: do not act).
    batch = (
        fx.JournalWrite(PaymentOutcome("unknown-txn", 100)),
        fx.EnableAcceptor(100),
    )
    runner.submit(batch)  # what dispatch does with a step's effects
    assert runner.wait_idle(5)
    assert [type(e) for e in posted] == [ev.JournalFailed]
    assert not any(name == "payment.execute" for name, _ in calls)
    runner.stop()


def test_journal_write_is_durable_before_the_next_effect(
    calls: list[Any], journal: Journal, tmp_path: Path
) -> None:
    runner = make_runner(calls, journal)
    seen: list[int] = []

    class CheckingPayment:
        def start(self, post: Any) -> None:
            pass

        def stop(self) -> None:
            pass

        def execute(self, effect: Any) -> None:
            # Another connection sees the transaction the step wrote before acting.
            with Journal(tmp_path / "journal.sqlite3") as reader:
                seen.append(len(reader.open_transactions()))

    runner.services.payment = CheckingPayment()  # type: ignore[assignment]
    runner.start(lambda event: None)
    runner.submit(
        (
            fx.JournalWrite(TransactionOpened("t-1", "issue", "juminhyo", 1, 300)),
            fx.EnableAcceptor(300),
        )
    )
    assert runner.wait_idle(5)
    assert seen == [1]
    runner.stop()


def test_listeners_hear_every_step_and_a_broken_one_does_not_stop_the_flow(
    running: Any,
) -> None:
    runner, loop = running
    heard: list[str] = []
    runner.subscribe(lambda: heard.append(type(runner.current().screen).__name__))

    def broken() -> None:
        raise RuntimeError("a screen bug")

    runner.subscribe(broken)
    loop.post(ev.ChooseService(ev.Service.ISSUE))
    settle(runner, loop)
    assert heard == ["Consent"]


def test_an_event_sent_by_a_listener_is_stepped_after_the_current_one(running: Any) -> None:
    runner, loop = running
    order: list[str] = []

    def listener() -> None:
        order.append(type(runner.current().screen).__name__)
        if isinstance(runner.current().screen, st.Consent) and len(order) == 1:
            runner.dispatch(ev.Agree())  # re-entrant: queued, not nested

    runner.subscribe(listener)
    loop.post(ev.ChooseService(ev.Service.ISSUE))
    settle(runner, loop)
    assert order == ["Consent", "PlaceCard"]


def test_a_flow_bug_puts_the_kiosk_out_of_service_without_crashing(
    running: Any, calls: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    runner, loop = running
    loop.post(ev.ChooseService(ev.Service.ISSUE))
    settle(runner, loop)

    def broken_step(state: Any, event: Any) -> Any:
        raise KeyError("bug")

    monkeypatch.setattr("kiosk.runtime.runner.step", broken_step)
    loop.post(ev.Agree())
    settle(runner, loop)
    screen = runner.state.screen
    assert isinstance(screen, st.OutOfService)
    assert screen.problem is Problem.INTERNAL_ERROR
    assert ("card.release", ()) in calls


def test_screen_timers_run_through_the_timer_service(calls: list[Any], journal: Journal) -> None:
    runner = make_runner(calls, journal, consent_s=0.1)
    loop: ThreadLoop[Event] = ThreadLoop(runner.dispatch)
    runner.start(loop.post)
    try:
        loop.post(ev.ChooseService(ev.Service.ISSUE))
        deadline = time.monotonic() + 5
        while not runner.state.prompt and time.monotonic() < deadline:
            time.sleep(0.01)
        assert runner.state.prompt  # StartTimer → Timers → TimerFired → "continue?"
        assert isinstance(runner.state.screen, st.Consent)
    finally:
        runner.stop()
        loop.stop()


def test_a_replaced_timer_never_fires() -> None:
    got: list[Event] = []
    timers = Timers()
    timers.start(got.append)
    timers.start_timer(TimerName.CONSENT, 0.1, 1)
    timers.start_timer(TimerName.CONSENT, 0.3, 2)
    time.sleep(0.5)
    timers.cancel_timer()
    assert got == [ev.TimerFired(TimerName.CONSENT, 2)]


def test_wipe_reaches_every_service(running: Any, calls: list[Any]) -> None:
    runner, _loop = running
    runner.submit((fx.WipePersonalData(),))
    assert runner.wait_idle(5)
    assert {"card.wipe", "center.wipe", "printer.wipe"} <= {name for name, _ in calls}


def test_center_effects_carry_their_arguments(running: Any, calls: list[Any]) -> None:
    runner, _loop = running
    request = CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions(), 1)
    runner.submit((fx.IssueCertificate("t-9", request), fx.PrintCertificate("t-9", 1)))
    assert runner.wait_idle(5)
    assert ("center.issue", ("t-9", request, 1)) in calls
    assert ("printer.print_certificate", ("t-9", 1)) in calls


def test_boot_ids_make_valid_idempotency_keys() -> None:
    import re

    key = f"{new_boot_id()}-000001"
    assert re.fullmatch(r"[A-Za-z0-9_-]{16,64}", key)
    # A basket's further items are named <txn_id>_<n> (kiosk.journal.item_key), up to 10.
    from kiosk.config import MAX_CERTIFICATES_PER_VISIT
    from kiosk.journal import item_key

    assert re.fullmatch(r"[A-Za-z0-9_-]{16,64}", item_key(key, MAX_CERTIFICATES_PER_VISIT))
    assert new_boot_id() != new_boot_id()
