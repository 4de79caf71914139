"""The verifier of printed backs (security-printing.md §7.3; docs/security-printing.md).

A staff or relying-party tool, not part of the kiosk: needs the ``verify`` extra (OpenCV,
zxing-cpp, pypdfium2). Command line: ``python -m printing.verify`` (see ``__main__``).

- :func:`load_scan` — pages of a PNG, JPEG, TIFF or PDF scan as :class:`ScanImage`;
- :class:`TrustStore` — the scramble master key and the issuers' public keys by key id;
- :func:`verify_back` — one back (and optionally its front) → :class:`Verdict` with an
  :class:`Outcome`: verified, unreadable, code unreadable, untrusted key, invalid signature,
  wrong key, serial mismatch (a back from another certificate), front rescan (too coarse),
  fields differ (an edited field, named) or front mismatch (an edited front);
- :func:`verify_front` — another front against a back already verified;
- :func:`write_outputs` — restored.png, side_by_side.png, verdict.json, verdict.txt.
"""

from .errors import RegistrationError, UnreadableImageError, VerifyError
from .images import ScanImage, load_scan
from .report import summary, write_outputs
from .verifier import Outcome, TrustStore, Verdict, verify_back, verify_front

__all__ = [
    "Outcome",
    "RegistrationError",
    "ScanImage",
    "TrustStore",
    "UnreadableImageError",
    "Verdict",
    "VerifyError",
    "load_scan",
    "summary",
    "verify_back",
    "verify_front",
    "write_outputs",
]
