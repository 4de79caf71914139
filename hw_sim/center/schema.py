"""The simulated center's database schema and the records its store hands out.

:data:`MIGRATIONS` bring a database made by an older center up to :data:`SCHEMA` (the state
directory survives upgrades of the center, as a real center's database would).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

SCHEMA = """
CREATE TABLE IF NOT EXISTS kiosks (
    kiosk_id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    payment_modes TEXT NOT NULL DEFAULT 'kiosk'
);
CREATE TABLE IF NOT EXISTS challenges (
    challenge_id TEXT PRIMARY KEY,
    kiosk_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    nonce BLOB NOT NULL,
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    kiosk_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    card_identifier TEXT NOT NULL,
    municipality_code TEXT NOT NULL,
    municipality_name TEXT NOT NULL,
    resident_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    ended INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS idempotency (
    kiosk_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    body BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (kiosk_id, idem_key)
);
CREATE TABLE IF NOT EXISTS issuances (
    issuance_id TEXT PRIMARY KEY,
    kiosk_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    municipality_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    jurisdiction TEXT NOT NULL,
    copies INTEGER NOT NULL,
    fee_per_copy INTEGER NOT NULL,
    total_fee INTEGER NOT NULL,
    document_number TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    business_date TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS issuances_by_day ON issuances (kiosk_id, business_date);
CREATE TABLE IF NOT EXISTS completions (
    issuance_id TEXT PRIMARY KEY REFERENCES issuances (issuance_id),
    outcome TEXT NOT NULL,
    copies_printed INTEGER NOT NULL,
    amount_paid INTEGER NOT NULL,
    amount_refunded INTEGER NOT NULL,
    refund_pending INTEGER NOT NULL,
    failure_reason TEXT,
    completed_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    report_fingerprint TEXT NOT NULL,
    payment TEXT NOT NULL DEFAULT 'kiosk' CHECK (payment IN ('kiosk', 'counter'))
);
CREATE TABLE IF NOT EXISTS sequences (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS registrations (
    application_number TEXT PRIMARY KEY,
    kiosk_id TEXT NOT NULL,
    municipality_code TEXT NOT NULL,
    submitted_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS notices (
    notice_id TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    municipality_code TEXT,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    message_ja TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS revocations (
    serial_hex TEXT PRIMARY KEY,
    revoked_at TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

# (table, column, ALTER statement): columns added after the first release of the schema.
MIGRATIONS = (
    (
        "completions",
        "payment",
        "ALTER TABLE completions ADD COLUMN payment TEXT NOT NULL DEFAULT 'kiosk'",
    ),
    # Where each kiosk takes fees (comma-separated wire.PaymentPlace values): kiosks registered
    # before the center knew are store kiosks, paid at the kiosk.
    (
        "kiosks",
        "payment_modes",
        "ALTER TABLE kiosks ADD COLUMN payment_modes TEXT NOT NULL DEFAULT 'kiosk'",
    ),
)


@dataclass(frozen=True)
class SessionRecord:
    kiosk_id: str
    purpose: str
    card_identifier: str
    municipality_code: str
    municipality_name: str
    resident_id: str
    expires_at: datetime
    ended: bool


@dataclass(frozen=True)
class ChallengeRecord:
    challenge_id: str
    kiosk_id: str
    purpose: str
    nonce: bytes
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class IssuanceRecord:
    issuance_id: str
    kiosk_id: str
    municipality_code: str
    copies: int
    fee_per_copy: int
    total_fee: int


@dataclass(frozen=True)
class CompletionRecord:
    outcome: str
    recorded_at: datetime
    report_fingerprint: str


@dataclass(frozen=True)
class Notice:
    notice_id: str
    scope: str
    municipality_code: str | None
    starts_at: datetime
    ends_at: datetime
    message_ja: str


@dataclass(frozen=True)
class DayTotals:
    """The raw figures of one kiosk's business day (see wire.Settlement)."""

    issuances: int
    copies_issued: int
    open_issuances: int
    refunded_yen: int
    refund_pending_yen: int
    # (municipality code, copies paid at the kiosk, their fees, counter copies, their fees)
    lines: list[tuple[str, int, int, int, int]]


@dataclass(frozen=True)
class DayItem:
    """One issuance of a kiosk's business day and its completion, if one was recorded."""

    issuance_id: str
    municipality_code: str
    kind: str
    copies: int
    fee_per_copy: int
    issued_at: datetime
    # The recorded completion: None while the issuance is open.
    outcome: str | None
    payment: str | None
    copies_printed: int
    amount_paid: int
    amount_refunded: int
    refund_pending: int
    failure_reason: str | None
    completed_at: datetime | None
