"""Staff mode: a second pure state machine beside the resident flow (kiosk/flow).

``step(state, event) -> (state, effects)`` (kiosk/staff/machine.py); the staff runtime
(kiosk/runtime/staff.py) executes the effects and feeds results back; the staff screens
(kiosk/ui/staff/) render the state and send intents. The resident flow learns only that staff
want or have the kiosk and whether it is out of service (and why). See docs/operations.md.
"""

from kiosk.staff.machine import step
from kiosk.staff.state import StaffSettings, StaffState, initial_staff_state

__all__ = ["StaffSettings", "StaffState", "initial_staff_state", "step"]
