"""The fault path (kiosk.flow._base.fail, problem_for_center): what a failure before any money
shows, audits and reports — with no transaction, with one, and for every center failure."""

from __future__ import annotations

import pytest

from kiosk.audit import AuditEvent, audit
from kiosk.flow import effects as fx
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.flow._base import fail, problem_for_center
from kiosk.journal import records as jr
from kiosk.problems import Problem
from printing.faults import PrinterFault
from tests.kiosk.flow.conftest import Driver

CC, CF = ev.CenterCall, ev.CenterFailure


@pytest.mark.parametrize(
    ("call", "failure", "reason", "problem"),
    [
        (CC.ISSUE, CF.UNREACHABLE, "", Problem.CENTER_UNREACHABLE),
        (CC.ISSUE, CF.TIMEOUT, "", Problem.CENTER_TIMEOUT),
        (CC.ISSUE, CF.UNAVAILABLE, "", Problem.CENTER_ERROR),
        (CC.ISSUE, CF.MAINTENANCE, "maintenance", Problem.MUNICIPALITY_MAINTENANCE),
        (CC.ISSUE, CF.MAINTENANCE, "center", Problem.CENTER_MAINTENANCE),
        (CC.ISSUE, CF.OUT_OF_HOURS, "", Problem.OUT_OF_HOURS),
        (CC.ISSUE, CF.OUT_OF_HOURS, "weekdays_only", Problem.WEEKDAYS_ONLY),
        (CC.ISSUE, CF.REFUSED, "moved_out", Problem.MOVED_OUT),
        (CC.ISSUE, CF.REFUSED, "something_new", Problem.REFUSED),
        (CC.ISSUE, CF.PROTOCOL, "", Problem.CERTIFICATE_DATA_INVALID),
        (CC.AUTHENTICATE, CF.PROTOCOL, "", Problem.CENTER_PROTOCOL),
        (CC.ISSUE, CF.NOT_AUTHORISED, "", Problem.KIOSK_NOT_AUTHORISED),
        (CC.ISSUE, CF.SESSION_EXPIRED, "", Problem.SESSION_EXPIRED),
        (CC.STATUS, CF.NOT_FOUND, "", Problem.APPLICATION_NOT_FOUND),
        (CC.ISSUE, CF.NOT_FOUND, "", Problem.CENTER_ERROR),
    ],
)
def test_every_center_failure_has_its_problem(
    call: ev.CenterCall, failure: ev.CenterFailure, reason: str, problem: Problem
) -> None:
    assert problem_for_center(call, failure, reason) is problem


def test_a_fault_with_no_transaction() -> None:
    state = Driver().state
    state = st.FlowState(settings=state.settings, prompt=True)
    new, effects = fail(state, Problem.CENTER_UNREACHABLE, "detail")
    assert effects == (
        fx.Audit(
            audit(AuditEvent.FAULT, "center_unreachable", reason="detail", staff_code="S-201")
        ),
    )
    assert new == st.FlowState(
        settings=state.settings, screen=st.Fault(Problem.CENTER_UNREACHABLE, "detail")
    )


def test_a_fault_while_fetching_cancels_the_call_and_reports(driver: Driver) -> None:
    driver.to_fetching()
    txn = driver.txn_id
    effects = driver.send(ev.CenterFailed(CC.ISSUE, CF.TIMEOUT))
    assert [e for e in effects if not isinstance(e, fx.StartTimer | fx.CancelTimer)] == [
        fx.Audit(audit(AuditEvent.FAULT, "center_timeout", reason="", staff_code="S-202")),
        fx.CancelCenterCall(),
        fx.JournalWrite(jr.ReportIntent(txn, "cancelled", 0)),
        fx.ReportCompletion(txn, fx.Completion.CANCELLED, 0, st.PaymentMode.ACCEPTOR, 0, 0, 0),
    ]
    assert (driver.screen, driver.state.prompt) == (st.Fault(Problem.CENTER_TIMEOUT), False)
    assert driver.state.txn.reported


def test_a_printer_fault_before_the_issue_call_cancels_nothing(driver: Driver) -> None:
    driver.to_confirmation()
    driver.send(ev.ConfirmOrder())
    effects = driver.send(ev.PrinterNotReady(PrinterFault.OUT_OF_PAPER))
    assert fx.CancelCenterCall() not in effects
    assert driver.screen == st.Fault(Problem.PRINTER_OUT_OF_PAPER, "out_of_paper")


def test_a_fault_on_the_payment_screen_stops_the_acceptor(driver: Driver) -> None:
    driver.to_payment()
    state, effects = fail(driver.state, Problem.INTERNAL_ERROR)
    assert fx.DisableAcceptor() in effects
    assert fx.CancelCenterCall() not in effects  # the issue call answered long ago
    assert state.txn.money.accepting is False
    assert state.screen == st.Fault(Problem.INTERNAL_ERROR)


def test_a_fault_with_one_yen_in_refunds_it_for_that_problem(driver: Driver) -> None:
    from kiosk.payment import Denomination, MoneyInserted

    driver.to_payment()
    driver.send(MoneyInserted(Denomination.Y1))
    state, effects = fail(driver.state, Problem.INTERNAL_ERROR)
    assert fx.JournalWrite(jr.RefundIntent(driver.txn_id, 1, Problem.INTERNAL_ERROR)) in effects
    assert state.screen == st.Refunding(Problem.INTERNAL_ERROR)


def test_a_refusal_the_kiosk_does_not_know_keeps_its_code(driver: Driver) -> None:
    driver.to_fetching()
    driver.send(ev.CenterFailed(CC.ISSUE, CF.REFUSED, "something_new"))
    assert driver.screen == st.Fault(Problem.REFUSED, "something_new")


def test_a_known_refusal_shows_no_code(driver: Driver) -> None:
    driver.to_fetching()
    driver.send(ev.CenterFailed(CC.ISSUE, CF.REFUSED, "moved_out"))
    assert driver.screen == st.Fault(Problem.MOVED_OUT, "")


def test_a_transaction_is_reported_or_closed_once(driver: Driver) -> None:
    from kiosk.flow._base import report

    driver.to_confirmation()
    driver.send(ev.ConfirmOrder())  # journaled; the issue call not made yet
    state, effects = report(driver.state, fx.Completion.CANCELLED)
    assert effects == (
        fx.JournalWrite(jr.TransactionClosed(driver.txn_id, jr.CloseReason.CANCELLED)),
    )
    assert report(state, fx.Completion.CANCELLED) == (state, ())
    driver.send(ev.PrinterReady())  # now the issue call is made
    state, effects = report(driver.state, fx.Completion.CANCELLED)
    assert [type(e) for e in effects] == [fx.JournalWrite, fx.ReportCompletion]
    assert report(state, fx.Completion.CANCELLED) == (state, ())


def test_the_certificate_data_is_audited_and_the_fee_asked(driver: Driver) -> None:
    driver.to_fetching()
    txn = driver.txn_id
    effects = driver.send(driver.issued(300, issuance_id="ISS-1"))
    assert [e for e in effects if not isinstance(e, fx.StartTimer | fx.CancelTimer)] == [
        fx.JournalWrite(jr.IssuanceReceived(txn, "ISS-1", 1)),
        fx.ComposePrintJob(txn),
    ]
    effects = driver.send(driver.ready("d1g3st"))
    assert [e for e in effects if not isinstance(e, fx.StartTimer | fx.CancelTimer)] == [
        fx.Audit(audit(AuditEvent.ISSUE_COMPLETE, "success", document_digest="d1g3st", txn_id=txn)),
        fx.JournalWrite(jr.PaymentIntent(txn, 300)),
        fx.Audit(audit(AuditEvent.PAYMENT_INIT, txn_id=txn, yen=300)),
        fx.EnableAcceptor(300),
    ]
