"""The kiosk's printer vocabulary: faults, states and outcomes, and the mapping from IPP
``printer-state-reasons`` keywords to faults.

No ``cups`` import here: the flow, the screens and the journal use these types without pulling
in libcups, and the reason classification is pure (tested without a daemon). The CUPS adapter
(:mod:`printing.cups`) produces them.

Keywords and suffixes follow RFC 8011 §5.4.12 (``printer-state-reasons``): a keyword may end in
``-report`` (information), ``-warning`` (a condition that does not stop the printer) or
``-error`` (the printer cannot go on); a keyword without a suffix is an error. CUPS and drivers
break that last rule for a few informational keywords of their own (``connecting-to-device``,
``cups-…``), and CUPS reports the conditions of an IPP printer as ``-warning`` while the job
waits inside the printer (real-stack.md), so a fault is decided per condition, not per suffix.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum

logger = logging.getLogger(__name__)


class PrinterFault(StrEnum):
    """Why the kiosk cannot print, or why a print job did not finish, in the kiosk's terms.

    The screens map each value to a resident message and a staff code; after payment any fault
    means the transaction is refunded (architecture.md, rules of a transaction).
    """

    OUT_OF_PAPER = "out_of_paper"  # media-empty, media-needed
    JAM = "jam"  # media-jam
    DOOR_OPEN = "door_open"  # door-open, cover-open, interlock-open
    TONER_EMPTY = "toner_empty"  # toner-empty, marker-supply-empty
    OFFLINE = "offline"  # the device cannot be reached (offline, shutdown, timed-out)
    PRINTER_ERROR = "printer_error"  # any other condition the printer calls an error
    STOPPED = "stopped"  # the queue is stopped (staff, or CUPS after a backend failure)
    NOT_ACCEPTING = "not_accepting"  # the queue rejects new jobs
    NO_QUEUE = "no_queue"  # the configured queue does not exist
    UNREACHABLE = "unreachable"  # cupsd is down, refuses the connection, or does not answer
    ABORTED = "aborted"  # the job was aborted by the print system
    CANCELLED = "cancelled"  # the job was cancelled (by the kiosk, staff or the printer)
    TIMEOUT = "timeout"  # the job did not finish before the kiosk's deadline
    REJECTED_DOCUMENT = "rejected_document"  # the print system refused the document itself


class PrinterState(IntEnum):
    """IPP ``printer-state`` (RFC 8011 §5.4.11)."""

    IDLE = 3
    PROCESSING = 4
    STOPPED = 5


class JobState(IntEnum):
    """IPP ``job-state`` (RFC 8011 §5.3.7); 7, 8 and 9 are terminal."""

    PENDING = 3
    HELD = 4
    PROCESSING = 5
    STOPPED = 6
    CANCELED = 7
    ABORTED = 8
    COMPLETED = 9

    @property
    def terminal(self) -> bool:
        return self >= JobState.CANCELED


# Base keyword (suffix removed) → fault. A condition here stops printing whatever its suffix,
# except "-report" (RFC 8011: information only) — with one exception below.
_BLOCKING: dict[str, PrinterFault] = {
    "media-empty": PrinterFault.OUT_OF_PAPER,
    "media-needed": PrinterFault.OUT_OF_PAPER,
    "media-jam": PrinterFault.JAM,
    "door-open": PrinterFault.DOOR_OPEN,
    "cover-open": PrinterFault.DOOR_OPEN,
    "interlock-open": PrinterFault.DOOR_OPEN,
    "toner-empty": PrinterFault.TONER_EMPTY,
    "marker-supply-empty": PrinterFault.TONER_EMPTY,
    "marker-waste-full": PrinterFault.TONER_EMPTY,
    "offline": PrinterFault.OFFLINE,
    "shutdown": PrinterFault.OFFLINE,
    "timed-out": PrinterFault.OFFLINE,
}

# CUPS backends (usb, ipp, socket) say "offline-report" when they cannot reach the device and
# keep retrying: the job waits forever, so for a kiosk it is a fault although it is a report.
_FAULT_EVEN_AS_REPORT = frozenset({"offline"})

# Keywords without a suffix that CUPS and common drivers use for information (RFC 8011 would
# read a bare keyword as an error). "paused" is CUPS's stopped queue: reported as STOPPED from
# printer-state, not as a reason.
_INFORMATIONAL = frozenset(
    {
        "none",
        "connecting-to-device",
        "paused",
        "moving-to-paused",
        "printer-restarted",
        "processing-to-stop-point",
        "deactivated",
        "identify-printer-requested",
    }
)

# Order of precedence when several faults are present: the one staff must fix first.
_PRECEDENCE: tuple[PrinterFault, ...] = (
    PrinterFault.OFFLINE,
    PrinterFault.DOOR_OPEN,
    PrinterFault.JAM,
    PrinterFault.OUT_OF_PAPER,
    PrinterFault.TONER_EMPTY,
    PrinterFault.PRINTER_ERROR,
)


def split_reason(reason: str) -> tuple[str, str]:
    """Split a ``printer-state-reasons`` keyword into (base, severity).

    Severity is ``"error"``, ``"warning"`` or ``"report"``; a keyword without a suffix is an
    error (RFC 8011 §5.4.12). Vendor prefixes are kept in the base.
    """
    keyword = reason.strip().lower()
    for severity in ("error", "warning", "report"):
        suffix = "-" + severity
        if keyword.endswith(suffix):
            return keyword[: -len(suffix)], severity
    return keyword, "error"


def fault_of_reason(reason: str) -> PrinterFault | None:
    """The fault one reason keyword stands for, or None when it does not stop printing."""
    base, severity = split_reason(reason)
    blocking = _BLOCKING.get(base)
    if blocking is not None:
        if severity == "report" and base not in _FAULT_EVEN_AS_REPORT:
            return None
        return blocking
    if base in _INFORMATIONAL or base.startswith("cups-") or base.startswith("com.apple."):
        return None
    if severity == "error" and reason.strip().lower().endswith("-error"):
        return PrinterFault.PRINTER_ERROR
    if severity == "error":
        # A bare keyword we do not know: RFC 8011 says error, practice says information.
        # Not a fault (it would block the kiosk on a driver's chatter), but make it visible.
        logger.info("printer reports unknown reason %r; not treated as a fault", reason)
    return None


def classify_reasons(reasons: Iterable[str]) -> PrinterFault | None:
    """The single fault a set of reasons means for the kiosk (most urgent first), or None."""
    found = {fault for fault in map(fault_of_reason, reasons) if fault is not None}
    for fault in _PRECEDENCE:
        if fault in found:
            return fault
    return None


def notices_of_reasons(reasons: Iterable[str]) -> tuple[str, ...]:
    """Reasons that do not stop printing but staff should see (``media-low-warning`` …)."""
    return tuple(
        r
        for r in reasons
        if fault_of_reason(r) is None
        and split_reason(r)[1] in ("warning", "report")
        and not split_reason(r)[0].startswith("cups-")
    )


@dataclass(frozen=True)
class PrinterStatus:
    """What :meth:`printing.cups.CupsPrinter.check_printer` saw, taken before money is taken.

    ``ready`` is True only when the queue exists, accepts jobs, is not stopped and reports no
    fault. ``reasons`` and ``message`` are raw printer text for staff screens and logs, never
    for the resident. ``markers`` are the supplies the printer reports (toner, drum…).
    """

    ready: bool
    fault: PrinterFault | None
    state: PrinterState | None = None
    accepting: bool = False
    reasons: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()
    message: str = ""
    markers: tuple[MarkerLevel, ...] = ()


# marker-levels (CUPS, Printer attributes): 0–100 a percentage, -1 unavailable, -2 unknown,
# -3 "some remains" (the printer says only that it is not empty).
MARKER_UNKNOWN = -2
MARKER_SOME = -3


@dataclass(frozen=True)
class MarkerLevel:
    """One supply of the printer (CUPS ``marker-names``/``-types``/``-levels``/``-low-levels``):
    ``level`` is a percentage, or one of CUPS' negative codes (-1 unavailable, -2 unknown, -3
    some remains)."""

    name: str
    kind: str  # marker-types: toner, ink-cartridge, opc …
    level: int
    low_level: int | None = None

    @property
    def percent(self) -> int | None:
        return self.level if 0 <= self.level <= 100 else None

    @property
    def low(self) -> bool:
        return (
            self.percent is not None and self.low_level is not None and self.level <= self.low_level
        )


def markers_of(attributes: Mapping[str, object]) -> tuple[MarkerLevel, ...]:
    """The supplies in a printer's IPP attributes (lists of equal length; anything malformed
    is left out: a status screen never fails on it)."""

    def values(key: str) -> list[object]:
        value = attributes.get(key)
        if value is None:
            return []
        return list(value) if isinstance(value, list | tuple) else [value]

    names, kinds = values("marker-names"), values("marker-types")
    levels, lows = values("marker-levels"), values("marker-low-levels")
    found: list[MarkerLevel] = []
    for index, name in enumerate(names[:16]):  # a printer has a handful of supplies
        level = levels[index] if index < len(levels) else MARKER_UNKNOWN
        if not isinstance(name, str) or not isinstance(level, int) or isinstance(level, bool):
            continue
        kind = kinds[index] if index < len(kinds) and isinstance(kinds[index], str) else ""
        low = lows[index] if index < len(lows) else None
        found.append(
            MarkerLevel(
                name[:64],
                str(kind)[:32],
                max(-3, min(level, 100)),
                low if isinstance(low, int) and not isinstance(low, bool) else None,
            )
        )
    return tuple(found)


def printer_status(
    state: PrinterState | None,
    accepting: bool,
    reasons: tuple[str, ...],
    message: str = "",
    markers: tuple[MarkerLevel, ...] = (),
) -> PrinterStatus:
    """What a printer's IPP state, ``printer-is-accepting-jobs`` and reasons mean for the kiosk:
    ready, or the one fault staff must fix first (a state that could not be read is not ready).
    ``markers`` are the supplies it reported (:func:`markers_of`), shown to staff.
    """
    fault = classify_reasons(reasons)
    if fault is None:
        if state is None:
            fault = PrinterFault.PRINTER_ERROR  # a malformed answer is not "ready"
        elif state is PrinterState.STOPPED:
            fault = PrinterFault.STOPPED
        elif not accepting:
            fault = PrinterFault.NOT_ACCEPTING
    return PrinterStatus(
        ready=fault is None,
        fault=fault,
        state=state,
        accepting=accepting,
        reasons=reasons,
        notices=notices_of_reasons(reasons),
        message=message,
        markers=markers,
    )


@dataclass(frozen=True)
class JobHandle:
    """A submitted job: enough to track and cancel it. No personal data."""

    job_id: int
    queue: str
    job_name: str
    pages: int  # pages of the submitted document (the composed job, all copies)
    copies_hint: int  # certificates in the document (informational)
    submitted_at: float  # time.monotonic() at submission


@dataclass(frozen=True)
class QueuedJob:
    """A job the print system holds under one of the kiosk's job names (found again after a
    restart by the title hash its name carries, :meth:`printing.cups.CupsPrinter.find_jobs`)."""

    job_id: int
    job_name: str
    state: JobState | None  # None when CUPS said something we cannot read
    pages_printed: int | None  # job-impressions-completed, when known

    @property
    def finished(self) -> bool:
        """Completed, cancelled or aborted: it will not print (any more)."""
        return self.state in (JobState.COMPLETED, JobState.CANCELED, JobState.ABORTED)


@dataclass(frozen=True)
class PrintOutcome:
    """How a job ended, as :meth:`printing.cups.CupsPrinter.track` reports it.

    ``completed`` is True only for IPP ``completed``. Otherwise ``fault`` says why, and
    ``pages_printed`` / ``sheets_printed`` say how much left the printer so far when the print
    system knows it (``job-impressions-completed`` / ``job-media-sheets-completed``; None when
    unknown). ``job_state`` is the last state seen (None if it could never be read);
    ``cancelled_by_kiosk`` is True when the adapter cancelled the job after a fault or at the
    deadline, so it will not come out of the printer later.
    """

    completed: bool
    fault: PrinterFault | None
    job_state: JobState | None
    pages_printed: int | None
    sheets_printed: int | None
    pages_total: int
    reasons: tuple[str, ...] = ()
    message: str = ""
    cancelled_by_kiosk: bool = False
    elapsed_s: float = 0.0

    def copies_completed(self, pages_per_copy: int) -> int:
        """Copies that came out whole, for the refund: all of them when the job completed,
        otherwise the whole copies within ``pages_printed`` (0 when that is unknown, so that
        in doubt the resident is refunded). ``pages_per_copy`` counts page sides (front and
        back of every sheet of one certificate)."""
        if pages_per_copy <= 0:
            raise ValueError("pages_per_copy must be positive")
        if self.completed:
            return self.pages_total // pages_per_copy
        printed = min(self.pages_printed or 0, self.pages_total)
        return printed // pages_per_copy


class PrinterError(Exception):
    """A print operation could not be done; ``fault`` says why in the kiosk's terms."""

    def __init__(self, fault: PrinterFault, detail: str = "") -> None:
        super().__init__(f"{fault.value}: {detail}" if detail else fault.value)
        self.fault = fault
        self.detail = detail


class InvalidJobError(PrinterError):
    """The job handed to the printer is not acceptable: not a printable A4 PDF, or a job name
    that is not a plain hash (a bug upstream, not a fault of the printer)."""

    def __init__(self, detail: str) -> None:
        super().__init__(PrinterFault.REJECTED_DOCUMENT, detail)
