"""The audit event catalog: what the kiosk records for staff and auditors, with stable IDs.

Long actions log ``…-init`` and ``…-complete`` (VotingWorks' convention); a completion carries
its outcome (``success`` or a failure code). Details are a closed set of keys whose values are
never personal: transaction ids, amounts, counts, staff codes, reason codes. :func:`record`
refuses any other key, so a name, an address, a My Number, a PIN or a certificate serial cannot
slip into the audit log by accident.

The flow emits :class:`AuditRecord` effects; the runner passes them to :func:`record`, which
writes one JSON line to the ``kiosk.audit`` logger (the deployment routes it to
``var/kiosk/audit.log`` or the journal host).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

audit_log = logging.getLogger("kiosk.audit")


class AuditEvent(StrEnum):
    """Every event the kiosk audits (the value is the stable ID)."""

    TRANSACTION_START = "transaction-start"
    TRANSACTION_END = "transaction-end"
    SESSION_TIMEOUT = "session-timeout"
    CARD_READ_INIT = "card-read-init"
    CARD_READ_COMPLETE = "card-read-complete"
    PIN_VERIFY_INIT = "pin-verify-init"
    PIN_VERIFY_COMPLETE = "pin-verify-complete"
    AUTHENTICATION_INIT = "authentication-init"
    AUTHENTICATION_COMPLETE = "authentication-complete"
    CARD_RELEASED = "card-released"
    CARD_LEFT_BEHIND = "card-left-behind"
    BASKET_ADD = "basket-add"  # another certificate for the same visit (items: before it)
    BASKET_REMOVE = "basket-remove"  # an item removed before paying (items: left)
    ISSUE_INIT = "issue-init"
    ISSUE_COMPLETE = "issue-complete"
    PAYMENT_INIT = "payment-init"
    PAYMENT_COMPLETE = "payment-complete"
    CHANGE_COMPLETE = "change-complete"
    CHANGE_LEFT_IN_TRAY = "change-left-in-tray"
    REFUND_INIT = "refund-init"
    REFUND_COMPLETE = "refund-complete"
    STAFF_OWED = "staff-owed"
    STRAY_MONEY = "stray-money"
    PRINT_INIT = "print-init"
    PRINT_COMPLETE = "print-complete"
    REPORT_COMPLETE = "report-complete"
    REGISTRATION_INIT = "registration-init"
    REGISTRATION_COMPLETE = "registration-complete"
    STATUS_CHECK_COMPLETE = "status-check-complete"
    FAULT = "fault"
    OUT_OF_SERVICE = "out-of-service"
    # staff mode (kiosk/staff): every staff action, with the staff id
    STAFF_LOGIN = "staff-login"  # outcome: success, wrong_pin, unknown_card
    STAFF_LOGOUT = "staff-logout"  # outcome: exit, idle
    STAFF_LOCKOUT = "staff-lockout"  # too many wrong PINs (outcome: locked, unlocked)
    STAFF_WAITING = "staff-waiting"  # staff asked while a resident was served
    STAFF_SERVICE = "staff-service"  # outcome: out (reason) or in
    STAFF_PAID_BACK = "staff-paid-back"
    STAFF_CASH_COUNT = "staff-cash-count"
    STAFF_TEST_PAGE = "staff-test-page"
    STAFF_CLOSING = "staff-closing"  # -init style: outcome started, resumed, done, …
    STAFF_RESTART = "staff-restart"


# The only detail keys an audit record may carry (values: ids, amounts, counts, codes).
ALLOWED_DETAILS = frozenset(
    {
        "txn_id",
        "service",
        "kind",
        "copies",
        "yen",
        "short_yen",
        "tries_left",
        "problem",
        "staff_code",
        "reason",
        "fault",
        "timer",
        "screen",
        "document_digest",
        "item",  # a basket's item number (1-based)
        "items",  # how many certificates a basket holds
        # staff mode: who (a staff number of the profile), on what (entries, days, counts)
        "staff_id",
        "entry",
        "day",
        "count_id",
        "difference_yen",
    }
)


@dataclass(frozen=True)
class AuditRecord:
    """One audit event with its outcome and non-personal details."""

    event: AuditEvent
    outcome: str = ""  # "success" or a failure code, for -complete events
    details: tuple[tuple[str, str | int], ...] = field(default=())

    def __post_init__(self) -> None:
        unknown = {key for key, _ in self.details} - ALLOWED_DETAILS
        if unknown:
            raise ValueError(f"audit details not allowed: {sorted(unknown)}")


def audit(event: AuditEvent, outcome: str = "", **details: str | int) -> AuditRecord:
    """Build an audit record (keyword details, checked against :data:`ALLOWED_DETAILS`)."""
    return AuditRecord(event, outcome, tuple(sorted(details.items())))


AuditObserver = Callable[[AuditRecord], None]
_observers: list[AuditObserver] = []
_observers_lock = threading.Lock()


def add_observer(observer: AuditObserver) -> Callable[[], None]:
    """Call ``observer(entry)`` for every record written (the staff's fault list, the metrics);
    returns the function that removes it. Observers must be quick and never raise."""
    with _observers_lock:
        _observers.append(observer)

    def remove() -> None:
        with _observers_lock:
            if observer in _observers:
                _observers.remove(observer)

    return remove


def record(entry: AuditRecord, kiosk_id: str) -> str:
    """Write ``entry`` as one JSON line to the audit logger; returns the line."""
    line = json.dumps(
        {
            "kiosk": kiosk_id,
            "event": entry.event.value,
            "outcome": entry.outcome,
            **dict(entry.details),
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    audit_log.info(line)
    with _observers_lock:
        observers = list(_observers)
    for observer in observers:
        try:
            observer(entry)
        except Exception:  # an observer must never stop the audit trail
            audit_log.exception("audit observer failed")
    return line
