"""The verification service: a relying party with the paper but no scanner checks it online.

``GET /v2/verifications/{serial}?code=…`` on a listener of its own — HTTPS with the center's
server certificate, **no client certificate** (a bank clerk, a landlord, a city office) —
answers, for the serial and the verification code printed on the front, the signed codes of
every page (COSE_Sign1 from the back, verifiable offline with the issuer's public key:
``python -m printing.verify --online``), for the retention the center is configured with
(default 3 months after issue), and nothing once it has passed.

Guessing is hopeless and is made slow and visible (docs/center-protocol.md, "Verification"):

* the code is 80 random bits (printing.security.vcode), stored only as an HMAC under a secret
  of this service;
* every client (remote address) and every serial has a token bucket; a flood gets
  ``429 too_many_requests`` with ``Retry-After``, and so does the whole service past its
  global rate;
* wrong codes are counted per serial — for any well-formed serial, issued or not, so the
  count and the lock tell nothing about which serials exist — and the serial locks for a day
  after :data:`LOCK_AFTER_MISSES`;
* an unknown serial, a wrong code and an expired record get the same ``404``;
* every query is audited — time, serial asked, outcome — without the relying party's address
  (rate limiting keeps addresses in memory only, for minutes).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import math
import os
import re
import secrets
import sqlite3
import threading
import time
from calendar import monthrange
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from printing.security.vcode import normalise

log = logging.getLogger(__name__)

API_PATH = "/v2/verifications/{serial}"
DEFAULT_RETENTION_MONTHS = 3
LOCK_AFTER_MISSES = 5  # wrong codes for one serial before it locks (2^-80 per guess anyway)
LOCK_DURATION = timedelta(hours=24)
# Token buckets (capacity, refill per second): a person types a few codes a minute.
CLIENT_BUCKET = (10, 10 / 60)
SERIAL_BUCKET = (5, 5 / 60)
GLOBAL_BUCKET = (200, 50.0)  # the whole service: a distributed flood cannot starve the center
MAX_BUCKETS = 100_000  # remembered clients and serials; the least recently seen are dropped
SERIAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")  # printing.security.backside
MESSAGES_JA = {
    "not_found": "発行番号と検証コードの組み合わせが見つからないか、照会できる期間を過ぎています。",
    "malformed_request": "発行番号または検証コードの形式が正しくありません。",
    "too_many_requests": "照会が多すぎます。しばらくしてから照会してください。",
}


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` later (the month's last day when it is shorter)."""
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, monthrange(year, month)[1]))


def normalise_code(typed: str) -> str | None:
    """The code as stored from what was typed (case, hyphens, O/I/L forgiven), or None."""
    try:
        return normalise(typed)
    except ValueError:
        return None


@dataclass(frozen=True)
class VerificationRecord:
    """What the service keeps for one printed copy until its retention ends."""

    serial: str
    code: str  # the plain code: hashed before it is stored
    issuer: str
    issued_on: date
    signed_codes: tuple[bytes, ...]  # one per page, in order

    def __repr__(self) -> str:  # no serial, no code in logs
        return f"VerificationRecord(pages={len(self.signed_codes)})"


SCHEMA = """
CREATE TABLE IF NOT EXISTS verifications (
    serial TEXT PRIMARY KEY,
    code_mac TEXT NOT NULL,
    issuer TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    pages BLOB NOT NULL,
    recorded_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS verifications_by_expiry ON verifications (expires_at);
CREATE TABLE IF NOT EXISTS misses (
    serial_mac TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    locked_until TEXT,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    serial TEXT NOT NULL,
    outcome TEXT NOT NULL
);
"""


def _ts(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class VerificationStore:
    """SQLite (WAL, synchronous=FULL) of the records, the miss counts and the audit log, with
    the service's secret (an HMAC key for codes and serials) beside it."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._secret = _load_or_create_secret(folder / "verification-secret.key")
        self.path = folder / "verifications.sqlite3"
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _mac(self, label: bytes, value: str) -> str:
        return hmac.new(self._secret, label + value.encode("utf-8"), hashlib.sha256).hexdigest()

    def record(self, record: VerificationRecord, now: datetime, expires_at: datetime) -> None:
        """Keep a copy's signed codes under its serial (a repeat of the same issuance is a
        no-op: an idempotent replay)."""
        pages = json.dumps([base64.b64encode(c).decode("ascii") for c in record.signed_codes])
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR IGNORE INTO verifications (serial, code_mac, issuer, issued_on, pages,"
                " recorded_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    record.serial,
                    self._mac(b"code\0", record.code),
                    record.issuer,
                    record.issued_on.isoformat(),
                    pages.encode("ascii"),
                    _ts(now),
                    _ts(expires_at),
                ),
            )

    def lookup(self, serial: str, code: str | None, now: datetime) -> tuple[str, dict[str, Any]]:
        """(outcome, answer): ``found`` with the record, or ``locked`` (with ``until``),
        ``wrong_code``, ``unknown`` or ``expired`` — the last three answered alike."""
        serial_mac = self._mac(b"serial\0", serial)
        with self._lock, self._db:
            miss = self._db.execute(
                "SELECT count, locked_until FROM misses WHERE serial_mac = ?", (serial_mac,)
            ).fetchone()
            if miss and miss[1] and datetime.fromisoformat(miss[1]) > now:
                return "locked", {"until": datetime.fromisoformat(miss[1])}
            row = self._db.execute(
                "SELECT code_mac, issuer, issued_on, pages, expires_at FROM verifications"
                " WHERE serial = ?",
                (serial,),
            ).fetchone()
            right = (
                row is not None
                and code is not None
                and hmac.compare_digest(row[0], self._mac(b"code\0", code))
            )
            if right and datetime.fromisoformat(row[4]) <= now:
                self._db.execute("DELETE FROM verifications WHERE serial = ?", (serial,))
                return "expired", {}
            if right:
                self._db.execute("DELETE FROM misses WHERE serial_mac = ?", (serial_mac,))
                return "found", {
                    "serial": serial,
                    "issuer": row[1],
                    "issued_on": row[2],
                    "pages": json.loads(bytes(row[3])),
                    "available_until": datetime.fromisoformat(row[4]),
                }
            count = (miss[0] if miss else 0) + 1
            locked = _ts(now + LOCK_DURATION) if count >= LOCK_AFTER_MISSES else None
            self._db.execute(
                "INSERT INTO misses (serial_mac, count, locked_until, updated_at) VALUES"
                " (?, ?, ?, ?) ON CONFLICT (serial_mac) DO UPDATE SET count = excluded.count,"
                " locked_until = excluded.locked_until, updated_at = excluded.updated_at",
                (serial_mac, 0 if locked else count, locked, _ts(now)),
            )
            return ("wrong_code" if row is not None else "unknown"), {}

    def audit(self, now: datetime, serial: str, outcome: str) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO audit (at, serial, outcome) VALUES (?, ?, ?)",
                (_ts(now), serial, outcome),
            )

    def audit_log(self) -> list[tuple[str, str, str]]:
        with self._lock:
            return [
                (str(at), str(serial), str(outcome))
                for at, serial, outcome in self._db.execute("SELECT at, serial, outcome FROM audit")
            ]

    def dump(self) -> str:
        """Everything the database holds, as SQL (tests: what is and is not kept)."""
        with self._lock:
            return "\n".join(self._db.iterdump())

    def purge(self, now: datetime) -> int:
        """Forget records past their retention and miss counts a day old; returns how many
        records went."""
        with self._lock, self._db:
            gone = self._db.execute("DELETE FROM verifications WHERE expires_at <= ?", (_ts(now),))
            self._db.execute(
                "DELETE FROM misses WHERE updated_at < ? AND (locked_until IS NULL OR"
                " locked_until < ?)",
                (_ts(now - LOCK_DURATION), _ts(now)),
            )
            return int(gone.rowcount)


def _load_or_create_secret(path: Path) -> bytes:
    if path.exists():
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    data = secrets.token_bytes(32)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    tmp.replace(path)
    return data


@dataclass
class _Bucket:
    tokens: float
    stamp: float


@dataclass
class RateLimiter:
    """Token buckets by name (capacity, refill per second), the least recent forgotten."""

    capacity: float
    rate: float
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, name: str) -> float:
        """0 when a request may go; else the seconds until one may."""
        with self._lock:
            return self._take(name)

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()

    def _take(self, name: str) -> float:
        now = self.clock()
        bucket = self._buckets.pop(name, None) or _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        self._buckets[name] = bucket  # most recent last
        while len(self._buckets) > MAX_BUCKETS:
            self._buckets.pop(next(iter(self._buckets)))
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate


@dataclass
class VerificationService:
    """The service: the store, its clock (the center's business clock, which tests move), the
    retention and the rate limits."""

    store: VerificationStore
    now: Callable[[], datetime]
    retention_months: int = DEFAULT_RETENTION_MONTHS
    clients: RateLimiter = field(default_factory=lambda: RateLimiter(*CLIENT_BUCKET))
    serials: RateLimiter = field(default_factory=lambda: RateLimiter(*SERIAL_BUCKET))
    everyone: RateLimiter = field(default_factory=lambda: RateLimiter(*GLOBAL_BUCKET))

    def reset_limits(self) -> None:
        """Forget every bucket (the admin endpoint, for tests from one loopback address)."""
        for limiter in (self.clients, self.serials, self.everyone):
            limiter.reset()

    def record(self, records: Sequence[VerificationRecord]) -> None:
        now = self.now()
        for record in records:
            self.store.record(record, now, add_months(now, self.retention_months))

    def query(self, client: str, serial: str, code_text: str | None) -> tuple[int, dict[str, Any]]:
        """(HTTP status, body) for one query; audited."""
        now = self.now()
        well_formed = SERIAL.fullmatch(serial) is not None
        audited = serial if well_formed else "(malformed)"
        # Every request costs the whole service's bucket; a serial's only when the client's
        # let it through (one client's flood cannot lock others out of a serial).
        wait = max(self.everyone.take(""), self.clients.take(client))
        if well_formed and not wait:
            wait = self.serials.take(serial)
        if wait:
            self.store.audit(now, audited, "rate_limited")
            return 429, _error("too_many_requests", "rate_limited", "too many queries", wait)
        code = normalise_code(code_text) if code_text is not None else None
        if not well_formed or code is None:
            self.store.audit(now, audited, "malformed")
            return 400, _error("malformed_request", None, "serial or code malformed")
        outcome, found = self.store.lookup(serial, code, now)
        self.store.audit(now, serial, outcome)
        if outcome == "found":
            return 200, _answer(found)
        if outcome == "locked":
            until: datetime = found["until"]
            return 429, _error(
                "too_many_requests",
                "serial_locked",
                "too many wrong codes for this serial",
                (until - now).total_seconds(),
            )
        return 404, _error("not_found", None, "no such serial and code, or past retention")


def _error(
    code: str, reason: str | None, message: str, retry_s: float | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "error": {
            "code": code,
            "reason": reason,
            "message": message,
            "message_ja": MESSAGES_JA[code],
            "retryable": retry_s is not None,
            "until": None,
        }
    }
    if retry_s is not None:
        body["retry_after_s"] = max(1, math.ceil(retry_s))
    return body


def _answer(found: dict[str, Any]) -> dict[str, Any]:
    until: datetime = found["available_until"]
    return {
        "format": "konbini-verification/1",
        "serial": found["serial"],
        "issuer": found["issuer"],
        "issued_on": found["issued_on"],
        "available_until": until.astimezone(UTC).isoformat(timespec="seconds"),
        "pages": [
            {"page_index": index, "signed_code": code} for index, code in enumerate(found["pages"])
        ],
    }


def verification_application(service: VerificationService) -> web.Application:
    """The public listener's routes: the query only (no client certificate is asked)."""

    async def query(request: web.Request) -> web.Response:
        serial = request.match_info["serial"]
        codes = request.query.getall("code", [])
        status, body = await asyncio.get_running_loop().run_in_executor(
            None, service.query, request.remote or "", serial, codes[0] if len(codes) == 1 else None
        )
        headers = {"Cache-Control": "no-store"}
        if "retry_after_s" in body:
            headers["Retry-After"] = str(body.pop("retry_after_s"))
        return web.json_response(body, status=status, headers=headers)

    @web.middleware
    async def errors(
        request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        try:
            response: web.StreamResponse = await handler(request)
            return response
        except web.HTTPNotFound:
            return web.json_response(_error("not_found", None, "no such resource"), status=404)
        except web.HTTPMethodNotAllowed:
            return web.json_response(_error("malformed_request", None, "method not allowed"),
                                     status=400)  # fmt: skip

    app = web.Application(middlewares=[errors], client_max_size=1024)
    app.router.add_get(API_PATH, query)
    return app
