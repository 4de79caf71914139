"""The settlement of one kiosk's business day (docs/center-protocol.md, "Settlement").

A day's figures, one line per municipality, and (v3) one item per issuance with the completion
the center recorded for it, so that a kiosk can reconcile its journal transaction by
transaction when it closes the day. The parser checks that every figure adds up: the lines to
the totals, and the items to the totals and the lines.

Same conventions as messages.py: frozen dataclasses, ``to_wire()`` and a strict ``from_wire()``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from kiosk.center.wire.fields import Fields, format_timestamp
from kiosk.center.wire.jsonstrict import WireFormatError
from kiosk.center.wire.messages import ISSUANCE_ID, KIOSK_ID, MAX_MUNICIPALITIES, PaymentPlace
from kiosk.center.wire.transactions import CompletionReport
from kiosk.center.wire.versions import PROTOCOL_VERSION
from kiosk.center.wire.vocabulary import MAX_COPIES, MAX_FEE_YEN, MUNICIPALITY_CODE
from printing.certificates import CertificateKind

# The most issuances one settlement lists. A kiosk issuance takes well over 30 s from the card
# to the printed copy (PIN, center, payment, duplex printing), so a kiosk cannot book more
# than ≈2 900 in a day; 5 000 bounds the answer (≈1.5 MB of JSON) with room to spare.
MAX_SETTLEMENT_ITEMS = 5000

_COUNT = {"min": 0, "max": 10**9}
_YEN = {"min": 0, "max": 10**12}


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
        result = cls(
            municipality_code=fields.text(
                "municipality_code", pattern=MUNICIPALITY_CODE, max_len=6
            ),
            copies_printed=fields.integer("copies_printed", **_COUNT),
            municipality_fees_yen=fields.integer("municipality_fees_yen", **_YEN),
            counter_copies_printed=(
                fields.integer("counter_copies_printed", **_COUNT) if version >= 2 else 0
            ),
            counter_fees_yen=fields.integer("counter_fees_yen", **_YEN) if version >= 2 else 0,
        )
        fields.done()
        return result


@dataclass(frozen=True)
class SettlementItem:
    """v3: one issuance of the day as the center booked it, and the completion report it
    recorded for it (``completion`` null: no report yet — the issuance is open)."""

    issuance_id: str
    municipality_code: str
    kind: CertificateKind
    copies: int
    fee_yen_per_copy: int
    issued_at: datetime
    completion: CompletionReport | None

    @property
    def kiosk_paid_copies(self) -> int:
        """Copies printed and paid at the kiosk (the store collects their fee)."""
        done = self.completion
        return done.copies_printed if done and done.payment is PaymentPlace.KIOSK else 0

    @property
    def counter_copies(self) -> int:
        """Copies printed against a counter ticket (the municipality collects their fee)."""
        done = self.completion
        return done.copies_printed if done and done.payment is PaymentPlace.COUNTER else 0

    def to_wire(self) -> dict[str, Any]:
        return {
            "issuance_id": self.issuance_id,
            "municipality_code": self.municipality_code,
            "kind": self.kind.value,
            "copies": self.copies,
            "fee_yen_per_copy": self.fee_yen_per_copy,
            "issued_at": format_timestamp(self.issued_at),
            "completion": self.completion.to_wire(3) if self.completion else None,
        }

    @classmethod
    def from_wire(cls, value: Any, path: str = "$") -> SettlementItem:
        fields = Fields(value, path)
        completion = None
        if not fields.is_null("completion"):
            completion = CompletionReport.from_wire(
                fields.raw("completion"), 3, f"{path}.completion"
            )
        result = cls(
            issuance_id=fields.text("issuance_id", pattern=ISSUANCE_ID, max_len=64),
            municipality_code=fields.text(
                "municipality_code", pattern=MUNICIPALITY_CODE, max_len=6
            ),
            kind=fields.enum("kind", CertificateKind),
            copies=fields.integer("copies", min=1, max=MAX_COPIES),
            fee_yen_per_copy=fields.integer("fee_yen_per_copy", min=0, max=MAX_FEE_YEN),
            issued_at=fields.timestamp("issued_at"),
            completion=completion,
        )
        fields.done()
        if completion is not None:
            problem = completion.problem(result.copies, result.fee_yen_per_copy)
            if problem:
                raise WireFormatError(f"{path}.completion", f"does not add up: {problem}")
        return result


@dataclass(frozen=True)
class Settlement:
    """One kiosk's business day (JST): what was printed, what is owed to whom.

    ``copies_printed``, ``municipality_fees_yen`` and the store fee count the copies paid at
    the kiosk (the store collects the fee and gets 115 yen per copy). Copies printed at a
    city-hall kiosk against a counter ticket (v2: ``counter_copies_printed``,
    ``counter_fees_yen``) are settled apart: the municipality collects their fee at its own
    counter and there is no store fee (product-facts.md, らくらく窓口). v3 lists every issuance
    of the day (``items``) for a reconciliation transaction by transaction.
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
    items: tuple[SettlementItem, ...] = ()  # v3: every issuance of the day

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
        if version >= 3:
            value["items"] = [item.to_wire() for item in self.items]
        return value

    @classmethod
    def from_wire(cls, value: Any, version: int = PROTOCOL_VERSION) -> Settlement:
        fields = Fields(value)

        def line(item: Any, path: str) -> SettlementLine:
            return SettlementLine.from_wire(item, path, version)

        result = cls(
            kiosk_id=fields.text("kiosk_id", pattern=KIOSK_ID, max_len=64),
            business_date=fields.day("business_date"),
            issuances=fields.integer("issuances", **_COUNT),
            copies_issued=fields.integer("copies_issued", **_COUNT),
            copies_printed=fields.integer("copies_printed", **_COUNT),
            municipality_fees_yen=fields.integer("municipality_fees_yen", **_YEN),
            store_fee_per_copy_yen=fields.integer("store_fee_per_copy_yen", min=0, max=10_000),
            store_fee_yen=fields.integer("store_fee_yen", **_YEN),
            refunded_yen=fields.integer("refunded_yen", **_YEN),
            refund_pending_yen=fields.integer("refund_pending_yen", **_YEN),
            open_issuances=fields.integer("open_issuances", **_COUNT),
            lines=fields.items("lines", line, max_len=MAX_MUNICIPALITIES),
            counter_copies_printed=(
                fields.integer("counter_copies_printed", **_COUNT) if version >= 2 else 0
            ),
            counter_fees_yen=fields.integer("counter_fees_yen", **_YEN) if version >= 2 else 0,
            items=(
                fields.items("items", SettlementItem.from_wire, max_len=MAX_SETTLEMENT_ITEMS)
                if version >= 3
                else ()
            ),
        )
        fields.done()
        result._check_sums()
        if version >= 3:
            result._check_items()
        return result

    def _check_sums(self) -> None:
        if self.store_fee_yen != self.store_fee_per_copy_yen * self.copies_printed:
            raise WireFormatError("$.store_fee_yen", "is not the per-copy fee times copies printed")
        sums = (
            ("copies_printed", self.copies_printed),
            ("municipality_fees_yen", self.municipality_fees_yen),
            ("counter_copies_printed", self.counter_copies_printed),
            ("counter_fees_yen", self.counter_fees_yen),
        )
        for name, total in sums:
            if sum(getattr(line, name) for line in self.lines) != total:
                raise WireFormatError("$.lines", f"do not add up to {name}")

    def _check_items(self) -> None:
        """The items are the day: they add up to every total and to every line."""
        items = self.items
        if len({item.issuance_id for item in items}) != len(items):
            raise WireFormatError("$.items", "an issuance is listed twice")
        done = [item.completion for item in items if item.completion is not None]
        totals = (
            ("issuances", len(items)),
            ("copies_issued", sum(item.copies for item in items)),
            ("open_issuances", len(items) - len(done)),
            ("copies_printed", sum(item.kiosk_paid_copies for item in items)),
            ("counter_copies_printed", sum(item.counter_copies for item in items)),
            ("refunded_yen", sum(report.amount_refunded_yen for report in done)),
            ("refund_pending_yen", sum(report.refund_pending_yen for report in done)),
        )
        for name, total in totals:
            if getattr(self, name) != total:
                raise WireFormatError("$.items", f"do not add up to {name}")
        fees: Counter[str] = Counter()
        counter_fees: Counter[str] = Counter()
        for item in items:
            fees[item.municipality_code] += item.kiosk_paid_copies * item.fee_yen_per_copy
            counter_fees[item.municipality_code] += item.counter_copies * item.fee_yen_per_copy
        for line in self.lines:
            if (
                fees[line.municipality_code] != line.municipality_fees_yen
                or counter_fees[line.municipality_code] != line.counter_fees_yen
            ):
                raise WireFormatError("$.items", f"do not add up to {line.municipality_code}")
        listed = {line.municipality_code for line in self.lines}
        if any(fees[code] or counter_fees[code] for code in set(fees) - listed):
            raise WireFormatError("$.items", "name fees of a municipality without a line")
