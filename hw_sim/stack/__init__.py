"""Private instances of the real daemons (pcscd with the vpcd reader, cupsd) for tests and the
developer profile, so that nothing touches the machine's own daemons, queues or readers."""

from hw_sim.stack.cups_layout import CAPTURE_QUEUE, PDF_QUEUE, CupsAdminError, CupsdLayout
from hw_sim.stack.cupsd import PrivateCupsd, private_cupsd_session, traversable_tmpdir
from hw_sim.stack.pcscd import PrivatePcscd, free_port_pair
from hw_sim.stack.printer_faults import FaultPlan, PrinterFaults, SimFault

__all__ = [
    "CAPTURE_QUEUE",
    "PDF_QUEUE",
    "CupsAdminError",
    "CupsdLayout",
    "FaultPlan",
    "PrinterFaults",
    "PrivateCupsd",
    "PrivatePcscd",
    "SimFault",
    "free_port_pair",
    "private_cupsd_session",
    "traversable_tmpdir",
]
