"""Typed errors of security printing: one base class, one subclass per expected failure."""

from __future__ import annotations


class SecurityPrintingError(Exception):
    """Base of every expected failure in ``printing.security`` and ``printing.verify``."""


class BackSideFormatError(SecurityPrintingError):
    """Back-side data (the wire form from the center) is malformed or inconsistent."""


class BackSideGenerationError(SecurityPrintingError):
    """The center could not make the back side (unreadable front PDF, page out of range…)."""


class SignedCodeError(SecurityPrintingError):
    """A signed 2D-code payload is malformed, too large, or its signature does not verify."""


class UnknownKeyError(SignedCodeError):
    """The signed code names a key id the verifier does not trust."""


class ComposeError(SecurityPrintingError):
    """The print job cannot be composed from the given copies (page counts, serials…)."""


class CalibrationError(SecurityPrintingError):
    """Print calibration values are out of their physical range."""
