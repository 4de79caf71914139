"""What the resident flow learns of store operations: staff access (never from a resident being
served), out of service with a reason, the slip of money owed and the receipt."""

from __future__ import annotations

from kiosk.flow import effects as fx
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.payment import ChangeDispensed, Denomination, MoneyInserted, MoneyRefunded
from kiosk.problems import OwedCode, ServiceStop
from tests.kiosk.flow.conftest import Driver, of_type

ISSUE = ev.ChooseService(ev.Service.ISSUE)


def test_staff_get_an_idle_kiosk_at_once_and_nothing_starts_meanwhile() -> None:
    d = Driver()
    effects = d.send(ev.StaffRequested())
    assert effects == (fx.StaffAccessChanged(st.StaffAccess.OPEN),)
    assert d.send(ISSUE) == ()
    assert d.state.txn is None
    d.send(ev.StaffReleased())
    assert d.state.staff_access is st.StaffAccess.NONE
    d.send(ISSUE)
    assert isinstance(d.screen, st.Consent)


def test_staff_wait_for_the_resident_and_get_the_kiosk_when_the_transaction_ends() -> None:
    d = Driver()
    d.to_payment()
    d.send(MoneyInserted(Denomination.Y100))
    effects = d.send(ev.StaffRequested())
    assert effects == (fx.StaffAccessChanged(st.StaffAccess.WAITING),)
    assert isinstance(d.screen, st.Payment)  # the resident is not interrupted
    effects = d.send(ev.Cancel())
    assert of_type(effects, fx.StaffAccessChanged) == []  # money is on its way back
    effects = d.send(MoneyRefunded(100, 100))
    assert of_type(effects, fx.StaffAccessChanged) == []  # the resident still reads the screen
    effects = d.send(ev.Finish())  # the resident leaves
    assert isinstance(d.screen, st.Start)
    assert of_type(effects, fx.StaffAccessChanged) == [fx.StaffAccessChanged(st.StaffAccess.OPEN)]


def test_staff_who_stop_waiting_leave_the_resident_alone() -> None:
    d = Driver()
    d.send(ISSUE)
    d.send(ev.StaffRequested(), ev.StaffReleased())
    effects = d.send(ev.Back())  # back to the start: nobody waits any more
    assert of_type(effects, fx.StaffAccessChanged) == []
    assert d.state.staff_access is st.StaffAccess.NONE


def test_an_out_of_service_kiosk_lets_staff_in_whatever_it_holds() -> None:
    d = Driver()
    d.to_payment()
    d.send(MoneyInserted(Denomination.Y100), ev.JournalFailed("disk"))
    assert isinstance(d.screen, st.OutOfService)
    assert d.send(ev.StaffRequested()) == (fx.StaffAccessChanged(st.StaffAccess.OPEN),)


def test_out_of_service_by_staff_starts_nothing_until_put_back() -> None:
    d = Driver()
    d.send(ev.ServiceStopChanged(ServiceStop.CASH_UNIT))
    assert d.state.service_stop is ServiceStop.CASH_UNIT
    assert d.send(ISSUE) == ()
    d.send(ev.ServiceStopChanged(None))
    d.send(ISSUE)
    assert isinstance(d.screen, st.Consent)


def test_short_change_shows_the_slip_then_the_done_screen() -> None:
    d = Driver()
    d.to_payment()
    d.send(MoneyInserted(Denomination.Y1000))  # 300 due: 700 change
    d.send(ev.PrintFinished(1))
    effects = d.send(ChangeDispensed(700, 600))
    assert d.screen == st.OwedSlip(100, (OwedCode.CHANGE_SHORT,), then=st.Done())
    assert fx.PrintOwedSlip(d.txn_id, 100, (OwedCode.CHANGE_SHORT,)) in effects
    d.send(ev.Finish())
    assert isinstance(d.screen, st.Done)  # take the certificates
    assert d.state.timer is not None  # its reminders run again


def test_a_receipt_once_after_a_paid_issuance() -> None:
    d = Driver()
    d.to_printing(inserted=(100, 100, 100))
    assert d.send(ev.AskReceipt()) == ()  # not while printing
    d.send(ev.PrintFinished(1))
    effects = d.send(ev.AskReceipt())
    receipts = of_type(effects, fx.PrintReceipt)
    assert receipts == [fx.PrintReceipt(d.txn_id, 300, ev.CertificateKind.JUMINHYO, 1)]
    assert d.state.txn.receipt is st.PaperState.PRINTING
    assert of_type(d.send(ev.AskReceipt()), fx.PrintReceipt) == []  # once
    d.send(ev.ReceiptPrinted("someone-else", True))
    assert d.state.txn.receipt is st.PaperState.PRINTING
    d.send(ev.ReceiptPrinted(d.txn_id, True))
    assert d.state.txn.receipt is st.PaperState.PRINTED


def test_no_receipt_without_a_fee_paid_at_the_kiosk() -> None:
    d = Driver(Driver().state.settings.__class__(boot_id="b", payment=st.PaymentMode.COUNTER))
    d.to_fetching()
    d.send(d.issued(300), d.ready(), ev.PrintFinished(1))
    assert isinstance(d.screen, st.Done)
    assert of_type(d.send(ev.AskReceipt()), fx.PrintReceipt) == []
