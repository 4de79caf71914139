"""The protocol's messages of a transaction: the issuance request, the completion report and
its receipt, and the 本籍地 usage registration (the settlement of a kiosk's day is in
settlement.py).

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
    def from_wire(
        cls, value: Any, version: int = PROTOCOL_VERSION, path: str = "$"
    ) -> CompletionReport:
        fields = Fields(value, path)
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
                f"{path}.failure_reason", "given exactly when the outcome is not printed"
            )
        if result.outcome is CompletionOutcome.CANCELLED and result.copies_printed:
            raise WireFormatError(f"{path}.copies_printed", "a cancelled issuance printed nothing")
        if result.amount_refunded_yen + result.refund_pending_yen > result.amount_paid_yen:
            raise WireFormatError(f"{path}.amount_refunded_yen", "more refunded than paid")
        if result.payment is PaymentPlace.COUNTER and result.amount_paid_yen:
            raise WireFormatError(
                f"{path}.amount_paid_yen", "a counter payment takes no money here"
            )
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
