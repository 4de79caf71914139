"""Security printing on plain paper (docs/security-printing.md).

Center side (the issuance center holds the keys):

- :class:`BackSideKeys` — scramble master key, ECDSA P-256 signing key and its key id;
- :func:`make_back_side` — the back of one front page → :class:`BackSideData`.

Wire: :class:`BackSideData` (``to_bytes``/``from_bytes``, ``to_dict``/``from_dict``; format name
:data:`BACK_SIDE_FORMAT`); malformed input raises :class:`BackSideFormatError`.

Kiosk side: :func:`compose_job` (pure: :class:`CopyToPrint` list + :class:`PrintCalibration` →
PDF bytes, front/back per page for long-edge duplex) and :func:`calibration_chart`.

Verifier side: :func:`verify_signed_code` here; the scan pipeline is ``printing.verify``
(``python -m printing.verify``). The simulated print–scan channel is
``printing.security.channel`` (needs the ``verify`` extra).
"""

from .backside import WIRE_FORMAT as BACK_SIDE_FORMAT
from .backside import BackSideData, make_back_side
from .calibration import PrintCalibration
from .chart import calibration_chart
from .compose import CopyToPrint, compose_job
from .errors import (
    BackSideFormatError,
    BackSideGenerationError,
    CalibrationError,
    ComposeError,
    SecurityPrintingError,
    SignedCodeError,
    UnknownKeyError,
)
from .keys import BackSideKeys
from .layout import LAYOUT_VERSION
from .signed_code import SignedPayload, verify_signed_code

__all__ = [
    "BACK_SIDE_FORMAT",
    "LAYOUT_VERSION",
    "BackSideData",
    "BackSideFormatError",
    "BackSideGenerationError",
    "BackSideKeys",
    "CalibrationError",
    "ComposeError",
    "CopyToPrint",
    "PrintCalibration",
    "SecurityPrintingError",
    "SignedCodeError",
    "SignedPayload",
    "UnknownKeyError",
    "calibration_chart",
    "compose_job",
    "make_back_side",
    "verify_signed_code",
]
