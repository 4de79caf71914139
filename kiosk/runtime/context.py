"""What one service learns that another needs, per transaction (thread-safe).

The card service reads the user-authentication certificate that the center service sends; the
center service receives the envelope and composes the print job that the print service prints;
Personal data
(the certificate names the card holder's JPKI identifier; the job holds the certificate) lives
here only until :meth:`TransactionFacts.wipe`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass(frozen=True)
class IssuedJob:
    """A verified envelope, composed into one print job (every copy, front and back)."""

    txn_id: str
    issuance_id: str
    pdf: bytes = field(repr=False)
    copies: int
    page_count: int  # pages of one copy's front
    document_digest: str  # salted hash of the first copy's serial (journal, job name)

    @property
    def sides_per_copy(self) -> int:
        """Printed page sides (IPP impressions) per copy: every front page has its back side on
        the same sheet (duplex), so an N-page certificate is 2·N sides per copy."""
        return 2 * self.page_count


class TransactionFacts:
    """The shared notebook of the services (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._certificate: bytes | None = None
        self._jobs: dict[str, IssuedJob] = {}

    # -- the card's certificate (card → center) -------------------------------------------------
    def set_certificate(self, der: bytes | None) -> None:
        with self._lock:
            self._certificate = der

    def certificate(self) -> bytes | None:
        with self._lock:
            return self._certificate

    # -- the composed job (center → printer) ----------------------------------------------------
    def put_job(self, job: IssuedJob) -> None:
        with self._lock:
            self._jobs[job.txn_id] = job

    def job(self, txn_id: str) -> IssuedJob | None:
        with self._lock:
            return self._jobs.get(txn_id)

    def wipe(self) -> None:
        """Forget everything personal (the certificate, the composed jobs)."""
        with self._lock:
            self._certificate = None
            self._jobs.clear()
