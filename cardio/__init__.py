"""cardio: the My Number card driver.

The core (this namespace) imports no pyscard: sessions work over any
:class:`~cardio.transport.Transport`. PC/SC lives in :mod:`cardio.pcsc` (connections, reader
listing) and :mod:`cardio.monitor` (reader/card events); test transports in
:mod:`cardio.testing`. See docs/card.md.

Typical kiosk use, on the card worker thread::

    with cardio.pcsc.connect(reader) as connection:      # exclusive; powers the card off
        session = JpkiSession(connection)
        token = session.read_token_info()                # medium, or JukiCardNotSupported
        certificate = session.read_certificate()
        tries = session.get_pin_tries()
        with UserPin(digits) as pin:                      # wiped on leaving the block
            session.verify_pin(pin)                       # WrongPin(tries_left) / PinBlocked
        signature = session.sign_sha256(challenge)
"""

from cardio.apdu import AID, SW, CommandApdu
from cardio.certificate import CertificateSummary, summarize_certificate
from cardio.errors import (
    ApduError,
    ApplicationNotFound,
    CardError,
    CardInUse,
    CardRemoved,
    CardReset,
    CardTimeout,
    CommunicationError,
    ConditionsNotSatisfied,
    IntegrityError,
    InvalidPinFormat,
    JukiCardNotSupported,
    MalformedCertificate,
    MalformedResponse,
    NoReader,
    NotFound,
    OperationCancelled,
    PinBlocked,
    ReaderGone,
    SecurityStatusNotSatisfied,
    ServiceUnavailable,
    UnknownStatus,
    UnsupportedCard,
    WrongLength,
    WrongPin,
)
from cardio.jpki import JpkiSession, KeyRole, Medium, TokenInfo, digest_info_sha256
from cardio.kenmen import (
    BasicFacts,
    IntegrityReport,
    KenmenHojoSession,
    KenmenRecord,
    MyNumber,
    Sex,
    SignatureStatus,
    load_issuer_public_key,
)
from cardio.pin import CollationNumberA, CollationNumberB, SigningPassword, UserPin
from cardio.traffic import TRAFFIC, TracingTransport
from cardio.transport import CardChannel, Transport

__all__ = [
    "AID",
    "SW",
    "TRAFFIC",
    "ApduError",
    "ApplicationNotFound",
    "BasicFacts",
    "CardChannel",
    "CardError",
    "CardInUse",
    "CardRemoved",
    "CardReset",
    "CardTimeout",
    "CertificateSummary",
    "CollationNumberA",
    "CollationNumberB",
    "CommandApdu",
    "CommunicationError",
    "ConditionsNotSatisfied",
    "IntegrityError",
    "IntegrityReport",
    "InvalidPinFormat",
    "JpkiSession",
    "JukiCardNotSupported",
    "KenmenHojoSession",
    "KenmenRecord",
    "KeyRole",
    "MalformedCertificate",
    "MalformedResponse",
    "Medium",
    "MyNumber",
    "NoReader",
    "NotFound",
    "OperationCancelled",
    "PinBlocked",
    "ReaderGone",
    "SecurityStatusNotSatisfied",
    "ServiceUnavailable",
    "Sex",
    "SignatureStatus",
    "SigningPassword",
    "TokenInfo",
    "TracingTransport",
    "Transport",
    "UnknownStatus",
    "UnsupportedCard",
    "UserPin",
    "WrongLength",
    "WrongPin",
    "digest_info_sha256",
    "load_issuer_public_key",
    "summarize_certificate",
]
