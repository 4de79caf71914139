"""The center down, slow, in maintenance, out of hours, refusing, or breaking the protocol."""

from __future__ import annotations

import pytest

from kiosk.flow import effects as fx
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.journal import records as jr
from kiosk.problems import Problem, describe
from printing.faults import PrinterFault
from tests.kiosk.flow.conftest import Driver, core, journal_records, make_offer, of_type

C = ev.CenterCall
F = ev.CenterFailure


@pytest.mark.parametrize(
    ("failure", "reason", "problem"),
    [
        (F.UNREACHABLE, "", Problem.CENTER_UNREACHABLE),
        (F.TIMEOUT, "", Problem.CENTER_TIMEOUT),
        (F.UNAVAILABLE, "", Problem.CENTER_ERROR),
        (F.MAINTENANCE, "", Problem.CENTER_MAINTENANCE),
        (F.MAINTENANCE, "maintenance", Problem.MUNICIPALITY_MAINTENANCE),
        (F.OUT_OF_HOURS, "out_of_hours", Problem.OUT_OF_HOURS),
        (F.OUT_OF_HOURS, "year_end_closure", Problem.YEAR_END_CLOSURE),
        (F.REFUSED, "certificate_revoked", Problem.CERTIFICATE_INVALID),
        (F.REFUSED, "moved_out", Problem.MOVED_OUT),
        (F.REFUSED, "support_measures", Problem.SUPPORT_MEASURES),
        (F.REFUSED, "municipality_not_participating", Problem.MUNICIPALITY_NOT_PARTICIPATING),
        (F.NOT_AUTHORISED, "", Problem.KIOSK_NOT_AUTHORISED),
        (F.PROTOCOL, "", Problem.CENTER_PROTOCOL),
    ],
)
def test_authentication_failures_are_their_own_fault_screens(
    driver: Driver, failure: ev.CenterFailure, reason: str, problem: Problem
) -> None:
    driver.to_take_card()
    driver.send(ev.CenterFailed(C.AUTHENTICATE, failure, reason))
    assert driver.screen == st.Fault(problem)
    assert describe(problem).staff_code
    # The card lies on the reader, released: the start waits until it is taken.
    driver.send(ev.Finish())
    assert driver.screen == st.ReturnCard()


def test_an_unknown_refusal_keeps_its_code_for_staff(driver: Driver) -> None:
    driver.to_take_card()
    driver.send(ev.CardRemoved(), ev.CenterFailed(C.AUTHENTICATE, F.REFUSED, "brand_new_reason"))
    assert driver.screen == st.Fault(Problem.REFUSED, "brand_new_reason")


def test_the_challenge_cannot_be_fetched(driver: Driver) -> None:
    driver.to_pin_entry()
    driver.type_pin()
    driver.send(ev.PinAccepted())
    effects = driver.send(ev.CenterFailed(C.CHALLENGE, F.UNREACHABLE))
    assert driver.screen == st.Fault(Problem.CENTER_UNREACHABLE)
    assert fx.ReleaseCard() in effects  # the card was still in use


def test_a_slow_center_during_authentication_times_out(driver: Driver) -> None:
    driver.to_pin_entry()
    driver.type_pin()
    driver.send(ev.PinAccepted())
    effects = driver.fire()
    assert driver.screen == st.Fault(Problem.CENTER_TIMEOUT)
    assert fx.CancelCenterCall() in effects
    assert fx.ReleaseCard() in effects


def test_no_certificate_on_offer(driver: Driver) -> None:
    driver.to_take_card()
    empty = make_offer()
    empty = type(empty)(empty.municipality_code, empty.municipality_name, ())
    driver.send(ev.OfferReceived(empty), ev.CardRemoved())
    assert driver.screen == st.Fault(Problem.NOT_OFFERED)


@pytest.mark.parametrize(
    ("failure", "reason", "problem"),
    [
        (F.REFUSED, "no_record", Problem.NO_RECORD),
        (F.REFUSED, "characters_not_supported", Problem.CHARACTERS_NOT_SUPPORTED),
        (F.OUT_OF_HOURS, "weekdays_only", Problem.WEEKDAYS_ONLY),
        (F.MAINTENANCE, "maintenance", Problem.MUNICIPALITY_MAINTENANCE),
        (F.TIMEOUT, "", Problem.CENTER_TIMEOUT),
        (F.PROTOCOL, "", Problem.CERTIFICATE_DATA_INVALID),
    ],
)
def test_issuance_failures_charge_nothing_and_close_the_transaction(
    driver: Driver, failure: ev.CenterFailure, reason: str, problem: Problem
) -> None:
    driver.to_fetching()
    effects = driver.send(ev.CenterFailed(C.ISSUE, failure, reason))
    assert driver.screen == st.Fault(problem)
    assert of_type(effects, fx.EnableAcceptor) == []
    assert of_type(effects, fx.ReportCompletion) == [
        fx.ReportCompletion(
            driver.txn_id, fx.Completion.CANCELLED, 0, st.PaymentMode.ACCEPTOR, 0, 0, 0
        )
    ]
    closing = driver.send(ev.CompletionReported(driver.txn_id))
    assert jr.TransactionClosed(driver.txn_id, jr.CloseReason.CANCELLED) in journal_records(closing)


def test_a_fee_that_does_not_match_the_order_is_never_asked_for(driver: Driver) -> None:
    driver.to_fetching(copies=2)
    txn = driver.txn_id
    effects = driver.send(driver.issued(300))  # not 600
    assert driver.screen == st.Fault(Problem.CERTIFICATE_DATA_INVALID, "fee_mismatch")
    assert of_type(effects, fx.EnableAcceptor) == []
    assert of_type(effects, fx.ComposePrintJob) == []  # nothing is composed either
    # The center issued it all the same: journaled, and reported cancelled.
    assert journal_records(effects)[0] == jr.IssuanceReceived(txn, "ISS-1", 1)
    assert of_type(effects, fx.ReportCompletion)[0].outcome is fx.Completion.CANCELLED


def test_the_verified_envelope_goes_to_the_print_service_before_any_fee(driver: Driver) -> None:
    driver.to_fetching()
    txn = driver.txn_id
    effects = driver.send(driver.issued(300))
    assert driver.screen == st.Fetching(st.FetchPhase.COMPOSING)
    assert of_type(effects, fx.ComposePrintJob) == [fx.ComposePrintJob(txn)]
    assert of_type(effects, fx.EnableAcceptor) == []
    assert core(driver.send(driver.issued(300))) == []  # a second answer changes nothing
    effects = driver.send(driver.ready())
    assert of_type(effects, fx.EnableAcceptor) == [fx.EnableAcceptor(300)]


def test_a_certificate_the_kiosk_cannot_compose_is_never_charged(driver: Driver) -> None:
    driver.to_fetching()
    txn = driver.txn_id
    driver.send(driver.issued(300))
    effects = driver.send(ev.CertificateUnprintable(txn))
    assert driver.screen == st.Fault(Problem.CERTIFICATE_DATA_INVALID, "unprintable")
    assert of_type(effects, fx.EnableAcceptor) == []
    assert of_type(effects, fx.CancelCenterCall) == []  # no center call is in flight
    [report] = of_type(effects, fx.ReportCompletion)
    assert (report.outcome, report.amount_paid_yen) == (fx.Completion.CANCELLED, 0)


def test_a_certificate_without_pages_is_never_charged(driver: Driver) -> None:
    driver.to_fetching()
    effects = driver.send(driver.issued(300, sides_per_copy=0))
    assert driver.screen == st.Fault(Problem.CERTIFICATE_DATA_INVALID, "no_pages")
    assert of_type(effects, fx.EnableAcceptor) == []
    assert of_type(effects, fx.ComposePrintJob) == []


def test_a_slow_composition_times_out_without_charging(driver: Driver) -> None:
    driver.to_fetching()
    driver.send(driver.issued(300))
    effects = driver.fire()
    assert driver.screen == st.Fault(Problem.NO_RESPONSE)
    assert of_type(effects, fx.EnableAcceptor) == []
    assert core(driver.send(driver.ready())) == []  # the late job changes nothing


def test_certificate_data_for_another_transaction_is_ignored(driver: Driver) -> None:
    driver.to_fetching()
    assert driver.send(ev.CertificateIssued("someone-else", "ISS-9", 300, 1)) == ()
    assert driver.screen == st.Fetching(st.FetchPhase.ISSUING)
    driver.send(driver.issued(300))
    assert driver.send(ev.CertificateReady("someone-else", "d")) == ()
    assert driver.send(ev.CertificateUnprintable("someone-else")) == ()
    assert driver.screen == st.Fetching(st.FetchPhase.COMPOSING)


def test_a_slow_issuance_times_out_and_is_reported_cancelled(driver: Driver) -> None:
    driver.to_fetching()
    effects = driver.fire()
    assert driver.screen == st.Fault(Problem.CENTER_TIMEOUT)
    assert fx.CancelCenterCall() in effects
    assert of_type(effects, fx.ReportCompletion)[0].outcome is fx.Completion.CANCELLED
    # The late answer changes nothing.
    assert core(driver.send(driver.issued(300))) == []


def test_cancel_while_fetching_abandons_the_call_and_reports(driver: Driver) -> None:
    driver.to_fetching()
    txn = driver.txn_id
    effects = driver.send(ev.Cancel())
    assert fx.CancelCenterCall() in effects
    assert jr.ReportIntent(txn, "cancelled", 0) in journal_records(effects)
    assert driver.screen == st.Start()
    assert driver.send(ev.CertificateIssued(txn, "ISS-1", 300, 1)) == ()  # too late: ignored
    # The report is still acknowledged after the reset, and closes the journal entry.
    closing = journal_records(driver.send(ev.CompletionReported(txn)))
    assert closing == [
        jr.ReportOutcome(txn, True),
        jr.TransactionClosed(txn, jr.CloseReason.CANCELLED),
    ]


def test_a_failed_report_leaves_the_transaction_open_for_recovery(driver: Driver) -> None:
    driver.to_fetching()
    txn = driver.txn_id
    driver.send(ev.Cancel())
    effects = driver.send(ev.CenterFailed(C.COMPLETE, F.UNREACHABLE, txn_id=txn))
    assert journal_records(effects) == [jr.ReportOutcome(txn, False)]
    assert driver.state.pending_reports == ()


def test_a_printer_that_is_not_ready_stops_before_the_center_is_asked(driver: Driver) -> None:
    driver.to_confirmation()
    driver.send(ev.ConfirmOrder())
    effects = driver.send(ev.PrinterNotReady(PrinterFault.OUT_OF_PAPER))
    assert driver.screen == st.Fault(Problem.PRINTER_OUT_OF_PAPER, "out_of_paper")
    assert of_type(effects, fx.IssueCertificate) == []
    assert of_type(effects, fx.ReportCompletion) == []  # nothing was asked of the center
    assert journal_records(effects) == [
        jr.TransactionClosed(driver.txn_id, jr.CloseReason.CANCELLED)
    ]


def test_the_issuance_id_is_journaled_before_the_fee_is_asked(driver: Driver) -> None:
    driver.to_fetching()
    txn = driver.txn_id
    effects = driver.send(driver.issued(300, issuance_id="ISS-1"))
    # With the page sides of a copy: a restart counts whole copies in what CUPS printed.
    assert journal_records(effects) == [jr.IssuanceReceived(txn, "ISS-1", 1)]
    effects = driver.send(driver.ready())
    assert journal_records(effects) == [jr.PaymentIntent(txn, 300)]
