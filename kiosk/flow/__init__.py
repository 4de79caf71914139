"""The kiosk's transaction flow: a pure state machine, no Qt, no I/O.

``step(state, event) -> (state, effects)``; a runner executes the effects (card, center,
printer, fee acceptor, journal, timers, sounds) and feeds their results back as events. The
screens render :class:`FlowState` and send intents. See docs/flow.md.
"""

from kiosk.flow._operations import idle_for_staff, receipt_offered, starts_nothing
from kiosk.flow._timers import timer_for
from kiosk.flow.diff import describe_change, loggable
from kiosk.flow.effects import Effect
from kiosk.flow.events import Event, Intent, Service
from kiosk.flow.machine import step
from kiosk.flow.state import FlowSettings, FlowState, PaymentMode, Screen, initial_state
from kiosk.flow.timeouts import TIMEOUTS, TimeoutSettings, TimerName

__all__ = [
    "TIMEOUTS",
    "Effect",
    "Event",
    "FlowSettings",
    "FlowState",
    "Intent",
    "PaymentMode",
    "Screen",
    "Service",
    "TimeoutSettings",
    "TimerName",
    "describe_change",
    "idle_for_staff",
    "initial_state",
    "loggable",
    "receipt_offered",
    "starts_nothing",
    "step",
    "timer_for",
]
