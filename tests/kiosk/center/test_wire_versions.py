"""Protocol v3 next to v2 and v1 (docs/center-protocol.md, "Versioning"): v2's completion
``payment`` and settlement counter figures, v3's notices by language (tests/kiosk/center/
test_wire.py), v3's business day in the envelope and the settlement's items; older shapes stay
exactly as they were."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from kiosk.center import wire

MOMENT = datetime(2026, 11, 26, 10, 0, tzinfo=wire.JST)
Outcome = wire.CompletionOutcome
KIOSK = wire.PaymentPlace.KIOSK
COUNTER = wire.PaymentPlace.COUNTER


def report(
    outcome: Outcome,
    printed: int,
    paid: int = 0,
    refunded: int = 0,
    pending: int = 0,
    payment: wire.PaymentPlace = KIOSK,
) -> wire.CompletionReport:
    reason = None if outcome is Outcome.PRINTED else "media_jam"
    return wire.CompletionReport(
        outcome, printed, paid, refunded, pending, reason, MOMENT, payment=payment
    )


V1_COMPLETION_FIELDS = {
    "outcome",
    "copies_printed",
    "amount_paid_yen",
    "amount_refunded_yen",
    "refund_pending_yen",
    "failure_reason",
    "completed_at",
}


def test_the_versions() -> None:
    assert wire.PROTOCOL_VERSION == 3
    assert wire.API_PREFIX == "/v3"
    assert [wire.api_prefix(v) for v in wire.SUPPORTED_VERSIONS] == ["/v1", "/v2", "/v3"]
    with pytest.raises(ValueError, match="not supported"):
        wire.api_prefix(4)


def test_v2_completion_names_where_the_fee_is_paid() -> None:
    value = report(Outcome.PRINTED, 2, 400).to_wire()
    assert set(value) == V1_COMPLETION_FIELDS | {"payment"}
    assert value["payment"] == "kiosk"
    missing = dict(value)
    del missing["payment"]
    with pytest.raises(wire.WireFormatError, match="payment"):
        wire.CompletionReport.from_wire(missing)
    with pytest.raises(wire.WireFormatError, match="payment"):
        wire.CompletionReport.from_wire({**value, "payment": "card"})


def test_v1_completion_is_unchanged_and_means_a_kiosk_payment() -> None:
    v1 = report(Outcome.FAILED, 1, 400, 200).to_wire(version=1)
    assert set(v1) == V1_COMPLETION_FIELDS
    parsed = wire.CompletionReport.from_wire(v1, version=1)
    assert parsed.payment is KIOSK
    assert parsed == report(Outcome.FAILED, 1, 400, 200)
    # A v1 body never carries the v2 field (strict: unknown fields are an error).
    with pytest.raises(wire.WireFormatError, match="unknown field"):
        wire.CompletionReport.from_wire({**v1, "payment": "kiosk"}, version=1)
    # Counter payment cannot be said in v1 at all.
    with pytest.raises(ValueError, match="v1"):
        report(Outcome.PRINTED, 2, payment=COUNTER).to_wire(version=1)


def test_a_counter_payment_takes_no_money_at_the_kiosk() -> None:
    printed = report(Outcome.PRINTED, 2, payment=COUNTER)
    assert wire.CompletionReport.from_wire(printed.to_wire()) == printed
    for paid, refunded, pending in ((400, 0, 0), (400, 400, 0), (400, 0, 400)):
        value = report(Outcome.FAILED, 0, paid, refunded, pending, COUNTER).to_wire()
        with pytest.raises(wire.WireFormatError):
            wire.CompletionReport.from_wire(value)


@pytest.mark.parametrize(
    ("made", "problem"),
    [
        (report(Outcome.PRINTED, 2, 400), None),
        (report(Outcome.FAILED, 1, 400, 200), None),
        (report(Outcome.FAILED, 0, 400, 100, 300), None),
        (report(Outcome.CANCELLED, 0), None),
        (report(Outcome.PRINTED, 2, payment=COUNTER), None),
        (report(Outcome.FAILED, 1, payment=COUNTER), None),
        (report(Outcome.FAILED, 0, payment=COUNTER), None),
        (report(Outcome.PRINTED, 3, 400), "more copies printed"),
        (report(Outcome.PRINTED, 3, payment=COUNTER), "more copies printed"),
        (report(Outcome.PRINTED, 1, 400, 200), "not every copy"),
        (report(Outcome.PRINTED, 1, payment=COUNTER), "not every copy"),
        (report(Outcome.FAILED, 1, 200, 0), "neither 0 nor the total"),
        (report(Outcome.PRINTED, 2, 0), "printed without payment"),
        (report(Outcome.FAILED, 1, 0), "printed without payment"),
        (report(Outcome.FAILED, 1, 400, 100, 0), "refunds do not equal"),
        (report(Outcome.FAILED, 0, 400, 400, 100), "refunds do not equal"),
    ],
)
def test_the_money_of_a_report_adds_up_or_says_why(
    made: wire.CompletionReport, problem: str | None
) -> None:
    found = made.problem(copies=2, fee_per_copy_yen=200)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found


def test_free_certificates_print_without_payment() -> None:
    assert report(Outcome.PRINTED, 2, 0).problem(copies=2, fee_per_copy_yen=0) is None


def settlement() -> wire.Settlement:
    return wire.Settlement(
        "kiosk-0001",
        date(2026, 11, 26),
        issuances=3,
        copies_issued=4,
        copies_printed=2,
        municipality_fees_yen=400,
        store_fee_per_copy_yen=wire.STORE_FEE_PER_COPY_YEN,
        store_fee_yen=2 * wire.STORE_FEE_PER_COPY_YEN,
        refunded_yen=0,
        refund_pending_yen=0,
        open_issuances=0,
        lines=(
            wire.SettlementLine("131202", 2, 400, 0, 0),
            wire.SettlementLine("221007", 0, 0, 2, 600),
        ),
        counter_copies_printed=2,
        counter_fees_yen=600,
    )


def test_v2_settlement_keeps_counter_copies_apart_from_the_store_fee() -> None:
    value = settlement().to_wire(version=2)
    assert (value["counter_copies_printed"], value["counter_fees_yen"]) == (2, 600)
    assert value["store_fee_yen"] == 2 * wire.STORE_FEE_PER_COPY_YEN  # kiosk-paid copies only
    assert "items" not in value
    assert wire.Settlement.from_wire(value, version=2) == settlement()
    broken: dict[str, Any] = {**value, "counter_fees_yen": 500}
    with pytest.raises(wire.WireFormatError, match="counter_fees_yen"):
        wire.Settlement.from_wire(broken, version=2)
    with pytest.raises(wire.WireFormatError, match="unknown field"):
        wire.Settlement.from_wire(with_items().to_wire(), version=2)


def test_v1_settlement_is_unchanged_and_leaves_counter_copies_out() -> None:
    value = settlement().to_wire(version=1)
    assert "counter_copies_printed" not in value
    assert [line["municipality_code"] for line in value["lines"]] == ["131202"]
    v1_line = {"municipality_code", "copies_printed", "municipality_fees_yen"}
    assert set(value["lines"][0]) == v1_line
    parsed = wire.Settlement.from_wire(value, version=1)
    assert (parsed.copies_printed, parsed.counter_copies_printed) == (2, 0)
    with pytest.raises(wire.WireFormatError, match="unknown field"):
        wire.Settlement.from_wire(settlement().to_wire(), version=1)


# -- v3: the business day and the settlement's items ---------------------------------------
def item(
    issuance_id: str,
    code: str,
    copies: int,
    fee: int,
    completion: wire.CompletionReport | None,
) -> wire.SettlementItem:
    from printing.certificates import CertificateKind

    return wire.SettlementItem(
        issuance_id, code, CertificateKind.JUMINHYO, copies, fee, MOMENT, completion
    )


def with_items() -> wire.Settlement:
    """settlement() with its issuances: 2 kiosk-paid copies, 2 counter copies, one open."""
    from dataclasses import replace

    return replace(
        settlement(),
        open_issuances=1,
        copies_issued=5,
        items=(
            item("iss-0000000001", "131202", 2, 200, report(Outcome.PRINTED, 2, 400)),
            item("iss-0000000002", "221007", 2, 300, report(Outcome.PRINTED, 2, 0, 0, 0, COUNTER)),
            item("iss-0000000003", "131202", 1, 200, None),
        ),
    )


def test_v3_settlement_lists_every_issuance_and_they_add_up() -> None:
    value = with_items().to_wire()
    assert [i["issuance_id"] for i in value["items"]] == [
        "iss-0000000001",
        "iss-0000000002",
        "iss-0000000003",
    ]
    assert value["items"][2]["completion"] is None  # open: no report yet
    assert value["items"][0]["completion"]["payment"] == "kiosk"
    assert wire.Settlement.from_wire(value) == with_items()


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda v: v["items"].pop(), "issuances"),
        (lambda v: v["items"][2].update(copies=2), "copies_issued"),
        (lambda v: v["items"].append({**v["items"][0]}), "listed twice"),
        (lambda v: v["items"][0].update(municipality_code="221007"), "131202"),
        (lambda v: v["items"][0].update(fee_yen_per_copy=100), "does not add up"),
        (lambda v: v["items"][2].update(completion=v["items"][0]["completion"]), "does not add"),
    ],
)
def test_v3_items_that_do_not_add_up_are_refused(spoil: Any, message: str) -> None:
    value = with_items().to_wire()
    spoil(value)
    with pytest.raises(wire.WireFormatError, match=message):
        wire.Settlement.from_wire(value)


def test_v3_envelope_names_the_business_day_older_ones_do_not() -> None:
    from dataclasses import replace

    from tests.kiosk.center.test_verify import envelope

    current = envelope()
    value = current.to_wire()
    assert value["format"] == wire.ENVELOPE_FORMAT == "konbini-center-envelope/2"
    assert value["business_date"] == current.business_date.isoformat()  # type: ignore[union-attr]
    assert wire.Envelope.from_wire(value) == current
    older = replace(current, business_date=None).to_wire()
    assert older["format"] == wire.ENVELOPE_FORMAT_V1
    assert "business_date" not in older
    assert wire.Envelope.from_wire(older).business_date is None
    # Each format has exactly its fields.
    with pytest.raises(wire.WireFormatError, match="business_date"):
        wire.Envelope.from_wire({k: v for k, v in value.items() if k != "business_date"})
    with pytest.raises(wire.WireFormatError, match="unknown field"):
        wire.Envelope.from_wire({**older, "business_date": "2026-11-26"})
