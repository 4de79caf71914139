"""The protocol's messages of a transaction: the issuance request, the completion report and
its receipt, the settlement of a kiosk's day, and the 本籍地 usage registration.

Same conventions as messages.py: frozen dataclasses, ``to_wire()`` and a strict ``from_wire()``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from kiosk.center.wire.fields import Fields, format_timestamp
from kiosk.center.wire.jsonstrict import WireFormatError
from kiosk.center.wire.messages import (
    APPLICATION_NUMBER,
    ISSUANCE_ID,
    KIOSK_ID,
    MAX_MUNICIPALITIES,
    PHONE,
    CompletionOutcome,
    PaymentPlace,
    RegistrationState,
)
from kiosk.center.wire.versions import PROTOCOL_VERSION
from kiosk.center.wire.vocabulary import (
    MUNICIPALITY_CODE,
    REASON_CODE,
    request_from_wire,
    request_to_wire,
)
from printing.certificates import CertificateRequest


# -- issuance and completion -----------------------------------------------------------------
@dataclass(frozen=True)
class IssuanceRequest:
    request: CertificateRequest

    def to_wire(self, version: int = PROTOCOL_VERSION) -> dict[str, Any]:
        return {"request": request_to_wire(self.request, version)}

    @classmethod
    def from_wire(cls, value: Any, version: int = PROTOCOL_VERSION) -> IssuanceRequest:
        fields = Fields(value)
        result = cls(request=request_from_wire(fields.raw("request"), "$.request", version))
        fields.done()
        return result


@dataclass(frozen=True)
class CompletionReport:
    """What happened at the kiosk after the envelope arrived (docs: "Completion").

    ``payment`` (v2) says where the fee is paid: at the kiosk (the amounts below are the fees
    the kiosk took, refunded and still owes) or at a city-hall counter against a numbered
    ticket (no money at the kiosk: every amount is 0). A v1 report is always a kiosk payment.
    """

    outcome: CompletionOutcome
    copies_printed: int
    amount_paid_yen: int
    amount_refunded_yen: int
    refund_pending_yen: int  # recorded for staff when the acceptor could not pay back
    failure_reason: str | None
    completed_at: datetime
    payment: PaymentPlace = PaymentPlace.KIOSK

    def to_wire(self, version: int = PROTOCOL_VERSION) -> dict[str, Any]:
        value: dict[str, Any] = {
            "outcome": self.outcome.value,
            "copies_printed": self.copies_printed,
            "amount_paid_yen": self.amount_paid_yen,
            "amount_refunded_yen": self.amount_refunded_yen,
            "refund_pending_yen": self.refund_pending_yen,
            "failure_reason": self.failure_reason,
            "completed_at": format_timestamp(self.completed_at),
        }
        if version >= 2:
            value["payment"] = self.payment.value
        elif self.payment is not PaymentPlace.KIOSK:
            raise ValueError("protocol v1 has no counter payment")
        return value

    @classmethod
    def from_wire(cls, value: Any, version: int = PROTOCOL_VERSION) -> CompletionReport:
        fields = Fields(value)
        yen = {"min": 0, "max": 10_000_000}
        result = cls(
            outcome=fields.enum("outcome", CompletionOutcome),
            copies_printed=fields.integer("copies_printed", min=0, max=100),
            amount_paid_yen=fields.integer("amount_paid_yen", **yen),
            amount_refunded_yen=fields.integer("amount_refunded_yen", **yen),
            refund_pending_yen=fields.integer("refund_pending_yen", **yen),
            failure_reason=fields.opt_text("failure_reason", pattern=REASON_CODE, max_len=48),
            completed_at=fields.timestamp("completed_at"),
            payment=(fields.enum("payment", PaymentPlace) if version >= 2 else PaymentPlace.KIOSK),
        )
        fields.done()
        if (result.outcome is CompletionOutcome.PRINTED) != (result.failure_reason is None):
            raise WireFormatError(
                "$.failure_reason", "given exactly when the outcome is not printed"
            )
        if result.outcome is CompletionOutcome.CANCELLED and result.copies_printed:
            raise WireFormatError("$.copies_printed", "a cancelled issuance printed nothing")
        if result.amount_refunded_yen + result.refund_pending_yen > result.amount_paid_yen:
            raise WireFormatError("$.amount_refunded_yen", "more refunded than paid")
        if result.payment is PaymentPlace.COUNTER and result.amount_paid_yen:
            raise WireFormatError("$.amount_paid_yen", "a counter payment takes no money here")
        return result

    def problem(self, copies: int, fee_per_copy_yen: int) -> str | None:
        """Why this report cannot be the end of an issuance of ``copies`` copies at
        ``fee_per_copy_yen`` each (the center's check, docs/center-protocol.md "Completion"),
        or None when its money adds up."""
        total = fee_per_copy_yen * copies
        printed_fees = fee_per_copy_yen * self.copies_printed
        if self.copies_printed > copies:
            return "more copies printed than issued"
        if self.outcome is CompletionOutcome.PRINTED and self.copies_printed != copies:
            return "outcome printed but not every copy printed"
        if self.payment is PaymentPlace.COUNTER:
            return None  # the fee of the printed copies is paid at the counter
        if self.amount_paid_yen not in (0, total):
            return "amount paid is neither 0 nor the total fee"
        if self.amount_paid_yen < printed_fees:
            return "copies printed without payment"
        given_back = self.amount_refunded_yen + self.refund_pending_yen
        if given_back != self.amount_paid_yen - printed_fees:
            return "refunds do not equal the fees of the copies not printed"
        return None


@dataclass(frozen=True)
class CompletionReceipt:
    issuance_id: str
    outcome: CompletionOutcome
    recorded_at: datetime

    def to_wire(self) -> dict[str, Any]:
        return {
            "issuance_id": self.issuance_id,
            "outcome": self.outcome.value,
            "recorded_at": format_timestamp(self.recorded_at),
        }

    @classmethod
    def from_wire(cls, value: Any) -> CompletionReceipt:
        fields = Fields(value)
        result = cls(
            issuance_id=fields.text("issuance_id", pattern=ISSUANCE_ID, max_len=64),
            outcome=fields.enum("outcome", CompletionOutcome),
            recorded_at=fields.timestamp("recorded_at"),
        )
        fields.done()
        return result


@dataclass(frozen=True)
class SettlementLine:
    """One municipality's part of a kiosk's day. ``copies_printed`` and
    ``municipality_fees_yen`` are the copies paid at the kiosk and their fees (collected by the
    store for the municipality); v2 adds the copies printed against a counter ticket, whose fee
    the municipality collects itself."""

    municipality_code: str
    copies_printed: int
    municipality_fees_yen: int
    counter_copies_printed: int = 0  # v2
    counter_fees_yen: int = 0  # v2

    def to_wire(self, version: int = PROTOCOL_VERSION) -> dict[str, Any]:
        value: dict[str, Any] = {
            "municipality_code": self.municipality_code,
            "copies_printed": self.copies_printed,
            "municipality_fees_yen": self.municipality_fees_yen,
        }
        if version >= 2:
            value["counter_copies_printed"] = self.counter_copies_printed
            value["counter_fees_yen"] = self.counter_fees_yen
        return value

    @classmethod
    def from_wire(
        cls, value: Any, path: str = "$", version: int = PROTOCOL_VERSION
    ) -> SettlementLine:
        fields = Fields(value, path)
        count = {"min": 0, "max": 10**9}
        yen = {"min": 0, "max": 10**12}
        result = cls(
            municipality_code=fields.text(
                "municipality_code", pattern=MUNICIPALITY_CODE, max_len=6
            ),
            copies_printed=fields.integer("copies_printed", **count),
            municipality_fees_yen=fields.integer("municipality_fees_yen", **yen),
            counter_copies_printed=(
                fields.integer("counter_copies_printed", **count) if version >= 2 else 0
            ),
            counter_fees_yen=fields.integer("counter_fees_yen", **yen) if version >= 2 else 0,
        )
        fields.done()
        return result


@dataclass(frozen=True)
class Settlement:
    """One kiosk's business day (JST): what was printed, what is owed to whom.

    ``copies_printed``, ``municipality_fees_yen`` and the store fee count the copies paid at
    the kiosk (the store collects the fee and gets 115 yen per copy). Copies printed at a
    city-hall kiosk against a counter ticket (v2: ``counter_copies_printed``,
    ``counter_fees_yen``) are settled apart: the municipality collects their fee at its own
    counter and there is no store fee (product-facts.md, らくらく窓口).
    """

    kiosk_id: str
    business_date: date
    issuances: int
    copies_issued: int
    copies_printed: int
    municipality_fees_yen: int  # collected at the kiosk for the municipalities
    store_fee_per_copy_yen: int
    store_fee_yen: int  # store_fee_per_copy_yen × copies_printed
    refunded_yen: int
    refund_pending_yen: int
    open_issuances: int  # envelopes delivered with no completion report yet
    lines: tuple[SettlementLine, ...]
    counter_copies_printed: int = 0  # v2: printed against a counter ticket
    counter_fees_yen: int = 0  # v2: their fees, collected at the municipality's counter

    def to_wire(self, version: int = PROTOCOL_VERSION) -> dict[str, Any]:
        value: dict[str, Any] = {
            "kiosk_id": self.kiosk_id,
            "business_date": self.business_date.isoformat(),
            "issuances": self.issuances,
            "copies_issued": self.copies_issued,
            "copies_printed": self.copies_printed,
            "municipality_fees_yen": self.municipality_fees_yen,
            "store_fee_per_copy_yen": self.store_fee_per_copy_yen,
            "store_fee_yen": self.store_fee_yen,
            "refunded_yen": self.refunded_yen,
            "refund_pending_yen": self.refund_pending_yen,
            "open_issuances": self.open_issuances,
            "lines": [
                line.to_wire(version) for line in self.lines if version >= 2 or line.copies_printed
            ],
        }
        if version >= 2:
            value["counter_copies_printed"] = self.counter_copies_printed
            value["counter_fees_yen"] = self.counter_fees_yen
        return value

    @classmethod
    def from_wire(cls, value: Any, version: int = PROTOCOL_VERSION) -> Settlement:
        fields = Fields(value)
        count = {"min": 0, "max": 10**9}
        yen = {"min": 0, "max": 10**12}

        def line(item: Any, path: str) -> SettlementLine:
            return SettlementLine.from_wire(item, path, version)

        result = cls(
            kiosk_id=fields.text("kiosk_id", pattern=KIOSK_ID, max_len=64),
            business_date=fields.day("business_date"),
            issuances=fields.integer("issuances", **count),
            copies_issued=fields.integer("copies_issued", **count),
            copies_printed=fields.integer("copies_printed", **count),
            municipality_fees_yen=fields.integer("municipality_fees_yen", **yen),
            store_fee_per_copy_yen=fields.integer("store_fee_per_copy_yen", min=0, max=10_000),
            store_fee_yen=fields.integer("store_fee_yen", **yen),
            refunded_yen=fields.integer("refunded_yen", **yen),
            refund_pending_yen=fields.integer("refund_pending_yen", **yen),
            open_issuances=fields.integer("open_issuances", **count),
            lines=fields.items("lines", line, max_len=MAX_MUNICIPALITIES),
            counter_copies_printed=(
                fields.integer("counter_copies_printed", **count) if version >= 2 else 0
            ),
            counter_fees_yen=fields.integer("counter_fees_yen", **yen) if version >= 2 else 0,
        )
        fields.done()
        if result.store_fee_yen != result.store_fee_per_copy_yen * result.copies_printed:
            raise WireFormatError("$.store_fee_yen", "is not the per-copy fee times copies printed")
        sums = (
            ("copies_printed", result.copies_printed),
            ("municipality_fees_yen", result.municipality_fees_yen),
            ("counter_copies_printed", result.counter_copies_printed),
            ("counter_fees_yen", result.counter_fees_yen),
        )
        for name, total in sums:
            if sum(getattr(line, name) for line in result.lines) != total:
                raise WireFormatError("$.lines", f"do not add up to {name}")
        return result


# -- 本籍地 usage registration -----------------------------------------------------------------
@dataclass(frozen=True)
class RegistrationApplication:
    """利用登録申請: the 4 facts read from the card with 照合番号B, plus what the resident typed."""

    honseki_municipality_code: str
    name: str
    address: str
    birth_date: date
    sex: str  # as on the card: "1" male, "2" female, "9" not applicable, "0" unknown
    honseki: str  # 本籍 as the resident typed it
    hittosha_name: str  # 筆頭者氏名
    phone: str

    def to_wire(self) -> dict[str, Any]:
        return {
            "honseki_municipality_code": self.honseki_municipality_code,
            "name": self.name,
            "address": self.address,
            "birth_date": self.birth_date.isoformat(),
            "sex": self.sex,
            "honseki": self.honseki,
            "hittosha_name": self.hittosha_name,
            "phone": self.phone,
        }

    @classmethod
    def from_wire(cls, value: Any) -> RegistrationApplication:
        fields = Fields(value)
        result = cls(
            honseki_municipality_code=fields.text(
                "honseki_municipality_code", pattern=MUNICIPALITY_CODE, max_len=6
            ),
            name=fields.text("name", min_len=1, max_len=128),
            address=fields.text("address", min_len=1, max_len=256),
            birth_date=fields.day("birth_date"),
            sex=fields.text("sex", pattern=re.compile(r"[0129]"), max_len=1),
            honseki=fields.text("honseki", min_len=1, max_len=256),
            hittosha_name=fields.text("hittosha_name", min_len=1, max_len=128),
            phone=fields.text("phone", pattern=PHONE, max_len=15),
        )
        fields.done()
        return result


@dataclass(frozen=True)
class RegistrationReceipt:
    application_number: str
    municipality_code: str
    municipality_name: str
    submitted_at: datetime
    message_ja: str  # the municipality's message: days needed, contact

    def to_wire(self) -> dict[str, Any]:
        return {
            "application_number": self.application_number,
            "municipality_code": self.municipality_code,
            "municipality_name": self.municipality_name,
            "submitted_at": format_timestamp(self.submitted_at),
            "message_ja": self.message_ja,
        }

    @classmethod
    def from_wire(cls, value: Any) -> RegistrationReceipt:
        fields = Fields(value)
        result = cls(
            application_number=fields.text(
                "application_number", pattern=APPLICATION_NUMBER, max_len=32
            ),
            municipality_code=fields.text(
                "municipality_code", pattern=MUNICIPALITY_CODE, max_len=6
            ),
            municipality_name=fields.text("municipality_name", min_len=1, max_len=64),
            submitted_at=fields.timestamp("submitted_at"),
            message_ja=fields.text("message_ja", max_len=2048),
        )
        fields.done()
        return result


@dataclass(frozen=True)
class RegistrationStatus:
    application_number: str
    state: RegistrationState
    message_ja: str
    checked_at: datetime

    def to_wire(self) -> dict[str, Any]:
        return {
            "application_number": self.application_number,
            "state": self.state.value,
            "message_ja": self.message_ja,
            "checked_at": format_timestamp(self.checked_at),
        }

    @classmethod
    def from_wire(cls, value: Any) -> RegistrationStatus:
        fields = Fields(value)
        result = cls(
            application_number=fields.text(
                "application_number", pattern=APPLICATION_NUMBER, max_len=32
            ),
            state=fields.enum("state", RegistrationState),
            message_ja=fields.text("message_ja", max_len=2048),
            checked_at=fields.timestamp("checked_at"),
        )
        fields.done()
        return result
