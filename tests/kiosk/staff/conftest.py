"""Driving the staff flow without Qt or devices."""

from __future__ import annotations

from typing import Any

from kiosk.flow.state import StaffAccess
from kiosk.staff import StaffSettings, StaffState, initial_staff_state, step
from kiosk.staff import effects as sx
from kiosk.staff import events as se
from kiosk.staff.state import StaffTimer

STAFF_PIN = "480613"  # appears nowhere else in a state, an effect or an audit record
SETTINGS = StaffSettings(staff_ids=("1001", "1002"), max_wrong_pins=5)


class StaffDriver:
    def __init__(self, settings: StaffSettings = SETTINGS) -> None:
        self.state: StaffState = initial_staff_state(settings)
        self.history: list[tuple[StaffState, se.StaffEvent, StaffState, tuple[Any, ...]]] = []

    def send(self, *events: se.StaffEvent) -> tuple[sx.StaffEffect, ...]:
        effects: tuple[sx.StaffEffect, ...] = ()
        for event in events:
            before = self.state
            self.state, effects = step(self.state, event)
            self.history.append((before, event, self.state, effects))
        return effects

    def type(self, digits: str) -> None:
        for digit in digits:
            self.send(se.StaffDigit(digit))

    def fire(self, name: StaffTimer) -> tuple[sx.StaffEffect, ...]:
        timer = next(t for t in self.state.timers if t.name is name)
        return self.send(se.StaffTimerFired(name, timer.serial))

    def grant(self, access: StaffAccess = StaffAccess.OPEN) -> tuple[sx.StaffEffect, ...]:
        """The resident flow's answer to the last request for the kiosk."""
        return self.send(se.AccessChanged(access, self.state.request))

    def to_login(self) -> None:
        self.send(se.OpenStaff())
        self.grant()

    def enter(self, staff_id: str, pin: str = STAFF_PIN) -> tuple[sx.StaffEffect, ...]:
        """Type the staff number and the PIN; the effects of sending the PIN."""
        self.type(staff_id)
        self.send(se.StaffEnter())
        self.type(pin)
        return self.send(se.StaffEnter())

    def log_in(self, staff_id: str = "1001", pin: str = STAFF_PIN) -> tuple[sx.StaffEffect, ...]:
        self.to_login()
        self.enter(staff_id, pin)
        return self.send(se.PinChecked(staff_id, pin == STAFF_PIN))


def of_type(effects: tuple[Any, ...], kind: type) -> list[Any]:
    return [e for e in effects if isinstance(e, kind)]
