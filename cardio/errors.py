"""Typed errors of the card driver, and the one place where status words become errors.

Every failure that leaves ``cardio`` is a :class:`CardError`. Three families:

* :class:`CommunicationError` – the path to the card failed (card removed, reader gone, no
  reader, PC/SC service unavailable, timeout, cancelled).
* :class:`ApduError` – the card answered with a status word other than ``90 00``. Each status
  word of jpki-card.md §9 has its own class; an unknown one becomes :class:`UnknownStatus` with
  the SW kept, never a crash. Expected outcomes of PIN handling are their own types
  (:class:`WrongPin` with ``tries_left``, :class:`PinBlocked`), as in yubikit.
* :class:`MalformedResponse` – the card said ``90 00`` but the data does not parse.

Plus :class:`InvalidPinFormat` (input rejected before anything is sent, so it never costs a
try), :class:`UnsupportedCard` (e.g. an old 住基カード) and :class:`IntegrityError`.

Messages never contain PIN values or personal data.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "ApduError",
    "ApplicationNotFound",
    "CardError",
    "CardInUse",
    "CardRemoved",
    "CardReset",
    "CardTimeout",
    "ClassNotSupported",
    "CommunicationError",
    "ConditionsNotSatisfied",
    "IncompatibleFileStructure",
    "IncorrectData",
    "IncorrectParameters",
    "InsNotSupported",
    "IntegrityError",
    "InvalidPinFormat",
    "JukiCardNotSupported",
    "LogicalChannelNotSupported",
    "MalformedCertificate",
    "MalformedResponse",
    "NoCurrentFile",
    "NoPreciseDiagnosis",
    "NoReader",
    "NotFound",
    "OffsetOutOfRange",
    "OperationCancelled",
    "PinBlocked",
    "ReaderGone",
    "RecordNotFound",
    "ReferencedDataNotFound",
    "SecureMessagingNotSupported",
    "SecurityEnvironmentFaulty",
    "SecurityStatusNotSatisfied",
    "ServiceUnavailable",
    "UnknownStatus",
    "UnsupportedCard",
    "VerificationFailed",
    "WrongLength",
    "WrongPin",
    "error_for_status",
]


class CardError(Exception):
    """Base of every error raised by ``cardio``."""


# --------------------------------------------------------------------------------------------
# Communication


class CommunicationError(CardError):
    """The command could not be exchanged with the card. ``code`` is the PC/SC code, if any."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message if code is None else f"{message} (PC/SC 0x{code:08X})")
        self.code = code


class CardRemoved(CommunicationError):
    """The card left the reader (before or during a command). The session is over."""


class CardReset(CommunicationError):
    """The card was reset by someone else: its security state (verified PINs) is gone."""


class CardInUse(CommunicationError):
    """Another program holds the card (exclusive access refused)."""


class ReaderGone(CommunicationError):
    """The reader disappeared (unplugged, or its driver failed)."""


class NoReader(CommunicationError):
    """No reader is connected, or the named reader does not exist."""


class ServiceUnavailable(CommunicationError):
    """The PC/SC service (pcscd) is not running or went away."""


class CardTimeout(CommunicationError):
    """The card or the reader did not answer in time."""


class OperationCancelled(CommunicationError):
    """The caller cancelled the operation (its ``threading.Event`` was set) between commands."""


# --------------------------------------------------------------------------------------------
# Status words (jpki-card.md §9)


class ApduError(CardError):
    """The card answered with an error status word; ``sw`` is e.g. ``0x6A82``."""

    description: ClassVar[str] = "card error"

    def __init__(self, sw: int, message: str | None = None) -> None:
        self.sw = sw
        super().__init__(f"{message or self.description} (SW {sw:04X})")


class VerificationFailed(ApduError):
    """``63 00``: verification failed, the key has no retry counter (JICSAP; not seen on JPKI)."""

    description = "verification failed"


class WrongPin(ApduError):
    """``63 Cx`` after VERIFY: the PIN (or password, 照合番号) was wrong; ``tries_left`` > 0."""

    description = "wrong PIN"

    def __init__(self, sw: int, tries_left: int | None = None) -> None:
        self.tries_left = (sw & 0x0F) if tries_left is None else tries_left
        super().__init__(sw, f"wrong PIN, {self.tries_left} tries left")


class PinBlocked(ApduError):
    """The PIN is blocked: ``69 84`` (or ``69 83``), or ``63 C0``.

    ``by_this_attempt`` is True when this VERIFY used the last try (``63 C0`` answer to a
    VERIFY with data). Unblocking is only possible at the municipal office (jpki-card.md §2.5).
    """

    description = "PIN blocked"

    def __init__(self, sw: int, by_this_attempt: bool = False) -> None:
        self.by_this_attempt = by_this_attempt
        self.tries_left = 0
        super().__init__(sw, "PIN blocked by this attempt" if by_this_attempt else None)


class SecurityStatusNotSatisfied(ApduError):
    """``69 82``: the file or key needs a PIN that has not been verified in this session."""

    description = "security status not satisfied"


class IncompatibleFileStructure(ApduError):
    """``69 81``: command incompatible with the file (e.g. READ on an internal EF)."""

    description = "command incompatible with file structure"


class ConditionsNotSatisfied(ApduError):
    """``69 85``: conditions of use not satisfied (e.g. bad signing input)."""

    description = "conditions of use not satisfied"


class NoCurrentFile(ApduError):
    """``69 86``: no current EF."""

    description = "no current file"


class SecureMessagingNotSupported(ApduError):
    """``69 FC``: a secure-messaging class byte where the application has none."""

    description = "secure messaging not supported here"


class SecurityEnvironmentFaulty(ApduError):
    """``66 F1``: security environment faulty (SET SESSION KEY where unsupported)."""

    description = "security environment faulty"


class WrongLength(ApduError):
    """``67 00`` or ``6C xx``: wrong Lc/Le. ``correct_le`` is set for ``6C xx``."""

    description = "wrong length"

    def __init__(self, sw: int) -> None:
        self.correct_le: int | None = ((sw & 0xFF) or 256) if sw >> 8 == 0x6C else None
        super().__init__(sw)


class LogicalChannelNotSupported(ApduError):
    """``68 81``: logical channel not supported."""

    description = "logical channel not supported"


class IncorrectData(ApduError):
    """``6A 80``: incorrect data field."""

    description = "incorrect data field"


class NotFound(ApduError):
    """``6A 82``: file or application not found."""

    description = "file or application not found"


class ApplicationNotFound(NotFound):
    """``6A 82`` on SELECT of an application: the card has no such application (not a My
    Number card, or the wrong kind of card)."""

    description = "application not found"


class RecordNotFound(ApduError):
    """``6A 83``: record not found."""

    description = "record not found"


class IncorrectParameters(ApduError):
    """``6A 86`` (incorrect P1-P2) and ``6A 81`` (function not supported)."""

    description = "incorrect parameters"


class ReferencedDataNotFound(ApduError):
    """``6A 88``: referenced data object not found."""

    description = "referenced data not found"


class OffsetOutOfRange(ApduError):
    """``6B 00``: READ BINARY offset beyond the end of the EF."""

    description = "offset beyond end of file"


class InsNotSupported(ApduError):
    """``6D 00``: instruction not supported."""

    description = "instruction not supported"


class ClassNotSupported(ApduError):
    """``6E 00``: class byte not supported."""

    description = "class not supported"


class NoPreciseDiagnosis(ApduError):
    """``6F 00``: no precise diagnosis (one real card answers this to the first command after
    power-up, jpki-card.md §2.2)."""

    description = "no precise diagnosis"


class UnknownStatus(ApduError):
    """A status word this driver does not know; the SW is kept for diagnosis."""

    description = "unknown status word"


# --------------------------------------------------------------------------------------------
# Data and input


class MalformedResponse(CardError):
    """The card's answer does not have the expected form (bad TLV, truncated, wrong label…)."""


class MalformedCertificate(MalformedResponse):
    """A certificate read from the card is not an X.509 certificate the driver can parse (a bad
    version, a duplicate extension, a broken field): the certificate cannot be used."""


class UnsupportedCard(CardError):
    """The card (or token) is recognised but not supported by this kiosk."""

    def __init__(self, message: str, label: str | None = None) -> None:
        super().__init__(message)
        self.label = label


class JukiCardNotSupported(UnsupportedCard):
    """Token label ``JPKIAPICCTOKEN``: an old 住基カード, not a My Number card."""


class IntegrityError(CardError):
    """Data read from the card does not match its integrity record (digest or signature)."""


class InvalidPinFormat(CardError, ValueError):
    """A PIN, password or 照合番号 has the wrong form; rejected before sending (no try spent)."""


# --------------------------------------------------------------------------------------------
# Mapping

_EXACT: dict[int, type[ApduError]] = {
    0x6300: VerificationFailed,
    0x6981: IncompatibleFileStructure,
    0x6982: SecurityStatusNotSatisfied,
    0x6983: PinBlocked,  # "authentication method blocked": only in design docs (§9), same meaning
    0x6984: PinBlocked,  # referenced IEF (key) locked: hardware-observed (§2.4)
    0x6985: ConditionsNotSatisfied,
    0x6986: NoCurrentFile,
    0x69FC: SecureMessagingNotSupported,
    0x66F1: SecurityEnvironmentFaulty,
    0x6700: WrongLength,
    0x6881: LogicalChannelNotSupported,
    0x6A80: IncorrectData,
    0x6A81: IncorrectParameters,
    0x6A82: NotFound,
    0x6A83: RecordNotFound,
    0x6A86: IncorrectParameters,
    0x6A88: ReferencedDataNotFound,
    0x6B00: OffsetOutOfRange,
    0x6D00: InsNotSupported,
    0x6E00: ClassNotSupported,
    0x6F00: NoPreciseDiagnosis,
}


def error_for_status(sw: int, *, verify_with_data: bool = False) -> ApduError:
    """Return the typed error for status word ``sw`` (which must not be ``90 00``).

    ``verify_with_data`` tells that the command was a VERIFY carrying a PIN: then ``63 C0`` means
    this attempt exhausted the counter (:class:`PinBlocked` ``by_this_attempt``). For the
    empty VERIFY query ``63 C0`` is simply "blocked".
    """
    if not 0 <= sw <= 0xFFFF:
        return UnknownStatus(sw & 0xFFFF, f"status word out of range ({sw})")
    if sw & 0xFFF0 == 0x63C0:
        tries = sw & 0x0F
        if tries == 0:
            return PinBlocked(sw, by_this_attempt=verify_with_data)
        return WrongPin(sw)
    if sw >> 8 == 0x6C:
        return WrongLength(sw)
    cls = _EXACT.get(sw)
    if cls is None:
        return UnknownStatus(sw)
    if cls is PinBlocked:
        return PinBlocked(sw)
    if cls is WrongLength:
        return WrongLength(sw)
    return cls(sw)
