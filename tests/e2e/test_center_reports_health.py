"""The runtime's report worker and health monitor against the simulated center process (mutual
TLS, fault injection): reports retried with back-off until acknowledged, counted once; health
changes seen at once and recovered from by themselves."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from kiosk.center import wire
from kiosk.center.client import CenterClient, new_idempotency_key
from kiosk.flow.events import CenterFailure, CenterHealthChanged
from kiosk.runtime.center import (
    HealthMonitor,
    HealthTiming,
    IssuanceFacts,
    ReportJob,
    ReportSender,
    RetryPolicy,
)
from printing.certificates import CertificateKind, CertificateRequest, Jurisdiction, NoOptions
from tests.e2e.conftest import CenterLedger
from tests.hw_sim.center.harness import BUSINESS_MORNING, RunningCenter, open_session

FAST = RetryPolicy(first_s=0.3, factor=2.0, max_s=1.0, jitter=0.0)
INKAN = CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions(), 1)
COMPLETIONS = f"{wire.API_PREFIX}/issuances/"  # the completion calls only (issuance: no "/")


def quick_client(center: RunningCenter) -> Callable[[], CenterClient]:
    """The kiosk's client without the pauses between its own attempts (the test's time)."""
    return lambda: center.client(sleep=lambda _s: None)


def issue(center: RunningCenter, pki: Any) -> wire.Envelope:
    with center.client() as client:
        session = open_session(client, pki, "normal")
        envelope = client.issue(session, INKAN, new_idempotency_key()).envelope
        client.end_session(session)
    return envelope


def printed(envelope: wire.Envelope) -> wire.CompletionReport:
    return wire.CompletionReport(
        wire.CompletionOutcome.PRINTED,
        1,
        envelope.total_fee_yen,
        0,
        0,
        None,
        datetime.now(wire.JST),
    )


class Outcomes:
    """What the report worker told about each transaction, in order."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str]] = []
        self.changed = threading.Condition()

    def job(self, txn_id: str, envelope: wire.Envelope, report: wire.CompletionReport) -> ReportJob:
        facts = IssuanceFacts(envelope.issuance_id, envelope.fee_yen_per_copy, 1)

        def note(what: str) -> Callable[..., None]:
            def record(*_: object) -> None:
                with self.changed:
                    self.log.append((txn_id, what))
                    self.changed.notify_all()

            return record

        return ReportJob(
            txn_id, lambda: facts, report, note("acknowledged"), note("deferred"), note("gave up")
        )

    def wait(self, entry: tuple[str, str], timeout: float = 30.0) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: entry in self.log, timeout), self.log

    def of(self, txn_id: str) -> list[str]:
        with self.changed:
            return [what for txn, what in self.log if txn == txn_id]


@pytest.fixture
def sender(center: RunningCenter) -> Iterator[ReportSender]:
    worker = ReportSender(quick_client(center), policy=FAST, draw=lambda: 0.0)  # no jitter
    worker.start()
    yield worker
    worker.stop()


def test_a_failed_report_is_sent_again_until_acknowledged_and_counted_once(
    center: RunningCenter, center_pki: Any, sender: ReportSender
) -> None:
    ledger = CenterLedger(center)
    first, second = issue(center, center_pki), issue(center, center_pki)
    before = ledger.totals()
    center.fault("error", path_prefix=COMPLETIONS, method="POST", status=503, count=None)
    outcomes = Outcomes()
    sender.submit(outcomes.job("txn-aaaaaaaaaaaaaaaa-1", first, printed(first)))
    outcomes.wait(("txn-aaaaaaaaaaaaaaaa-1", "deferred"))
    # A later transaction's report joins it; both keep being retried.
    sender.submit(outcomes.job("txn-aaaaaaaaaaaaaaaa-2", second, printed(second)))
    outcomes.wait(("txn-aaaaaaaaaaaaaaaa-2", "deferred"))
    time.sleep(1.5)  # several back-off rounds with the center still failing
    assert sorted(sender.waiting()) == ["txn-aaaaaaaaaaaaaaaa-1", "txn-aaaaaaaaaaaaaaaa-2"]
    assert outcomes.of("txn-aaaaaaaaaaaaaaaa-1").count("deferred") >= 2
    assert ledger.totals().open_issuances == before.open_issuances  # nothing got through
    center.admin("DELETE", "/admin/faults")
    outcomes.wait(("txn-aaaaaaaaaaaaaaaa-1", "acknowledged"))
    outcomes.wait(("txn-aaaaaaaaaaaaaaaa-2", "acknowledged"))
    time.sleep(1.5)  # no attempt after the acknowledgement
    for txn in ("txn-aaaaaaaaaaaaaaaa-1", "txn-aaaaaaaaaaaaaaaa-2"):
        assert outcomes.of(txn)[-1] == "acknowledged"
        assert outcomes.of(txn).count("acknowledged") == 1
    assert sender.waiting() == []
    after = ledger.totals()
    assert after.open_issuances == before.open_issuances - 2
    assert after.copies_printed == before.copies_printed + 2  # each report counted once


def test_a_report_whose_answer_was_lost_is_not_counted_twice(
    center: RunningCenter, center_pki: Any, sender: ReportSender
) -> None:
    ledger = CenterLedger(center)
    envelope = issue(center, center_pki)
    before = ledger.totals()
    # The center records the report, then the line drops before the answer, every time.
    center.fault("drop", path_prefix=COMPLETIONS, method="POST", when="after", count=None)
    outcomes = Outcomes()
    sender.submit(outcomes.job("txn-bbbbbbbbbbbbbbbb-1", envelope, printed(envelope)))
    outcomes.wait(("txn-bbbbbbbbbbbbbbbb-1", "deferred"))
    center.admin("DELETE", "/admin/faults")
    outcomes.wait(("txn-bbbbbbbbbbbbbbbb-1", "acknowledged"))
    after = ledger.totals()
    assert after.copies_printed == before.copies_printed + 1
    assert after.open_issuances == before.open_issuances - 1


def test_a_report_the_center_refuses_is_given_up_not_retried(
    center: RunningCenter, center_pki: Any, sender: ReportSender
) -> None:
    envelope = issue(center, center_pki)
    wrong = wire.CompletionReport(  # printed but nothing paid at the kiosk: does not add up
        wire.CompletionOutcome.PRINTED, 1, 0, 0, 0, None, datetime.now(wire.JST)
    )
    outcomes = Outcomes()
    sender.submit(outcomes.job("txn-cccccccccccccccc-1", envelope, wrong))
    outcomes.wait(("txn-cccccccccccccccc-1", "gave up"))
    time.sleep(1.0)
    assert outcomes.of("txn-cccccccccccccccc-1") == ["gave up"]
    assert sender.waiting() == []


def test_nothing_issued_needs_no_report(center: RunningCenter, sender: ReportSender) -> None:
    """An issuance abandoned before its envelope came: no issuance id, nothing to report."""
    done = threading.Event()
    cancelled = wire.CompletionReport(
        wire.CompletionOutcome.CANCELLED, 0, 0, 0, 0, "cancelled", datetime.now(wire.JST)
    )

    def fail(_exc: object) -> None:
        raise AssertionError("no call should have been made")

    sender.submit(
        ReportJob("txn-dddddddddddddddd-1", lambda: None, cancelled, done.set, fail, fail)
    )
    assert done.wait(10)


# -- health ----------------------------------------------------------------------------------
class HealthEvents:
    def __init__(self) -> None:
        self.events: list[CenterHealthChanged] = []
        self.recovered = 0
        self.changed = threading.Condition()

    def post(self, event: CenterHealthChanged) -> None:
        with self.changed:
            self.events.append(event)
            self.changed.notify_all()

    def back(self) -> None:
        with self.changed:
            self.recovered += 1
            self.changed.notify_all()

    def wait(self, test: Callable[[], bool], timeout: float = 30.0) -> None:
        with self.changed:
            assert self.changed.wait_for(test, timeout), self.events

    def last(self) -> CenterHealthChanged | None:
        return self.events[-1] if self.events else None


@pytest.fixture
def health(center: RunningCenter) -> Iterator[tuple[HealthMonitor, HealthEvents]]:
    seen = HealthEvents()
    monitor = HealthMonitor(
        quick_client(center),
        seen.post,
        on_recovered=seen.back,
        timing=HealthTiming(interval_s=30.0, down_interval_s=0.3),
    )
    monitor.start()
    yield monitor, seen
    monitor.stop()


def test_health_down_and_back(center: RunningCenter, health: Any) -> None:
    monitor, seen = health
    seen.wait(lambda: seen.last() == CenterHealthChanged(None))  # the check at start
    center.fault("error", path_prefix=f"{wire.API_PREFIX}/health", status=503, count=None)
    monitor.check_soon()  # as after a failed call: no waiting for the 30 s interval
    seen.wait(lambda: seen.last() == CenterHealthChanged(CenterFailure.UNAVAILABLE))
    assert seen.recovered == 0
    center.admin("DELETE", "/admin/faults")
    seen.wait(lambda: seen.last() == CenterHealthChanged(None))  # by itself, 0.3 s later
    seen.wait(lambda: seen.recovered == 1)
    assert len(seen.events) == 3  # only changes are told


def test_center_maintenance_is_seen_with_its_end(center: RunningCenter, health: Any) -> None:
    monitor, seen = health
    seen.wait(lambda: seen.last() == CenterHealthChanged(None))
    center.admin("POST", "/admin/center-maintenance", {"minutes": 20})
    monitor.check_soon()
    seen.wait(lambda: seen.last() is not None and seen.last().failure is CenterFailure.MAINTENANCE)
    event = seen.last()
    assert event is not None
    assert event.until == BUSINESS_MORNING + timedelta(minutes=20)  # the center's business clock
    center.admin("DELETE", "/admin/center-maintenance")
    monitor.check_soon()
    seen.wait(lambda: seen.last() == CenterHealthChanged(None))


def test_a_center_answering_garbage_counts_as_down(center: RunningCenter, health: Any) -> None:
    monitor, seen = health
    seen.wait(lambda: seen.last() == CenterHealthChanged(None))
    center.fault("malformed", path_prefix=f"{wire.API_PREFIX}/health", variant="not_json", count=1)
    monitor.check_soon()
    seen.wait(lambda: seen.last() == CenterHealthChanged(CenterFailure.PROTOCOL))
    seen.wait(lambda: seen.last() == CenterHealthChanged(None))  # the next answer is fine
