"""The resident flow's events from the staff side and the slip printer: staff asking for the
kiosk and leaving it, out of service and back, the money-owed slip and the receipt printed.
Re-exported by kiosk.flow.events with every other flow event."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.problems import ServiceStop


@dataclass(frozen=True)
class StaffRequested:
    """Staff want the kiosk (the staff login was opened): the flow grants it at once when no
    resident is being served, else as soon as the transaction is over (StaffAccessChanged,
    naming ``request``)."""

    request: int = 0


@dataclass(frozen=True)
class StaffReleased:
    """The staff session ended (or staff stopped waiting): residents are served again."""


@dataclass(frozen=True)
class ServiceStopChanged:
    """Staff took the kiosk out of service (``stop`` says why, shown to residents) or put it
    back (``stop`` None). Journaled by the staff side before it is sent."""

    stop: ServiceStop | None


@dataclass(frozen=True)
class OwedSlipPrinted:
    """The resident's slip of money owed (PrintOwedSlip) came out (or could not be printed)."""

    txn_id: str
    printed: bool


@dataclass(frozen=True)
class ReceiptPrinted:
    """The receipt (PrintReceipt) came out (or could not be printed)."""

    txn_id: str
    printed: bool


OperationsEvent = (
    StaffRequested | StaffReleased | ServiceStopChanged | OwedSlipPrinted | ReceiptPrinted
)
