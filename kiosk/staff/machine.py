"""``step(state, event) -> (state, effects)``: the staff flow, pure (like kiosk/flow).

Entry: the hidden gesture opens the staff login, which first asks the resident flow for the
kiosk — granted at once when no resident is served, else when the transaction ends (staff see
a banner meanwhile, and may give up). Staff number (or a staff card) and PIN; the runtime
checks the PIN against the profile's salted slow hash. ``max_wrong_pins`` wrong ones lock the
login for ``lockout_s``. The session ends on Exit or after ``idle_s`` without a staff action.
Every staff action is audited with the staff id; nothing personal is.
"""

from __future__ import annotations

import typing
from dataclasses import replace
from typing import assert_never

from kiosk.audit import AuditEvent, audit
from kiosk.flow.state import StaffAccess
from kiosk.journal.operations import CashCountKind
from kiosk.payment import BILLS, COINS, Denomination
from kiosk.staff import effects as sx
from kiosk.staff import events as se
from kiosk.staff.state import (
    PIECES_MAX,
    PIN_MAX,
    PIN_MIN,
    STAFF_LANGUAGES,
    STAFF_NUMBER_MAX,
    ActiveStaffTimer,
    Cash,
    Closed,
    Closing,
    LockedOut,
    Login,
    LoginStage,
    Menu,
    Owed,
    Restart,
    Service,
    StaffScreen,
    StaffState,
    StaffTimer,
    Status,
    TestPage,
    TestPageState,
    Waiting,
)
from kiosk.staff.views import ClosingPhase, ClosingView

Effects = tuple[sx.StaffEffect, ...]
Outcome = tuple[StaffState, Effects]

# What staff count in a refill (the change stores: coins and the recycled 1000-yen bill) and in
# a collection (everything the cash box may hold).
REFILL_PIECES: tuple[Denomination, ...] = (*COINS, Denomination.Y1000)
COLLECTION_PIECES: tuple[Denomination, ...] = (*COINS, *BILLS)

DIGITS = "0123456789"  # the keypad's (str.isdigit would also take other scripts' digits)

# Messages for the screen (msgids of the staff catalog, kiosk/staff/texts.py).
MSG_SAVED = "saved"
MSG_JOURNAL_FAILED = "journal_failed"
MSG_LOCKED = "locked"


def step(state: StaffState, event: se.StaffEvent) -> Outcome:
    """The next staff state and the effects to run for ``event``."""
    new, effects = _dispatch(state, event)
    new, timers = _arm_idle(state, new, event)
    return new, effects + timers


def _dispatch(state: StaffState, event: se.StaffEvent) -> Outcome:
    match event:
        case se.OpenStaff():
            return _open(state)
        case se.AccessChanged(access=access, request=request):
            if request != state.request:
                return state, ()  # the answer to a request staff gave up since
            return _access(state, access)
        case se.StaffTimerFired():
            return _timer(state, event)
        case se.StaffExit():
            if isinstance(state.screen, Closed):
                return state, ()
            return _leave(state, "exit")
        case se.SwitchLanguage(language=language) if language in STAFF_LANGUAGES:
            return replace(state, language=language), ()
        case se.StaffJournalFailed():
            return _busy_done(replace(state, message=MSG_JOURNAL_FAILED)), ()
        case _:
            pass
    screen = state.screen
    match screen:
        case Closed() | Waiting():
            return state, ()
        case Login():
            return _on_login(state, screen, event)
        case LockedOut():
            return (_close(state), ()) if isinstance(event, se.StaffBack) else (state, ())
        case _:
            if state.staff_id is None:
                return state, ()  # a page without a session cannot be (belt and braces)
            return _on_page(state, screen, event)


# --- entry, login, lockout, leaving ----------------------------------------------------------


def _open(state: StaffState) -> Outcome:
    if not isinstance(state.screen, Closed):
        return state, ()
    if state.locked:
        return replace(state, screen=LockedOut(), message=MSG_LOCKED), ()
    request = state.request + 1
    state = replace(state, screen=Waiting(), request=request)
    state, timer = _start_timer(state, StaffTimer.WAIT, state.settings.wait_s)
    return state, (sx.RequestKiosk(request), *timer)


def _access(state: StaffState, access: StaffAccess) -> Outcome:
    if not isinstance(state.screen, Waiting):
        return state, ()
    if access is StaffAccess.WAITING:
        note = _note(AuditEvent.STAFF_WAITING)
        return replace(state, screen=Waiting(resident=True)), (note,)
    if access is StaffAccess.NONE:
        return _close(state), ()
    login = Login(stage=LoginStage.STAFF_NUMBER)
    state, cancelled = _cancel_timer(replace(state, screen=login), StaffTimer.WAIT)
    watch: Effects = (sx.WatchStaffCard(True),) if state.settings.card_login else ()
    return state, (*cancelled, *watch)


def _on_login(state: StaffState, screen: Login, event: se.StaffEvent) -> Outcome:
    settings = state.settings
    typing_allowed = screen.stage is LoginStage.PIN or not settings.card_required
    match event:
        case se.StaffDigit(digit=digit) if len(digit) == 1 and digit in DIGITS:
            limit = PIN_MAX if screen.stage is LoginStage.PIN else STAFF_NUMBER_MAX
            if screen.checking or not typing_allowed or len(screen.entry) >= limit:
                return state, ()
            return _screen(state, replace(screen, entry=screen.entry + digit, wrong=False)), ()
        case se.StaffBackspace() if not screen.checking:
            return _screen(state, replace(screen, entry=screen.entry[:-1])), ()
        case se.StaffClear() if not screen.checking:
            return _screen(state, replace(screen, entry="")), ()
        case se.StaffEnter() if not screen.checking and screen.stage is LoginStage.STAFF_NUMBER:
            if not screen.entry or not typing_allowed:
                return state, ()
            pin = Login(LoginStage.PIN, staff_id=screen.entry, tries_left=screen.tries_left)
            return _screen(state, pin), ()
        case se.StaffEnter() if not screen.checking and screen.stage is LoginStage.PIN:
            if not PIN_MIN <= len(screen.entry) <= PIN_MAX:
                return state, ()
            check = sx.CheckPin(screen.staff_id, screen.entry)
            return _screen(state, replace(screen, entry="", checking=True)), (check,)
        case se.StaffCardSeen(staff_id=staff_id) if not screen.checking:
            if staff_id is None:
                return _screen(state, replace(screen, unknown_card=True)), (
                    _note(AuditEvent.STAFF_LOGIN, "unknown_card"),
                )
            pin = Login(
                LoginStage.PIN, staff_id=staff_id, by_card=True, tries_left=screen.tries_left
            )
            return _screen(state, pin), ()
        case se.PinChecked(staff_id=staff_id, ok=ok) if screen.checking:
            if staff_id != screen.staff_id:
                return state, ()
            return _logged_in(state, staff_id) if ok else _wrong_pin(state, screen)
        case se.StaffBack():
            if screen.stage is LoginStage.PIN and not screen.by_card and not screen.checking:
                return _screen(state, Login(tries_left=screen.tries_left)), ()
            return _leave(state, "")
        case _:
            return state, ()


def _logged_in(state: StaffState, staff_id: str) -> Outcome:
    state = replace(state, screen=Menu(), staff_id=staff_id, wrong_pins=0, message="")
    effects: Effects = (_note(AuditEvent.STAFF_LOGIN, "success", staff_id=staff_id),)
    if state.settings.card_login:
        effects = (sx.WatchStaffCard(False), *effects)
    return state, effects


def _wrong_pin(state: StaffState, screen: Login) -> Outcome:
    wrong = state.wrong_pins + 1
    limit = state.settings.max_wrong_pins
    note = _note(AuditEvent.STAFF_LOGIN, "wrong_pin", tries_left=max(0, limit - wrong))
    if wrong < limit:
        retry = Login(LoginStage.STAFF_NUMBER, wrong=True, tries_left=limit - wrong)
        if screen.by_card:
            retry = Login(
                LoginStage.PIN,
                staff_id=screen.staff_id,
                wrong=True,
                tries_left=limit - wrong,
                by_card=True,
            )
        return replace(state, screen=retry, wrong_pins=wrong), (note,)
    # Locked: the kiosk goes back to residents; the login refuses until the lockout ends.
    state, leave = _leave(replace(state, wrong_pins=wrong), "")
    state = replace(state, locked=True, screen=LockedOut(), message=MSG_LOCKED)
    state, lock = _start_timer(state, StaffTimer.LOCKOUT, state.settings.lockout_s)
    return state, (note, *leave, _note(AuditEvent.STAFF_LOCKOUT, "locked"), *lock)


def _leave(state: StaffState, how: str) -> Outcome:
    """End the session (or the login, or the wait): the kiosk is the residents' again."""
    effects: list[sx.StaffEffect] = []
    if state.staff_id is not None and how:
        effects.append(_note(AuditEvent.STAFF_LOGOUT, how, staff_id=state.staff_id))
    if isinstance(state.screen, Login) and state.settings.card_login:
        effects.append(sx.WatchStaffCard(False))
    effects.append(sx.ReleaseKiosk())
    state, cancelled = _cancel_timer(state, StaffTimer.WAIT)
    state, idle = _cancel_timer(state, StaffTimer.IDLE)
    return _close(state), (*effects, *cancelled, *idle)


def _close(state: StaffState) -> StaffState:
    return replace(state, screen=Closed(), staff_id=None, message="")


def _timer(state: StaffState, event: se.StaffTimerFired) -> Outcome:
    live = next((t for t in state.timers if t.name is event.name), None)
    if live is None or live.serial != event.serial:
        return state, ()  # restarted or cancelled meanwhile
    state = replace(state, timers=tuple(t for t in state.timers if t is not live))
    match event.name:
        case StaffTimer.LOCKOUT:
            state = replace(state, locked=False, wrong_pins=0)
            if isinstance(state.screen, LockedOut):
                state = _close(state)
            return state, (_note(AuditEvent.STAFF_LOCKOUT, "unlocked"),)
        case StaffTimer.WAIT:
            if isinstance(state.screen, Waiting):
                return _leave(state, "")
            return state, ()
        case StaffTimer.IDLE:
            if isinstance(state.screen, Closed | Waiting):
                return state, ()
            if state.staff_id is None:
                return _leave(state, "")
            return _leave(state, "idle")
        case _:
            assert_never(event.name)


# --- the pages ---------------------------------------------------------------------------------


def _on_page(state: StaffState, screen: StaffScreen, event: se.StaffEvent) -> Outcome:
    staff_id = state.staff_id
    assert staff_id is not None
    match event:
        case se.ShowPage(page=page):
            return _show(replace(state, message=""), page)
        case se.StaffBack() if not isinstance(screen, Menu):
            if isinstance(screen, Cash) and (screen.kind is not None or screen.result):
                return _screen(state, Cash(levels=screen.levels, read=screen.read)), ()
            return replace(state, screen=Menu(), message=""), ()
        case _:
            pass
    match screen:
        case Menu() | Restart():
            if isinstance(event, se.ConfirmRestart) and isinstance(screen, Restart):
                return _screen(state, Restart(confirmed=True)), (
                    _note(AuditEvent.STAFF_RESTART, staff_id=staff_id),
                    sx.RestartProgram(staff_id),
                )
            return state, ()
        case Status():
            match event:
                case se.StatusRead(status=status):
                    return _screen(state, Status(status)), ()
                case se.Refresh():
                    return _screen(state, Status()), (sx.ReadStatus(),)
            return state, ()
        case TestPage():
            return _on_test_page(state, screen, event)
        case Service():
            return _on_service(state, screen, event, staff_id)
        case Owed():
            return _on_owed(state, screen, event, staff_id)
        case Cash():
            return _on_cash(state, screen, event, staff_id)
        case Closing():
            return _on_closing(state, screen, event, staff_id)
        case _:
            return state, ()


def _show(state: StaffState, page: se.StaffPage) -> Outcome:
    match page:
        case se.StaffPage.STATUS:
            return _screen(state, Status()), (sx.ReadStatus(),)
        case se.StaffPage.TEST_PAGE:
            return _screen(state, TestPage()), ()
        case se.StaffPage.SERVICE:
            return _screen(state, Service()), ()
        case se.StaffPage.OWED:
            return _screen(state, Owed()), (sx.ReadOwed(),)
        case se.StaffPage.CASH:
            return _screen(state, Cash()), (sx.ReadCash(),)
        case se.StaffPage.CLOSING:
            return _screen(state, Closing()), (sx.ReadDays(),)
        case se.StaffPage.RESTART:
            return _screen(state, Restart()), ()
        case _:
            assert_never(page)


def _on_test_page(state: StaffState, screen: TestPage, event: se.StaffEvent) -> Outcome:
    match event:
        case se.PrintTestPage() if screen.state is not TestPageState.PRINTING:
            note = _note(AuditEvent.STAFF_TEST_PAGE, "init", staff_id=state.staff_id or "")
            return _screen(state, TestPage(TestPageState.PRINTING)), (note, sx.PrintTestPageNow())
        case se.TestPagePrinted(fault=fault) if screen.state is TestPageState.PRINTING:
            page = TestPage(TestPageState.FAILED if fault else TestPageState.PRINTED, fault)
            outcome = fault.value if fault else "success"
            note = _note(AuditEvent.STAFF_TEST_PAGE, outcome, staff_id=state.staff_id or "")
            return _screen(state, page), (note,)
        case _:
            return state, ()


def _on_service(state: StaffState, screen: Service, event: se.StaffEvent, staff_id: str) -> Outcome:
    match event:
        case se.TakeOutOfService(stop=stop) if not screen.busy:
            return _screen(state, Service(busy=True)), (sx.ApplyService(staff_id, stop),)
        case se.PutBackInService() if not screen.busy and state.stop is not None:
            return _screen(state, Service(busy=True)), (sx.ApplyService(staff_id, None),)
        case se.ServiceApplied(stop=stop):
            outcome = f"out:{stop.value}" if stop is not None else "in"
            note = _note(AuditEvent.STAFF_SERVICE, outcome, staff_id=staff_id)
            return replace(state, screen=Service(), stop=stop, message=MSG_SAVED), (note,)
        case _:
            return state, ()


def _on_owed(state: StaffState, screen: Owed, event: se.StaffEvent, staff_id: str) -> Outcome:
    match event:
        case se.OwedRead(entries=entries):
            return _screen(state, Owed(entries=entries)), ()
        case se.Refresh():
            return _screen(state, Owed()), (sx.ReadOwed(),)
        case se.ChooseOwed(entry=entry) if not screen.busy and screen.entries is not None:
            if any(e.entry == entry for e in screen.entries):
                return _screen(state, replace(screen, chosen=entry, paid=None)), ()
            return state, ()
        case se.ConfirmPaidBack() if not screen.busy and screen.chosen is not None:
            entry_chosen = next(e for e in screen.entries or () if e.entry == screen.chosen)
            record = sx.RecordPaidBack(staff_id, entry_chosen.entry, entry_chosen.yen)
            return _screen(state, replace(screen, busy=True)), (record,)
        case se.PaidBackRecorded(entry=entry, entries=entries):
            chosen = next((e for e in screen.entries or () if e.entry == entry), None)
            note = _note(
                AuditEvent.STAFF_PAID_BACK,
                "success",
                staff_id=staff_id,
                entry=entry,
                txn_id=chosen.txn_id if chosen else "",
                yen=chosen.yen if chosen else 0,
                staff_code=chosen.code.value if chosen else "",
            )
            owed = Owed(entries=entries, paid=entry)
            return replace(state, screen=owed, message=MSG_SAVED), (note,)
        case se.StaffBack() if screen.chosen is not None:
            return _screen(state, replace(screen, chosen=None)), ()
        case _:
            return state, ()


def _on_cash(state: StaffState, screen: Cash, event: se.StaffEvent, staff_id: str) -> Outcome:
    match event:
        case se.CashRead(levels=levels):
            return _screen(state, replace(screen, levels=levels, read=True)), ()
        case se.Refresh() if screen.kind is None:
            return _screen(state, Cash()), (sx.ReadCash(),)
        case se.StartCount(kind=kind) if screen.kind is None and not screen.busy:
            pieces = REFILL_PIECES if kind is CashCountKind.REFILL else COLLECTION_PIECES
            counts = tuple((piece, 0) for piece in pieces)
            counting = Cash(levels=screen.levels, kind=kind, before=screen.levels, counts=counts,
                            read=screen.read)  # fmt: skip
            return _screen(state, counting), ()
        case se.EditCount(denomination=piece) if screen.kind is not None and not screen.busy:
            if all(p is not piece for p, _ in screen.counts):
                return state, ()
            return _screen(state, replace(screen, editing=piece, entry="")), ()
        case se.StaffDigit(digit=digit) if screen.editing is not None and digit in DIGITS:
            entry = (screen.entry + digit)[:4]
            if int(entry) > PIECES_MAX:
                return state, ()
            return _screen(state, replace(screen, entry=entry)), ()
        case se.StaffBackspace() if screen.editing is not None:
            return _screen(state, replace(screen, entry=screen.entry[:-1])), ()
        case se.StaffClear() if screen.editing is not None:
            return _screen(state, replace(screen, entry="")), ()
        case se.StaffEnter() if screen.editing is not None:
            counted = int(screen.entry or "0")
            counts = tuple(
                (piece, counted if piece is screen.editing else number)
                for piece, number in screen.counts
            )
            return _screen(state, replace(screen, counts=counts, editing=None, entry="")), ()
        case se.SubmitCount() if screen.kind is not None and not screen.busy:
            if screen.editing is not None:
                return state, ()  # finish the number being typed first
            record = sx.RecordCount(staff_id, screen.kind, screen.counts, screen.before)
            return _screen(state, replace(screen, busy=True)), (record,)
        case se.CountRecorded(result=result):
            note = _note(
                AuditEvent.STAFF_CASH_COUNT,
                result.kind.value,
                staff_id=staff_id,
                count_id=result.count_id,
                difference_yen=result.difference_yen,
            )
            done = Cash(levels=None, result=result)
            return replace(state, screen=done, message=MSG_SAVED), (note, sx.ReadCash())
        case _:
            return state, ()


def _on_closing(state: StaffState, screen: Closing, event: se.StaffEvent, staff_id: str) -> Outcome:
    view = screen.view
    running = view is not None and view.phase is ClosingPhase.RUNNING
    match event:
        case se.DaysRead(days=days):
            return _screen(state, replace(screen, days=days)), ()
        case se.CloseDay(day=day) if not running:
            starting = ClosingView(day, ClosingPhase.RUNNING)
            note = _note(
                AuditEvent.STAFF_CLOSING, "started", staff_id=staff_id, day=day.isoformat()
            )
            state = replace(state, closing_day=day)
            return _screen(state, replace(screen, view=starting)), (
                note,
                sx.RunClosing(staff_id, day),
            )
        case se.CloseWithoutCenter() if view is not None:
            if view.phase is not ClosingPhase.CENTER_UNREACHABLE:
                return state, ()
            note = _note(
                AuditEvent.STAFF_CLOSING,
                "center_missing",
                staff_id=staff_id,
                day=view.day.isoformat(),
            )
            running_view = replace(view, phase=ClosingPhase.RUNNING)
            return _screen(state, replace(screen, view=running_view)), (
                note,
                sx.RunClosing(staff_id, view.day, without_center=True),
            )
        case se.PrintDayReport() if view is not None and view.phase is ClosingPhase.DONE:
            reprint = replace(view, printed=None, print_fault=None)
            return _screen(state, replace(screen, view=reprint)), (
                sx.ReprintDayReport(staff_id, view.day),
            )
        case se.ClosingUpdated(view=updated):
            if updated.day != state.closing_day:
                return state, ()
            notes: Effects = ()
            if updated.phase is ClosingPhase.DONE and (
                view is None or view.phase is not ClosingPhase.DONE
            ):
                unexplained = updated.totals.unexplained if updated.totals else 0
                notes = (
                    _note(
                        AuditEvent.STAFF_CLOSING,
                        "done",
                        staff_id=staff_id,
                        day=updated.day.isoformat(),
                        reason=f"unexplained={unexplained}",
                    ),
                )
            return _screen(state, replace(screen, view=updated)), notes
        case se.Refresh() if not running:
            return _screen(state, Closing()), (sx.ReadDays(),)
        case se.StaffBack() if view is not None and not running:
            return _screen(state, Closing(days=screen.days)), (sx.ReadDays(),)
        case _:
            return state, ()


# --- helpers ---------------------------------------------------------------------------------


def _screen(state: StaffState, screen: StaffScreen) -> StaffState:
    return replace(state, screen=screen)


def _busy_done(state: StaffState) -> StaffState:
    """A staff record failed: the page stops waiting for it (nothing was recorded)."""
    screen = state.screen
    if isinstance(screen, Service | Owed | Cash):
        return replace(state, screen=replace(screen, busy=False))
    return state


def _note(event: AuditEvent, outcome: str = "", **details: str | int) -> sx.StaffAudit:
    return sx.StaffAudit(audit(event, outcome, **details))


def _start_timer(state: StaffState, name: StaffTimer, seconds: float) -> Outcome:
    serial = state.timer_serial + 1
    timers = tuple(t for t in state.timers if t.name is not name)
    state = replace(state, timers=(*timers, ActiveStaffTimer(name, serial)), timer_serial=serial)
    return state, (sx.StartStaffTimer(name, seconds, serial),)


def _cancel_timer(state: StaffState, name: StaffTimer) -> Outcome:
    if not any(t.name is name for t in state.timers):
        return state, ()
    timers = tuple(t for t in state.timers if t.name is not name)
    return replace(state, timers=timers), (sx.CancelStaffTimer(name),)


_ACTIVITY: tuple[type, ...] = (
    *typing.get_args(se.StaffIntent),
    se.ClosingUpdated,  # a closing in progress keeps the session
    se.TestPagePrinted,
)


def _arm_idle(old: StaffState, new: StaffState, event: se.StaffEvent) -> Outcome:
    """The idle timer runs on every staff screen but the banner, and restarts on every staff
    action (and while a closing reports progress)."""
    shown = not isinstance(new.screen, Closed | Waiting | LockedOut)
    if not shown:
        return _cancel_timer(new, StaffTimer.IDLE)
    running = any(t.name is StaffTimer.IDLE for t in new.timers)
    fired = isinstance(event, se.StaffTimerFired) and any(
        t.name is StaffTimer.IDLE and t.serial == event.serial for t in old.timers
    )
    if running and not fired and not isinstance(event, _ACTIVITY):
        return new, ()
    return _start_timer(new, StaffTimer.IDLE, new.settings.idle_s)


__all__ = ["COLLECTION_PIECES", "REFILL_PIECES", "step"]
