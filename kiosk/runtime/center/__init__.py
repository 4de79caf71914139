"""The center side of the runtime, one module per job:

- :mod:`~kiosk.runtime.center.send` — :class:`CenterService`, which sends the flow's center calls
  on the session worker and hands reports and health to the two below;
- :mod:`~kiosk.runtime.center.report` — completion reports: their body, and the worker that
  sends them until the center acknowledges;
- :mod:`~kiosk.runtime.center.health` — the center's health for the start screen;
- :mod:`~kiosk.runtime.center.failures` — the center's typed errors → the flow's failures.
"""

from kiosk.runtime.center.failures import center_failure
from kiosk.runtime.center.health import HealthMonitor, HealthTiming
from kiosk.runtime.center.report import (
    IssuanceFacts,
    ReportJob,
    ReportSender,
    RetryPolicy,
    completion_report,
)
from kiosk.runtime.center.send import CenterService

__all__ = [
    "CenterService",
    "HealthMonitor",
    "HealthTiming",
    "IssuanceFacts",
    "ReportJob",
    "ReportSender",
    "RetryPolicy",
    "center_failure",
    "completion_report",
]
