"""The staff flow, screen by screen: entry, lockout, waiting for the resident, idle exit, every
page's action with the staff id in the audit log and nothing personal."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from kiosk.audit import AuditEvent
from kiosk.flow.diff import loggable
from kiosk.flow.state import StaffAccess
from kiosk.journal.operations import CashCountKind, OwedEntry
from kiosk.operations.reconcile import Totals
from kiosk.payment import Denomination
from kiosk.problems import OwedCode, ServiceStop
from kiosk.staff import StaffSettings
from kiosk.staff import effects as sx
from kiosk.staff import events as se
from kiosk.staff import state as ss
from kiosk.staff.state import StaffTimer
from kiosk.staff.views import ClosingPhase, ClosingView, CountLine, CountResult
from printing.faults import PrinterFault
from tests.kiosk.staff.conftest import SETTINGS, STAFF_PIN, StaffDriver, of_type

DAY = date(2026, 12, 8)
AT = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)


def audits(effects: tuple[sx.StaffEffect, ...]) -> list[tuple[AuditEvent, str, dict[str, object]]]:
    records = [e.record for e in of_type(effects, sx.StaffAudit)]
    return [(r.event, r.outcome, dict(r.details)) for r in records]


def test_login_with_staff_number_and_pin() -> None:
    d = StaffDriver()
    assert d.send(se.OpenStaff())[0] == sx.RequestKiosk(1)
    assert isinstance(d.state.screen, ss.Waiting)
    d.grant()
    assert d.state.screen == ss.Login()
    effects = d.enter("1001")
    assert of_type(effects, sx.CheckPin) == [sx.CheckPin("1001", STAFF_PIN)]
    assert STAFF_PIN not in repr(effects)  # the PIN never shows in a repr (logs)
    assert d.state.screen.entry == ""  # gone from the state once sent
    assert d.state.screen.checking
    effects = d.send(se.PinChecked("1001", ok=True))
    assert isinstance(d.state.screen, ss.Menu)
    assert d.state.staff_id == "1001"
    assert audits(effects) == [(AuditEvent.STAFF_LOGIN, "success", {"staff_id": "1001"})]
    assert any(t.name is StaffTimer.IDLE for t in d.state.timers)


def test_five_wrong_pins_lock_the_login_for_the_profile_s_time() -> None:
    d = StaffDriver()
    d.to_login()
    for attempt in range(1, 5):
        d.enter("1001", "000000")
        d.send(se.PinChecked("1001", ok=False))
        assert d.state.screen.wrong
        assert d.state.screen.tries_left == 5 - attempt
        assert d.state.wrong_pins == attempt
    d.enter("1001", "000000")
    effects = d.send(se.PinChecked("1001", ok=False))
    assert d.state.locked
    assert isinstance(d.state.screen, ss.LockedOut)
    assert sx.ReleaseKiosk() in effects  # residents are served again meanwhile
    lock = of_type(effects, sx.StartStaffTimer)
    assert [(t.name, t.seconds) for t in lock] == [(StaffTimer.LOCKOUT, SETTINGS.lockout_s)]
    assert (AuditEvent.STAFF_LOCKOUT, "locked", {}) in audits(effects)
    d.send(se.StaffBack())
    assert isinstance(d.state.screen, ss.Closed)
    # While locked, the gesture shows the lock and asks nothing of the resident flow.
    assert of_type(d.send(se.OpenStaff()), sx.RequestKiosk) == []
    assert isinstance(d.state.screen, ss.LockedOut)
    d.send(se.StaffBack())
    d.fire(StaffTimer.LOCKOUT)
    assert not d.state.locked
    assert d.state.wrong_pins == 0
    assert of_type(d.send(se.OpenStaff()), sx.RequestKiosk) == [sx.RequestKiosk(d.state.request)]


def test_a_good_pin_resets_the_count() -> None:
    d = StaffDriver()
    d.to_login()
    d.enter("1001", "000000")
    d.send(se.PinChecked("1001", ok=False))
    d.enter("1001")
    d.send(se.PinChecked("1001", ok=True))
    assert d.state.wrong_pins == 0


def test_a_late_or_foreign_pin_answer_is_ignored() -> None:
    d = StaffDriver()
    d.to_login()
    d.enter("1001")
    d.send(se.PinChecked("1002", ok=True))  # not the number being checked
    assert d.state.staff_id is None
    d.send(se.StaffBack())  # staff walked away: the kiosk goes back to residents
    d.send(se.PinChecked("1001", ok=True))
    assert d.state.staff_id is None
    assert isinstance(d.state.screen, ss.Closed)


def test_staff_wait_for_the_resident_and_may_give_up() -> None:
    d = StaffDriver()
    d.send(se.OpenStaff())
    effects = d.grant(StaffAccess.WAITING)
    assert d.state.screen == ss.Waiting(resident=True)
    assert audits(effects) == [(AuditEvent.STAFF_WAITING, "", {})]
    effects = d.send(se.StaffExit())
    assert sx.ReleaseKiosk() in effects
    assert isinstance(d.state.screen, ss.Closed)
    # The flow's answer to that request, arriving after staff gave up, is not taken (the
    # release is on its way to the flow) — nor one for an old request while a new one waits.
    assert d.send(se.AccessChanged(StaffAccess.OPEN, 1)) == ()
    assert isinstance(d.state.screen, ss.Closed)
    d.send(se.OpenStaff())
    assert d.state.request == 2
    d.send(se.AccessChanged(StaffAccess.OPEN, 1))
    assert isinstance(d.state.screen, ss.Waiting)
    d.grant()
    assert isinstance(d.state.screen, ss.Login)


def test_waiting_ends_after_the_wait_limit() -> None:
    d = StaffDriver()
    d.send(se.OpenStaff())
    d.grant(StaffAccess.WAITING)
    effects = d.fire(StaffTimer.WAIT)
    assert sx.ReleaseKiosk() in effects
    assert isinstance(d.state.screen, ss.Closed)


def test_the_session_ends_by_itself_after_idle_time() -> None:
    d = StaffDriver()
    d.log_in()
    stale = next(t for t in d.state.timers if t.name is StaffTimer.IDLE)
    d.send(se.ShowPage(se.StaffPage.SERVICE))  # an action restarts the idle timer
    assert d.send(se.StaffTimerFired(StaffTimer.IDLE, stale.serial)) == ()  # the old one
    effects = d.fire(StaffTimer.IDLE)
    assert sx.ReleaseKiosk() in effects
    assert (AuditEvent.STAFF_LOGOUT, "idle", {"staff_id": "1001"}) in audits(effects)
    assert isinstance(d.state.screen, ss.Closed)
    assert d.state.staff_id is None


def test_out_of_service_and_back_with_the_staff_id() -> None:
    d = StaffDriver()
    d.log_in()
    d.send(se.ShowPage(se.StaffPage.SERVICE))
    effects = d.send(se.TakeOutOfService(ServiceStop.PRINTER))
    assert effects[0] == sx.ApplyService("1001", ServiceStop.PRINTER)
    assert d.state.screen.busy
    effects = d.send(se.ServiceApplied(ServiceStop.PRINTER))
    assert d.state.stop is ServiceStop.PRINTER
    assert audits(effects) == [(AuditEvent.STAFF_SERVICE, "out:printer", {"staff_id": "1001"})]
    d.send(se.PutBackInService())
    effects = d.send(se.ServiceApplied(None))
    assert d.state.stop is None
    assert audits(effects) == [(AuditEvent.STAFF_SERVICE, "in", {"staff_id": "1001"})]


def test_a_journal_failure_records_nothing_and_frees_the_page() -> None:
    d = StaffDriver()
    d.log_in()
    d.send(se.ShowPage(se.StaffPage.SERVICE), se.TakeOutOfService(ServiceStop.CLOSED))
    d.send(se.StaffJournalFailed("disk full"))
    assert d.state.stop is None
    assert not d.state.screen.busy
    assert d.state.message == "journal_failed"


def test_paying_back_owed_money() -> None:
    entry = OwedEntry(7, "boot-000003", AT, 200, OwedCode.REFUND_SHORT)
    d = StaffDriver()
    d.log_in()
    assert d.send(se.ShowPage(se.StaffPage.OWED))[0] == sx.ReadOwed()
    d.send(se.OwedRead((entry,)))
    d.send(se.ConfirmPaidBack())  # nothing chosen: nothing happens
    d.send(se.ChooseOwed(99))  # no such entry
    assert d.state.screen.chosen is None
    d.send(se.ChooseOwed(7))
    effects = d.send(se.ConfirmPaidBack())
    assert of_type(effects, sx.RecordPaidBack) == [sx.RecordPaidBack("1001", 7, 200)]
    effects = d.send(se.PaidBackRecorded(7, ()))
    assert d.state.screen == ss.Owed(entries=(), paid=7)
    [(event, outcome, details)] = audits(effects)
    assert (event, outcome) == (AuditEvent.STAFF_PAID_BACK, "success")
    assert details == {
        "staff_id": "1001",
        "entry": 7,
        "txn_id": "boot-000003",
        "yen": 200,
        "staff_code": "P-412",
    }


def test_a_refill_count_is_sent_with_the_unit_s_count_before() -> None:
    from kiosk.operations.status import CashLevels

    before = CashLevels({Denomination.Y100: 10}, {})
    d = StaffDriver()
    d.log_in()
    d.send(se.ShowPage(se.StaffPage.CASH), se.CashRead(before))
    d.send(se.StartCount(CashCountKind.REFILL))
    d.send(se.EditCount(Denomination.Y100))
    d.type("50")
    d.send(se.StaffEnter())
    d.send(se.EditCount(Denomination.Y10000))  # not in a refill
    assert d.state.screen.editing is None
    effects = d.send(se.SubmitCount())
    [record] = of_type(effects, sx.RecordCount)
    assert record.kind is CashCountKind.REFILL
    assert record.before == before
    assert dict(record.counts)[Denomination.Y100] == 50
    result = CountResult("c1", CashCountKind.REFILL, (CountLine(100, 50, 48),))
    effects = d.send(se.CountRecorded(result))
    assert d.state.screen.result == result
    assert sx.ReadCash() in effects
    [(_, _, details)] = audits(effects)
    assert details["difference_yen"] == 200
    assert details["staff_id"] == "1001"


def test_closing_a_day_waits_for_the_center_or_closes_without_it() -> None:
    d = StaffDriver()
    d.log_in()
    assert d.send(se.ShowPage(se.StaffPage.CLOSING))[0] == sx.ReadDays()
    effects = d.send(se.CloseDay(DAY))
    assert sx.RunClosing("1001", DAY) in effects
    d.send(se.ClosingUpdated(ClosingView(DAY, ClosingPhase.CENTER_UNREACHABLE, detail="S-201")))
    effects = d.send(se.CloseWithoutCenter())
    assert sx.RunClosing("1001", DAY, without_center=True) in effects
    totals = Totals(1, 300, 300, 0, 0, 0, 0, 0, None, None, None, None, 1, 0, 0)
    done = ClosingView(DAY, ClosingPhase.DONE, totals=totals, center_missing=True, printed=False,
                       print_fault=PrinterFault.OUT_OF_PAPER)  # fmt: skip
    effects = d.send(se.ClosingUpdated(done))
    assert (AuditEvent.STAFF_CLOSING, "done") in [(e, o) for e, o, _ in audits(effects)]
    # The report can be printed again (the printer had no paper).
    effects = d.send(se.PrintDayReport())
    assert effects[0] == sx.ReprintDayReport("1001", DAY)
    assert d.state.screen.view.printed is None
    # An update for another day is not this closing's.
    d.send(se.ClosingUpdated(replace(done, day=date(2026, 12, 7), printed=True)))
    assert d.state.screen.view.day == DAY


def test_restart_needs_a_confirmation() -> None:
    d = StaffDriver()
    d.log_in()
    d.send(se.ShowPage(se.StaffPage.RESTART))
    effects = d.send(se.ConfirmRestart())
    assert sx.RestartProgram("1001") in effects
    assert (AuditEvent.STAFF_RESTART, "", {"staff_id": "1001"}) in audits(effects)


def test_test_page() -> None:
    d = StaffDriver()
    d.log_in()
    d.send(se.ShowPage(se.StaffPage.TEST_PAGE))
    assert sx.PrintTestPageNow() in d.send(se.PrintTestPage())
    assert of_type(d.send(se.PrintTestPage()), sx.PrintTestPageNow) == []  # not twice at once
    effects = d.send(se.TestPagePrinted(PrinterFault.JAM))
    assert d.state.screen == ss.TestPage(ss.TestPageState.FAILED, PrinterFault.JAM)
    assert audits(effects)[0][1] == "jam"


def test_a_staff_card_names_the_staff_member() -> None:
    settings = StaffSettings(staff_ids=("1001",), card_login=True, card_required=True)
    d = StaffDriver(settings)
    d.send(se.OpenStaff())
    effects = d.grant()
    assert sx.WatchStaffCard(True) in effects
    d.type("1001")  # typing the number is not allowed: the card is required
    assert d.state.screen.entry == ""
    effects = d.send(se.StaffCardSeen(None))
    assert d.state.screen.unknown_card
    assert audits(effects) == [(AuditEvent.STAFF_LOGIN, "unknown_card", {})]
    d.send(se.StaffCardSeen("1001"))
    assert d.state.screen.stage is ss.LoginStage.PIN
    assert d.state.screen.by_card
    d.type(STAFF_PIN)
    assert of_type(d.send(se.StaffEnter()), sx.CheckPin) == [sx.CheckPin("1001", STAFF_PIN)]
    effects = d.send(se.PinChecked("1001", ok=True))
    assert sx.WatchStaffCard(False) in effects


def test_nothing_personal_is_logged() -> None:
    d = StaffDriver()
    d.to_login()
    d.type("1001")
    d.send(se.StaffEnter())
    d.type(STAFF_PIN[:3])
    assert STAFF_PIN[:3] not in str(loggable(d.state))
    assert "1001" not in str(loggable(d.state.screen))  # the typed number is masked too
