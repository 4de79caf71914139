"""Completion reports the center cannot take while the kiosk runs: retried by the report worker
(while later residents are served) until acknowledged, and — if the kiosk stops first —
replayed from the journal after the restart, counted once by the center either way."""

from __future__ import annotations

import time

import pytest

from kiosk.center import wire
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.journal import CloseReason
from kiosk.runtime import RetryPolicy
from printing.certificates import CertificateKind
from tests.e2e.conftest import KioskUnderTest, MakeKiosk

pytestmark = [pytest.mark.pcscd, pytest.mark.cupsd]

COMPLETIONS = f"{wire.API_PREFIX}/issuances/"  # completion calls only (an issuance has no "/")
QUICK_RETRY = RetryPolicy(first_s=1.0, factor=2.0, max_s=4.0, jitter=0.0)


def issue_and_print(kiosk: KioskUnderTest) -> str:
    """One 印鑑登録証明書 (150 yen), paid with two 100-yen coins; the transaction id."""
    driver = kiosk.driver
    driver.to_menu("normal", "1234")
    driver.order(CertificateKind.INKAN)
    driver.confirm()
    state = driver.wait_for(st.Payment, timeout=120)
    assert state.txn is not None
    txn_id = state.txn.txn_id
    driver.insert_money([100, 100])
    driver.wait_for(st.Done, timeout=120)
    driver.wait_until(lambda s: s.txn is not None and s.txn.reported, "the report sent")
    driver.take_everything()
    return txn_id


def closed(kiosk: KioskUnderTest, txn_id: str) -> CloseReason | None:
    with kiosk.journal() as journal:
        return journal.summary(txn_id).closed


def wait_closed(kiosk: KioskUnderTest, txn_ids: list[str], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kiosk.driver.pump(0.2)
        if all(closed(kiosk, txn) is not None for txn in txn_ids):
            return
    raise AssertionError(f"not closed in {timeout} s: {[closed(kiosk, t) for t in txn_ids]}")


def wait_deferred(kiosk: KioskUnderTest, txn_id: str, timeout: float = 60.0) -> None:
    """Until the report worker holds the report for a later attempt."""
    reports = kiosk.runner.services.center.reports
    deadline = time.monotonic() + timeout
    while txn_id not in reports.waiting():
        assert time.monotonic() < deadline, "the report was never deferred"
        kiosk.driver.pump(0.2)


def test_reports_are_retried_while_the_kiosk_serves_others(make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk(report_retry=QUICK_RETRY)
    before = kiosk.totals()
    kiosk.center.fault("error", path_prefix=COMPLETIONS, method="POST", status=503, count=None)
    first = issue_and_print(kiosk)
    wait_deferred(kiosk, first)
    kiosk.driver.send(ev.Finish())
    kiosk.driver.wait_for(st.Start)
    second = issue_and_print(kiosk)  # the next resident is served meanwhile
    wait_deferred(kiosk, second)
    state = kiosk.driver.state
    assert {p.txn_id for p in state.pending_reports} == {first, second}
    assert closed(kiosk, first) is None  # the journal keeps both open
    assert kiosk.totals().open_issuances == before.open_issuances + 2

    kiosk.center.admin("DELETE", "/admin/faults")  # the center takes reports again
    wait_closed(kiosk, [first, second])
    assert closed(kiosk, first) is CloseReason.COMPLETED
    assert closed(kiosk, second) is CloseReason.COMPLETED
    assert kiosk.runner.services.center.reports.waiting() == []
    assert kiosk.driver.state.pending_reports == ()
    after = kiosk.totals()
    assert after.open_issuances == before.open_issuances
    assert after.copies_printed == before.copies_printed + 2  # each counted once


def test_a_report_still_unsent_at_stop_is_replayed_once_after_the_restart(
    make_kiosk: MakeKiosk,
) -> None:
    first = make_kiosk(report_retry=QUICK_RETRY)
    before = first.totals()
    # The center records the report, but the line drops before the kiosk hears the answer.
    first.center.fault("drop", path_prefix=COMPLETIONS, method="POST", when="after", count=None)
    txn_id = issue_and_print(first)
    wait_deferred(first, txn_id)
    assert first.totals().copies_printed == before.copies_printed + 1  # it did arrive
    first.runner.stop()  # the kiosk stops before it ever learns so
    first.center.admin("DELETE", "/admin/faults")

    second = make_kiosk()  # the same journal: the restart replays the report
    wait_closed(second, [txn_id])
    assert closed(second, txn_id) is CloseReason.RECOVERED
    after = second.totals()
    assert after.copies_printed == before.copies_printed + 1  # not twice
    assert after.open_issuances == before.open_issuances
    assert isinstance(second.driver.state.screen, st.Start)
