"""The center serves protocol v3 (the business day, the settlement's items), and unchanged v2
(counter payment) and v1 for kiosks not yet upgraded: raw HTTPS with the kiosk's certificate
for the older versions, the kiosk's client for v3."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
import requests

from kiosk.center import wire
from kiosk.center.client import CenterClient, new_idempotency_key, speaks_this_protocol
from kiosk.center.errors import ProtocolViolation
from kiosk.domain import NoticeKind
from printing.certificates import (
    CertificateKind,
    CertificateRequest,
    Jurisdiction,
    KosekiOptions,
    KosekiScope,
    NoOptions,
)
from tests.hw_sim.center.harness import RunningCenter, open_session

INKAN_2 = CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions(), 2)


@pytest.fixture
def http(center: RunningCenter) -> Iterator[requests.Session]:
    config = center.kiosk_config()
    with requests.Session() as session:
        session.trust_env = False
        session.verify = str(config.ca_path)
        session.cert = (str(config.cert_path), str(config.key_path))
        yield session


def issue(client: CenterClient, pki: Any) -> wire.Envelope:
    session = open_session(client, pki, "normal")
    envelope = client.issue(session, INKAN_2, new_idempotency_key()).envelope
    client.end_session(session)
    return envelope


def report(
    envelope: wire.Envelope,
    outcome: wire.CompletionOutcome,
    printed: int,
    paid: int,
    payment: wire.PaymentPlace = wire.PaymentPlace.KIOSK,
) -> wire.CompletionReport:
    refund = paid - envelope.fee_yen_per_copy * printed if paid else 0
    reason = None if outcome is wire.CompletionOutcome.PRINTED else "media_jam"
    return wire.CompletionReport(
        outcome, printed, paid, refund, 0, reason, envelope.issued_at, payment=payment
    )


def post(http: requests.Session, center: RunningCenter, path: str, body: Any) -> requests.Response:
    return http.post(
        center.endpoints["center_url"] + path,
        data=wire.dumps(body),
        headers={"Content-Type": "application/json", "Idempotency-Key": new_idempotency_key()},
        timeout=30,
    )


def test_counter_issuance_is_settled_apart_with_no_store_fee(
    client: CenterClient, center_pki: Any, center: RunningCenter
) -> None:
    envelope = issue(client, center_pki)
    day = center.business_day()  # where the center booked the issuance
    before = client.settlement(day)
    counter = report(envelope, wire.CompletionOutcome.PRINTED, 2, 0, wire.PaymentPlace.COUNTER)
    receipt = client.complete(envelope.issuance_id, counter, new_idempotency_key())
    assert receipt.outcome is wire.CompletionOutcome.PRINTED
    after = client.settlement(day)
    assert after.counter_copies_printed == before.counter_copies_printed + 2
    assert after.counter_fees_yen == before.counter_fees_yen + envelope.total_fee_yen
    # Not a kiosk sale: no store fee, no fee collected by the store for the municipality.
    assert after.copies_printed == before.copies_printed
    assert after.store_fee_yen == before.store_fee_yen
    assert after.municipality_fees_yen == before.municipality_fees_yen
    assert after.open_issuances == before.open_issuances - 1


def test_printed_without_kiosk_payment_only_for_counter(
    client: CenterClient, center_pki: Any, http: requests.Session, center: RunningCenter
) -> None:
    envelope = issue(client, center_pki)
    path = f"{wire.API_PREFIX}/issuances/{envelope.issuance_id}/completion"
    unpaid = report(envelope, wire.CompletionOutcome.PRINTED, 2, 0)  # payment: kiosk
    answer = post(http, center, path, unpaid.to_wire())
    assert answer.status_code == 400
    assert "printed without payment" in answer.json()["error"]["message"]
    # A counter report that says money was taken at the kiosk is malformed.
    paid_counter = {**unpaid.to_wire(), "payment": "counter", "amount_paid_yen": 400}
    assert post(http, center, path, paid_counter).status_code == 400
    # Nothing was recorded: the right report is still accepted.
    good = report(envelope, wire.CompletionOutcome.PRINTED, 2, 0, wire.PaymentPlace.COUNTER)
    client.complete(envelope.issuance_id, good, new_idempotency_key())


def test_v1_is_still_served_as_it_was(
    client: CenterClient, center_pki: Any, http: requests.Session, center: RunningCenter
) -> None:
    base = center.endpoints["center_url"] + "/v1"
    health = wire.Health.from_wire(http.get(base + "/health", timeout=10).json())
    assert health.protocol_version == 1
    envelope = issue(client, center_pki)
    day = center.business_day()
    before = wire.Settlement.from_wire(
        http.get(f"{base}/settlements/{day}", timeout=10).json(), version=1
    )
    path = f"/v1/issuances/{envelope.issuance_id}/completion"
    v1_report = report(envelope, wire.CompletionOutcome.FAILED, 1, envelope.total_fee_yen)
    with_v2_field = {**v1_report.to_wire(version=1), "payment": "kiosk"}
    assert post(http, center, path, with_v2_field).status_code == 400  # strict, as in v1
    answer = post(http, center, path, v1_report.to_wire(version=1))
    assert answer.status_code == 200, answer.text
    assert wire.CompletionReceipt.from_wire(answer.json()).outcome is wire.CompletionOutcome.FAILED
    settlement = http.get(f"{base}/settlements/{day}", timeout=10).json()
    assert "counter_copies_printed" not in settlement
    after = wire.Settlement.from_wire(settlement, version=1)
    assert after.copies_printed == before.copies_printed + 1
    assert after.refunded_yen == before.refunded_yen + envelope.fee_yen_per_copy
    # The kiosk, upgraded, replays the same report from its journal over v2: the same report.
    again = client.complete(envelope.issuance_id, v1_report, new_idempotency_key())
    assert again.outcome is wire.CompletionOutcome.FAILED


def test_the_kiosk_refuses_a_center_that_speaks_another_version(
    http: requests.Session, center: RunningCenter
) -> None:
    base = center.endpoints["center_url"]
    for version in wire.SUPPORTED_VERSIONS:
        health = wire.Health.from_wire(
            http.get(f"{base}{wire.api_prefix(version)}/health", timeout=10).json()
        )
        assert health.protocol_version == version
        if version == wire.PROTOCOL_VERSION:
            assert speaks_this_protocol(health) == health
        else:
            with pytest.raises(ProtocolViolation, match=f"speaks v{wire.PROTOCOL_VERSION}"):
                speaks_this_protocol(health)


def test_an_offer_keeps_its_shape_per_version(
    client: CenterClient, center_pki: Any, http: requests.Session, center: RunningCenter
) -> None:
    """v3 notices carry their kind and texts by language; a v2 (or v1) kiosk gets the same
    notices as the plain Japanese strings it always read (練馬区's monthly maintenance)."""
    session = open_session(client, center_pki, "normal")
    current = client.offer(session)
    assert current.notices
    assert any(notice.kind is NoticeKind.MAINTENANCE for notice in current.notices)
    base = center.endpoints["center_url"]
    auth = {"Authorization": f"Session {session.session_token}"}
    for version in (1, 2):
        old = http.get(f"{base}/v{version}/offer", headers=auth, timeout=10).json()
        assert old["notices"] == [notice.ja for notice in current.notices]
        parsed = wire.offer_from_wire(old, version=version)
        without_persons = tuple(
            replace(c, rules=replace(c.rules, persons=(), self_person_id=None))
            for c in current.certificates
        )
        assert parsed.certificates == without_persons  # v3's person choice left out
    client.end_session(session)


def test_the_fuhyo_options_and_the_person_are_v3_only(
    client: CenterClient, center_pki: Any, http: requests.Session, center: RunningCenter
) -> None:
    """A v2 kiosk asks for a 附票 as before (no options) and gets a v2 envelope; the 附票's own
    options are refused on /v2; a v3 kiosk names whose 個人事項 and the envelope echoes it."""
    session = open_session(client, center_pki, "normal")
    base = center.endpoints["center_url"]
    headers = {
        "Authorization": f"Session {session.session_token}",
        "Content-Type": "application/json",
    }

    def post_v2(options: dict[str, Any]) -> requests.Response:
        body = {
            "request": {
                "kind": "koseki_fuhyo",
                "jurisdiction": "residence",
                "options": options,
                "copies": 1,
            }
        }
        return http.post(
            f"{base}/v2/issuances",
            data=wire.dumps(body),
            headers={**headers, "Idempotency-Key": new_idempotency_key()},
            timeout=60,
        )

    answer = post_v2({"type": "none"})
    assert answer.status_code == 200, answer.text
    signed = wire.SignedIssuance.from_wire(answer.json(), version=2)
    assert signed.envelope.request.options == NoOptions()
    refused = post_v2({"type": "fuhyo", "scope": "all", "person_ids": [], "show_honseki": True})
    assert refused.status_code == 400
    offer = client.offer(session)
    (koseki,) = [c for c in offer.certificates if c.kind is CertificateKind.KOSEKI]
    child = next(p for p in koseki.rules.persons if p.member_id != koseki.rules.self_person_id)
    request = CertificateRequest(
        CertificateKind.KOSEKI,
        Jurisdiction.RESIDENCE,
        KosekiOptions(KosekiScope.INDIVIDUAL, child.member_id),
    )
    envelope = client.issue(session, request, new_idempotency_key()).envelope
    assert envelope.request == request
    assert envelope.copies[0].title == "戸籍個人事項証明書"
    client.end_session(session)


def test_v3_names_the_business_day_and_lists_the_day_by_issuance(
    client: CenterClient, center_pki: Any, center: RunningCenter
) -> None:
    envelope = issue(client, center_pki)
    day = center.business_day()
    assert envelope.business_date == day  # the center's business clock, not the system date
    before = client.settlement(day)
    listed = {item.issuance_id: item for item in before.items}
    assert listed[envelope.issuance_id].completion is None  # open until reported
    failed = report(envelope, wire.CompletionOutcome.FAILED, 1, envelope.total_fee_yen)
    client.complete(envelope.issuance_id, failed, new_idempotency_key())
    after = client.settlement(day)
    item = {i.issuance_id: i for i in after.items}[envelope.issuance_id]
    assert item.completion is not None
    assert (item.copies, item.fee_yen_per_copy) == (2, envelope.fee_yen_per_copy)
    assert item.completion.copies_printed == 1
    assert item.completion.amount_refunded_yen == envelope.fee_yen_per_copy
    assert len(after.items) == after.issuances


def test_v2_still_gets_the_format_1_envelope_and_no_items(
    client: CenterClient, center_pki: Any, http: requests.Session, center: RunningCenter
) -> None:
    session = open_session(client, center_pki, "normal")
    base = center.endpoints["center_url"] + "/v2"
    answer = http.post(
        base + "/issuances",
        data=wire.dumps(wire.IssuanceRequest(INKAN_2).to_wire(2)),
        headers={
            "Content-Type": "application/json",
            "Idempotency-Key": new_idempotency_key(),
            "Authorization": f"Session {session.session_token}",
        },
        timeout=60,
    )
    client.end_session(session)
    assert answer.status_code == 200, answer.text
    signed = wire.SignedIssuance.from_wire(answer.json(), version=2)
    assert signed.envelope.business_date is None
    assert answer.json()["envelope"]["format"] == wire.ENVELOPE_FORMAT_V1
    day = center.business_day()
    settlement = http.get(f"{base}/settlements/{day}", timeout=10).json()
    assert "items" not in settlement
    wire.Settlement.from_wire(settlement, version=2)
