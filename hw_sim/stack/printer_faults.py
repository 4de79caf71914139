"""Printer faults for the private cupsd: what tests and the developer dock switch on and off.

``PrinterFaults(rundir).set(...)`` writes the control file the kioskfault backend reads before
every page (``<rundir>/queues/<queue>/faults.json``) and, for a fault that is present before
any page (``after_pages=0``), also makes the queue report it at once, as a printer's status
monitor would: the kiosk's ``check_printer`` sees out-of-paper before it takes money. Queue-level
faults use the CUPS tools, as staff would: ``cupsdisable -r`` (printer stopped) and ``cupsreject``
(not accepting jobs).

Works from any process that knows the run folder (tests, the dock, a shell via
``python -m hw_sim.stack fault …``): nothing is held in memory.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Literal

from hw_sim.stack.cups_layout import (
    CAPTURE_QUEUE,
    CupsdLayout,
    admin,
    set_printer_reasons,
    write_json_atomic,
)


class SimFault(StrEnum):
    """What the simulated printer can do wrong (the backend's vocabulary)."""

    MEDIA_EMPTY = "media-empty"  # out of paper
    MEDIA_JAM = "media-jam"
    DOOR_OPEN = "door-open"
    TONER_EMPTY = "toner-empty"
    OFFLINE = "offline"  # reported as offline-report, as CUPS's own backends do
    ABORT = "abort"  # the backend fails: exit 1 + printer-error-policy abort-job
    CANCEL = "cancel"  # the printer cancels the job: exit 5


# Faults that are a printer condition (a printer-state-reasons keyword) rather than an exit.
CONDITIONS = frozenset(
    {
        SimFault.MEDIA_EMPTY,
        SimFault.MEDIA_JAM,
        SimFault.DOOR_OPEN,
        SimFault.TONER_EMPTY,
        SimFault.OFFLINE,
    }
)

Mode = Literal["stop", "wait"]
Severity = Literal["error", "warning", "report"]


@dataclass(frozen=True)
class FaultPlan:
    """The contents of faults.json (version 1).

    - ``fault``: None for a healthy printer.
    - ``after_pages``: pages printed in a job before the fault strikes (0: before the first).
    - ``mode``: ``"stop"`` — the backend reports the condition and exits 4, so CUPS stops the
      printer and puts the job back to pending (simple drivers); ``"wait"`` — the job stays
      processing with the condition reported until the fault is cleared, then goes on (a
      printer that holds the job, e.g. IPP printers through CUPS).
    - ``severity``: the keyword suffix the condition is reported with (``-error``; ``-warning``
      is how CUPS relays an IPP printer's condition).
    - ``page_delay_s``: simulated time to print one page (deadline and cancel tests).
    - ``toner_percent``: the toner level the printer reports with every job (marker-levels).
    - ``once``: the fault strikes one job, then the printer is healthy again (the backend
      clears it): a paper jam staff cleared, a job the printer cancelled once.
    """

    fault: SimFault | None = None
    after_pages: int = 0
    mode: Mode = "stop"
    severity: Severity = "error"
    page_delay_s: float = 0.0
    toner_percent: int = 72
    once: bool = False
    version: int = 1

    def reason(self) -> str | None:
        """The printer-state-reasons keyword this plan makes the printer report, if any."""
        if self.fault not in CONDITIONS:
            return None
        severity = "report" if self.fault is SimFault.OFFLINE else self.severity
        return f"{self.fault}-{severity}"


class PrinterFaults:
    """Switch the simulated printer's faults for one kioskfault queue of a private cupsd."""

    def __init__(self, rundir: Path, queue: str = CAPTURE_QUEUE) -> None:
        self.layout = CupsdLayout(Path(rundir).absolute())
        self.queue = queue

    @property
    def control_file(self) -> Path:
        return self.layout.queue_dir(self.queue) / "faults.json"

    def current(self) -> FaultPlan:
        """The plan in force (a missing or unreadable file is a healthy printer)."""
        try:
            data = json.loads(self.control_file.read_text(encoding="utf-8"))
            fault = data.get("fault")
            return FaultPlan(
                fault=SimFault(fault) if fault else None,
                after_pages=int(data.get("after_pages", 0)),
                mode=data.get("mode", "stop"),
                severity=data.get("severity", "error"),
                page_delay_s=float(data.get("page_delay_s", 0.0)),
                toner_percent=int(data.get("toner_percent", 72)),
                once=bool(data.get("once", False)),
            )
        except (OSError, ValueError, TypeError, AttributeError):
            return FaultPlan()

    def set(
        self,
        fault: SimFault | str | None,
        *,
        after_pages: int = 0,
        mode: Mode = "stop",
        severity: Severity = "error",
        page_delay_s: float = 0.0,
        toner_percent: int = 72,
        once: bool = False,
    ) -> FaultPlan:
        """Put a fault in force (replacing any other). With ``after_pages=0`` a condition is
        also shown on the queue at once, before any job."""
        if after_pages < 0 or page_delay_s < 0:
            raise ValueError("after_pages and page_delay_s must not be negative")
        if not 0 <= toner_percent <= 100:
            raise ValueError("toner_percent is a percentage")
        if mode not in ("stop", "wait") or severity not in ("error", "warning", "report"):
            raise ValueError(f"bad mode {mode!r} or severity {severity!r}")
        plan = FaultPlan(
            fault=SimFault(fault) if fault else None,
            after_pages=after_pages,
            mode=mode,
            severity=severity,
            page_delay_s=page_delay_s,
            toner_percent=toner_percent,
            once=once,
        )
        self._write(plan)
        reason = plan.reason()
        set_printer_reasons(
            self.layout, self.queue, [reason] if reason and after_pages == 0 else []
        )
        return plan

    def slow(self, page_delay_s: float) -> FaultPlan:
        """A healthy but slow printer: every page takes ``page_delay_s`` seconds."""
        return self.set(None, page_delay_s=page_delay_s)

    def clear(self, *, resume: bool = True) -> None:
        """Healthy again, as after staff fixed it: no fault, no reasons; with ``resume`` the
        queue is also enabled and accepting (jobs still pending then print)."""
        self._write(FaultPlan())
        set_printer_reasons(self.layout, self.queue, [])
        if resume:
            self.resume_printer()
            self.accept_jobs()

    def stop_printer(self, reason: str = "Stopped by staff") -> None:
        """``cupsdisable -r``: the queue is stopped, new jobs wait as pending."""
        admin(self.layout, "cupsdisable", "-r", reason, self.queue)

    def resume_printer(self) -> None:
        admin(self.layout, "cupsenable", self.queue)

    def reject_jobs(self, reason: str = "Not accepting jobs") -> None:
        """``cupsreject -r``: the queue refuses new jobs (submission fails)."""
        admin(self.layout, "cupsreject", "-r", reason, self.queue)

    def accept_jobs(self) -> None:
        admin(self.layout, "cupsaccept", self.queue)

    def cancel_all_jobs(self) -> None:
        admin(self.layout, "cancel", "-a", self.queue)

    def pending_jobs(self) -> list[int]:
        """Ids of the queue's jobs that have not ended (``lpstat -o``)."""
        out = admin(self.layout, "lpstat", "-o", self.queue)
        prefix = f"{self.queue}-"
        return [
            int(line.split()[0][len(prefix) :])
            for line in out.splitlines()
            if line.startswith(prefix) and line.split()[0][len(prefix) :].isdigit()
        ]

    def _write(self, plan: FaultPlan) -> None:
        data = asdict(plan)
        data["fault"] = plan.fault.value if plan.fault else None
        write_json_atomic(self.control_file, data)
