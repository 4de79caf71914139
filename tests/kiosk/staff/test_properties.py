"""Random sequences of staff actions and answers against a simulated runtime and resident
flow: the rules of staff mode always hold.

- the kiosk is held by staff exactly while a staff screen (not a banner) is up, and always
  handed back when it closes;
- a page is only ever shown to a staff member whose PIN was checked good, and every action it
  asks for carries that staff id;
- wrong PINs lock the login at the profile's count, and nothing asks for the kiosk while locked;
- the PIN is never in a state outside the login's entry, never in an effect but the one that
  checks it, never in an audit record;
- every staff screen (not the banners) has an idle timer running.
"""

from __future__ import annotations

import typing
from dataclasses import fields, is_dataclass
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.flow.state import StaffAccess
from kiosk.journal.operations import CashCountKind, OwedEntry
from kiosk.operations.status import CashLevels
from kiosk.payment import Denomination
from kiosk.problems import OwedCode, ServiceStop
from kiosk.staff import StaffSettings, initial_staff_state, step
from kiosk.staff import effects as sx
from kiosk.staff import events as se
from kiosk.staff import state as ss
from kiosk.staff.views import ClosingPhase, ClosingView, CountResult
from printing.faults import PrinterFault

PIN = "739164"
WRONG = "000000"
DAY = date(2026, 12, 8)
ENTRY = OwedEntry(3, "boot-000001", datetime(2026, 12, 8, tzinfo=UTC), 200, OwedCode.REFUND_SHORT)
PAGES = [se.ShowPage(page) for page in se.StaffPage]
INTENTS: list[se.StaffEvent] = [
    se.OpenStaff(),
    se.StaffDigit("1"),
    se.StaffDigit("0"),
    se.StaffBackspace(),
    se.StaffClear(),
    se.StaffEnter(),
    se.StaffBack(),
    se.StaffExit(),
    se.SwitchLanguage("en"),
    se.Refresh(),
    se.PrintTestPage(),
    se.TakeOutOfService(ServiceStop.MAINTENANCE),
    se.PutBackInService(),
    se.ChooseOwed(3),
    se.ConfirmPaidBack(),
    se.StartCount(CashCountKind.COLLECTION),
    se.EditCount(Denomination.Y100),
    se.SubmitCount(),
    se.CloseDay(DAY),
    se.CloseWithoutCenter(),
    se.PrintDayReport(),
    se.ConfirmRestart(),
    *PAGES,
]


class World:
    """The staff runtime and the resident flow, as the staff flow sees them."""

    def __init__(self, card: bool) -> None:
        self.settings = StaffSettings(
            staff_ids=("1001",), max_wrong_pins=3, card_login=card, card_required=False
        )
        self.state = initial_staff_state(self.settings)
        # The resident flow's side: whether it granted the kiosk, for which request.
        self.access = StaffAccess.NONE
        self.request = 0
        self.resident_busy = False
        self.pending: list[list[se.StaffEvent]] = []
        self.checked_good: set[str] = set()  # staff ids whose PIN answered good
        self.pin_to_check: str | None = None

    def send(self, event: se.StaffEvent) -> None:
        old = self.state
        self.state, effects = step(old, event)
        check(self, old, event, effects)
        for effect in effects:
            self.run(effect)
        check_state(self)

    def run(self, effect: sx.StaffEffect) -> None:
        answers: list[se.StaffEvent] = []
        match effect:
            case sx.RequestKiosk(request=request):
                self.request = request
                self.access = StaffAccess.WAITING if self.resident_busy else StaffAccess.OPEN
                answers = [se.AccessChanged(self.access, request)]
            case sx.ReleaseKiosk():
                self.access = StaffAccess.NONE
            case sx.CheckPin(staff_id=staff_id, pin=pin):
                answers = [se.PinChecked(staff_id, pin == PIN and staff_id == "1001")]
            case sx.WatchStaffCard(on=True):
                answers = [se.StaffCardSeen("1001"), se.StaffCardSeen(None)]
            case sx.ReadStatus() | sx.RestartProgram():
                pass
            case sx.PrintTestPageNow():
                answers = [se.TestPagePrinted(None), se.TestPagePrinted(PrinterFault.JAM)]
            case sx.ApplyService(stop=stop):
                answers = [se.ServiceApplied(stop), se.StaffJournalFailed("disk")]
            case sx.ReadOwed():
                answers = [se.OwedRead((ENTRY,))]
            case sx.RecordPaidBack(entry=entry):
                answers = [se.PaidBackRecorded(entry, ()), se.StaffJournalFailed("disk")]
            case sx.ReadCash():
                answers = [se.CashRead(CashLevels({Denomination.Y100: 5}, {})), se.CashRead(None)]
            case sx.RecordCount(kind=kind):
                answers = [se.CountRecorded(CountResult("c", kind, ()))]
            case sx.ReadDays():
                answers = [se.DaysRead(())]
            case sx.RunClosing(day=day) | sx.ReprintDayReport(day=day):
                answers = [
                    se.ClosingUpdated(ClosingView(day, ClosingPhase.DONE, printed=True)),
                    se.ClosingUpdated(ClosingView(day, ClosingPhase.CENTER_UNREACHABLE)),
                ]
            case _:
                pass
        if answers:
            self.pending.append(answers)

    def candidates(self) -> list[tuple[str, Any]]:
        options: list[tuple[str, Any]] = [("answer", i) for i in range(len(self.pending))]
        options += [("intent", event) for event in INTENTS]
        options += [("pin", PIN), ("pin", WRONG), ("busy", True), ("busy", False)]
        options += [("timer", t) for t in self.state.timers]
        return options


def check(world: World, old: ss.StaffState, event: se.StaffEvent, effects: tuple[Any, ...]) -> None:
    new = world.state
    for effect in effects:
        text = repr(effect) if not isinstance(effect, sx.StaffAudit) else repr(effect.record)
        if not isinstance(effect, sx.CheckPin):
            assert PIN not in text
        match effect:
            case sx.RequestKiosk(request=request):
                assert not new.locked
                assert request == new.request > old.request
            case sx.ApplyService() | sx.RecordPaidBack() | sx.RecordCount() | sx.RunClosing():
                assert effect.staff_id == old.staff_id == new.staff_id
                assert effect.staff_id in world.checked_good
            case sx.ReprintDayReport() | sx.RestartProgram():
                assert effect.staff_id in world.checked_good
            case sx.StaffAudit(record=record):
                details = dict(record.details)
                if "staff_id" in details:
                    assert details["staff_id"] in world.checked_good
            case _:
                pass
    if isinstance(event, se.PinChecked) and event.ok and new.staff_id == event.staff_id:
        world.checked_good.add(event.staff_id)


def check_state(world: World) -> None:
    state = world.state
    screen = state.screen
    banner = isinstance(screen, ss.Closed | ss.Waiting | ss.LockedOut)
    held = world.access is StaffAccess.OPEN and world.request == state.request
    if not banner:
        assert held, screen  # staff screens only on a kiosk the residents left
        assert any(t.name is ss.StaffTimer.IDLE for t in state.timers), screen
    if isinstance(screen, ss.Closed | ss.LockedOut):
        assert world.access is StaffAccess.NONE  # handed back whenever staff screens close
        assert state.staff_id is None
    if not isinstance(screen, ss.Closed | ss.Waiting | ss.LockedOut | ss.Login):
        assert state.staff_id in world.checked_good, screen
    assert state.wrong_pins <= state.settings.max_wrong_pins
    if state.wrong_pins >= state.settings.max_wrong_pins:
        assert state.locked
    # The PIN lives only in the login's entry.
    if not isinstance(screen, ss.Login):
        assert PIN not in deep(state)


def deep(value: Any) -> str:
    if is_dataclass(value) and not isinstance(value, type):
        return " ".join(deep(getattr(value, f.name)) for f in fields(value))
    if isinstance(value, tuple | list):
        return " ".join(deep(v) for v in value)
    return str(value)


@given(data=st.data(), card=st.booleans())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_rules_of_staff_mode_hold(data: st.DataObject, card: bool) -> None:
    world = World(card)
    for _ in range(data.draw(st.integers(10, 80), label="steps")):
        kind, item = data.draw(st.sampled_from(world.candidates()), label="choice")
        if kind == "answer":
            answers = world.pending.pop(item)
            world.send(data.draw(st.sampled_from(answers), label="answer"))
        elif kind == "intent":
            world.send(item)
        elif kind == "pin":
            for digit in item:
                world.send(se.StaffDigit(digit))
        elif kind == "busy":
            world.resident_busy = item
            if world.access is StaffAccess.WAITING and not item:
                world.access = StaffAccess.OPEN  # the resident left: the flow grants it
                world.pending.append([se.AccessChanged(StaffAccess.OPEN, world.request)])
        else:
            world.send(se.StaffTimerFired(item.name, item.serial))


def test_the_events_and_effects_are_all_exercised() -> None:
    """Every result event has an answer in the world above (a new one must be added there)."""
    answered = {
        se.AccessChanged, se.PinChecked, se.StaffCardSeen, se.TestPagePrinted, se.ServiceApplied,
        se.OwedRead, se.PaidBackRecorded, se.CashRead, se.CountRecorded, se.DaysRead,
        se.ClosingUpdated, se.StaffJournalFailed, se.StaffTimerFired, se.StatusRead,
    }  # fmt: skip
    assert set(typing.get_args(se.StaffResult)) == answered
