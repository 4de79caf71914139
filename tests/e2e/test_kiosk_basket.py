"""Several certificates in one visit (the basket) through the whole kiosk: one card, one PIN,
one payment for 住民票の写し ×1 and 印鑑登録証明書 ×2 (練馬区, 150 yen a copy), each item its
own issuance at the simulated center over mutual TLS, printed one after the other on the
private cupsd's capture queue, each reported; a jam in the second item keeps the first and pays
back exactly the second's fees; a power cut after the first item is settled at the restart item
by item (the journal on disk, the print recovery asking CUPS, the center's reports)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from hw_sim.stack import SimFault
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.journal import CloseReason, TransactionSummary
from kiosk.problems import Problem
from printing.certificates import CertificateKind
from tests.e2e.conftest import KioskUnderTest, MakeKiosk

pytestmark = [pytest.mark.pcscd, pytest.mark.cupsd]

FEE = 150  # 練馬区, every certificate of this test (hw_sim/world/data/municipalities/131202.toml)
INKAN_COPIES = 2
TOTAL = FEE * (1 + INKAN_COPIES)


def to_basket_payment(kiosk: KioskUnderTest) -> str:
    """The resident's visit up to the payment: one card and PIN, two certificates."""
    driver = kiosk.driver
    driver.to_menu("normal", "1234")
    driver.order(CertificateKind.JUMINHYO)
    driver.nav("add")  # 「ほかの証明書も取得する」
    driver.order(CertificateKind.INKAN, copies=INKAN_COPIES)
    state = driver.wait_for(st.Confirmation)
    assert state.txn is not None
    assert [i.request.kind for i in state.txn.items] == [
        CertificateKind.JUMINHYO,
        CertificateKind.INKAN,
    ]
    assert state.txn.total_fee_yen == TOTAL
    driver.confirm()
    state = driver.wait_for(st.Payment, timeout=180)
    assert state.txn is not None
    assert state.txn.money.due_yen == TOTAL  # one payment for both
    return state.txn.txn_id


def summary_when_closed(
    kiosk: KioskUnderTest, txn_id: str, timeout: float = 60
) -> TransactionSummary:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kiosk.driver.pump(0.1)
        with kiosk.journal() as journal:
            summary = journal.summary(txn_id)
        if summary.closed is not None:
            return summary
    raise AssertionError(f"{txn_id} not closed: {summary}")


def test_a_two_item_basket_is_paid_once_and_printed_item_by_item(
    kiosk: KioskUnderTest,
) -> None:
    before = kiosk.totals()
    txn_id = to_basket_payment(kiosk)
    driver = kiosk.driver
    driver.insert_money([500])
    state = driver.wait_for(st.Done, timeout=180)
    assert state.txn is not None
    assert [i.copies_printed for i in state.txn.items] == [1, INKAN_COPIES]
    money = state.txn.money
    assert money.change_yen + money.change_pending_yen == 500 - TOTAL
    assert state.txn.money.held_yen == TOTAL
    # Two jobs, in the order chosen, each every copy of its certificate.
    assert [outcome.completed for _job, _handle, outcome in kiosk.jobs_done] == [True, True]
    assert [job.copies for job, _handle, _outcome in kiosk.jobs_done] == [1, INKAN_COPIES]
    for _job, handle, _outcome in kiosk.jobs_done:
        assert kiosk.captured(handle.job_id).exists()
    summary = summary_when_closed(kiosk, txn_id)
    assert summary.closed is CloseReason.COMPLETED
    assert [(i.kind, i.copies_printed, i.report) for i in summary.items] == [
        ("juminhyo", 1, "printed"),
        ("inkan", INKAN_COPIES, "printed"),
    ]
    assert all(i.issuance_id for i in summary.items)
    assert summary.kept_yen == TOTAL
    assert summary.unsettled_yen == 0
    after = kiosk.totals()
    assert after.issuances - before.issuances == 2  # each item its own issuance
    assert after.copies_printed - before.copies_printed == 1 + INKAN_COPIES
    assert after.open_issuances == before.open_issuances  # both reports acknowledged
    driver.send(ev.Finish())
    driver.wait_for(st.Start)


def test_a_jam_in_the_second_item_keeps_the_first_and_refunds_the_second(
    make_kiosk: MakeKiosk,
) -> None:
    jams: list[int] = []

    def jam_the_next_job(job: Any, handle: Any, outcome: Any) -> None:
        if not jams:  # the first item came out: the printer jams on the second
            jams.append(handle.job_id)
            kiosk.faults.set(SimFault.MEDIA_JAM)

    kiosk = make_kiosk(on_job_done=jam_the_next_job)
    before = kiosk.totals()
    txn_id = to_basket_payment(kiosk)
    driver = kiosk.driver
    driver.insert_money([100, 100, 100, 100, 50])  # exactly 450 yen: no change
    state = driver.wait_for(st.Fault, timeout=180)
    assert isinstance(state.screen, st.Fault)
    assert state.screen.problem is Problem.PRINTER_JAM
    txn = state.txn
    assert txn is not None
    assert [i.copies_printed for i in txn.items] == [1, 0]
    assert txn.money.refunded_yen == FEE * INKAN_COPIES  # exactly the second item's fees
    assert txn.money.held_yen == FEE  # the first item's fee is kept
    assert kiosk.acceptor.tray_yen == FEE * INKAN_COPIES
    summary = summary_when_closed(kiosk, txn_id)
    assert summary.closed is CloseReason.REFUNDED
    assert [(i.copies_printed, i.report) for i in summary.items] == [(1, "printed"), (0, "failed")]
    assert summary.items[1].print_fault is not None
    assert summary.kept_yen == FEE
    assert summary.unsettled_yen == 0
    after = kiosk.totals()
    assert after.issuances - before.issuances == 2
    assert after.copies_printed - before.copies_printed == 1
    assert after.refunded_yen - before.refunded_yen == FEE * INKAN_COPIES
    assert after.refund_pending_yen == before.refund_pending_yen
    assert after.open_issuances == before.open_issuances
    kiosk.faults.clear()
    driver.send(ev.Finish())
    driver.wait_for(st.Start)


def test_a_power_cut_after_the_first_item_is_settled_item_by_item(
    make_kiosk: MakeKiosk,
) -> None:
    first_done = threading.Event()
    release = threading.Event()

    def hang_after_the_first_job(job: Any, handle: Any, outcome: Any) -> None:
        # The first item is out of the printer and the kiosk stops before it learns so (its
        # print intent has no outcome): the power goes here.
        first_done.set()
        release.wait(30)

    first = make_kiosk(on_job_done=hang_after_the_first_job)
    before = first.totals()
    txn_id = to_basket_payment(first)
    first.driver.insert_money([500])
    first.driver.wait_until(lambda _s: first_done.is_set(), "the first item printed", timeout=120)
    try:
        first.runner.stop()  # no report, no refund, no second job
    finally:
        release.set()
    with first.journal() as journal:
        crashed = journal.summary(txn_id)
    assert crashed.closed is None
    assert crashed.paid_in_full
    assert len(crashed.items) == 2

    second = make_kiosk()  # the same journal: the restart
    summary = summary_when_closed(second, txn_id, timeout=120)
    # CUPS says item 1's job completed: its copy and fee are kept; item 2 never printed, its
    # fees are owed by staff (K-910), and each item is reported as it ended.
    assert [(i.copies_printed, i.report) for i in summary.items] == [(1, "printed"), (0, "failed")]
    assert summary.kept_yen == FEE
    assert summary.change_dispensed_yen == 500 - TOTAL
    assert summary.staff_owed_yen == FEE * INKAN_COPIES
    assert summary.closed is CloseReason.STAFF
    after = second.totals()
    assert after.issuances - before.issuances == 2
    assert after.copies_printed - before.copies_printed == 1
    assert after.refund_pending_yen - before.refund_pending_yen == FEE * INKAN_COPIES
    assert after.open_issuances == before.open_issuances
    assert isinstance(second.driver.state.screen, st.Start)


def test_a_basket_the_session_cannot_cover_is_refused_before_any_issuance(
    make_kiosk: MakeKiosk,
) -> None:
    """The simulated center grants 20 minutes (SESSION_TTL); a resident who spent 17 of them
    choosing has about 3 left: one issuance's budget (the client's 60 s × 2 attempts) but not
    two. A basket of two is refused before anything is asked, nothing charged; one certificate
    after the same 17 minutes is issued."""
    from datetime import UTC, datetime, timedelta

    skew = [timedelta(0)]

    def clock() -> datetime:
        return datetime.now(UTC) + skew[0]

    kiosk = make_kiosk(clock=clock)
    before = kiosk.totals()
    driver = kiosk.driver
    driver.to_menu("normal", "1234")
    driver.order(CertificateKind.JUMINHYO)
    driver.nav("add")
    driver.order(CertificateKind.INKAN)
    skew[0] = timedelta(minutes=17)
    driver.confirm()
    state = driver.wait_for(st.Fault, timeout=60)
    assert isinstance(state.screen, st.Fault)
    assert state.screen.problem is Problem.SESSION_TOO_SHORT
    assert "Payment" not in driver.screens_seen
    assert kiosk.totals().issuances == before.issuances  # the center was not asked
    driver.send(ev.Finish())
    driver.wait_for(st.Start)

    skew[0] = timedelta(0)  # a new visit, a new session; 17 minutes pass again
    driver.to_menu("normal", "1234")
    driver.order(CertificateKind.JUMINHYO)
    skew[0] = timedelta(minutes=17)
    driver.confirm()
    driver.wait_for(st.Payment, timeout=120)
    assert kiosk.totals().issuances == before.issuances + 1
    driver.cancel()
    driver.wait_for(st.Cancelled, st.Start, timeout=60)


def test_a_kiosk_clock_hours_off_does_not_shorten_the_session(make_kiosk: MakeKiosk) -> None:
    """The session is measured on the center's clock (the challenge's issued_at against the
    kiosk's): a kiosk 17 minutes ahead — which, read as the center's time, would leave 3 of the
    session's 20 minutes, too few for two items — or three hours behind still fetches a basket
    of two."""
    from datetime import UTC, datetime, timedelta

    for skew in (timedelta(minutes=17), timedelta(hours=-3)):
        kiosk = make_kiosk(clock=lambda skew=skew: datetime.now(UTC) + skew)
        before = kiosk.totals()
        to_basket_payment(kiosk)
        assert kiosk.totals().issuances == before.issuances + 2
        kiosk.driver.cancel()
        kiosk.driver.wait_for(st.Cancelled, st.Start, timeout=60)
