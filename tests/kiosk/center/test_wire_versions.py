"""Protocol v3 next to v2 and v1 (docs/center-protocol.md, "Versioning"): v2's completion
``payment`` and settlement counter figures, v3's notices by language (tests/kiosk/center/
test_wire.py); older shapes stay exactly as they were."""

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
    value = settlement().to_wire()
    assert (value["counter_copies_printed"], value["counter_fees_yen"]) == (2, 600)
    assert value["store_fee_yen"] == 2 * wire.STORE_FEE_PER_COPY_YEN  # kiosk-paid copies only
    assert wire.Settlement.from_wire(value) == settlement()
    broken: dict[str, Any] = {**value, "counter_fees_yen": 500}
    with pytest.raises(wire.WireFormatError, match="counter_fees_yen"):
        wire.Settlement.from_wire(broken)


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
