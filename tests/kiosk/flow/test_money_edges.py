"""The money path at its smallest amounts: a 1-yen fee, a change or refund 1 yen short, 0 yen
short, and the same cause owed twice, where a comparison off by one (``> 1`` for ``> 0``,
``< 0`` for ``<= 0``) would change what the kiosk pays, prints or keeps for the owed slip. No
municipality charges 1 yen, but the flow must not care: every amount is a plain number to it.
The business day the center names is journaled with the issuance, and a refund still in flight
when the session resets lands on the stub that waits for the card."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from kiosk.flow import effects as fx
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.journal import records as jr
from kiosk.payment import ChangeDispensed, Denomination, MoneyInserted, MoneyRefunded
from kiosk.problems import OwedCode, Problem
from printing.certificates import CertificateKind, Jurisdiction
from printing.faults import PrinterFault
from tests.kiosk.flow.conftest import Driver, make_offer, settings

TXN = "boot-000001"


def to_fetching_at(driver: Driver, fee_per_copy_yen: int, copies: int) -> None:
    """An order of ``copies`` 住民票 at ``fee_per_copy_yen`` each, the print job asked for."""
    offer = make_offer()
    lines = tuple(
        replace(line, fee_yen=fee_per_copy_yen) if line.kind is CertificateKind.JUMINHYO else line
        for line in offer.certificates
    )
    driver.to_menu(replace(offer, certificates=lines))
    driver.send(
        ev.ChooseJurisdiction(Jurisdiction.RESIDENCE),
        ev.ChooseCertificate(CertificateKind.JUMINHYO),
        ev.Next(),
        ev.SetCopies(copies),
        ev.Next(),
        ev.ConfirmOrder(),
        ev.PrinterReady(),
    )


def test_a_counter_kiosk_prints_a_ticket_for_a_one_yen_total() -> None:
    counter = Driver(settings(payment=st.PaymentMode.COUNTER))
    to_fetching_at(counter, fee_per_copy_yen=1, copies=1)
    effects = counter.send(counter.issued(1), counter.ready())
    assert [e for e in effects if isinstance(e, fx.PrintCounterTicket)] == [
        fx.PrintCounterTicket(TXN, 1, 1)
    ]
    assert [e for e in effects if isinstance(e, fx.PrintCertificate)] == [
        fx.PrintCertificate(TXN, 1)
    ]


def test_a_print_fault_refunds_a_one_yen_fee_of_the_copy_not_printed(driver: Driver) -> None:
    # 2 copies at 1 yen, paid with a 10-yen coin: 8 yen change; the first copy printed (2 sides
    # per copy), then the paper ran out. The second copy's 1 yen goes back, and is awaited.
    to_fetching_at(driver, fee_per_copy_yen=1, copies=2)
    driver.send(driver.issued(2, sides_per_copy=2), driver.ready())
    driver.send(MoneyInserted(Denomination.Y10), ChangeDispensed(8, 8))
    effects = driver.send(ev.PrintFailed(PrinterFault.OUT_OF_PAPER, 3))
    fault = Problem.PRINTER_OUT_OF_PAPER
    assert driver.state.txn.copies_printed == 1
    assert [e for e in effects if isinstance(e, fx.Refund | fx.JournalWrite)] == [
        fx.JournalWrite(jr.PrintOutcome(TXN, 1, PrinterFault.OUT_OF_PAPER)),
        fx.JournalWrite(jr.RefundIntent(TXN, 1, fault)),
        fx.Refund(1),
    ]
    assert driver.screen == st.Refunding(fault)
    effects = driver.send(MoneyRefunded(1, 1))
    assert [e for e in effects if isinstance(e, fx.ReportCompletion)] == [
        fx.ReportCompletion(
            TXN,
            fx.Completion.FAILED,
            1,
            st.PaymentMode.ACCEPTOR,
            2,
            1,
            0,
            PrinterFault.OUT_OF_PAPER,
        )
    ]
    assert driver.screen == st.Fault(fault)


def test_change_one_yen_short_is_owed_under_its_code(driver: Driver) -> None:
    driver.to_printing(copies=1, inserted=(500,))  # 200 change asked
    effects = driver.send(ChangeDispensed(200, 199))
    assert driver.state.txn.money.owed_codes == (OwedCode.CHANGE_SHORT,)
    assert driver.state.txn.money.staff_owed_yen == 1
    assert fx.JournalWrite(jr.StaffOwed(TXN, 1, OwedCode.CHANGE_SHORT)) in effects


def test_change_paid_in_full_owes_nothing_and_names_no_code(driver: Driver) -> None:
    driver.to_printing(copies=1, inserted=(500,))
    driver.send(ChangeDispensed(200, 200))
    assert driver.state.txn.money.owed_codes == ()
    assert driver.state.txn.money.staff_owed_yen == 0


def test_a_refund_one_yen_short_is_owed_under_its_code(driver: Driver) -> None:
    driver.to_payment(copies=1)
    driver.send(MoneyInserted(Denomination.Y100), ev.Cancel())
    driver.send(MoneyRefunded(100, 99))
    assert driver.state.txn.money.owed_codes == (OwedCode.REFUND_SHORT,)
    assert driver.state.txn.money.staff_owed_yen == 1


def test_a_cause_owed_twice_is_named_once_on_the_slip(driver: Driver) -> None:
    # Paid 1000 for 300 (700 change), the print failed before any copy: the change and the fee
    # go back. The change comes 1 yen short, then the fee's refund 1 yen short, then a stray coin
    # goes back 1 yen short too: two causes, three shortfalls, each cause named once, in order.
    driver.to_printing(copies=1, inserted=(1000,))
    driver.send(ev.PrintFailed(PrinterFault.JAM, 0))
    driver.send(ChangeDispensed(700, 699))
    driver.send(MoneyInserted(Denomination.Y5))  # a stray coin while the fee goes back
    driver.send(MoneyRefunded(300, 299))
    assert driver.state.txn.money.owed_codes == (OwedCode.CHANGE_SHORT, OwedCode.REFUND_SHORT)
    driver.send(MoneyRefunded(5, 4))
    assert driver.state.txn is not None
    money = driver.state.txn.money
    assert (money.owed_codes, money.staff_owed_yen) == (
        (OwedCode.CHANGE_SHORT, OwedCode.REFUND_SHORT),
        3,
    )


def test_the_center_s_business_day_is_journaled_with_the_issuance(driver: Driver) -> None:
    driver.to_fetching(copies=1)
    day = date(2026, 12, 7)  # the center's day, not the kiosk's: its settlement books it there
    effects = driver.send(ev.CertificateIssued(TXN, "ISS-9", 300, 1, business_date=day))
    assert effects[0] == fx.JournalWrite(jr.IssuanceReceived(TXN, "ISS-9", 1, day))


def test_a_refund_in_flight_at_the_reset_lands_on_the_card_s_stub_with_its_amounts(
    driver: Driver,
) -> None:
    # A 10-yen coin dropped during the PIN entry went back on cancel; on the "cancelled" screen,
    # with the card still on the reader, a 5-yen coin drops and its refund is asked; the screen
    # times out before the answer. The stub that waits for the card keeps the ledger, so the
    # answer that comes on "return your card" closes the 5 yen instead of paying out money the
    # ledger never took in.
    driver.to_pin_entry()
    driver.send(MoneyInserted(Denomination.Y10), ev.Cancel(), MoneyRefunded(10, 10))
    assert driver.screen == st.Cancelled()
    driver.send(MoneyInserted(Denomination.Y5))
    driver.fire()
    assert driver.screen == st.ReturnCard()
    driver.send(MoneyRefunded(5, 5))
    assert driver.state.txn is not None
    money = driver.state.txn.money
    assert (money.inserted_yen, money.refunded_yen, money.refund_pending_yen) == (15, 15, 0)
    assert money.held_yen == 0
