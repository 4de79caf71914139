"""Typed errors of the verifier (all are ``SecurityPrintingError``s)."""

from __future__ import annotations

from printing.security.errors import SecurityPrintingError


class VerifyError(SecurityPrintingError):
    """The verifier cannot process its input (unreadable file, bad key file…)."""


class UnreadableImageError(VerifyError):
    """The scan or photo cannot be decoded as an image or PDF."""


class RegistrationError(VerifyError):
    """The block was not found in the scan: fiducials, sync grid or resolution."""
