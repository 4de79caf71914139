"""The center protocol's data shapes (docs/center-protocol.md), shared by the kiosk's client
and the simulated center (hw_sim/center/). Pure: no I/O, no cryptography beyond the canonical
form of what is signed.

Every message has ``to_wire()`` and a strict ``from_wire()`` that raises
:class:`WireFormatError` for anything the protocol does not define.
"""

from kiosk.center.wire.envelope import (
    BACK_SIDE_FORMAT,
    ENVELOPE_FORMAT,
    ENVELOPE_SIGNING_EKU,
    SIGNATURE_ALGORITHM,
    BackSidePage,
    Envelope,
    IssuedCopy,
    SignedIssuance,
    envelope_signing_input,
    signed_issuance_to_wire,
)
from kiosk.center.wire.fields import JST, format_timestamp, parse_timestamp
from kiosk.center.wire.jsonstrict import JsonValue, WireFormatError, canonical, dumps, loads
from kiosk.center.wire.messages import (
    AUTH_MESSAGE_LABEL,
    IDEMPOTENCY_KEY,
    KIOSK_ID,
    NONCE_BYTES,
    AuthPurpose,
    Challenge,
    ChallengeAnswer,
    ChallengeRequest,
    CompletionOutcome,
    ErrorBody,
    ErrorCode,
    Health,
    HealthState,
    Municipality,
    MunicipalityList,
    Notice,
    NoticeList,
    NoticeScope,
    PaymentPlace,
    RegistrationState,
    SessionGrant,
    auth_message,
)
from kiosk.center.wire.reasons import (
    AUTH_REASONS,
    MUNICIPALITY_REASONS,
    OUT_OF_HOURS_REASONS,
    REASONS,
)
from kiosk.center.wire.transactions import (
    CompletionReceipt,
    CompletionReport,
    IssuanceRequest,
    RegistrationApplication,
    RegistrationReceipt,
    RegistrationStatus,
    Settlement,
    SettlementLine,
)
from kiosk.center.wire.versions import (
    API_PREFIX,
    PROTOCOL_VERSION,
    SUPPORTED_VERSIONS,
    api_prefix,
)
from kiosk.center.wire.vocabulary import (
    MAX_COPIES,
    offer_from_wire,
    offer_to_wire,
    request_from_wire,
    request_to_wire,
)

# The store's fee per printed copy (product-facts.md: "The store gets 115 yen per copy").
STORE_FEE_PER_COPY_YEN = 115

__all__ = [
    "API_PREFIX",
    "AUTH_MESSAGE_LABEL",
    "AUTH_REASONS",
    "BACK_SIDE_FORMAT",
    "ENVELOPE_FORMAT",
    "ENVELOPE_SIGNING_EKU",
    "IDEMPOTENCY_KEY",
    "JST",
    "KIOSK_ID",
    "MAX_COPIES",
    "MUNICIPALITY_REASONS",
    "NONCE_BYTES",
    "OUT_OF_HOURS_REASONS",
    "PROTOCOL_VERSION",
    "REASONS",
    "SIGNATURE_ALGORITHM",
    "STORE_FEE_PER_COPY_YEN",
    "SUPPORTED_VERSIONS",
    "AuthPurpose",
    "BackSidePage",
    "Challenge",
    "ChallengeAnswer",
    "ChallengeRequest",
    "CompletionOutcome",
    "CompletionReceipt",
    "CompletionReport",
    "Envelope",
    "ErrorBody",
    "ErrorCode",
    "Health",
    "HealthState",
    "IssuanceRequest",
    "IssuedCopy",
    "JsonValue",
    "Municipality",
    "MunicipalityList",
    "Notice",
    "NoticeList",
    "NoticeScope",
    "PaymentPlace",
    "RegistrationApplication",
    "RegistrationReceipt",
    "RegistrationState",
    "RegistrationStatus",
    "SessionGrant",
    "Settlement",
    "SettlementLine",
    "SignedIssuance",
    "WireFormatError",
    "api_prefix",
    "auth_message",
    "canonical",
    "dumps",
    "envelope_signing_input",
    "format_timestamp",
    "loads",
    "offer_from_wire",
    "offer_to_wire",
    "parse_timestamp",
    "request_from_wire",
    "request_to_wire",
    "signed_issuance_to_wire",
]
