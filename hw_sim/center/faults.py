"""Faults on demand and the business clock of the simulated center.

Faults are rules kept in memory (set through the loopback admin endpoint or the CLI); each
matches requests by method and path prefix and fires for the next ``count`` matching requests
(or until cleared when ``count`` is None):

- ``slow``: wait ``delay_s`` before handling;
- ``drop``: close the connection without an answer, ``when`` = ``before`` handling (nothing
  happened) or ``after`` (the work was done and stored, the answer is lost: the kiosk's retry
  with the same idempotency key must get the stored answer);
- ``error``: answer ``status`` (500/502/503/504) with a retryable error body, or an HTML page
  (``variant="html"``) as a broken proxy would;
- ``malformed``: handle normally, then spoil the answer (``variant``: ``not_json``,
  ``truncated``, ``extra_field``, ``wrong_type``, ``bad_signature``, ``tampered_fee``,
  ``foreign_signer``, ``other_kiosk``).

Municipality faults are separate: a per-municipality delay (longer than the center's deadline
is "a municipality that times out"), and maintenance windows posted on the world
(``World.set_maintenance``) at any moment, e.g. between the offer and the issuance.

The business clock is what municipalities are asked with (``now`` of the World interface):
hours, weekdays, year-end closure, maintenance windows, the settlement day. It is the system
clock unless an offset is set. Certificate validity, challenges and sessions always use the
system clock.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

FAULT_KINDS = ("slow", "drop", "error", "malformed")
MALFORMED_VARIANTS = (
    "not_json",
    "truncated",
    "extra_field",
    "wrong_type",
    "bad_signature",
    "tampered_fee",
    "foreign_signer",
    "other_kiosk",
)
ERROR_STATUSES = (500, 502, 503, 504)


@dataclass
class FaultRule:
    kind: str
    path_prefix: str = "/v"  # every protocol version (/v1/…, /v2/…, /v3/…)
    method: str | None = None  # None: any method
    count: int | None = 1  # None: until cleared
    delay_s: float = 0.0  # slow
    when: str = "before"  # drop
    status: int = 503  # error
    variant: str = ""  # error: "" or "html"; malformed: one of MALFORMED_VARIANTS
    rule_id: int = field(default=0)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {FAULT_KINDS}")
        if not self.path_prefix.startswith("/"):
            raise ValueError("path_prefix must start with /")
        if self.count is not None and self.count < 1:
            raise ValueError("count must be positive")
        if self.kind == "slow" and not 0 < self.delay_s <= 600:
            raise ValueError("delay_s must be in (0, 600]")
        if self.kind == "drop" and self.when not in ("before", "after"):
            raise ValueError("when must be before or after")
        if self.kind == "error" and (
            self.status not in ERROR_STATUSES or self.variant not in ("", "html")
        ):
            raise ValueError(f"status must be one of {ERROR_STATUSES}, variant '' or 'html'")
        if self.kind == "malformed" and self.variant not in MALFORMED_VARIANTS:
            raise ValueError(f"variant must be one of {MALFORMED_VARIANTS}")

    @classmethod
    def from_json(cls, value: Any) -> FaultRule:
        if not isinstance(value, dict):
            raise ValueError("a fault rule is an object")
        allowed = {"kind", "path_prefix", "method", "count", "delay_s", "when", "status", "variant"}
        unknown = set(value) - allowed
        if unknown:
            raise ValueError(f"unknown fields: {sorted(unknown)}")
        return cls(**value)

    def matches(self, method: str, path: str) -> bool:
        return path.startswith(self.path_prefix) and (self.method is None or self.method == method)


class FaultBoard:
    """The active fault rules and municipality delays; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)
        self._municipality_delay: dict[str, float] = {}

    def add(self, rule: FaultRule) -> int:
        with self._lock:
            rule.rule_id = next(self._ids)
            self._rules.append(rule)
            return rule.rule_id

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._municipality_delay.clear()

    def take(self, method: str, path: str, kinds: tuple[str, ...]) -> FaultRule | None:
        """The first rule of ``kinds`` matching the request, consuming one of its count."""
        with self._lock:
            for rule in self._rules:
                if rule.kind in kinds and rule.matches(method, path):
                    if rule.count is not None:
                        rule.count -= 1
                        if rule.count == 0:
                            self._rules.remove(rule)
                    return rule
        return None

    def set_municipality_delay(self, code: str, delay_s: float | None) -> None:
        with self._lock:
            if delay_s:
                self._municipality_delay[code] = delay_s
            else:
                self._municipality_delay.pop(code, None)

    def municipality_delay(self, code: str) -> float:
        with self._lock:
            return self._municipality_delay.get(code, 0.0)

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {
                "rules": [asdict(rule) for rule in self._rules],
                "municipality_delays": dict(self._municipality_delay),
            }


class BusinessClock:
    """System time plus an adjustable offset (set by tests and the admin endpoint)."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self._offset = offset
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def set_now(self, moment: datetime | None) -> timedelta:
        """Make the clock read ``moment`` now (None: back to system time); returns the offset."""
        with self._lock:
            self._offset = timedelta(0) if moment is None else moment - datetime.now(UTC)
            return self._offset

    @property
    def offset(self) -> timedelta:
        with self._lock:
            return self._offset
