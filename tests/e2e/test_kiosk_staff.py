"""Store operations on the real stack: the private pcscd with the virtual card and the staff
card, the simulated center over mutual TLS, the private cupsd's capture queue, the simulated
acceptor, a journal on disk — the kiosk's window with the staff console over it.

- an owed refund followed from the fault, to the slip, to staff paying it back, to the day
  closed with nothing unexplained;
- a day closed against a center that disagrees: every difference listed by transaction;
- the center down at closing (wait, or close without it), the report's printer failing
  (printed again), staff login during a transaction (it waits), wrong PINs (locked).
"""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from hw_sim.stack import SimFault
from kiosk.app.demo_staff import StaffHand, exact_coins
from kiosk.center import wire
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.journal import ClosingStep
from kiosk.operations.reconcile import LineStatus, Note
from kiosk.problems import OwedCode
from kiosk.staff import events as se
from kiosk.staff import state as ss
from kiosk.staff.views import ClosingPhase, ClosingView
from printing.certificates import CertificateKind, CertificateRequest, Jurisdiction, NoOptions
from tests.e2e.conftest import STAFF_PIN, KioskUnderTest, MakeKiosk, pdf_text
from tests.hw_sim.center.harness import open_session

pytestmark = [pytest.mark.pcscd, pytest.mark.cupsd]

PERSONA, PIN = "normal", "1234"
CLOSE_WAIT_S = 120.0
# The center is shared by the whole session, and a day's settlement lists every issuance this
# kiosk id got that day: each test closes a business day of its own (weekdays of December 2026
# at 10:00 JST, when the whole simulated world is open and no other test books anything).
OWN_DAYS = {
    "owed": "2026-12-14",
    "disagrees": "2026-12-15",
    "center_down": "2026-12-16",
    "printer": "2026-12-17",
    "killed": "2026-12-18",
}


def own_day(kiosk: KioskUnderTest, name: str) -> date:
    kiosk.center.set_clock(datetime.fromisoformat(f"{OWN_DAYS[name]}T10:00:00+09:00"))
    return date.fromisoformat(OWN_DAYS[name])


@pytest.fixture
def kiosk(make_kiosk: MakeKiosk) -> KioskUnderTest:
    return make_kiosk(staff=True)


def hand(kiosk: KioskUnderTest) -> StaffHand:
    assert kiosk.operations is not None
    return StaffHand(kiosk.operations.staff, kiosk.driver.window, kiosk.console, None)


def pay_exactly(kiosk: KioskUnderTest) -> str:
    """A resident orders a 住民票 and is on the payment screen; returns the transaction id."""
    driver = kiosk.driver
    driver.to_menu(PERSONA, PIN)
    driver.order(CertificateKind.JUMINHYO)
    driver.confirm()
    state = driver.wait_for(st.Payment, timeout=120)
    assert state.txn is not None
    return state.txn.txn_id


def close_day(staff: StaffHand, day: object) -> ClosingView:
    staff.send(se.ShowPage(se.StaffPage.CLOSING))
    staff.wait("the days", lambda s: isinstance(s.screen, ss.Closing) and s.screen.days is not None)
    staff.send(se.CloseDay(day))  # type: ignore[arg-type]
    state = staff.wait(
        "the closing's end",
        lambda s: (
            isinstance(s.screen, ss.Closing)
            and s.screen.view is not None
            and s.screen.view.phase is not ClosingPhase.RUNNING
        ),
        CLOSE_WAIT_S,
    )
    assert isinstance(state.screen, ss.Closing)
    assert state.screen.view is not None
    return state.screen.view


def test_an_owed_refund_from_the_fault_to_the_slip_to_staff_to_the_closed_day(
    kiosk: KioskUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.audit")
    day = own_day(kiosk, "owed")
    driver = kiosk.driver
    txn_id = pay_exactly(kiosk)
    fee = driver.state.txn.money.due_yen  # type: ignore[union-attr]
    kiosk.faults.set(SimFault.CANCEL, once=True)  # the printer cancels the certificate's job
    kiosk.acceptor.jam_after(0)  # and the acceptor jams as it starts paying the fee back
    driver.insert_money(exact_coins(fee))
    state = driver.wait_until(
        lambda s: isinstance(s.screen, st.OwedSlip) and s.screen.slip is not st.PaperState.PRINTING,
        "the slip printed",
        timeout=120,
    )
    slip = state.screen
    assert isinstance(slip, st.OwedSlip)
    assert slip.slip is st.PaperState.PRINTED
    assert slip.codes == (OwedCode.REFUND_SHORT,)  # the money code, not the printer's R-5xx
    assert slip.yen == fee
    assert driver.state.timer is None  # no timer takes it away
    # The slip that came out: reference, amount, money code, on the A4 printer (no roll here).
    slip_job = max(kiosk.cupsd.capture_dir().glob("job-*.pdf"), key=lambda p: p.stat().st_mtime)
    text = pdf_text(slip_job)
    assert txn_id in text
    assert f"{fee:,}円" in text
    assert "P-412" in text
    assert "返金票" in text
    kiosk.acceptor.clear_jam()
    driver.cancel()  # "I have the slip"
    driver.wait_for(st.Fault)
    driver.send(ev.Finish())
    driver.wait_for(st.Start)
    driver.take_card()
    # Staff: the hidden key, the staff card names them, the PIN on the keypad.
    staff = hand(kiosk)
    staff.press_key(staff_key())
    staff.wait("the staff login", lambda s: isinstance(s.screen, ss.Login))
    kiosk.dock.insert_staff_card(driver.slot)
    staff.wait("the PIN", lambda s: getattr(s.screen, "stage", None) is ss.LoginStage.PIN)
    kiosk.dock.remove(driver.slot)
    staff.tap_keys(STAFF_PIN)
    staff.enter()
    staff.wait("the menu", lambda s: isinstance(s.screen, ss.Menu))
    assert kiosk.runner.state.staff_access is st.StaffAccess.OPEN
    staff.send(se.ShowPage(se.StaffPage.OWED))
    state = staff.wait(
        "the owed entries", lambda s: isinstance(s.screen, ss.Owed) and s.screen.entries is not None
    )
    assert isinstance(state.screen, ss.Owed)
    (entry,) = state.screen.entries or ()
    assert (entry.txn_id, entry.yen, entry.code) == (txn_id, fee, OwedCode.REFUND_SHORT)
    staff.send(se.ChooseOwed(entry.entry))
    staff.send(se.ConfirmPaidBack())
    staff.wait("paid back", lambda s: isinstance(s.screen, ss.Owed) and s.screen.paid is not None)
    with kiosk.journal() as journal:
        (closed,) = journal.owed_entries(open_only=False)
        assert closed.paid_by == "1001"
        assert closed.paid_yen == fee
        assert journal.owed_entries() == []
    # The day the center booked the issuance on, closed: nothing unexplained.
    with kiosk.journal() as journal:
        assert journal.summary(txn_id).business_date == day  # the center's day, journaled
    view = close_day(staff, day)
    assert view.phase is ClosingPhase.DONE
    assert view.totals is not None
    assert view.totals.unexplained == 0
    assert view.printed is True
    (line,) = [line for line in view.differences if line.txn_id == txn_id]
    assert line.status is LineStatus.EXPLAINED
    assert line.notes == (Note.OWED_PAID_BACK,)
    assert line.center is not None
    assert line.center.completion is not None
    assert line.center.completion.refund_pending_yen == fee  # as reported, paid by staff since
    report = max(kiosk.cupsd.capture_dir().glob("job-*.pdf"), key=lambda p: p.stat().st_mtime)
    assert "日計表" in pdf_text(report)
    csv_path = kiosk.journal_path.parent / "closings" / view.csv_name
    rows = {r["txn_id"]: r for r in csv.DictReader(csv_path.read_text().splitlines())}
    assert rows[txn_id]["notes"] == "owed_paid_back"
    staff.send(se.StaffExit())
    staff.wait("the residents' kiosk", lambda s: isinstance(s.screen, ss.Closed))
    driver.wait_until(lambda s: s.staff_access is st.StaffAccess.NONE, "the kiosk released")
    # The audit log has every staff action with the staff id, and no PIN.
    lines = [r.getMessage() for r in caplog.records if r.name == "kiosk.audit"]
    staff_lines = [line for line in lines if '"staff-' in line]
    for event in ("staff-login", "staff-paid-back", "staff-closing", "staff-logout"):
        assert any(f'"{event}"' in line and '"staff_id": "1001"' in line for line in staff_lines)
    assert not any(STAFF_PIN in line for line in lines)


def test_a_day_closed_against_a_center_that_disagrees_lists_every_difference(
    kiosk: KioskUnderTest, center_pki: object
) -> None:
    day = own_day(kiosk, "disagrees")
    driver = kiosk.driver
    # One issuance as it should be: printed, paid, reported.
    driver.to_menu(PERSONA, PIN)
    driver.order(CertificateKind.INKAN)
    driver.confirm()
    state = driver.wait_for(st.Payment, timeout=120)
    matched = state.txn.txn_id  # type: ignore[union-attr]
    driver.insert_money(exact_coins(state.txn.money.due_yen))  # type: ignore[union-attr]
    driver.wait_for(st.Done, timeout=120)
    driver.take_everything()
    driver.take_card()
    driver.send(ev.Finish())
    driver.wait_for(st.Start)
    # The center disagrees: it books an issuance for this kiosk that the kiosk never got (a
    # lost answer, another machine with this kiosk's certificate…).
    with kiosk.center.client("kiosk-0001") as client:
        session = open_session(client, center_pki, PERSONA)
        request = CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions(), 1)
        stranger = client.issue(session, request, "stranger-" + matched[-12:]).envelope
        client.end_session(session)
    staff = hand(kiosk)
    staff.log_in("1001", STAFF_PIN)
    view = close_day(staff, day)
    assert view.phase is ClosingPhase.DONE
    assert view.totals is not None
    assert view.totals.unexplained == 1
    by_issuance = {line.issuance_id: line for line in view.differences}
    line = by_issuance[stranger.issuance_id]
    assert line.notes == (Note.NOT_IN_JOURNAL,)
    assert line.kiosk is None
    assert all(line.txn_id != matched for line in view.differences)  # the good one matched
    # Listed in the CSV and on the printed report, by issuance.
    csv_path = kiosk.journal_path.parent / "closings" / view.csv_name
    rows = list(csv.DictReader(csv_path.read_text().splitlines()))
    assert any(
        r["issuance_id"] == stranger.issuance_id and r["status"] == "unexplained" for r in rows
    )
    assert any(r["txn_id"] == matched and r["status"] == "matched" for r in rows)
    report = max(kiosk.cupsd.capture_dir().glob("job-*.pdf"), key=lambda p: p.stat().st_mtime)
    assert stranger.issuance_id[:20] in pdf_text(report)
    # The closing was journaled step by step.
    with kiosk.journal() as journal:
        steps = [r.step for r in journal.closing(day).steps]
    assert steps[0] is ClosingStep.STARTED
    assert steps[-1] is ClosingStep.DONE
    assert ClosingStep.PRINTED in steps


def test_center_down_at_closing_waits_or_closes_without_it(kiosk: KioskUnderTest) -> None:
    staff = hand(kiosk)
    staff.log_in("1001", STAFF_PIN)
    day = own_day(kiosk, "center_down")
    settlements = f"{wire.API_PREFIX}/settlements"
    kiosk.center.fault("error", path_prefix=settlements, status=503, count=None)
    try:
        view = close_day(staff, day)
        assert view.phase is ClosingPhase.CENTER_UNREACHABLE
        assert view.detail == "CenterUnavailable"
        staff.send(se.CloseWithoutCenter())
        state = staff.wait(
            "closed without the center",
            lambda s: (
                isinstance(s.screen, ss.Closing)
                and s.screen.view is not None
                and s.screen.view.phase is ClosingPhase.DONE
            ),
            CLOSE_WAIT_S,
        )
    finally:
        kiosk.center.admin("DELETE", "/admin/faults")
    assert isinstance(state.screen, ss.Closing)
    assert state.screen.view is not None
    assert state.screen.view.center_missing
    with kiosk.journal() as journal:
        assert ClosingStep.CENTER_MISSING in [r.step for r in journal.closing(day).steps]


def test_the_day_report_is_printed_again_after_a_printer_fault(kiosk: KioskUnderTest) -> None:
    staff = hand(kiosk)
    staff.log_in("1001", STAFF_PIN)
    kiosk.faults.set(SimFault.MEDIA_EMPTY)  # the queue reports it at once
    view = close_day(staff, own_day(kiosk, "printer"))
    assert view.phase is ClosingPhase.DONE
    assert view.printed is False
    assert view.print_fault is not None
    kiosk.faults.clear()
    staff.send(se.PrintDayReport())
    state = staff.wait(
        "the report printed",
        lambda s: (
            isinstance(s.screen, ss.Closing)
            and s.screen.view is not None
            and s.screen.view.printed is True
        ),
        CLOSE_WAIT_S,
    )
    assert state.screen.view is not None  # type: ignore[union-attr]


def test_staff_login_during_a_transaction_waits_for_it(kiosk: KioskUnderTest) -> None:
    driver = kiosk.driver
    driver.choose_service(ev.Service.ISSUE)
    driver.wait_for(st.Consent)
    staff = hand(kiosk)
    staff.press_key(staff_key())
    staff.wait("the banner", lambda s: s.screen == ss.Waiting(resident=True))
    assert kiosk.console.banner.isVisible()  # a banner: the resident's screen stays usable
    driver.nav("back")  # the resident goes back to the start: the transaction is over
    staff.wait("the staff login", lambda s: isinstance(s.screen, ss.Login))
    assert kiosk.runner.state.staff_access is st.StaffAccess.OPEN
    staff.send(se.StaffExit())
    driver.wait_until(lambda s: s.staff_access is st.StaffAccess.NONE, "the kiosk released")


def test_five_wrong_pins_lock_staff_out_and_residents_carry_on(kiosk: KioskUnderTest) -> None:
    staff = hand(kiosk)
    staff.press_key(staff_key())
    staff.wait("the staff login", lambda s: isinstance(s.screen, ss.Login))
    for attempt in range(5):
        staff.tap_keys("1001")
        staff.enter()
        staff.tap_keys("0000")
        staff.enter()
        staff.wait(
            f"wrong PIN {attempt + 1}",
            lambda s, count=attempt + 1: s.wrong_pins == count or s.locked,
            30,
        )
    state = staff.staff.current()
    assert state.locked
    assert isinstance(state.screen, ss.LockedOut)
    kiosk.driver.wait_until(lambda s: s.staff_access is st.StaffAccess.NONE, "released")
    kiosk.driver.choose_service(ev.Service.ISSUE)  # residents are served meanwhile
    kiosk.driver.wait_for(st.Consent)
    staff.press_key(staff_key())
    assert isinstance(staff.staff.current().screen, ss.LockedOut)  # still locked


def staff_key() -> object:
    from PySide6.QtCore import Qt

    return Qt.Key.Key_F12


def test_a_closing_killed_midway_resumes_where_it_stopped(kiosk: KioskUnderTest) -> None:
    """kill -9 while the center's settlement is read, then again while the report prints: the
    next closing of the day continues the same run, and the report is printed once."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from kiosk.journal import Journal
    from kiosk.operations.closing import DayCloser
    from printing.cups import CupsPrinter

    day = own_day(kiosk, "killed")
    config = kiosk.center.kiosk_config("kiosk-0001")
    argv = [
        sys.executable, "-m", "tests.e2e.closing_process", str(kiosk.journal_path), day.isoformat(),
        "--center", config.base_url, str(config.ca_path), str(config.cert_path),
        str(config.key_path), "--cups", kiosk.cupsd.address, kiosk.cupsd.capture_queue,
    ]  # fmt: skip
    repo = Path(__file__).resolve().parents[2]

    def steps() -> list[ClosingStep]:
        with Journal(kiosk.journal_path) as journal:
            return [record.step for record in journal.closing(day).steps]

    def run_until(done: Callable[[], bool]) -> None:
        process = subprocess.Popen(argv, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        try:
            while not done():
                assert process.poll() is None, process.communicate()
                assert time.monotonic() < deadline, steps()
                time.sleep(0.05)
        finally:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(10)

    # 1. Killed while the center takes its time over the settlement.
    kiosk.center.fault("slow", path_prefix=f"{wire.API_PREFIX}/settlements", delay_s=20, count=1)
    run_until(lambda: steps() == [ClosingStep.STARTED])
    kiosk.center.admin("DELETE", "/admin/faults")
    # 2. Killed while the report is being printed (a slow printer), after the export.
    kiosk.faults.slow(3.0)
    printer = CupsPrinter(kiosk.cupsd.capture_queue, server=kiosk.cupsd.address)
    title = f"day-report-{day.isoformat()}-r1"
    run_until(lambda: ClosingStep.EXPORTED in steps() and bool(printer.find_jobs(title)))
    assert steps().count(ClosingStep.STARTED) == 1  # the second process resumed the first's run
    assert ClosingStep.DONE not in steps()
    kiosk.faults.clear()
    # 3. The kiosk (started again) closes the day: the same run ends; the job is not resent.
    with Journal(kiosk.journal_path) as journal:
        view = DayCloser(
            journal=journal,
            settlement=lambda d: _settlement(kiosk, d),
            printer=printer,
            folder=kiosk.journal_path.parent / "closings",
            kiosk_id="kiosk-0001",
            clock=lambda: datetime.now(UTC),
        ).close(day, "1001", progress=lambda v: None)
    assert view.phase is ClosingPhase.DONE
    assert view.printed is True
    assert steps().count(ClosingStep.STARTED) == 1
    assert steps()[-2:] == [ClosingStep.PRINTED, ClosingStep.DONE]
    assert len(printer.find_jobs(title)) == 1  # printed once
    printer.close()


def _settlement(kiosk: KioskUnderTest, day: date) -> wire.Settlement:
    with kiosk.center.client("kiosk-0001") as client:
        return client.settlement(day)


def test_the_status_page_shows_a_cash_unit_driven_directly(make_kiosk: MakeKiosk) -> None:
    """The ID-003 + ccTalk cash unit (its simulator on ptys, the kiosk's real driver): the
    staff status page lists the bill validator, the coin acceptor and each hopper as the driver
    sees them, and a jam shows after "Read again"."""
    from PySide6.QtWidgets import QLabel

    from hw_sim.cash import SimConfig

    kiosk = make_kiosk(cash_unit=SimConfig(hoppers=[(3, 100, 40), (4, 10, 60)]), staff=True)
    staff = hand(kiosk)
    staff.log_in("1001", STAFF_PIN)
    staff.send(se.SwitchLanguage("en"))
    staff.send(se.ShowPage(se.StaffPage.STATUS))
    status = staff.wait("the status", lambda s: getattr(s.screen, "status", None) is not None)
    assert isinstance(status.screen, ss.Status)
    assert status.screen.status is not None
    unit = status.screen.status.cash_unit
    assert unit is not None
    assert unit.bill_validator.connected
    assert [h.coin_yen for h in unit.hoppers] == [100, 10]

    def labels() -> list[str]:
        page = kiosk.console.page
        return [w.text() for w in page.findChildren(QLabel) if w.isVisibleTo(page)]

    def shown() -> str:
        return " ".join(labels())

    def jam_marked() -> bool:  # not any ⚠: a machine short of disk marks the journal's row
        return any("jam" in text.lower() and text.endswith("⚠") for text in labels())

    for row in ("Bill validator", "Coin acceptor", "Hopper 100 yen", "Hopper 10 yen"):
        assert row in shown()
    assert "Bill validator ready" in " ".join(shown().split())
    kiosk.cash_control.jam_validator("acceptor")  # the validator reports a jam when polled
    deadline = time.monotonic() + 30
    while not jam_marked():
        assert time.monotonic() < deadline, shown()
        staff.send(se.Refresh())
        staff.wait("the status", lambda s: getattr(s.screen, "status", None) is not None)
        staff.pump(0.5)
    kiosk.cash_control.clear_jam()
